/*
 * cmd.c — everything commands have in common, in the manner of tmux's
 * cmd.c: splitting a line into words and options, finding the entry by
 * name, alias or "group subcommand", "did you mean" for near misses,
 * the access check, argument counting, usage replies and !help. It owns
 * no state and does no I/O: every reply goes through ctx->reply, and the
 * sink decides how to address and route it. Nothing here knows what a
 * particular command does; a command must not print its own usage.
 *
 * Lookup is deliberately strict (no unique-prefix matching): the bot
 * sits in a channel with people and other bots, so a word that is not a
 * command, nor close to one, gets silence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "ident.h"
#include "log.h"
#include "util.h"

#define CMD_WORDS_MAX	64	/* words in one command line */
#define CMD_TEXT_MAX	4096	/* bytes in one command line */
#define CMD_WORD_MAX	64	/* bytes of a command word for lookup */

/* One word of a line, and whether it began with a quote. */
struct cmd_word {
	char	*s;
	int	 quoted;
};

/* The table in use: the context's own, or the built-in one. */
static const struct cmd_entry *const *
cmd_get_table(const struct cmd_ctx *ctx)
{
	return ctx->table != NULL ? ctx->table : cmd_table;
}

/* The command prefix, "!" when the caller set none. */
static const char *
cmd_prefix(const struct cmd_ctx *ctx)
{
	return ctx->prefix != NULL ? ctx->prefix : "!";
}

/*
 * 1 if the asker may run a command now (the caller's rate limit), 0 if
 * the text is to be dropped. Asked once the text is known to be a
 * command or a near miss of one, so other bots' words cost nothing.
 */
static int
cmd_admit(struct cmd_ctx *ctx)
{
	return ctx->admit == NULL || ctx->admit(ctx);
}

/* 1 for the bytes that separate words. */
static int
cmd_isspace(char c)
{
	return c == ' ' || c == '\t';
}

/* 1 for an ASCII letter or digit. */
static int
cmd_isalnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* ASCII lower-case of c. */
static char
cmd_tolower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Free the words from cmd_split. */
static void
cmd_words_free(struct cmd_word *words, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		free(words[i].s);
}

/*
 * Split text into at most CMD_WORDS_MAX words. A double quote opens a
 * quoted part at the start of a word, or right after the first '=' of a
 * "--name=" word; inside it spaces are kept and \" and \\ are escapes.
 * Elsewhere a quote or backslash is an ordinary character, so free text
 * such as 5" or C:\path survives. Returns the count, or -1 with *cause.
 */
static int
cmd_split(const char *text, struct cmd_word *words, char **cause)
{
	const char	*p = text, *start;
	struct buf	 b;
	int		 n = 0, inq, opened, isopt;

	for (;;) {
		while (cmd_isspace(*p))
			p++;
		if (*p == '\0')
			break;
		if (n == CMD_WORDS_MAX) {
			cmd_words_free(words, n);
			*cause = xstrdup("too many words");
			return -1;
		}
		buf_init(&b);
		start = p;
		inq = opened = 0;
		isopt = p[0] == '-' && p[1] == '-';
		words[n].quoted = *p == '"';
		while (*p != '\0' && (inq || !cmd_isspace(*p))) {
			if (inq) {
				if (*p == '\\' &&
				    (p[1] == '"' || p[1] == '\\')) {
					buf_addc(&b, p[1]);
					p += 2;
				} else if (*p == '"') {
					inq = 0;
					p++;
				} else
					buf_addc(&b, *p++);
				continue;
			}
			if (*p == '"' && !opened && (p == start ||
			    (isopt && p[-1] == '=' &&
			    memchr(start, '=', p - start) == p - 1))) {
				inq = opened = 1;
				p++;
				continue;
			}
			buf_addc(&b, *p++);
		}
		if (inq) {
			buf_free(&b);
			cmd_words_free(words, n);
			*cause = xstrdup("unterminated quote");
			return -1;
		}
		words[n++].s = buf_steal(&b);
	}
	return n;
}

/*
 * Find the option name (len bytes) in spec. Returns 1 and sets
 * *takes_value if found, 0 if not.
 */
