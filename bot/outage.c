/*
 * outage.c — the outage model and its state machine (DESIGN §5).
 *
 * Owns the words (severities, states), the reading of affected
 * components against the configured list, and the rules for updates
 * and resolves: an update applies to an open outage only, never sets
 * the state to resolved (resolve does), and must change something or
 * say something. Everything here is pure: no store, no IRC, no clock
 * of its own; the caller passes "now".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outage.h"
#include "util.h"

static const char *const severity_names[] = {
	"notice", "disrupted", "down"
};

static const char *const state_names[] = {
	"investigating", "identified", "monitoring", "resolved"
};


/* Free the fields of o and zero it. */
void
outage_clear(struct outage *o)
{
	size_t	 i;

	if (o == NULL)
		return;
	free(o->title);
	outage_names_free(o->affected, o->naffected);
	free(o->alternatives);
	free(o->cause);
	free(o->master);
	free(o->opened_by);
	free(o->issue_url);
	for (i = 0; i < o->nupdates; i++) {
		free(o->updates[i].author);
		free(o->updates[i].text);
	}
	free(o->updates);
	memset(o, 0, sizeof(*o));
}

/* The index of word in names (any case), or -1. */
static int
outage_word_parse(const char *const *names, size_t n, const char *word)
{
	size_t	 i;

	for (i = 0; word != NULL && i < n; i++)
		if (strcasecmp(word, names[i]) == 0)
			return (int)i;
	return -1;
}

/* The word for a severity. */
const char *
outage_severity_name(enum outage_severity s)
{
	if ((size_t)s >= nitems(severity_names))
		return "disrupted";
	return severity_names[s];
}

/* The severity a word names, or -1. */
int
outage_severity_parse(const char *word)
{
	return outage_word_parse(severity_names, nitems(severity_names),
	    word);
}

/* The word for a state. */
const char *
outage_state_name(enum outage_state s)
{
	if ((size_t)s >= nitems(state_names))
		return "investigating";
	return state_names[s];
}

/* The state a word names, or -1. */
int
outage_state_parse(const char *word)
{
	return outage_word_parse(state_names, nitems(state_names), word);
}

/* Free a list of names. */
void
outage_names_free(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A trimmed copy of s[0..len). */
static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* The configured spelling of name, or NULL when it is not configured. */
static const char *
component_find(char *const *components, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcasecmp(components[i], name) == 0)
			return components[i];
	return NULL;
}

/* "unknown component "X" (known: A, B)". Caller frees. */
static char *
unknown_component(const char *name, char *const *components, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_printf(&b, "unknown component \"%s\" (known: ", name);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", components[i]);
	buf_addc(&b, ')');
	return buf_steal(&b);
}

/* Read "A,B" against the configured components. */
int
outage_affected_parse(const char *text, char *const *components,
    size_t ncomponents, char ***out, size_t *nout, char **cause)
{
	char		**names = NULL;
	size_t		  n = 0, i, len;
	const char	 *p = text, *item, *known;
	char		 *name;
	int		  dup;

	*out = NULL;
	*nout = 0;
	while (util_list_next(&p, &item, &len)) {
		name = trimmed(item, len);
		known = name;
		if (*name != '\0' && ncomponents > 0 && (known =
		    component_find(components, ncomponents, name)) == NULL) {
			*cause = unknown_component(name, components,
			    ncomponents);
			free(name);
			outage_names_free(names, n);
			return -1;
		}
		for (dup = *name == '\0', i = 0; i < n && !dup; i++)
			dup = strcasecmp(names[i], known) == 0;
		if (!dup) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(known);
		}
		free(name);
	}
	if (n == 0) {
		*cause = xstrdup("no component named (use --affected A,B)");
		return -1;
	}
	*out = names;
	*nout = n;
	return 0;
}

/* A change with every field "unchanged". */
void
outage_change_init(struct outage_change *c)
{
	memset(c, 0, sizeof(*c));
	c->state = -1;
	c->severity = -1;
	c->eta = (time_t)-1;
}

/* Does the change touch any field? */
static int
change_empty(const struct outage_change *c)
{
	return c->state < 0 && c->severity < 0 && !c->set_affected &&
	    c->eta == (time_t)-1 && c->master == NULL &&
	    c->alternatives == NULL && c->cause == NULL &&
	    (c->text == NULL || *c->text == '\0');
}

/* May change be applied to o as an update? */
int
outage_update_check(const struct outage *o, const struct outage_change *c,
    char **cause)
{
	if (o->state == OUTAGE_RESOLVED) {
		*cause = xasprintf("outage #%lld is resolved; open a new one",
		    o->id);
		return -1;
	}
	if (c->state == OUTAGE_RESOLVED) {
		*cause = xasprintf("to resolve it, say !outage resolve %lld",
		    o->id);
		return -1;
	}
	if (change_empty(c)) {
		*cause = xstrdup("say what changed (text or an option)");
		return -1;
	}
	return 0;
}

/* May o be resolved? */
int
outage_resolve_check(const struct outage *o, char **cause)
{
	if (o->state == OUTAGE_RESOLVED) {
		*cause = xasprintf("outage #%lld is already resolved", o->id);
		return -1;
	}
	return 0;
}

/* Replace *field with a copy of value when value is set. */
static void
replace(char **field, const char *value)
{
	if (value == NULL)
		return;
	free(*field);
	*field = *value == '\0' ? NULL : xstrdup(value);
}

/* Apply a checked change to o. */
void
outage_apply(struct outage *o, const struct outage_change *c,
    const char *author, time_t now)
{
	struct outage_update	*u;
	size_t			 i;

	if (c->severity >= 0)
		o->severity = (enum outage_severity)c->severity;
	if (c->set_affected) {
		outage_names_free(o->affected, o->naffected);
		o->affected = xcalloc(c->naffected + 1, sizeof(char *));
		for (i = 0; i < c->naffected; i++)
			o->affected[i] = xstrdup(c->affected[i]);
		o->naffected = c->naffected;
	}
	if (c->eta != (time_t)-1)
		o->eta = c->eta;
	replace(&o->master, c->master);
	replace(&o->alternatives, c->alternatives);
	replace(&o->cause, c->cause);

	o->updates = xreallocarray(o->updates, o->nupdates + 1,
	    sizeof(*o->updates));
	u = &o->updates[o->nupdates++];
	memset(u, 0, sizeof(*u));
	u->at = now;
	u->author = xstrdup(author != NULL ? author : "");
	u->text = xstrdup(c->text != NULL ? c->text : "");
	u->state_changed = c->state >= 0 && c->state != (int)o->state;
	if (c->state >= 0)
		o->state = (enum outage_state)c->state;
	u->state = o->state;
	o->updated_at = now;
	if (o->state == OUTAGE_RESOLVED)
		o->resolved_at = now;
}
