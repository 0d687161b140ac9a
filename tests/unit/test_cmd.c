/*
 * test_cmd.c — unit tests for bot/cmd.c and bot/cmd_core.c through
 * bot/cmd.h: word and option parsing, the edit distance, dispatch over a
 * small test table (subcommands, aliases, groups, levels, near misses,
 * silence) and over the real table (!help, !version, !whoami, !reload).
 * Replies are captured by a sink; bot_reload is the fake of fixtures.h.
 */
/* deps: cmd cmd_core ident ircmsg util log */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "ident.h"
#include "util.h"

#include "fixtures.h"

#define SINK_MAX	32

/* What the sink saw. */
struct sink {
	char	*replies[SINK_MAX];
	int	 n;
	int	 accepted;
	char	*acc_name;
	char	*acc_args;
};

/* Reply sink: keep a copy of every reply. */
static void
sink_reply(struct cmd_ctx *ctx, const char *text)
{
	struct sink	*s = ctx->arg;

	assert_true(s->n < SINK_MAX);
	s->replies[s->n++] = xstrdup(text);
}

/* Accepted hook: count calls and keep the last name and arguments. */
static void
sink_accepted(struct cmd_ctx *ctx, const char *name, const char *args)
{
	struct sink	*s = ctx->arg;

	s->accepted++;
	free(s->acc_name);
	free(s->acc_args);
	s->acc_name = xstrdup(name);
	s->acc_args = xstrdup(args);
}

/* Forget everything the sink saw. */
static void
sink_clear(struct sink *s)
{
	int	 i;

	for (i = 0; i < s->n; i++)
		free(s->replies[i]);
	free(s->acc_name);
	free(s->acc_args);
	memset(s, 0, sizeof *s);
}

/* Exec for test entries: reply with what it was given. */
static enum cmd_retval
test_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char		*all = cmd_args_join(args, 0);
	const char	*eta = cmd_opt(args, "eta");

	cmd_reply(ctx, "ran %s: %s%s%s%s", ctx->entry->name, all,
	    eta != NULL ? "; eta=" : "", eta != NULL ? eta : "",
	    cmd_opt(args, "all") != NULL ? "; all" : "");
	free(all);
	return CMD_RETURN_NORMAL;
}

/* Exec that asks for its usage when its first argument is "bad". */
static enum cmd_retval
test_exec_usage(struct cmd_ctx *ctx, struct cmd_args *args)
{
	if (args->argc > 0 && strcmp(args->argv[0], "bad") == 0)
		return CMD_RETURN_USAGE;
	cmd_reply(ctx, "status ok");
	return CMD_RETURN_NORMAL;
}

static const struct cmd_entry t_outage_open = {
	"outage open", NULL, "[--eta WHEN] TITLE...", "open an outage",
	"eta=,all", 1, -1, ACCESS_MEMBER, test_exec
};
static const struct cmd_entry t_outage_update = {
	"outage update", NULL, "ID TEXT...", "add an update", "eta=",
	2, -1, ACCESS_MEMBER, test_exec
};
static const struct cmd_entry t_outage_list = {
	"outage list", NULL, NULL, "open outages", NULL, 0, 0,
	ACCESS_PUBLIC, test_exec
};
static const struct cmd_entry t_oncall = {
	"who-is-on-call", "oncall,who", "[role]", "who is on call", NULL,
	0, 1, ACCESS_PUBLIC, test_exec
};
static const struct cmd_entry t_schedule = {
	"oncall schedule", NULL, "[role] [count]", "the next shifts", NULL,
	0, 2, ACCESS_PUBLIC, test_exec
};
static const struct cmd_entry t_status = {
	"status", NULL, "[component]", "one-line status", NULL, 0, 1,
	ACCESS_PUBLIC, test_exec_usage
};

static const struct cmd_entry *const test_table[] = {
	&t_outage_open,
	&t_outage_update,
	&t_outage_list,
	&t_oncall,
	&t_schedule,
	&cmd_reload_entry,
	&t_status,
	&cmd_help_entry,
	NULL
};

static char *team_admins[] = { "alice" };
static char *team_members[] = { "alice", "bob" };
static struct cfg_bridge tg_bridge = { .nick = "tg", .account = "tgacct" };

