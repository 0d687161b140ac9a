/*
 * test_ident.c — unit tests for bot/ident.c through bot/ident.h: mIRC
 * formatting and zero-width stripping, bridge line parsing, identifying
 * IRC users by account and by hostmask, bridges and relayed persons.
 * The configs are built by hand here; config.c is not linked.
 */
/* deps: ident ircmsg util log */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ident.h"
#include "util.h"

#include "fixtures.h"

#define CM	IRC_CASEMAP_RFC1459

static char *acct_admins[] = { "Alice" };
static char *acct_members[] = { "alice", "bob", "carol" };
static char *mask_admins[] = { "alice!*@staff.example", "*!*@root.example" };
static char *mask_members[] = { "bob!~bob@*.example", "carol!*@*" };
static struct cfg_pair tg_map[] = {
	{ "Bobby", "bob" },
	{ "al", "alice" },
	{ "stranger", "zed" }
};
/* The account is the proof with identify = account, the mask with
 * identify = hostmask (mxbridge has none: never trusted there). */
static struct cfg_bridge acct_bridges[] = {
	{ .nick = "TgBridge", .account = "tgacct", .map = tg_map,
	  .nmap = nitems(tg_map), .mask = "TgBridge!relay@bridge.example" },
	{ .nick = "mxbridge", .account = "mxacct" }
};

/* A config with identify = account. */
static void
acct_config(struct config *cfg)
{
	fixture_team(cfg, CFG_IDENTIFY_ACCOUNT, acct_admins,
	    nitems(acct_admins), acct_members, nitems(acct_members),
	    acct_bridges, nitems(acct_bridges));
}

/* A config with identify = hostmask. */
static void
mask_config(struct config *cfg)
{
	fixture_team(cfg, CFG_IDENTIFY_HOSTMASK, mask_admins,
	    nitems(mask_admins), mask_members, nitems(mask_members),
	    acct_bridges, nitems(acct_bridges));
}

/* The bridge that nick (at relay@bridge.example, with account) is. */
static const struct cfg_bridge *
bridge_from(const struct config *cfg, const char *nick, const char *account)
{
	return ident_bridge(cfg, CM, nick, "relay", "bridge.example", account);
}

/* Strip a copy of in and compare with want. */
static void
check_strip(const char *in, const char *want)
{
	char	*s = xstrdup(in);

	ident_strip(s);
	assert_string_equal(s, want);
	free(s);
}

/* Level names. */
static void
test_level_name(void **state)
{
	assert_string_equal(ident_level_name(ACCESS_PUBLIC), "public");
	assert_string_equal(ident_level_name(ACCESS_MEMBER), "member");
	assert_string_equal(ident_level_name(ACCESS_ADMIN), "admin");
}

/* Each single-byte formatting code disappears. */
static void
test_strip_codes(void **state)
{
	check_strip("\x02" "bold" "\x02", "bold");
	check_strip("\x1d" "it" "\x1f" "ul" "\x1e" "st", "itulst");
	check_strip("a\x11" "b\x16" "c\x0f" "d", "abcd");
	check_strip("plain text", "plain text");
	check_strip("", "");
}

/* \x03 colours with zero, one, two digits, backgrounds and commas. */
static void
test_strip_colours(void **state)
{
	check_strip("\x03" "4red", "red");
	check_strip("\x03" "04red", "red");
	check_strip("\x03" "123", "3");		/* at most two digits */
	check_strip("\x03" "4,12on blue", "on blue");
	check_strip("\x03" "04,1x", "x");
	check_strip("\x03" "04,123", "3");
	check_strip("\x03" "4,x", ",x");	/* comma without digit stays */
	check_strip("\x03" "4,", ",");
	check_strip("\x03" "reset", "reset");
	check_strip("\x03" ",5", ",5");	/* no foreground: comma stays */
	check_strip("a\x03", "a");
	check_strip("<\x03" "03alice\x03> hi", "<alice> hi");
}

