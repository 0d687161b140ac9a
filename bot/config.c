/*
 * config.c — reads the configuration file with libconfig and validates
 * every key into the plain structs of config.h. This is the only file
 * that includes libconfig.h; no libconfig pointer survives cfg_load().
 *
 * Every section (the top level, irc, irc.sasl, team, bridges[], roles[],
 * github, statuspage, statuspage.backends[], ...) is a table of key
 * specifications (struct key): the key's name, its type, where its value
 * goes in the section's struct, its default, bounds, a validator, and an
 * optional hook for what involves more than one key. One reader walks a
 * table: it refuses unknown keys, applies the defaults, reads and checks
 * each key by its type and reports a missing required one; cfg_free()
 * walks the same tables to free. Adding a key is adding a row.
 *
 * Validation does not stop at the first problem: every problem is
 * collected as "file:line: key: what is wrong" (key as the user wrote it,
 * list elements as "bridges.[0].nick"), the lines are sorted by line
 * number and handed back joined by '\n'. Secrets (*_file keys) are read
 * here, from a file or from "env:NAME"; their values are never logged and
 * never appear in a message, and cfg_free() wipes them. Time zones are
 * loaded here (tz_load) and start instants parsed (when_parse), so a
 * loaded config holds ready-to-use zones. The alerts and plugins groups,
 * which later features validate, are accepted as they are.
 *
 * Must not: keep global state, touch the network, or print anything but
 * permission warnings (through log_warn) — errors go back to the caller.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "log.h"
#include "sasl.h"
#include "tz.h"
#include "util.h"
#include "when.h"

#define CFG_MOD		"config"
#define SECRET_MAX	8192	/* longest first line of a secret file */
#define ROLE_NAME_MAX	32	/* longest role name or alias */
#define PERSON_MAX	63	/* longest person name in a rotation */
#define SECT_KEYS	32	/* most rows in one section's table */
#define HOUR_MS		3600000LL

/* One collected problem; sorted by line before they are joined. */
struct problem {
	unsigned int	 line;
	char		*text;
};

/* State of one cfg_load() call. */
struct load {
	const char	*path;		/* as given, for messages */
	char		*dir;		/* directory of the file, for paths */
	struct problem	*probs;
	size_t		 nprobs;
	char		**tmp;		/* quoted copies, freed at the end */
	size_t		 ntmp;
	int		 strict;	/* strict_permissions */
	int		 identify_ok;	/* team.identify was understood */
};

/* How a key is read and where its value is kept. */
enum ktype {
	K_NONE,		/* no value of its own: read by its reader */
	K_STR,		/* char *: a string the validator accepts */
	K_PATH,		/* char *: a path made absolute */
	K_SECRET,	/* char *: a *_file key's secret, wiped on free */
	K_INT,		/* int in [min, max] */
	K_BOOL,		/* int: true or false */
	K_ENUM,		/* int: min + the index of one of names */
	K_DUR,		/* long long ms: > 0 (>= 0 with KF_ZERO), >= min */
	K_STRV,		/* char ** and size_t at offn: list of strings */
	K_PAIRS,	/* struct cfg_pair * and size_t at offn */
	K_GROUP,	/* a group read by sub into the struct at off */
	K_GROUPP,	/* a pointer at off to a group allocated if present */
	K_GLIST		/* an array at off (count at offn) of sub groups */
};

#define KF_READABLE	0x1	/* K_PATH: a regular file we can read */
#define KF_PRIVATE	0x2	/* K_PATH: permissions checked as a secret's */
#define KF_ZERO		0x4	/* K_DUR: "0s" is allowed */

struct key;
struct section;

/* One section being read: its group, table, struct and what was read. */
struct sect {
	config_setting_t	*g;	/* NULL: only the defaults apply */
	const struct section	*sec;
	void			*base;	/* the struct the rows point into */
	struct config		*cfg;
	unsigned int		 types;	/* backend: its type's bit, or 0 */
	const char		*kind;	/* backend: its type's name */
	config_setting_t	*got[SECT_KEYS]; /* accepted, by row */
};

/* A validator: 0 keeps the string v of setting s, -1 (reported) not. */
typedef int (*str_check)(struct load *, config_setting_t *, const char *,
    struct sect *);
/* A reader replacing the type's: returns s when accepted, else NULL. */
typedef config_setting_t *(*key_read)(struct load *, struct sect *,
    const struct key *, config_setting_t *);
/* A hook after a key is read (got: the accepted setting or NULL). */
typedef void (*key_hook)(struct load *, struct sect *, config_setting_t *);
/* Splits one "a=b" element into done[ndone]; 0, or -1 (reported). */
typedef int (*pair_parse)(struct load *, config_setting_t *, struct sect *,
    const struct key *, struct cfg_pair *, size_t);

/* One row of a section's table. */
struct key {
	const char		*name;
	enum ktype		 type;
	size_t			 off;	/* of the value in the struct */
	size_t			 offn;	/* of the count, for lists */
	const char		*sdef;	/* default string (or 1-list) */
	long long		 def;	/* default int, bool, enum, ms; */
					/* K_PAIRS: 1 for person=login */
	long long		 min;	/* int minimum; enum's first value; */
					/* duration minimum in ms */
	long long		 max;	/* int maximum */
	unsigned int		 flags;	/* KF_* */
	unsigned int		 types;	/* backend types it is for; 0: all */
	const char		*missing; /* required: why, after "missing" */
	const char		*example; /* lists: an example element */
	str_check		 check;	/* strings and list elements */
	pair_parse		 pair;	/* K_PAIRS: splits an element */
	const char *const	*names;	/* enum spellings, NULL-ended */
	const char		*what;	/* enum: the problem of a bad one */
	const struct section	*sub;	/* groups */
	key_read		 read;	/* instead of the type's reader */
	key_hook		 hook;	/* after the key (group present) */
};

/* A section: its rows and what is particular to it. */
struct section {
	const struct key	*keys;	/* ends with a NULL name */
	size_t			 size;	/* of its struct (K_GROUPP, K_GLIST) */
	const char *const	*ignored; /* members accepted unseen */
	const char		*example; /* K_GLIST: "nick = \"x\";" */
	const char		*first;	/* K_GLIST: the element's first key */
	void			(*done)(struct load *, struct sect *);
	void			(*fini)(void *); /* frees beyond the rows */
};

#define OFF(t, f)	offsetof(struct t, f)

/* Append the dotted key of s as the user wrote it ("bridges.[0].nick"). */
static void
key_append(struct buf *b, const config_setting_t *s)
{
	const config_setting_t	*parent = config_setting_parent(s);
	const char		*name;

	if (parent == NULL)
		return;
	key_append(b, parent);
	if (b->len > 0)
		buf_addc(b, '.');
	name = config_setting_name(s);
	if (name != NULL)
		buf_addstr(b, name);
	else
		buf_printf(b, "[%d]", config_setting_index(s));
}

/*
 * Format "file:line: key: message" for setting s, or for its member
 * child when child is not NULL (a missing key: the line is the group's).
 * The root has no line; its problems are put on line 1. Caller frees.
 */
static char *
problem_text(struct load *l, const config_setting_t *s, const char *child,
    unsigned int *linep, const char *fmt, va_list ap)
{
	struct buf	 b, key;
	const char	*file = config_setting_source_file(s);
	unsigned int	 line = config_setting_source_line(s);
	char		*msg;

	if (file == NULL)
		file = l->path;
	if (line == 0)
		line = 1;
	buf_init(&key);
	key_append(&key, s);
	if (child != NULL) {
		if (key.len > 0)
			buf_addc(&key, '.');
		buf_addstr(&key, child);
	}
	msg = xvasprintf(fmt, ap);
	buf_init(&b);
	buf_printf(&b, "%s:%u: %s: %s", file, line,
	    key.len > 0 ? key.data : "(top level)", msg);
	free(msg);
	buf_free(&key);
	*linep = line;
	return buf_steal(&b);
}

/* Record a problem with setting s (or its missing member child). */
static void __attribute__((format(printf, 4, 5)))
lerr(struct load *l, const config_setting_t *s, const char *child,
    const char *fmt, ...)
{
	va_list		 ap;
	unsigned int	 line;
	char		*text;

	va_start(ap, fmt);
	text = problem_text(l, s, child, &line, fmt, ap);
	va_end(ap);
	l->probs = xreallocarray(l->probs, l->nprobs + 1, sizeof *l->probs);
	l->probs[l->nprobs].line = line;
	l->probs[l->nprobs].text = text;
	l->nprobs++;
}

/* Log a warning about setting s in the same format as a problem. */
static void __attribute__((format(printf, 3, 4)))
lwarn(struct load *l, const config_setting_t *s, const char *fmt, ...)
{
	va_list		 ap;
	unsigned int	 line;
	char		*text;

	va_start(ap, fmt);
	text = problem_text(l, s, NULL, &line, fmt, ap);
	va_end(ap);
	log_warn(CFG_MOD, "%s", text);
	free(text);
}

/*
 * A double-quoted, printable copy of a (non-secret) value for a message,
 * cut after 64 characters. It lives until the end of cfg_load().
 */
static const char *
lq(struct load *l, const char *s)
{
	struct buf	 b;
	size_t		 n;
	unsigned char	 c;

	buf_init(&b);
	buf_addc(&b, '"');
	for (n = 0; s[n] != '\0'; n++) {
		c = (unsigned char)s[n];
		if (n == 64) {
			buf_addstr(&b, "...");
			break;
		}
		if (c == '"' || c == '\\') {
			buf_addc(&b, '\\');
			buf_addc(&b, (char)c);
		} else if (c < 0x20 || c == 0x7f)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_addc(&b, (char)c);
	}
	buf_addc(&b, '"');
	l->tmp = xreallocarray(l->tmp, l->ntmp + 1, sizeof *l->tmp);
	l->tmp[l->ntmp] = buf_steal(&b);
	return l->tmp[l->ntmp++];
}

/* Edit distance between two short keys, for "did you mean". */
static size_t
key_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev, cur, d[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = d[j];
			d[j] = prev + (a[i - 1] != b[j - 1]);
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (cur + 1 < d[j])
				d[j] = cur + 1;
			prev = cur;
		}
	}
	return d[lb];
}

/* Free a NULL-or-array of n strings. */
static void
strv_free(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Wipe and free a secret. */
static void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* 1 if s has a control character, space or comma (not valid in names). */
static int
has_bad_char(const char *s, const char *extra)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == ',' ||
		    (extra != NULL && strchr(extra, c) != NULL))
			return 1;
	}
	return 0;
}

/* 1 if s (len bytes) is an IRC nick: RFC 2812 characters, any length. */
static int
valid_nick_n(const char *s, size_t len)
{
	size_t		i;
	unsigned char	c;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c != '\0' && strchr("[]\\`_^{|}", c) != NULL))
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '-'))
			continue;
		return 0;
	}
	return 1;
}

/* 1 if s is an IRC nick. */
static int
valid_nick(const char *s)
{
	return valid_nick_n(s, strlen(s));
}

/* 1 if s is a channel name: # or &, no space, comma, BEL or control. */
static int
valid_channel(const char *s)
{
	if ((s[0] != '#' && s[0] != '&') || s[1] == '\0' || strlen(s) > 50)
		return 0;
	return !has_bad_char(s, "\a");
}

