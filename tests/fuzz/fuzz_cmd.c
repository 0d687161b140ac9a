/*
 * fuzz_cmd.c — libFuzzer target for bot/cmd.c and bot/cmd_core.c. The
 * first input byte picks the speaker's level and the command prefix;
 * the rest, cut at its first NUL, is parsed with a fixed option spec
 * (cmd_parse_args) and dispatched against the real table (cmd_dispatch)
 * with a sink that checks what it is given. The table and the fake
 * reload are tests/unit/fixtures.h's. Broken invariants abort(),
 * which libFuzzer reports as a crash.
 *
 * Must not keep state between inputs or write anywhere: run.sh runs it
 * for a bounded time and only a crash counts.
 */
/* deps: cmd cmd_core ident ircmsg util log */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ident.h"
#include "util.h"

#include "../unit/fixtures.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What the sink saw for one dispatch. */
struct fuzz_sink {
	int	 replies;
	int	 accepted;
};

/* Reply sink: a reply is a non-empty string. */
static void
fuzz_reply(struct cmd_ctx *ctx, const char *text)
{
	struct fuzz_sink	*s = ctx->arg;

	fixture_check(text != NULL && *text != '\0');
	s->replies++;
}

/* Accepted hook: once per dispatch, with the entry's own name. */
static void
fuzz_accepted(struct cmd_ctx *ctx, const char *name, const char *args)
{
	struct fuzz_sink	*s = ctx->arg;

	fixture_check(ctx->entry != NULL &&
	    strcmp(name, ctx->entry->name) == 0);
	fixture_check(args != NULL);
	s->accepted++;
}

/* Parse text with a fixed spec and check the result's shape. */
static void
fuzz_parse(const char *text)
{
	static const char *const names[] = { "severity", "eta", "all" };
	struct cmd_args	 args;
	char		*cause = NULL, *joined;
	size_t		 i, j;
	int		 k, known;

	if (cmd_parse_args(text, "severity=,eta=,all", &args, &cause) != 0) {
		fixture_check(cause != NULL && *cause != '\0');
		fixture_check(args.argc == 0 && args.nopts == 0);
		free(cause);
		return;
	}
	fixture_check(cause == NULL);
	fixture_check(args.argc >= 0 && args.argc <= 64);
	fixture_check(args.argv[args.argc] == NULL);
	for (k = 0; k < args.argc; k++)
		fixture_check(args.argv[k] != NULL);
	for (i = 0; i < args.nopts; i++) {
		known = 0;
		for (j = 0; j < nitems(names); j++)
			known |= strcmp(args.opts[i].name, names[j]) == 0;
		fixture_check(known);
		/* "all" is a flag, the others always carry a value. */
		fixture_check((strcmp(args.opts[i].name, "all") == 0) ==
		    (args.opts[i].value == NULL));
		for (j = 0; j < i; j++)
			fixture_check(strcmp(args.opts[i].name,
			    args.opts[j].name) != 0);
	}
	joined = cmd_args_join(&args, 0);
	fixture_check(strlen(joined) <= strlen(text));
	free(joined);
	cmd_args_free(&args);
}

/* Dispatch text as a speaker at level; check the sink's view. */
static void
fuzz_dispatch(const char *text, enum access level, const char *prefix)
{
	struct fuzz_sink	 s = { 0, 0 };
	struct ident		 id;
	struct cmd_ctx		 ctx;
	int			 rv;

	memset(&id, 0, sizeof id);
	strlcpy_ob(id.name, "fuzzer", sizeof id.name);
	id.level = level;
	id.why = level == ACCESS_ADMIN ? NULL : "you are not an admin";
	strlcpy_ob(id.detail, "no account", sizeof id.detail);

	memset(&ctx, 0, sizeof ctx);
	ctx.who = &id;
	ctx.nick = "fuzzer";
	ctx.channel = "#team";
	ctx.prefix = prefix;
	ctx.reply = fuzz_reply;
	ctx.accepted = fuzz_accepted;
	ctx.arg = &s;

	rv = cmd_dispatch(&ctx, text);
	fixture_check(rv == 0 || rv == 1);
	if (rv == 0)
		fixture_check(s.replies == 0 && s.accepted == 0 &&
		    ctx.entry == NULL);
	else
		fixture_check(s.replies >= 1);
	fixture_check(s.accepted <= 1);
	if (s.accepted == 1)
		fixture_check(ctx.entry->level <= level);
}

/* One input: parse, dispatch, and the distance's symmetry. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "!", "?", NULL, "" };
	char	*text, *half;
	size_t	 len;
	int	 d;

	if (size == 0)
		return 0;
	/* A reload fails with a two-line error (fixtures.h's fake). */
	fake_reload_rv = -1;
	fake_reload_err = "bot.conf:1: irc: broken\nbot.conf:2: team: broken";
	len = strnlen((const char *)data + 1, size - 1);
	text = xstrndup((const char *)data + 1, len);

	fuzz_parse(text);
	fuzz_dispatch(text, (enum access)(data[0] % 3),
	    prefixes[(data[0] / 3) % nitems(prefixes)]);

	half = xstrdup(text + len / 2);
	text[len / 2] = '\0';
	d = cmd_distance(text, half);
	fixture_check(d == cmd_distance(half, text));
	fixture_check(d >= 0 && d <= 64);
	free(half);
	free(text);
	return 0;
}
