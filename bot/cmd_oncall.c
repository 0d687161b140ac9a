/*
 * cmd_oncall.c — the on-call commands: !who-is-on-call (!oncall, !who)
 * and !oncall schedule / roles / take / override / swap / overrides /
 * cancel. Each reads the role's state and makes its change through
 * oncall.c's domain functions (never the store), decides with
 * rotation.c and replies through cmd_reply. Refusals name the problem
 * and store nothing. The optional [role] word is read by one resolver
 * (oc_role_arg) for every command, wherever it stands after the
 * command's own words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "cmd.h"
#include "config.h"
#include "ident.h"
#include "irc.h"
#include "oncall.h"
#include "rotation.h"
#include "tz.h"
#include "util.h"
#include "when.h"

#define ONCALL_SCHEDULE_MAX	20
#define ONCALL_LIST_MAX		20	/* overrides listed at most */

static enum cmd_retval	cmd_who_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_schedule_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_roles_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_take_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_override_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_swap_exec(struct cmd_ctx *, struct cmd_args *);
static enum cmd_retval	cmd_overrides_exec(struct cmd_ctx *,
			    struct cmd_args *);
static enum cmd_retval	cmd_cancel_exec(struct cmd_ctx *, struct cmd_args *);

const struct cmd_entry cmd_who_entry = {
	.name = "who-is-on-call",
	.alias = "oncall,who",
	.usage = "[role]",
	.about = "who is on call now, until when, and who is next",
	.args_min = 0, .args_max = 1,
	.level = ACCESS_PUBLIC,
	.exec = cmd_who_exec
};

const struct cmd_entry cmd_oncall_schedule_entry = {
	.name = "oncall schedule",
	.usage = "[role] [count]",
	.about = "the next shifts (default 4) with overrides applied",
	.args_min = 0, .args_max = 2,
	.level = ACCESS_PUBLIC,
	.exec = cmd_schedule_exec
};

const struct cmd_entry cmd_oncall_roles_entry = {
	.name = "oncall roles",
	.about = "the roles, their members in order, shift and handoff",
	.args_min = 0, .args_max = 0,
	.level = ACCESS_PUBLIC,
	.exec = cmd_roles_exec
};

const struct cmd_entry cmd_oncall_take_entry = {
	.name = "oncall take",
	.usage = "[role] [--for DURATION | --until WHEN]",
	.about = "cover the role from now (default: to the end of the shift)",
	.options = "for=,until=",
	.args_min = 0, .args_max = 1,
	.level = ACCESS_MEMBER,
	.exec = cmd_take_exec
};

const struct cmd_entry cmd_oncall_override_entry = {
	.name = "oncall override",
	.usage = "NICK FROM TO [role]",
	.about = "NICK covers the role between FROM and TO",
	.args_min = 3, .args_max = 6,
	.level = ACCESS_MEMBER,
	.exec = cmd_override_exec
};

const struct cmd_entry cmd_oncall_swap_entry = {
	.name = "oncall swap",
	.usage = "NICK [role]",
	.about = "exchange your next shift with NICK's next shift",
	.args_min = 1, .args_max = 2,
	.level = ACCESS_MEMBER,
	.exec = cmd_swap_exec
};

const struct cmd_entry cmd_oncall_overrides_entry = {
	.name = "oncall overrides",
	.usage = "[role]",
	.about = "the current and upcoming overrides",
	.args_min = 0, .args_max = 1,
	.level = ACCESS_MEMBER,
	.exec = cmd_overrides_exec
};

const struct cmd_entry cmd_oncall_cancel_entry = {
	.name = "oncall cancel",
	.usage = "ID",
	.about = "cancel an override",
	.args_min = 1, .args_max = 1,
	.level = ACCESS_MEMBER,
	.exec = cmd_cancel_exec
};

/* The configuration in force. */
static const struct config *
oc_cfg(struct cmd_ctx *ctx)
{
	return ctx->bot->cfg;
}

/* "outage-master, sentry-master" into buf. */
static const char *
oc_role_names(const struct config *cfg, char *buf, size_t bufsz)
{
	size_t	i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < cfg->nroles && used < bufsz; i++) {
		used += (size_t)snprintf(buf + used, bufsz - used, "%s%s",
		    i > 0 ? ", " : "", cfg->roles[i].name);
	}
	return buf;
}

