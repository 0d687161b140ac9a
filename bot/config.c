/*
 * config.c — reads the configuration file with libconfig and validates
 * every key into the plain structs of config.h. This is the only file
 * that includes libconfig.h; no libconfig pointer survives cfg_load().
 *
 * Validation does not stop at the first problem: every problem is
 * collected as "file:line: key: what is wrong" (key as the user wrote it,
 * list elements as "bridges.[0].nick"), the lines are sorted by line
 * number and handed back joined by '\n'. Secrets (*_file keys) are read
 * here, from a file or from "env:NAME"; their values are never logged and
 * never appear in a message, and cfg_free() wipes them. Time zones are
 * loaded here (tz_load) and start instants parsed (when_parse), so a
 * loaded config holds ready-to-use zones. Groups that later features
 * validate (github, statuspage, ...) are accepted as they are and not
 * looked at.
 *
 * Must not: keep global state, touch the network, or print anything but
 * permission warnings (through log_warn) — errors go back to the caller.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "log.h"
#include "tz.h"
#include "util.h"
#include "when.h"

#define CFG_MOD		"config"
#define SECRET_MAX	8192	/* longest first line of a secret file */
#define ROLE_NAME_MAX	32	/* longest role name or alias */
#define PERSON_MAX	63	/* longest person name in a rotation */

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

/* A validator for one element of a string list; 0 keeps the element. */
typedef int (*elem_check)(struct load *, config_setting_t *, const char *,
    struct config *);

static const char *const top_keys[] = {
	"instance", "timezone", "strict_permissions", "irc", "team",
	"bridges", "storage", "roles", "ical_path", "ical_weeks", NULL
};
/* Validated by later features; accepted unseen for now. */
static const char *const later_keys[] = {
	"github", "statuspage", "outage", "alerts", "plugins", NULL
};
static const char *const irc_keys[] = {
	"server", "port", "tls", "tls_verify", "tls_ca_file",
	"tls_fingerprint", "client_cert", "client_key", "password_file",
	"nick", "alt_nick", "realname", "username", "sasl", "channels",
	"announce_channels", "topic", "command_prefix", "flood",
	"max_reply_lines", "ping_interval", "ping_timeout", "reconnect", NULL
};
static const char *const sasl_keys[] = {
	"mechanism", "account", "password_file", "required", NULL
};
static const char *const flood_keys[] = { "burst", "interval", NULL };
static const char *const reconnect_keys[] = { "min", "max", NULL };
static const char *const team_keys[] = {
	"identify", "admins", "members", "github", NULL
};
static const char *const bridge_keys[] = { "nick", "account", "map", NULL };
static const char *const storage_keys[] = { "path", NULL };
static const char *const role_keys[] = {
	"name", "aliases", "members", "shift", "start", "timezone",
	"announce_channel", "remind_before", NULL
};

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

/*
 * Refuse members of group g that are neither in known nor in ignored, so
 * that a typo is an error rather than a silently missing setting.
 */
static void
check_keys(struct load *l, config_setting_t *g, const char *const *known,
    const char *const *ignored)
{
	config_setting_t	*s;
	const char		*name, *best;
	const char *const	*k;
	char			*asfile;
	size_t			 d, bestd;
	int			 i, n = config_setting_length(g), secret;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned int)i);
		name = config_setting_name(s);
		if (name == NULL || in_list(known, name) ||
		    in_list(ignored, name))
			continue;
		asfile = xasprintf("%s_file", name);
		secret = in_list(known, asfile);
		free(asfile);
		if (secret) {
			lerr(l, s, NULL, "secrets are not allowed inline "
			    "(use %s_file = a path or \"env:NAME\")", name);
			continue;
		}
		best = NULL;
		bestd = 3;
		for (k = known; *k != NULL; k++) {
			d = key_distance(name, *k);
			if (d < bestd) {
				bestd = d;
				best = *k;
			}
		}
		if (best != NULL)
			lerr(l, s, NULL, "unknown key (did you mean \"%s\"?)",
			    best);
		else
			lerr(l, s, NULL, "unknown key");
	}
}

/* Member name of group g, or NULL when absent (or g is NULL). */
static config_setting_t *
member(config_setting_t *g, const char *name)
{
	if (g == NULL)
		return NULL;
	return config_setting_get_member(g, name);
}

/* The group g.name; NULL when absent or not a group (reported). */
static config_setting_t *
grp_member(struct load *l, config_setting_t *g, const char *name)
{
	config_setting_t	*s = member(g, name);

	if (s == NULL)
		return NULL;
	if (!config_setting_is_group(s)) {
		lerr(l, s, NULL, "expected a group { ... }");
		return NULL;
	}
	return s;
}

/*
 * The string g.name in *v (borrowed from libconfig, valid until the end
 * of the load). Returns the setting, or NULL when absent or of the wrong
 * type (reported).
 */
static config_setting_t *
str_member(struct load *l, config_setting_t *g, const char *name,
    const char **v)
{
	config_setting_t	*s = member(g, name);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		lerr(l, s, NULL, "expected a string");
		return NULL;
	}
	*v = config_setting_get_string(s);
	return s;
}

