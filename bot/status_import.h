/*
 * status_import.h — outagebot import-cstate DIR: a cState content/issues
 * folder read into the outage history (DESIGN §7, §10). Each file is
 * stored as an outage with its timeline and remembered by name, so a
 * second import of the same folder adds nothing. Nothing is announced
 * and no outbox job is made: the past is only recorded.
 */
#ifndef OB_STATUS_IMPORT_H
#define OB_STATUS_IMPORT_H

#include <stdio.h>

struct store;

/*
 * Import every *.md file of dir (sorted by name; symbolic links and
 * other non-regular files are skipped), one transaction per file, and
 * print one line per file to out: "imported F as outage #3", "F was
 * imported before as outage #3" or "skipped F: line 3: ...". Returns
 * 0 when every file was imported (now or before), 1 when some were
 * skipped, or -1 with *cause (caller frees) when dir cannot be read.
 */
int	 status_import_cstate(struct store *, const char *dir, FILE *out,
	    char **cause);

#endif