/* Report the value v of s as "v what is wrong"; returns -1. */
static int
refuse(struct load *l, config_setting_t *s, const char *v, const char *what)
{
	lerr(l, s, NULL, "%s %s", lq(l, v), what);
	return -1;
}

/* Report s's value v unless it is a nick. */
static int
check_nick(struct load *l, config_setting_t *s, const char *v)
{
	if (valid_nick(v))
		return 0;
	return refuse(l, s, v, "is not a valid IRC nick (letters, digits and "
	    "-[]\\`_^{|}, not starting with a digit or -)");
}

/* Report v unless it is a plain name (services account, user name). */
static int
check_name(struct load *l, config_setting_t *s, const char *v)
{
	if (*v != '\0' && !has_bad_char(v, "!@"))
		return 0;
	return refuse(l, s, v, "is not a valid name (no spaces, commas, "
	    "'!', '@' or control characters)");
}

/* -1 with an error if string v stands earlier in e's list (any case). */
static int
listed_before(struct load *l, config_setting_t *e, const char *v)
{
	config_setting_t	*list = config_setting_parent(e), *o;
	int			 i, idx = config_setting_index(e);

	for (i = 0; i < idx; i++) {
		o = config_setting_get_elem(list, (unsigned int)i);
		if (config_setting_type(o) == CONFIG_TYPE_STRING &&
		    util_strcaseeq(config_setting_get_string(o), v)) {
			return refuse(l, e, v, "is listed twice");
		}
	}
	return 0;
}

/* Make path absolute against the config file's directory; caller frees. */
static char *
resolve_path(struct load *l, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", l->dir, path);
}

/*
 * Report (strict) or warn (otherwise) when the file behind s is readable
 * or writable by group or others. Returns -1 only when it was refused.
 */
static int
check_private(struct load *l, config_setting_t *s, const char *path,
    mode_t mode)
{
	const char	*what;

	if (mode & (S_IRGRP | S_IROTH))
		what = "readable";
	else if (mode & (S_IWGRP | S_IWOTH))
		what = "writable";
	else
		return 0;
	if (l->strict) {
		lerr(l, s, NULL, "%s is %s by others (chmod 600; "
		    "strict_permissions = true)", path, what);
		return -1;
	}
	lwarn(l, s, "%s is %s by others (chmod 600)", path, what);
	return 0;
}

/*
 * Read the first line of the file at path (the whole setting s is only
 * for messages). The buffer is on the stack and wiped, so no copy of the
 * secret is left behind but the returned one. Caller frees (secret_free).
 */
static char *
secret_from_file(struct load *l, config_setting_t *s, const char *path)
{
	char		 data[SECRET_MAX + 1], *nl, *secret = NULL;
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		lerr(l, s, NULL, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lerr(l, s, NULL, "%s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (check_private(l, s, path, st.st_mode) != 0) {
		close(fd);
		return NULL;
	}
	while (len < sizeof data - 1) {
		r = read(fd, data + len, sizeof data - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			lerr(l, s, NULL, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (memchr(data, '\n', len) != NULL)
			break;
	}
	data[len] = '\0';
	nl = memchr(data, '\n', len);
	if (nl == NULL && len == sizeof data - 1) {
		lerr(l, s, NULL, "first line of %s is too long", path);
		goto out;
	}
	if (nl != NULL)
		len = (size_t)(nl - data);
	if (len > 0 && data[len - 1] == '\r')
		len--;
	if (memchr(data, '\0', len) != NULL) {
		lerr(l, s, NULL, "%s contains a NUL byte", path);
		goto out;
	}
	if (len == 0) {
		lerr(l, s, NULL, "first line of %s is empty", path);
		goto out;
	}
	secret = xstrndup(data, len);
out:
	explicit_bzero(data, sizeof data);
	close(fd);
	return secret;
}

/*
 * Resolve the *_file setting s: a path whose first line is the secret,
 * or "env:NAME". Returns the secret (caller frees with secret_free) or
 * NULL after reporting a problem that names the path or variable only.
 */
static char *
load_secret(struct load *l, config_setting_t *s)
{
	const char	*v, *name, *env;
	char		*path, *secret;
	size_t		 i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		lerr(l, s, NULL, "expected a string (a path or \"env:NAME\")");
		return NULL;
	}
	v = config_setting_get_string(s);
	if (*v == '\0') {
		lerr(l, s, NULL, "must not be empty (expected a path or "
		    "\"env:NAME\")");
		return NULL;
	}
	if (strncmp(v, "env:", 4) == 0) {
		name = v + 4;
		for (i = 0; name[i] != '\0'; i++) {
			if (!(name[i] == '_' ||
			    (name[i] >= 'A' && name[i] <= 'Z') ||
			    (name[i] >= 'a' && name[i] <= 'z') ||
			    (i > 0 && name[i] >= '0' && name[i] <= '9')))
				break;
		}
		if (i == 0 || name[i] != '\0') {
			lerr(l, s, NULL, "%s is not a valid environment "
			    "variable name", lq(l, name));
			return NULL;
		}
		env = getenv(name);
		if (env == NULL) {
			lerr(l, s, NULL, "environment variable %s is not set",
			    name);
			return NULL;
		}
		if (*env == '\0') {
			lerr(l, s, NULL, "environment variable %s is empty",
			    name);
			return NULL;
		}
		if (strpbrk(env, "\r\n") != NULL) {
			lerr(l, s, NULL, "environment variable %s contains a "
			    "line break", name);
			return NULL;
		}
		return xstrdup(env);
	}
	path = resolve_path(l, v);
	secret = secret_from_file(l, s, path);
	free(path);
	return secret;
}

/*
 * Normalise a SHA-256 fingerprint (hex, colons optional, any case) into
 * 64 lower-case hex digits in out[65]. Returns 0, or -1 if it is not one.
 */
static int
norm_fingerprint(const char *v, char *out)
{
	size_t		n = 0;
	unsigned char	c;

	for (; *v != '\0'; v++) {
		c = (unsigned char)*v;
		if (c == ':')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		if (n == 64)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n == 64 ? 0 : -1;
}

/* Member name of group g, or NULL when absent (or g is NULL). */
static config_setting_t *
member(config_setting_t *g, const char *name)
{
	if (g == NULL)
		return NULL;
	return config_setting_get_member(g, name);
}

/* The row of sec called name, or NULL. */
static const struct key *
sec_key(const struct section *sec, const char *name)
{
	const struct key	*k;

	for (k = sec->keys; k->name != NULL; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

/* 1 if name is in the NULL-terminated list. */
static int
in_list(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++) {
		if (strcmp(*list, name) == 0)
			return 1;
	}
	return 0;
}

/* Report the unknown member s of a section, with a near key if any. */
static void
unknown_key(struct load *l, config_setting_t *s, const struct section *sec)
{
	const struct key	*k, *best = NULL;
	const char		*name = config_setting_name(s);
	char			*asfile;
	size_t			 d, bestd = 3;

	asfile = xasprintf("%s_file", name);
	k = sec_key(sec, asfile);
	free(asfile);
	if (k != NULL && k->type == K_SECRET) {
		lerr(l, s, NULL, "secrets are not allowed inline "
		    "(use %s_file = a path or \"env:NAME\")", name);
		return;
	}
	for (k = sec->keys; k->name != NULL; k++) {
		d = key_distance(name, k->name);
		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	if (best != NULL)
		lerr(l, s, NULL, "unknown key (did you mean \"%s\"?)",
		    best->name);
	else
		lerr(l, s, NULL, "unknown key");
}

/*
 * Refuse members of group g that are neither rows of sec nor ignored by
 * it, so that a typo is an error rather than a silently missing setting.
 */
static void
check_keys(struct load *l, config_setting_t *g, const struct section *sec)
{
	config_setting_t	*s;
	const char		*name;
	int			 i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned int)i);
		name = config_setting_name(s);
		if (name == NULL || sec_key(sec, name) != NULL ||
		    in_list(sec->ignored, name))
			continue;
		unknown_key(l, s, sec);
	}
}

/* The setting accepted for the row called name in st, or NULL. */
static config_setting_t *
sect_got(const struct sect *st, const char *name)
{
	const struct key	*k = sec_key(st->sec, name);

	if (k == NULL)
		return NULL;
	return st->got[k - st->sec->keys];
}

/* Where row k keeps its value in st's struct. */
static void *
fld(const struct sect *st, const struct key *k)
{
	return (char *)st->base + k->off;
}

/* Where row k keeps its count (lists) in st's struct. */
static size_t *
fldn(const struct sect *st, const struct key *k)
{
	return (size_t *)(void *)((char *)st->base + k->offn);
}

/* Free the n pairs of p. */
static void
pairs_free(struct cfg_pair *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(p[i].from);
		free(p[i].to);
	}
	free(p);
}

/* Replace the string at *p by a copy of v (NULL: none). */
static void
set_str(char **p, const char *v)
{
	free(*p);
	*p = v != NULL ? xstrdup(v) : NULL;
}

/* Replace the list at *p, *n by the one string v. */
static void
set_strv1(char ***p, size_t *n, const char *v)
{
	strv_free(*p, *n);
	*p = xcalloc(2, sizeof **p);
	(*p)[0] = xstrdup(v);
	*n = 1;
}

static void read_section(struct load *, struct sect *);
static void section_free(const struct section *, void *);

/* Read sub into the struct at base; g NULL applies the defaults only. */
static void
read_sub(struct load *l, const struct sect *st, const struct section *sub,
    config_setting_t *g, void *base)
{
	struct sect	sub_st;

	memset(&sub_st, 0, sizeof sub_st);
	sub_st.g = g;
	sub_st.sec = sub;
	sub_st.base = base;
	sub_st.cfg = st->cfg;
	read_section(l, &sub_st);
}

/* Apply row k's default to st's struct. */
static void
key_default(struct load *l, struct sect *st, const struct key *k)
{
	void	*p = fld(st, k);

	switch (k->type) {
	case K_STR:
		if (k->sdef != NULL)
			set_str(p, k->sdef);
		break;
	case K_PATH:
		if (k->sdef != NULL) {
			free(*(char **)p);
			*(char **)p = resolve_path(l, k->sdef);
		}
		break;
	case K_INT:
	case K_BOOL:
	case K_ENUM:
		*(int *)p = (int)k->def;
		break;
	case K_DUR:
		*(long long *)p = k->def;
		break;
	case K_STRV:
		if (k->sdef != NULL)
			set_strv1(p, fldn(st, k), k->sdef);
		break;
	case K_GROUP:
		read_sub(l, st, k->sub, NULL, p);
		break;
	default:
		break;
	}
}
/* The string value of s, or NULL after reporting that it is not one. */
static const char *
str_value(struct load *l, config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return config_setting_get_string(s);
	lerr(l, s, NULL, "expected a string");
	return NULL;
}

/* Read the string s through k's validator into the char * of k. */
static config_setting_t *
read_str(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	const char	*v;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	if (k->check != NULL && k->check(l, s, v, st) != 0)
		return NULL;
	set_str(fld(st, k), v);
	return s;
}

/*
 * Read the path s, made absolute against the config's directory. With
 * KF_READABLE it must be a regular file we can read; with KF_PRIVATE its
 * permissions are also checked like a secret's (a private key).
 */
static config_setting_t *
read_path(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	char		**out = fld(st, k);
	const char	*v;
	struct stat	 st_;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	if (*v == '\0') {
		lerr(l, s, NULL, "must not be empty (expected a path)");
		return NULL;
	}
	free(*out);
	*out = resolve_path(l, v);
	if (!(k->flags & KF_READABLE))
		return s;
	if (stat(*out, &st_) != 0 || access(*out, R_OK) != 0) {
		lerr(l, s, NULL, "cannot read %s: %s", *out, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st_.st_mode)) {
		lerr(l, s, NULL, "%s is not a regular file", *out);
		return NULL;
	}
	if ((k->flags & KF_PRIVATE) &&
	    check_private(l, s, *out, st_.st_mode) != 0)
		return NULL;
	return s;
}

/* Read the secret behind the *_file setting s into the char * of k. */
static config_setting_t *
read_secret(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	char	**out = fld(st, k), *secret;

	if ((secret = load_secret(l, s)) == NULL)
		return NULL;
	secret_free(*out);
	*out = secret;
	return s;
}

/* Read the integer s, in [k->min, k->max], into the int of k. */
static config_setting_t *
read_int(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	long long	v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		lerr(l, s, NULL, "expected an integer");
		return NULL;
	}
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		if (k->max >= INT_MAX)
			lerr(l, s, NULL, "%lld is out of range "
			    "(at least %lld)", v, k->min);
		else
			lerr(l, s, NULL, "%lld is out of range (%lld-%lld)",
			    v, k->min, k->max);
		return NULL;
	}
	*(int *)fld(st, k) = (int)v;
	return s;
}