/*
 * The role named by word, or the first role when word is NULL. Replies
 * and returns NULL when there is no such role.
 */
static const struct cfg_role *
oc_role(struct cmd_ctx *ctx, const char *word)
{
	const struct config	*cfg = oc_cfg(ctx);
	const struct cfg_role	*r;
	char			 names[256];

	if (cfg->nroles == 0) {
		cmd_reply(ctx, "no on-call roles are configured");
		return NULL;
	}
	if (word == NULL)
		return &cfg->roles[0];
	r = cfg_role_find(cfg, word);
	if (r == NULL)
		cmd_reply(ctx, "no role \"%.40s\" (roles: %s)", word,
		    oc_role_names(cfg, names, sizeof names));
	return r;
}

/*
 * The one resolver of the optional [role] word: the last positional
 * word from index from on that names a role (or an alias) is taken out
 * of args and returned; NULL when none does. The words left are the
 * command's own; one it cannot use is a misspelt role (oc_role replies).
 */
static const struct cfg_role *
oc_role_arg(struct cmd_ctx *ctx, struct cmd_args *args, int from)
{
	const struct cfg_role	*r;
	int			 i;

	for (i = args->argc - 1; i >= from && i >= 0; i--) {
		r = cfg_role_find(oc_cfg(ctx), args->argv[i]);
		if (r == NULL)
			continue;
		free(args->argv[i]);
		memmove(&args->argv[i], &args->argv[i + 1],
		    (size_t)(args->argc - i) * sizeof *args->argv);
		args->argc--;
		return r;
	}
	return NULL;
}

/*
 * The role for a command that acts on one: the one named, else the
 * first; a word left over at index extra (if any) is a role that does
 * not exist. Replies and returns NULL on failure.
 */
static const struct cfg_role *
oc_role_one(struct cmd_ctx *ctx, struct cmd_args *args, int from, int extra)
{
	const struct cfg_role	*r = oc_role_arg(ctx, args, from);

	if (args->argc > extra) {
		(void)oc_role(ctx, args->argv[extra]);	/* replies */
		return NULL;
	}
	return r != NULL ? r : oc_role(ctx, NULL);
}

/* Load a role's view for shifts shifts; replies on failure. */
static int
oc_view(struct cmd_ctx *ctx, const struct cfg_role *r, time_t now,
    int shifts, struct oncall_view *v)
{
	if (oncall_view(ctx->bot->oncall, r, now, shifts, v) != 0) {
		cmd_reply(ctx, "cannot read the on-call state (see the log)");
		return -1;
	}
	return 0;
}

/* The configured spelling of a team person's name (any case). 0/-1. */
static int
oc_canonical(const struct config *cfg, const char *name, char *out,
    size_t outsz)
{
	char	buf[ROT_NAME_MAX];
	size_t	i;

	for (i = 0; i < cfg->team.nmembers; i++) {
		ident_entry_person(cfg, cfg->team.members[i], buf, sizeof buf);
		if (buf[0] != '\0' && util_strcaseeq(buf, name)) {
			strlcpy_ob(out, buf, outsz);
			return 0;
		}
	}
	return -1;
}

/*
 * The team person meant by name: a team person's name, or (with
 * identify = account) the nick of someone logged in as a team person.
 * Writes into out and returns 0, or replies and returns -1.
 */
static int
oc_person(struct cmd_ctx *ctx, const char *name, char *out, size_t outsz)
{
	const struct config	*cfg = oc_cfg(ctx);
	const char		*acct;

	if (oc_canonical(cfg, name, out, outsz) == 0)
		return 0;
	if (cfg->team.identify == CFG_IDENTIFY_ACCOUNT) {
		acct = irc_account(ctx->bot->irc, name);
		if (acct != NULL && oc_canonical(cfg, acct, out, outsz) == 0)
			return 0;
	}
	cmd_reply(ctx, "%.40s is not a team member", name);
	return -1;
}

/* The asker as a team person, in the configured spelling. */
static void
oc_me(struct cmd_ctx *ctx, char *out, size_t outsz)
{
	if (oc_canonical(oc_cfg(ctx), ctx->who->person, out, outsz) != 0)
		strlcpy_ob(out, ctx->who->person, outsz);
}

