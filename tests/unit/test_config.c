/*
 * test_config.c — cfg_load() against configs written to a temporary
 * directory: typed values and defaults, the exact "file:line: key:
 * problem" texts, secrets from files and the environment (and that no
 * message ever carries one), permission warnings, hostmask names, bridge
 * maps, unknown keys, roles (names, aliases, members, zones, start
 * instants), the calendar keys, and bot.conf.example itself. Touches nothing
 * outside its own temporary directory.
 */
/* deps: config sasl tz when util log */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "tz.h"
#include "util.h"

static char	 tdir[256];	/* realpath of the temporary dir */
static char	 cpath[PATH_MAX];	/* tdir/bot.conf */

#define SECRET_SASL	"correct-horse-battery"
#define SECRET_PASS	"server-pass-42"

/* Write text to tdir/name with mode; returns the full path (static). */
static const char *
put_file(const char *name, const char *text, mode_t mode)
{
	static char	 path[PATH_MAX];
	int		 fd;
	size_t		 len = strlen(text);

	snprintf(path, sizeof path, "%s/%s", tdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* The full path of name in tdir (static). */
static const char *
put_dir(const char *name)
{
	static char	path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tdir, name);
	return path;
}

/* Write text as tdir/bot.conf and load it. */
static struct config *
load_text(const char *text, char **err)
{
	put_file("bot.conf", text, 0644);
	*err = NULL;
	return cfg_load(cpath, err);
}

/*
 * Assert that text fails to load with exactly the given problems, each
 * written as "LINE: key: problem" (the file name is prefixed here).
 */
static void
assert_errors(const char *text, const char *const *want)
{
	struct config	*cfg;
	struct buf	 b;
	char		*err;
	size_t		 i;

	cfg = load_text(text, &err);
	if (cfg != NULL)
		cfg_free(cfg);
	assert_null(cfg);
	assert_non_null(err);
	buf_init(&b);
	for (i = 0; want[i] != NULL; i++)
		buf_printf(&b, "%s%s:%s", i > 0 ? "\n" : "", cpath, want[i]);
	assert_string_equal(err, b.data);
	buf_free(&b);
	free(err);
}

/* Assert text fails with the single problem want ("LINE: key: ..."). */
static void
assert_error(const char *text, const char *want)
{
	const char	*w[2] = { want, NULL };

	assert_errors(text, w);
}

/* Assert text loads; returns the config. */
static struct config *
must_load(const char *text)
{
	struct config	*cfg;
	char		*err;

	cfg = load_text(text, &err);
	if (cfg == NULL)
		fail_msg("load failed:\n%s", err);
	assert_null(err);
	return cfg;
}

/* Stderr capture, for log_warn output. */
static int	saved_stderr = -1;

/* Send stderr to tdir/stderr.txt. */
static void
capture_start(void)
{
	char	path[PATH_MAX];
	int	fd;

	snprintf(path, sizeof path, "%s/stderr.txt", tdir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1 && saved_stderr != -1);
	dup2(fd, 2);
	close(fd);
}

/* Restore stderr; returns what was written (caller frees). */
static char *
capture_end(void)
{
	char	 path[PATH_MAX], data[8192];
	ssize_t	 n;
	int	 fd;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	snprintf(path, sizeof path, "%s/stderr.txt", tdir);
	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	n = read(fd, data, sizeof data - 1);
	close(fd);
	assert_true(n >= 0);
	data[n] = '\0';
	return xstrdup(data);
}

/* nftw callback removing everything. */
static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

/* Create the temporary directory. */
static int
setup(void **state)
{
	char	tmpl[] = "/tmp/test_config.XXXXXX", *real;

	if (mkdtemp(tmpl) == NULL || (real = realpath(tmpl, NULL)) == NULL)
		return -1;
	if (strlcpy_ob(tdir, real, sizeof tdir) >= sizeof tdir) {
		free(real);
		return -1;
	}
	free(real);
	snprintf(cpath, sizeof cpath, "%s/bot.conf", tdir);
	unsetenv("OB_TEST_UNSET");
	return 0;
}

/* Remove the temporary directory. */
static int
teardown(void **state)
{
	return nftw(tdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A full config loads with every value typed, resolved and normalised. */
static void
test_full_valid(void **state)
{
	struct config	*cfg;
	char		 want[PATH_MAX];

	put_file("irc-pass", SECRET_PASS "\nsecond line\n", 0600);
	put_file("ca.pem", "dummy\n", 0644);
	put_file("client.pem", "dummy\n", 0644);
	put_file("client.key", "dummy\n", 0600);
	setenv("OB_TEST_SASL", SECRET_SASL, 1);
	cfg = must_load(
	    "instance = \"packit-prod\";\n"
	    "timezone = \"Europe/Prague\";\n"
	    "strict_permissions = true;\n"
	    "irc = {\n"
	    "  server = \"irc.example.net\"; port = 6698; tls = true;\n"
	    "  tls_verify = false; tls_ca_file = \"ca.pem\";\n"
	    "  tls_fingerprint = \"AB:cd:EF:01:23:45:67:89:ab:cd:ef:01:23:45"
	    ":67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89\";\n"
	    "  client_cert = \"client.pem\"; client_key = \"client.key\";\n"
	    "  password_file = \"irc-pass\";\n"
	    "  nick = \"ob[x]\"; alt_nick = \"ob-2\"; username = \"obuser\";\n"
	    "  realname = \"outage bot (owner: alice)\";\n"
	    "  sasl = { mechanism = \"plain\"; account = \"obacct\";\n"
	    "           password_file = \"env:OB_TEST_SASL\"; "
	    "required = true; };\n"
	    "  channels = ( \"#team\", \"&local\", \"#ops\" );\n"
	    "  announce_channels = [ \"#ops\" ];\n"
	    "  topic = true; command_prefix = \".\";\n"
	    "  flood = { burst = 6; interval = \"3s\"; };\n"
	    "  max_reply_lines = 10;\n"
	    "  ping_interval = \"1m\"; ping_timeout = \"2m30s\";\n"
	    "  reconnect = { min = \"5s\"; max = \"1h\"; };\n"
	    "};\n"
	    "team = { identify = \"account\"; admins = ( \"alice\" );\n"
	    "  members = ( \"bob\", \"carol\" );\n"
	    "  github = ( \"alice=alice-gh\", \"bob=bobby\" ); };\n"
	    "bridges = ( { nick = \"tg-bridge\"; account = \"tgb\";\n"
	    "  map = ( \"Alice T=alice\", \"x=y=carol\" ); },\n"
	    "  { nick = \"matrix\"; account = \"mx\"; } );\n"
	    "storage = { path = \"data/ob.db\"; };\n");

	assert_string_equal(cfg->path, cpath);
	assert_string_equal(cfg->instance, "packit-prod");
	assert_string_equal(cfg->timezone, "Europe/Prague");
	assert_string_equal(tz_name(cfg->tz), "Europe/Prague");
	assert_int_equal(cfg->strict_permissions, 1);
	assert_string_equal(cfg->irc.server, "irc.example.net");
	assert_int_equal(cfg->irc.port, 6698);
	assert_int_equal(cfg->irc.tls, 1);
	assert_int_equal(cfg->irc.tls_verify, 0);
	snprintf(want, sizeof want, "%s/ca.pem", tdir);
	assert_string_equal(cfg->irc.tls_ca_file, want);
	assert_string_equal(cfg->irc.tls_fingerprint,
	    "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789");
	snprintf(want, sizeof want, "%s/client.pem", tdir);
	assert_string_equal(cfg->irc.client_cert, want);
	snprintf(want, sizeof want, "%s/client.key", tdir);
	assert_string_equal(cfg->irc.client_key, want);
	assert_string_equal(cfg->irc.password, SECRET_PASS);
	assert_string_equal(cfg->irc.nick, "ob[x]");
	assert_string_equal(cfg->irc.alt_nick, "ob-2");
	assert_string_equal(cfg->irc.username, "obuser");
	assert_string_equal(cfg->irc.realname, "outage bot (owner: alice)");
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_PLAIN);
	assert_string_equal(cfg->irc.sasl.account, "obacct");
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	assert_int_equal(cfg->irc.sasl.required, 1);
	assert_int_equal(cfg->irc.nchannels, 3);
	assert_string_equal(cfg->irc.channels[0], "#team");
	assert_string_equal(cfg->irc.channels[1], "&local");
	assert_string_equal(cfg->irc.channels[2], "#ops");
	assert_int_equal(cfg->irc.nannounce_channels, 1);
	assert_string_equal(cfg->irc.announce_channels[0], "#ops");
	assert_int_equal(cfg->irc.topic, 1);
	assert_string_equal(cfg->irc.command_prefix, ".");
	assert_int_equal(cfg->irc.flood_burst, 6);
	assert_int_equal(cfg->irc.flood_interval_ms, 3000);
	assert_int_equal(cfg->irc.max_reply_lines, 10);
	assert_int_equal(cfg->irc.ping_interval_ms, 60000);
	assert_int_equal(cfg->irc.ping_timeout_ms, 150000);
	assert_int_equal(cfg->irc.reconnect_min_ms, 5000);
	assert_int_equal(cfg->irc.reconnect_max_ms, 3600000);
	assert_int_equal(cfg->team.identify, CFG_IDENTIFY_ACCOUNT);
	assert_int_equal(cfg->team.nadmins, 1);
	assert_string_equal(cfg->team.admins[0], "alice");
	/* The admin became a member as well. */
	assert_int_equal(cfg->team.nmembers, 3);
	assert_string_equal(cfg->team.members[0], "bob");
	assert_string_equal(cfg->team.members[1], "carol");
	assert_string_equal(cfg->team.members[2], "alice");
	assert_int_equal(cfg->team.ngithub, 2);
	assert_string_equal(cfg->team.github[0].from, "alice");
	assert_string_equal(cfg->team.github[0].to, "alice-gh");
	assert_string_equal(cfg->team.github[1].from, "bob");
	assert_string_equal(cfg->team.github[1].to, "bobby");
	assert_int_equal(cfg->nbridges, 2);
	assert_string_equal(cfg->bridges[0].nick, "tg-bridge");
	assert_string_equal(cfg->bridges[0].account, "tgb");
	assert_int_equal(cfg->bridges[0].nmap, 2);
	assert_string_equal(cfg->bridges[0].map[0].from, "Alice T");
	assert_string_equal(cfg->bridges[0].map[0].to, "alice");
	assert_string_equal(cfg->bridges[0].map[1].from, "x=y");
	assert_string_equal(cfg->bridges[0].map[1].to, "carol");
	assert_string_equal(cfg->bridges[1].nick, "matrix");
	assert_int_equal(cfg->bridges[1].nmap, 0);
	snprintf(want, sizeof want, "%s/data/ob.db", tdir);
	assert_string_equal(cfg->storage_path, want);
	cfg_free(cfg);
	unsetenv("OB_TEST_SASL");
}

/* A minimal config gets every default of config.h. */
static void
test_defaults(void **state)
{
	struct config	*cfg;
	char		 want[PATH_MAX];

	cfg = must_load("irc = { server = \"irc.example.net\";\n"
	    "  channels = ( \"#a\", \"#b\" ); };\n");
	assert_string_equal(cfg->instance, "outagebot");
	assert_string_equal(cfg->timezone, "UTC");
	assert_int_equal(cfg->strict_permissions, 0);
	assert_int_equal(cfg->irc.port, 6697);
	assert_int_equal(cfg->irc.tls, 1);
	assert_int_equal(cfg->irc.tls_verify, 1);
	assert_null(cfg->irc.tls_ca_file);
	assert_null(cfg->irc.tls_fingerprint);
	assert_null(cfg->irc.client_cert);
	assert_null(cfg->irc.client_key);
	assert_null(cfg->irc.password);
	assert_string_equal(cfg->irc.nick, "outagebot");
	assert_string_equal(cfg->irc.alt_nick, "outagebot_");
	assert_string_equal(cfg->irc.username, "outagebot");
	assert_string_equal(cfg->irc.realname, "outagebot");
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_NONE);
	assert_null(cfg->irc.sasl.account);
	assert_null(cfg->irc.sasl.password);
	assert_int_equal(cfg->irc.sasl.required, 0);
	assert_int_equal(cfg->irc.nannounce_channels, 2);
	assert_string_equal(cfg->irc.announce_channels[0], "#a");
	assert_string_equal(cfg->irc.announce_channels[1], "#b");
	/* A copy, not the same array. */
	assert_ptr_not_equal(cfg->irc.announce_channels, cfg->irc.channels);
	assert_int_equal(cfg->irc.topic, 0);
	assert_string_equal(cfg->irc.command_prefix, "!");
	assert_int_equal(cfg->irc.flood_burst, 4);
	assert_int_equal(cfg->irc.flood_interval_ms, 2000);
	assert_int_equal(cfg->irc.max_reply_lines, 4);
	assert_int_equal(cfg->irc.ping_interval_ms, 90000);
	assert_int_equal(cfg->irc.ping_timeout_ms, 120000);
	assert_int_equal(cfg->irc.reconnect_min_ms, 2000);
	assert_int_equal(cfg->irc.reconnect_max_ms, 300000);
	assert_int_equal(cfg->team.identify, CFG_IDENTIFY_ACCOUNT);
	assert_int_equal(cfg->team.nmembers, 0);
	assert_int_equal(cfg->nbridges, 0);
	snprintf(want, sizeof want, "%s/outagebot.db", tdir);
	assert_string_equal(cfg->storage_path, want);
	cfg_free(cfg);

	/* Without TLS the port is 6667; alt_nick and username follow nick. */
	cfg = must_load("irc = { server = \"localhost\"; tls = false;\n"
	    "  nick = \"bob\"; channels = ( \"#a\" ); };\n"
	    "storage = { path = \"/abs/ob.db\"; };\n");
	assert_int_equal(cfg->irc.port, 6667);
	assert_string_equal(cfg->irc.alt_nick, "bob_");
	assert_string_equal(cfg->irc.username, "bob");
	assert_string_equal(cfg->storage_path, "/abs/ob.db");
	cfg_free(cfg);
}

/* libconfig syntax errors keep libconfig's file, line and text. */
static void
test_syntax_error(void **state)
{
	assert_error("irc = {\n"
	    "  server = \"x\";\n"
	    "  channels = ( \"#a\";\n"
	    "};\n", "3: syntax error");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "instance = \"a\";\n"
	    "instance = \"b\";\n",
	    "3: syntax error: duplicate setting name");
}