/* The team config the idents are made from. */
static void
team_config(struct config *cfg)
{
	fixture_team(cfg, CFG_IDENTIFY_ACCOUNT, team_admins,
	    nitems(team_admins), team_members, nitems(team_members), NULL, 0);
}

/* Set up ctx for who (by account; NULL: none) with table. */
static void
make_ctx(struct cmd_ctx *ctx, struct sink *s, struct ident *id,
    const char *nick, const char *account,
    const struct cmd_entry *const *table)
{
	struct config	 cfg;

	team_config(&cfg);
	ident_user(&cfg, IRC_CASEMAP_RFC1459, nick, "~u", "host", account, id);
	memset(ctx, 0, sizeof *ctx);
	sink_clear(s);
	ctx->who = id;
	ctx->nick = nick;
	ctx->channel = "#team";
	ctx->prefix = "!";
	ctx->reply = sink_reply;
	ctx->accepted = sink_accepted;
	ctx->arg = s;
	ctx->table = table;
}

/* Dispatch text; expect rv and exactly one reply equal to want. */
static void
expect_one(struct cmd_ctx *ctx, const char *text, const char *want)
{
	struct sink	*s = ctx->arg;

	sink_clear(s);
	assert_int_equal(cmd_dispatch(ctx, text), 1);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->replies[0], want);
}

/* Dispatch text; expect silence (0, no reply, not accepted). */
static void
expect_silence(struct cmd_ctx *ctx, const char *text)
{
	struct sink	*s = ctx->arg;

	sink_clear(s);
	assert_int_equal(cmd_dispatch(ctx, text), 0);
	assert_int_equal(s->n, 0);
	assert_int_equal(s->accepted, 0);
}

/* Parse text with spec, expecting success. */
static void
parse_ok(const char *text, const char *spec, struct cmd_args *args)
{
	char	*cause = NULL;

	assert_int_equal(cmd_parse_args(text, spec, args, &cause), 0);
	assert_null(cause);
}

