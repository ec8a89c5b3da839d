/*
 * cli: option-value parsing shared by the tools. Every parser validates
 * the whole string (no sign, no blanks, no trailing junk, in range) and on
 * failure calls die_usage naming the flag: "invalid --minwidth 'abc'".
 */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
#include "compat.h"

uint64_t cli_u64(const char *flag, const char *arg, uint64_t min, uint64_t max);
/* Finite decimal number (strtod syntax, no hex/inf/nan) within [min, max]. */
double cli_double(const char *flag, const char *arg, double min, double max);

/*
 * Report what getopt_long rejected and exit 2: c is what it returned
 * (':' for a missing value, with an optstring that starts with ':';
 * anything else for an unknown option).
 */
noreturn void cli_bad_option(int c, char **argv);

/*
 * The options every collapser and diff-folded share, after getopt_long
 * returned c: 'h' prints help and exits, 'q' silences warnings, each 'v'
 * says more, 'V' prints the version and exits; anything else goes to
 * cli_bad_option.
 */
void cli_common_option(int c, char **argv, const char *help);

/* Print "prog flamekit VERSION" on stdout and exit 0. */
noreturn void cli_version(void);

/* Print text on stdout and exit 0 (for --help). */
noreturn void cli_help(const char *text);

#endif
