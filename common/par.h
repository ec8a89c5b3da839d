/*
 * par: the one way the toolkit splits a step over two threads. The
 * machines it is built for have two cores; each step that splits does so
 * into two halves of the same work.
 */
#ifndef PAR_H
#define PAR_H

#include <stdbool.h>

/*
 * fn(a) on this thread and fn(b) on a second one, both done on return.
 * Without threads, or when no thread can be started, fn(a) then fn(b)
 * here.
 */
void par_both(void *(*fn)(void *), void *a, void *b, bool threads);

#endif