/* Parse text with spec, expecting failure with want as the cause. */
static void
parse_fail(const char *text, const char *spec, const char *want)
{
	struct cmd_args	 args;
	char		*cause = NULL;

	assert_int_equal(cmd_parse_args(text, spec, &args, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	assert_int_equal(args.argc, 0);
	assert_int_equal(args.nopts, 0);
	free(cause);
}

/* Plain words, extra spaces and tabs. */
static void
test_parse_words(void **state)
{
	struct cmd_args	 args;
	char		*s;

	parse_ok("  a b\t c  ", NULL, &args);
	assert_int_equal(args.argc, 3);
	assert_string_equal(args.argv[0], "a");
	assert_string_equal(args.argv[1], "b");
	assert_string_equal(args.argv[2], "c");
	assert_null(args.argv[3]);
	s = cmd_args_join(&args, 1);
	assert_string_equal(s, "b c");
	free(s);
	s = cmd_args_join(&args, 3);
	assert_string_equal(s, "");
	free(s);
	cmd_args_free(&args);
	assert_int_equal(args.argc, 0);

	parse_ok("", NULL, &args);
	assert_int_equal(args.argc, 0);
	s = cmd_args_join(&args, 0);
	assert_string_equal(s, "");
	free(s);
	cmd_args_free(&args);
}

/* Quotes group words; \" and \\ escape inside; literal elsewhere. */
static void
test_parse_quotes(void **state)
{
	struct cmd_args	 args;

	parse_ok("\"two words\" x \"\"", NULL, &args);
	assert_int_equal(args.argc, 3);
	assert_string_equal(args.argv[0], "two words");
	assert_string_equal(args.argv[1], "x");
	assert_string_equal(args.argv[2], "");
	cmd_args_free(&args);

	parse_ok("\"say \\\"hi\\\" \\\\ \\n\"", NULL, &args);
	assert_int_equal(args.argc, 1);
	assert_string_equal(args.argv[0], "say \"hi\" \\ \\n");
	cmd_args_free(&args);

	/* Mid-word quotes and backslashes are ordinary characters. */
	parse_ok("C:\\tmp 5\" it's", NULL, &args);
	assert_int_equal(args.argc, 3);
	assert_string_equal(args.argv[0], "C:\\tmp");
	assert_string_equal(args.argv[1], "5\"");
	assert_string_equal(args.argv[2], "it's");
	cmd_args_free(&args);

	/* One quoted part per word: a later quote is literal. */
	parse_ok("\"a b\"c\"d", NULL, &args);
	assert_int_equal(args.argc, 1);
	assert_string_equal(args.argv[0], "a bc\"d");
	cmd_args_free(&args);

	parse_fail("open \"never closed", NULL, "unterminated quote");
	parse_fail("\"a\\\"", NULL, "unterminated quote");
}

/* Options anywhere, with = or a separate value, flags, repeats. */
static void
test_parse_options(void **state)
{
	struct cmd_args	 args;
	const char	*spec = "severity=,eta=,all";

	parse_ok("Site --eta 2h down --all --severity=down", spec, &args);
	assert_int_equal(args.argc, 2);
	assert_string_equal(args.argv[0], "Site");
	assert_string_equal(args.argv[1], "down");
	assert_string_equal(cmd_opt(&args, "eta"), "2h");
	assert_string_equal(cmd_opt(&args, "severity"), "down");
	assert_string_equal(cmd_opt(&args, "all"), "");
	assert_null(cmd_opt(&args, "affected"));
	assert_int_equal(args.nopts, 3);
	cmd_args_free(&args);

	/* Quoted values, an empty value, and the last repeat wins. */
	parse_ok("--eta=\"in 2 h\" --severity \"very down\" x", spec, &args);
	assert_string_equal(cmd_opt(&args, "eta"), "in 2 h");
	assert_string_equal(cmd_opt(&args, "severity"), "very down");
	assert_int_equal(args.argc, 1);
	cmd_args_free(&args);

	parse_ok("--eta 1h --eta=2h --eta= t", spec, &args);
	assert_string_equal(cmd_opt(&args, "eta"), "");
	assert_int_equal(args.nopts, 1);
	cmd_args_free(&args);

	parse_ok("--eta 1h --eta 3h", spec, &args);
	assert_string_equal(cmd_opt(&args, "eta"), "3h");
	assert_int_equal(args.argc, 0);
	cmd_args_free(&args);
}

/* What is positional: quoted options, after "--", single dashes. */
static void
test_parse_positional(void **state)
{
	struct cmd_args	 args;
	const char	*spec = "eta=,all";

	parse_ok("\"--all\" -5 - -x ---", spec, &args);
	assert_int_equal(args.argc, 5);
	assert_string_equal(args.argv[0], "--all");
	assert_string_equal(args.argv[1], "-5");
	assert_string_equal(args.argv[2], "-");
	assert_string_equal(args.argv[3], "-x");
	assert_string_equal(args.argv[4], "---");
	assert_null(cmd_opt(&args, "all"));
	cmd_args_free(&args);

	parse_ok("--all -- --eta x --", spec, &args);
	assert_string_equal(cmd_opt(&args, "all"), "");
	assert_null(cmd_opt(&args, "eta"));
	assert_int_equal(args.argc, 3);
	assert_string_equal(args.argv[0], "--eta");
	assert_string_equal(args.argv[1], "x");
	assert_string_equal(args.argv[2], "--");
	cmd_args_free(&args);

	/* A quoted word can be a value that looks like an option. */
	parse_ok("--eta \"--all\"", spec, &args);
	assert_string_equal(cmd_opt(&args, "eta"), "--all");
	assert_null(cmd_opt(&args, "all"));
	cmd_args_free(&args);
}

/* Option errors. */
static void
test_parse_errors(void **state)
{
	const char	*spec = "severity=,eta=,all";

	parse_fail("title --x", spec, "unknown option --x");
	parse_fail("--bogus=1 t", spec, "unknown option --bogus");
	parse_fail("--eta", spec, "--eta needs a value");
	parse_fail("t --eta --all", spec, "--eta needs a value");
	parse_fail("t --eta --", spec, "--eta needs a value");
	parse_fail("--all=yes", spec, "--all takes no value");
	parse_fail("--all", NULL, "unknown option --all");
	parse_fail("--severit x", spec, "unknown option --severit");
}

/* At most 64 words and 4096 bytes. */
static void
test_parse_bounds(void **state)
{
	struct cmd_args	 args;
	struct buf	 b;
	int		 i;

	buf_init(&b);
	for (i = 0; i < 64; i++)
		buf_addstr(&b, "w ");
	parse_ok(b.data, NULL, &args);
	assert_int_equal(args.argc, 64);
	cmd_args_free(&args);
	buf_addstr(&b, "w");
	parse_fail(b.data, NULL, "too many words");

	buf_reset(&b);
	for (i = 0; i < 4097; i++)
		buf_addc(&b, 'x');
	parse_fail(b.data, NULL, "command too long");
	buf_free(&b);
}

/* Levenshtein distance, bounded. */
static void
test_distance(void **state)
{
	char	 a[101], b[101];

	assert_int_equal(cmd_distance("kitten", "sitting"), 3);
	assert_int_equal(cmd_distance("", "abc"), 3);
	assert_int_equal(cmd_distance("abc", ""), 3);
	assert_int_equal(cmd_distance("help", "help"), 0);
	assert_int_equal(cmd_distance("hlep", "help"), 2);
	assert_int_equal(cmd_distance("verison", "version"), 2);
	assert_int_equal(cmd_distance("relaod", "reload"), 2);

	memset(a, 'a', 100);
	memset(b, 'a', 100);
	a[100] = b[100] = '\0';
	b[99] = 'b';
	assert_int_equal(cmd_distance(a, b), 0);	/* past the cap */
	b[10] = 'b';
	assert_int_equal(cmd_distance(a, b), 1);
}

/* Exact names, case, aliases and subcommands. */
static void
test_dispatch_lookup(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "bob", "bob", test_table);

	expect_one(&ctx, "outage open --eta 2h Site  down ",
	    "ran outage open: Site down; eta=2h");
	assert_int_equal(s.accepted, 1);
	assert_string_equal(s.acc_name, "outage open");
	assert_string_equal(s.acc_args, "--eta 2h Site  down");
	assert_ptr_equal(ctx.entry, &t_outage_open);

	expect_one(&ctx, "  OUTAGE Open x --all", "ran outage open: x; all");
	expect_one(&ctx, "who-is-on-call", "ran who-is-on-call: ");
	assert_int_equal(s.accepted, 1);
	assert_string_equal(s.acc_args, "");
	expect_one(&ctx, "oncall primary", "ran who-is-on-call: primary");
	expect_one(&ctx, "WHO primary", "ran who-is-on-call: primary");
	expect_one(&ctx, "oncall schedule primary 3",
	    "ran oncall schedule: primary 3");
	assert_string_equal(s.acc_name, "oncall schedule");
	assert_string_equal(s.acc_args, "primary 3");
	expect_one(&ctx, "outage list", "ran outage list: ");

	sink_clear(&s);
}

/* Groups without an entry of their own: usage or a near miss. */
static void
test_dispatch_groups(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "bob", "bob", test_table);

	expect_one(&ctx, "outage",
	    "usage: !outage open|update|list ...");
	expect_one(&ctx, "outage frobnicate now",
	    "usage: !outage open|update|list ...");
	expect_one(&ctx, "outage opne x", "did you mean !outage open?");
	expect_one(&ctx, "outage lsit", "did you mean !outage list?");
	expect_one(&ctx, "outage UPDTE 3 x", "did you mean !outage update?");
	assert_int_equal(s.accepted, 0);

	ctx.prefix = "?";
	expect_one(&ctx, "outage", "usage: ?outage open|update|list ...");
	sink_clear(&s);
}