/* \x04 hex colours need six hex digits; an optional ",RRGGBB". */
static void
test_strip_hex(void **state)
{
	check_strip("\x04" "FF0000red", "red");
	check_strip("\x04" "ff00aa,00FF00x", "x");
	check_strip("\x04" "ff00aa,00FFx", ",00FFx");
	check_strip("\x04" "12345", "12345");	/* too short: kept */
	check_strip("\x04" "plain", "plain");
	check_strip("\x04", "");
}

/* Zero-width characters go; other UTF-8 stays. */
static void
test_strip_zw(void **state)
{
	check_strip("a\xe2\x80\x8b" "b", "ab");		/* U+200B */
	check_strip("a\xe2\x80\x8c" "b\xe2\x80\x8d", "ab");
	check_strip("\xe2\x81\xa0" "x", "x");		/* U+2060 */
	check_strip("\xef\xbb\xbf" "x", "x");		/* U+FEFF */
	check_strip("caf\xc3\xa9 \xe2\x80\x94", "caf\xc3\xa9 \xe2\x80\x94");
	check_strip("\xe2\x80", "\xe2\x80");		/* truncated: kept */
	/* Split by a code or nested: still removed, never left behind. */
	check_strip("a\xe2\x80\x02\x8b" "b", "ab");
	check_strip("x\xe2\x80\xe2\x80\x8b\x8b" "y", "xy");
	check_strip("\xef\xbb\x03" "4\xbf!", "!");
}

/* Parse a copy of line; check name and text when want is 0. */
static void
check_parse(const char *line, int want, const char *wname,
    const char *wtext)
{
	char	*s = xstrdup(line), *name = NULL, *text = NULL;

	assert_int_equal(ident_bridge_parse(s, &name, &text), want);
	if (want == 0) {
		assert_string_equal(name, wname);
		assert_string_equal(text, wtext);
	}
	free(s);
}

/* Bridge lines: plain, prefixed, formatted, and the ones refused. */
static void
test_bridge_parse(void **state)
{
	char	 longname[IDENT_NAME_MAX + 8], want[IDENT_NAME_MAX];

	check_parse("<alice> !outage list", 0, "alice", "!outage list");
	check_parse("  <alice>!help", 0, "alice", "!help");
	check_parse("<alice>  !help", 0, "alice", " !help");
	check_parse("[telegram] <Bob K.> hi", -1, NULL, NULL);
	check_parse("[telegram] <Bob_K> !whoami", 0, "Bob_K", "!whoami");
	check_parse("\x02[tg]\x02 <\x03" "04alice\x03> !version", 0,
	    "alice", "!version");
	check_parse("<al\xe2\x80\x8bice> !help", 0, "alice", "!help");
	check_parse("<J\xc3\xbcrgen> !help", 0, "J\xc3\xbcrgen", "!help");
	check_parse("<@op> !help", 0, "@op", "!help");
	check_parse("alice: !help", -1, NULL, NULL);
	check_parse("!help", -1, NULL, NULL);
	check_parse("<alice>", -1, NULL, NULL);
	check_parse("<alice> ", -1, NULL, NULL);
	check_parse("<> !help", -1, NULL, NULL);
	check_parse("<alice !help", -1, NULL, NULL);
	check_parse("[telegram]<alice> !help", -1, NULL, NULL);
	check_parse("[tele gram] <alice> !help", -1, NULL, NULL);
	check_parse("[] <alice> !help", -1, NULL, NULL);
	check_parse("", -1, NULL, NULL);

	memset(longname, 0, sizeof longname);
	longname[0] = '<';
	memset(longname + 1, 'n', IDENT_NAME_MAX - 1);
	strlcpy_ob(longname + IDENT_NAME_MAX, "> x", 8);
	memset(want, 'n', IDENT_NAME_MAX - 1);
	want[IDENT_NAME_MAX - 1] = '\0';
	check_parse(longname, 0, want, "x");
	/* One byte more is too long. */
	memset(longname + 1, 'n', IDENT_NAME_MAX);
	strlcpy_ob(longname + IDENT_NAME_MAX + 1, "> x", 7);
	check_parse(longname, -1, NULL, NULL);
}