/* Store the boolean g.name in *out when present and a boolean. */
static config_setting_t *
bool_member(struct load *l, config_setting_t *g, const char *name, int *out)
{
	config_setting_t	*s = member(g, name);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		lerr(l, s, NULL, "expected true or false");
		return NULL;
	}
	*out = config_setting_get_bool(s) ? 1 : 0;
	return s;
}

/* Store the integer g.name in [min, max] in *out when present and valid. */
static config_setting_t *
int_member(struct load *l, config_setting_t *g, const char *name,
    long long min, long long max, int *out)
{
	config_setting_t	*s = member(g, name);
	long long		 v;

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		lerr(l, s, NULL, "expected an integer");
		return NULL;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		if (max >= INT_MAX)
			lerr(l, s, NULL, "%lld is out of range "
			    "(at least %lld)", v, min);
		else
			lerr(l, s, NULL, "%lld is out of range (%lld-%lld)",
			    v, min, max);
		return NULL;
	}
	*out = (int)v;
	return s;
}

/*
 * Store the duration g.name (a string such as "2s") in *ms; it must be
 * longer than 0 unless zero_ok.
 */
static config_setting_t *
dur_member_z(struct load *l, config_setting_t *g, const char *name,
    long long *ms, int zero_ok)
{
	config_setting_t	*s = member(g, name);
	const char		*v;
	long long		 n;

	if (s == NULL)
		return NULL;
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
	if (n < 0 || (n == 0 && !zero_ok)) {
		lerr(l, s, NULL, "must be longer than 0s");
		return NULL;
	}
	*ms = n;
	return s;
}

/* Store the duration g.name in *ms; it must be longer than 0. */
static config_setting_t *
dur_member(struct load *l, config_setting_t *g, const char *name,
    long long *ms)
{
	return dur_member_z(l, g, name, ms, 0);
}

/*
 * Read the list (or array) of strings g.name into *out and *n, passing each
 * element through check (which reports its own problems and returns -1
 * to drop the element). Returns the setting or NULL when absent/wrong.
 */
static config_setting_t *
strlist_member(struct load *l, config_setting_t *g, const char *name,
    char ***out, size_t *n, elem_check check, struct config *cfg)
{
	config_setting_t	*s = member(g, name), *e;
	const char		*v;
	int			 i, len;

	if (s == NULL)
		return NULL;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		lerr(l, s, NULL, "expected a list of strings such as "
		    "( \"a\", \"b\" )");
		return NULL;
	}
	len = config_setting_length(s);
	*out = xcalloc((size_t)len + 1, sizeof **out);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			lerr(l, e, NULL, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (check != NULL && check(l, e, v, cfg) != 0)
			continue;
		(*out)[(*n)++] = xstrdup(v);
	}
	return s;
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

/* Report s's value v unless it is a nick. */
static int
check_nick(struct load *l, config_setting_t *s, const char *v)
{
	if (valid_nick(v))
		return 0;
	lerr(l, s, NULL, "%s is not a valid IRC nick (letters, digits and "
	    "-[]\\`_^{|}, not starting with a digit or -)", lq(l, v));
	return -1;
}

/* Report v unless it is a plain name (services account, user name). */
static int
check_name(struct load *l, config_setting_t *s, const char *v)
{
	if (*v != '\0' && !has_bad_char(v, "!@"))
		return 0;
	lerr(l, s, NULL, "%s is not a valid name (no spaces, commas, "
	    "'!', '@' or control characters)", lq(l, v));
	return -1;
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
			lerr(l, e, NULL, "%s is listed twice", lq(l, v));
			return -1;
		}
	}
	return 0;
}

/* Element check for channel lists; refuses bad names and duplicates. */
static int
check_channel(struct load *l, config_setting_t *e, const char *v,
    struct config *cfg)
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
    struct config *cfg)
{
	size_t	i;