/* Is person in the role's member list? */
static int
oc_in_role(const struct cfg_role *r, const char *person)
{
	size_t	i;

	for (i = 0; i < r->nmembers; i++) {
		if (util_strcaseeq(r->members[i], person))
			return 1;
	}
	return 0;
}

/* "Mon 30 Nov 09:00 – Mon 7 Dec 09:00 CET" (zone once if the same). */
static void
oc_span(const struct cfg_role *r, time_t a, time_t b, time_t now, char *buf,
    size_t bufsz)
{
	char	sa[64], sb[64];

	when_format(r->tz, a, now, sa, sizeof sa);
	when_format(r->tz, b, now, sb, sizeof sb);
	snprintf(buf, bufsz, "%s – %s", sa, sb);
}

/* Reply with a role's "who is on call" line. 0, or -1 (replied). */
static int
oc_who_line(struct cmd_ctx *ctx, const struct cfg_role *r, time_t now)
{
	char	 line[512];

	if (oncall_who(ctx->bot->oncall, r, now, line, sizeof line) == NULL) {
		cmd_reply(ctx, "cannot read the on-call state (see the log)");
		return -1;
	}
	cmd_say(ctx, line);
	return 0;
}

/* !who-is-on-call [role] */
static enum cmd_retval
cmd_who_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct config	*cfg = oc_cfg(ctx);
	const struct cfg_role	*r = oc_role_arg(ctx, args, 0);
	time_t			 now = util_now();
	size_t			 i;

	if (r != NULL || args->argc > 0 || cfg->nroles == 0) {
		if (r == NULL && (r = oc_role_one(ctx, args, 0, 0)) == NULL)
			return CMD_RETURN_ERROR;
		return oc_who_line(ctx, r, now) == 0 ? CMD_RETURN_NORMAL :
		    CMD_RETURN_ERROR;
	}
	for (i = 0; i < cfg->nroles; i++) {
		if (oc_who_line(ctx, &cfg->roles[i], now) != 0)
			return CMD_RETURN_ERROR;
	}
	return CMD_RETURN_NORMAL;
}

/*
 * The count of !oncall schedule from the words left once the role is
 * taken out: CMD_RETURN_NORMAL, CMD_RETURN_ERROR (replied: bad count or
 * no such role) or CMD_RETURN_USAGE.
 */
static enum cmd_retval
oc_schedule_count(struct cmd_ctx *ctx, struct cmd_args *args,
    long long *count)
{
	const char	*other = NULL;
	int		 a;

	for (a = 0; a < args->argc; a++) {
		if (util_strtonum(args->argv[a], 1, ONCALL_SCHEDULE_MAX,
		    count) == 0)
			continue;
		if (args->argv[a][0] >= '0' && args->argv[a][0] <= '9') {
			cmd_reply(ctx, "count must be 1 to %d",
			    ONCALL_SCHEDULE_MAX);
			return CMD_RETURN_ERROR;
		}
		if (other != NULL)
			return CMD_RETURN_USAGE;
		other = args->argv[a];
	}
	if (other != NULL) {
		(void)oc_role(ctx, other);	/* replies "no role" */
		return CMD_RETURN_ERROR;
	}
	return CMD_RETURN_NORMAL;
}

/* !oncall schedule [role] [count] */
static enum cmd_retval
cmd_schedule_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cfg_role	*r = oc_role_arg(ctx, args, 0);
	struct oncall_view	 v;
	struct rot_slot		 slots[ONCALL_SCHEDULE_MAX * 4];
	time_t			 now = util_now();
	long long		 count = 4;
	char			 span[160];
	size_t			 i, n;
	enum cmd_retval		 rc;

	if ((rc = oc_schedule_count(ctx, args, &count)) != CMD_RETURN_NORMAL)
		return rc;
	if (r == NULL && (r = oc_role(ctx, NULL)) == NULL)
		return CMD_RETURN_ERROR;
	if (oc_view(ctx, r, now, (int)count + 1, &v) != 0)
		return CMD_RETURN_ERROR;
	n = rot_runs(slots, rot_schedule(&v.role, &v.state, v.ov, v.nov, now,
	    nitems(slots), slots));
	if (n > (size_t)count)
		n = (size_t)count;
	for (i = 0; i < n; i++) {
		oc_span(r, slots[i].start, slots[i].end, now, span,
		    sizeof span);
		if (slots[i].covers[0] != '\0')
			cmd_reply(ctx, "%s: %s: %s (covering for %s)", r->name,
			    span, slots[i].person, slots[i].covers);
		else
			cmd_reply(ctx, "%s: %s: %s", r->name, span,
			    slots[i].person);
	}
	oncall_view_free(&v);
	return CMD_RETURN_NORMAL;
}