/* Wrong types name the key and what was expected. */
static void
test_type_errors(void **state)
{
	static const char *const want[] = {
		"2: irc.port: expected an integer",
		"3: irc.tls: expected true or false",
		"4: irc.channels: expected a list of strings such as "
		    "( \"a\", \"b\" )",
		"5: irc.flood.interval: expected a duration string such as "
		    "\"30s\" (use 1w, 12h, ...)",
		"6: irc.nick: expected a string",
		"8: team: expected a group { ... }",
		NULL
	};

	assert_errors("irc = { server = \"x\";\n"
	    "  port = \"6697\";\n"
	    "  tls = 1;\n"
	    "  channels = \"#a\";\n"
	    "  flood = { interval = 2; };\n"
	    "  nick = 5;\n"
	    "};\n"
	    "team = ( \"alice\" );\n", want);
}

/* Range checks on integers and durations. */
static void
test_range_errors(void **state)
{
	static const char *const want[] = {
		"2: irc.port: 70000 is out of range (1-65535)",
		"3: irc.flood.burst: 0 is out of range (at least 1)",
		"4: irc.max_reply_lines: 51 is out of range (1-50)",
		"5: irc.reconnect.min: must not be longer than reconnect.max "
		    "(1m)",
		"6: irc.ping_timeout: must be longer than 0s",
		NULL
	};

	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  port = 70000;\n"
	    "  flood = { burst = 0; };\n"
	    "  max_reply_lines = 51;\n"
	    "  reconnect = { min = \"5m\"; max = \"1m\"; };\n"
	    "  ping_timeout = \"0s\";\n"
	    "};\n", want);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  reconnect = { max = \"1s\"; }; };\n",
	    "2: irc.reconnect.max: must not be shorter than reconnect.min "
	    "(2s)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  port = 0; };\n", "2: irc.port: 0 is out of range (1-65535)");
}

/* A bad duration is quoted with the units to use. */
static void
test_duration_error(void **state)
{
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "\n"
	    "  ping_interval = \"1 week\"; };\n",
	    "3: irc.ping_interval: \"1 week\" is not a duration "
	    "(use 1w, 12h, ...)");
}

/* List elements are addressed as key.[index] on their own line. */
static void
test_list_index_path(void **state)
{
	static const char *const want[] = {
		"3: irc.channels.[1]: \"ops\" is not a channel name "
		    "(it starts with # or & and has no spaces, commas or "
		    "control characters)",
		"4: irc.channels.[2]: expected a string",
		"9: bridges.[1].nick: \"bad nick\" is not a valid IRC nick "
		    "(letters, digits and -[]\\`_^{|}, not starting with a "
		    "digit or -)",
		NULL
	};

	assert_errors("irc = { server = \"x\";\n"
	    "  channels = ( \"#a\",\n"
	    "    \"ops\",\n"
	    "    5 );\n"
	    "};\n"
	    "bridges = (\n"
	    "  { nick = \"good\"; account = \"g\"; },\n"
	    "  { account = \"b\";\n"
	    "    nick = \"bad nick\"; }\n"
	    ");\n", want);
}

/* Every problem is reported, in line order, joined by newlines. */
static void
test_multiple_errors(void **state)
{
	static const char *const want[] = {
		"1: instance: \"a b\" is not an instance name (letters, "
		    "digits, '.', '_', '-')",
		"2: timezone: \"Mars/Olympus\" is not a known time zone (such "
		    "as \"UTC\" or \"Europe/Prague\")",
		"3: irc.server: missing (the IRC server's host name)",
		"3: irc.channels: missing (the channels to join, such as "
		    "( \"#team\" ))",
		"4: irc.nick: \"9lives\" is not a valid IRC nick (letters, "
		    "digits and -[]\\`_^{|}, not starting with a digit or -)",
		"5: irc.command_prefix: \"! \" is not a command prefix (1-8 "
		    "characters, no spaces)",
		"7: team.identify: \"ldap\" is not \"account\" or "
		    "\"hostmask\"",
		NULL
	};

	assert_errors("instance = \"a b\";\n"
	    "timezone = \"Mars/Olympus\";\n"
	    "irc = {\n"
	    "  nick = \"9lives\";\n"
	    "  command_prefix = \"! \";\n"
	    "};\n"
	    "team = { identify = \"ldap\"; members = ( \"x!y@z\" ); };\n",
	    want);
}

/* A missing irc group, and a missing file, are reported. */
static void
test_missing(void **state)
{
	struct config	*cfg;
	char		*err, path[PATH_MAX], want[PATH_MAX + 64];

	assert_error("instance = \"x\";\n",
	    "1: irc: missing (irc = { server = ...; channels = ...; })");
	assert_error("irc = { server = \"x\"; channels = ( ); };\n",
	    "1: irc.channels: must list at least one channel");

	snprintf(path, sizeof path, "%s/nope.conf", tdir);
	err = NULL;
	cfg = cfg_load(path, &err);
	assert_null(cfg);
	snprintf(want, sizeof want, "%s: cannot read: %s", path,
	    strerror(ENOENT));
	assert_string_equal(err, want);
	free(err);
}

