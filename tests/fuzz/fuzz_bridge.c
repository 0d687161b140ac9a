/*
 * fuzz_bridge.c — libFuzzer target for the bridge side of bot/ident.c:
 * the input, cut at its first NUL, is read as a line from a bridge
 * (ident_bridge_parse) and, separately, stripped (ident_strip). Checks
 * that the name and text point into the line, that the name keeps its
 * limits, and that no formatting code or zero-width character survives.
 * Broken invariants abort(), which libFuzzer reports as a crash.
 *
 * Must not keep state between inputs or write anywhere: run.sh runs it
 * for a bounded time and only a crash counts.
 */
/* deps: ident ircmsg util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "util.h"

#include "../unit/fixtures.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1 if s still holds a formatting code or a zero-width character. */
static int
has_junk(const char *s)
{
	static const char *const zw[] = {
		"\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d",
		"\xe2\x81\xa0", "\xef\xbb\xbf"
	};
	size_t	 i;

	if (strpbrk(s, "\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f") != NULL)
		return 1;
	for (i = 0; i < nitems(zw); i++) {
		if (strstr(s, zw[i]) != NULL)
			return 1;
	}
	return 0;
}

/* One input: strip a copy, then parse another copy. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*line, *copy, *name = NULL, *text = NULL;
	size_t	 len = strnlen((const char *)data, size);

	line = xstrndup((const char *)data, len);
	copy = xstrdup(line);
	ident_strip(copy);
	fixture_check(strlen(copy) <= len);
	fixture_check(!has_junk(copy));
	free(copy);

	if (ident_bridge_parse(line, &name, &text) == 0) {
		fixture_check(name >= line && name < line + len);
		fixture_check(text > name && text <= line + len);
		fixture_check(*name != '\0' && strlen(name) < IDENT_NAME_MAX);
		fixture_check(strpbrk(name, " >") == NULL);
		fixture_check(*text != '\0');
		fixture_check(!has_junk(name) && !has_junk(text));
	}
	free(line);
	return 0;
}
