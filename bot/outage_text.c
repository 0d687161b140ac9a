/*
 * outage_text.c — the texts of an outage for the channel and for GitHub
 * (DESIGN §5). Pure: no I/O. Every piece of typed text passes through
 * outage_text_line (channel) or outage_text_md (GitHub) on its way out,
 * so a title with CR/LF, Markdown, HTML or an @mention is shown as typed
 * and harms nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outage.h"
#include "outage_text.h"
#include "util.h"
#include "when.h"

/* U+2014 EM DASH and U+200B ZERO WIDTH SPACE in UTF-8. */
#define DASH	" \xe2\x80\x94 "
#define ZWSP	"\xe2\x80\x8b"

/* Is c a control byte (C0 or DEL)? */
static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Append s as one line: control bytes become spaces. */
void
outage_text_line(struct buf *b, const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		buf_addc(b, is_ctl(*p) ? ' ' : (char)*p);
}

/* Append s escaped for GitHub Markdown, as one paragraph. */
void
outage_text_md(struct buf *b, const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (is_ctl(*p)) {
			buf_addc(b, ' ');
			continue;
		}
		switch (*p) {
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '@':
			buf_addstr(b, "@" ZWSP);
			break;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '(': case ')': case '!': case '|': case '~': case '#':
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
			break;
		default:
			buf_addc(b, (char)*p);
			break;
		}
	}
}

/* Is s a plain http(s) URL that Markdown shows as a link unharmed? */
static int
plain_url(const char *s)
{
	const char	*p;

	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (is_ctl((unsigned char)*p) || strchr(" <>\"`\\", *p) != NULL ||
		    (unsigned char)*p >= 0x80)
			return 0;
	return 1;
}

/* Append a link as an autolink when it is a plain URL, else as text. */
static void
md_link(struct buf *b, const char *url)
{
	if (plain_url(url)) {
		buf_printf(b, "<%s>", url);
		return;
	}
	outage_text_md(b, url);
}

/* t in UTC as "2026-11-30 16:00 UTC". */
static void
utc(struct buf *b, time_t t)
{
	struct tm	 tm;
	char		 s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm);
	buf_addstr(b, s);
}

/* Append the affected components, comma-separated, or fallback. */
void
outage_text_affected(struct buf *b, const struct outage *o,
    const char *fallback, void (*put)(struct buf *, const char *))
{
	size_t	 i;

	if (o->naffected == 0) {
		buf_addstr(b, fallback);
		return;
	}
	for (i = 0; i < o->naffected; i++) {
		if (i > 0)
			buf_addstr(b, ", ");
		put(b, o->affected[i]);
	}
}

/* "[outage #12 disrupted] Title" — the head of every channel line. */
static void
line_head(struct buf *b, const struct outage *o, const char *word)
{
	buf_printf(b, "[outage #%lld %s] ", o->id, word);
	outage_text_line(b, o->title);
}

/* " — affected: A, B — ETA ... — master: alice". */
static void
line_tail(struct buf *b, const struct outage *o,
    const struct outage_text_env *env)
{
	char	 when[64];

	if (o->naffected > 0) {
		buf_addstr(b, DASH "affected: ");
		outage_text_affected(b, o, "", outage_text_line);
	}
	if (o->eta != 0 && o->state != OUTAGE_RESOLVED)
		buf_printf(b, DASH "ETA %s",
		    when_format(env->tz, o->eta, env->now, when, sizeof(when)));
	if (o->alternatives != NULL && o->state != OUTAGE_RESOLVED) {
		buf_addstr(b, DASH "alternatives: ");
		outage_text_line(b, o->alternatives);
	}
	if (o->master != NULL) {
		buf_addstr(b, DASH "master: ");
		outage_text_line(b, o->master);
	}
}

/* The text of the newest timeline entry, or NULL. */
static const char *
last_text(const struct outage *o)
{
	if (o->nupdates == 0 || o->updates[o->nupdates - 1].text == NULL ||
	    *o->updates[o->nupdates - 1].text == '\0')
		return NULL;
	return o->updates[o->nupdates - 1].text;
}

/* The open announcement. */
char *
outage_line_open(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;

	buf_init(&b);
	line_head(&b, o, outage_severity_name(o->severity));
	line_tail(&b, o, env);
	return buf_steal(&b);
}

