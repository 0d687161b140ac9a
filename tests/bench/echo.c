/*
 * echo.c — the "bare client that echoes lines back" for `make bench`: a
 * process of its own, like the bot, that joins a channel and answers
 * every "ping TAG" said there with "pong TAG" at once. Its round trip
 * through the server is the second floor the bot is set against: the
 * same two process wake-ups as the bot's, with no work in between.
 *
 * Usage: echo PORT NICK CHANNEL. It prints "ready" once it has joined
 * and runs until the server closes the connection or it is killed.
 *
 * Built by tests/bench/bench.py: cc -O2 echo.c -o build/bench/echo
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	fd = -1;

/* Send all of s. */
static void
out(const char *s)
{
	size_t	len = strlen(s);
	ssize_t	n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n <= 0)
			exit(1);
		s += n;
		len -= (size_t)n;
	}
}

/* Answer one line; 1 once the channel is joined (366). */
static int
line(char *l, const char *chan)
{
	char	 buf[600];
	char	*p;

	if (strncmp(l, "PING ", 5) == 0) {
		snprintf(buf, sizeof buf, "PONG %s\r\n", l + 5);
		out(buf);
		return 0;
	}
	p = strstr(l, " :ping ");
	if (p != NULL && strstr(l, " PRIVMSG ") != NULL) {
		snprintf(buf, sizeof buf, "PRIVMSG %s :pong %s\r\n", chan, p + 7);
		out(buf);
		return 0;
	}
	return strstr(l, " 366 ") != NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sa;
	char			 buf[8192], msg[256];
	size_t			 have = 0;
	ssize_t			 n;
	int			 one = 1, joined = 0;
	char			*nl, *start;

	if (argc != 4)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	snprintf(msg, sizeof msg, "NICK %s\r\nUSER %s 0 * :echo\r\n"
	    "JOIN %s\r\n", argv[2], argv[2], argv[3]);
	out(msg);
	for (;;) {
		n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			return 0;
		/* As the bench's clients do: acknowledge at once. */
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		have += (size_t)n;
		buf[have] = '\0';
		start = buf;
		while ((nl = strstr(start, "\r\n")) != NULL) {
			*nl = '\0';
			if (line(start, argv[3]) && !joined) {
				joined = 1;
				printf("ready\n");
				fflush(stdout);
			}
			start = nl + 2;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof buf - 1)
			have = 0;	/* a line this long is dropped */
	}
}