static int
cmd_spec_find(const char *spec, const char *name, size_t len,
    int *takes_value)
{
	const char	*p = spec, *item;
	size_t		 n;

	while (util_list_next(&p, &item, &n)) {
		*takes_value = n > 0 && item[n - 1] == '=';
		if (*takes_value)
			n--;
		if (n > 0 && n == len && strncmp(item, name, len) == 0)
			return 1;
	}
	return 0;
}

/* Set option name to value (NULL: a flag); a repeated option replaces. */
static void
cmd_opt_set(struct cmd_args *args, const char *name, size_t len,
    const char *value)
{
	struct cmd_opt	*o;
	size_t		 i;

	for (i = 0; i < args->nopts; i++) {
		o = &args->opts[i];
		if (strlen(o->name) == len &&
		    strncmp(o->name, name, len) == 0) {
			free(o->value);
			o->value = value != NULL ? xstrdup(value) : NULL;
			return;
		}
	}
	args->opts = xreallocarray(args->opts, args->nopts + 1,
	    sizeof *args->opts);
	o = &args->opts[args->nopts++];
	o->name = xstrndup(name, len);
	o->value = value != NULL ? xstrdup(value) : NULL;
}

/* 1 if w is an option word: unquoted "--" then a letter or digit. */
static int
cmd_is_option(const struct cmd_word *w)
{
	return !w->quoted && w->s[0] == '-' && w->s[1] == '-' &&
	    cmd_isalnum(w->s[2]);
}

/*
 * Split text into positional words and options per spec. A quoted word
 * is never an option; "--" alone ends options; "-5" or "-" is
 * positional. Returns 0, or -1 with *cause (caller frees) and args empty.
 */
int
cmd_parse_args(const char *text, const char *spec, struct cmd_args *args,
    char **cause)
{
	struct cmd_word	 words[CMD_WORDS_MAX];
	struct cmd_word	*w, *next;
	const char	*name, *eq, *value;
	size_t		 len;
	int		 n, i, takes, ended = 0;

	memset(args, 0, sizeof *args);
	*cause = NULL;
	if (text == NULL)
		text = "";
	if (strlen(text) > CMD_TEXT_MAX) {
		*cause = xstrdup("command too long");
		return -1;
	}
	n = cmd_split(text, words, cause);
	if (n == -1)
		return -1;

	args->argv = xcalloc((size_t)n + 1, sizeof *args->argv);
	for (i = 0; i < n; i++) {
		w = &words[i];
		if (!ended && !w->quoted && strcmp(w->s, "--") == 0) {
			ended = 1;
			continue;
		}
		if (ended || !cmd_is_option(w)) {
			args->argv[args->argc++] = w->s;
			w->s = NULL;
			continue;
		}
		name = w->s + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		if (!cmd_spec_find(spec, name, len, &takes)) {
			*cause = xasprintf("unknown option --%.*s", (int)len,
			    name);
			goto fail;
		}
		if (!takes) {
			if (eq != NULL) {
				*cause = xasprintf("--%.*s takes no value",
				    (int)len, name);
				goto fail;
			}
			cmd_opt_set(args, name, len, NULL);
			continue;
		}
		if (eq != NULL)
			value = eq + 1;
		else {
			next = i + 1 < n ? &words[i + 1] : NULL;
			if (next == NULL || cmd_is_option(next) ||
			    (!next->quoted && strcmp(next->s, "--") == 0)) {
				*cause = xasprintf("--%.*s needs a value",
				    (int)len, name);
				goto fail;
			}
			value = next->s;
			i++;
		}
		cmd_opt_set(args, name, len, value);
	}
	cmd_words_free(words, n);
	return 0;

fail:
	cmd_words_free(words, n);
	cmd_args_free(args);
	return -1;
}

/* Free what cmd_parse_args filled in; args is left empty. */
void
cmd_args_free(struct cmd_args *args)
{
	size_t	 i;
	int	 j;

	if (args == NULL)
		return;
	for (j = 0; j < args->argc; j++)
		free(args->argv[j]);
	free(args->argv);
	for (i = 0; i < args->nopts; i++) {
		free(args->opts[i].name);
		free(args->opts[i].value);
	}
	free(args->opts);
	memset(args, 0, sizeof *args);
}