/* Nick, channel and related identity checks. */
static void
test_nick_channel(void **state)
{
	static const char *const want[] = {
		"2: irc.alt_nick: \"a,b\" is not a valid IRC nick (letters, "
		    "digits and -[]\\`_^{|}, not starting with a digit or -)",
		"3: irc.channels.[1]: \"#a b\" is not a channel name (it "
		    "starts with # or & and has no spaces, commas or control "
		    "characters)",
		"3: irc.channels.[2]: \"#A\" is listed twice",
		"4: irc.announce_channels.[0]: \"#elsewhere\" is not in "
		    "irc.channels (the bot only speaks where it has joined)",
		"5: irc.username: \"u@h\" is not a valid name (no spaces, "
		    "commas, '!', '@' or control characters)",
		"6: irc.realname: must be one non-empty line",
		"7: irc.server: \"irc example\" is not a host name",
		NULL
	};

	assert_errors("irc = {\n"
	    "  alt_nick = \"a,b\";\n"
	    "  channels = ( \"#a\", \"#a b\", \"#A\" );\n"
	    "  announce_channels = ( \"#elsewhere\" );\n"
	    "  username = \"u@h\";\n"
	    "  realname = \"two\\nlines\";\n"
	    "  server = \"irc example\";\n"
	    "};\n", want);
}

/* SASL mechanisms and what each needs. */
static void
test_sasl(void **state)
{
	static const char *const want_plain[] = {
		"2: irc.sasl.account: missing (needed for mechanism PLAIN)",
		"2: irc.sasl.password_file: missing (needed for mechanism "
		    "PLAIN)",
		NULL
	};
	struct config	*cfg;

	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"PLAIN\"; }; };\n", want_plain);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = {\n"
	    "    mechanism = \"DIGEST-MD5\"; }; };\n",
	    "3: irc.sasl.mechanism: \"DIGEST-MD5\" is not a SASL "
	    "mechanism (use \"PLAIN\", \"EXTERNAL\", \"SCRAM-SHA-256\" or "
	    "\"ECDSA-NIST256P-CHALLENGE\")");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { required = true; }; };\n",
	    "2: irc.sasl.mechanism: missing (\"PLAIN\" or \"EXTERNAL\")");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"external\"; }; };\n",
	    "2: irc.sasl.mechanism: EXTERNAL needs irc.client_cert");

	put_file("cert.pem", "dummy\n", 0644);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  client_cert = \"cert.pem\";\n"
	    "  sasl = { mechanism = \"External\"; }; };\n");
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_EXTERNAL);
	assert_null(cfg->irc.sasl.password);
	assert_null(cfg->irc.client_key);
	cfg_free(cfg);
}

/* A secret file's first line, without its line ending, is the secret. */
static void
test_secret_file(void **state)
{
	struct config	*cfg;
	const char	*abs;
	char		*text;

	put_file("sasl.secret", SECRET_SASL "\r\nignored\n", 0600);
	abs = put_file("pass.secret", SECRET_PASS, 0400);
	text = xasprintf("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"%s\";\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
	    "           password_file = \"sasl.secret\"; }; };\n", abs);
	capture_start();
	cfg = must_load(text);
	free(text);
	text = capture_end();
	assert_string_equal(text, "");
	free(text);
	assert_string_equal(cfg->irc.password, SECRET_PASS);
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	cfg_free(cfg);
}

/* env:NAME secrets; an unset or empty variable is named, never a value. */
static void
test_secret_env(void **state)
{
	static const char conf[] =
	    "irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"env:OB_TEST_PASS\"; };\n";
	struct config	*cfg;

	setenv("OB_TEST_PASS", SECRET_PASS, 1);
	cfg = must_load(conf);
	assert_string_equal(cfg->irc.password, SECRET_PASS);
	cfg_free(cfg);

	unsetenv("OB_TEST_PASS");
	assert_error(conf, "2: irc.password_file: environment variable "
	    "OB_TEST_PASS is not set");
	setenv("OB_TEST_PASS", "", 1);
	assert_error(conf, "2: irc.password_file: environment variable "
	    "OB_TEST_PASS is empty");
	setenv("OB_TEST_PASS", "a\r\nQUIT", 1);
	assert_error(conf, "2: irc.password_file: environment variable "
	    "OB_TEST_PASS contains a line break");
	unsetenv("OB_TEST_PASS");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"env:1BAD\"; };\n",
	    "2: irc.password_file: \"1BAD\" is not a valid environment "
	    "variable name");
}

/* Problems name the key and path; no message ever holds a secret. */
static void
test_secret_problems(void **state)
{
	static const char *const inline_want[] = {
		"2: irc.sasl.password_file: missing (needed for mechanism "
		    "PLAIN)",
		"3: irc.sasl.password: secrets are not allowed inline (use "
		    "password_file = a path or \"env:NAME\")",
		NULL
	};
	struct config	*cfg;
	char		*err, *want, *out;

	/* A missing file: the message names the key and the path. */
	want = xasprintf("2: irc.password_file: cannot read %s/absent: %s",
	    tdir, strerror(ENOENT));
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"absent\"; };\n", want);
	free(want);

	put_file("empty", "\nsecond\n", 0600);
	want = xasprintf("2: irc.password_file: first line of %s/empty is "
	    "empty", tdir);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"empty\"; };\n", want);
	free(want);

	/* Secrets that did load stay out of the messages of other errors. */
	put_file("good", SECRET_PASS "\n", 0644);
	setenv("OB_TEST_SASL", SECRET_SASL, 1);
	capture_start();
	cfg = load_text("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  password_file = \"good\";\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
	    "    password_file = \"env:OB_TEST_SASL\"; };\n"
	    "  port = -1; };\n", &err);
	out = capture_end();
	assert_null(cfg);
	assert_non_null(strstr(err, "irc.port"));
	assert_null(strstr(err, SECRET_PASS));
	assert_null(strstr(err, SECRET_SASL));
	assert_non_null(strstr(out, "readable by others"));
	assert_null(strstr(out, SECRET_PASS));
	assert_null(strstr(out, SECRET_SASL));
	free(out);
	free(err);
	unsetenv("OB_TEST_SASL");

	/* An inline secret is refused without echoing it. */
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
	    "    password = \"" SECRET_SASL "\"; }; };\n", inline_want);
}

/* A secret readable by others warns; strict_permissions refuses it. */
static void
test_permissions(void **state)
{
	static const char conf[] =
	    "irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
	    "    password_file = \"loose\"; }; };\n";
	struct config	*cfg;
	char		*out, *want, *text;

	put_file("loose", SECRET_SASL "\n", 0644);
	capture_start();
	cfg = must_load(conf);
	out = capture_end();
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	cfg_free(cfg);
	want = xasprintf(" warn config: %s:3: irc.sasl.password_file: "
	    "%s/loose is readable by others (chmod 600)\n", cpath, tdir);
	assert_non_null(strstr(out, want));
	assert_null(strstr(out, SECRET_SASL));
	free(want);
	free(out);

	/* Group-writable only is reported as writable. */
	put_file("loose", SECRET_SASL "\n", 0620);
	capture_start();
	cfg = must_load(conf);
	out = capture_end();
	cfg_free(cfg);
	assert_non_null(strstr(out, "/loose is writable by others (chmod "
	    "600)"));
	free(out);

	/* strict_permissions turns the warning into a refusal. */
	put_file("loose", SECRET_SASL "\n", 0640);
	text = xasprintf("strict_permissions = true;\n%s", conf);
	want = xasprintf("4: irc.sasl.password_file: %s/loose is readable "
	    "by others (chmod 600; strict_permissions = true)", tdir);
	assert_error(text, want);
	free(want);

	/* A private file passes strict mode silently. */
	put_file("loose", SECRET_SASL "\n", 0600);
	capture_start();
	cfg = must_load(text);
	out = capture_end();
	assert_string_equal(out, "");
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	cfg_free(cfg);
	free(out);
	free(text);
}

/* Fingerprints normalise to 64 lower-case hex digits or are refused. */
static void
test_fingerprint(void **state)
{
	static const char *const good[] = {
		"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789AB"
		    "CDEF",
		"01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:"
		    "89:ab:cd:ef:01:23:45:67:89:ab:cd:ef",
	};
	struct config	*cfg;
	char		*text;
	size_t		 i;

	for (i = 0; i < nitems(good); i++) {
		text = xasprintf("irc = { server = \"x\"; "
		    "channels = ( \"#a\" );\n"
		    "  tls_fingerprint = \"%s\"; };\n", good[i]);
		cfg = must_load(text);
		free(text);
		assert_string_equal(cfg->irc.tls_fingerprint,
		    "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef");
		cfg_free(cfg);
	}
	/* One digit short, a non-hex digit, a SHA-1 length. */
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  tls_fingerprint = \"0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcde\"; };\n",
	    "2: irc.tls_fingerprint: not a SHA-256 fingerprint (64 hex "
	    "digits, colons optional)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  tls_fingerprint = \"g123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef\"; };\n",
	    "2: irc.tls_fingerprint: not a SHA-256 fingerprint (64 hex "
	    "digits, colons optional)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  tls_fingerprint = \"da39a3ee5e6b4b0d3255bfef95601890afd80709"
	    "\"; };\n",
	    "2: irc.tls_fingerprint: not a SHA-256 fingerprint (64 hex "
	    "digits, colons optional)");
	/* Kept with tls = false: it verifies an STS upgrade. */
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  tls = false;\n"
	    "  tls_fingerprint = \"0123456789ABCDEF0123456789abcdef0123456789"
	    "abcdef0123456789abcdef\"; };\n");
	assert_string_equal(cfg->irc.tls_fingerprint, "0123456789abcdef0123"
	    "456789abcdef0123456789abcdef0123456789abcdef");
	cfg_free(cfg);
}