/* !oncall roles */
static enum cmd_retval
cmd_roles_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	const struct config	*cfg = oc_cfg(ctx);
	struct tz_local		 l;
	struct buf		 b;
	char			 len[32];
	size_t			 i, j;

	if (cfg->nroles == 0) {
		cmd_reply(ctx, "no on-call roles are configured");
		return CMD_RETURN_NORMAL;
	}
	for (i = 0; i < cfg->nroles; i++) {
		const struct cfg_role *r = &cfg->roles[i];

		buf_init(&b);
		buf_addstr(&b, r->name);
		for (j = 0; j < r->naliases; j++)
			buf_printf(&b, "%s%s", j == 0 ? " (also " : ", ",
			    r->aliases[j]);
		if (r->naliases > 0)
			buf_addc(&b, ')');
		buf_addstr(&b, ": ");
		for (j = 0; j < r->nmembers; j++)
			buf_printf(&b, "%s%s", j > 0 ? ", " : "",
			    r->members[j]);
		util_fmt_duration(r->shift_ms, len, sizeof len);
		tz_to_local(r->tz, (time_t)r->start, &l);
		if (r->shift_days == 1)
			buf_printf(&b, " — %s shifts, handoff daily at "
			    "%02d:%02d %s", len, l.hour, l.min, tz_name(r->tz));
		else if (r->shift_days > 0)
			buf_printf(&b, " — %s shifts, handoff %s %02d:%02d %s",
			    len, days[l.wday], l.hour, l.min, tz_name(r->tz));
		else
			buf_printf(&b, " — %s shifts from %04d-%02d-%02d "
			    "%02d:%02d %s", len, l.year, l.mon, l.mday, l.hour,
			    l.min, tz_name(r->tz));
		buf_printf(&b, ", announced in %s", r->announce_channel);
		cmd_say(ctx, b.data);
		buf_free(&b);
	}
	return CMD_RETURN_NORMAL;
}

/* The audit record of the command being run, for its change. */
static void
oc_audit(struct cmd_ctx *ctx, struct oncall_audit *a)
{
	const struct ident	*who = ctx->who;

	a->who = who->person[0] != '\0' ? who->person : who->name;
	a->level = ident_level_name(who->level);
	a->via = ctx->nick;
	a->place = ctx->channel != NULL ? ctx->channel : "private";
	a->command = ctx->entry->name;
	a->args = ctx->args_text;
}

/*
 * Store one override through the domain (which checks the interval and
 * the 366-day limit and writes the audit row with it). The id, or -1
 * (replied).
 */
