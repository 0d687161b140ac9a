/*
 * cmd_outage.c — the outage commands (DESIGN §4): !outage open, update,
 * resolve, list, show, history, stats, !status, and the admins' !jobs
 * and !jobs retry. Each reads its words and options, asks outage_run.c
 * (never the store) and replies through cmd_reply. A refusal is one line
 * that names the problem; nothing is stored then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "cmd.h"
#include "config.h"
#include "ident.h"
#include "outage.h"
#include "outage_run.h"
#include "outage_text.h"
#include "outbox.h"
#include "util.h"
#include "when.h"

#define OUTAGE_HISTORY_DEFAULT	5
#define OUTAGE_HISTORY_MAX	20
#define OUTAGE_SHOW_UPDATES	6	/* newest timeline entries shown */
#define OUTAGE_JOBS_MAX		10

static enum cmd_retval	cmd_open_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_update_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_resolve_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_list_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_show_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_history_exec(struct cmd_ctx *,
			    struct cmd_args *);
static enum cmd_retval	cmd_stats_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_status_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_jobs_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_jobs_retry_exec(struct cmd_ctx *,
			    struct cmd_args *);

const struct cmd_entry cmd_outage_open_entry = {
	.name = "outage open",
	.usage = "[--severity notice|disrupted|down] [--affected A,B] "
	    "[--eta WHEN] [--alternative TEXT] [--cause URL] "
	    "[--from-alert ID] TITLE...",
	.about = "open an outage: announce it, track it on GitHub",
	.options = "severity=,affected=,eta=,alternative=,cause=,from-alert=",
	.args_min = 1, .args_max = -1,
	.level = ACCESS_MEMBER,
	.exec = cmd_open_exec
};

const struct cmd_entry cmd_outage_update_entry = {
	.name = "outage update",
	.usage = "ID [--status investigating|identified|monitoring] "
	    "[--severity ...] [--affected A,B] [--eta WHEN] [--master NICK] "
	    "[--alternative TEXT] [--cause URL] TEXT...",
	.about = "add an update to an outage",
	.options = "status=,severity=,affected=,eta=,master=,alternative=,"
	    "cause=",
	.args_min = 1, .args_max = -1,
	.level = ACCESS_MEMBER,
	.exec = cmd_update_exec
};

const struct cmd_entry cmd_outage_resolve_entry = {
	.name = "outage resolve",
	.usage = "ID [TEXT...]",
	.about = "resolve an outage",
	.args_min = 1, .args_max = -1,
	.level = ACCESS_MEMBER,
	.exec = cmd_resolve_exec
};

const struct cmd_entry cmd_outage_list_entry = {
	.name = "outage list",
	.about = "the open outages",
	.args_min = 0, .args_max = 0,
	.level = ACCESS_PUBLIC,
	.exec = cmd_list_exec
};

const struct cmd_entry cmd_outage_show_entry = {
	.name = "outage show",
	.usage = "ID",
	.about = "one outage with its timeline",
	.args_min = 1, .args_max = 1,
	.level = ACCESS_PUBLIC,
	.exec = cmd_show_exec
};

const struct cmd_entry cmd_outage_history_entry = {
	.name = "outage history",
	.usage = "[count]",
	.about = "past outages, newest first (default 5)",
	.args_min = 0, .args_max = 1,
	.level = ACCESS_PUBLIC,
	.exec = cmd_history_exec
};

const struct cmd_entry cmd_outage_stats_entry = {
	.name = "outage stats",
	.usage = "[days]",
	.about = "count, mean and median time to resolve, by component",
	.args_min = 0, .args_max = 1,
	.level = ACCESS_PUBLIC,
	.exec = cmd_stats_exec
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.about = "all systems operational, or the open outages by component",
	.args_min = 0, .args_max = 0,
	.level = ACCESS_PUBLIC,
	.exec = cmd_status_exec
};

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.about = "pending and failed outbox jobs",
	.args_min = 0, .args_max = 0,
	.level = ACCESS_ADMIN,
	.exec = cmd_jobs_exec
};

