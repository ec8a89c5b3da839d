/*
 * compat: compiler attributes and the few portable helpers libc lacks.
 * Every module may include this; it declares no data.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stdnoreturn.h>

#if defined(__GNUC__) || defined(__clang__)
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ATTR_PRINTF(f, a)
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define TOOLKIT_NAME "flamekit"
#define TOOLKIT_VERSION "0.1.0"

#endif