/* The value of option name, "" for a present flag, NULL if absent. */
const char *
cmd_opt(const struct cmd_args *args, const char *name)
{
	size_t	 i;

	for (i = 0; i < args->nopts; i++) {
		if (strcmp(args->opts[i].name, name) == 0)
			return args->opts[i].value != NULL ?
			    args->opts[i].value : "";
	}
	return NULL;
}

/* argv[from..] joined by single spaces (caller frees; "" if none). */
char *
cmd_args_join(const struct cmd_args *args, int from)
{
	struct buf	 b;
	int		 i, start = from < 0 ? 0 : from;

	buf_init(&b);
	for (i = start; i < args->argc; i++) {
		if (i > start)
			buf_addc(&b, ' ');
		buf_addstr(&b, args->argv[i]);
	}
	return buf_steal(&b);
}

/* "usage: !name usage" into buf. */
void
cmd_usage(const struct cmd_ctx *ctx, const struct cmd_entry *entry,
    char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "usage: %s%s%s%s", cmd_prefix(ctx), entry->name,
	    entry->usage != NULL && *entry->usage != '\0' ? " " : "",
	    entry->usage != NULL ? entry->usage : "");
}

/* Format a reply and hand it to the context's sink. */
void
cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	cmd_say(ctx, text);
	free(text);
}

/* Hand text to the context's sink as it is (NULL: an empty line). */
void
cmd_say(struct cmd_ctx *ctx, const char *text)
{
	if (text == NULL)
		text = "";
	if (ctx->reply != NULL)
		ctx->reply(ctx, text);
	else
		log_debug("cmd", "reply without a sink: %s", text);
}

/* Levenshtein distance over at most UTIL_EDITS_MAX bytes of each input. */
int
cmd_distance(const char *a, const char *b)
{
	return util_edits(a, b, 0);
}

/*
 * The near-miss score of word against candidate (len bytes): the edit
 * distance when word is a near miss of it (not equal), else -1. The bot
 * sits among people and other bots, so this is strict: words under four
 * bytes never match ("hi", "ok", "lol", "the", "why"); up to five bytes
 * allow one edit, longer words two, where a swap of two neighbours is
 * one edit. So "hlep", "relaod" and "verison" find their commands, while
 * another bot's "!tell" or "!task" gets silence.
 */
static int
cmd_near(const char *word, const char *candidate, size_t len)
{
	char	 cand[CMD_WORD_MAX];
	size_t	 wlen = strlen(word);
	int	 d;

	if (wlen < 4 || len == 0 || len >= sizeof cand)
		return -1;
	memcpy(cand, candidate, len);
	cand[len] = '\0';
	d = util_edits(word, cand, 1);
	return d >= 1 && d <= (wlen >= 6 ? 2 : 1) ? d : -1;
}

/*
 * Copy the next word of *p (lower-cased ASCII) into out and advance *p
 * past it. Returns 0, or -1 if the word does not fit (then it is not a
 * command name). An empty out means the text ended.
 */
static int
cmd_next_word(const char **p, char *out, size_t outsz)
{
	const char	*s = *p;
	size_t		 n = 0;

	while (cmd_isspace(*s))
		s++;
	while (*s != '\0' && !cmd_isspace(*s)) {
		if (n + 1 >= outsz)
			return -1;
		out[n++] = cmd_tolower(*s++);
	}
	out[n] = '\0';
	*p = s;
	return 0;
}

/* 1 if the comma-separated alias list contains word (ASCII nocase). */
static int
cmd_alias_has(const char *alias, const char *word)
{
	const char	*p = alias, *item;
	size_t		 n, len = strlen(word);

	if (len == 0)
		return 0;
	while (util_list_next(&p, &item, &n)) {
		if (n == len && strncasecmp(item, word, len) == 0)
			return 1;
	}
	return 0;
}

/* The entry named name exactly (ASCII nocase), or NULL. */
static const struct cmd_entry *
cmd_find_name(const struct cmd_entry *const *table, const char *name)
{
	for (; *table != NULL; table++) {
		if (strcasecmp((*table)->name, name) == 0)
			return *table;
	}
	return NULL;
}

