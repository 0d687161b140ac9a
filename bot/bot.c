/*
 * bot.c — the context and the glue. It decides whether a line from IRC
 * is a command (prefix, "nick: ...", private message, or a line relayed
 * by a configured bridge), identifies the speaker (ident.c), runs the
 * command table (cmd.c), routes replies (channel lines up to
 * max_reply_lines, the rest as private NOTICEs), limits each person's
 * command rate, writes the audit row of the commands that need it (a
 * command whose change has a transaction writes its own there), hands
 * the on-call part what it may use (store, loop, clock, speaking), runs
 * the outbox's "irc." executor (announcements, and topic changes edited
 * on the topic as it is then), and handles signals (signalfd on the
 * loop) and reloads. It owns no protocol and no SQL.
 */
#include <sys/signalfd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "auditq.h"
#include "bot.h"
#include "cmd.h"
#include "config.h"
#include "http.h"
#include "ident.h"
#include "irc.h"
#include "ircmsg.h"
#include "log.h"
#include "loop.h"
#include "oncall.h"
#include "outage_gh.h"
#include "outage_text.h"
#include "status.h"
#include "outage_run.h"
#include "outbox.h"
#include "rotation.h"
#include "store.h"
#include "util.h"

#define BOT_CHECKPOINT_MS	30000
#define BOT_AUDIT_MS		1000	/* a question's audit row waits, ms */
#define BOT_RATE_BURST		5	/* command_rate.burst default */
#define BOT_RATE_INTERVAL_MS	10000	/* command_rate.interval default */

/*
 * The server's case mapping for nicks. The IRC layer does not expose
 * the one its server announced yet; until it does, rfc1459 (the default
 * until a server says otherwise).
 */
static enum irc_casemap
bot_casemap(struct bot *bot)
{
	return IRC_CASEMAP_RFC1459;
}

/* One command's reply routing, and its audit row until written. */
struct bot_reply {
	struct bot	*bot;
	int		 lines;		/* sent to the channel so far */
	int		 dropped;	/* relayed overflow not shown */
	char		*audit_name;	/* accepted command, or NULL */
	char		*audit_args;
};

/* Is target a channel name? */
static int
bot_is_channel(const char *target)
{
	return target[0] == '#' || target[0] == '&' || target[0] == '+' ||
	    target[0] == '!';
}

/*
 * Reply sink: address the asker, split once (irc_split), route overflow;
 * each fitted line goes to irc_reply as it is.
 */
static void
bot_reply(struct cmd_ctx *ctx, const char *text)
{
	struct bot_reply	*r = ctx->arg;
	struct bot		*bot = r->bot;
	const int		 max = bot->cfg->irc.max_reply_lines;
	struct buf		 b;
	char			*addressed, **lines;
	size_t			 i, n;

	if (ctx->channel == NULL) {
		n = irc_split(bot->irc, "NOTICE", ctx->nick, text, &lines);
		for (i = 0; i < n; i++) {
			irc_reply(bot->irc, "NOTICE", ctx->nick, lines[i],
			    ctx->nick);
			free(lines[i]);
		}
		free(lines);
		return;
	}
	buf_init(&b);
	buf_addstr(&b, ctx->who->name);
	buf_addstr(&b, ": ");
	buf_addstr(&b, text);
	addressed = buf_steal(&b);
	n = irc_split(bot->irc, "PRIVMSG", ctx->channel, addressed, &lines);
	free(addressed);
	for (i = 0; i < n; i++) {
		if (r->lines < max) {
			irc_reply(bot->irc, "PRIVMSG", ctx->channel, lines[i],
			    ctx->nick);
			r->lines++;
		} else if (ctx->who->bridge == NULL)
			irc_reply(bot->irc, "NOTICE", ctx->nick, lines[i],
			    ctx->nick);
		else
			r->dropped++;	/* a bridge cannot relay NOTICEs */
		free(lines[i]);
	}
	free(lines);
}

