/*
 * test_irc_conn.c — unit tests for the irc module on a socketpair
 * standing in for a server connection: the send queue of irc_conn.c
 * (announcements report when they are written or lost, replies are
 * bounded by queue_max, announcements go first and are never dropped),
 * SASL challenges in 400-byte pieces (irc_reg.c), the user@host of
 * others as the lines from the server show it, and a channel joined
 * only once the WHO asked on joining has ended (irc_users.c).
 */
/* deps: irc irc_conn irc_reg irc_users irc_tls irc_sasl sasl ircmsg loop */
/* deps: util log */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "irc.h"
#include "irc_conn.h"
#include "irc_users.h"
#include "loop.h"

struct fixture {
	struct config	 cfg;
	struct loop	*loop;
	struct irc	*irc;
	int		 peer;		/* the server's end */
};

/* The socket is writable: let irc write. */
static void
test_fd_cb(struct loop *loop, int fd, int events, void *arg)
{
	if (events & LOOP_WRITE)
		irc_do_write(arg);
}

/* A registered irc on one end of a socketpair; burst lines at once. */
static struct fixture *
setup_irc(int burst)
{
	struct fixture	*f = xcalloc(1, sizeof *f);
	int		 sv[2];

	f->cfg.irc.nick = "bot";
	f->cfg.irc.server = "irc.example";
	f->cfg.irc.flood_burst = burst;
	f->cfg.irc.flood_interval_ms = 3600 * 1000;
	f->loop = loop_new();
	f->irc = irc_new(f->loop, &f->cfg, NULL);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	f->irc->fd = sv[0];
	f->irc->state = IRC_REGISTERED;
	loop_fd_set(f->loop, NULL, sv[0], LOOP_READ, test_fd_cb, f->irc);
	f->peer = sv[1];
	return f;
}

/* Free the fixture (irc closes its end). */
static void
teardown_irc(struct fixture *f)
{
	irc_free(f->irc);
	loop_free(f->loop);
	close(f->peer);
	free(f);
}