/* identify = hostmask: entries are masks named by their nick part. */
static void
test_hostmask(void **state)
{
	static const char *const want_bad[] = {
		"3: team.members.[0]: \"alice\" is not a nick!user@host mask "
		    "(such as \"alice!*@*\")",
		"4: team.members.[1]: \"a.b!*@host\": the part before '!' "
		    "must be a nick or a glob (it names the person)",
		"5: team.members.[2]: \"bob!x\" is not a nick!user@host mask "
		    "(such as \"alice!*@*\")",
		NULL
	};
	struct config	*cfg;
	char		 buf[64], small[4];

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\";\n"
	    "  members = ( \"alice!*@*\", \"bob!bob@*.example.org\" );\n"
	    "  admins = ( \"carol!~c@10.0.0.*\", \"alice!*@*\" );\n"
	    "  github = ( \"carol=carol-gh\" ); };\n"
	    "bridges = ( { nick = \"relay\"; mask = \"relay!*@*\";\n"
	    "  map = ( \"bobT=bob\" ); } );\n");
	assert_int_equal(cfg->team.identify, CFG_IDENTIFY_HOSTMASK);
	assert_int_equal(cfg->team.nmembers, 3);
	assert_string_equal(cfg->team.members[2], "carol!~c@10.0.0.*");
	assert_string_equal(cfg_entry_name(cfg, cfg->team.members[0], buf,
	    sizeof buf), "alice");
	assert_string_equal(cfg_entry_name(cfg, cfg->team.members[1], buf,
	    sizeof buf), "bob");
	assert_string_equal(cfg_entry_name(cfg, cfg->team.members[2], buf,
	    sizeof buf), "carol");
	/* Truncated to the buffer, always terminated. */
	assert_string_equal(cfg_entry_name(cfg, "carol!*@*", small,
	    sizeof small), "car");
	assert_null(cfg->bridges[0].account);
	assert_string_equal(cfg->bridges[0].map[0].to, "bob");
	cfg_free(cfg);

	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\"; members = (\n"
	    "  \"alice\",\n"
	    "  \"a.b!*@host\",\n"
	    "  \"bob!x\" ); };\n", want_bad);
	/* A glob nick part is allowed: anyone from that host. */
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\";\n"
	    "  members = ( \"*!*@127.0.0.1\" ); };\n");
	assert_string_equal(cfg->team.members[0], "*!*@127.0.0.1");
	cfg_free(cfg);
}

/* identify = account: entries are names, returned as they are. */
static void
test_account_names(void **state)
{
	struct config	*cfg;
	char		 buf[64];

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"alice\" ); admins = ( \"ALICE\" ); };\n");
	/* Admins already listed (case-insensitively) are not added twice. */
	assert_int_equal(cfg->team.nmembers, 1);
	assert_string_equal(cfg_entry_name(cfg, "alice", buf, sizeof buf),
	    "alice");
	assert_string_equal(cfg_entry_name(cfg, "a!b@c", buf, sizeof buf),
	    "a!b@c");
	cfg_free(cfg);

	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"alice!*@*\" ); };\n",
	    "2: team.members.[0]: \"alice!*@*\" looks like a hostmask (set "
	    "team.identify = \"hostmask\")");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"alice\", \"bob\", \"Alice\" ); };\n",
	    "2: team.members.[2]: \"Alice\" is listed twice");
}

/* team.github pairs: shape, member, login. */
static void
test_github_pairs(void **state)
{
	static const char *const want[] = {
		"3: team.github.[0]: \"alice\" is not \"person=login\"",
		"4: team.github.[1]: \"dave\" is not a team member "
		    "(team.members)",
		"5: team.github.[2]: \"bob_gh\" is not a GitHub login",
		"6: team.github.[4]: \"bob\" is mapped twice",
		NULL
	};

	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"alice\", \"bob\" ); github = (\n"
	    "  \"alice\",\n"
	    "  \"dave=dave\",\n"
	    "  \"bob=bob_gh\",\n"
	    "  \"bob=bobby\", \"bob=b2\" ); };\n", want);
}

/* Bridge maps must point at team members; account needs account. */
static void
test_bridges(void **state)
{
	static const char *const want[] = {
		"3: bridges.[0].map.[1]: \"dave\" is not a team member "
		    "(team.members)",
		"5: bridges.[1].account: missing (needed with team.identify = "
		    "\"account\")",
		"6: bridges.[2]: expected a group { nick = ...; }",
		NULL
	};

	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"alice\" ); };\n"
	    "bridges = ( { nick = \"tg\"; account = \"tg\"; map = ( "
	    "\"a=alice\", \"d=dave\" ); },\n"
	    "\n"
	    "  { nick = \"other\"; },\n"
	    "  \"third\" );\n", want);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "bridges = ( { nick = \"tg\"; account = \"t\"; },\n"
	    "  { nick = \"TG\"; account = \"t\"; } );\n",
	    "3: bridges.[1].nick: bridge \"TG\" is listed twice");
}

/* Unknown keys are refused, with a suggestion when one is close. */
static void
test_unknown_key(void **state)
{
	static const char *const want[] = {
		"1: colour: unknown key",
		"3: irc.prot: unknown key (did you mean \"port\"?)",
		"5: irc.flood.brust: unknown key (did you mean \"burst\"?)",
		"6: storage.file: unknown key",
		NULL
	};

	assert_errors("colour = \"blue\";\n"
	    "irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  prot = 6697;\n"
	    "  flood = {\n"
	    "    brust = 3; }; };\n"
	    "storage = { file = \"x.db\"; };\n", want);
}

/* The groups later features validate are accepted as they are. */
static void
test_later_groups(void **state)
{
	struct config	*cfg;

	put_file("nonexistent", "gh-token\n", 0600);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { repo = \"a/b\"; token_file = \"nonexistent\"; };\n"
	    "statuspage = { components = ( \"API\" ); backends = ( ); };\n"
	    "outage = { remind_after = \"60m\"; };\n"
	    "alerts = { repeat = 2; auto_open = false; };\n"
	    "plugins = { dir = \"/p\";\n"
	    "  load = ( { name = \"healthz\"; } ); };\n");
	assert_string_equal(cfg->irc.server, "x");
	cfg_free(cfg);
}

/* Channels and a team every roles test shares (lines 1 and 2). */
#define ROLES_BASE \
	"irc = { server = \"x\"; channels = ( \"#ops\", \"#team\" ); " \
	"announce_channels = ( \"#team\" ); };\n" \
	"team = { members = ( \"Alice\", \"bob\", \"carol\" ); };\n"

/* Roles load typed, with their defaults, and are found by any name. */
static void
test_roles_valid(void **state)
{
	struct config		*cfg;
	const struct cfg_role	*r;

	cfg = must_load(ROLES_BASE
	    "timezone = \"America/New_York\";\n"
	    "roles = (\n"
	    "  { name = \"outage-master\"; aliases = ( \"om\", \"oncall\" );\n"
	    "    members = ( \"bob\", \"alice\", \"CAROL\" ); "
	    "shift = \"1w\";\n"
	    "    start = \"2026-11-23 09:00\"; timezone = \"Europe/Prague\";\n"
	    "    announce_channel = \"#OPS\"; remind_before = \"1d\"; },\n"
	    "  { name = \"sentry-master\"; members = ( \"carol\" );\n"
	    "    shift = \"12h\"; start = \"2026-11-23T09:00:00+02:00\"; },\n"
	    "  { name = \"community\"; members = [ \"bob\" ];\n"
	    "    shift = \"2d\"; start = \"2026-11-23 09:00\";\n"
	    "    remind_before = \"0s\"; }\n"
	    ");\n");
	assert_int_equal(cfg->nroles, 3);
	assert_non_null(cfg->tz);
	assert_string_equal(tz_name(cfg->tz), "America/New_York");

	r = &cfg->roles[0];
	assert_string_equal(r->name, "outage-master");
	assert_int_equal(r->naliases, 2);
	assert_string_equal(r->aliases[0], "om");
	assert_string_equal(r->aliases[1], "oncall");
	/* Members keep their order, spelled as team.members has them. */
	assert_int_equal(r->nmembers, 3);
	assert_string_equal(r->members[0], "bob");
	assert_string_equal(r->members[1], "Alice");
	assert_string_equal(r->members[2], "carol");
	assert_int_equal(r->shift_days, 7);
	assert_int_equal(r->shift_ms, 7 * 86400000LL);
	/* 09:00 CET is 08:00 UTC. */
	assert_int_equal(r->start, 1795420800);
	assert_string_equal(r->timezone, "Europe/Prague");
	assert_non_null(r->tz);
	assert_string_equal(tz_name(r->tz), "Europe/Prague");
	assert_string_equal(r->announce_channel, "#ops");
	assert_int_equal(r->remind_before_ms, 86400000);

	/* Defaults: the top-level zone, the first announce channel, no
	 * reminder; an hour-based shift has no calendar days. */
	r = &cfg->roles[1];
	assert_string_equal(r->name, "sentry-master");
	assert_int_equal(r->naliases, 0);
	assert_int_equal(r->nmembers, 1);
	assert_int_equal(r->shift_days, 0);
	assert_int_equal(r->shift_ms, 12 * 3600000LL);
	/* An explicit offset wins over the zone. */
	assert_int_equal(r->start, 1795417200);
	assert_string_equal(r->timezone, "America/New_York");
	assert_non_null(r->tz);
	assert_ptr_not_equal(r->tz, cfg->tz);	/* its own copy */
	assert_string_equal(r->announce_channel, "#team");
	assert_int_equal(r->remind_before_ms, 0);

	r = &cfg->roles[2];
	assert_int_equal(r->shift_days, 2);
	/* 09:00 in New York (EST, UTC-5) is 14:00 UTC. */
	assert_int_equal(r->start, 1795442400);
	assert_int_equal(r->remind_before_ms, 0);

	/* Lookup by name and alias, case-insensitive. */
	assert_ptr_equal(cfg_role_find(cfg, "outage-master"), &cfg->roles[0]);
	assert_ptr_equal(cfg_role_find(cfg, "OM"), &cfg->roles[0]);
	assert_ptr_equal(cfg_role_find(cfg, "OnCall"), &cfg->roles[0]);
	assert_ptr_equal(cfg_role_find(cfg, "Sentry-Master"), &cfg->roles[1]);
	assert_ptr_equal(cfg_role_find(cfg, "community"), &cfg->roles[2]);
	assert_null(cfg_role_find(cfg, "o"));
	assert_null(cfg_role_find(cfg, "outage-master2"));
	assert_null(cfg_role_find(cfg, NULL));
	assert_null(cfg_role_find(NULL, "om"));
	cfg_free(cfg);

	/* No roles at all: none found, announce defaults irrelevant. */
	cfg = must_load(ROLES_BASE);
	assert_int_equal(cfg->nroles, 0);
	assert_null(cfg_role_find(cfg, "om"));
	assert_string_equal(tz_name(cfg->tz), "UTC");
	assert_null(cfg->ical_path);
	assert_int_equal(cfg->ical_weeks, 12);
	cfg_free(cfg);

	/* With announce_channels = ( ) a role announces in the first
	 * channel; a start in the zone's summer time uses CEST. */
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\", "
	    "\"#b\" );\n"
	    "  announce_channels = ( ); };\n"
	    "team = { members = ( \"alice\" ); };\n"
	    "timezone = \"Europe/Prague\";\n"
	    "roles = ( { name = \"om\"; members = ( \"alice\" ); "
	    "shift = \"1d\";\n"
	    "  start = \"2026-07-01 09:00\"; } );\n");
	assert_string_equal(cfg->roles[0].announce_channel, "#a");
	assert_int_equal(cfg->roles[0].start, 1782889200);
	assert_string_equal(cfg->roles[0].timezone, "Europe/Prague");
	cfg_free(cfg);
}