/* Read the boolean s into the int of k. */
static config_setting_t *
read_bool(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		lerr(l, s, NULL, "expected true or false");
		return NULL;
	}
	*(int *)fld(st, k) = config_setting_get_bool(s) ? 1 : 0;
	return s;
}

/* Read s, one of k->names in any case, into the int of k. */
static config_setting_t *
read_enum(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	const char	*v;
	int		 i;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	for (i = 0; k->names[i] != NULL; i++) {
		if (util_strcaseeq(v, k->names[i])) {
			*(int *)fld(st, k) = (int)k->min + i;
			return s;
		}
	}
	lerr(l, s, NULL, "%s %s", lq(l, v), k->what);
	return NULL;
}

/*
 * Read the duration s (a string such as "2s") into the long long ms of
 * k: longer than 0 unless KF_ZERO, and at least k->min.
 */
static config_setting_t *
read_dur(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	const char	*v;
	long long	 n;
	char		 shown[32];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		lerr(l, s, NULL, "expected a duration string such as \"30s\" "
		    "(use 1w, 12h, ...)");
		return NULL;
	}
	v = config_setting_get_string(s);
	if (util_parse_duration(v, &n) != 0) {
		lerr(l, s, NULL, "%s is not a duration (use 1w, 12h, ...)",
		    lq(l, v));
		return NULL;
	}
	if (n < 0 || (n == 0 && !(k->flags & KF_ZERO))) {
		lerr(l, s, NULL, "must be longer than 0s");
		return NULL;
	}
	if (n < k->min && !(n == 0 && (k->flags & KF_ZERO))) {
		util_fmt_duration(k->min, shown, sizeof shown);
		lerr(l, s, NULL, "%s is too short (at least %s)", lq(l, v),
		    shown);
		return NULL;
	}
	*(long long *)fld(st, k) = n;
	return s;
}

/*
 * The length of s if it is a list or an array; else -1 with an error
 * showing k's example element.
 */
static int
strlist_len(struct load *l, config_setting_t *s, const struct key *k)
{
	if (config_setting_is_list(s) || config_setting_is_array(s))
		return config_setting_length(s);
	lerr(l, s, NULL, "expected a list of strings such as ( %s )",
	    k->example != NULL ? k->example : "\"a\", \"b\"");
	return -1;
}

/*
 * Read the list of strings s into the list of k, passing each element
 * through k's validator, which reports its own problems and returns -1
 * to drop the element. The list grows in place, so the validator sees
 * the elements accepted so far.
 */
static config_setting_t *
read_strv(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	config_setting_t	*e;
	char			***out = fld(st, k);
	size_t			*n = fldn(st, k);
	const char		*v;
	int			 i, len;

	if ((len = strlist_len(l, s, k)) < 0)
		return NULL;
	strv_free(*out, *n);
	*out = xcalloc((size_t)len + 1, sizeof **out);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			lerr(l, e, NULL, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (k->check != NULL && k->check(l, e, v, st) != 0)
			continue;
		(*out)[(*n)++] = xstrdup(v);
	}
	return s;
}

/*
 * Read the pair list s into the pairs of k, each element split by k's
 * parser. Returns s, or NULL when it is not a list.
 */
static config_setting_t *
read_pairs(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	struct cfg_pair	**out = fld(st, k);
	size_t		 *n = fldn(st, k);
	int		  i, len;

	if ((len = strlist_len(l, s, k)) < 0)
		return NULL;
	pairs_free(*out, *n);
	*out = xcalloc((size_t)len + 1, sizeof **out);
	*n = 0;
	for (i = 0; i < len; i++) {
		if (k->pair(l, config_setting_get_elem(s, (unsigned int)i),
		    st, k, *out, *n) == 0)
			(*n)++;
	}
	return s;
}

/* 1 if s is a group; else 0 with an error. */
static int
is_group(struct load *l, config_setting_t *s)
{
	if (config_setting_is_group(s))
		return 1;
	lerr(l, s, NULL, "expected a group { ... }");
	return 0;
}

/* Read the group s by k's section into the struct at k's offset. */
static config_setting_t *
read_group(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	if (!is_group(l, s))
		return NULL;
	read_sub(l, st, k->sub, s, fld(st, k));
	return s;
}

/* Read the group s into a struct allocated at k's pointer. */
static config_setting_t *
read_groupp(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	void	**p = fld(st, k);

	if (!is_group(l, s))
		return NULL;
	*p = xcalloc(1, k->sub->size);
	read_sub(l, st, k->sub, s, *p);
	return s;
}

/* Read the list of groups s into an array of k's section's structs. */
static config_setting_t *
read_glist(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	const struct section	*sub = k->sub;
	config_setting_t	*e;
	char			**arr = fld(st, k);
	size_t			*n = fldn(st, k);
	int			 i, len;

	if (!config_setting_is_list(s)) {
		lerr(l, s, NULL, "expected a list of groups such as "
		    "( { %s } )", sub->example);
		return NULL;
	}
	len = config_setting_length(s);
	*arr = xcalloc((size_t)len + 1, sub->size);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (!config_setting_is_group(e)) {
			lerr(l, e, NULL, "expected a group { %s = ...; }",
			    sub->first);
			continue;
		}
		read_sub(l, st, sub, e, *arr + *n * sub->size);
		(*n)++;
	}
	return s;
}

/* Read the present setting s of row k by its reader or its type's. */
static config_setting_t *
read_value(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	static const key_read	readers[] = {
		[K_STR] = read_str, [K_PATH] = read_path,
		[K_SECRET] = read_secret, [K_INT] = read_int,
		[K_BOOL] = read_bool, [K_ENUM] = read_enum,
		[K_DUR] = read_dur, [K_STRV] = read_strv,
		[K_PAIRS] = read_pairs,
		[K_GROUP] = read_group, [K_GROUPP] = read_groupp,
		[K_GLIST] = read_glist
	};

	if (k->read != NULL)
		return k->read(l, st, k, s);
	if ((size_t)k->type >= sizeof readers / sizeof readers[0] ||
	    readers[k->type] == NULL)
		fatalx(1, "config: key %s has no reader", k->name);
	return readers[k->type](l, st, k, s);
}

/*
 * 1 if row k is for st (a backend's keys are for some types only). A
 * key of another type is reported; none is when the type is unknown.
 */
static int
key_applies(struct load *l, struct sect *st, const struct key *k)
{
	config_setting_t	*s;

	if (k->types == 0 || (k->types & st->types) != 0)
		return 1;
	if (st->types != 0 && (s = member(st->g, k->name)) != NULL)
		lerr(l, s, NULL, "not a key of type %s", lq(l, st->kind));
	return 0;
}

/*
 * Read the section st: refuse unknown keys, then for each row apply its
 * default, read it (reporting it when required and missing) and run its
 * hook; last the section's own check. With st->g NULL (the group is
 * absent) only the defaults apply.
 */
static void
read_section(struct load *l, struct sect *st)
{
	const struct key	*k;
	config_setting_t	*s;
	size_t			 i;

	if (st->g != NULL)
		check_keys(l, st->g, st->sec);
	for (i = 0, k = st->sec->keys; k->name != NULL; i++, k++) {
		if (i >= SECT_KEYS)
			fatalx(1, "config: too many keys in a section");
		st->got[i] = NULL;
		if (!key_applies(l, st, k))
			continue;
		key_default(l, st, k);
		if (st->g == NULL)
			continue;
		if ((s = member(st->g, k->name)) != NULL)
			st->got[i] = read_value(l, st, k, s);
		else if (k->missing != NULL)
			lerr(l, st->g, k->name, "missing (%s)", k->missing);
		if (k->hook != NULL)
			k->hook(l, st, st->got[i]);
	}
	if (st->g != NULL && st->sec->done != NULL)
		st->sec->done(l, st);
}

/* Free what the rows of sec hold in the struct at base. */
static void
section_free(const struct section *sec, void *base)
{
	const struct key	*k;
	struct sect		 st;
	void			*p;
	char			*arr;
	size_t			 i;

	memset(&st, 0, sizeof st);
	st.base = base;
	for (k = sec->keys; k->name != NULL; k++) {
		p = fld(&st, k);
		switch (k->type) {
		case K_STR:
		case K_PATH:
			free(*(char **)p);
			break;
		case K_SECRET:
			secret_free(*(char **)p);
			break;
		case K_STRV:
			strv_free(*(char ***)p, *fldn(&st, k));
			break;
		case K_PAIRS:
			pairs_free(*(struct cfg_pair **)p, *fldn(&st, k));
			break;
		case K_GROUP:
			section_free(k->sub, p);
			break;
		case K_GROUPP:
			if (*(void **)p != NULL)
				section_free(k->sub, *(void **)p);
			free(*(void **)p);
			break;
		case K_GLIST:
			arr = *(char **)p;
			for (i = 0; arr != NULL && i < *fldn(&st, k); i++)
				section_free(k->sub, arr + i * k->sub->size);
			free(arr);
			break;
		default:
			break;
		}
	}
	if (sec->fini != NULL)
		sec->fini(base);
}
/* Validator for nicks. */
static int
v_nick(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	return check_nick(l, s, v);
}

/* Validator for plain names (services accounts, user names). */
static int
v_name(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	return check_name(l, s, v);
}

/* Element check for channel lists; refuses bad names and duplicates. */
static int
check_channel(struct load *l, config_setting_t *e, const char *v,
    struct sect *st)
{
	if (!valid_channel(v)) {
		lerr(l, e, NULL, "%s is not a channel name (it starts with "
		    "# or & and has no spaces, commas or control characters)",
		    lq(l, v));
		return -1;
	}
	return listed_before(l, e, v);
}

/* Element check for announce_channels: a channel the bot also joins. */
static int
check_announce(struct load *l, config_setting_t *e, const char *v,
    struct sect *st)
{
	const struct cfg_irc	*irc = &st->cfg->irc;
	size_t			 i;