/* Near misses get "did you mean"; everything else is silence. */
static void
test_dispatch_near_miss(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "bob", "bob", NULL);
	expect_one(&ctx, "hlep", "did you mean !help?");
	expect_one(&ctx, "verison", "did you mean !version?");
	expect_one(&ctx, "relaod now", "did you mean !reload?");
	expect_one(&ctx, "whoamii", "did you mean !whoami?");
	expect_one(&ctx, "HELPP me", "did you mean !help?");
	assert_int_equal(s.accepted, 0);

	expect_silence(&ctx, "hi");
	expect_silence(&ctx, "lol");
	expect_silence(&ctx, "ok");
	expect_silence(&ctx, "the");
	expect_silence(&ctx, "hi there, what's up");
	expect_silence(&ctx, "xyzzy");
	expect_silence(&ctx, "");
	expect_silence(&ctx, "   ");
	expect_silence(&ctx, "!!!");
	expect_silence(&ctx, "reloading-the-config-please-now");
	expect_silence(&ctx, "helpxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

	ctx.table = test_table;
	expect_one(&ctx, "outgae list", "did you mean !outage list?");
	expect_one(&ctx, "outgae", "did you mean !outage?");
	expect_one(&ctx, "stauts", "did you mean !status?");
	expect_one(&ctx, "oncal", "did you mean !oncall?");
	expect_silence(&ctx, "lol");
	expect_silence(&ctx, "why");	/* one edit from the alias "who" */
	expect_silence(&ctx, "how");
	expect_silence(&ctx, "tell bob hi");	/* two edits from help */
	expect_silence(&ctx, "task");	/* another bot's command */
	expect_one(&ctx, "oncall shedule", "ran who-is-on-call: shedule");
	sink_clear(&s);
}