/* With identify = hostmask, role members are the nick parts. */
static void
test_roles_hostmask(void **state)
{
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\";\n"
	    "  members = ( \"alice!*@*\", \"bob!b@host.example\" ); };\n"
	    "roles = ( { name = \"om\"; members = ( \"bob\", \"ALICE\" );\n"
	    "  shift = \"1w\"; start = \"2026-11-23 09:00\"; } );\n");
	assert_int_equal(cfg->roles[0].nmembers, 2);
	assert_string_equal(cfg->roles[0].members[0], "bob");
	assert_string_equal(cfg->roles[0].members[1], "alice");
	assert_int_equal(cfg->roles[0].start, 1795424400);
	cfg_free(cfg);

	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\";\n"
	    "  members = ( \"alice!*@*\" ); };\n"
	    "roles = ( { name = \"om\"; shift = \"1w\";\n"
	    "  start = \"2026-11-23 09:00\";\n"
	    "  members = ( \"alice!*@*\" ); } );\n",
	    "6: roles.[0].members.[0]: \"alice!*@*\" is not a person's name "
	    "(no spaces, commas, '!', '@', '*', '?' or control characters)");
}

/* Missing keys of a role, and a roles value of the wrong shape. */
static void
test_role_missing(void **state)
{
	static const char *const want[] = {
		"4: roles.[0].name: missing (such as \"outage-master\")",
		"4: roles.[0].members: missing (the people on call in turn, "
		    "such as ( \"alice\", \"bob\" ))",
		"4: roles.[0].shift: missing (such as \"1w\" or \"12h\")",
		"4: roles.[0].start: missing (the first handoff, such as "
		    "\"2026-11-23 09:00\")",
		"5: roles.[1]: expected a group { name = ...; }",
		"6: roles.[2].members: must list at least one member",
		"7: roles.[2].shfit: unknown key (did you mean \"shift\"?)",
		NULL
	};

	assert_errors(ROLES_BASE
	    "roles = (\n"
	    "  { },\n"
	    "  \"om\",\n"
	    "  { name = \"om\"; members = ( ); shift = \"1w\";\n"
	    "    shfit = \"1w\"; start = \"2026-11-23 09:00\"; }\n"
	    ");\n", want);
	assert_error(ROLES_BASE
	    "roles = { name = \"om\"; };\n",
	    "3: roles: expected a list of groups such as ( { name = "
	    "\"outage-master\"; ... } )");
}

/* Names and aliases: shape, and unique across every role. */
static void
test_role_names(void **state)
{
	static const char *const want[] = {
		"5: roles.[0].name: \"Outage Master\" is not a role name "
		    "(1-32 letters, digits and '-', such as "
		    "\"outage-master\")",
		"8: roles.[1].aliases.[0]: \"sentry\" is the role's own name",
		"9: roles.[1].aliases.[3]: \"X\" is listed twice",
		"12: roles.[2].name: \"OM\" is already an alias of role "
		    "\"sentry\"",
		"13: roles.[2].aliases.[0]: \"Sentry\" is already the name of "
		    "role \"sentry\"",
		"14: roles.[2].aliases.[1]: \"om\" is already an alias of "
		    "role \"sentry\"",
		NULL
	};

	assert_errors(ROLES_BASE
	    "roles = (\n"
	    "  { members = ( \"bob\" ); shift = \"1w\";\n"
	    "    name = \"Outage Master\";\n"
	    "    start = \"2026-11-23 09:00\"; },\n"
	    "  { name = \"sentry\"; members = ( \"bob\" ); shift = \"1w\";\n"
	    "    aliases = ( \"sentry\",\n"
	    "      \"x\", \"om\", \"X\" );\n"
	    "    start = \"2026-11-23 09:00\"; },\n"
	    "  { members = ( \"bob\" ); shift = \"1w\";\n"
	    "    name = \"OM\";\n"
	    "    aliases = ( \"Sentry\",\n"
	    "      \"om\" );\n"
	    "    start = \"2026-11-23 09:00\"; }\n"
	    ");\n", want);
	/* The same alias on two roles, the second is refused. */
	assert_error(ROLES_BASE
	    "roles = ( { name = \"a\"; aliases = ( \"boss\" ); members = "
	    "( \"bob\" );\n"
	    "  shift = \"1w\"; start = \"2026-11-23 09:00\"; },\n"
	    "  { name = \"b\"; aliases = ( \"BOSS\" ); members = ( \"bob\" "
	    ");\n"
	    "  shift = \"1w\"; start = \"2026-11-23 09:00\"; } );\n",
	    "5: roles.[1].aliases.[0]: \"BOSS\" is already an alias of role "
	    "\"a\"");
	assert_error(ROLES_BASE
	    "roles = ( { name = \"a\"; members = ( \"bob\" ); "
	    "shift = \"1w\";\n"
	    "  start = \"2026-11-23 09:00\";\n"
	    "  aliases = ( 5 ); } );\n",
	    "5: roles.[0].aliases.[0]: expected a string");
}

/* Members: team persons only, each once. */
static void
test_role_members(void **state)
{
	static const char *const want[] = {
		"6: roles.[0].members.[1]: \"dave\" is not a team member "
		    "(team.members)",
		"7: roles.[0].members.[2]: \"Bob\" is listed twice",
		"7: roles.[0].members.[3]: expected a string",
		NULL
	};

	assert_errors(ROLES_BASE
	    "roles = (\n"
	    "  { name = \"om\"; shift = \"1w\"; "
	    "start = \"2026-11-23 09:00\";\n"
	    "    members = ( \"bob\",\n"
	    "      \"dave\",\n"
	    "      \"Bob\", 7 ); }\n"
	    ");\n", want);
	/* Without a team, nobody is a member. */
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "roles = ( { name = \"om\"; shift = \"1w\";\n"
	    "  start = \"2026-11-23 09:00\"; members = ( \"alice\" ); } );\n",
	    "3: roles.[0].members.[0]: \"alice\" is not a team member "
	    "(team.members)");
}

/* Shift, start, zone, channel and reminder problems. */
static void
test_role_values(void **state)
{
	static const char *const want[] = {
		"5: roles.[0].shift: \"1 week\" is not a duration (use 1w, "
		    "12h, ...)",
		"6: roles.[0].start: \"23.11.2026\" is not a date and time "
		    "(use 2026-11-23 09:00)",
		"9: roles.[1].timezone: unknown time zone \"Europe/Prag\"",
		"10: roles.[1].announce_channel: \"#elsewhere\" is not in "
		    "irc.channels (the bot only speaks where it has joined)",
		"11: roles.[1].remind_before: must be shorter than the shift "
		    "(12h)",
		NULL
	};
	static const char *const bad_zone[] = {
		"4: roles.[0].start: \"tomorrow\" is not a date and time (use "
		    "2026-11-23 09:00)",
		"5: roles.[0].timezone: unknown time zone \"Nowhere/City\"",
		NULL
	};
	static const char *const bad_starts[] = {
		"now", "16:00", "2h", "2026-11-23", "2026-11-23 25:00",
		"2026-13-01 09:00", "2026-11-23 09:00 CET", "",
	};
	struct config	*cfg;
	char		*text, *want1;
	size_t		 i;

	assert_errors(ROLES_BASE
	    "roles = (\n"
	    "  { name = \"om\"; members = ( \"bob\" );\n"
	    "    shift = \"1 week\";\n"
	    "    start = \"23.11.2026\"; },\n"
	    "  { name = \"sm\"; members = ( \"bob\" ); shift = \"12h\";\n"
	    "    start = \"2026-11-23 09:00\";\n"
	    "    timezone = \"Europe/Prag\";\n"
	    "    announce_channel = \"#elsewhere\";\n"
	    "    remind_before = \"12h\"; }\n"
	    ");\n", want);

	for (i = 0; i < nitems(bad_starts); i++) {
		text = xasprintf(ROLES_BASE "roles = ( { name = \"om\";\n"
		    "  members = ( \"bob\" ); shift = \"1w\";\n"
		    "  start = \"%s\"; } );\n", bad_starts[i]);
		want1 = xasprintf("5: roles.[0].start: \"%s\" is not a date "
		    "and time (use 2026-11-23 09:00)", bad_starts[i]);
		assert_error(text, want1);
		free(text);
		free(want1);
	}
	assert_error(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"0s\"; } );\n",
	    "5: roles.[0].shift: must be longer than 0s");
	assert_error(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"1w\"; remind_before = \"8d\"; } );\n",
	    "5: roles.[0].remind_before: must be shorter than the shift "
	    "(1w)");
	assert_error(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"1w\"; timezone = \"../../etc/passwd\"; } );\n",
	    "5: roles.[0].timezone: unknown time zone \"../../etc/passwd\"");
	/* A bad zone does not hide a start that is no date at all. */
	assert_errors(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"tomorrow\";\n"
	    "  shift = \"1w\"; timezone = \"Nowhere/City\"; } );\n",
	    bad_zone);
	/* Just below the shift is fine; a shift of 36h has no days. */
	cfg = must_load(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"36h\"; remind_before = \"35h59m\"; } );\n");
	assert_int_equal(cfg->roles[0].shift_days, 0);
	assert_int_equal(cfg->roles[0].shift_ms, 36 * 3600000LL);
	assert_int_equal(cfg->roles[0].remind_before_ms,
	    36 * 3600000LL - 60000);
	cfg_free(cfg);
}

