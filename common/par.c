/* par: see par.h. */
#include <pthread.h>

#include "par.h"

void
par_both(void *(*fn)(void *), void *a, void *b, bool threads)
{
	pthread_t th;

	if (threads && pthread_create(&th, NULL, fn, b) == 0) {
		fn(a);
		pthread_join(th, NULL);
		return;
	}
	fn(a);
	fn(b);
}