/* What the server's end has received so far. */
static size_t
peer_read(struct fixture *f, char *buf, size_t size)
{
	size_t	n = 0;
	ssize_t	r;

	while (n + 1 < size &&
	    (r = read(f->peer, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

/* Record the outcome of an announcement. */
static void
sent_cb(void *arg, int ok)
{
	int	*res = arg;

	assert_int_equal(*res, -1);	/* called once */
	*res = ok;
}

/* An announcement written at once reports ok = 1 at once. */
static void
test_announce_sent(void **state)
{
	struct fixture	*f = setup_irc(10);
	char		 buf[512];
	int		 res = -1;

	irc_announce(f->irc, "PRIVMSG", "#c", "hand\r\noff", sent_cb, &res);
	assert_int_equal(res, 1);
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "PRIVMSG #c :hand  off\r\n");
	teardown_irc(f);
}

/* A full socket: ok only once the line has left; a close loses it. */
static void
test_announce_waits_for_the_socket(void **state)
{
	struct fixture	*f = setup_irc(10);
	char		 junk[4096], buf[65536];
	int		 res = -1, res2 = -1, i;

	memset(junk, 'x', sizeof junk);
	while (write(f->irc->fd, junk, sizeof junk) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	irc_announce(f->irc, "PRIVMSG", "#c", "handoff", sent_cb, &res);
	assert_int_equal(res, -1);
	for (i = 0; i < 50 && res == -1; i++) {
		peer_read(f, buf, sizeof buf);
		loop_once(f->loop, 10);
	}
	assert_int_equal(res, 1);
	while (write(f->irc->fd, junk, sizeof junk) > 0)
		;
	irc_announce(f->irc, "PRIVMSG", "#c", "lost", sent_cb, &res2);
	assert_int_equal(res2, -1);
	teardown_irc(f);
	assert_int_equal(res2, 0);
}

/* Replies past queue_max are dropped; announcements never, and first. */
static void
test_queue_bound_and_lanes(void **state)
{
	struct fixture	*f = setup_irc(1);
	char		 buf[4096];
	int		 i, res = -1;

	irc_set_queue_max(f->irc, 3);
	/* The one token goes to the first reply. */
	assert_int_equal(irc_reply(f->irc, "NOTICE", "a", "r0", "a"), 0);
	for (i = 1; i <= 3; i++)
		assert_int_equal(irc_reply(f->irc, "NOTICE", "a", "r", "a"),
		    0);
	assert_int_equal(irc_queued(f->irc), 3);
	assert_int_equal(irc_reply(f->irc, "NOTICE", "a", "r4", "a"), -1);
	assert_int_equal(irc_reply(f->irc, "NOTICE", "a", "r5", "a"), -1);
	/* Told once: one NOTICE past the bound. */
	assert_int_equal(irc_queued(f->irc), 4);
	irc_announce(f->irc, "PRIVMSG", "#c", "outage", sent_cb, &res);
	assert_int_equal(irc_queued(f->irc), 5);
	/* A reload's full bucket: the announcement leaves first. */
	f->cfg.irc.flood_burst = 100;
	irc_reconfigure(f->irc, &f->cfg);
	assert_int_equal(res, 1);
	assert_int_equal(irc_queued(f->irc), 0);
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "NOTICE a r0\r\n"
	    "PRIVMSG #c outage\r\n"
	    "NOTICE a r\r\nNOTICE a r\r\nNOTICE a r\r\n"
	    "NOTICE a :too much output waiting: the rest of this answer was "
	    "dropped; ask again later\r\n");
	teardown_irc(f);
}

/* Lines queued and never sent are reported lost by irc_free. */
static void
test_queued_announcement_lost(void **state)
{
	struct fixture	*f = setup_irc(1);
	int		 res = -1;

	irc_reply(f->irc, "NOTICE", "a", "takes the token", NULL);
	irc_announce(f->irc, "PRIVMSG", "#c", "waits", sent_cb, &res);
	assert_int_equal(res, -1);
	teardown_irc(f);
	assert_int_equal(res, 0);
}

/* Hand irc one line as if the server had sent it. */
static void
server_says(struct fixture *f, const char *line)
{
	struct irc_msg	m;

	assert_int_equal(irc_parse(&m, line, strlen(line)), 0);
	f->irc->up->line(f->irc, &m);
	irc_msg_clear(&m);
}

/*
 * A challenge of 400 characters waits for the rest; the whole one goes
 * to the mechanism (PLAIN refuses any: AUTHENTICATE *). The empty one
 * gets the payload.
 */
static void
test_sasl_challenge_pieces(void **state)
{
	struct fixture	*f = setup_irc(10);
	char		 buf[4096], line[512];

	f->cfg.irc.sasl.mech = CFG_SASL_PLAIN;
	f->cfg.irc.sasl.account = "bob";
	f->cfg.irc.sasl.password = "pw";
	f->irc->state = IRC_REGISTERING;
	server_says(f, ":s CAP * LS :sasl");
	server_says(f, ":s CAP * ACK :sasl");
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "CAP REQ sasl\r\nAUTHENTICATE PLAIN\r\n");
	memset(line, 'A', sizeof line);
	memcpy(line, "AUTHENTICATE ", 13);
	line[13 + 400] = '\0';
	server_says(f, line);
	assert_int_equal(peer_read(f, buf, sizeof buf), 0);
	server_says(f, "AUTHENTICATE +");
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "AUTHENTICATE *\r\nCAP END\r\n");
	/* Again, from the start: the empty challenge gets the payload. */
	f->irc->cap_done = 0;
	server_says(f, ":s CAP * ACK :sasl");
	server_says(f, "AUTHENTICATE +");
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "AUTHENTICATE PLAIN\r\n"
	    "AUTHENTICATE Ym9iAGJvYgBwdw==\r\n");
	teardown_irc(f);
}

/*
 * The user@host of others comes from NAMES (userhost-in-names), WHO in
 * a channel of ours, JOIN, CHGHOST and messages; a NICK keeps it, QUIT
 * forgets it, and a stranger's message adds nobody. Each line from the
 * server is followed by what irc_userhost says of nick ("-": unknown).
 */