/* Refusals name the level and what the person lacks. */
static void
test_dispatch_access(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;
	struct config	 cfg;

	make_ctx(&ctx, &s, &id, "eve", NULL, test_table);
	expect_one(&ctx, "outage open site down",
	    "!outage open needs member access "
	    "(you are not identified to services)");
	assert_int_equal(s.accepted, 0);

	make_ctx(&ctx, &s, &id, "eve", "eve", test_table);
	expect_one(&ctx, "outage open x",
	    "!outage open needs member access (you are not a team member)");
	expect_one(&ctx, "outage list", "ran outage list: ");

	make_ctx(&ctx, &s, &id, "bob", "bob", test_table);
	expect_one(&ctx, "reload",
	    "!reload needs admin access (you are not an admin)");
	assert_int_equal(s.accepted, 0);

	/* Access is checked before arguments. */
	make_ctx(&ctx, &s, &id, "eve", NULL, test_table);
	expect_one(&ctx, "outage open --bogus",
	    "!outage open needs member access "
	    "(you are not identified to services)");

	/* No reason known: no parenthesis. */
	id.why = NULL;
	expect_one(&ctx, "reload", "!reload needs admin access");

	/* A relayed, unmapped name. */
	team_config(&cfg);
	ident_relayed(&cfg, &tg_bridge, "Mallory", &id);
	expect_one(&ctx, "outage open x",
	    "!outage open needs member access "
	    "(Mallory is not mapped to a team member on tg)");

	/* No ident at all is public. */
	ctx.who = NULL;
	expect_one(&ctx, "reload", "!reload needs admin access");
	expect_one(&ctx, "outage list", "ran outage list: ");
	sink_clear(&s);
}

/* Argument errors reply with the usage; accepted is not called. */
static void
test_dispatch_usage(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "alice", "alice", test_table);
	expect_one(&ctx, "outage open",
	    "usage: !outage open [--eta WHEN] TITLE...");
	expect_one(&ctx, "outage open --all",
	    "usage: !outage open [--eta WHEN] TITLE...");
	expect_one(&ctx, "outage list extra", "usage: !outage list");
	expect_one(&ctx, "outage update 3",
	    "usage: !outage update ID TEXT...");
	expect_one(&ctx, "oncall schedule a b c",
	    "usage: !oncall schedule [role] [count]");
	expect_one(&ctx, "outage open --bogus x",
	    "unknown option --bogus; "
	    "usage: !outage open [--eta WHEN] TITLE...");
	expect_one(&ctx, "outage open \"x",
	    "unterminated quote; "
	    "usage: !outage open [--eta WHEN] TITLE...");
	expect_one(&ctx, "outage open x --eta",
	    "--eta needs a value; "
	    "usage: !outage open [--eta WHEN] TITLE...");
	assert_int_equal(s.accepted, 0);

	/* An exec asking for its usage: accepted once, then usage. */
	expect_one(&ctx, "status bad", "usage: !status [component]");
	assert_int_equal(s.accepted, 1);
	assert_string_equal(s.acc_name, "status");
	assert_string_equal(s.acc_args, "bad");
	expect_one(&ctx, "status", "status ok");
	sink_clear(&s);
}