/* The entry named word or with word among its aliases, or NULL. */
static const struct cmd_entry *
cmd_find_word(const struct cmd_entry *const *table, const char *word)
{
	const struct cmd_entry	*e = cmd_find_name(table, word);

	if (e != NULL)
		return e;
	for (; *table != NULL; table++) {
		if (cmd_alias_has((*table)->alias, word))
			return *table;
	}
	return NULL;
}

/* 1 if entry e is a subcommand of group word ("outage" for "outage open"). */
static int
cmd_in_group(const struct cmd_entry *e, const char *word)
{
	size_t	 len = strlen(word);

	return len > 0 && strncasecmp(e->name, word, len) == 0 &&
	    e->name[len] == ' ';
}

/* 1 if some entry is a subcommand of group word. */
static int
cmd_is_group(const struct cmd_entry *const *table, const char *word)
{
	for (; *table != NULL; table++) {
		if (cmd_in_group(*table, word))
			return 1;
	}
	return 0;
}

/* The subcommand of group word that sub is a near miss of, or NULL. */
static const struct cmd_entry *
cmd_near_sub(const struct cmd_entry *const *table, const char *word,
    const char *sub)
{
	const struct cmd_entry	*best = NULL;
	const char		*tail;
	int			 d, bestd = 0;

	for (; *table != NULL; table++) {
		if (!cmd_in_group(*table, word))
			continue;
		tail = (*table)->name + strlen(word) + 1;
		if (strcasecmp(tail, sub) == 0)
			return *table;
		d = cmd_near(sub, tail, strlen(tail));
		if (d < 0)
			continue;
		if (best == NULL || d < bestd) {
			best = *table;
			bestd = d;
		}
	}
	return best;
}

/* Reply "usage: !outage open|update|resolve ..." for group word. */
static void
cmd_group_usage(struct cmd_ctx *ctx, const struct cmd_entry *const *table,
    const char *word)
{
	struct buf	 b;
	const char	*first = NULL;

	buf_init(&b);
	for (; *table != NULL; table++) {
		if (!cmd_in_group(*table, word))
			continue;
		if (first == NULL) {
			first = (*table)->name;
			buf_printf(&b, "usage: %s%.*s ", cmd_prefix(ctx),
			    (int)strlen(word), first);
		} else
			buf_addc(&b, '|');
		buf_addstr(&b, (*table)->name + strlen(word) + 1);
	}
	buf_addstr(&b, " ...");
	cmd_say(ctx, b.data);
	buf_free(&b);
}

/*
 * The closest first word (of a name or an alias) that w1 is a near miss
 * of, written into out; returns 0, or -1 if there is none.
 */
static int
cmd_closest(const struct cmd_entry *const *table, const char *w1, char *out,
    size_t outsz)
{
	const char	*p, *item;
	size_t		 n;
	int		 d, bestd = -1;

	for (; *table != NULL; table++) {
		item = (*table)->name;
		n = strcspn(item, " ");
		p = (*table)->alias;
		do {
			d = cmd_near(w1, item, n);
			if (d >= 0 && (bestd == -1 || d < bestd)) {
				bestd = d;
				snprintf(out, outsz, "%.*s", (int)n, item);
			}
		} while (util_list_next(&p, &item, &n));
	}
	return bestd == -1 ? -1 : 0;
}

/*
 * Suggest a near miss for unknown w1 (and w2): "did you mean !outage
 * list?". Returns 1 if it replied, 0 for silence.
 */
static int
cmd_suggest(struct cmd_ctx *ctx, const struct cmd_entry *const *table,
    const char *w1, const char *w2)
{
	const struct cmd_entry	*sub;
	char			 best[CMD_WORD_MAX];

	if (cmd_closest(table, w1, best, sizeof best) != 0)
		return 0;
	if (!cmd_admit(ctx))
		return 1;
	if (cmd_find_word(table, best) == NULL && *w2 != '\0') {
		sub = cmd_near_sub(table, best, w2);
		if (sub != NULL) {
			cmd_reply(ctx, "did you mean %s%s?", cmd_prefix(ctx),
			    sub->name);
			return 1;
		}
	}
	cmd_reply(ctx, "did you mean %s%s?", cmd_prefix(ctx), best);
	return 1;
}

