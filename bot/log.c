/*
 * log.c — stderr logging, one line per event:
 *   2026-11-25T09:00:00Z info irc: connected to irc.libera.chat:6697
 * The level is set once at start-up; that setting is the only
 * process-wide state in this file. Control characters in a message are
 * shown as '?' so a logged IRC line cannot forge log lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "util.h"

static enum log_level log_level = LOG_INFO;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* Set the most verbose level printed. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* The current level. */
enum log_level
log_get_level(void)
{
	return log_level;
}

/* Print one log line if level is enabled. */
void
log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	va_list		 ap;
	char		*msg, *p, ts[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	for (p = msg; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s: %s\n", ts, log_names[level], module, msg);
	free(msg);
}

/* Print an error and exit; only for start-up failures. */
void
fatalx(int status, const char *fmt, ...)
{
	va_list	ap;

	fputs("outagebot: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}