/*
 * Audit hook: every command that passed access and argument checks. The
 * row is written after the command has replied, so that the reply does
 * not wait for the disk, unless the command wrote it with its change; a
 * public question's row waits in the batch (auditq.h).
 */
static void
bot_accepted(struct cmd_ctx *ctx, const char *name, const char *args)
{
	struct bot_reply	*r = ctx->arg;

	/* A command that may change something writes its row at once, and
	 * maybe in its change's transaction: the questions before it first. */
	if (ctx->entry->level > ACCESS_PUBLIC)
		auditq_flush(r->bot->audit);
	free(r->audit_name);
	free(r->audit_args);
	r->audit_name = xstrdup(name);
	r->audit_args = xstrdup(args != NULL ? args : "");
}

/* Write the audit row of an accepted command (a question's: queue it). */
static void
bot_audit(struct cmd_ctx *ctx, struct bot_reply *r)
{
	const struct ident	*who = ctx->who;

	/* Anyone can ask public questions: only team people leave rows, so
	 * strangers cannot grow the database. */
	if (r->audit_name != NULL && !ctx->audited &&
	    who->level >= ACCESS_MEMBER) {
		auditq_add(r->bot->audit, util_now(),
		    who->person[0] != '\0' ? who->person : who->name,
		    ident_level_name(who->level), ctx->nick,
		    ctx->channel != NULL ? ctx->channel : "private",
		    r->audit_name, r->audit_args);
		/* Only a question's row waits, off the reply path. */
		if (ctx->entry->level > ACCESS_PUBLIC)
			auditq_flush(r->bot->audit);
	}
	free(r->audit_name);
	free(r->audit_args);
	r->audit_name = r->audit_args = NULL;
}

/*
 * The command text of a line, or NULL if it is not one: "!cmd",
 * "ournick: cmd" / "ournick, cmd", or anything in a private message.
 */
static const char *
bot_command_text(struct bot *bot, const char *text, int private)
{
	const char	*prefix = bot->cfg->irc.command_prefix;
	const char	*nick = irc_nick(bot->irc);
	size_t		 plen = strlen(prefix), nlen = strlen(nick);

	while (*text == ' ')
		text++;
	if (strncmp(text, prefix, plen) == 0 && text[plen] != '\0' &&
	    text[plen] != ' ')
		return text + plen;
	if (strncasecmp(text, nick, nlen) == 0 &&
	    (text[nlen] == ':' || text[nlen] == ',')) {
		text += nlen + 1;
		while (*text == ' ')
			text++;
		if (strncmp(text, prefix, plen) == 0)
			text += plen;
		return *text != '\0' ? text : NULL;
	}
	return private && *text != '\0' ? text : NULL;
}

/*
 * The rate limit's key for the asker: the team person, else the nick
 * (for a relayed name, the name on its bridge).
 */
static void
bot_rate_key(const struct cmd_ctx *ctx, char *buf, size_t bufsz)
{
	const struct ident	*who = ctx->who;

	if (who->person[0] != '\0')
		snprintf(buf, bufsz, "p:%s", who->person);
	else if (who->bridge != NULL)
		snprintf(buf, bufsz, "r:%s@%s", who->name, who->bridge);
	else
		snprintf(buf, bufsz, "n:%s", ctx->nick);
}

/*
 * Admit hook: each person may run command_rate.burst commands, then one
 * per command_rate.interval. Past that, one short notice per interval,
 * then silence, so that one person cannot hold up everyone else.
 */
