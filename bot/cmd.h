/*
 * cmd.h — the command table, in the manner of tmux: every command is a
 * constant struct cmd_entry in its own bot/cmd_*.c file; cmd.c owns
 * everything common: splitting words (quotes, --opt v, --opt=v), lookup
 * by name, alias and subcommand, "did you mean", access checks, usage
 * errors and !help. An exec function replies only through cmd_reply().
 * cmd.c does no I/O: replies go to the sink in struct cmd_ctx.
 */
#ifndef OB_CMD_H
#define OB_CMD_H

#include <stddef.h>

#include "ident.h"

struct bot;
struct cmd_ctx;

struct cmd_opt {
	char	*name;		/* without "--" */
	char	*value;		/* NULL for a flag */
};

struct cmd_args {
	char		**argv;		/* positional words */
	int		  argc;
	struct cmd_opt	 *opts;
	size_t		  nopts;
};

enum cmd_retval {
	CMD_RETURN_NORMAL = 0,
	CMD_RETURN_USAGE,		/* cmd.c replies with the usage */
	CMD_RETURN_ERROR		/* exec already replied */
};

struct cmd_entry {
	const char	*name;		/* "help", "outage open" */
	const char	*alias;		/* comma-separated, or NULL */
	const char	*usage;		/* after the name: "[command]" */
	const char	*about;		/* one line for !help */
	/*
	 * Options: comma-separated names; a name ending in '=' takes a
	 * value ("severity=,eta=,all"). NULL: no options.
	 */
	const char	*options;
	int		 args_min;
	int		 args_max;	/* -1: no limit */
	enum access	 level;
	enum cmd_retval	(*exec)(struct cmd_ctx *, struct cmd_args *);
};

/* Who asked, where, and where replies go. Filled by the caller. */
struct cmd_ctx {
	struct bot		*bot;
	const struct ident	*who;
	const char		*nick;		/* IRC nick that sent the line */
	const char		*channel;	/* or NULL for private */
	const char		*prefix;	/* command prefix, "!" */
	/* One logical reply; the sink splits and routes it. */
	void			(*reply)(struct cmd_ctx *, const char *text);
	/* Called once a command passed access and argument checks. */
	void			(*accepted)(struct cmd_ctx *, const char *name,
				    const char *args);
	/*
	 * Asked once the text is a command (or a near miss): 1 to go on,
	 * 0 to drop it silently (the caller may have said "slow down").
	 * NULL: always go on.
	 */
	int			(*admit)(struct cmd_ctx *);
	void			*arg;		/* the caller's */
	const struct cmd_entry	*entry;		/* set by cmd_dispatch */
	/* Set by cmd_dispatch while exec runs: the argument text, trimmed. */
	const char		*args_text;
	/* Set by an exec whose change wrote its own audit row. */
	int			 audited;
	const struct cmd_entry *const *table;	/* NULL: cmd_table */
};

/* The built-in table (bot/cmd_table.c); each entry lives in its cmd_*.c. */
extern const struct cmd_entry *const cmd_table[];

/* Reply to the asker (formatted). */
void		 cmd_reply(struct cmd_ctx *, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
/* Reply to the asker with text as it is. */
void		 cmd_say(struct cmd_ctx *, const char *text);

/*
 * Run the command in text (prefix already removed). Returns 1 if the
 * text was handled (run, refused, usage, or "did you mean"), 0 if it is
 * not a command (unknown words: silence).
 */
int		 cmd_dispatch(struct cmd_ctx *, const char *text);

/*
 * Split text into words: double quotes group words (\" and \\ escape
 * inside), "--name=value"/"--name value" options per spec. Returns 0, or
 * -1 with *cause (caller frees). Free args with cmd_args_free.
 */
int		 cmd_parse_args(const char *text, const char *spec,
		     struct cmd_args *, char **cause);
void		 cmd_args_free(struct cmd_args *);
/* The value of option name, "" for a present flag, NULL if absent. */
const char	*cmd_opt(const struct cmd_args *, const char *name);
/* argv[from..] joined by spaces (caller frees; "" if none). */
char		*cmd_args_join(const struct cmd_args *, int from);

/* "usage: !name usage" into buf. */
void		 cmd_usage(const struct cmd_ctx *, const struct cmd_entry *,
		     char *buf, size_t bufsz);
/* Levenshtein distance (bounded inputs). */
int		 cmd_distance(const char *, const char *);

/* The largest id cmd_parse_id accepts. */
#define CMD_ID_MAX	(1LL << 53)
/* Parse an id written "12" or "#12". 0 and *id, or -1. */
int		 cmd_parse_id(const char *word, long long *id);

/*
 * The work of !help: no arguments lists the commands; else the usage and
 * about line of the named command, alias or each subcommand of a group.
 */
enum cmd_retval	 cmd_help(struct cmd_ctx *, struct cmd_args *);

#endif