	if (check_channel(l, e, v, cfg) != 0)
		return -1;
	for (i = 0; i < cfg->irc.nchannels; i++) {
		if (util_strcaseeq(cfg->irc.channels[i], v))
			return 0;
	}
	lerr(l, e, NULL, "%s is not in irc.channels (the bot only speaks "
	    "where it has joined)", lq(l, v));
	return -1;
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
 * Resolve the path g.name against the config directory into *out, and
 * check it can be read. With private set, also check its permissions
 * like a secret's (a private key).
 */
static config_setting_t *
path_member(struct load *l, config_setting_t *g, const char *name,
    char **out, int readable, int private)
{
	config_setting_t	*s;
	const char		*v;
	struct stat		 st;

	s = str_member(l, g, name, &v);
	if (s == NULL)
		return NULL;
	if (*v == '\0') {
		lerr(l, s, NULL, "must not be empty (expected a path)");
		return NULL;
	}
	free(*out);
	*out = resolve_path(l, v);
	if (!readable)
		return s;
	if (stat(*out, &st) != 0 || access(*out, R_OK) != 0) {
		lerr(l, s, NULL, "cannot read %s: %s", *out, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		lerr(l, s, NULL, "%s is not a regular file", *out);
		return NULL;
	}
	if (private && check_private(l, s, *out, st.st_mode) != 0)
		return NULL;
	return s;
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

/* Validate irc.sasl; the client certificate is already known. */
static void
load_sasl(struct load *l, config_setting_t *g, struct config *cfg)
{
	struct cfg_sasl		*sasl = &cfg->irc.sasl;
	config_setting_t	*ms, *s;
	const char		*v;

	check_keys(l, g, sasl_keys, NULL);
	bool_member(l, g, "required", &sasl->required);
	if ((s = str_member(l, g, "account", &v)) != NULL &&
	    check_name(l, s, v) == 0)
		sasl->account = xstrdup(v);
	ms = str_member(l, g, "mechanism", &v);
	if (ms == NULL) {
		if (member(g, "mechanism") == NULL)
			lerr(l, g, "mechanism", "missing (\"PLAIN\" or "
			    "\"EXTERNAL\")");
		return;
	}
	if (util_strcaseeq(v, "PLAIN"))
		sasl->mech = CFG_SASL_PLAIN;
	else if (util_strcaseeq(v, "EXTERNAL"))
		sasl->mech = CFG_SASL_EXTERNAL;
	else {
		lerr(l, ms, NULL, "%s is not a SASL mechanism (use \"PLAIN\" "
		    "or \"EXTERNAL\")", lq(l, v));
		return;
	}
	s = member(g, "password_file");
	if (sasl->mech == CFG_SASL_PLAIN) {
		if (member(g, "account") == NULL)
			lerr(l, g, "account", "missing (needed for mechanism "
			    "PLAIN)");
		if (s == NULL)
			lerr(l, g, "password_file", "missing (needed for "
			    "mechanism PLAIN)");
		else
			sasl->password = load_secret(l, s);
	} else {
		if (s != NULL)
			lerr(l, s, NULL, "not used with mechanism EXTERNAL");
		if (cfg->irc.client_cert == NULL)
			lerr(l, ms, NULL, "EXTERNAL needs irc.client_cert");
	}
}

/* Validate irc.flood and irc.reconnect. */
static void
load_pacing(struct load *l, config_setting_t *g, struct config *cfg)
{
	config_setting_t	*fl, *rc, *mn, *mx;
	char			 shown[32];

	if ((fl = grp_member(l, g, "flood")) != NULL) {
		check_keys(l, fl, flood_keys, NULL);
		int_member(l, fl, "burst", 1, INT_MAX, &cfg->irc.flood_burst);
		dur_member(l, fl, "interval", &cfg->irc.flood_interval_ms);
	}
	if ((rc = grp_member(l, g, "reconnect")) != NULL) {
		check_keys(l, rc, reconnect_keys, NULL);
		mn = dur_member(l, rc, "min", &cfg->irc.reconnect_min_ms);
		mx = dur_member(l, rc, "max", &cfg->irc.reconnect_max_ms);
		if (cfg->irc.reconnect_min_ms > cfg->irc.reconnect_max_ms &&
		    mn != NULL) {
			util_fmt_duration(cfg->irc.reconnect_max_ms, shown,
			    sizeof shown);
			lerr(l, mn, NULL, "must not be longer than "
			    "reconnect.max (%s)", shown);
		} else if (cfg->irc.reconnect_min_ms >
		    cfg->irc.reconnect_max_ms && mx != NULL) {
			util_fmt_duration(cfg->irc.reconnect_min_ms, shown,
			    sizeof shown);
			lerr(l, mx, NULL, "must not be shorter than "
			    "reconnect.min (%s)", shown);
		}
	}
	dur_member(l, g, "ping_interval", &cfg->irc.ping_interval_ms);
	dur_member(l, g, "ping_timeout", &cfg->irc.ping_timeout_ms);
}

/* Validate the TLS keys of the irc group. */
static void
load_tls(struct load *l, config_setting_t *g, struct config *cfg)
{
	struct cfg_irc		*irc = &cfg->irc;
	config_setting_t	*s;
	const char		*v;
	char			 fp[65];

	bool_member(l, g, "tls", &irc->tls);
	bool_member(l, g, "tls_verify", &irc->tls_verify);
	/*
	 * The TLS keys are accepted with tls = false too: a server's STS
	 * policy can upgrade the connection, which is then verified (and
	 * authenticated) as they say.
	 */
	path_member(l, g, "tls_ca_file", &irc->tls_ca_file, 1, 0);
	if ((s = str_member(l, g, "tls_fingerprint", &v)) != NULL) {
		if (norm_fingerprint(v, fp) != 0)
			lerr(l, s, NULL, "not a SHA-256 fingerprint (64 hex "
			    "digits, colons optional)");
		else
			irc->tls_fingerprint = xstrdup(fp);
	}
	path_member(l, g, "client_cert", &irc->client_cert, 1, 0);
	s = path_member(l, g, "client_key", &irc->client_key, 1, 1);
	if (s != NULL && member(g, "client_cert") == NULL)
		lerr(l, s, NULL, "needs irc.client_cert");
}

/* Validate the identity keys (nick, alt_nick, username, realname). */
static void
load_identity(struct load *l, config_setting_t *g, struct config *cfg)
{
	struct cfg_irc		*irc = &cfg->irc;
	config_setting_t	*s;
	const char		*v;

	if ((s = str_member(l, g, "nick", &v)) != NULL &&
	    check_nick(l, s, v) == 0) {
		free(irc->nick);
		irc->nick = xstrdup(v);
	}
	if ((s = str_member(l, g, "alt_nick", &v)) != NULL) {
		if (check_nick(l, s, v) == 0)
			irc->alt_nick = xstrdup(v);
	} else
		irc->alt_nick = xasprintf("%s_", irc->nick);
	if ((s = str_member(l, g, "username", &v)) != NULL) {
		if (check_name(l, s, v) == 0)
			irc->username = xstrdup(v);
	} else
		irc->username = xstrdup(irc->nick);
	if ((s = str_member(l, g, "realname", &v)) != NULL) {
		if (*v == '\0' || strpbrk(v, "\r\n") != NULL)
			lerr(l, s, NULL, "must be one non-empty line");
		else {
			free(irc->realname);
			irc->realname = xstrdup(v);
		}
	}
}

/* Validate the irc group. */
static void
load_irc(struct load *l, config_setting_t *g, struct config *cfg)
{
	struct cfg_irc		*irc = &cfg->irc;
	config_setting_t	*s;
	const char		*v;

	check_keys(l, g, irc_keys, NULL);
	if ((s = str_member(l, g, "server", &v)) != NULL) {
		if (*v == '\0' || has_bad_char(v, "!@/"))
			lerr(l, s, NULL, "%s is not a host name", lq(l, v));
		else
			irc->server = xstrdup(v);
	} else if (member(g, "server") == NULL)
		lerr(l, g, "server", "missing (the IRC server's host name)");

	load_tls(l, g, cfg);
	if (int_member(l, g, "port", 1, 65535, &irc->port) == NULL)
		irc->port = irc->tls ? 6697 : 6667;
	if ((s = member(g, "password_file")) != NULL)
		irc->password = load_secret(l, s);
	load_identity(l, g, cfg);
	if ((s = grp_member(l, g, "sasl")) != NULL)
		load_sasl(l, s, cfg);

	s = strlist_member(l, g, "channels", &irc->channels, &irc->nchannels,
	    check_channel, cfg);
	if (s != NULL && config_setting_length(s) == 0)
		lerr(l, s, NULL, "must list at least one channel");
	else if (s == NULL && member(g, "channels") == NULL)
		lerr(l, g, "channels", "missing (the channels to join, "
		    "such as ( \"#team\" ))");
	if (strlist_member(l, g, "announce_channels", &irc->announce_channels,
	    &irc->nannounce_channels, check_announce, cfg) == NULL &&
	    irc->announce_channels == NULL) {
		irc->announce_channels = xcalloc(irc->nchannels + 1,
		    sizeof *irc->announce_channels);
		for (; irc->nannounce_channels < irc->nchannels;
		    irc->nannounce_channels++)
			irc->announce_channels[irc->nannounce_channels] =
			    xstrdup(irc->channels[irc->nannounce_channels]);
	}
	bool_member(l, g, "topic", &irc->topic);
	if ((s = str_member(l, g, "command_prefix", &v)) != NULL) {
		if (*v == '\0' || has_bad_char(v, NULL) || strlen(v) > 8)
			lerr(l, s, NULL, "%s is not a command prefix (1-8 "
			    "characters, no spaces)", lq(l, v));
		else {
			free(irc->command_prefix);
			irc->command_prefix = xstrdup(v);
		}
	}
	int_member(l, g, "max_reply_lines", 1, 50, &irc->max_reply_lines);
	load_pacing(l, g, cfg);
}

/*
 * Element check for team.members/admins: an account name, or with
 * identify = hostmask a nick!user@host glob whose nick part is a plain
 * nick (it names the person) or a glob (the speaker's nick names them).
 * Exact duplicates are refused.
 */
static int
check_entry(struct load *l, config_setting_t *e, const char *v,
    struct config *cfg)
{
	const char		*bang, *at;

	if (!l->identify_ok)
		return 0;
	if (cfg->team.identify == CFG_IDENTIFY_ACCOUNT) {
		if (strpbrk(v, "!@") != NULL) {
			lerr(l, e, NULL, "%s looks like a hostmask (set "
			    "team.identify = \"hostmask\")", lq(l, v));
			return -1;
		}
		if (check_name(l, e, v) != 0)
			return -1;
	} else {
		bang = strchr(v, '!');
		at = bang != NULL ? strchr(bang, '@') : NULL;
		if (bang == NULL || at == NULL || bang[1] == '@' ||
		    at[1] == '\0' || strchr(at + 1, '@') != NULL ||
		    strchr(bang + 1, '!') != NULL || has_bad_char(v, NULL)) {
			lerr(l, e, NULL, "%s is not a nick!user@host mask "
			    "(such as \"alice!*@*\")", lq(l, v));
			return -1;
		}
		/* A glob nick part ("*!*@10.0.0.*") admits anyone who
		 * matches; each is then the person named by their nick. */
		if (!valid_nick_n(v, (size_t)(bang - v)) &&
		    strcspn(v, "*?") >= (size_t)(bang - v)) {
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
 * Split the "from=to" element e into a pair. github pairs split at the
 * first '=' (person=login); map pairs at the last (remote names may hold
 * '=', person names cannot). The side that must be a person is checked;
 * a from-side already among the ndone accepted pairs is refused. Returns
 * 0 and fills done[ndone], or -1.
 */
static int
parse_pair(struct load *l, config_setting_t *e, struct config *cfg,
    int github, struct cfg_pair *done, size_t ndone)
{
	const char		*v, *eq, *person, *shape;
	char			*from, *to;
	size_t			 i, flen;

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
	if (l->identify_ok && !is_person(cfg, person)) {
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

/* Read the pair list g.name into *out and *n; NULL when absent or wrong. */
static config_setting_t *
pairs_member(struct load *l, config_setting_t *g, const char *name,
    struct config *cfg, int github, struct cfg_pair **out, size_t *n)
{
	config_setting_t	*s = member(g, name);
	int			 i, len;

	if (s == NULL)
		return NULL;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		lerr(l, s, NULL, "expected a list of strings such as "
		    "( \"%s\" )",
		    github ? "alice=alice-gh" : "alice_tg=alice");
		return NULL;
	}
	len = config_setting_length(s);
	*out = xcalloc((size_t)len + 1, sizeof **out);
	*n = 0;
	for (i = 0; i < len; i++) {
		if (parse_pair(l, config_setting_get_elem(s, (unsigned int)i),
		    cfg, github, *out, *n) == 0)
			(*n)++;
	}
	return s;
}

/* Validate the team group; admins become members too. */
static void
load_team(struct load *l, config_setting_t *g, struct config *cfg)
{
	struct cfg_team		*team = &cfg->team;
	config_setting_t	*s;
	const char		*v;
	size_t			 i, j;

	check_keys(l, g, team_keys, NULL);
	if ((s = str_member(l, g, "identify", &v)) != NULL) {
		if (util_strcaseeq(v, "account"))
			team->identify = CFG_IDENTIFY_ACCOUNT;
		else if (util_strcaseeq(v, "hostmask"))
			team->identify = CFG_IDENTIFY_HOSTMASK;
		else {
			lerr(l, s, NULL, "%s is not \"account\" or "
			    "\"hostmask\"", lq(l, v));
			l->identify_ok = 0;
		}
	} else if (member(g, "identify") != NULL)
		l->identify_ok = 0;
	strlist_member(l, g, "members", &team->members, &team->nmembers,
	    check_entry, cfg);
	strlist_member(l, g, "admins", &team->admins, &team->nadmins,
	    check_entry, cfg);
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
	pairs_member(l, g, "github", cfg, 1, &team->github, &team->ngithub);
}

/* Validate one bridges element. */
static void
load_bridge(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_bridge *br)
{
	config_setting_t	*s;
	const char		*v;
	size_t			 i;

	check_keys(l, g, bridge_keys, NULL);
	if ((s = str_member(l, g, "nick", &v)) != NULL &&
	    check_nick(l, s, v) == 0) {
		for (i = 0; cfg->bridges + i < br; i++) {
			if (cfg->bridges[i].nick != NULL &&
			    util_strcaseeq(cfg->bridges[i].nick, v))
				lerr(l, s, NULL, "bridge %s is listed twice",
				    lq(l, v));
		}
		if (util_strcaseeq(v, cfg->irc.nick))
			lerr(l, s, NULL, "%s is the bot's own nick", lq(l, v));
		br->nick = xstrdup(v);
	} else if (member(g, "nick") == NULL)
		lerr(l, g, "nick", "missing (the bridge's IRC nick)");
	if ((s = str_member(l, g, "account", &v)) != NULL) {
		if (check_name(l, s, v) == 0)
			br->account = xstrdup(v);
	} else if (member(g, "account") == NULL && l->identify_ok &&
	    cfg->team.identify == CFG_IDENTIFY_ACCOUNT)
		lerr(l, g, "account", "missing (needed with team.identify = "
		    "\"account\")");
	pairs_member(l, g, "map", cfg, 0, &br->map, &br->nmap);
}

/*
 * The length of s if it is a list of groups, else -1 with an error that
 * shows an example ("nick = \"tg-bridge\";").
 */
static int
group_list(struct load *l, config_setting_t *s, const char *example)
{
	if (!config_setting_is_list(s)) {
		lerr(l, s, NULL, "expected a list of groups such as "
		    "( { %s } )", example);
		return -1;
	}
	return config_setting_length(s);
}

/* Element i of a group list, or NULL with an error if not a group. */
static config_setting_t *
group_elem(struct load *l, config_setting_t *s, int i, const char *key)
{
	config_setting_t	*e = config_setting_get_elem(s, (unsigned int)i);

	if (!config_setting_is_group(e)) {
		lerr(l, e, NULL, "expected a group { %s = ...; }", key);
		return NULL;
	}
	return e;
}

/* Validate the bridges list. */
static void
load_bridges(struct load *l, config_setting_t *s, struct config *cfg)
{
	config_setting_t	*e;
	int			 i, len;

	if ((len = group_list(l, s, "nick = \"tg-bridge\";")) < 0)
		return;
	cfg->bridges = xcalloc((size_t)len + 1, sizeof *cfg->bridges);
	for (i = 0; i < len; i++) {
		if ((e = group_elem(l, s, i, "nick")) != NULL)
			load_bridge(l, e, cfg, &cfg->bridges[cfg->nbridges++]);
	}
}

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
    struct config *cfg, const struct cfg_role *r)
{
	const struct cfg_role	*o;
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
		lerr(l, s, NULL, "%s is the role's own name", lq(l, v));
		return -1;
	}
	for (i = 0; i < r->naliases; i++) {
		if (util_strcaseeq(r->aliases[i], v)) {
			lerr(l, s, NULL, "%s is listed twice", lq(l, v));
			return -1;
		}
	}
	return 0;
}

/* Read the aliases list of role group g into r, checking each name. */
static void
load_role_aliases(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_role *r)
{
	config_setting_t	*s = member(g, "aliases"), *e;
	const char		*v;
	int			 i, len;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		lerr(l, s, NULL, "expected a list of strings such as "
		    "( \"om\" )");
		return;
	}
	len = config_setting_length(s);
	r->aliases = xcalloc((size_t)len + 1, sizeof *r->aliases);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			lerr(l, e, NULL, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (check_role_name(l, e, v, cfg, r) == 0)
			r->aliases[r->naliases++] = xstrdup(v);
	}
}

/*
 * Read the members list of role group g into r: team persons, each once,
 * kept as team.members spells them.
 */
static void
load_role_members(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_role *r)
{
	config_setting_t	*s = member(g, "members"), *e;
	const char		*v, *who;
	char			 buf[256];
	size_t			 j;
	int			 i, len;

	if (s == NULL) {
		lerr(l, g, "members", "missing (the people on call in turn, "
		    "such as ( \"alice\", \"bob\" ))");
		return;
	}
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		lerr(l, s, NULL, "expected a list of strings such as "
		    "( \"alice\", \"bob\" )");
		return;
	}
	len = config_setting_length(s);
	if (len == 0) {
		lerr(l, s, NULL, "must list at least one member");
		return;
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
		if (l->identify_ok) {
			who = person_name(cfg, v, buf, sizeof buf);
			if (who == NULL) {
				lerr(l, e, NULL, "%s is not a team member "
				    "(team.members)", lq(l, v));
				continue;
			}
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

/* Read the role's zone (or the top-level one) and its start instant. */
static void
load_role_time(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_role *r)
{
	config_setting_t	*s;
	const char		*v;
	char			*cause = NULL;
	time_t			 t;

	if ((s = str_member(l, g, "timezone", &v)) != NULL) {
		r->tz = tz_load(v, &cause);
		free(cause);
		cause = NULL;
		if (r->tz == NULL)
			lerr(l, s, NULL, "unknown time zone %s", lq(l, v));
		else
			r->timezone = xstrdup(v);
	} else if (member(g, "timezone") == NULL && cfg->tz != NULL) {
		r->timezone = xstrdup(cfg->timezone);
		r->tz = tz_load(cfg->timezone, &cause);
		free(cause);
		cause = NULL;
		if (r->tz == NULL)
			lerr(l, g, "timezone", "cannot load time zone %s",
			    lq(l, cfg->timezone));
	}
	if ((s = str_member(l, g, "start", &v)) == NULL) {
		if (member(g, "start") == NULL)
			lerr(l, g, "start", "missing (the first handoff, such "
			    "as \"2026-11-23 09:00\")");
		return;
	}
	/* Without a zone only the shape can be judged (the zone's own
	 * problem is reported already). */
	if (!looks_like_datetime(v) || (r->tz != NULL &&
	    when_parse(v, r->tz, util_now(), &t, &cause) != 0)) {
		lerr(l, s, NULL, "%s is not a date and time (use "
		    "2026-11-23 09:00)", lq(l, v));
		free(cause);
		return;
	}
	if (r->tz != NULL)
		r->start = (long long)t;
}

/* Read the role's announce_channel: one the bot joins. */
static void
load_role_channel(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_role *r)
{
	config_setting_t	*s;
	const char		*v;
	size_t			 i;

	if ((s = str_member(l, g, "announce_channel", &v)) == NULL) {
		if (member(g, "announce_channel") != NULL)
			return;
		if (cfg->irc.nannounce_channels > 0)
			r->announce_channel =
			    xstrdup(cfg->irc.announce_channels[0]);
		else if (cfg->irc.nchannels > 0)
			r->announce_channel = xstrdup(cfg->irc.channels[0]);
		return;
	}
	for (i = 0; i < cfg->irc.nchannels; i++) {
		if (util_strcaseeq(cfg->irc.channels[i], v)) {
			r->announce_channel = xstrdup(cfg->irc.channels[i]);
			return;
		}
	}
	lerr(l, s, NULL, "%s is not in irc.channels (the bot only speaks "
	    "where it has joined)", lq(l, v));
}

/* Validate one roles element into r. */
static void
load_role(struct load *l, config_setting_t *g, struct config *cfg,
    struct cfg_role *r)
{
	config_setting_t	*s, *rb;
	const char		*v;
	char			 shown[32];

	check_keys(l, g, role_keys, NULL);
	if ((s = str_member(l, g, "name", &v)) != NULL) {
		if (check_role_name(l, s, v, cfg, r) == 0)
			r->name = xstrdup(v);
	} else if (member(g, "name") == NULL)
		lerr(l, g, "name", "missing (such as \"outage-master\")");
	load_role_aliases(l, g, cfg, r);
	load_role_members(l, g, cfg, r);
	if ((s = dur_member(l, g, "shift", &r->shift_ms)) != NULL) {
		if (r->shift_ms % 86400000 == 0)
			r->shift_days = (int)(r->shift_ms / 86400000);
	} else if (member(g, "shift") == NULL)
		lerr(l, g, "shift", "missing (such as \"1w\" or \"12h\")");
	load_role_time(l, g, cfg, r);
	load_role_channel(l, g, cfg, r);
	rb = dur_member_z(l, g, "remind_before", &r->remind_before_ms, 1);
	if (rb != NULL && s != NULL && r->remind_before_ms >= r->shift_ms) {
		util_fmt_duration(r->shift_ms, shown, sizeof shown);
		lerr(l, rb, NULL, "must be shorter than the shift (%s)",
		    shown);
	}
}

/* Validate the roles list. */
static void
load_roles(struct load *l, config_setting_t *s, struct config *cfg)
{
	config_setting_t	*e;
	int			 i, len;

	if ((len = group_list(l, s, "name = \"outage-master\"; ...")) < 0)
		return;
	cfg->roles = xcalloc((size_t)len + 1, sizeof *cfg->roles);
	for (i = 0; i < len; i++) {
		if ((e = group_elem(l, s, i, "name")) != NULL)
			load_role(l, e, cfg, &cfg->roles[cfg->nroles++]);
	}
}

/*
 * Validate ical_path: a file (relative to the config's directory) whose
 * directory exists, so that writing it later can work.
 */
static void
load_ical(struct load *l, config_setting_t *root, struct config *cfg)
{
	config_setting_t	*s;
	struct stat		 st;
	char			*dir, *slash;

	int_member(l, root, "ical_weeks", 1, 520, &cfg->ical_weeks);
	if ((s = path_member(l, root, "ical_path", &cfg->ical_path, 0,
	    0)) == NULL)
		return;
	if (stat(cfg->ical_path, &st) == 0 && S_ISDIR(st.st_mode)) {
		lerr(l, s, NULL, "%s is a directory (expected a file name "
		    "such as \"oncall.ics\")", cfg->ical_path);
		return;
	}
	/* resolve_path made it absolute: there is a slash. */
	slash = strrchr(cfg->ical_path, '/');
	dir = slash == cfg->ical_path ? xstrdup("/") :
	    xstrndup(cfg->ical_path, (size_t)(slash - cfg->ical_path));
	if (stat(dir, &st) != 0)
		lerr(l, s, NULL, "directory %s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		lerr(l, s, NULL, "%s is not a directory", dir);
	free(dir);
}

/* Validate the top level. */
static void
load_top(struct load *l, config_setting_t *root, struct config *cfg)
{
	config_setting_t	*s;
	const char		*v;
	char			*cause = NULL;

	check_keys(l, root, top_keys, later_keys);
	/* First: it decides how the secret files below are judged. */
	bool_member(l, root, "strict_permissions", &cfg->strict_permissions);
	l->strict = cfg->strict_permissions;
	if ((s = str_member(l, root, "instance", &v)) != NULL) {
		if (*v == '\0' || strlen(v) > 64 || strspn(v,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._-") != strlen(v))
			lerr(l, s, NULL, "%s is not an instance name "
			    "(letters, digits, '.', '_', '-')", lq(l, v));
		else {
			free(cfg->instance);
			cfg->instance = xstrdup(v);
		}
	}
	if ((s = str_member(l, root, "timezone", &v)) != NULL) {
		if ((cfg->tz = tz_load(v, &cause)) == NULL)
			lerr(l, s, NULL, "%s is not a known time zone (such "
			    "as \"UTC\" or \"Europe/Prague\")", lq(l, v));
		else {
			free(cfg->timezone);
			cfg->timezone = xstrdup(v);
		}
		free(cause);
	} else if (member(root, "timezone") == NULL) {
		if ((cfg->tz = tz_load(cfg->timezone, &cause)) == NULL)
			lerr(l, root, "timezone", "cannot load time zone %s",
			    lq(l, cfg->timezone));
		free(cause);
	}
	if ((s = grp_member(l, root, "irc")) != NULL)
		load_irc(l, s, cfg);
	else if (member(root, "irc") == NULL)
		lerr(l, root, "irc", "missing (irc = { server = ...; "
		    "channels = ...; })");
	if ((s = grp_member(l, root, "team")) != NULL)
		load_team(l, s, cfg);
	if ((s = member(root, "bridges")) != NULL)
		load_bridges(l, s, cfg);
	if ((s = grp_member(l, root, "storage")) != NULL) {
		check_keys(l, s, storage_keys, NULL);
		path_member(l, s, "path", &cfg->storage_path, 0, 0);
	}
	/* After irc and team: roles refer to channels and members. */
	if ((s = member(root, "roles")) != NULL)
		load_roles(l, s, cfg);
	load_ical(l, root, cfg);
}

/* A new config holding every default of config.h. */
static struct config *
cfg_defaults(struct load *l, const char *path)
{
	struct config	*cfg = xcalloc(1, sizeof *cfg);

	cfg->path = xstrdup(path);
	cfg->instance = xstrdup("outagebot");
	cfg->timezone = xstrdup("UTC");
	cfg->irc.tls = 1;
	cfg->irc.tls_verify = 1;
	cfg->irc.nick = xstrdup("outagebot");
	cfg->irc.realname = xstrdup("outagebot");
	cfg->irc.command_prefix = xstrdup("!");
	cfg->irc.flood_burst = 4;
	cfg->irc.flood_interval_ms = 2000;
	cfg->irc.max_reply_lines = 4;
	cfg->irc.ping_interval_ms = 90000;
	cfg->irc.ping_timeout_ms = 120000;
	cfg->irc.reconnect_min_ms = 2000;
	cfg->irc.reconnect_max_ms = 300000;
	cfg->team.identify = CFG_IDENTIFY_ACCOUNT;
	cfg->storage_path = resolve_path(l, "outagebot.db");
	cfg->ical_weeks = 12;
	return cfg;
}

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

/* Load and validate path; see config.h. */
struct config *
cfg_load(const char *path, char **err)
{
	config_t	 lc;
	struct load	 l;
	struct config	*cfg;
	struct stat	 st;
	const char	*file, *text;
	int		 fd;

	*err = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		*err = xasprintf("%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: cannot read: not a regular file", path);
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
		file = config_error_file(&lc);
		text = config_error_text(&lc);
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			*err = xasprintf("%s: cannot read: %s",
			    file != NULL ? file : path, text);
		else if (strcmp(text, "syntax error") == 0)
			*err = xasprintf("%s:%d: syntax error",
			    file != NULL ? file : path,
			    config_error_line(&lc));
		else
			*err = xasprintf("%s:%d: syntax error: %s",
			    file != NULL ? file : path, config_error_line(&lc),
			    text);
		config_destroy(&lc);
		load_clear(&l);
		return NULL;
	}
	cfg = cfg_defaults(&l, path);
	load_top(&l, config_root_setting(&lc), cfg);
	config_destroy(&lc);
	if (l.nprobs > 0) {
		*err = join_problems(&l);
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
	size_t	i, j;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->instance);
	free(cfg->timezone);
	free(cfg->irc.server);
	free(cfg->irc.tls_ca_file);
	free(cfg->irc.tls_fingerprint);
	free(cfg->irc.client_cert);
	free(cfg->irc.client_key);
	secret_free(cfg->irc.password);
	free(cfg->irc.nick);
	free(cfg->irc.alt_nick);
	free(cfg->irc.realname);
	free(cfg->irc.username);
	free(cfg->irc.sasl.account);
	secret_free(cfg->irc.sasl.password);
	strv_free(cfg->irc.channels, cfg->irc.nchannels);
	strv_free(cfg->irc.announce_channels, cfg->irc.nannounce_channels);
	free(cfg->irc.command_prefix);
	strv_free(cfg->team.admins, cfg->team.nadmins);
	strv_free(cfg->team.members, cfg->team.nmembers);
	for (i = 0; i < cfg->team.ngithub; i++) {
		free(cfg->team.github[i].from);
		free(cfg->team.github[i].to);
	}
	free(cfg->team.github);
	for (i = 0; i < cfg->nbridges; i++) {
		free(cfg->bridges[i].nick);
		free(cfg->bridges[i].account);
		for (j = 0; j < cfg->bridges[i].nmap; j++) {
			free(cfg->bridges[i].map[j].from);
			free(cfg->bridges[i].map[j].to);
		}
		free(cfg->bridges[i].map);
	}
	free(cfg->bridges);
	free(cfg->storage_path);
	for (i = 0; i < cfg->nroles; i++) {
		free(cfg->roles[i].name);
		strv_free(cfg->roles[i].aliases, cfg->roles[i].naliases);
		strv_free(cfg->roles[i].members, cfg->roles[i].nmembers);
		free(cfg->roles[i].timezone);
		tz_free(cfg->roles[i].tz);
		free(cfg->roles[i].announce_channel);
	}
	free(cfg->roles);
	tz_free(cfg->tz);
	free(cfg->ical_path);
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