	if (check_channel(l, e, v, st) != 0)
		return -1;
	for (i = 0; i < irc->nchannels; i++) {
		if (util_strcaseeq(irc->channels[i], v))
			return 0;
	}
	return refuse(l, e, v, "is not in irc.channels (the bot only speaks "
	    "where it has joined)");
}

/* Validator for irc.server: a host name. */
static int
v_host(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	if (*v != '\0' && !has_bad_char(v, "!@/"))
		return 0;
	return refuse(l, s, v, "is not a host name");
}

/* Validator for irc.realname: one non-empty line. */
static int
v_line(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	if (*v != '\0' && strpbrk(v, "\r\n") == NULL)
		return 0;
	lerr(l, s, NULL, "must be one non-empty line");
	return -1;
}

/* Validator for irc.command_prefix. */
static int
v_prefix(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	if (*v != '\0' && !has_bad_char(v, NULL) && strlen(v) <= 8)
		return 0;
	return refuse(l, s, v, "is not a command prefix (1-8 characters, no "
	    "spaces)");
}

/* Validator for irc.tls_fingerprint. */
static int
v_fingerprint(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	char	fp[65];

	if (norm_fingerprint(v, fp) == 0)
		return 0;
	lerr(l, s, NULL, "not a SHA-256 fingerprint (64 hex digits, colons "
	    "optional)");
	return -1;
}

/* irc.tls_fingerprint is kept as 64 lower-case hex digits. */
static void
fingerprint_norm(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;
	char		 fp[65];

	if (got != NULL && norm_fingerprint(irc->tls_fingerprint, fp) == 0)
		set_str(&irc->tls_fingerprint, fp);
}

/* A reader that only accepts the key: its hook reads it. */
static config_setting_t *
read_later(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	return s;
}

static const char *const sasl_names[] = {
	"PLAIN", "EXTERNAL", "SCRAM-SHA-256", "ECDSA-NIST256P-CHALLENGE",
	NULL
};

/*
 * SASLprep (RFC 4013) of the account name and the password now, as the
 * connection will do it, so that a value it refuses is a problem of the
 * configuration and not a failed login. The message names the key and
 * why, never the value (the password is a secret).
 */
static void
sasl_prep_check(struct load *l, struct sect *st)
{
	struct cfg_sasl	*sasl = st->base;
	char		*out, *cause;

	if (sasl->account != NULL) {
		out = sasl_prep(sasl->account, "it", &cause);
		if (out == NULL) {
			lerr(l, sect_got(st, "account"), NULL, "the account "
			    "name is not valid SASLprep (%s)", cause);
			free(cause);
		}
		free(out);
	}
	if (sasl->password != NULL) {
		out = sasl_prep(sasl->password, "it", &cause);
		if (out == NULL) {
			lerr(l, member(st->g, "password_file"), NULL, "the "
			    "password is not valid SASLprep (%s)", cause);
			free(cause);
		}
		sasl_wipe(out);
	}
}

/*
 * What each SASL mechanism needs, once the keys are read: an account and
 * a password for PLAIN and SCRAM-SHA-256, an account and a key file for
 * ECDSA-NIST256P-CHALLENGE, a client certificate for EXTERNAL; a secret
 * the mechanism does not use is refused (and not read). The account and
 * password must pass SASLprep, which every mechanism but EXTERNAL uses.
 */
static void
sasl_needs(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_sasl		*sasl = st->base;
	config_setting_t	*pw = member(st->g, "password_file");
	config_setting_t	*kf = member(st->g, "key_file");
	const char		*mech;
	int			 m = sasl->mech;

	if (m == CFG_SASL_NONE)
		return;		/* missing or unknown: reported */
	mech = sasl_names[m - CFG_SASL_PLAIN];
	if (m != CFG_SASL_EXTERNAL && member(st->g, "account") == NULL)
		lerr(l, st->g, "account", "missing (needed for mechanism %s)",
		    mech);
	if (m == CFG_SASL_PLAIN || m == CFG_SASL_SCRAM_SHA_256) {
		if (pw == NULL)
			lerr(l, st->g, "password_file", "missing (needed for "
			    "mechanism %s)", mech);
		else
			read_secret(l, st, sec_key(st->sec, "password_file"),
			    pw);
	} else if (pw != NULL)
		lerr(l, pw, NULL, "not used with mechanism %s", mech);
	if (m == CFG_SASL_ECDSA_NIST256P) {
		if (kf == NULL)
			lerr(l, st->g, "key_file", "missing (needed for "
			    "mechanism %s)", mech);
		else
			read_path(l, st, sec_key(st->sec, "key_file"), kf);
	} else if (kf != NULL)
		lerr(l, kf, NULL, "not used with mechanism %s", mech);
	if (m == CFG_SASL_EXTERNAL && st->cfg->irc.client_cert == NULL)
		lerr(l, sect_got(st, "mechanism"), NULL,
		    "EXTERNAL needs irc.client_cert");
	if (m != CFG_SASL_EXTERNAL)
		sasl_prep_check(l, st);
}

static const struct key sasl_keys[] = {
	{ .name = "required", .type = K_BOOL, .off = OFF(cfg_sasl, required) },
	{ .name = "account", .type = K_STR, .off = OFF(cfg_sasl, account),
	  .check = v_name },
	{ .name = "mechanism", .type = K_ENUM, .off = OFF(cfg_sasl, mech),
	  .def = CFG_SASL_NONE, .min = CFG_SASL_PLAIN, .names = sasl_names,
	  .what = "is not a SASL mechanism (use \"PLAIN\", \"EXTERNAL\", "
	  "\"SCRAM-SHA-256\" or \"ECDSA-NIST256P-CHALLENGE\")",
	  .missing = "\"PLAIN\" or \"EXTERNAL\"" },
	{ .name = "password_file", .type = K_SECRET,
	  .off = OFF(cfg_sasl, password), .read = read_later },
	{ .name = "key_file", .type = K_PATH, .off = OFF(cfg_sasl, key_file),
	  .flags = KF_READABLE | KF_PRIVATE, .read = read_later,
	  .hook = sasl_needs },
	{ .name = NULL }
};
static const struct section sasl_section = { .keys = sasl_keys };

static const struct key flood_keys[] = {
	{ .name = "burst", .type = K_INT, .off = OFF(cfg_irc, flood_burst),
	  .def = 4, .min = 1, .max = INT_MAX },
	{ .name = "interval", .type = K_DUR,
	  .off = OFF(cfg_irc, flood_interval_ms), .def = 2000 },
	{ .name = NULL }
};
static const struct section flood_section = { .keys = flood_keys };

/* irc.reconnect: min must not be longer than max. */
static void
reconnect_order(struct load *l, struct sect *st, config_setting_t *mx)
{
	struct cfg_irc		*irc = st->base;
	config_setting_t	*mn = sect_got(st, "min");
	char			 shown[32];

	if (irc->reconnect_min_ms <= irc->reconnect_max_ms)
		return;
	if (mn != NULL) {
		util_fmt_duration(irc->reconnect_max_ms, shown, sizeof shown);
		lerr(l, mn, NULL, "must not be longer than reconnect.max "
		    "(%s)", shown);
	} else if (mx != NULL) {
		util_fmt_duration(irc->reconnect_min_ms, shown, sizeof shown);
		lerr(l, mx, NULL, "must not be shorter than reconnect.min "
		    "(%s)", shown);
	}
}

static const struct key reconnect_keys[] = {
	{ .name = "min", .type = K_DUR, .off = OFF(cfg_irc, reconnect_min_ms),
	  .def = 2000 },
	{ .name = "max", .type = K_DUR, .off = OFF(cfg_irc, reconnect_max_ms),
	  .def = 300000, .hook = reconnect_order },
	{ .name = NULL }
};
static const struct section reconnect_section = { .keys = reconnect_keys };

static const struct key command_rate_keys[] = {
	{ .name = "burst", .type = K_INT,
	  .off = OFF(cfg_irc, command_rate_burst), .def = 5, .min = 1,
	  .max = INT_MAX },
	{ .name = "interval", .type = K_DUR,
	  .off = OFF(cfg_irc, command_rate_interval_ms), .def = 10000 },
	{ .name = NULL }
};
static const struct section command_rate_section = {
	.keys = command_rate_keys
};

/* irc.client_key goes with a client_cert. */
static void
client_key_needs(struct load *l, struct sect *st, config_setting_t *got)
{
	if (got != NULL && member(st->g, "client_cert") == NULL)
		lerr(l, got, NULL, "needs irc.client_cert");
}

/* irc.port defaults by irc.tls. */
static void
port_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;

	if (got == NULL)
		irc->port = irc->tls ? 6697 : 6667;
}

/* irc.alt_nick defaults to nick + "_". */
static void
alt_nick_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;

	if (member(st->g, "alt_nick") == NULL)
		irc->alt_nick = xasprintf("%s_", irc->nick);
}

/* irc.username defaults to the nick. */
static void
username_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;

	if (member(st->g, "username") == NULL)
		set_str(&irc->username, irc->nick);
}

/* irc.channels lists at least one channel. */
static void
channels_nonempty(struct load *l, struct sect *st, config_setting_t *got)
{
	if (got != NULL && config_setting_length(got) == 0)
		lerr(l, got, NULL, "must list at least one channel");
}

/* irc.announce_channels defaults to a copy of channels. */
static void
announce_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;
	size_t		 i;

	if (got != NULL || irc->announce_channels != NULL)
		return;
	irc->announce_channels = xcalloc(irc->nchannels + 1,
	    sizeof *irc->announce_channels);
	for (i = 0; i < irc->nchannels; i++)
		irc->announce_channels[i] = xstrdup(irc->channels[i]);
	irc->nannounce_channels = irc->nchannels;
}

/* irc.queue_max holds at least one whole reply. */
static void
queue_fits(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_irc	*irc = st->base;

	if (got != NULL && irc->queue_max < irc->max_reply_lines)
		lerr(l, got, NULL, "must be at least max_reply_lines (%d)",
		    irc->max_reply_lines);
}

/*
 * The irc group. The TLS keys are accepted with tls = false too: a
 * server's STS policy can upgrade the connection, which is then verified
 * (and authenticated) as they say. The order of the rows is the order of
 * the checks; sasl comes after client_cert, which EXTERNAL needs.
 */
