/*
 * fuzz_duration.c — libFuzzer target for the duration parser and
 * formatter in bot/util.c: any input either fails or yields a
 * non-negative duration whose formatted form parses back (the formatter
 * shows the two largest units, so the round trip may only lose less
 * than one of the second unit).
 */
/* deps: util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse, check, format, parse again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = xstrndup((const char *)data, size), out[64];
	long long	 ms, back;

	if (util_parse_duration(s, &ms) == 0) {
		if (ms < 0)
			abort();
		util_fmt_duration(ms, out, sizeof out);
		if (util_parse_duration(out, &back) != 0 || back > ms)
			abort();
	}
	free(s);
	return 0;
}
