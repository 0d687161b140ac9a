/*
 * cli.h — the command line: outagebot [-c FILE] [-d] [-t] [-V] [-h]
 * and the subcommands (outagebot backup FILE, outagebot oncall [ROLE]
 * [--at WHEN], outagebot import-cstate DIR). Pure parsing, so it is
 * unit-tested; main.c acts on the result.
 */
#ifndef OB_CLI_H
#define OB_CLI_H

#define CLI_DEFAULT_CONFIG	"/etc/outagebot/bot.conf"

enum cli_action {
	CLI_RUN = 0,		/* the daemon */
	CLI_CHECK,		/* -t */
	CLI_VERSION,		/* -V */
	CLI_HELP,		/* -h */
	CLI_BACKUP,		/* backup FILE */
	CLI_ONCALL,		/* oncall [ROLE] [--at WHEN] */
	CLI_IMPORT		/* import-cstate DIR */
};

struct cli {
	enum cli_action	 action;
	const char	*config;	/* borrowed from argv or the default */
	int		 debug;
	const char	*target;	/* backup destination, import folder */
	const char	*role;		/* oncall: the role, or NULL */
	const char	*at;		/* oncall: --at WHEN, or NULL */
};

/* Parse argv. 0, or -1 and *cause, a message (caller frees). */
int		 cli_parse(int argc, char **argv, struct cli *,
		     char **cause);
/* The usage text. */
const char	*cli_usage(void);

#endif
