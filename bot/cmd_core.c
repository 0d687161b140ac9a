/*
 * cmd_core.c — the commands every bot has: !help, !reload, !version and
 * !whoami. Each is a constant struct cmd_entry with its exec function
 * below it; cmd.c has already checked access and argument counts before
 * an exec runs. These functions reply only through cmd_reply() and keep
 * no state; the reload itself belongs to bot.c.
 */
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "cmd.h"
#include "ident.h"
#include "util.h"

#ifndef OB_VERSION
#define OB_VERSION "0.0.0"
#endif

static enum cmd_retval	cmd_help_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_reload_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_version_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_whoami_exec(struct cmd_ctx *, struct cmd_args *);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = NULL,
	.usage = "[command]",
	.about = "list the commands, or show how to use one",
	.options = NULL,
	.args_min = 0,
	.args_max = 2,
	.level = ACCESS_PUBLIC,
	.exec = cmd_help_exec
};

const struct cmd_entry cmd_reload_entry = {
	.name = "reload",
	.alias = NULL,
	.usage = NULL,
	.about = "re-read the configuration file (like SIGHUP)",
	.options = NULL,
	.args_min = 0,
	.args_max = 0,
	.level = ACCESS_ADMIN,
	.exec = cmd_reload_exec
};

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.alias = NULL,
	.usage = NULL,
	.about = "show the bot's version",
	.options = NULL,
	.args_min = 0,
	.args_max = 0,
	.level = ACCESS_PUBLIC,
	.exec = cmd_version_exec
};

const struct cmd_entry cmd_whoami_entry = {
	.name = "whoami",
	.alias = NULL,
	.usage = NULL,
	.about = "show who the bot thinks you are and your access level",
	.options = NULL,
	.args_min = 0,
	.args_max = 0,
	.level = ACCESS_PUBLIC,
	.exec = cmd_whoami_exec
};

/* !help [command]: the work is cmd.c's, which owns the table. */
static enum cmd_retval
cmd_help_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	return cmd_help(ctx, args);
}

/* The number of problems in a reload's error text (one a line). */
static int
cmd_problems(const char *err)
{
	int	 n = 0;

	while (err != NULL && *err != '\0') {
		err += strcspn(err, "\n");
		n++;
		err += strspn(err, "\n");
	}
	return n;
}

/*
 * !reload: reload the configuration and say how it went. A failure
 * names no file, path or key in the channel: the log has them all.
 */
static enum cmd_retval
cmd_reload_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char	*err = NULL;
	int	 n;

	if (bot_reload(ctx->bot, &err) == 0) {
		free(err);
		cmd_reply(ctx, "configuration reloaded");
		return CMD_RETURN_NORMAL;
	}
	n = cmd_problems(err);
	free(err);
	if (n == 0)
		n = 1;
	cmd_reply(ctx, "configuration not reloaded: %d problem%s (see the "
	    "log)", n, n == 1 ? "" : "s");
	return CMD_RETURN_ERROR;
}

/* !version: "outagebot 0.1.0". */
static enum cmd_retval
cmd_version_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	cmd_reply(ctx, "outagebot %s", OB_VERSION);
	return CMD_RETURN_NORMAL;
}

/* !whoami: "you are alice (admin; account alice)". */
static enum cmd_retval
cmd_whoami_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct ident	*who = ctx->who;
	const char		*person;

	if (who == NULL) {
		cmd_reply(ctx, "you are %s (public)",
		    ctx->nick != NULL ? ctx->nick : "unknown");
		return CMD_RETURN_NORMAL;
	}
	person = who->person[0] != '\0' ? who->person : who->name;
	if (who->detail[0] != '\0')
		cmd_reply(ctx, "you are %s (%s; %s)", person,
		    ident_level_name(who->level), who->detail);
	else
		cmd_reply(ctx, "you are %s (%s)", person,
		    ident_level_name(who->level));
	return CMD_RETURN_NORMAL;
}