static void
test_userhost_tracking(void **state)
{
	static const struct {
		const char	*line, *nick, *want;
	} steps[] = {
		{ ":bot!b@h JOIN #c", "alice", "-" },
		{ ":s 353 bot = #c :@bot alice!al@a.example +carol", "alice",
		  "al@a.example" },
		{ NULL, "carol", "-" },
		{ ":s 352 bot #c ~carol c.example s carol H :0 C", "CAROL",
		  "~carol@c.example" },
		{ ":s 352 bot #other d d.example s dave H :0 D", "dave", "-" },
		{ ":dave!d@d.example JOIN #c", "dave", "d@d.example" },
		{ ":dave!d@d.example CHGHOST dd new.example", "dave",
		  "dd@new.example" },
		{ ":dave!dd@new.example NICK bob", "dave", "-" },
		{ NULL, "bob", "dd@new.example" },
		{ ":bob!x@y PRIVMSG #c :hi", "bob", "x@y" },
		{ ":bob!x@y QUIT :bye", "bob", "-" },
		{ ":eve!e@e.example PRIVMSG bot :hi", "eve", "-" },
	};
	struct fixture	*f = setup_irc(10);
	const char	*u, *h;
	char		 got[128];
	size_t		 i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (steps[i].line != NULL)
			server_says(f, steps[i].line);
		if (irc_userhost(f->irc, steps[i].nick, &u, &h) == 0)
			snprintf(got, sizeof got, "%s@%s", u, h);
		else if (u == NULL && h == NULL)
			snprintf(got, sizeof got, "-");
		else
			snprintf(got, sizeof got, "(unknown, but set)");
		if (strcmp(got, steps[i].want) != 0)
			fail_msg("step %zu, %s: %s, want %s", i, steps[i].nick,
			    got, steps[i].want);
	}
	/* Ours, which counts in the size of what we send. */
	assert_string_equal(f->irc->userhost, "b@h");
	server_says(f, ":bot!b@h CHGHOST bb cloak.example");
	assert_string_equal(f->irc->userhost, "bb@cloak.example");
	assert_int_equal(irc_userhost(f->irc, "bot", &u, &h), -1);
	teardown_irc(f);
}

/* Count the owner's joined events. */
static void
joined_cb(struct irc *irc, const char *chan, void *arg)
{
	int	*n = arg;

	(*n)++;
}

/*
 * A channel counts as joined once the WHO asked on joining has ended:
 * at registration the WHO goes with the JOIN; a later JOIN of ours asks
 * on its echo; a WHO the server refuses for now (263) ends the wait.
 */
static void
test_joined_after_who(void **state)
{
	struct fixture	*f = setup_irc(10);
	char		*chans[] = { "#c" };
	char		 buf[512];
	int		 n = 0;

	f->irc->h->joined = joined_cb;
	f->irc->h->arg = &n;
	f->cfg.irc.channels = chans;
	f->cfg.irc.nchannels = 1;
	irc_join_all(f->irc);
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "JOIN #c\r\nWHO #c\r\n");
	server_says(f, ":bot!b@h JOIN #c");
	server_says(f, ":s 353 bot = #c :@bot alice");
	server_says(f, ":s 366 bot #c :End of NAMES");
	assert_int_equal(n, 0);
	server_says(f, ":s 352 bot #c al a.example s alice H :0 A");
	server_says(f, ":s 315 bot #c :End of WHO");
	assert_int_equal(n, 1);
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "");		/* no second WHO */
	/* A JOIN of ours nobody asked about (a rejoin): WHO on its echo. */
	server_says(f, ":bot!b@h JOIN #d");
	peer_read(f, buf, sizeof buf);
	assert_string_equal(buf, "WHO #d\r\n");
	server_says(f, ":s 366 bot #d :End of NAMES");
	assert_int_equal(n, 1);
	server_says(f, ":s 263 bot WHO :Server load is too heavy");
	assert_int_equal(n, 2);
	teardown_irc(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_announce_sent),
		cmocka_unit_test(test_announce_waits_for_the_socket),
		cmocka_unit_test(test_queue_bound_and_lanes),
		cmocka_unit_test(test_queued_announcement_lost),
		cmocka_unit_test(test_sasl_challenge_pieces),
		cmocka_unit_test(test_userhost_tracking),
		cmocka_unit_test(test_joined_after_who),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