static int
bot_admit(struct cmd_ctx *ctx)
{
	struct bot_reply	*r = ctx->arg;
	struct bot		*bot = r->bot;
	char			 key[IDENT_NAME_MAX * 3], every[32], *text;

	bot_rate_key(ctx, key, sizeof key);
	switch (util_rate_check(bot->rate, key, util_mono_ms())) {
	case UTIL_RATE_OK:
		return 1;
	case UTIL_RATE_NOTICE:
		util_fmt_duration(bot->rate->interval_ms, every, sizeof every);
		log_info("bot", "%s: too many commands; slowing down",
		    key + 2);
		text = xasprintf("slow down: one command every %s", every);
		/* A bridge cannot relay a NOTICE: say it where they are. */
		if (ctx->who->bridge != NULL)
			ctx->reply(ctx, text);
		else
			irc_say(bot->irc, "NOTICE", ctx->nick, text);
		free(text);
		return 0;
	case UTIL_RATE_SILENT:
		break;
	}
	return 0;
}

/*
 * Who sent m and the command text in it, or NULL when it is not a
 * command (then nothing is kept). A channel line from a configured
 * bridge is read as "<name> text" for the relayed name. *copy holds
 * what the text points into (caller frees).
 */
static const char *
bot_speaker(struct bot *bot, const struct irc_msg *m, const char *account,
    int private, struct ident *who, char **copy)
{
	const struct cfg_bridge	*bridge;
	char			*name, *rest;

	*copy = NULL;
	bridge = ident_bridge(bot->cfg, bot_casemap(bot), m->nick, m->user,
	    m->host, account);
	if (bridge == NULL || private) {
		ident_user(bot->cfg, bot_casemap(bot), m->nick, m->user,
		    m->host != NULL ? m->host : "", account, who);
		return bot_command_text(bot, irc_msg_last(m), private);
	}
	*copy = xstrdup(irc_msg_last(m));
	if (ident_bridge_parse(*copy, &name, &rest) != 0)
		return NULL;
	ident_relayed(bot->cfg, bridge, name, who);
	return bot_command_text(bot, rest, 0);
}

/* A PRIVMSG or NOTICE from someone: maybe a command. */
static void
bot_on_message(struct irc *irc, const struct irc_msg *m, const char *account,
    void *arg)
{
	struct bot			*bot = arg;
	const char			*target = m->params[0], *cmdtext;
	char				*copy = NULL;
	struct ident			 who;
	struct cmd_ctx			 ctx;
	struct bot_reply		 r;
	uint64_t			 t0;
	int				 private, handled;

	/* Never answer a NOTICE: that is how bots loop with each other. */
	if (strcmp(m->command, "PRIVMSG") != 0)
		return;
	private = !bot_is_channel(target);
	cmdtext = bot_speaker(bot, m, account, private, &who, &copy);
	if (cmdtext == NULL) {
		free(copy);
		return;
	}
	if (!util_utf8_valid(cmdtext, strlen(cmdtext))) {
		/* Bytes that are not UTF-8 (a Latin-1 client) become U+FFFD,
		 * so that what is stored can be sent anywhere as JSON. */
		char	*fixed = irc_utf8_repair(cmdtext);

		free(copy);
		copy = fixed;
		cmdtext = fixed;
	}
	memset(&ctx, 0, sizeof ctx);
	memset(&r, 0, sizeof r);
	r.bot = bot;
	ctx.bot = bot;
	ctx.who = &who;
	ctx.nick = m->nick;
	ctx.channel = private ? NULL : target;
	ctx.prefix = bot->cfg->irc.command_prefix;
	ctx.reply = bot_reply;
	ctx.accepted = bot_accepted;
	ctx.admit = bot_admit;
	ctx.arg = &r;
	t0 = util_mono_us();
	handled = cmd_dispatch(&ctx, cmdtext);
	if (handled)
		log_debug("cmd", "%s: handled in %llu us", ctx.entry != NULL ?
		    ctx.entry->name : "?",
		    (unsigned long long)(util_mono_us() - t0));
	if (handled && r.dropped > 0) {
		char	*more = xasprintf("%s: (%d more line%s not shown here; "
		    "ask in a private message on IRC)", who.name, r.dropped,
		    r.dropped == 1 ? "" : "s");

		irc_reply(bot->irc, "PRIVMSG", target, more, m->nick);
		free(more);
	}
	bot_audit(&ctx, &r);
	free(copy);
}

