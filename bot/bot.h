/*
 * bot.h — struct bot, the single context every module hangs off, and
 * the glue between the IRC layer and the command table: who is speaking,
 * whether a line is a command, where replies go, the audit trail, reload.
 */
#ifndef OB_BOT_H
#define OB_BOT_H

struct loop;
struct config;
struct store;
struct http;
struct irc;
struct oncall;
struct outbox;
struct outage_run;
struct outage_gh;
struct status;
struct util_rate;

struct bot {
	struct loop	*loop;
	struct config	*cfg;		/* current; replaced on reload */
	char		*config_path;
	struct store	*store;
	struct http	*http;
	struct irc	*irc;
	struct oncall	*oncall;	/* rotations at run time */
	struct outbox	*outbox;	/* every external effect */
	struct outage_run *outages;	/* outages at run time */
	struct outage_gh *gh;		/* GitHub jobs, or NULL */
	struct status	*status;	/* status-page jobs, or NULL */
	struct util_rate *rate;		/* per-person command rate */
	struct auditq	*audit;		/* questions' audit rows, batched */
	int		 sigfd;		/* signalfd for HUP/TERM/INT */
	int		 exit_status;
};

/*
 * Create the bot around a loaded config (taken over) and an open store
 * (taken over). Does not connect; bot_start does.
 */
struct bot	*bot_new(const char *config_path, struct config *,
		     struct store *);
void		 bot_free(struct bot *);
/* Watch signals and start the IRC connection. */
int		 bot_start(struct bot *);
/* Run until SIGTERM/SIGINT; returns the exit status. */
int		 bot_run(struct bot *);

/*
 * Reload the configuration file. On success the new config is in force
 * (channels joined/parted) and 0 is returned; on failure the problems
 * are logged, the old config stays and *cause gets them, one a line
 * (caller frees).
 */
int		 bot_reload(struct bot *, char **cause);

#endif