/* ical_path must be in an existing directory; ical_weeks in 1-520. */
static void
test_ical(void **state)
{
	struct config	*cfg;
	char		 want[PATH_MAX];
	char		*msg;

	assert_int_equal(mkdir(put_dir("cal"), 0700), 0);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_path = \"cal/oncall.ics\";\n"
	    "ical_weeks = 520;\n");
	snprintf(want, sizeof want, "%s/cal/oncall.ics", tdir);
	assert_string_equal(cfg->ical_path, want);
	assert_int_equal(cfg->ical_weeks, 520);
	cfg_free(cfg);

	msg = xasprintf("2: ical_path: directory %s/nodir: %s", tdir,
	    strerror(ENOENT));
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_path = \"nodir/oncall.ics\";\n", msg);
	free(msg);
	msg = xasprintf("2: ical_path: %s/cal is a directory (expected a "
	    "file name such as \"oncall.ics\")", tdir);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_path = \"cal\";\n", msg);
	free(msg);
	put_file("plain", "x\n", 0644);
	msg = xasprintf("2: ical_path: %s/plain is not a directory", tdir);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_path = \"plain/oncall.ics\";\n", msg);
	free(msg);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_path = \"\";\n",
	    "2: ical_path: must not be empty (expected a path)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_weeks = 0;\n",
	    "2: ical_weeks: 0 is out of range (1-520)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_weeks = 521;\n",
	    "2: ical_weeks: 521 is out of range (1-520)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "ical_weeks = \"12\";\n",
	    "2: ical_weeks: expected an integer");
}

/* The irc keys of DESIGN §12: command_rate and queue_max. */
static void
test_irc_rates(void **state)
{
	static const char *const want[] = {
		"2: irc.command_rate.burst: 0 is out of range (at least 1)",
		"3: irc.command_rate.interval: \"soon\" is not a duration "
		    "(use 1w, 12h, ...)",
		"4: irc.queue_max: 0 is out of range (1-100000)",
		NULL
	};
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n");
	assert_int_equal(cfg->irc.command_rate_burst, 5);
	assert_int_equal(cfg->irc.command_rate_interval_ms, 10000);
	assert_int_equal(cfg->irc.queue_max, 200);
	cfg_free(cfg);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  command_rate = { burst = 2; interval = \"1m\"; };\n"
	    "  queue_max = 50; };\n");
	assert_int_equal(cfg->irc.command_rate_burst, 2);
	assert_int_equal(cfg->irc.command_rate_interval_ms, 60000);
	assert_int_equal(cfg->irc.queue_max, 50);
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  command_rate = { burst = 0;\n"
	    "    interval = \"soon\"; };\n"
	    "  queue_max = 0; };\n", want);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  max_reply_lines = 10; queue_max = 9; };\n",
	    "2: irc.queue_max: must be at least max_reply_lines (10)");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  command_rate = { brust = 2; }; };\n",
	    "2: irc.command_rate.brust: unknown key (did you mean "
	    "\"burst\"?)");
}

/*
 * The account name and the password go through SASLprep at load time:
 * what it refuses is a problem that names the key and why, never the
 * password; what it only maps loads, kept as written.
 */
static void
test_sasl_prep(void **state)
{
	static const char *const bad_pass[] = {
		"pass\tword",			/* a control character */
		"pass\xee\x80\x80" "word",	/* private use */
		"pass\xc3" "word",		/* not UTF-8 */
		"\xc2\xad",			/* empty once mapped */
		"\xd8\xa7" "1",			/* right-to-left then 1 */
	};
	static const char *const why[] = {
		"it has a control character",
		"it has a character that SASLprep (RFC 4013) prohibits",
		"it is not valid UTF-8",
		"it is empty once SASLprep (RFC 4013) has removed what it "
		    "maps to nothing",
		"it mixes right-to-left and other text in a way SASLprep "
		    "(RFC 4013) refuses",
	};
	static const char *const two[] = {
		"3: irc.sasl.account: the account name is not valid SASLprep "
		    "(it has a character that SASLprep (RFC 4013) prohibits)",
		"4: irc.sasl.password_file: the password is not valid "
		    "SASLprep (it has a control character)",
		NULL
	};
	struct config	*cfg;
	char		*want, *err;
	size_t		 i;

	for (i = 0; i < sizeof bad_pass / sizeof *bad_pass; i++) {
		put_file("sasl.secret", bad_pass[i], 0600);
		want = xasprintf("4: irc.sasl.password_file: the password is "
		    "not valid SASLprep (%s)", why[i]);
		assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
		    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
		    "    required = true;\n"
		    "    password_file = \"sasl.secret\"; }; };\n", want);
		free(want);
	}

	/* From the environment, for SCRAM, never echoing the secret. */
	setenv("OB_TEST_SASL", SECRET_SASL "\x7f", 1);
	cfg = load_text("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"SCRAM-SHA-256\"; account = \"a\";\n"
	    "    password_file = \"env:OB_TEST_SASL\"; }; };\n", &err);
	unsetenv("OB_TEST_SASL");
	assert_null(cfg);
	want = xasprintf("%s:3: irc.sasl.password_file: the password is not "
	    "valid SASLprep (it has a control character)", cpath);
	assert_string_equal(err, want);
	assert_null(strstr(err, SECRET_SASL));
	free(want);
	free(err);

	/* The account name too, each problem on its own line. */
	put_file("sasl.secret", "pass\tword\n", 0600);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"SCRAM-SHA-256\";\n"
	    "    account = \"a\xee\x80\x80\";\n"
	    "    password_file = \"sasl.secret\"; }; };\n", two);
	put_file("ecdsa.pem", "-----BEGIN EC PRIVATE KEY-----\n", 0600);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"ECDSA-NIST256P-CHALLENGE\";\n"
	    "    account = \"\xc2\xad\"; key_file = \"ecdsa.pem\"; }; };\n",
	    "3: irc.sasl.account: the account name is not valid SASLprep "
	    "(it is empty once SASLprep (RFC 4013) has removed what it "
	    "maps to nothing)");

	/* What SASLprep maps is fine, and kept as written. */
	put_file("sasl.secret", "pen\xc2\xa0" "cil\xc2\xad\n", 0600);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"\xe2\x85\xa8\";\n"
	    "    password_file = \"sasl.secret\"; }; };\n");
	assert_string_equal(cfg->irc.sasl.account, "\xe2\x85\xa8");
	assert_string_equal(cfg->irc.sasl.password,
	    "pen\xc2\xa0" "cil\xc2\xad");
	cfg_free(cfg);
}

/* SCRAM-SHA-256 is like PLAIN; ECDSA needs a private key file. */
static void
test_sasl_mechanisms(void **state)
{
	static const char *const want_scram[] = {
		"2: irc.sasl.account: missing (needed for mechanism "
		    "SCRAM-SHA-256)",
		"2: irc.sasl.password_file: missing (needed for mechanism "
		    "SCRAM-SHA-256)",
		NULL
	};
	static const char *const want_ecdsa[] = {
		"2: irc.sasl.account: missing (needed for mechanism "
		    "ECDSA-NIST256P-CHALLENGE)",
		"2: irc.sasl.key_file: missing (needed for mechanism "
		    "ECDSA-NIST256P-CHALLENGE)",
		"3: irc.sasl.password_file: not used with mechanism "
		    "ECDSA-NIST256P-CHALLENGE",
		NULL
	};
	struct config	*cfg;
	char		*want, *out;

	put_file("sasl.secret", SECRET_SASL "\n", 0600);
	put_file("ecdsa.pem", "-----BEGIN EC PRIVATE KEY-----\n", 0600);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"scram-sha-256\"; account = \"a\";\n"
	    "    password_file = \"sasl.secret\"; }; };\n");
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_SCRAM_SHA_256);
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	assert_null(cfg->irc.sasl.key_file);
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"SCRAM-SHA-256\"; }; };\n", want_scram);

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"ECDSA-NIST256P-CHALLENGE\";\n"
	    "    account = \"a\"; key_file = \"ecdsa.pem\"; }; };\n");
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_ECDSA_NIST256P);
	want = xasprintf("%s/ecdsa.pem", tdir);
	assert_string_equal(cfg->irc.sasl.key_file, want);
	free(want);
	assert_null(cfg->irc.sasl.password);
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"ECDSA-NIST256P-CHALLENGE\";\n"
	    "    password_file = \"sasl.secret\"; }; };\n", want_ecdsa);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"PLAIN\"; account = \"a\";\n"
	    "    password_file = \"sasl.secret\";\n"
	    "    key_file = \"ecdsa.pem\"; }; };\n",
	    "4: irc.sasl.key_file: not used with mechanism PLAIN");

	/* The key is a secret: its permissions are checked. */
	put_file("loose.pem", "-----BEGIN EC PRIVATE KEY-----\n", 0644);
	capture_start();
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" );\n"
	    "  sasl = { mechanism = \"ECDSA-NIST256P-CHALLENGE\";\n"
	    "    account = \"a\"; key_file = \"loose.pem\"; }; };\n");
	out = capture_end();
	assert_non_null(strstr(out, "irc.sasl.key_file"));
	assert_non_null(strstr(out, "loose.pem is readable by others"));
	free(out);
	cfg_free(cfg);
	want = xasprintf("3: irc.sasl.key_file: %s/loose.pem is readable by "
	    "others (chmod 600; strict_permissions = true)", tdir);
	assert_error("strict_permissions = true; irc = { server = \"x\";\n"
	    "  channels = ( \"#a\" ); sasl = { account = \"a\";\n"
	    "    mechanism = \"ECDSA-NIST256P-CHALLENGE\"; key_file = "
	    "\"loose.pem\"; }; };\n", want);
	free(want);
}