/* identify = account: admin, member, non-member and no account. */
static void
test_user_account(void **state)
{
	struct config	 cfg;
	struct ident	 id;

	acct_config(&cfg);

	ident_user(&cfg, CM, "Al", "~a", "host", "ALICE", &id);
	assert_int_equal(id.level, ACCESS_ADMIN);
	assert_string_equal(id.name, "Al");
	assert_string_equal(id.person, "ALICE");
	assert_string_equal(id.detail, "account ALICE");
	assert_null(id.why);
	assert_null(id.bridge);

	ident_user(&cfg, CM, "bobby", "~b", "host", "bob", &id);
	assert_int_equal(id.level, ACCESS_MEMBER);
	assert_string_equal(id.person, "bob");
	assert_string_equal(id.why, "you are not an admin");

	ident_user(&cfg, CM, "eve", "~e", "host", "eve", &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.name, "eve");
	assert_string_equal(id.detail, "account eve");
	assert_string_equal(id.why, "you are not a team member");

	ident_user(&cfg, CM, "alice", "~a", "staff.example", NULL, &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.person, "");
	assert_string_equal(id.detail, "no account");
	assert_string_equal(id.why, "you are not identified to services");
}

/* identify = hostmask: glob entries, person from the nick part. */
static void
test_user_hostmask(void **state)
{
	struct config	 cfg;
	struct ident	 id;

	mask_config(&cfg);

	ident_user(&cfg, CM, "Alice", "al", "STAFF.example", "ignored", &id);
	assert_int_equal(id.level, ACCESS_ADMIN);
	assert_string_equal(id.person, "alice");
	assert_string_equal(id.name, "Alice");
	assert_string_equal(id.detail, "Alice!al@STAFF.example");
	assert_null(id.why);

	/* A pattern with a glob nick names nobody: the nick is the person. */
	ident_user(&cfg, CM, "rooty", "r", "root.example", NULL, &id);
	assert_int_equal(id.level, ACCESS_ADMIN);
	assert_string_equal(id.person, "rooty");

	ident_user(&cfg, CM, "bob", "~bob", "home.example", NULL, &id);
	assert_int_equal(id.level, ACCESS_MEMBER);
	assert_string_equal(id.person, "bob");
	assert_string_equal(id.why, "you are not an admin");

	/* alice from elsewhere is not the admin. */
	ident_user(&cfg, CM, "alice", "al", "evil.example", NULL, &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.person, "");
	assert_string_equal(id.detail, "alice!al@evil.example");
	assert_string_equal(id.why, "you are not a team member");

	ident_user(&cfg, CM, "bob", "bob", "home.example", NULL, &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
}

/* Bridges: nick case-insensitive (rfc1459), account required. */
static void
test_bridge_lookup(void **state)
{
	struct config	 cfg;

	acct_config(&cfg);
	assert_ptr_equal(bridge_from(&cfg, "tgbridge", "tgacct"),
	    &acct_bridges[0]);
	assert_ptr_equal(bridge_from(&cfg, "TGBRIDGE", "TgAcct"),
	    &acct_bridges[0]);
	assert_ptr_equal(bridge_from(&cfg, "MXBridge", "mxacct"),
	    &acct_bridges[1]);
	assert_null(bridge_from(&cfg, "tgbridge", NULL));
	assert_null(bridge_from(&cfg, "tgbridge", "mxacct"));
	assert_null(bridge_from(&cfg, "tgbridge_", "tgacct"));
	assert_null(bridge_from(&cfg, "alice", "alice"));

	/* Hostmask mode: the whole mask decides (see test_bridge_mask). */
	mask_config(&cfg);
	assert_ptr_equal(bridge_from(&cfg, "tgbridge", NULL),
	    &acct_bridges[0]);
	assert_null(bridge_from(&cfg, "nobridge", NULL));
}

/*
 * Hostmask mode: a line counts as relayed only when the sender's whole
 * nick!user@host matches the bridge's mask; the nick alone is nothing.
 */
static void
test_bridge_mask(void **state)
{
	struct config	 cfg;

	mask_config(&cfg);
	assert_ptr_equal(ident_bridge(&cfg, CM, "TGBRIDGE", "relay",
	    "BRIDGE.example", NULL), &acct_bridges[0]);
	/* Someone who took the nick while the bridge was away. */
	assert_null(ident_bridge(&cfg, CM, "TgBridge", "relay",
	    "evil.example", NULL));
	assert_null(ident_bridge(&cfg, CM, "TgBridge", "mallory",
	    "bridge.example", NULL));
	assert_null(ident_bridge(&cfg, CM, "TgBridge", NULL, NULL, NULL));
	/* Its account means nothing in this mode. */
	assert_null(ident_bridge(&cfg, CM, "TgBridge", "x", "y", "tgacct"));
	/* A bridge without a mask is never trusted here. */
	assert_null(ident_bridge(&cfg, CM, "mxbridge", "relay",
	    "bridge.example", "mxacct"));
}

/* Nicks fold with the server's case mapping, not always rfc1459. */
static void
test_casemap(void **state)
{
	static char	*admins[] = { "bob[!*@*" };
	static struct cfg_bridge bridges[] = {
		{ .nick = "relay[", .mask = "relay[!*@*" }
	};
	struct config	 cfg;
	struct ident	 id;

	fixture_team(&cfg, CFG_IDENTIFY_HOSTMASK, admins, nitems(admins),
	    admins, nitems(admins), bridges, nitems(bridges));
	ident_user(&cfg, IRC_CASEMAP_RFC1459, "BOB{", "u", "h", NULL, &id);
	assert_int_equal(id.level, ACCESS_ADMIN);
	/* With CASEMAPPING=ascii, bob{ is someone else than bob[. */
	ident_user(&cfg, IRC_CASEMAP_ASCII, "bob{", "u", "h", NULL, &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	ident_user(&cfg, IRC_CASEMAP_ASCII, "BOB[", "u", "h", NULL, &id);
	assert_int_equal(id.level, ACCESS_ADMIN);

	assert_ptr_equal(ident_bridge(&cfg, IRC_CASEMAP_RFC1459, "relay{",
	    "u", "h", NULL), &bridges[0]);
	assert_null(ident_bridge(&cfg, IRC_CASEMAP_ASCII, "relay{", "u", "h",
	    NULL));
}

/* The person a team entry names, in both modes. */
static void
test_entry_person(void **state)
{
	struct config	 cfg;
	char		 buf[IDENT_NAME_MAX], small[4];

	acct_config(&cfg);
	assert_string_equal(ident_entry_person(&cfg, "alice", buf,
	    sizeof buf), "alice");
	assert_string_equal(ident_entry_person(&cfg, "a!b@c", buf,
	    sizeof buf), "a!b@c");

	mask_config(&cfg);
	assert_string_equal(ident_entry_person(&cfg, "alice!*@staff.example",
	    buf, sizeof buf), "alice");
	assert_string_equal(ident_entry_person(&cfg, "carol", buf,
	    sizeof buf), "carol");
	/* A glob nick names nobody. */
	assert_string_equal(ident_entry_person(&cfg, "*!*@root.example",
	    buf, sizeof buf), "");
	assert_string_equal(ident_entry_person(&cfg, "b?b!*@*", buf,
	    sizeof buf), "");
	assert_string_equal(ident_entry_person(&cfg, "carol!*@*", small,
	    sizeof small), "car");
}

/* Who may be told privately what is meant for a team person. */
static void
test_user_is(void **state)
{
	struct config	 cfg;

	acct_config(&cfg);
	assert_int_equal(ident_user_is(&cfg, CM, "bob", "bobby", NULL,
	    NULL), 1);

	mask_config(&cfg);
	assert_int_equal(ident_user_is(&cfg, CM, "bob", "bob", "~bob",
	    "home.example"), 1);
	assert_int_equal(ident_user_is(&cfg, CM, "Alice", "alice", "al",
	    "staff.example"), 1);
	/* Whoever holds the nick elsewhere is not bob. */
	assert_int_equal(ident_user_is(&cfg, CM, "bob", "bob", "~bob",
	    "evil.net"), 0);
	assert_int_equal(ident_user_is(&cfg, CM, "bob", "bob", NULL, NULL),
	    0);
	/* A matching mask of another person is not enough. */
	assert_int_equal(ident_user_is(&cfg, CM, "bob", "carol", "c",
	    "x.example"), 0);
}

/* Person levels by name, in both modes. */
static void
test_person_level(void **state)
{
	struct config	 cfg;

	acct_config(&cfg);
	assert_int_equal(ident_person_level(&cfg, "alice"), ACCESS_ADMIN);
	assert_int_equal(ident_person_level(&cfg, "CAROL"), ACCESS_MEMBER);
	assert_int_equal(ident_person_level(&cfg, "zed"), ACCESS_PUBLIC);
	assert_int_equal(ident_person_level(&cfg, ""), ACCESS_PUBLIC);

	mask_config(&cfg);
	assert_int_equal(ident_person_level(&cfg, "Alice"), ACCESS_ADMIN);
	assert_int_equal(ident_person_level(&cfg, "bob"), ACCESS_MEMBER);
	assert_int_equal(ident_person_level(&cfg, "*"), ACCESS_PUBLIC);
	assert_int_equal(ident_person_level(&cfg, "dave"), ACCESS_PUBLIC);
}

/* Relayed names: mapped to a team person, mapped outside, unmapped. */
static void
test_relayed(void **state)
{
	struct config	 cfg;
	struct ident	 id;
	char		 buf[160];

	acct_config(&cfg);

	ident_relayed(&cfg, &acct_bridges[0], "bobby", &id);
	assert_int_equal(id.level, ACCESS_MEMBER);
	assert_string_equal(id.name, "bobby");
	assert_string_equal(id.person, "bob");
	assert_string_equal(id.detail, "relayed by TgBridge");
	assert_string_equal(id.bridge, "TgBridge");
	assert_string_equal(ident_why(&id, buf, sizeof buf),
	    "you are not an admin");

	ident_relayed(&cfg, &acct_bridges[0], "al", &id);
	assert_int_equal(id.level, ACCESS_ADMIN);
	assert_string_equal(id.person, "alice");
	assert_null(id.why);
	assert_null(ident_why(&id, buf, sizeof buf));

	ident_relayed(&cfg, &acct_bridges[0], "stranger", &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.person, "zed");
	assert_string_equal(ident_why(&id, buf, sizeof buf),
	    "you are not a team member");

	ident_relayed(&cfg, &acct_bridges[0], "Mallory", &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.name, "Mallory");
	assert_string_equal(id.person, "");
	assert_non_null(id.why);
	assert_string_equal(ident_why(&id, buf, sizeof buf),
	    "Mallory is not mapped to a team member on TgBridge");

	/* A bridge without a map relays only public people. */
	ident_relayed(&cfg, &acct_bridges[1], "alice", &id);
	assert_int_equal(id.level, ACCESS_PUBLIC);
	assert_string_equal(id.detail, "relayed by mxbridge");
	assert_string_equal(ident_why(&id, buf, sizeof buf),
	    "alice is not mapped to a team member on mxbridge");
}

/* ident_why copies a plain reason and tolerates tiny buffers. */
static void
test_why(void **state)
{
	struct config	 cfg;
	struct ident	 id;
	char		 buf[8];

	acct_config(&cfg);
	ident_user(&cfg, CM, "eve", "e", "h", NULL, &id);
	assert_string_equal(ident_why(&id, buf, sizeof buf), "you are");
	assert_null(ident_why(NULL, buf, sizeof buf));
}

/* Run every test above. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_name),
		cmocka_unit_test(test_strip_codes),
		cmocka_unit_test(test_strip_colours),
		cmocka_unit_test(test_strip_hex),
		cmocka_unit_test(test_strip_zw),
		cmocka_unit_test(test_bridge_parse),
		cmocka_unit_test(test_user_account),
		cmocka_unit_test(test_user_hostmask),
		cmocka_unit_test(test_bridge_lookup),
		cmocka_unit_test(test_bridge_mask),
		cmocka_unit_test(test_casemap),
		cmocka_unit_test(test_entry_person),
		cmocka_unit_test(test_user_is),
		cmocka_unit_test(test_person_level),
		cmocka_unit_test(test_relayed),
		cmocka_unit_test(test_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
