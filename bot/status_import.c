/*
 * status_import.c — import-cstate: the files of a cState folder become
 * outages in the store. It owns the folder walk and the transaction per
 * file; the reading of a file is status_md's, the rows are
 * store_outage's. It never follows a symbolic link, never writes to the
 * folder, and never makes an outbox job (an imported outage is history,
 * not news). The meta key "import.cstate.<file name>" holds the outage
 * id a file became, which is what makes a second import add nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outage.h"
#include "status_import.h"
#include "status_md.h"
#include "store.h"
#include "store_outage.h"
#include "util.h"

/* Larger files are not cState issues. */
#define IMPORT_MAX	(1024 * 1024)

/* Does name end in ".md" (and have more before it)? */
static int
import_is_md(const char *name)
{
	size_t	 n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".md") == 0 && name[0] != '.';
}

/* qsort: names in byte order. */
static int
import_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.md names in d, sorted (NULL when none). Caller frees with
 * outage_names_free. */
static char **
import_names(DIR *d, size_t *n)
{
	struct dirent	*de;
	char		**names = NULL;

	*n = 0;
	while ((de = readdir(d)) != NULL) {
		if (!import_is_md(de->d_name))
			continue;
		names = xreallocarray(names, *n + 1, sizeof(char *));
		names[(*n)++] = xstrdup(de->d_name);
	}
	if (*n > 0)
		qsort(names, *n, sizeof(char *), import_cmp);
	return names;
}

/*
 * Read the regular file name in the folder dfd (not through a link).
 * Returns the text (caller frees) and its length, or NULL with *cause.
 */
static char *
import_read(int dfd, const char *name, size_t *len, char **cause)
{
	struct stat	 st;
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 r;
	int		 fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1) {
		*cause = xstrdup(errno == ELOOP ? "a symbolic link" :
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		*cause = xstrdup(strerror(errno));
	else if (!S_ISREG(st.st_mode))
		*cause = xstrdup("not a regular file");
	else if (st.st_size > IMPORT_MAX)
		*cause = xstrdup("larger than 1 MiB");
	if (*cause != NULL) {
		close(fd);
		return NULL;
	}
	buf_init(&b);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0 &&
	    b.len + (size_t)r <= IMPORT_MAX)
		buf_add(&b, chunk, (size_t)r);
	close(fd);
	if (r != 0) {
		*cause = xstrdup(r < 0 ? strerror(errno) :
		    "larger than 1 MiB");
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}

/* Store o and its timeline, and remember key; one transaction. The
 * new id, or -1. */
static long long
import_store(struct store *s, struct outage *o, const char *key)
{
	char		 id[32];
	size_t		 i;

	if (store_begin(s) != 0)
		return -1;
	o->id = store_outage_add(s, o);
	if (o->id <= 0 || store_outage_save(s, o) != 0)
		goto fail;
	for (i = 0; i < o->nupdates; i++)
		if (store_outage_add_update(s, o->id, &o->updates[i]) < 0)
			goto fail;
	snprintf(id, sizeof(id), "%lld", o->id);
	if (store_meta_set(s, key, id) != 0 || store_commit(s) != 0)
		goto fail;
	return o->id;
fail:
	store_rollback(s);
	return -1;
}

/* Import one file; print its line. 0 imported (now or before), or -1. */
static int
import_file(struct store *s, int dfd, const char *name, FILE *out)
{
	struct outage	 o;
	char		*key, *prev = NULL, *text, *cause = NULL;
	size_t		 len;
	long long	 id = -1;

	key = xasprintf("import.cstate.%s", name);
	if (store_meta_get(s, key, &prev) == 1) {
		fprintf(out, "%s was imported before as outage #%s\n", name,
		    prev);
		free(prev);
		free(key);
		return 0;
	}
	text = import_read(dfd, name, &len, &cause);
	if (text != NULL && status_md_cstate_read(text, len, &o, &cause) ==
	    0) {
		if ((id = import_store(s, &o, key)) < 0)
			cause = xstrdup("cannot store it (see the log)");
		outage_clear(&o);
	}
	if (id > 0)
		fprintf(out, "imported %s as outage #%lld\n", name, id);
	else
		fprintf(out, "skipped %s: %s\n", name, cause);
	free(cause);
	free(text);
	free(key);
	return id > 0 ? 0 : -1;
}

/* Import the folder dir (see status_import.h). */
int
status_import_cstate(struct store *s, const char *dir, FILE *out,
    char **cause)
{
	DIR		*d;
	char		**names;
	size_t		 i, n;
	int		 rc = 0;

	d = opendir(dir);
	if (d == NULL) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	names = import_names(d, &n);
	for (i = 0; i < n; i++)
		if (import_file(s, dirfd(d), names[i], out) != 0)
			rc = 1;
	if (n == 0)
		fprintf(out, "%s: no *.md files\n", dir);
	outage_names_free(names, n);
	closedir(d);
	return rc;
}