/* Bridges carry a mask with identify = hostmask, an account otherwise. */
static void
test_bridge_mask(void **state)
{
	static const char *const want_host[] = {
		"3: bridges.[0].account: not used with team.identify = "
		    "\"hostmask\" (the bridge is known by its mask)",
		"3: bridges.[0].mask: missing (needed with team.identify = "
		    "\"hostmask\")",
		"4: bridges.[1].mask: \"relay@host\" is not a nick!user@host "
		    "mask (such as \"alice!*@*\")",
		NULL
	};
	static const char *const want_acct[] = {
		"3: bridges.[0].mask: not used with team.identify = "
		    "\"account\" (the bridge is known by its account)",
		NULL
	};
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\"; members = ( \"al!*@*\" ); };\n"
	    "bridges = ( { nick = \"relay\"; mask = \"relay!*@10.0.0.*\"; "
	    "} );\n");
	assert_string_equal(cfg->bridges[0].mask, "relay!*@10.0.0.*");
	assert_null(cfg->bridges[0].account);
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { identify = \"hostmask\"; members = ( \"al!*@*\" ); };\n"
	    "bridges = ( { nick = \"relay\"; account = \"relay\"; },\n"
	    "  { nick = \"relay2\"; mask = \"relay@host\"; } );\n", want_host);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "team = { members = ( \"al\" ); };\n"
	    "bridges = ( { nick = \"r\"; account = \"r\"; mask = \"r!*@*\"; "
	    "} );\n", want_acct);
}

/* A shift shorter than an hour is refused. */
static void
test_shift_minimum(void **state)
{
	struct config	*cfg;

	assert_error(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"1m\"; } );\n",
	    "5: roles.[0].shift: \"1m\" is too short (at least 1h)");
	assert_error(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"59m59s\"; } );\n",
	    "5: roles.[0].shift: \"59m59s\" is too short (at least 1h)");
	cfg = must_load(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); start = \"2026-11-23 09:00\";\n"
	    "  shift = \"1h\"; } );\n");
	assert_int_equal(cfg->roles[0].shift_ms, 3600000);
	assert_int_equal(cfg->roles[0].shift_days, 0);
	cfg_free(cfg);
}

/* The github group: absent is NULL; defaults; each key's checks. */
static void
test_github(void **state)
{
	static const char *const want[] = {
		"2: github.api_url: \"ftp://x\" is not an http(s) URL (such "
		    "as \"https://example.com\")",
		"3: github.repo: \"packit\" is not a repository "
		    "\"owner/name\" (such as \"packit/packit-service\")",
		"4: github.labels.[1]: \"Outage\" is listed twice",
		"5: github.pin: expected true or false",
		"6: github.tokne_file: unknown key (did you mean "
		    "\"token_file\"?)",
		NULL
	};
	static const char *const want_missing[] = {
		"2: github.token: secrets are not allowed inline (use "
		    "token_file = a path or \"env:NAME\")",
		"2: github.repo: missing (the repository, such as "
		    "\"packit/packit-service\")",
		"2: github.token_file: missing (a path or \"env:NAME\" "
		    "holding the GitHub token)",
		NULL
	};
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n");
	assert_null(cfg->github);
	cfg_free(cfg);
	put_file("gh.token", "ghp_secret\n", 0600);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { repo = \"packit/packit-service\";\n"
	    "  token_file = \"gh.token\"; };\n");
	assert_non_null(cfg->github);
	assert_string_equal(cfg->github->api_url, "https://api.github.com");
	assert_string_equal(cfg->github->repo, "packit/packit-service");
	assert_string_equal(cfg->github->token, "ghp_secret");
	assert_int_equal(cfg->github->nlabels, 1);
	assert_string_equal(cfg->github->labels[0], "outage");
	assert_int_equal(cfg->github->pin, 1);
	cfg_free(cfg);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { repo = \"o/r.x\"; token_file = \"gh.token\";\n"
	    "  api_url = \"https://ghe.example.com/api/v3\";\n"
	    "  labels = ( \"incident\", \"prod\" ); pin = false; };\n");
	assert_string_equal(cfg->github->api_url,
	    "https://ghe.example.com/api/v3");
	assert_int_equal(cfg->github->nlabels, 2);
	assert_string_equal(cfg->github->labels[1], "prod");
	assert_int_equal(cfg->github->pin, 0);
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { api_url = \"ftp://x\";\n"
	    "  repo = \"packit\";\n"
	    "  labels = ( \"outage\", \"Outage\" );\n"
	    "  pin = 1;\n"
	    "  tokne_file = \"gh.token\"; token_file = \"gh.token\"; };\n",
	    want);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { token = \"ghp_inline\"; };\n", want_missing);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { token_file = \"gh.token\";\n"
	    "  repo = \"-packit/ab\"; };\n",
	    "3: github.repo: \"-packit/ab\" is not a repository "
	    "\"owner/name\" (such as \"packit/packit-service\")");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { token_file = \"gh.token\";\n"
	    "  repo = \"packit/..\"; };\n",
	    "3: github.repo: \"packit/..\" is not a repository "
	    "\"owner/name\" (such as \"packit/packit-service\")");
}

/* The outage group: always there with defaults; role names a role. */
static void
test_outage(void **state)
{
	static const char *const want[] = {
		"6: outage.role: \"nobody\" is not a role (a roles[].name or "
		    "alias)",
		"7: outage.remind_after: must be longer than 0s",
		"7: outage.eta_nudge_after: \"30\" is not a duration (use "
		    "1w, 12h, ...)",
		NULL
	};
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n");
	assert_null(cfg->outage.role);
	assert_int_equal(cfg->outage.remind_after_ms, 3600000);
	assert_int_equal(cfg->outage.eta_nudge_after_ms, 1800000);
	cfg_free(cfg);
	cfg = must_load(ROLES_BASE "roles = ( { name = \"outage-master\";\n"
	    "  aliases = ( \"om\" ); members = ( \"bob\" ); shift = \"1w\";\n"
	    "  start = \"2026-11-23 09:00\"; } );\n"
	    "outage = { role = \"OM\"; remind_after = \"2h\";\n"
	    "  eta_nudge_after = \"15m\"; };\n");
	assert_string_equal(cfg->outage.role, "OM");
	assert_ptr_equal(cfg_role_find(cfg, cfg->outage.role),
	    &cfg->roles[0]);
	assert_int_equal(cfg->outage.remind_after_ms, 7200000);
	assert_int_equal(cfg->outage.eta_nudge_after_ms, 900000);
	cfg_free(cfg);
	assert_errors(ROLES_BASE "roles = ( { name = \"om\";\n"
	    "  members = ( \"bob\" ); shift = \"1w\";\n"
	    "  start = \"2026-11-23 09:00\"; } ); outage = {\n"
	    "  role = \"nobody\";\n"
	    "  remind_after = \"0s\"; eta_nudge_after = \"30\"; };\n", want);
}

/* statuspage: url and components, each checked. */
static void
test_statuspage(void **state)
{
	static const char *const want[] = {
		"2: statuspage.url: \"status.example.com\" is not an http(s) "
		    "URL (such as \"https://example.com\")",
		"3: statuspage.components.[2]: \"api\" is listed twice",
		"3: statuspage.components.[3]: \"a,b\" is not a component "
		    "name (1-64 characters, no commas, '=', control "
		    "characters or outer spaces)",
		"4: statuspage.backends: expected a list of groups such as "
		    "( { type = \"cstate\"; dir = \"status\"; } )",
		NULL
	};
	struct config	*cfg;

	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n");
	assert_null(cfg->statuspage.url);
	assert_int_equal(cfg->statuspage.ncomponents, 0);
	assert_int_equal(cfg->statuspage.nbackends, 0);
	cfg_free(cfg);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { url = \"https://status.packit.dev\";\n"
	    "  components = ( \"API\", \"Testing Farm\" ); };\n");
	assert_string_equal(cfg->statuspage.url, "https://status.packit.dev");
	assert_int_equal(cfg->statuspage.ncomponents, 2);
	assert_string_equal(cfg->statuspage.components[1], "Testing Farm");
	cfg_free(cfg);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { url = \"status.example.com\";\n"
	    "  components = ( \"API\", \"Koji\", \"api\", \"a,b\" );\n"
	    "  backends = { type = \"cstate\"; }; };\n", want);
}

/* Backends of every type load with their keys and defaults. */
static void
test_backends_valid(void **state)
{
	const struct cfg_backend	*b;
	struct config			*cfg;
	char				*want;

	put_file("gh.token", "ghp_secret\n", 0600);
	put_file("other.token", "other\n", 0600);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "github = { repo = \"o/r\"; token_file = \"gh.token\";\n"
	    "  api_url = \"https://ghe.example/api\"; };\n"
	    "statuspage = { components = ( \"API\", \"Testing Farm\" );\n"
	    "  backends = (\n"
	    "    { type = \"cstate\"; repo = \"o/status\"; },\n"
	    "    { type = \"cstate\"; dir = \"status\"; },\n"
	    "    { type = \"Statusfy\"; repo = \"o/sf\";\n"
	    "      branch = \"gh-pages\";\n"
	    "      systems = ( \"testing farm=testing-farm\" );\n"
	    "      token_file = \"other.token\"; },\n"
	    "    { type = \"issues\"; repo = \"o/incidents\";\n"
	    "      api_url = \"https://other.example/api\"; },\n"
	    "    { type = \"cachet\"; url = \"https://cachet.example\";\n"
	    "      token_file = \"other.token\"; },\n"
	    "    { type = \"webhook\"; url = \"http://hook.example/x\"; },\n"
	    "    { type = \"telegram\"; token_file = \"other.token\";\n"
	    "      chat_id = \"-100123456\"; }\n"
	    "  ); };\n");
	assert_int_equal(cfg->statuspage.nbackends, 7);
	b = &cfg->statuspage.backends[0];
	assert_int_equal(b->type, CFG_BACKEND_CSTATE);
	assert_int_equal(b->line, 6);
	assert_string_equal(b->repo, "o/status");
	assert_string_equal(b->branch, "main");
	assert_string_equal(b->path, "content/issues");
	assert_null(b->dir);
	assert_string_equal(b->api_url, "https://ghe.example/api");
	assert_string_equal(b->token, "ghp_secret");
	b = &cfg->statuspage.backends[1];
	want = xasprintf("%s/status", tdir);
	assert_string_equal(b->dir, want);
	free(want);
	assert_null(b->repo);
	assert_null(b->branch);
	assert_null(b->path);
	assert_null(b->token);
	b = &cfg->statuspage.backends[2];
	assert_int_equal(b->type, CFG_BACKEND_STATUSFY);
	assert_int_equal(b->line, 8);
	assert_string_equal(b->branch, "gh-pages");
	assert_string_equal(b->path, "content");
	assert_int_equal(b->nsystems, 1);
	assert_string_equal(b->systems[0].from, "Testing Farm");
	assert_string_equal(b->systems[0].to, "testing-farm");
	assert_string_equal(b->token, "other");
	b = &cfg->statuspage.backends[3];
	assert_int_equal(b->type, CFG_BACKEND_ISSUES);
	assert_int_equal(b->nlabels, 1);
	assert_string_equal(b->labels[0], "incident");
	assert_int_equal(b->pin, 0);
	assert_string_equal(b->api_url, "https://other.example/api");
	assert_string_equal(b->token, "ghp_secret");
	b = &cfg->statuspage.backends[4];
	assert_int_equal(b->type, CFG_BACKEND_CACHET);
	assert_string_equal(b->url, "https://cachet.example");
	assert_string_equal(b->token, "other");
	b = &cfg->statuspage.backends[5];
	assert_int_equal(b->type, CFG_BACKEND_WEBHOOK);
	assert_null(b->secret);
	b = &cfg->statuspage.backends[6];
	assert_int_equal(b->type, CFG_BACKEND_TELEGRAM);
	assert_string_equal(b->chat_id, "-100123456");
	assert_string_equal(b->api_url, "https://api.telegram.org");
	assert_string_equal(b->token, "other");
	assert_null(b->labels);
	cfg_free(cfg);
}