static long long
oc_override_add(struct cmd_ctx *ctx, const struct cfg_role *r,
    const char *person, time_t from, time_t to, const char *kind,
    const char *covers)
{
	const struct ident	*who = ctx->who;
	struct oncall_audit	 a;
	long long		 id;
	char			*cause = NULL;

	oc_audit(ctx, &a);
	id = oncall_override_add(ctx->bot->oncall, r, person, from, to, kind,
	    covers, who->person[0] != '\0' ? who->person : who->name, &a,
	    &cause);
	if (id < 0) {
		cmd_say(ctx, cause);
		free(cause);
		return -1;
	}
	ctx->audited = 1;
	return id;
}
/* !oncall take [role] [--for D | --until T] */
static enum cmd_retval
cmd_take_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cfg_role	*r;
	const char		*dur = cmd_opt(args, "for");
	const char		*until = cmd_opt(args, "until");
	char			 me[ROT_NAME_MAX];
	struct oncall_view	 v;
	struct rot_slot		 cur;
	time_t			 now = util_now(), end;
	long long		 ms, id;
	char			*cause = NULL, when[64];

	oc_me(ctx, me, sizeof me);
	if (dur != NULL && until != NULL) {
		cmd_reply(ctx, "give --for or --until, not both");
		return CMD_RETURN_ERROR;
	}
	if ((r = oc_role_one(ctx, args, 0, 0)) == NULL)
		return CMD_RETURN_ERROR;
	if (oc_view(ctx, r, now, 1, &v) != 0)
		return CMD_RETURN_ERROR;
	rot_who(&v.role, &v.state, v.ov, v.nov, now, &cur);
	end = rot_shift_end(&v.role, v.state.shift_start);
	oncall_view_free(&v);
	if (dur != NULL) {
		if (util_parse_duration(dur, &ms) != 0 || ms < 60000) {
			cmd_reply(ctx, "\"%.40s\" is not a duration (use 90m, "
			    "2h, 1d, ...)", dur);
			return CMD_RETURN_ERROR;
		}
		end = now + (time_t)(ms / 1000);
	} else if (until != NULL) {
		if (when_parse(until, r->tz, now, &end, &cause) != 0) {
			cmd_say(ctx, cause);
			free(cause);
			return CMD_RETURN_ERROR;
		}
	}
	if (end <= now) {
		cmd_reply(ctx, "that end is in the past");
		return CMD_RETURN_ERROR;
	}
	id = oc_override_add(ctx, r, me, now, end, "take",
	    strcmp(cur.person, me) != 0 ? cur.person : NULL);
	if (id < 0)
		return CMD_RETURN_ERROR;
	when_format(r->tz, end, now, when, sizeof when);
	if (strcmp(cur.person, me) != 0)
		cmd_reply(ctx, "%s covers %s for %s until %s (override #%lld)",
		    me, r->name, cur.person, when, id);
	else
		cmd_reply(ctx, "%s is on call for %s until %s (override #%lld)",
		    me, r->name, when, id);
	return CMD_RETURN_NORMAL;
}

/*
 * Read one time from argv at *i: "2026-11-30 09:00" may come as two
 * words. Advances *i. CMD_RETURN_NORMAL, CMD_RETURN_USAGE (no word
 * left), or CMD_RETURN_ERROR (replied).
 */
static enum cmd_retval
oc_time_arg(struct cmd_ctx *ctx, struct cmd_args *args, int argc, int *i,
    const struct cfg_role *r, time_t now, time_t *out)
{
	char	*text, *cause = NULL;
	int	 rc;

	if (*i >= argc)
		return CMD_RETURN_USAGE;
	if (when_is_date(args->argv[*i]) && *i + 1 < argc &&
	    when_is_clock(args->argv[*i + 1])) {
		text = xasprintf("%s %s", args->argv[*i], args->argv[*i + 1]);
		*i += 2;
	} else
		text = xstrdup(args->argv[(*i)++]);
	rc = when_parse(text, r->tz, now, out, &cause);
	free(text);
	if (rc != 0) {
		cmd_say(ctx, cause);
		free(cause);
		return CMD_RETURN_ERROR;
	}
	return CMD_RETURN_NORMAL;
}

/* !oncall override NICK FROM TO [role] */
static enum cmd_retval
cmd_override_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cfg_role	*r;
	char			 person[ROT_NAME_MAX], span[160];
	time_t			 now = util_now(), from, to;
	long long		 id;
	enum cmd_retval		 rc;
	int			 i = 1, argc;

	if (oc_person(ctx, args->argv[0], person, sizeof person) != 0)
		return CMD_RETURN_ERROR;
	r = oc_role_arg(ctx, args, 1);
	argc = args->argc;
	if (r == NULL && (r = oc_role(ctx, NULL)) == NULL)
		return CMD_RETURN_ERROR;
	if ((rc = oc_time_arg(ctx, args, argc, &i, r, now, &from)) != 0)
		return rc;
	if ((rc = oc_time_arg(ctx, args, argc, &i, r, now, &to)) != 0)
		return rc;
	if (i != argc) {
		(void)oc_role(ctx, args->argv[i]);	/* replies "no role" */
		return CMD_RETURN_ERROR;
	}
	if ((id = oc_override_add(ctx, r, person, from, to, "override",
	    NULL)) < 0)
		return CMD_RETURN_ERROR;
	if (from < now)
		from = now;
	oc_span(r, from, to, now, span, sizeof span);
	cmd_reply(ctx, "%s covers %s %s (override #%lld)", person, r->name,
	    span, id);
	return CMD_RETURN_NORMAL;
}