/* The real table: !help lists first words; details; unknown topics. */
static void
test_help(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "eve", NULL, NULL);
	expect_one(&ctx, "help", "commands: !help, !reload, !version, "
	    "!whoami \xe2\x80\x94 !help COMMAND for details");
	assert_int_equal(s.accepted, 1);
	assert_string_equal(s.acc_name, "help");
	expect_one(&ctx, "help version",
	    "usage: !version \xe2\x80\x94 show the bot's version");
	expect_one(&ctx, "help !WHOAMI", "usage: !whoami \xe2\x80\x94 "
	    "show who the bot thinks you are and your access level");
	expect_one(&ctx, "help help", "usage: !help [command] \xe2\x80\x94 "
	    "list the commands, or show how to use one");
	expect_one(&ctx, "help a b", "no such command: !a b");
	expect_one(&ctx, "help !nope", "no such command: !nope");
	expect_one(&ctx, "help a b c", "usage: !help [command]");
	sink_clear(&s);
}

/* !help over a table with groups and aliases. */
static void
test_help_groups(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "eve", NULL, test_table);
	expect_one(&ctx, "help", "commands: !outage, !who-is-on-call, "
	    "!oncall, !reload, !status, !help \xe2\x80\x94 "
	    "!help COMMAND for details");

	sink_clear(&s);
	assert_int_equal(cmd_dispatch(&ctx, "help outage"), 1);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.replies[0], "usage: !outage open [--eta WHEN] "
	    "TITLE... \xe2\x80\x94 open an outage");
	assert_string_equal(s.replies[1], "usage: !outage update ID TEXT... "
	    "\xe2\x80\x94 add an update");
	assert_string_equal(s.replies[2],
	    "usage: !outage list \xe2\x80\x94 open outages");

	expect_one(&ctx, "help outage open", "usage: !outage open "
	    "[--eta WHEN] TITLE... \xe2\x80\x94 open an outage");
	expect_one(&ctx, "help who",
	    "usage: !who-is-on-call [role] \xe2\x80\x94 who is on call");

	/* An alias that is also a group: the entry, then its subcommands. */
	sink_clear(&s);
	assert_int_equal(cmd_dispatch(&ctx, "help oncall"), 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.replies[0],
	    "usage: !who-is-on-call [role] \xe2\x80\x94 who is on call");
	assert_string_equal(s.replies[1], "usage: !oncall schedule "
	    "[role] [count] \xe2\x80\x94 the next shifts");
	expect_one(&ctx, "help outage nope", "no such command: !outage nope");
	sink_clear(&s);
}

/* !version and !whoami. */
static void
test_version_whoami(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;
	struct config	 cfg;

	make_ctx(&ctx, &s, &id, "eve", NULL, NULL);
	expect_one(&ctx, "version", "outagebot " OB_VERSION);
	expect_one(&ctx, "version 2", "usage: !version");
	expect_one(&ctx, "whoami", "you are eve (public; no account)");

	make_ctx(&ctx, &s, &id, "Al", "alice", NULL);
	expect_one(&ctx, "whoami", "you are alice (admin; account alice)");
	make_ctx(&ctx, &s, &id, "bobby", "bob", NULL);
	expect_one(&ctx, "WhoAmI", "you are bob (member; account bob)");
	make_ctx(&ctx, &s, &id, "mal", "mallory", NULL);
	expect_one(&ctx, "whoami",
	    "you are mallory (public; account mallory)");

	team_config(&cfg);
	ident_relayed(&cfg, &tg_bridge, "Zed", &id);
	expect_one(&ctx, "whoami", "you are Zed (public; relayed by tg)");
	sink_clear(&s);
}

/* !reload: admin only, success, and a failure told only by its count. */
static void
test_reload(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	fake_reload_calls = 0;
	make_ctx(&ctx, &s, &id, "bob", "bob", NULL);
	expect_one(&ctx, "reload",
	    "!reload needs admin access (you are not an admin)");
	assert_int_equal(fake_reload_calls, 0);

	make_ctx(&ctx, &s, &id, "alice", "alice", NULL);
	fake_reload_rv = 0;
	fake_reload_err = NULL;
	expect_one(&ctx, "reload", "configuration reloaded");
	assert_int_equal(fake_reload_calls, 1);
	assert_int_equal(s.accepted, 1);
	assert_string_equal(s.acc_name, "reload");

	fake_reload_rv = -1;
	fake_reload_err = "bot.conf:3: irc.nick: too long\n"
	    "bot.conf:9: team.admins: empty";
	/* No path, file or key reaches the channel: only the count. */
	expect_one(&ctx, "reload",
	    "configuration not reloaded: 2 problems (see the log)");
	fake_reload_err = "/etc/secret/bot.conf:3: irc.nick: too long\n";
	expect_one(&ctx, "reload",
	    "configuration not reloaded: 1 problem (see the log)");
	fake_reload_err = NULL;
	expect_one(&ctx, "reload",
	    "configuration not reloaded: 1 problem (see the log)");
	expect_one(&ctx, "reload now", "usage: !reload");
	assert_int_equal(fake_reload_calls, 4);
	sink_clear(&s);
}