/* Idle checkpoint of the database's write-ahead log. */
static long long
bot_checkpoint_timer(struct loop *loop, long long id, void *arg)
{
	struct bot	*bot = arg;

	store_checkpoint(bot->store);
	return BOT_CHECKPOINT_MS;
}

/* Start the per-person command rate limit from the config. */
static void
bot_rate_setup(struct bot *bot)
{
	const struct cfg_irc	*c = &bot->cfg->irc;

	util_rate_free(bot->rate);
	util_rate_init(bot->rate, c->command_rate_burst > 0 ?
	    c->command_rate_burst : BOT_RATE_BURST,
	    c->command_rate_interval_ms > 0 ? c->command_rate_interval_ms :
	    BOT_RATE_INTERVAL_MS);
}

/* Reload the configuration; keep the old one on error (logged here). */
int
bot_reload(struct bot *bot, char **cause)
{
	struct config	*cfg = cfg_load(bot->config_path, cause);

	if (cfg == NULL) {
		log_error("bot", "%s", *cause != NULL ? *cause :
		    "unknown error");
		log_warn("bot", "reload failed; keeping the running "
		    "configuration");
		return -1;
	}
	if (strcmp(cfg->storage_path, bot->cfg->storage_path) != 0)
		log_warn("bot", "storage.path changed: takes effect after a "
		    "restart");
	irc_reconfigure(bot->irc, cfg);
	oncall_set_config(bot->oncall, cfg);
	outage_run_config(bot->outages, cfg);
	outage_gh_free(bot->gh);
	bot->gh = outage_gh_new(bot->outbox, bot->http, bot->store,
	    bot->outages, cfg);
	status_free(bot->status);
	bot->status = status_new(bot->outbox, bot->http, bot->loop,
	    bot->store, cfg);
	cfg_free(bot->cfg);
	bot->cfg = cfg;
	bot_rate_setup(bot);
	oncall_refresh(bot->oncall);
	log_info("bot", "configuration reloaded from %s", bot->config_path);
	return 0;
}

/* signalfd readable: HUP reloads, TERM/INT quit. */
static void
bot_signal_cb(struct loop *loop, int fd, int events, void *arg)
{
	struct bot			*bot = arg;
	struct signalfd_siginfo		 si;
	char				*err = NULL;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("bot", "SIGHUP: reloading");
			(void)bot_reload(bot, &err);
			free(err);
			err = NULL;
			break;
		case SIGTERM:
		case SIGINT:
			log_info("bot", "%s: quitting",
			    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			irc_quit(bot->irc, "outagebot shutting down", 2000);
			loop_stop(bot->loop);
			return;
		default:
			break;
		}
	}
}

/* STS policy of host from the store (for irc). */
static int
bot_sts_get(void *arg, const char *host, time_t now, int *port,
    time_t *expires)
{
	struct bot	*bot = arg;

	return store_sts_get(bot->store, host, now, port, expires);
}

/* Keep an STS policy in the store (for irc). */
static void
bot_sts_set(void *arg, const char *host, int port, time_t expires)
{
	struct bot	*bot = arg;

	store_sts_set(bot->store, host, port, expires);
}

/*
 * oncall: say a line in a channel or to a nick, as an announcement job
 * (inside oncall's transaction, with the notice that records it), so
 * that it counts as said only once written to the server.
 */
static void
bot_say(void *arg, const char *target, const char *text)
{
	struct bot	*bot = arg;

	if (outbox_add_say(bot->store, target, text, 0,
	    (long long)util_now() * 1000) < 0)
		log_warn("bot", "could not keep a line for %s", target);
	outbox_kick(bot->outbox, NULL);
}