static const struct key irc_keys[] = {
	{ .name = "server", .type = K_STR, .off = OFF(cfg_irc, server),
	  .check = v_host, .missing = "the IRC server's host name" },
	{ .name = "tls", .type = K_BOOL, .off = OFF(cfg_irc, tls), .def = 1 },
	{ .name = "tls_verify", .type = K_BOOL,
	  .off = OFF(cfg_irc, tls_verify), .def = 1 },
	{ .name = "tls_ca_file", .type = K_PATH,
	  .off = OFF(cfg_irc, tls_ca_file), .flags = KF_READABLE },
	{ .name = "tls_fingerprint", .type = K_STR,
	  .off = OFF(cfg_irc, tls_fingerprint), .check = v_fingerprint,
	  .hook = fingerprint_norm },
	{ .name = "client_cert", .type = K_PATH,
	  .off = OFF(cfg_irc, client_cert), .flags = KF_READABLE },
	{ .name = "client_key", .type = K_PATH,
	  .off = OFF(cfg_irc, client_key), .flags = KF_READABLE | KF_PRIVATE,
	  .hook = client_key_needs },
	{ .name = "port", .type = K_INT, .off = OFF(cfg_irc, port), .min = 1,
	  .max = 65535, .hook = port_default },
	{ .name = "password_file", .type = K_SECRET,
	  .off = OFF(cfg_irc, password) },
	{ .name = "nick", .type = K_STR, .off = OFF(cfg_irc, nick),
	  .sdef = "outagebot", .check = v_nick },
	{ .name = "alt_nick", .type = K_STR, .off = OFF(cfg_irc, alt_nick),
	  .check = v_nick, .hook = alt_nick_default },
	{ .name = "username", .type = K_STR, .off = OFF(cfg_irc, username),
	  .check = v_name, .hook = username_default },
	{ .name = "realname", .type = K_STR, .off = OFF(cfg_irc, realname),
	  .sdef = "outagebot", .check = v_line },
	{ .name = "sasl", .type = K_GROUP, .off = OFF(cfg_irc, sasl),
	  .sub = &sasl_section },
	{ .name = "channels", .type = K_STRV, .off = OFF(cfg_irc, channels),
	  .offn = OFF(cfg_irc, nchannels), .check = check_channel,
	  .missing = "the channels to join, such as ( \"#team\" )",
	  .hook = channels_nonempty },
	{ .name = "announce_channels", .type = K_STRV,
	  .off = OFF(cfg_irc, announce_channels),
	  .offn = OFF(cfg_irc, nannounce_channels), .check = check_announce,
	  .hook = announce_default },
	{ .name = "topic", .type = K_BOOL, .off = OFF(cfg_irc, topic) },
	{ .name = "command_prefix", .type = K_STR,
	  .off = OFF(cfg_irc, command_prefix), .sdef = "!",
	  .check = v_prefix },
	{ .name = "max_reply_lines", .type = K_INT,
	  .off = OFF(cfg_irc, max_reply_lines), .def = 4, .min = 1,
	  .max = 50 },
	{ .name = "flood", .type = K_GROUP, .sub = &flood_section },
	{ .name = "reconnect", .type = K_GROUP, .sub = &reconnect_section },
	{ .name = "ping_interval", .type = K_DUR,
	  .off = OFF(cfg_irc, ping_interval_ms), .def = 90000 },
	{ .name = "ping_timeout", .type = K_DUR,
	  .off = OFF(cfg_irc, ping_timeout_ms), .def = 120000 },
	{ .name = "command_rate", .type = K_GROUP,
	  .sub = &command_rate_section },
	{ .name = "queue_max", .type = K_INT, .off = OFF(cfg_irc, queue_max),
	  .def = 200, .min = 1, .max = 100000, .hook = queue_fits },
	{ .name = NULL }
};
static const struct section irc_section = { .keys = irc_keys };
/*
 * Validator for a nick!user@host glob: one '!' before one '@', with a
 * user and a host part, no spaces, commas or control characters.
 */
static int
check_mask(struct load *l, config_setting_t *e, const char *v,
    struct sect *st)
{
	const char	*bang = strchr(v, '!'), *at;

	at = bang != NULL ? strchr(bang, '@') : NULL;
	if (bang == NULL || at == NULL || bang[1] == '@' || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(bang + 1, '!') != NULL ||
	    has_bad_char(v, NULL)) {
		return refuse(l, e, v, "is not a nick!user@host mask (such as "
		    "\"alice!*@*\")");
	}
	return 0;
}

/*
 * Element check for team.members/admins: an account name, or with
 * identify = hostmask a nick!user@host glob whose nick part is a plain
 * nick (it names the person) or a glob (the speaker's nick names them).
 * Exact duplicates are refused.
 */
static int
check_entry(struct load *l, config_setting_t *e, const char *v,
    struct sect *st)
{
	size_t	nick_len;

	if (!l->identify_ok)
		return 0;
	if (st->cfg->team.identify == CFG_IDENTIFY_ACCOUNT) {
		if (strpbrk(v, "!@") != NULL) {
			return refuse(l, e, v, "looks like a hostmask (set "
			    "team.identify = \"hostmask\")");
		}
		if (check_name(l, e, v) != 0)
			return -1;
	} else {
		if (check_mask(l, e, v, st) != 0)
			return -1;
		/* A glob nick part ("*!*@10.0.0.*") admits anyone who
		 * matches; each is then the person named by their nick. */
		nick_len = strcspn(v, "!");
		if (!valid_nick_n(v, nick_len) &&
		    strcspn(v, "*?") >= nick_len) {
			lerr(l, e, NULL, "%s: the part before '!' must be a "
			    "nick or a glob (it names the person)", lq(l, v));
			return -1;
		}
	}
	return listed_before(l, e, v);
}

/* 1 if name is a team person (the name of some team.members entry). */
static int
is_person(const struct config *cfg, const char *name)
{
	char	buf[256];
	size_t	i;

	for (i = 0; i < cfg->team.nmembers; i++) {
		if (util_strcaseeq(cfg_entry_name(cfg, cfg->team.members[i],
		    buf, sizeof buf), name))
			return 1;
	}
	return 0;
}

/* 1 if s is a GitHub login: 1-39 letters, digits or inner '-'. */
static int
valid_github_login(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > 39 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return 1;
}

/*
 * Split the "from=to" element e into a pair. github pairs (k->def 1)
 * split at the first '=' (person=login); map pairs at the last (remote
 * names may hold '=', person names cannot). The side that must be a
 * person is checked; a from-side already among the ndone accepted pairs
 * is refused. Returns 0 and fills done[ndone], or -1.
 */
static int
parse_pair(struct load *l, config_setting_t *e, struct sect *st,
    const struct key *k, struct cfg_pair *done, size_t ndone)
{
	const char		*v, *eq, *person, *shape;
	char			*from, *to;
	size_t			 i, flen;
	int			 github = k->def == 1;

	shape = github ? "person=login" : "remote-name=person";
	if (config_setting_type(e) != CONFIG_TYPE_STRING) {
		lerr(l, e, NULL, "expected a string \"%s\"", shape);
		return -1;
	}
	v = config_setting_get_string(e);
	eq = github ? strchr(v, '=') : strrchr(v, '=');
	if (eq == NULL || eq == v || eq[1] == '\0' ||
	    strpbrk(v, "\r\n") != NULL) {
		lerr(l, e, NULL, "%s is not \"%s\"", lq(l, v), shape);
		return -1;
	}
	flen = (size_t)(eq - v);
	from = xstrndup(v, flen);
	to = xstrdup(eq + 1);
	person = github ? from : to;
	if (github && !valid_github_login(to)) {
		lerr(l, e, NULL, "%s is not a GitHub login", lq(l, to));
		goto bad;
	}
	if (l->identify_ok && !is_person(st->cfg, person)) {
		lerr(l, e, NULL, "%s is not a team member (team.members)",
		    lq(l, person));
		goto bad;
	}
	for (i = 0; i < ndone; i++) {
		if (util_strcaseeq(done[i].from, from)) {
			lerr(l, e, NULL, "%s is mapped twice", lq(l, from));
			goto bad;
		}
	}
	done[ndone].from = from;
	done[ndone].to = to;
	return 0;
bad:
	free(from);
	free(to);
	return -1;
}


/* team.identify: an unreadable one leaves entries unjudged. */
static void
identify_hook(struct load *l, struct sect *st, config_setting_t *got)
{
	if (got == NULL && member(st->g, "identify") != NULL)
		l->identify_ok = 0;
}

/* team.admins are members too. */
static void
admins_are_members(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_team	*team = st->base;
	size_t		 i, j;

	for (i = 0; i < team->nadmins; i++) {
		for (j = 0; j < team->nmembers; j++) {
			if (util_strcaseeq(team->members[j], team->admins[i]))
				break;
		}
		if (j < team->nmembers)
			continue;
		team->members = xreallocarray(team->members,
		    team->nmembers + 2, sizeof *team->members);
		team->members[team->nmembers++] = xstrdup(team->admins[i]);
		team->members[team->nmembers] = NULL;
	}
}

static const char *const identify_names[] = { "account", "hostmask", NULL };

static const struct key team_keys[] = {
	{ .name = "identify", .type = K_ENUM, .off = OFF(cfg_team, identify),
	  .def = CFG_IDENTIFY_ACCOUNT, .min = CFG_IDENTIFY_ACCOUNT,
	  .names = identify_names,
	  .what = "is not \"account\" or \"hostmask\"",
	  .hook = identify_hook },
	{ .name = "members", .type = K_STRV, .off = OFF(cfg_team, members),
	  .offn = OFF(cfg_team, nmembers), .check = check_entry },
	{ .name = "admins", .type = K_STRV, .off = OFF(cfg_team, admins),
	  .offn = OFF(cfg_team, nadmins), .check = check_entry,
	  .hook = admins_are_members },
	{ .name = "github", .type = K_PAIRS, .off = OFF(cfg_team, github),
	  .offn = OFF(cfg_team, ngithub), .example = "\"alice=alice-gh\"",
	  .def = 1, .pair = parse_pair },
	{ .name = NULL }
};
static const struct section team_section = { .keys = team_keys };

/* Validator for bridges[].nick: a nick, once, not the bot's own. */
static int
v_bridge_nick(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	const struct cfg_bridge	*br = st->base, *o;

	if (check_nick(l, s, v) != 0)
		return -1;
	/* The nick is kept even then: later bridges compare with it. */
	for (o = st->cfg->bridges; o < br; o++) {
		if (o->nick != NULL && util_strcaseeq(o->nick, v))
			lerr(l, s, NULL, "bridge %s is listed twice",
			    lq(l, v));
	}
	if (util_strcaseeq(v, st->cfg->irc.nick))
		lerr(l, s, NULL, "%s is the bot's own nick", lq(l, v));
	return 0;
}

/*
 * bridges[].account or mask: the one that team.identify asks for is
 * required, the other refused.
 */
static void
bridge_ident(struct load *l, struct sect *st, const char *key,
    enum cfg_identify id)
{
	static const char *const idname[] = { "account", "hostmask" };
	config_setting_t	*s = member(st->g, key);
	enum cfg_identify	 team_id = st->cfg->team.identify;

	if (!l->identify_ok)
		return;
	if (s == NULL && team_id == id)
		lerr(l, st->g, key, "missing (needed with team.identify = "
		    "\"%s\")", idname[id]);
	else if (s != NULL && team_id != id)
		lerr(l, s, NULL, "not used with team.identify = \"%s\" (the "
		    "bridge is known by its %s)", idname[team_id],
		    team_id == CFG_IDENTIFY_ACCOUNT ? "account" : "mask");
}

/* Hook of bridges[].account. */
static void
bridge_account(struct load *l, struct sect *st, config_setting_t *got)
{
	bridge_ident(l, st, "account", CFG_IDENTIFY_ACCOUNT);
}

/* Hook of bridges[].mask. */
static void
bridge_mask(struct load *l, struct sect *st, config_setting_t *got)
{
	bridge_ident(l, st, "mask", CFG_IDENTIFY_HOSTMASK);
}

static const struct key bridge_keys[] = {
	{ .name = "nick", .type = K_STR, .off = OFF(cfg_bridge, nick),
	  .check = v_bridge_nick, .missing = "the bridge's IRC nick" },
	{ .name = "account", .type = K_STR, .off = OFF(cfg_bridge, account),
	  .check = v_name, .hook = bridge_account },
	{ .name = "mask", .type = K_STR, .off = OFF(cfg_bridge, mask),
	  .check = check_mask, .hook = bridge_mask },
	{ .name = "map", .type = K_PAIRS, .off = OFF(cfg_bridge, map),
	  .offn = OFF(cfg_bridge, nmap), .example = "\"alice_tg=alice\"",
	  .pair = parse_pair },
	{ .name = NULL }
};
static const struct section bridge_section = {
	.keys = bridge_keys, .size = sizeof(struct cfg_bridge),
	.example = "nick = \"tg-bridge\";", .first = "nick"
};