const struct cmd_entry cmd_jobs_retry_entry = {
	.name = "jobs retry",
	.usage = "ID",
	.about = "run a failed job again",
	.args_min = 1, .args_max = 1,
	.level = ACCESS_ADMIN,
	.exec = cmd_jobs_retry_exec
};

/* The person who spoke: the team person, else the nick. */
static const char *
co_actor(const struct cmd_ctx *ctx)
{
	return ctx->who->person[0] != '\0' ? ctx->who->person :
	    ctx->who->name;
}

/* Reply with cause, free it, and say the command failed. */
static enum cmd_retval
co_fail(struct cmd_ctx *ctx, char *cause)
{
	cmd_say(ctx, cause);
	free(cause);
	return CMD_RETURN_ERROR;
}

/* Read the outage id in word; replies on failure. */
static int
co_id(struct cmd_ctx *ctx, const char *word, long long *id)
{
	if (cmd_parse_id(word, id) != 0) {
		cmd_reply(ctx, "\"%.20s\" is not an outage id (use 12 or #12)",
		    word);
		return -1;
	}
	return 0;
}

/* Reply to a change: the cause on failure, else "outage #ID word". */
static enum cmd_retval
co_changed(struct cmd_ctx *ctx, int rc, char *cause, long long id,
    const char *word)
{
	if (rc != 0)
		return co_fail(ctx, cause);
	cmd_reply(ctx, "outage #%lld %s", id, word);
	return CMD_RETURN_NORMAL;
}

/*
 * Read the options an open and an update share into c: severity,
 * affected (against statuspage.components), eta (the time parser of
 * the rotations), alternative, cause. *names gets the affected list to
 * free. 0, or -1 after replying.
 */
static int
co_change_opts(struct cmd_ctx *ctx, struct cmd_args *args,
    struct outage_change *c, char ***names)
{
	const struct config	*cfg = ctx->bot->cfg;
	const char		*v;
	char			*cause = NULL;

	*names = NULL;
	if ((v = cmd_opt(args, "severity")) != NULL &&
	    (c->severity = outage_severity_parse(v)) < 0) {
		cmd_reply(ctx, "--severity is notice, disrupted or down");
		return -1;
	}
	if ((v = cmd_opt(args, "affected")) != NULL) {
		if (outage_affected_parse(v, cfg->statuspage.components,
		    cfg->statuspage.ncomponents, names, &c->naffected,
		    &cause) != 0) {
			co_fail(ctx, cause);
			return -1;
		}
		c->affected = *names;
		c->set_affected = 1;
	}
	if ((v = cmd_opt(args, "eta")) != NULL) {
		if (when_parse(v, cfg->tz, util_now(), &c->eta, &cause) != 0) {
			co_fail(ctx, cause);
			outage_names_free(*names, c->naffected);
			*names = NULL;
			return -1;
		}
	}
	c->alternatives = cmd_opt(args, "alternative");
	c->cause = cmd_opt(args, "cause");
	return 0;
}

/* !outage open. */
static enum cmd_retval
cmd_open_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct outage_change	 c;
	struct outage_open_req	 q;
	char			**names, *title, *cause = NULL;
	const char		*v;
	long long		 id, alert = 0;
	int			 rc;

	outage_change_init(&c);
	if (co_change_opts(ctx, args, &c, &names) != 0)
		return CMD_RETURN_ERROR;
	if ((v = cmd_opt(args, "from-alert")) != NULL &&
	    cmd_parse_id(v, &alert) != 0) {
		outage_names_free(names, c.naffected);
		cmd_reply(ctx, "--from-alert takes an alert id (7 or #7)");
		return CMD_RETURN_ERROR;
	}
	memset(&q, 0, sizeof(q));
	title = cmd_args_join(args, 0);
	q.title = title;
	q.severity = c.severity;
	q.affected = c.affected;
	q.naffected = c.naffected;
	q.eta = c.eta == (time_t)-1 ? 0 : c.eta;
	q.alternatives = c.alternatives;
	q.cause = c.cause;
	q.from_alert = alert;
	rc = outage_open(ctx->bot->outages, &q, co_actor(ctx), &id, &cause);
	outage_names_free(names, c.naffected);
	free(title);
	return co_changed(ctx, rc, cause, id, "opened");
}