/* The irc layer wrote (ok) or dropped an announcement line. */
static void
bot_say_sent(void *arg, int ok)
{
	outbox_finish(arg, ok ? OUTBOX_DONE : OUTBOX_WAIT, 0, NULL);
}

/* Is target a channel the bot must be in to speak there? */
static int
bot_needs_join(const char *target)
{
	return *target == '#' || *target == '&';
}

/* An "irc.say" job: say its line once the bot can (registered, and in
 * the channel for a channel line); until then its lane waits. */
static void
bot_say_start(struct bot *bot, struct outbox_run *run, json_t *p)
{
	const char	*target, *text;

	target = json_string_value(json_object_get(p, "target"));
	text = json_string_value(json_object_get(p, "text"));
	if (target == NULL || text == NULL) {
		outbox_finish(run, OUTBOX_DEAD, 0, "an announcement without "
		    "a target or text");
		return;
	}
	if (!irc_registered(bot->irc) || (bot_needs_join(target) &&
	    !irc_in_channel(bot->irc, target))) {
		outbox_finish(run, OUTBOX_WAIT, 0, NULL);
		return;
	}
	irc_announce(bot->irc, "PRIVMSG", target, text, bot_say_sent, run);
}

/*
 * The server answered an "irc.topic" job's TOPIC. A refusal (no op
 * right) or no answer at all is logged here once and ends the job:
 * asking again would not help, and would hold up the channel's lines.
 */
static void
bot_topic_done(void *arg, enum irc_topic_result res, const char *chan,
    const char *why)
{
	struct outbox_run	*run = arg;
	char			*cause;

	switch (res) {
	case IRC_TOPIC_SET:
		outbox_finish(run, OUTBOX_DONE, 0, NULL);
		break;
	case IRC_TOPIC_DENIED:
	case IRC_TOPIC_SILENT:
		cause = xasprintf("topic of %s not changed: %s", chan,
		    res == IRC_TOPIC_SILENT ? "the server did not answer" :
		    why != NULL ? why : "refused");
		log_warn("bot", "job %lld: %s%s", outbox_job(run)->id, cause,
		    res == IRC_TOPIC_DENIED ? " (the bot needs channel "
		    "operator there)" : "");
		outbox_finish(run, OUTBOX_DONE, 0, cause);
		free(cause);
		break;
	case IRC_TOPIC_LOST:
		outbox_finish(run, OUTBOX_WAIT, 0, NULL);
		break;
	}
}

/*
 * An "irc.topic" job: put a prefix in front of a channel's topic or take
 * it out, editing the topic as the server last told it, so that changes
 * people made meanwhile stay. Nothing to change (a job resumed after its
 * change went out) ends it at once.
 */
static void
bot_topic_start(struct bot *bot, struct outbox_run *run, json_t *p)
{
	const char	*chan, *add, *del, *topic;
	char		*text;

	chan = json_string_value(json_object_get(p, "channel"));
	add = json_string_value(json_object_get(p, "add"));
	del = json_string_value(json_object_get(p, "remove"));
	if (chan == NULL || (add == NULL) == (del == NULL)) {
		outbox_finish(run, OUTBOX_DEAD, 0, "a topic change without a "
		    "channel, or without one prefix to add or remove");
		return;
	}
	topic = irc_topic(bot->irc, chan);
	if (topic == NULL) {
		outbox_finish(run, OUTBOX_WAIT, 0, NULL);
		return;
	}
	text = add != NULL ? outage_topic_add(topic, add) :
	    outage_topic_remove(topic, del);
	if (text == NULL) {
		outbox_finish(run, OUTBOX_DONE, 0, NULL);
		return;
	}
	irc_set_topic(bot->irc, chan, text, bot_topic_done, run);
	free(text);
}