/* Reply "!name needs LEVEL access (why)". */
static void
cmd_refuse(struct cmd_ctx *ctx, const struct cmd_entry *entry)
{
	char		 buf[256];
	const char	*why = NULL;

	if (ctx->who != NULL)
		why = ident_why(ctx->who, buf, sizeof buf);
	if (why != NULL)
		cmd_reply(ctx, "%s%s needs %s access (%s)", cmd_prefix(ctx),
		    entry->name, ident_level_name(entry->level), why);
	else
		cmd_reply(ctx, "%s%s needs %s access", cmd_prefix(ctx),
		    entry->name, ident_level_name(entry->level));
}

/* rest without leading and trailing spaces (caller frees). */
static char *
cmd_trim(const char *rest)
{
	size_t	 len;

	while (cmd_isspace(*rest))
		rest++;
	len = strlen(rest);
	while (len > 0 && cmd_isspace(rest[len - 1]))
		len--;
	return xstrndup(rest, len);
}

/* Reply with entry's usage, after cause when there is one. */
static void
cmd_reply_usage(struct cmd_ctx *ctx, const struct cmd_entry *entry,
    const char *cause)
{
	char	 usage[512];

	cmd_usage(ctx, entry, usage, sizeof usage);
	if (cause != NULL)
		cmd_reply(ctx, "%s; %s", cause, usage);
	else
		cmd_say(ctx, usage);
}

/* Check and run entry with the argument text rest. */
static void
cmd_run(struct cmd_ctx *ctx, const struct cmd_entry *entry, const char *rest)
{
	struct cmd_args	 args;
	enum access	 level;
	enum cmd_retval	 rv;
	char		*cause, *trimmed;

	ctx->entry = entry;
	if (!cmd_admit(ctx))
		return;
	level = ctx->who != NULL ? ctx->who->level : ACCESS_PUBLIC;
	if (level < entry->level) {
		cmd_refuse(ctx, entry);
		return;
	}
	if (cmd_parse_args(rest, entry->options, &args, &cause) != 0) {
		cmd_reply_usage(ctx, entry, cause);
		free(cause);
		return;
	}
	if (args.argc < entry->args_min ||
	    (entry->args_max >= 0 && args.argc > entry->args_max)) {
		cmd_reply_usage(ctx, entry, NULL);
		cmd_args_free(&args);
		return;
	}
	trimmed = cmd_trim(rest);
	if (ctx->accepted != NULL)
		ctx->accepted(ctx, entry->name, trimmed);
	ctx->args_text = trimmed;
	rv = entry->exec != NULL ? entry->exec(ctx, &args) : CMD_RETURN_NORMAL;
	if (rv == CMD_RETURN_USAGE)
		cmd_reply_usage(ctx, entry, NULL);
	ctx->args_text = NULL;
	free(trimmed);
	cmd_args_free(&args);
}

/*
 * Run the command in text (prefix removed). Lookup order: "w1 w2" as a
 * subcommand, then w1 as a name or alias, then w1 as a group of
 * subcommands (usage or "did you mean"), then a near miss. Returns 1 if
 * handled, 0 if the text is not a command.
 */
int
cmd_dispatch(struct cmd_ctx *ctx, const char *text)
{
	const struct cmd_entry *const	*table = cmd_get_table(ctx);
	const struct cmd_entry		*e;
	const char			*p = text, *rest1, *rest2;
	char				 w1[CMD_WORD_MAX], w2[CMD_WORD_MAX];
	char				 both[CMD_WORD_MAX * 2];

	ctx->entry = NULL;
	if (text == NULL || cmd_next_word(&p, w1, sizeof w1) != 0 ||
	    *w1 == '\0')
		return 0;
	rest1 = p;
	if (cmd_next_word(&p, w2, sizeof w2) != 0)
		w2[0] = '\0';
	rest2 = p;

	if (*w2 != '\0') {
		snprintf(both, sizeof both, "%s %s", w1, w2);
		e = cmd_find_name(table, both);
		if (e != NULL) {
			cmd_run(ctx, e, rest2);
			return 1;
		}
	}
	e = cmd_find_word(table, w1);
	if (e != NULL) {
		cmd_run(ctx, e, rest1);
		return 1;
	}
	if (cmd_is_group(table, w1)) {
		if (!cmd_admit(ctx))
			return 1;
		e = *w2 != '\0' ? cmd_near_sub(table, w1, w2) : NULL;
		if (e != NULL)
			cmd_reply(ctx, "did you mean %s%s?", cmd_prefix(ctx),
			    e->name);
		else
			cmd_group_usage(ctx, table, w1);
		return 1;
	}
	return cmd_suggest(ctx, table, w1, w2);
}

