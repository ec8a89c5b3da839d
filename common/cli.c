/*
 * cli: strict option-value parsing (the OpenBSD strtonum habit).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "out.h"
#include "slice.h"

uint64_t
cli_u64(const char *flag, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!slice_u64(slice_cstr(arg), &v))
		die_usage("invalid %s '%s'", flag, arg);
	if (v < min || v > max)
		die_usage("invalid %s '%s': must be between %llu and %llu", flag,
		    arg, (unsigned long long)min, (unsigned long long)max);
	return v;
}

double
cli_double(const char *flag, const char *arg, double min, double max)
{
	const char *p;
	char *end;
	double v;

	/* strtod would also take hex, inf, nan and leading blanks. */
	for (p = arg; *p; p++)
		if (!(is_digit((unsigned char)*p) || *p == '.' || *p == '-' ||
		    *p == '+' || *p == 'e' || *p == 'E'))
			die_usage("invalid %s '%s'", flag, arg);
	errno = 0;
	v = strtod(arg, &end);
	if (*arg == '\0' || *end != '\0' || errno || !isfinite(v))
		die_usage("invalid %s '%s'", flag, arg);
	if (v < min || v > max)
		die_usage("invalid %s '%s': must be between %g and %g", flag, arg,
		    min, max);
	return v;
}

noreturn void
cli_bad_option(int c, char **argv)
{
	/*
	 * getopt sets optopt to the short option at fault, or 0 for an
	 * unknown long one; inside a group ("-qx") optind may still point
	 * at the word, so the word is named only for long options.
	 */
	const char *word = optind > 0 ? argv[optind - 1] : "";
	int is_long = strncmp(word, "--", 2) == 0;

	if (c == ':') {
		if (is_long || optopt <= 0 || optopt > CHAR_MAX)
			die_usage("option '%s' needs a value", word);
		die_usage("option '-%c' needs a value", optopt);
	}
	if (optopt > 0 && optopt <= CHAR_MAX)
		die_usage("unknown option '-%c'", optopt);
	die_usage("unknown option '%s'", word);
}

void
cli_common_option(int c, char **argv, const char *help)
{
	switch (c) {
	case 'h':
		cli_help(help);
	case 'q':
		diag_level = DIAG_QUIET;
		break;
	case 'v':
		if (diag_level < DIAG_DEBUG)
			diag_level++;
		break;
	case 'V':
		cli_version();
	default:
		cli_bad_option(c, argv);
	}
}

noreturn void
cli_version(void)
{
	out_str(diag_prog);
	out_str(" " TOOLKIT_NAME " " TOOLKIT_VERSION "\n");
	out_finish();
	diag_exit(EXIT_OK);
}

noreturn void
cli_help(const char *text)
{
	out_str(text);
	out_finish();
	diag_exit(EXIT_OK);
}