/* The outbox's "irc." executor: announcements and topic changes. */
static void
bot_irc_start(void *arg, struct outbox_run *run)
{
	struct bot		*bot = arg;
	const struct outbox_job	*job = outbox_job(run);
	json_t			*p = json_loads(job->payload, 0, NULL);

	if (strcmp(job->kind, "irc.topic") == 0)
		bot_topic_start(bot, run, p);
	else if (strcmp(job->kind, "irc.say") == 0)
		bot_say_start(bot, run, p);
	else
		outbox_finish(run, OUTBOX_DEAD, 0, "an IRC job of an unknown "
		    "kind");
	json_decref(p);
}

/* A job died: say it in every announce channel (inside its tx). */
static void
bot_on_dead(void *arg, struct store *st, const char *line)
{
	struct bot	*bot = arg;
	size_t		 i;

	for (i = 0; i < bot->cfg->irc.nannounce_channels; i++)
		outbox_add_say(st, bot->cfg->irc.announce_channels[i], line, 0,
		    (long long)util_now() * 1000);
}

/* The outbox's clock: wall time in ms. */
static long long
bot_wall_ms(void *arg)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* outage_run: the person on call in role at t. */
static int
bot_on_call(void *arg, const char *role, time_t t, char *buf, size_t bufsz)
{
	struct bot		*bot = arg;
	const struct cfg_role	*r = cfg_role_find(bot->cfg, role);
	struct oncall_view	 v;
	struct rot_slot		 who;

	if (r == NULL || oncall_view(bot->oncall, r, t, 1, &v) != 0)
		return -1;
	rot_who(&v.role, &v.state, v.ov, v.nov, t, &who);
	oncall_view_free(&v);
	strlcpy_ob(buf, who.person, bufsz);
	return who.person[0] != '\0' ? 0 : -1;
}

/* outage_run: the wall clock in seconds. */
static time_t
bot_now(void *arg)
{
	return util_now();
}

/* Create the outbox, its "irc." executor and the outage parts. */
static void
bot_effects_new(struct bot *bot)
{
	struct outbox_exec	 e;
	struct outage_run_deps	 d;

	bot->outbox = outbox_new(bot->loop, bot->store, bot_wall_ms, bot);
	outbox_on_dead(bot->outbox, bot_on_dead, bot);
	memset(&e, 0, sizeof e);
	e.prefix = "irc.";
	e.start = bot_irc_start;
	e.arg = bot;
	outbox_register(bot->outbox, &e);
	memset(&d, 0, sizeof d);
	d.st = bot->store;
	d.ob = bot->outbox;
	d.loop = bot->loop;
	d.now = bot_now;
	d.on_call = bot_on_call;
	d.on_call_arg = bot;
	bot->outages = outage_run_new(&d, bot->cfg);
	bot->gh = outage_gh_new(bot->outbox, bot->http, bot->store,
	    bot->outages, bot->cfg);
	bot->status = status_new(bot->outbox, bot->http, bot->loop,
	    bot->store, bot->cfg);
}

/*
 * oncall: the nick of team person if online. With identify = hostmask
 * the holder of the nick counts only when their whole mask matches the
 * person's entry (ident_user_is): anyone may take a nick, and what is
 * meant for a member must not go to whoever holds theirs.
 */
static const char *
bot_present(void *arg, const char *person)
{
	struct bot	*bot = arg;
	const char	*nick, *user, *host;
	int		 by_account;

	by_account = bot->cfg->team.identify == CFG_IDENTIFY_ACCOUNT;
	nick = irc_find_person(bot->irc, by_account, person);
	if (nick == NULL || by_account)
		return nick;
	if (irc_userhost(bot->irc, nick, &user, &host) != 0 ||
	    !ident_user_is(bot->cfg, irc_casemap(bot->irc), person, nick,
	    user, host))
		return NULL;
	return nick;
}

/* oncall: 1 when the bot is in chan. */
static int
bot_in_channel(void *arg, const char *chan)
{
	struct bot	*bot = arg;

	return irc_in_channel(bot->irc, chan);
}