/* The update announcement. */
char *
outage_line_update(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;
	const char	*text = last_text(o);

	buf_init(&b);
	buf_printf(&b, "[outage #%lld %s, %s] ", o->id,
	    outage_state_name(o->state), outage_severity_name(o->severity));
	outage_text_line(&b, o->title);
	if (text != NULL) {
		buf_addstr(&b, ": ");
		outage_text_line(&b, text);
	}
	line_tail(&b, o, env);
	return buf_steal(&b);
}

/* The resolve announcement, with the duration. */
char *
outage_line_resolve(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;
	const char	*text = last_text(o);
	char		 d[32];

	buf_init(&b);
	line_head(&b, o, "resolved");
	util_fmt_duration((long long)(o->resolved_at - o->opened_at) * 1000,
	    d, sizeof(d));
	buf_printf(&b, DASH "after %s", d);
	if (text != NULL) {
		buf_addstr(&b, DASH);
		outage_text_line(&b, text);
	}
	line_tail(&b, o, env);
	return buf_steal(&b);
}

/* "outage #12 is tracked at URL — status page: URL". */
char *
outage_line_tracked(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "outage #%lld is tracked at ", o->id);
	outage_text_line(&b, o->issue_url);
	if (env->status_url != NULL) {
		buf_addstr(&b, DASH "status page: ");
		outage_text_line(&b, env->status_url);
	}
	return buf_steal(&b);
}

/* "#12 disrupted, investigating: Title (Copr) — opened Mon ... by bob". */
char *
outage_line_brief(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;
	char		 when[64], d[32];

	buf_init(&b);
	buf_printf(&b, "#%lld %s, %s: ", o->id,
	    outage_severity_name(o->severity), outage_state_name(o->state));
	outage_text_line(&b, o->title);
	if (o->naffected > 0) {
		buf_addstr(&b, " (");
		outage_text_affected(&b, o, "", outage_text_line);
		buf_addc(&b, ')');
	}
	buf_printf(&b, DASH "opened %s",
	    when_format(env->tz, o->opened_at, env->now, when, sizeof(when)));
	if (o->state == OUTAGE_RESOLVED) {
		util_fmt_duration((long long)(o->resolved_at - o->opened_at) *
		    1000, d, sizeof(d));
		buf_printf(&b, ", lasted %s", d);
	} else if (o->master != NULL) {
		buf_addstr(&b, ", master ");
		outage_text_line(&b, o->master);
	}
	return buf_steal(&b);
}

/* "alice: outage #12 has had no update for 1h — ...". */
char *
outage_line_stale(const struct outage *o, long long quiet_ms)
{
	struct buf	 b;
	char		 d[32];

	buf_init(&b);
	util_fmt_duration(quiet_ms, d, sizeof(d));
	if (o->master != NULL) {
		outage_text_line(&b, o->master);
		buf_addstr(&b, ": ");
	}
	buf_printf(&b, "outage #%lld has had no update for %s; "
	    "tell users where it stands: !outage update %lld TEXT",
	    o->id, d, o->id);
	return buf_steal(&b);
}

/* "alice: outage #12: no ETA yet — users want one (...)". */
char *
outage_line_no_eta(const struct outage *o)
{
	struct buf	 b;

	buf_init(&b);
	if (o->master != NULL) {
		outage_text_line(&b, o->master);
		buf_addstr(&b, ": ");
	}
	buf_printf(&b, "outage #%lld: no ETA yet" DASH "users want one "
	    "(!outage update %lld --eta 16:00)", o->id, o->id);
	return buf_steal(&b);
}

/* Is o open and about component c (NULL: about no component)? */
static int
about(const struct outage *o, const char *c)
{
	size_t	 j;

	if (o->state == OUTAGE_RESOLVED)
		return 0;
	if (c == NULL)
		return o->naffected == 0;
	for (j = 0; j < o->naffected; j++)
		if (strcmp(o->affected[j], c) == 0)
			return 1;
	return 0;
}

/* "Copr: down (#12, #13)" for component c when an open outage is about
 * it, with the worst severity; appended to b after sep. Returns 1 when
 * something was appended. */