/* cmd_usage and cmd_reply on their own. */
static void
test_usage_reply(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;
	char		 buf[64];

	make_ctx(&ctx, &s, &id, "bob", "bob", NULL);
	cmd_usage(&ctx, &t_outage_list, buf, sizeof buf);
	assert_string_equal(buf, "usage: !outage list");
	cmd_usage(&ctx, &t_schedule, buf, sizeof buf);
	assert_string_equal(buf, "usage: !oncall schedule [role] [count]");
	ctx.prefix = NULL;
	cmd_usage(&ctx, &cmd_version_entry, buf, sizeof buf);
	assert_string_equal(buf, "usage: !version");
	cmd_usage(&ctx, &t_schedule, buf, 10);
	assert_string_equal(buf, "usage: !o");

	cmd_reply(&ctx, "%d %s", 12, "x");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.replies[0], "12 x");
	sink_clear(&s);
	ctx.reply = NULL;
	cmd_reply(&ctx, "nobody hears this");
}

/* Ids written "12" or "#12"; nothing else. */
static void
test_parse_id(void **state)
{
	long long	 id = 0;

	assert_int_equal(cmd_parse_id("12", &id), 0);
	assert_int_equal(id, 12);
	assert_int_equal(cmd_parse_id("#7", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(cmd_parse_id("#", &id), -1);
	assert_int_equal(cmd_parse_id("##7", &id), -1);
	assert_int_equal(cmd_parse_id("0", &id), -1);
	assert_int_equal(cmd_parse_id("-3", &id), -1);
	assert_int_equal(cmd_parse_id("7x", &id), -1);
	assert_int_equal(cmd_parse_id(NULL, &id), -1);
}

static int	admit_answer;
static int	admit_asked;

/* Admit hook of the tests: count and answer as set. */
static int
test_admit_hook(struct cmd_ctx *ctx)
{
	admit_asked++;
	return admit_answer;
}

/*
 * The admit hook is asked once per command or near miss, never for
 * other words; a refusal drops the command silently, unaccepted.
 */
static void
test_admit(void **state)
{
	struct cmd_ctx	 ctx;
	struct sink	 s = { .n = 0 };
	struct ident	 id;

	make_ctx(&ctx, &s, &id, "bob", "bob", test_table);
	ctx.admit = test_admit_hook;
	admit_asked = 0;
	admit_answer = 1;
	expect_one(&ctx, "outage list", "ran outage list: ");
	assert_int_equal(admit_asked, 1);
	expect_silence(&ctx, "hello there");
	assert_int_equal(admit_asked, 1);

	admit_answer = 0;
	sink_clear(&s);
	assert_int_equal(cmd_dispatch(&ctx, "outage list"), 1);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.accepted, 0);
	assert_int_equal(cmd_dispatch(&ctx, "outage lsit"), 1);
	assert_int_equal(cmd_dispatch(&ctx, "stauts"), 1);
	assert_int_equal(s.n, 0);
	assert_int_equal(admit_asked, 4);
	sink_clear(&s);
}

/* Run every test above. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_parse_quotes),
		cmocka_unit_test(test_parse_options),
		cmocka_unit_test(test_parse_positional),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_dispatch_lookup),
		cmocka_unit_test(test_dispatch_groups),
		cmocka_unit_test(test_dispatch_near_miss),
		cmocka_unit_test(test_dispatch_access),
		cmocka_unit_test(test_dispatch_usage),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_help_groups),
		cmocka_unit_test(test_version_whoami),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_usage_reply),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_admit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