static const struct key storage_keys[] = {
	{ .name = "path", .type = K_PATH, .off = OFF(config, storage_path),
	  .sdef = "outagebot.db" },
	{ .name = NULL }
};
static const struct section storage_section = { .keys = storage_keys };
/*
 * The team person named name, spelled as team.members has it (into buf),
 * or NULL if name is nobody on the team.
 */
static const char *
person_name(const struct config *cfg, const char *name, char *buf,
    size_t bufsz)
{
	size_t	i;

	for (i = 0; i < cfg->team.nmembers; i++) {
		if (util_strcaseeq(cfg_entry_name(cfg, cfg->team.members[i],
		    buf, bufsz), name))
			return buf;
	}
	return NULL;
}

/*
 * 1 if s is a role name: 1-32 letters, digits and '-', not starting with
 * '-'. Names compare case-insensitively everywhere.
 */
static int
valid_role_name(const char *s)
{
	size_t	len = strlen(s);

	if (len == 0 || len > ROLE_NAME_MAX || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == len;
}

/*
 * Check the role name or alias v of role r (whose name and accepted
 * aliases are set so far) against its shape and every name already
 * taken: by the roles before r and by r itself. 0 if v is free.
 */
static int
check_role_name(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	const struct cfg_role	*o, *r = st->base;
	struct config		*cfg = st->cfg;
	size_t			 i;

	if (!valid_role_name(v)) {
		lerr(l, s, NULL, "%s is not a role name (1-%d letters, "
		    "digits and '-', such as \"outage-master\")", lq(l, v),
		    ROLE_NAME_MAX);
		return -1;
	}
	for (o = cfg->roles; o < r; o++) {
		if (o->name != NULL && util_strcaseeq(o->name, v)) {
			lerr(l, s, NULL, "%s is already the name of role "
			    "%s", lq(l, v), lq(l, o->name));
			return -1;
		}
		for (i = 0; i < o->naliases; i++) {
			if (util_strcaseeq(o->aliases[i], v)) {
				lerr(l, s, NULL, "%s is already an alias of "
				    "role %s", lq(l, v),
				    lq(l, o->name != NULL ? o->name : "?"));
				return -1;
			}
		}
	}
	if (r->name != NULL && util_strcaseeq(r->name, v)) {
		return refuse(l, s, v, "is the role's own name");
	}
	for (i = 0; i < r->naliases; i++) {
		if (util_strcaseeq(r->aliases[i], v)) {
			return refuse(l, s, v, "is listed twice");
		}
	}
	return 0;
}

/* 1 if text starts with a date and a time ("2026-11-23 09:00", "...T"). */
static int
looks_like_datetime(const char *t)
{
	static const char	shape[] = "dddd-dd-dd";
	size_t			i;

	for (i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') :
		    t[i] != shape[i])
			return 0;
	}
	return t[i] == ' ' || t[i] == 'T' || t[i] == 't';
}

/*
 * Reader for roles[].members: team persons, each once, kept as
 * team.members spells them.
 */
static config_setting_t *
read_role_members(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	struct cfg_role		*r = st->base;
	config_setting_t	*e;
	const char		*v, *who;
	char			 buf[256];
	size_t			 j;
	int			 i, len;

	if ((len = strlist_len(l, s, k)) < 0)
		return NULL;
	if (len == 0) {
		lerr(l, s, NULL, "must list at least one member");
		return NULL;
	}
	r->members = xcalloc((size_t)len + 1, sizeof *r->members);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			lerr(l, e, NULL, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (*v == '\0' || has_bad_char(v, "!@*?")) {
			lerr(l, e, NULL, "%s is not a person's name (no "
			    "spaces, commas, '!', '@', '*', '?' or control "
			    "characters)", lq(l, v));
			continue;
		}
		if (strlen(v) > PERSON_MAX) {
			lerr(l, e, NULL, "%s is too long (at most %d "
			    "characters)", lq(l, v), PERSON_MAX);
			continue;
		}
		who = v;
		if (l->identify_ok &&
		    (who = person_name(st->cfg, v, buf, sizeof buf)) == NULL) {
			lerr(l, e, NULL, "%s is not a team member "
			    "(team.members)", lq(l, v));
			continue;
		}
		for (j = 0; j < r->nmembers; j++) {
			if (util_strcaseeq(r->members[j], who))
				break;
		}
		if (j < r->nmembers) {
			lerr(l, e, NULL, "%s is listed twice", lq(l, v));
			continue;
		}
		r->members[r->nmembers++] = xstrdup(who);
	}
	return s;
}

/* roles[].shift: whole days are kept as days too (calendar shifts). */
static void
shift_days(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_role	*r = st->base;

	if (got != NULL && r->shift_ms % 86400000 == 0)
		r->shift_days = (int)(r->shift_ms / 86400000);
}

/* Reader for roles[].timezone: the zone is loaded too. */
static config_setting_t *
read_role_tz(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	struct cfg_role	*r = st->base;
	const char	*v;
	char		*cause = NULL;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	r->tz = tz_load(v, &cause);
	free(cause);
	if (r->tz == NULL) {
		lerr(l, s, NULL, "unknown time zone %s", lq(l, v));
		return NULL;
	}
	set_str(&r->timezone, v);
	return s;
}

/* roles[].timezone defaults to the top-level one. */
static void
role_tz_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_role	*r = st->base;
	struct config	*cfg = st->cfg;
	char		*cause = NULL;

	if (member(st->g, "timezone") != NULL || cfg->tz == NULL)
		return;
	set_str(&r->timezone, cfg->timezone);
	r->tz = tz_load(cfg->timezone, &cause);
	free(cause);
	if (r->tz == NULL)
		lerr(l, st->g, "timezone", "cannot load time zone %s",
		    lq(l, cfg->timezone));
}

/* Reader for roles[].start, an instant in the role's zone. */
static config_setting_t *
read_role_start(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	struct cfg_role	*r = st->base;
	const char	*v;
	char		*cause = NULL;
	time_t		 t;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	/* Without a zone only the shape can be judged (the zone's own
	 * problem is reported already). */
	if (!looks_like_datetime(v) || (r->tz != NULL &&
	    when_parse(v, r->tz, util_now(), &t, &cause) != 0)) {
		lerr(l, s, NULL, "%s is not a date and time (use "
		    "2026-11-23 09:00)", lq(l, v));
		free(cause);
		return NULL;
	}
	if (r->tz != NULL)
		r->start = (long long)t;
	return s;
}

/* Reader for roles[].announce_channel: a channel the bot joins. */
static config_setting_t *
read_role_channel(struct load *l, struct sect *st, const struct key *k,
    config_setting_t *s)
{
	struct cfg_irc	*irc = &st->cfg->irc;
	const char	*v;
	size_t		 i;

	if ((v = str_value(l, s)) == NULL)
		return NULL;
	for (i = 0; i < irc->nchannels; i++) {
		if (util_strcaseeq(irc->channels[i], v)) {
			set_str(fld(st, k), irc->channels[i]);
			return s;
		}
	}
	lerr(l, s, NULL, "%s is not in irc.channels (the bot only speaks "
	    "where it has joined)", lq(l, v));
	return NULL;
}

/* roles[].announce_channel defaults to the first announce channel. */
static void
role_channel_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_role	*r = st->base;
	struct cfg_irc	*irc = &st->cfg->irc;

	if (member(st->g, "announce_channel") != NULL)
		return;
	if (irc->nannounce_channels > 0)
		set_str(&r->announce_channel, irc->announce_channels[0]);
	else if (irc->nchannels > 0)
		set_str(&r->announce_channel, irc->channels[0]);
}

/* roles[].remind_before is shorter than the shift. */
static void
remind_fits(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_role	*r = st->base;
	char		 shown[32];

	if (got == NULL || sect_got(st, "shift") == NULL ||
	    r->remind_before_ms < r->shift_ms)
		return;
	util_fmt_duration(r->shift_ms, shown, sizeof shown);
	lerr(l, got, NULL, "must be shorter than the shift (%s)", shown);
}

/* Free a role's loaded zone. */
static void
role_fini(void *base)
{
	struct cfg_role	*r = base;

	tz_free(r->tz);
}

