/*
 * fuzz_status_md.c — libFuzzer target for bot/status_md.c: any bytes
 * read as a cState file either give an outage or fail with a cause;
 * an outage read is written again as a cState page and a Statusfy page,
 * and the cState page reads back with the same title, date, severity,
 * state, resolve time and components.
 */
/* deps: status_md outage when tz util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outage.h"
#include "status_md.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless a and b agree on what a page says of them. */
static void
same(const struct outage *a, const struct outage *b)
{
	size_t	 i;

	if (strcmp(a->title, b->title) != 0 || a->opened_at != b->opened_at ||
	    a->severity != b->severity || a->state != b->state ||
	    a->resolved_at != b->resolved_at || a->naffected != b->naffected)
		abort();
	for (i = 0; i < a->naffected; i++)
		if (strcmp(a->affected[i], b->affected[i]) != 0)
			abort();
}

/* Read, then write both pages and read the cState one back. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outage	 o, back;
	char		*page, *cause = NULL;

	if (status_md_cstate_read((const char *)data, size, &o, &cause) !=
	    0) {
		if (cause == NULL || o.title != NULL)
			abort();
		free(cause);
		return 0;
	}
	o.id = 1;
	page = status_md_statusfy(&o, NULL, 0);
	if (page == NULL)
		abort();
	free(page);
	page = status_md_cstate(&o);
	if (page == NULL)
		abort();
	if (status_md_cstate_read(page, strlen(page), &back, &cause) != 0)
		abort();
	same(&o, &back);
	outage_clear(&back);
	outage_clear(&o);
	free(page);
	return 0;
}