/* !oncall swap NICK [role] */
static enum cmd_retval
cmd_swap_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct cfg_role	*r;
	struct oncall_audit	 a;
	struct rot_slot		 out[2];
	char			 me[ROT_NAME_MAX], other[ROT_NAME_MAX];
	char			 s0[160], s1[160], *cause = NULL;
	time_t			 now = util_now();
	long long		 ids[2];

	oc_me(ctx, me, sizeof me);
	if (oc_person(ctx, args->argv[0], other, sizeof other) != 0)
		return CMD_RETURN_ERROR;
	if ((r = oc_role_one(ctx, args, 1, 1)) == NULL)
		return CMD_RETURN_ERROR;
	if (!oc_in_role(r, me)) {
		cmd_reply(ctx, "you are not in %s", r->name);
		return CMD_RETURN_ERROR;
	}
	oc_audit(ctx, &a);
	if (oncall_swap(ctx->bot->oncall, r, me, other, &a, out, ids,
	    &cause) != 0) {
		cmd_say(ctx, cause);
		free(cause);
		return CMD_RETURN_ERROR;
	}
	ctx->audited = 1;
	oc_span(r, out[0].start, out[0].end, now, s0, sizeof s0);
	oc_span(r, out[1].start, out[1].end, now, s1, sizeof s1);
	cmd_reply(ctx, "swapped in %s: %s takes %s's shift %s (#%lld); %s "
	    "takes %s's shift %s (#%lld)", r->name, out[0].person,
	    out[0].covers, s0, ids[0], out[1].person, out[1].covers, s1,
	    ids[1]);
	return CMD_RETURN_NORMAL;
}

/* !oncall overrides [role] */
static enum cmd_retval
cmd_overrides_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	const struct config	*cfg = oc_cfg(ctx);
	const struct cfg_role	*r, *rr;
	struct oncall_override	*rows;
	size_t			 n, i;
	time_t			 now = util_now();
	char			 span[160];

	r = oc_role_arg(ctx, args, 0);
	if (args->argc > 0) {
		(void)oc_role(ctx, args->argv[0]);	/* replies */
		return CMD_RETURN_ERROR;
	}
	if (oncall_overrides(ctx->bot->oncall, r != NULL ? r->name : NULL,
	    ONCALL_LIST_MAX + 1, &rows, &n) != 0) {
		cmd_reply(ctx, "cannot read the overrides (see the log)");
		return CMD_RETURN_ERROR;
	}
	if (n == 0)
		cmd_reply(ctx, "no current or upcoming overrides%s%s",
		    r != NULL ? " in " : "", r != NULL ? r->name : "");
	for (i = 0; i < n && i < ONCALL_LIST_MAX; i++) {
		rr = cfg_role_find(cfg, rows[i].role);
		if (rr == NULL)
			continue;	/* a role no longer configured */
		oc_span(rr, rows[i].start, rows[i].end, now, span,
		    sizeof span);
		cmd_reply(ctx, "#%lld %s: %s %s (%s by %s)", rows[i].id,
		    rows[i].role, rows[i].person, span, rows[i].kind,
		    rows[i].created_by);
	}
	if (n > ONCALL_LIST_MAX)
		cmd_reply(ctx, "(more overrides follow; these are the first "
		    "%d)", ONCALL_LIST_MAX);
	oncall_overrides_free(rows, n);
	return CMD_RETURN_NORMAL;
}

/* !oncall cancel ID */
static enum cmd_retval
cmd_cancel_exec(struct cmd_ctx *ctx, struct cmd_args *args)
{
	struct oncall_audit	 a;
	long long		 id;
	char			*role = NULL, *cause = NULL;
	int			 rc;

	if (cmd_parse_id(args->argv[0], &id) != 0) {
		cmd_reply(ctx, "\"%.40s\" is not an override id",
		    args->argv[0]);
		return CMD_RETURN_ERROR;
	}
	oc_audit(ctx, &a);
	rc = oncall_override_cancel(ctx->bot->oncall, id, &a, &role, &cause);
	if (rc < 0) {
		cmd_say(ctx, cause);
		free(cause);
		return CMD_RETURN_ERROR;
	}
	if (rc == 0) {
		cmd_reply(ctx, "no current or upcoming override #%lld", id);
		return CMD_RETURN_ERROR;
	}
	ctx->audited = 1;
	cmd_reply(ctx, "cancelled override #%lld in %s", id, role);
	free(role);
	return CMD_RETURN_NORMAL;
}