/* One "usage: !name usage — about" line for entry. */
static void
cmd_help_line(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	char	 usage[512];

	cmd_usage(ctx, e, usage, sizeof usage);
	if (e->about != NULL && *e->about != '\0')
		cmd_reply(ctx, "%s \xe2\x80\x94 %s", usage, e->about);
	else
		cmd_say(ctx, usage);
}

/* "commands: !a, !b — !help COMMAND for details" (first words, once). */
static void
cmd_help_list(struct cmd_ctx *ctx, const struct cmd_entry *const *table)
{
	const struct cmd_entry *const	*t, *const *u;
	struct buf			 b;
	size_t				 n;
	int				 seen;

	buf_init(&b);
	buf_addstr(&b, "commands:");
	for (t = table; *t != NULL; t++) {
		n = strcspn((*t)->name, " ");
		seen = 0;
		for (u = table; u != t; u++) {
			if (strncasecmp((*u)->name, (*t)->name, n) == 0 &&
			    ((*u)->name[n] == ' ' || (*u)->name[n] == '\0')) {
				seen = 1;
				break;
			}
		}
		if (seen)
			continue;
		buf_printf(&b, "%s %s%.*s", t == table ? "" : ",",
		    cmd_prefix(ctx), (int)n, (*t)->name);
	}
	buf_printf(&b, " \xe2\x80\x94 %shelp COMMAND for details",
	    cmd_prefix(ctx));
	cmd_say(ctx, b.data);
	buf_free(&b);
}

/*
 * !help: the list of commands, or the usage of the command named by the
 * arguments ("outage open", an alias, or a group: one line per
 * subcommand). A leading command prefix on the topic is ignored.
 */
enum cmd_retval
cmd_help(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cmd_entry *const	*table = cmd_get_table(ctx);
	const struct cmd_entry *const	*t;
	const struct cmd_entry		*e;
	const char			*prefix = cmd_prefix(ctx), *topic;
	char				*joined, *lower;
	size_t				 i, plen = strlen(prefix);
	int				 found = 0;

	if (args->argc == 0) {
		cmd_help_list(ctx, table);
		return CMD_RETURN_NORMAL;
	}
	joined = cmd_args_join(args, 0);
	topic = joined;
	if (plen > 0 && strncmp(topic, prefix, plen) == 0)
		topic += plen;
	lower = xstrdup(topic);
	for (i = 0; lower[i] != '\0'; i++)
		lower[i] = cmd_tolower(lower[i]);

	e = cmd_find_name(table, lower);
	if (e == NULL && strchr(lower, ' ') == NULL)
		e = cmd_find_word(table, lower);
	if (e != NULL) {
		cmd_help_line(ctx, e);
		found = 1;
	}
	if (strchr(lower, ' ') == NULL && *lower != '\0') {
		for (t = table; *t != NULL; t++) {
			if (cmd_in_group(*t, lower)) {
				cmd_help_line(ctx, *t);
				found = 1;
			}
		}
	}
	if (!found)
		cmd_reply(ctx, "no such command: %s%s", prefix, topic);
	free(lower);
	free(joined);
	return CMD_RETURN_NORMAL;
}

/* Parse an id written "12" or "#12" (1 to 2^53). 0 and *id, or -1. */
int
cmd_parse_id(const char *word, long long *id)
{
	if (word == NULL)
		return -1;
	if (*word == '#')
		word++;
	return util_strtonum(word, 1, CMD_ID_MAX, id);
}
