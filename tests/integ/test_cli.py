"""outagebot -t -c FILE: configuration check, exit status and message format
("FILE: configuration ok" on stdout, or "FILE:LINE: KEY: problem" lines on
stderr)."""

import base64
import os
import re

from harness import check

GOOD = """\
instance = "test";
irc = {
  server = "127.0.0.1";
  port = 6667;
  tls = false;
  nick = "outagebot";
  alt_nick = "outagebot_";
  channels = ( "#test" );
  flood = { burst = 4; interval = "2s"; };
  max_reply_lines = 4;
  reconnect = { min = "1s"; max = "4s"; };
};
team = { identify = "hostmask"; admins = ( "alice!*@*" ); members = ( "alice!*@*", "bob!*@*" ); };
storage = { path = "bot.db"; };
"""


def line_of(text, needle):
    for i, l in enumerate(text.splitlines(), 1):
        if needle in l:
            return i
    raise AssertionError("test bug: %r not in config" % needle)


def check_config(t, text, name="bot.conf"):
    bot = t.bot(start=False)
    path = t.path(name)
    with open(path, "w") as f:
        f.write(text)
    return bot, path, bot.run_once(["-t", "-c", path])


def errors(res):
    """(file, line, key, problem) for every "FILE:LINE: KEY: problem" line."""
    out = []
    for l in res.stderr.splitlines():
        m = re.match(r"^(\S+?):(\d+): ([A-Za-z0-9_.\[\]]+): (.+)$", l)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3), m.group(4)))
    return out


def test_check_good_config(t):
    bot, path, res = check_config(t, GOOD)
    check(res.returncode == 0, "exit %d for a good config; stderr:\n%s"
          % (res.returncode, res.stderr))
    check("%s: configuration ok" % path in res.stdout.splitlines(),
          "stdout is %r, expected the line %r" % (res.stdout, path + ": configuration ok"))


def test_check_bad_values_name_file_line_and_key(t):
    text = (GOOD.replace("port = 6667;", 'port = "abc";')
            .replace('min = "1s"', 'min = "500ms"')
            .replace('identify = "hostmask"', 'identify = "magic"'))
    bot, path, res = check_config(t, text)
    check(res.returncode == 1, "exit %d for a bad config (want 1); stdout %r stderr %r"
          % (res.returncode, res.stdout, res.stderr))
    check("configuration ok" not in res.stdout, "bad config reported ok")
    errs = errors(res)
    check(errs, "no FILE:LINE: KEY: problem line on stderr:\n" + res.stderr)
    for f, _, _, _ in errs:
        check(os.path.basename(f) == "bot.conf", "file named %r, not bot.conf" % f)
    want = {("irc.port", line_of(text, "port = ")),
            ("irc.reconnect.min", line_of(text, "reconnect")),
            ("team.identify", line_of(text, "identify"))}
    got = {(k, n) for _, n, k, _ in errs}
    missing = want - got
    check(not missing, "missing (key, line) reports %s; stderr:\n%s"
          % (sorted(missing), res.stderr))
    dur = [p for _, _, k, p in errs if k == "irc.reconnect.min"][0]
    check("500ms" in dur, "the duration error does not quote the value: %r" % dur)


def test_check_syntax_error(t):
    text = GOOD.replace("port = 6667;", "port = = 6667;")
    bot, path, res = check_config(t, text)
    check(res.returncode == 1, "exit %d for a syntax error" % res.returncode)
    m = re.search(r"^(\S*bot\.conf):(\d+): ", res.stderr, re.M)
    check(m, "no FILE:LINE: on stderr:\n" + res.stderr)
    n = int(m.group(2))
    bad = line_of(text, "port = = 6667;")
    check(n == bad, "syntax error reported at line %d, it is in line %d" % (n, bad))


def test_check_missing_file(t):
    bot = t.bot(start=False)
    path = t.path("nonexistent.conf")
    res = bot.run_once(["-t", "-c", path])
    check(res.returncode != 0, "exit 0 for a missing config file")
    check("nonexistent.conf" in res.stderr, "stderr does not name the file: %r"
          % res.stderr)


def test_check_sasl_password_not_saslprep(t):
    """A SASL password that SASLprep refuses is found by -t, named by its
    key and line, and the secret never appears in the output."""
    secret = "hunter2\tsecret"
    spath = t.path("sasl.secret")
    fd = os.open(spath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    text = GOOD.replace('  channels = ( "#test" );\n',
                        '  channels = ( "#test" );\n'
                        '  sasl = { mechanism = "PLAIN"; account = "ob";\n'
                        '    password_file = "sasl.secret"; };\n')
    bot, path, res = check_config(t, text)
    check(res.returncode == 1, "exit %d for a password SASLprep refuses "
          "(want 1); stdout %r stderr %r"
          % (res.returncode, res.stdout, res.stderr))
    check("configuration ok" not in res.stdout, "bad password reported ok")
    want = ("irc.sasl.password_file", line_of(text, "password_file"),
            "the password is not valid SASLprep (it has a control character)")
    got = [(k, n, p) for _, n, k, p in errors(res)]
    check(want in got, "no %r among the problems; stderr:\n%s"
          % (want, res.stderr))
    b64 = base64.b64encode(secret.encode()).decode()
    for part in ("hunter2", b64):
        check(part not in res.stdout + res.stderr,
              "the output holds the secret: %r" % part)
