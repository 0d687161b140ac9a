/*
 * fuzz_when.c — libFuzzer target for bot/when.c: any text typed as a
 * time either parses or fails with a cause; a parsed time formats, and a
 * wall time read back from its formatted RFC 3339 form is the same
 * instant. The zone is Europe/Prague (DST gaps and overlaps included).
 */
/* deps: when tz util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"
#include "when.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct tz *zone;

/* Parse, then check that the result formats and round-trips. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = xstrndup((const char *)data, size), *cause = NULL;
	char	 buf[64];
	time_t	 now = 1795000000, t, back;

	if (zone == NULL && (zone = tz_load("Europe/Prague", &cause)) == NULL)
		abort();
	if (when_parse(s, zone, now, &t, &cause) == 0) {
		when_format(zone, t, now, buf, sizeof buf);
		when_rfc3339(t, buf, sizeof buf);
		if (when_parse(buf, zone, now, &back, &cause) != 0 ||
		    back != t)
			abort();
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}
	free(s);
	return 0;
}
