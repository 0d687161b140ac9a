/*
 * log.h — one line per event on stderr: time, level, module, message.
 * The level is set once at start-up (-d) and is the only process-wide
 * setting besides the signal mask. Callers never pass secrets here: the
 * IRC layer redacts PASS/AUTHENTICATE and http.c never logs headers.
 */
#ifndef OB_LOG_H
#define OB_LOG_H

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3
};

void	log_set_level(enum log_level);
enum log_level log_get_level(void);
void	log_msg(enum log_level, const char *module, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define log_error(m, ...)	log_msg(LOG_ERROR, m, __VA_ARGS__)
#define log_warn(m, ...)	log_msg(LOG_WARN, m, __VA_ARGS__)
#define log_info(m, ...)	log_msg(LOG_INFO, m, __VA_ARGS__)
#define log_debug(m, ...)	log_msg(LOG_DEBUG, m, __VA_ARGS__)

/* Print "outagebot: message" and exit with status; start-up only. */
void	fatalx(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

#endif