/* !outage update. */
static enum cmd_retval
cmd_update_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct outage_change	 c;
	char			**names, *text, *cause = NULL;
	const char		*v;
	long long		 id;
	int			 rc;

	if (co_id(ctx, args->argv[0], &id) != 0)
		return CMD_RETURN_ERROR;
	outage_change_init(&c);
	if ((v = cmd_opt(args, "status")) != NULL &&
	    ((c.state = outage_state_parse(v)) < 0 ||
	    c.state == OUTAGE_RESOLVED)) {
		cmd_reply(ctx, "--status is investigating, identified or "
		    "monitoring (to resolve: !outage resolve %lld)", id);
		return CMD_RETURN_ERROR;
	}
	if (co_change_opts(ctx, args, &c, &names) != 0)
		return CMD_RETURN_ERROR;
	c.master = cmd_opt(args, "master");
	text = cmd_args_join(args, 1);
	c.text = text;
	rc = outage_update(ctx->bot->outages, id, &c, co_actor(ctx), &cause);
	outage_names_free(names, c.naffected);
	free(text);
	return co_changed(ctx, rc, cause, id, "updated");
}

/* !outage resolve. */
static enum cmd_retval
cmd_resolve_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char		*text, *cause = NULL;
	long long	 id;
	int		 rc;

	if (co_id(ctx, args->argv[0], &id) != 0)
		return CMD_RETURN_ERROR;
	text = cmd_args_join(args, 1);
	rc = outage_resolve(ctx->bot->outages, id, text, co_actor(ctx),
	    &cause);
	free(text);
	return co_changed(ctx, rc, cause, id, "resolved");
}

/* Reply each of n lines, then free them and the array. */
static enum cmd_retval
co_lines(struct cmd_ctx *ctx, char **lines, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		cmd_say(ctx, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return CMD_RETURN_NORMAL;
}

/* The texts' environment for a reply. */
static void
co_env(struct cmd_ctx *ctx, struct outage_text_env *env)
{
	memset(env, 0, sizeof(*env));
	env->tz = ctx->bot->cfg->tz;
	env->now = util_now();
	env->instance = ctx->bot->cfg->instance;
	env->status_url = ctx->bot->cfg->statuspage.url;
}

/* Reply one brief line per outage, or none_text. */
static void
co_brief_lines(struct cmd_ctx *ctx, struct outage *os, size_t n,
    const char *none_text)
{
	struct outage_text_env	 env;
	size_t			 i;
	char			*line;

	if (n == 0) {
		cmd_say(ctx, none_text);
		return;
	}
	co_env(ctx, &env);
	for (i = 0; i < n; i++) {
		line = outage_line_brief(&os[i], &env);
		cmd_say(ctx, line);
		free(line);
	}
}

/* The open outages (count 0) or the last count, one line each. */
static enum cmd_retval
co_list(struct cmd_ctx *ctx, int count, const char *none_text)
{
	struct outage	*os = NULL;
	size_t		 n = 0;
	char		*cause = NULL;

	if (outage_list(ctx->bot->outages, count == 0, count, &os, &n,
	    &cause) != 0)
		return co_fail(ctx, cause);
	co_brief_lines(ctx, os, n, none_text);
	outage_list_free(os, n);
	return CMD_RETURN_NORMAL;
}

/* !outage list. */
static enum cmd_retval
cmd_list_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	return co_list(ctx, 0, "no open outages");
}

/* !outage history [count]. */
static enum cmd_retval
cmd_history_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	long long	 count = OUTAGE_HISTORY_DEFAULT;

	if (args->argc > 0 && util_strtonum(args->argv[0], 1,
	    OUTAGE_HISTORY_MAX, &count) != 0) {
		cmd_reply(ctx, "count is a number from 1 to %d",
		    OUTAGE_HISTORY_MAX);
		return CMD_RETURN_ERROR;
	}
	return co_list(ctx, (int)count, "no outages yet");
}