static const struct key role_keys[] = {
	{ .name = "name", .type = K_STR, .off = OFF(cfg_role, name),
	  .check = check_role_name, .missing = "such as \"outage-master\"" },
	{ .name = "aliases", .type = K_STRV, .off = OFF(cfg_role, aliases),
	  .offn = OFF(cfg_role, naliases), .example = "\"om\"",
	  .check = check_role_name },
	{ .name = "members", .type = K_STRV, .off = OFF(cfg_role, members),
	  .offn = OFF(cfg_role, nmembers), .example = "\"alice\", \"bob\"",
	  .read = read_role_members,
	  .missing = "the people on call in turn, such as "
	  "( \"alice\", \"bob\" )" },
	{ .name = "shift", .type = K_DUR, .off = OFF(cfg_role, shift_ms),
	  .min = HOUR_MS, .missing = "such as \"1w\" or \"12h\"",
	  .hook = shift_days },
	{ .name = "timezone", .type = K_STR, .off = OFF(cfg_role, timezone),
	  .read = read_role_tz, .hook = role_tz_default },
	{ .name = "start", .type = K_NONE, .read = read_role_start,
	  .missing = "the first handoff, such as \"2026-11-23 09:00\"" },
	{ .name = "announce_channel", .type = K_STR,
	  .off = OFF(cfg_role, announce_channel), .read = read_role_channel,
	  .hook = role_channel_default },
	{ .name = "remind_before", .type = K_DUR,
	  .off = OFF(cfg_role, remind_before_ms), .flags = KF_ZERO,
	  .hook = remind_fits },
	{ .name = NULL }
};
static const struct section role_section = {
	.keys = role_keys, .size = sizeof(struct cfg_role),
	.example = "name = \"outage-master\"; ...", .first = "name",
	.fini = role_fini
};
/* 1 if s holds a control character. */
static int
has_ctrl(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

/* Validator for http(s) URLs: a scheme, a host, no spaces. */
static int
v_url(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	size_t	skip;

	if (strncasecmp(v, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(v, "http://", 7) == 0)
		skip = 7;
	else
		skip = 0;
	if (skip > 0 && v[skip] != '\0' && v[skip] != '/' &&
	    !has_bad_char(v, "\"<>\\"))
		return 0;
	return refuse(l, s, v, "is not an http(s) URL (such as "
	    "\"https://example.com\")");
}

/* 1 if s is a GitHub repository name: [A-Za-z0-9._-], not . or .. */
static int
valid_repo_name(const char *s)
{
	size_t	len = strlen(s);

	if (len == 0 || len > 100 || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

/* Validator for "owner/name" GitHub repositories. */
static int
v_repo(struct load *l, config_setting_t *s, const char *v, struct sect *st)
{
	const char	*slash = strchr(v, '/');
	char		*owner;
	int		 ok;

	if (slash == NULL) {
		ok = 0;
	} else {
		owner = xstrndup(v, (size_t)(slash - v));
		ok = valid_github_login(owner) && valid_repo_name(slash + 1);
		free(owner);
	}
	if (ok)
		return 0;
	return refuse(l, s, v, "is not a repository \"owner/name\" (such as "
	    "\"packit/packit-service\")");
}

/* Element check for labels: one line, not empty, each once. */
static int
v_label(struct load *l, config_setting_t *e, const char *v, struct sect *st)
{
	if (*v == '\0' || strlen(v) > 50 || has_ctrl(v) ||
	    strchr(v, ',') != NULL) {
		return refuse(l, e, v, "is not a label (1-50 characters, no "
		    "commas or control characters)");
	}
	return listed_before(l, e, v);
}

static const struct key github_keys[] = {
	{ .name = "api_url", .type = K_STR, .off = OFF(cfg_github, api_url),
	  .sdef = "https://api.github.com", .check = v_url },
	{ .name = "repo", .type = K_STR, .off = OFF(cfg_github, repo),
	  .check = v_repo,
	  .missing = "the repository, such as \"packit/packit-service\"" },
	{ .name = "token_file", .type = K_SECRET,
	  .off = OFF(cfg_github, token),
	  .missing = "a path or \"env:NAME\" holding the GitHub token" },
	{ .name = "labels", .type = K_STRV, .off = OFF(cfg_github, labels),
	  .offn = OFF(cfg_github, nlabels), .sdef = "outage",
	  .example = "\"outage\"", .check = v_label },
	{ .name = "pin", .type = K_BOOL, .off = OFF(cfg_github, pin),
	  .def = 1 },
	{ .name = NULL }
};
static const struct section github_section = {
	.keys = github_keys, .size = sizeof(struct cfg_github)
};

/* Validator for outage.role: a role's name or alias. */
static int
v_role_ref(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	if (cfg_role_find(st->cfg, v) != NULL)
		return 0;
	lerr(l, s, NULL, "%s is not a role (a roles[].name or alias)",
	    lq(l, v));
	return -1;
}

static const struct key outage_keys[] = {
	{ .name = "role", .type = K_STR, .off = OFF(cfg_outage, role),
	  .check = v_role_ref },
	{ .name = "remind_after", .type = K_DUR,
	  .off = OFF(cfg_outage, remind_after_ms), .def = 60 * 60000 },
	{ .name = "eta_nudge_after", .type = K_DUR,
	  .off = OFF(cfg_outage, eta_nudge_after_ms), .def = 30 * 60000 },
	{ .name = NULL }
};
static const struct section outage_section = { .keys = outage_keys };

/* Element check for statuspage.components: one line, each once. */
static int
v_component(struct load *l, config_setting_t *e, const char *v,
    struct sect *st)
{
	size_t	len = strlen(v);

	if (len == 0 || len > 64 || has_ctrl(v) || strpbrk(v, ",=") != NULL ||
	    v[0] == ' ' || v[len - 1] == ' ') {
		return refuse(l, e, v, "is not a component name (1-64 "
		    "characters, no commas, '=', control characters or outer "
		    "spaces)");
	}
	return listed_before(l, e, v);
}

#define BT(t)		(1u << (t))
#define BT_SITE		(BT(CFG_BACKEND_CSTATE) | BT(CFG_BACKEND_STATUSFY))
#define BT_REPO		(BT_SITE | BT(CFG_BACKEND_ISSUES))

static const char *const backend_names[] = {
	"cstate", "statusfy", "issues", "cachet", "webhook", "telegram", NULL
};

/* Validator for git branch names. */
static int
v_branch(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	if (*v != '\0' && strlen(v) <= 100 && v[0] != '-' && v[0] != '/' &&
	    strstr(v, "..") == NULL && !has_bad_char(v, "~^:?*[\\"))
		return 0;
	return refuse(l, s, v, "is not a branch name");
}

/* Validator for a folder inside a repository ("content/issues"). */
static int
v_relpath(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	if (*v != '\0' && v[0] != '/' && strstr(v, "..") == NULL &&
	    !has_ctrl(v))
		return 0;
	return refuse(l, s, v, "is not a path inside the repository (such as "
	    "\"content/issues\")");
}

/* Validator for Telegram chat ids: a number or "@channel". */
static int
v_chat_id(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	const char	*d = v[0] == '-' ? v + 1 : v;
	size_t		 len = strlen(d);

	if (v[0] == '@' && len > 1 && len <= 33 &&
	    strspn(v + 1, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len - 1)
		return 0;
	if (len > 0 && len <= 20 && strspn(d, "0123456789") == len)
		return 0;
	return refuse(l, s, v, "is not a chat id (a number such as "
	    "\"-100123456\", or \"@channel\")");
}

/*
 * One statusfy systems element: "Component=system-id", split at the last
 * '='; the component is one of statuspage.components, kept as spelled
 * there.
 */
static int
parse_system(struct load *l, config_setting_t *e, struct sect *st,
    const struct key *k, struct cfg_pair *done, size_t ndone)
{
	const struct cfg_statuspage	*sp = &st->cfg->statuspage;
	const char			*v, *eq;
	char				*from;
	size_t				 i;

	if (config_setting_type(e) != CONFIG_TYPE_STRING) {
		lerr(l, e, NULL, "expected a string \"component=system\"");
		return -1;
	}
	v = config_setting_get_string(e);
	eq = strrchr(v, '=');
	if (eq == NULL || eq == v || eq[1] == '\0') {
		return refuse(l, e, v, "is not \"component=system\"");
	}
	if (strspn(eq + 1, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(eq + 1)) {
		lerr(l, e, NULL, "%s is not a system id (letters, digits, "
		    "'-', '_')", lq(l, eq + 1));
		return -1;
	}
	from = xstrndup(v, (size_t)(eq - v));
	for (i = 0; i < sp->ncomponents; i++) {
		if (util_strcaseeq(sp->components[i], from))
			break;
	}
	if (i == sp->ncomponents) {
		lerr(l, e, NULL, "%s is not in statuspage.components",
		    lq(l, from));
		free(from);
		return -1;
	}
	free(from);
	from = sp->components[i];
	for (i = 0; i < ndone; i++) {
		if (util_strcaseeq(done[i].from, from)) {
			lerr(l, e, NULL, "%s is mapped twice", lq(l, from));
			return -1;
		}
	}
	done[ndone].from = xstrdup(from);
	done[ndone].to = xstrdup(eq + 1);
	return 0;
}

/* backends[].type: the keys that follow are those of this type. */
static void
backend_type(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_backend	*b = st->base;

	b->line = (int)config_setting_source_line(st->g);
	if (got == NULL)
		return;
	st->types = BT(b->type);
	st->kind = backend_names[b->type];
}

/* backends[].dir: a folder (made when missing), not a file. */
static void
backend_dir(struct load *l, struct sect *st, config_setting_t *got)
{
	struct cfg_backend	*b = st->base;
	struct stat		 sb;

	if (got != NULL && stat(b->dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
		lerr(l, got, NULL, "%s is not a directory", b->dir);
}

/*
 * A cstate or statusfy backend writes to a repository (repo, branch,
 * path) or to a local folder (dir): exactly one of repo and dir.
 */
static void
backend_site(struct load *l, struct sect *st)
{
	static const char *const repo_only[] = {
		"branch", "path", "api_url", "token_file", NULL
	};
	struct cfg_backend	*b = st->base;
	config_setting_t	*repo = member(st->g, "repo");
	config_setting_t	*dir = member(st->g, "dir"), *s;
	size_t			 i;

	if (repo != NULL && dir != NULL) {
		lerr(l, dir, NULL, "use either repo or dir, not both");
		return;
	}
	if (repo == NULL && dir == NULL) {
		lerr(l, st->g, "repo", "missing (a repository \"owner/name\", "
		    "or dir = a local folder)");
		return;
	}
	if (repo != NULL) {
		if (b->path == NULL && member(st->g, "path") == NULL)
			b->path = xstrdup(b->type == CFG_BACKEND_CSTATE ?
			    "content/issues" : "content");
		return;
	}
	for (i = 0; repo_only[i] != NULL; i++) {
		if ((s = member(st->g, repo_only[i])) != NULL)
			lerr(l, s, NULL, "not used with dir");
	}
	set_str(&b->branch, NULL);
}

/* A repository backend takes api_url and token from the github group. */
static void
backend_github(struct load *l, struct sect *st)
{
	struct cfg_backend	*b = st->base;
	const struct cfg_github	*gh = st->cfg->github;

	if (member(st->g, "api_url") == NULL)
		set_str(&b->api_url, gh != NULL ? gh->api_url :
		    "https://api.github.com");
	if (member(st->g, "token_file") != NULL)
		return;
	if (gh != NULL)
		set_str(&b->token, gh->token);
	else
		lerr(l, st->g, "token_file", "missing (set it, or a github "
		    "group to take the token from)");
}

/* What a backend needs beyond its rows, by type. */
static void
backend_done(struct load *l, struct sect *st)
{
	struct cfg_backend	*b = st->base;

	if (st->types == 0)
		return;		/* no type: reported */
	if (st->types & BT_SITE)
		backend_site(l, st);
	if (b->type == CFG_BACKEND_ISSUES && member(st->g, "repo") == NULL)
		lerr(l, st->g, "repo", "missing (the repository, such as "
		    "\"packit/status\")");
	if ((b->type == CFG_BACKEND_CACHET ||
	    b->type == CFG_BACKEND_TELEGRAM) &&
	    member(st->g, "token_file") == NULL)
		lerr(l, st->g, "token_file", "missing (a path or \"env:NAME\" "
		    "holding the token)");
	if (b->type == CFG_BACKEND_TELEGRAM && b->api_url == NULL &&
	    member(st->g, "api_url") == NULL)
		b->api_url = xstrdup("https://api.telegram.org");
	if ((st->types & BT_REPO) && member(st->g, "repo") != NULL &&
	    member(st->g, "dir") == NULL)
		backend_github(l, st);
}

/* The keys of every backend type; each row says which types have it. */
static const struct key backend_keys[] = {
	{ .name = "type", .type = K_ENUM, .off = OFF(cfg_backend, type),
	  .min = CFG_BACKEND_CSTATE, .names = backend_names,
	  .what = "is not a backend type (use \"cstate\", \"statusfy\", "
	  "\"issues\", \"cachet\", \"webhook\" or \"telegram\")",
	  .missing = "\"cstate\", \"statusfy\", \"issues\", \"cachet\", "
	  "\"webhook\" or \"telegram\"", .hook = backend_type },
	{ .name = "repo", .type = K_STR, .off = OFF(cfg_backend, repo),
	  .types = BT_REPO, .check = v_repo },
	{ .name = "branch", .type = K_STR, .off = OFF(cfg_backend, branch),
	  .types = BT_SITE, .sdef = "main", .check = v_branch },
	{ .name = "path", .type = K_STR, .off = OFF(cfg_backend, path),
	  .types = BT_SITE, .check = v_relpath },
	{ .name = "dir", .type = K_PATH, .off = OFF(cfg_backend, dir),
	  .types = BT_SITE, .hook = backend_dir },
	{ .name = "systems", .type = K_PAIRS, .off = OFF(cfg_backend, systems),
	  .offn = OFF(cfg_backend, nsystems),
	  .types = BT(CFG_BACKEND_STATUSFY),
	  .example = "\"Testing Farm=testing-farm\"", .pair = parse_system },
	{ .name = "labels", .type = K_STRV, .off = OFF(cfg_backend, labels),
	  .offn = OFF(cfg_backend, nlabels), .types = BT(CFG_BACKEND_ISSUES),
	  .sdef = "incident", .example = "\"incident\"", .check = v_label },
	{ .name = "pin", .type = K_BOOL, .off = OFF(cfg_backend, pin),
	  .types = BT(CFG_BACKEND_ISSUES) },
	{ .name = "api_url", .type = K_STR, .off = OFF(cfg_backend, api_url),
	  .types = BT_REPO | BT(CFG_BACKEND_TELEGRAM), .check = v_url },
	{ .name = "token_file", .type = K_SECRET,
	  .off = OFF(cfg_backend, token),
	  .types = BT_REPO | BT(CFG_BACKEND_CACHET) |
	  BT(CFG_BACKEND_TELEGRAM) },
	{ .name = "url", .type = K_STR, .off = OFF(cfg_backend, url),
	  .types = BT(CFG_BACKEND_CACHET) | BT(CFG_BACKEND_WEBHOOK),
	  .check = v_url,
	  .missing = "the site's URL, such as "
	  "\"https://status.example.com\"" },
	{ .name = "secret_file", .type = K_SECRET,
	  .off = OFF(cfg_backend, secret), .types = BT(CFG_BACKEND_WEBHOOK) },
	{ .name = "chat_id", .type = K_STR, .off = OFF(cfg_backend, chat_id),
	  .types = BT(CFG_BACKEND_TELEGRAM), .check = v_chat_id,
	  .missing = "the chat, such as \"-100123456\"" },
	{ .name = NULL }
};
static const struct section backend_section = {
	.keys = backend_keys, .size = sizeof(struct cfg_backend),
	.example = "type = \"cstate\"; dir = \"status\";", .first = "type",
	.done = backend_done
};

static const struct key statuspage_keys[] = {
	{ .name = "url", .type = K_STR, .off = OFF(cfg_statuspage, url),
	  .check = v_url },
	{ .name = "components", .type = K_STRV,
	  .off = OFF(cfg_statuspage, components),
	  .offn = OFF(cfg_statuspage, ncomponents),
	  .example = "\"API\", \"Workers\"", .check = v_component },
	{ .name = "backends", .type = K_GLIST,
	  .off = OFF(cfg_statuspage, backends),
	  .offn = OFF(cfg_statuspage, nbackends), .sub = &backend_section },
	{ .name = NULL }
};
static const struct section statuspage_section = {
	.keys = statuspage_keys
};
/* Validator for the instance name. */
static int
v_instance(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	if (*v != '\0' && strlen(v) <= 64 && strspn(v,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == strlen(v))
		return 0;
	return refuse(l, s, v, "is not an instance name (letters, digits, "
	    "'.', '_', '-')");
}

/* Validator for the top-level timezone, which it loads. */
static int
v_timezone(struct load *l, config_setting_t *s, const char *v,
    struct sect *st)
{
	char	*cause = NULL;

	st->cfg->tz = tz_load(v, &cause);
	free(cause);
	if (st->cfg->tz != NULL)
		return 0;
	return refuse(l, s, v, "is not a known time zone (such as \"UTC\" or "
	    "\"Europe/Prague\")");
}

/* Without a timezone key, the default zone is loaded. */
static void
tz_default(struct load *l, struct sect *st, config_setting_t *got)
{
	struct config	*cfg = st->cfg;
	char		*cause = NULL;

	if (member(st->g, "timezone") != NULL)
		return;
	if ((cfg->tz = tz_load(cfg->timezone, &cause)) == NULL)
		lerr(l, st->g, "timezone", "cannot load time zone %s",
		    lq(l, cfg->timezone));
	free(cause);
}

/* strict_permissions decides how the secret files after it are judged. */
static void
strict_hook(struct load *l, struct sect *st, config_setting_t *got)
{
	l->strict = st->cfg->strict_permissions;
}

/*
 * ical_path: a file (relative to the config's directory) whose directory
 * exists, so that writing it later can work.
 */
static void
ical_dir(struct load *l, struct sect *st, config_setting_t *got)
{
	struct config	*cfg = st->cfg;
	struct stat	 sb;
	char		*dir, *slash;

	if (got == NULL)
		return;
	if (stat(cfg->ical_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		lerr(l, got, NULL, "%s is a directory (expected a file name "
		    "such as \"oncall.ics\")", cfg->ical_path);
		return;
	}
	/* resolve_path made it absolute: there is a slash. */
	slash = strrchr(cfg->ical_path, '/');
	dir = slash == cfg->ical_path ? xstrdup("/") :
	    xstrndup(cfg->ical_path, (size_t)(slash - cfg->ical_path));
	if (stat(dir, &sb) != 0)
		lerr(l, got, NULL, "directory %s: %s", dir, strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		lerr(l, got, NULL, "%s is not a directory", dir);
	free(dir);
}

/* Free the top-level zone. */
static void
top_fini(void *base)
{
	struct config	*cfg = base;

	tz_free(cfg->tz);
}

/* Validated by later features; accepted unseen for now. */
static const char *const later_keys[] = { "alerts", "plugins", NULL };

/*
 * The top level. strict_permissions comes first (it decides how secrets
 * are judged); roles after irc and team (they refer to channels and
 * members); github before statuspage (backends take its token); outage
 * after roles (it names one).
 */
static const struct key top_keys[] = {
	{ .name = "strict_permissions", .type = K_BOOL,
	  .off = OFF(config, strict_permissions), .hook = strict_hook },
	{ .name = "instance", .type = K_STR, .off = OFF(config, instance),
	  .sdef = "outagebot", .check = v_instance },
	{ .name = "timezone", .type = K_STR, .off = OFF(config, timezone),
	  .sdef = "UTC", .check = v_timezone, .hook = tz_default },
	{ .name = "irc", .type = K_GROUP, .off = OFF(config, irc),
	  .sub = &irc_section,
	  .missing = "irc = { server = ...; channels = ...; }" },
	{ .name = "team", .type = K_GROUP, .off = OFF(config, team),
	  .sub = &team_section },
	{ .name = "bridges", .type = K_GLIST, .off = OFF(config, bridges),
	  .offn = OFF(config, nbridges), .sub = &bridge_section },
	{ .name = "storage", .type = K_GROUP, .sub = &storage_section },
	{ .name = "roles", .type = K_GLIST, .off = OFF(config, roles),
	  .offn = OFF(config, nroles), .sub = &role_section },
	{ .name = "ical_weeks", .type = K_INT, .off = OFF(config, ical_weeks),
	  .def = 12, .min = 1, .max = 520 },
	{ .name = "ical_path", .type = K_PATH, .off = OFF(config, ical_path),
	  .hook = ical_dir },
	{ .name = "github", .type = K_GROUPP, .off = OFF(config, github),
	  .sub = &github_section },
	{ .name = "statuspage", .type = K_GROUP,
	  .off = OFF(config, statuspage), .sub = &statuspage_section },
	{ .name = "outage", .type = K_GROUP, .off = OFF(config, outage),
	  .sub = &outage_section },
	{ .name = NULL }
};
static const struct section top_section = {
	.keys = top_keys, .ignored = later_keys, .fini = top_fini
};

/* The absolute directory of the config file (for relative paths). */
static char *
config_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir, *real;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	real = realpath(dir, NULL);
	if (real == NULL)
		return dir;
	free(dir);
	dir = xstrdup(real);	/* keep allocations on our allocator */
	free(real);
	return dir;
}

/* Join the collected problems, sorted (stably) by line; caller frees. */
static char *
join_problems(struct load *l)
{
	struct problem	 t;
	struct buf	 b;
	size_t		 i, j;

	for (i = 1; i < l->nprobs; i++) {
		t = l->probs[i];
		for (j = i; j > 0 && l->probs[j - 1].line > t.line; j--)
			l->probs[j] = l->probs[j - 1];
		l->probs[j] = t;
	}
	buf_init(&b);
	for (i = 0; i < l->nprobs; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		buf_addstr(&b, l->probs[i].text);
	}
	return buf_steal(&b);
}

/* Free what a load collected. */
static void
load_clear(struct load *l)
{
	size_t	i;

	for (i = 0; i < l->nprobs; i++)
		free(l->probs[i].text);
	free(l->probs);
	strv_free(l->tmp, l->ntmp);
	free(l->dir);
}

/* Report libconfig's parse error of lc into *cause. */
static void
parse_error(config_t *lc, const char *path, char **cause)
{
	const char	*file = config_error_file(lc);
	const char	*text = config_error_text(lc);

	if (file == NULL)
		file = path;
	if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
		*cause = xasprintf("%s: cannot read: %s", file, text);
	else if (strcmp(text, "syntax error") == 0)
		*cause = xasprintf("%s:%d: syntax error", file,
		    config_error_line(lc));
	else
		*cause = xasprintf("%s:%d: syntax error: %s", file,
		    config_error_line(lc), text);
}

/* Load and validate path; see config.h. */
struct config *
cfg_load(const char *path, char **cause)
{
	config_t	 lc;
	struct load	 l;
	struct sect	 st;
	struct config	*cfg;
	struct stat	 sb;
	int		 fd;

	*cause = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		*cause = xasprintf("%s: cannot read: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: cannot read: not a regular file",
		    path);
		close(fd);
		return NULL;
	}
	close(fd);

	memset(&l, 0, sizeof l);
	l.path = path;
	l.dir = config_dir(path);
	l.identify_ok = 1;
	config_init(&lc);
	config_set_include_dir(&lc, l.dir);
	if (!config_read_file(&lc, path)) {
		parse_error(&lc, path, cause);
		config_destroy(&lc);
		load_clear(&l);
		return NULL;
	}
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	memset(&st, 0, sizeof st);
	st.g = config_root_setting(&lc);
	st.sec = &top_section;
	st.base = cfg;
	st.cfg = cfg;
	read_section(&l, &st);
	config_destroy(&lc);
	if (l.nprobs > 0) {
		*cause = join_problems(&l);
		cfg_free(cfg);
		cfg = NULL;
	}
	load_clear(&l);
	return cfg;
}

/* Free a config and wipe its secrets; NULL is a no-op. */
void
cfg_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	section_free(&top_section, cfg);
	free(cfg);
}

/* The role called name or one of its aliases, case-insensitively. */
const struct cfg_role *
cfg_role_find(const struct config *cfg, const char *name)
{
	size_t	i, j;

	if (cfg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].name != NULL &&
		    util_strcaseeq(cfg->roles[i].name, name))
			return &cfg->roles[i];
		for (j = 0; j < cfg->roles[i].naliases; j++) {
			if (util_strcaseeq(cfg->roles[i].aliases[j], name))
				return &cfg->roles[i];
		}
	}
	return NULL;
}

/* The person name of a team entry; see config.h. */
const char *
cfg_entry_name(const struct config *cfg, const char *entry, char *buf,
    size_t bufsz)
{
	const char	*bang;
	size_t		 n;

	if (bufsz == 0)
		return buf;
	bang = strchr(entry, '!');
	if (cfg == NULL || cfg->team.identify != CFG_IDENTIFY_HOSTMASK ||
	    bang == NULL) {
		strlcpy_ob(buf, entry, bufsz);
		return buf;
	}
	n = (size_t)(bang - entry);
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, entry, n);
	buf[n] = '\0';
	return buf;
}