/* The IRC layer: the bot has joined chan and knows who is there. */
static void
bot_on_joined(struct irc *irc, const char *chan, void *arg)
{
	struct bot	*bot = arg;

	oncall_joined(bot->oncall, chan);
	outbox_kick(bot->outbox, "irc.");
}

/* The IRC layer: registered; private lines may go now. */
static void
bot_on_registered(struct irc *irc, void *arg)
{
	struct bot	*bot = arg;

	outbox_kick(bot->outbox, "irc.");
}

/* Create the on-call part with what it may use. */
static struct oncall *
bot_oncall_new(struct bot *bot)
{
	struct oncall_env	 env;

	memset(&env, 0, sizeof env);
	env.loop = bot->loop;
	env.store = bot->store;
	env.now = util_now;
	env.say_channel = bot_say;
	env.say_private = bot_say;
	env.present = bot_present;
	env.in_channel = bot_in_channel;
	env.arg = bot;
	return oncall_new(&env, bot->cfg);
}

/* Create the bot; takes over cfg and store. */
struct bot *
bot_new(const char *config_path, struct config *cfg, struct store *store)
{
	struct bot		*bot = xcalloc(1, sizeof *bot);
	struct irc_handlers	 h;
	char			*ua;

	bot->config_path = xstrdup(config_path);
	bot->cfg = cfg;
	bot->store = store;
	bot->sigfd = -1;
	bot->loop = loop_new();
	ua = xasprintf("outagebot/%s (%s)", OB_VERSION, cfg->instance);
	bot->http = http_new(bot->loop, ua);
	free(ua);
	memset(&h, 0, sizeof h);
	h.message = bot_on_message;
	h.joined = bot_on_joined;
	h.registered = bot_on_registered;
	h.sts_get = bot_sts_get;
	h.sts_set = bot_sts_set;
	h.arg = bot;
	bot->irc = irc_new(bot->loop, cfg, &h);
	bot->oncall = bot_oncall_new(bot);
	bot->audit = auditq_new(bot->loop, store, BOT_AUDIT_MS);
	bot_effects_new(bot);
	bot->rate = xcalloc(1, sizeof *bot->rate);
	bot_rate_setup(bot);
	return bot;
}

/* Free the bot and everything it owns. */
void
bot_free(struct bot *bot)
{
	if (bot == NULL)
		return;
	outage_gh_free(bot->gh);
	status_free(bot->status);
	outage_run_free(bot->outages);
	oncall_free(bot->oncall);
	auditq_free(bot->audit);	/* writes what waits */
	util_rate_free(bot->rate);
	free(bot->rate);
	irc_free(bot->irc);	/* before the outbox: lines not sent wait */
	outbox_free(bot->outbox);
	http_free(bot->http);
	if (bot->sigfd >= 0) {
		loop_fd_del(bot->loop, bot->sigfd);
		close(bot->sigfd);
	}
	loop_free(bot->loop);
	store_close(bot->store);
	cfg_free(bot->cfg);
	free(bot->config_path);
	free(bot);
}

/* Block HUP/TERM/INT and read them from a signalfd on the loop. */
int
bot_start(struct bot *bot)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	bot->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (bot->sigfd < 0)
		return -1;
	loop_fd_set(bot->loop, NULL, bot->sigfd, LOOP_READ, bot_signal_cb,
	    bot);
	srandom((unsigned int)(util_mono_ms() ^ (uint64_t)getpid()));
	loop_timer_add(bot->loop, NULL, BOT_CHECKPOINT_MS,
	    bot_checkpoint_timer, bot);
	irc_start(bot->irc);
	oncall_refresh(bot->oncall);
	return 0;
}

/* Run the loop until a quit signal. */
int
bot_run(struct bot *bot)
{
	loop_run(bot->loop);
	return bot->exit_status;
}