/* Backend problems: the type's keys only, repo or dir, a token. */
static void
test_backends_errors(void **state)
{
	struct config	*cfg;
	char		*want_dir;
	static const char *const want[] = {
		"3: statuspage.backends.[0].type: missing (\"cstate\", "
		    "\"statusfy\", \"issues\", \"cachet\", \"webhook\" or "
		    "\"telegram\")",
		"4: statuspage.backends.[1].type: \"gitlab\" is not a backend "
		    "type (use \"cstate\", \"statusfy\", \"issues\", "
		    "\"cachet\", \"webhook\" or \"telegram\")",
		"5: statuspage.backends.[2].chat_id: not a key of type "
		    "\"cstate\"",
		"6: statuspage.backends.[3].dir: use either repo or dir, "
		    "not both",
		"7: statuspage.backends.[4].repo: missing (a repository "
		    "\"owner/name\", or dir = a local folder)",
		"8: statuspage.backends.[5].branch: not used with dir",
		"9: statuspage.backends.[6].token_file: missing (set it, or "
		    "a github group to take the token from)",
		"10: statuspage.backends.[7].url: missing (the site's URL, "
		    "such as \"https://status.example.com\")",
		"10: statuspage.backends.[7].token_file: missing (a path or "
		    "\"env:NAME\" holding the token)",
		"11: statuspage.backends.[8].chat_id: \"chat\" is not a chat "
		    "id (a number such as \"-100123456\", or \"@channel\")",
		"12: statuspage.backends.[9].systems.[0]: \"Koji\" is not in "
		    "statuspage.components",
		"13: statuspage.backends.[10].repo: missing (the repository, "
		    "such as \"packit/status\")",
		NULL
	};

	put_file("t", "tok\n", 0600);
	assert_errors("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { components = ( \"API\" ); backends = (\n"
	    "  { dir = \"s\"; },\n"
	    "  { type = \"gitlab\"; url = \"https://x\"; },\n"
	    "  { type = \"cstate\"; dir = \"s\"; chat_id = \"1\"; },\n"
	    "  { type = \"cstate\"; dir = \"s\"; repo = \"o/r\"; },\n"
	    "  { type = \"cstate\"; },\n"
	    "  { type = \"statusfy\"; dir = \"s\"; branch = \"main\"; },\n"
	    "  { type = \"issues\"; repo = \"o/r\"; },\n"
	    "  { type = \"cachet\"; },\n"
	    "  { type = \"telegram\"; token_file = \"t\"; chat_id = \"chat\";"
	    " },\n"
	    "  { type = \"statusfy\"; dir = \"s\"; systems = ( \"Koji=k\" );"
	    " },\n"
	    "  { type = \"issues\"; token_file = \"t\"; }\n"
	    "); };\n", want);

	/* A dir that is a file; a webhook's secret; another type's key. */
	want_dir = xasprintf("3: statuspage.backends.[0].dir: %s/t is not a "
	    "directory", tdir);
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { backends = (\n"
	    "  { type = \"cstate\"; dir = \"t\"; } ); };\n", want_dir);
	free(want_dir);
	setenv("OB_TEST_HOOK", "hook-secret", 1);
	cfg = must_load("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { backends = ( { type = \"webhook\";\n"
	    "  url = \"https://h.example\";\n"
	    "  secret_file = \"env:OB_TEST_HOOK\"; } ); };\n");
	assert_string_equal(cfg->statuspage.backends[0].secret, "hook-secret");
	cfg_free(cfg);
	unsetenv("OB_TEST_HOOK");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { backends = ( { type = \"webhook\";\n"
	    "  url = \"https://h.example\"; token_file = \"t\"; } ); };\n",
	    "3: statuspage.backends.[0].token_file: not a key of type "
	    "\"webhook\"");
	assert_error("irc = { server = \"x\"; channels = ( \"#a\" ); };\n"
	    "statuspage = { components = ( \"API\" ); backends = (\n"
	    "  { type = \"statusfy\"; dir = \"s\";\n"
	    "    systems = ( \"API=api\", \"api=api2\" ); } ); };\n",
	    "4: statuspage.backends.[0].systems.[1]: \"API\" is mapped twice");
}

/* bot.conf.example validates and documents the sketch's values. */
static void
test_example(void **state)
{
	struct config	*cfg;
	const char	*src = getenv("OB_SRCDIR");
	char		 path[PATH_MAX], *err = NULL;

	snprintf(path, sizeof path, "%s/bot.conf.example",
	    src != NULL ? src : ".");
	if (access(path, R_OK) != 0)
		fail_msg("%s not found (run from the tree or set OB_SRCDIR)",
		    path);
	/* Without its secret the example names the variable it needs. */
	unsetenv("OUTAGEBOT_SASL_PASSWORD");
	cfg = cfg_load(path, &err);
	assert_null(cfg);
	assert_non_null(strstr(err, "irc.sasl.password_file: environment "
	    "variable OUTAGEBOT_SASL_PASSWORD is not set"));
	assert_null(strchr(err, '\n'));
	free(err);

	setenv("OUTAGEBOT_SASL_PASSWORD", SECRET_SASL, 1);
	err = NULL;
	cfg = cfg_load(path, &err);
	if (cfg == NULL)
		fail_msg("bot.conf.example does not load:\n%s", err);
	assert_string_equal(cfg->instance, "packit");
	assert_string_equal(cfg->irc.server, "irc.libera.chat");
	assert_int_equal(cfg->irc.port, 6697);
	assert_int_equal(cfg->irc.sasl.mech, CFG_SASL_PLAIN);
	assert_string_equal(cfg->irc.sasl.password, SECRET_SASL);
	assert_int_equal(cfg->irc.nchannels, 1);
	assert_string_equal(cfg->irc.channels[0], "#packit");
	assert_int_equal(cfg->team.nmembers, 3);
	assert_int_equal(cfg->team.ngithub, 2);
	assert_int_equal(cfg->nbridges, 1);
	assert_string_equal(cfg->bridges[0].map[0].to, "alice");
	assert_string_equal(cfg->storage_path,
	    "/var/lib/outagebot/outagebot.db");
	assert_string_equal(cfg->timezone, "UTC");
	assert_string_equal(tz_name(cfg->tz), "UTC");
	assert_int_equal(cfg->nroles, 1);
	assert_string_equal(cfg->roles[0].name, "outage-master");
	assert_int_equal(cfg->roles[0].nmembers, 3);
	assert_int_equal(cfg->roles[0].shift_days, 7);
	assert_string_equal(cfg->roles[0].timezone, "Europe/Prague");
	assert_int_equal(cfg->roles[0].start, 1795420800);
	assert_string_equal(cfg->roles[0].announce_channel, "#packit");
	assert_int_equal(cfg->roles[0].remind_before_ms, 86400000);
	assert_ptr_equal(cfg_role_find(cfg, "om"), &cfg->roles[0]);
	assert_null(cfg->ical_path);
	assert_int_equal(cfg->ical_weeks, 12);
	cfg_free(cfg);
	unsetenv("OUTAGEBOT_SASL_PASSWORD");
}

/* cfg_free(NULL) is a no-op. */
static void
test_free_null(void **state)
{
	cfg_free(NULL);
}

/* Run every test in one temporary directory. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_valid),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_duration_error),
		cmocka_unit_test(test_list_index_path),
		cmocka_unit_test(test_multiple_errors),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_nick_channel),
		cmocka_unit_test(test_sasl),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_secret_env),
		cmocka_unit_test(test_secret_problems),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_hostmask),
		cmocka_unit_test(test_account_names),
		cmocka_unit_test(test_github_pairs),
		cmocka_unit_test(test_bridges),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_later_groups),
		cmocka_unit_test(test_roles_valid),
		cmocka_unit_test(test_roles_hostmask),
		cmocka_unit_test(test_role_missing),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_members),
		cmocka_unit_test(test_role_values),
		cmocka_unit_test(test_ical),
		cmocka_unit_test(test_irc_rates),
		cmocka_unit_test(test_sasl_mechanisms),
		cmocka_unit_test(test_sasl_prep),
		cmocka_unit_test(test_bridge_mask),
		cmocka_unit_test(test_shift_minimum),
		cmocka_unit_test(test_github),
		cmocka_unit_test(test_outage),
		cmocka_unit_test(test_statuspage),
		cmocka_unit_test(test_backends_valid),
		cmocka_unit_test(test_backends_errors),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