static int
status_component(struct buf *b, const struct outage *const *os, size_t n,
    const char *c, const char *sep)
{
	size_t	 i, hits = 0;
	int	 worst = -1;

	for (i = 0; i < n; i++)
		if (about(os[i], c) && (int)os[i]->severity > worst)
			worst = (int)os[i]->severity;
	if (worst < 0)
		return 0;
	buf_addstr(b, sep);
	outage_text_line(b, c != NULL ? c : "unspecified");
	buf_printf(b, ": %s (", outage_severity_name(worst));
	for (i = 0; i < n; i++)
		if (about(os[i], c))
			buf_printf(b, "%s#%lld", hits++ > 0 ? ", " : "",
			    os[i]->id);
	buf_addc(b, ')');
	return 1;
}

/* The !status line: each component once, in the order first named. */
char *
outage_status_line(const struct outage *const *os, size_t n)
{
	struct buf	  b;
	const char	**names = NULL;
	size_t		  nn = 0, i, j, k, parts = 0;

	for (i = 0; i < n; i++) {
		if (os[i]->state == OUTAGE_RESOLVED)
			continue;
		for (j = 0; j < os[i]->naffected; j++) {
			for (k = 0; k < nn; k++)
				if (strcmp(names[k], os[i]->affected[j]) == 0)
					break;
			if (k == nn) {
				names = xreallocarray(names, nn + 1,
				    sizeof(*names));
				names[nn++] = os[i]->affected[j];
			}
		}
	}
	buf_init(&b);
	for (k = 0; k < nn; k++)
		parts += status_component(&b, os, n, names[k],
		    parts > 0 ? "; " : "");
	parts += status_component(&b, os, n, NULL, parts > 0 ? "; " : "");
	free(names);
	if (parts == 0)
		buf_addstr(&b, "all systems operational");
	return buf_steal(&b);
}

/* The topic prefix of an open outage. */
char *
outage_topic_prefix(const struct outage *o)
{
	struct buf	 title, b;
	size_t		 len;

	buf_init(&title);
	outage_text_line(&title, o->title);
	len = title.len;
	if (len > OUTAGE_TOPIC_TITLE_MAX)
		len = util_utf8_cut(title.data, OUTAGE_TOPIC_TITLE_MAX);
	buf_init(&b);
	buf_printf(&b, "outage #%lld: %.*s%s | ", o->id, (int)len,
	    title.data != NULL ? title.data : "",
	    len < title.len ? "..." : "");
	buf_free(&title);
	return buf_steal(&b);
}

/*
 * Where prefix stands in topic, or NULL; *len gets its length there. A
 * prefix that ends the topic may have lost its trailing spaces on the
 * way (the send path and servers trim them): that counts too.
 */
static const char *
topic_find(const char *topic, const char *prefix, size_t *len)
{
	const char	*at = strstr(topic, prefix);
	size_t		 tlen = strlen(topic);

	*len = strlen(prefix);
	if (at != NULL || *len == 0)
		return at;
	while (*len > 0 && prefix[*len - 1] == ' ')
		(*len)--;
	if (*len == 0 || tlen < *len ||
	    strncmp(topic + tlen - *len, prefix, *len) != 0)
		return NULL;
	return topic + tlen - *len;
}

/* The topic with prefix in front, or NULL when it has it already. */
char *
outage_topic_add(const char *topic, const char *prefix)
{
	size_t	 len;

	if (topic_find(topic, prefix, &len) != NULL)
		return NULL;
	return xasprintf("%s%s", prefix, topic);
}

/* The topic without prefix, or NULL when prefix is not in it. */
char *
outage_topic_remove(const char *topic, const char *prefix)
{
	size_t		 len;
	const char	*at = topic_find(topic, prefix, &len);

	if (at == NULL || len == 0)
		return NULL;
	return xasprintf("%.*s%s", (int)(at - topic), topic, at + len);
}

/* The issue title: the outage title on one line. */
char *
outage_gh_title(const struct outage *o)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "Outage #%lld: ", o->id);
	outage_text_line(&b, o->title);
	return buf_steal(&b);
}

/* "<!-- outagebot:outage=<instance>/<id> -->". */
char *
outage_gh_marker(const char *instance, long long id)
{
	return xasprintf("<!-- outagebot:outage=%s/%lld -->", instance, id);
}