/* !outage show ID: the brief line, the newest timeline entries, links. */
static enum cmd_retval
cmd_show_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct outage_text_env	 env;
	struct outage		 o;
	struct buf		 b;
	char			*cause = NULL, *line, when[64];
	long long		 id;
	size_t			 i;

	if (co_id(ctx, args->argv[0], &id) != 0)
		return CMD_RETURN_ERROR;
	if (outage_get(ctx->bot->outages, id, &o, &cause) != 0)
		return co_fail(ctx, cause);
	co_env(ctx, &env);
	line = outage_line_brief(&o, &env);
	cmd_say(ctx, line);
	free(line);
	i = o.nupdates > OUTAGE_SHOW_UPDATES ?
	    o.nupdates - OUTAGE_SHOW_UPDATES : 0;
	for (; i < o.nupdates; i++) {
		buf_init(&b);
		buf_printf(&b, "  %s %s, ", when_format(env.tz,
		    o.updates[i].at, env.now, when, sizeof(when)),
		    i == 0 ? "opened" : outage_state_name(o.updates[i].state));
		outage_text_line(&b, o.updates[i].author);
		if (*o.updates[i].text != '\0') {
			buf_addstr(&b, ": ");
			outage_text_line(&b, o.updates[i].text);
		}
		cmd_say(ctx, b.data);
		buf_free(&b);
	}
	if (o.issue_url != NULL) {
		line = outage_line_tracked(&o, &env);
		cmd_say(ctx, line);
		free(line);
	}
	outage_clear(&o);
	return CMD_RETURN_NORMAL;
}

/* !outage stats [days]. */
static enum cmd_retval
cmd_stats_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char		**lines = NULL, *cause = NULL;
	size_t		  n = 0;
	long long	  days = 0;

	if (args->argc > 0 && util_strtonum(args->argv[0], 1, 3660,
	    &days) != 0) {
		cmd_reply(ctx, "days is a number from 1 to 3660");
		return CMD_RETURN_ERROR;
	}
	if (outage_stats(ctx->bot->outages, (int)days, &lines, &n,
	    &cause) != 0)
		return co_fail(ctx, cause);
	return co_lines(ctx, lines, n);
}

/* !status. */
static enum cmd_retval
cmd_status_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct outage		 *os = NULL;
	const struct outage	**ptrs;
	size_t			  n = 0, i;
	char			 *cause = NULL, *line;

	if (outage_list(ctx->bot->outages, 1, 0, &os, &n, &cause) != 0)
		return co_fail(ctx, cause);
	ptrs = xcalloc(n + 1, sizeof(*ptrs));
	for (i = 0; i < n; i++)
		ptrs[i] = &os[i];
	line = outage_status_line(ptrs, n);
	cmd_say(ctx, line);
	free(line);
	free(ptrs);
	outage_list_free(os, n);
	return CMD_RETURN_NORMAL;
}

/* !jobs. */
static enum cmd_retval
cmd_jobs_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char	**lines = NULL, *cause = NULL;
	size_t	  n = 0;

	if (outbox_describe(ctx->bot->outbox, OUTAGE_JOBS_MAX, &lines, &n,
	    &cause) != 0)
		return co_fail(ctx, cause);
	if (n == 0)
		cmd_reply(ctx, "no pending or failed jobs");
	return co_lines(ctx, lines, n);
}

/* !jobs retry ID. */
static enum cmd_retval
cmd_jobs_retry_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	char		*cause = NULL;
	long long	 id;

	if (cmd_parse_id(args->argv[0], &id) != 0) {
		cmd_reply(ctx, "\"%.20s\" is not a job id (use 7 or #7)",
		    args->argv[0]);
		return CMD_RETURN_ERROR;
	}
	if (outbox_retry(ctx->bot->outbox, id, &cause) != 0)
		return co_fail(ctx, cause);
	cmd_reply(ctx, "job %lld will run again now", id);
	return CMD_RETURN_NORMAL;
}