/* The issue body of DESIGN §5. */
char *
outage_gh_body(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;
	char		*marker;

	buf_init(&b);
	buf_addstr(&b, "**What is broken:** ");
	outage_text_md(&b, o->title);
	buf_addstr(&b, "\n**Who is affected:** ");
	outage_text_affected(&b, o, "unknown yet", outage_text_md);
	buf_addstr(&b, "\n**Alternatives:** ");
	if (o->alternatives != NULL)
		outage_text_md(&b, o->alternatives);
	else
		buf_addstr(&b, "none known");
	buf_addstr(&b, "\n**Expected fix:** ");
	if (o->eta != 0)
		utc(&b, o->eta);
	else
		buf_addstr(&b, "not known yet");
	buf_addstr(&b, "\n**Caused by:** ");
	if (o->cause != NULL)
		md_link(&b, o->cause);
	else
		buf_addstr(&b, "under investigation");
	buf_addstr(&b, "\n**Outage master:** ");
	if (env->master_login != NULL) {
		buf_addc(&b, '@');
		outage_text_md(&b, env->master_login);
	} else if (o->master != NULL)
		outage_text_md(&b, o->master);
	else
		buf_addstr(&b, "nobody yet");
	if (env->status_url != NULL) {
		buf_addstr(&b, "\n**Status page:** ");
		md_link(&b, env->status_url);
	}
	marker = outage_gh_marker(env->instance, o->id);
	buf_printf(&b, "\n\nUpdates are posted below as comments.\n%s\n",
	    marker);
	free(marker);
	return buf_steal(&b);
}

/* "Severity: down · Affected: A · ETA: ..." after an update. */
static void
md_facts(struct buf *b, const struct outage *o)
{
	buf_printf(b, "\n\nSeverity: %s" DASH "Affected: ",
	    outage_severity_name(o->severity));
	outage_text_affected(b, o, "unknown yet", outage_text_md);
	if (o->state != OUTAGE_RESOLVED) {
		buf_addstr(b, DASH "Expected fix: ");
		if (o->eta != 0)
			utc(b, o->eta);
		else
			buf_addstr(b, "not known yet");
	}
	buf_addc(b, '\n');
}

/* One timeline entry as "**State** — author, time" and its text. */
static void
md_entry(struct buf *b, const struct outage_update *u)
{
	const char	*w = outage_state_name(u->state);

	buf_printf(b, "**%c%s**" DASH, toupper((unsigned char)w[0]), w + 1);
	outage_text_md(b, u->author);
	buf_addstr(b, ", ");
	utc(b, u->at);
	if (u->text != NULL && *u->text != '\0') {
		buf_addstr(b, "\n\n");
		outage_text_md(b, u->text);
	}
}

/* The comment for the newest update. */
char *
outage_gh_update(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;

	buf_init(&b);
	if (o->nupdates > 0)
		md_entry(&b, &o->updates[o->nupdates - 1]);
	md_facts(&b, o);
	return buf_steal(&b);
}

/* The resolve comment: the last word, the timeline, the duration and
 * the headings of a postmortem. */
char *
outage_gh_resolve(const struct outage *o, const struct outage_text_env *env)
{
	struct buf	 b;
	size_t		 i;
	char		 d[32];

	buf_init(&b);
	if (o->nupdates > 0)
		md_entry(&b, &o->updates[o->nupdates - 1]);
	util_fmt_duration((long long)(o->resolved_at - o->opened_at) * 1000,
	    d, sizeof(d));
	buf_printf(&b, "\n\n**Duration:** %s\n\n## Timeline (UTC)\n\n", d);
	buf_addstr(&b, "- ");
	utc(&b, o->opened_at);
	buf_addstr(&b, DASH "opened by ");
	outage_text_md(&b, o->opened_by);
	buf_printf(&b, " (%s)\n", outage_severity_name(o->severity));
	for (i = 0; i < o->nupdates; i++) {
		buf_addstr(&b, "- ");
		utc(&b, o->updates[i].at);
		buf_printf(&b, DASH "%s" DASH,
		    outage_state_name(o->updates[i].state));
		outage_text_md(&b, o->updates[i].author);
		if (*o->updates[i].text != '\0') {
			buf_addstr(&b, ": ");
			outage_text_md(&b, o->updates[i].text);
		}
		buf_addc(&b, '\n');
	}
	buf_addstr(&b, "\n## Impact\n\n_Who was affected, and how?_\n\n"
	    "## Root cause\n\n_What broke, and why?_\n\n"
	    "## Follow-ups\n\n- [ ] \n");
	return buf_steal(&b);
}
