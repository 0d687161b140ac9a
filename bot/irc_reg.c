/*
 * irc_reg.c — registration for the irc module: the opening lines, CAP
 * LS/REQ/ACK/NAK, SASL (a mechanism the server does not list is not
 * tried; sasl.required aborts the attempt when SASL fails), STS (an
 * upgrade to TLS, and the policy's duration kept through the owner's
 * functions), ISUPPORT, and nick collisions and regain (MONITOR, else
 * ISON). It sends through irc_conn only and never calls the layer
 * above; SASL payloads never reach the log.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "config.h"
#include "irc_conn.h"
#include "irc_reg.h"
#include "irc_sasl.h"
#include "irc_users.h"
#include "log.h"
#include "loop.h"

/* The SASL mechanisms, by sasl.mechanism; one line each. */
static const struct irc_sasl_mech *const irc_sasl_mechs[] = {
	&irc_sasl_plain,
	&irc_sasl_external,
	&irc_sasl_scram,
	&irc_sasl_ecdsa,
};

static void	irc_watch_nick(struct irc *);
static void	irc_sasl_end(struct irc *);

/* Begin registration: CAP LS, PASS, NICK, USER. */
void
irc_reg_open(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;

	irc->state = IRC_REGISTERING;
	irc->cap_done = 0;
	buf_reset(&irc->ls);
	irc->nick_try = 0;
	free(irc->nick);
	irc->nick = xstrdup(c->nick);
	irc_send_now(irc, 0, "CAP", "LS", "302", NULL);
	if (c->password != NULL)
		irc_send_now(irc, 1, "PASS", c->password, NULL);
	irc_send_now(irc, 0, "NICK", irc->nick, NULL);
	irc_send_now(irc, 0, "USER", c->username, "0", "*", c->realname,
	    NULL);
}

/* Forget what registration learnt on a connection that is gone. */
void
irc_reg_reset(struct irc *irc)
{
	if (irc->t_ison != 0)
		loop_timer_del(irc->loop, irc->t_ison);
	irc->t_ison = 0;
	irc_sasl_end(irc);
	irc->sasl_offered = 0;
	irc->sasl_ok = 0;
	irc->monitoring = 0;
	free(irc->sasl_mechs);
	irc->sasl_mechs = NULL;
	irc->cap_account_tag = irc->cap_extended_join = 0;
	irc->cap_account_notify = 0;
	irc->cap_userhost_in_names = irc->cap_chghost = 0;
	irc->whox = irc->monitor = 0;
	irc->bot_mode = 0;
	irc->casemap = IRC_CASEMAP_RFC1459;
	irc->statusmsg[0] = '\0';
}

/* Is cap (name) in the space-separated CAP LS text; value in *val. */
static int
irc_cap_offered(const char *ls, const char *name, char *val, size_t valsz)
{
	const char	*p = ls;
	size_t		 n = strlen(name);

	if (val != NULL && valsz > 0)
		val[0] = '\0';
	while (*p != '\0') {
		size_t	wl;

		while (*p == ' ')
			p++;
		wl = strcspn(p, " ");
		if (wl >= n && strncmp(p, name, n) == 0 &&
		    (wl == n || p[n] == '=')) {
			if (val != NULL && wl > n + 1) {
				size_t	vl = wl - n - 1;

				if (vl >= valsz)
					vl = valsz - 1;
				memcpy(val, p + n + 1, vl);
				val[vl] = '\0';
			}
			return 1;
		}
		p += wl;
	}
	return 0;
}

/* Finish capability negotiation. */
static void
irc_cap_end(struct irc *irc)
{
	if (irc->cap_done)
		return;
	irc->cap_done = 1;
	irc_send_now(irc, 0, "CAP", "END", NULL);
}

/* SASL could not be done: abort if required, else go on without it. */
static void
irc_sasl_failed(struct irc *irc, const char *why)
{
	irc->sasl_active = 0;
	if (irc->cfg->irc.sasl.required) {
		log_error("irc", "SASL failed (%s) and sasl.required is set: "
		    "not connecting without authentication", why);
		irc_send_now(irc, 0, "QUIT", "SASL failed", NULL);
		irc_do_write(irc);
		irc_fail(irc, "SASL failed");
		return;
	}
	log_warn("irc", "SASL failed (%s); continuing unauthenticated", why);
	irc_cap_end(irc);
}

/*
 * The item "name" or "name=value" of a comma list (names compared
 * without case), and its length in *len; NULL if absent.
 */
static const char *
irc_comma_find(const char *list, const char *name, size_t *len)
{
	size_t	n = strlen(name);

	while (list != NULL && *list != '\0') {
		size_t	l = strcspn(list, ",");

		if (l >= n && strncasecmp(list, name, n) == 0 &&
		    (l == n || list[n] == '=')) {
			*len = l;
			return list;
		}
		list += l;
		if (*list == ',')
			list++;
	}
	return NULL;
}

/* Value of a parameter value like "key=value" in a comma list. */
static int
irc_kv(const char *list, const char *key, char *val, size_t valsz)
{
	size_t		 l, n = strlen(key), vl;
	const char	*p = irc_comma_find(list, key, &l);

	if (p == NULL || l <= n)
		return 0;
	vl = l - n - 1;
	if (vl >= valsz)
		vl = valsz - 1;
	memcpy(val, p + n + 1, vl);
	val[vl] = '\0';
	return 1;
}

/* Apply an STS policy from CAP LS; 1 if the connection is being moved. */
static int
irc_sts(struct irc *irc, const char *value)
{
	char		 v[32];
	long long	 n;

	if (!irc->tls) {
		if (!irc_kv(value, "port", v, sizeof v) ||
		    util_strtonum(v, 1, 65535, &n) != 0)
			return 0;
		log_info("irc", "server asks for TLS (STS): reconnecting to "
		    "port %lld with TLS", n);
		irc_conn_move(irc, irc->cfg->irc.server, (int)n, 1);
		return 1;
	}
	if (irc_kv(value, "duration", v, sizeof v) &&
	    util_strtonum(v, 0, 10LL * 365 * 86400, &n) == 0 &&
	    irc->sts_set != NULL)
		irc->sts_set(irc->sts_arg, irc->host, irc->port,
		    util_now() + (time_t)n);
	return 0;
}

/* CAP LS done: request what we use. */
static void
irc_cap_request(struct irc *irc)
{
	static const char *const want[] = {
		"sasl", "message-tags", "account-tag", "server-time",
		"extended-join", "account-notify", "multi-prefix",
		"cap-notify", "userhost-in-names", "chghost"
	};
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;
	struct buf		 req;
	char			 val[256];
	size_t			 i;

	if (irc_cap_offered(irc->ls.data, "sts", val, sizeof val) &&
	    irc_sts(irc, val))
		return;
	buf_init(&req);
	for (i = 0; i < nitems(want); i++) {
		if (!irc_cap_offered(irc->ls.data, want[i], val, sizeof val))
			continue;
		if (strcmp(want[i], "sasl") == 0) {
			if (s->mech == CFG_SASL_NONE)
				continue;
			irc->sasl_offered = 1;
			free(irc->sasl_mechs);
			irc->sasl_mechs = val[0] != '\0' ? xstrdup(val) : NULL;
		}
		if (req.len > 0)
			buf_addc(&req, ' ');
		buf_addstr(&req, want[i]);
	}
	if (s->mech != CFG_SASL_NONE && !irc->sasl_offered) {
		buf_free(&req);
		irc_sasl_failed(irc, "the server does not offer SASL");
		return;
	}
	if (req.len == 0)
		irc_cap_end(irc);
	else
		irc_send_now(irc, 0, "CAP", "REQ", req.data, NULL);
	buf_free(&req);
}

/* Is mech in the server's sasl= list (no list: assume yes)? */
static int
irc_sasl_mech_ok(struct irc *irc, const char *mech)
{
	size_t	l;

	return irc->sasl_mechs == NULL ||
	    (irc_comma_find(irc->sasl_mechs, mech, &l) != NULL &&
	    l == strlen(mech));
}

/*
 * Note the capabilities of an ACK (or, del, of a DEL); 1 if sasl was
 * acknowledged.
 */
static int
irc_cap_note(struct irc *irc, const char *list, int del)
{
	char	*copy = xstrdup(list), *w, *save = NULL;
	int	 sasl = 0;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		int	off = del || *w == '-';

		if (*w == '-')
			w++;
		if (strcmp(w, "account-tag") == 0)
			irc->cap_account_tag = !off;
		else if (strcmp(w, "extended-join") == 0)
			irc->cap_extended_join = !off;
		else if (strcmp(w, "account-notify") == 0)
			irc->cap_account_notify = !off;
		else if (strcmp(w, "userhost-in-names") == 0)
			irc->cap_userhost_in_names = !off;
		else if (strcmp(w, "chghost") == 0)
			irc->cap_chghost = !off;
		else if (strcmp(w, "sasl") == 0 && !off)
			sasl = 1;
	}
	free(copy);
	return sasl;
}

/* The mechanism configured, from the table. */
static const struct irc_sasl_mech *
irc_sasl_find(enum cfg_sasl_mech mech)
{
	size_t	i;

	for (i = 0; i < nitems(irc_sasl_mechs); i++) {
		if (irc_sasl_mechs[i]->mech == mech)
			return irc_sasl_mechs[i];
	}
	return NULL;
}

/* End the exchange in progress, if any (wipes its state). */
static void
irc_sasl_end(struct irc *irc)
{
	if (irc->sasl_mech != NULL)
		irc->sasl_mech->free(irc->sasl_state);
	irc->sasl_mech = NULL;
	irc->sasl_state = NULL;
	if (irc->sasl_in.len > 0)
		explicit_bzero(irc->sasl_in.data, irc->sasl_in.len);
	buf_reset(&irc->sasl_in);
	irc->sasl_active = 0;
}

/* Start the configured mechanism: AUTHENTICATE <name>. */
static void
irc_sasl_start(struct irc *irc)
{
	const struct cfg_sasl		*s = &irc->cfg->irc.sasl;
	const struct irc_sasl_mech	*mech = irc_sasl_find(s->mech);

	if (mech == NULL || !irc_sasl_mech_ok(irc, mech->name)) {
		irc_sasl_failed(irc, "the server does not offer this SASL "
		    "mechanism");
		return;
	}
	irc_sasl_end(irc);
	if (mech->start(s, &irc->sasl_state) != 0) {
		irc_sasl_failed(irc, "the SASL mechanism could not start");
		return;
	}
	irc->sasl_mech = mech;
	irc->sasl_active = 1;
	irc_send_now(irc, 0, "AUTHENTICATE", mech->name, NULL);
}

/* CAP ACK: note what we got and start SASL if we should. */
static void
irc_cap_ack(struct irc *irc, const char *list)
{
	const struct cfg_sasl	*s = &irc->cfg->irc.sasl;
	int			 sasl = irc_cap_note(irc, list, 0);

	if (irc->cap_done || irc->state != IRC_REGISTERING)
		return;
	if (!sasl || s->mech == CFG_SASL_NONE) {
		if (s->mech != CFG_SASL_NONE && !irc->sasl_active) {
			irc_sasl_failed(irc, "SASL was not acknowledged");
			return;
		}
		irc_cap_end(irc);
		return;
	}
	irc_sasl_start(irc);
}

/* CAP LS, ACK, NAK. */
void
irc_reg_on_cap(struct irc *irc, const struct irc_msg *m)
{
	const char	*sub = m->params[1];

	if (strcmp(sub, "LS") == 0) {
		int more = m->nparams >= 4 && strcmp(m->params[2], "*") == 0;

		if (irc->ls.len > 0)
			buf_addc(&irc->ls, ' ');
		buf_addstr(&irc->ls, irc_msg_last(m));
		if (!more && irc->state == IRC_REGISTERING && !irc->cap_done)
			irc_cap_request(irc);
	} else if (strcmp(sub, "ACK") == 0)
		irc_cap_ack(irc, irc_msg_last(m));
	else if (strcmp(sub, "DEL") == 0)	/* cap-notify */
		irc_cap_note(irc, irc_msg_last(m), 1);
	else if (strcmp(sub, "NAK") == 0) {
		log_warn("irc", "server refused capabilities: %s",
		    irc_msg_last(m));
		if (irc->cfg->irc.sasl.mech != CFG_SASL_NONE && !irc->cap_done)
			irc_sasl_failed(irc, "capability refused");
		else
			irc_cap_end(irc);
	}
}

/* Send a response: base64 in 400-byte pieces, "+" after a full one. */
static void
irc_sasl_send(struct irc *irc, const unsigned char *raw, size_t rawlen)
{
	unsigned char	*b64 = xmalloc(4 * ((rawlen + 2) / 3) + 1);
	size_t		 b64len, off;
	char		 piece[IRC_SASL_CHUNK + 1];

	b64len = (size_t)EVP_EncodeBlock(b64, raw, (int)rawlen);
	for (off = 0; off < b64len; off += IRC_SASL_CHUNK) {
		size_t	n = b64len - off;

		if (n > IRC_SASL_CHUNK)
			n = IRC_SASL_CHUNK;
		memcpy(piece, b64 + off, n);
		piece[n] = '\0';
		irc_send_now(irc, 1, "AUTHENTICATE", piece, NULL);
	}
	if (b64len % IRC_SASL_CHUNK == 0)
		irc_send_now(irc, 0, "AUTHENTICATE", "+", NULL);
	explicit_bzero(piece, sizeof piece);
	explicit_bzero(b64, b64len);
	free(b64);
}

/* Decode the server's collected challenge; -1 if it is not base64. */
static int
irc_sasl_decode(struct irc *irc, unsigned char **in, size_t *inlen)
{
	const struct buf	*b = &irc->sasl_in;
	int			 n;

	*in = xmalloc(3 * (b->len / 4) + 1);
	*inlen = 0;
	if (b->len == 0)
		return 0;
	n = b->len % 4 == 0 ? EVP_DecodeBlock(*in,
	    (const unsigned char *)b->data, (int)b->len) : -1;
	if (n < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as data. */
	if (b->data[b->len - 1] == '=')
		n--;
	if (b->len > 1 && b->data[b->len - 2] == '=')
		n--;
	*inlen = (size_t)n;
	return 0;
}

/* A whole challenge arrived: one step of the mechanism, then reply. */
static void
irc_sasl_step(struct irc *irc)
{
	unsigned char	*in, *out = NULL;
	size_t		 inlen, outlen = 0;
	int		 r;

	r = irc_sasl_decode(irc, &in, &inlen);
	if (irc->sasl_in.len > 0)
		explicit_bzero(irc->sasl_in.data, irc->sasl_in.len);
	buf_reset(&irc->sasl_in);
	if (r == 0)
		r = irc->sasl_mech->step(irc->sasl_state, in, inlen, &out,
		    &outlen);
	explicit_bzero(in, inlen);
	free(in);
	if (r != 0) {
		irc_send_now(irc, 0, "AUTHENTICATE", "*", NULL);
		irc_sasl_end(irc);
		irc_sasl_failed(irc, "the SASL exchange was abandoned");
		return;
	}
	irc_sasl_send(irc, out, outlen);
	if (out != NULL)
		explicit_bzero(out, outlen);
	free(out);
}

/* AUTHENTICATE from the server: a challenge, maybe in pieces. */
void
irc_reg_on_authenticate(struct irc *irc, const struct irc_msg *m)
{
	const char	*p = m->params[0];

	if (!irc->sasl_active || irc->sasl_mech == NULL)
		return;
	if (strcmp(p, "+") != 0)
		buf_addstr(&irc->sasl_in, p);
	if (strlen(p) == IRC_SASL_CHUNK)
		return;		/* more pieces follow */
	irc_sasl_step(irc);
}

/* 900: logged in. */
void
irc_reg_on_loggedin(struct irc *irc, const struct irc_msg *m)
{
	log_info("irc", "logged in to services as %s",
	    m->nparams >= 3 ? m->params[2] : "?");
}

/* 903: SASL succeeded. */
void
irc_reg_on_sasl_ok(struct irc *irc, const struct irc_msg *m)
{
	irc_sasl_end(irc);
	irc->sasl_ok = 1;
	log_info("irc", "SASL authentication succeeded");
	irc_cap_end(irc);
}

/* 902, 904-907: SASL failed or was aborted. */
void
irc_reg_on_sasl_fail(struct irc *irc, const struct irc_msg *m)
{
	irc_sasl_end(irc);
	if (irc->state == IRC_REGISTERING && !irc->cap_done)
		irc_sasl_failed(irc, irc_msg_last(m));
}

/* 908: the mechanisms the server offers. */
void
irc_reg_on_sasl_mechs(struct irc *irc, const struct irc_msg *m)
{
	free(irc->sasl_mechs);
	irc->sasl_mechs = xstrdup(m->params[1]);
}

/* 005: the features we use. */
void
irc_reg_on_isupport(struct irc *irc, const struct irc_msg *m)
{
	size_t	i;

	for (i = 1; i + 1 < m->nparams; i++) {
		const char *p = m->params[i];

		if (strcmp(p, "WHOX") == 0)
			irc->whox = 1;
		else if (strncmp(p, "CASEMAPPING=", 12) == 0)
			irc->casemap = irc_casemap_parse(p + 12);
		else if (strncmp(p, "STATUSMSG=", 10) == 0)
			strlcpy_ob(irc->statusmsg, p + 10,
			    sizeof irc->statusmsg);
		else if (strncmp(p, "MONITOR", 7) == 0 &&
		    (p[7] == '\0' || p[7] == '='))
			irc->monitor = 1;
		else if (strncmp(p, "BOT=", 4) == 0 && p[4] != '\0' &&
		    irc->bot_mode == 0) {
			char	mode[3] = { '+', p[4], '\0' };

			irc->bot_mode = p[4];
			irc_send_now(irc, 0, "MODE", irc->nick, mode, NULL);
		}
	}
	if (irc->state == IRC_REGISTERED)
		irc_watch_nick(irc);
}

/* Pick the next nick after a collision during registration. */
static void
irc_next_nick(struct irc *irc)
{
	const struct cfg_irc	*c = &irc->cfg->irc;

	free(irc->nick);
	irc->nick_try++;
	if (irc->nick_try == 1)
		irc->nick = xstrdup(c->alt_nick);
	else
		irc->nick = xasprintf("%.20s%ld", c->nick, random() % 1000);
	irc_send_now(irc, 0, "NICK", irc->nick, NULL);
}

/* Ask for the configured nick back (its holder left). */
void
irc_regain(struct irc *irc)
{
	if (irc->state != IRC_REGISTERED ||
	    irc_same_nick(irc, irc->nick, irc->cfg->irc.nick))
		return;
	log_info("irc", "regaining nick %s", irc->cfg->irc.nick);
	irc_send_now(irc, 0, "NICK", irc->cfg->irc.nick, NULL);
}

/* ISON timer: networks without MONITOR. */
static long long
irc_ison_timer(struct loop *loop, long long id, void *arg)
{
	struct irc	*irc = arg;

	if (irc->state != IRC_REGISTERED ||
	    irc_same_nick(irc, irc->nick, irc->cfg->irc.nick)) {
		irc->t_ison = 0;
		return LOOP_NOMORE;
	}
	irc_send_now(irc, 0, "ISON", irc->cfg->irc.nick, NULL);
	return IRC_ISON_MS;
}

/* We do not have our nick: watch for it to become free. */
static void
irc_watch_nick(struct irc *irc)
{
	if (irc_same_nick(irc, irc->nick, irc->cfg->irc.nick))
		return;
	if (irc->monitor) {
		if (!irc->monitoring)
			irc_send_now(irc, 0, "MONITOR", "+",
			    irc->cfg->irc.nick, NULL);
		irc->monitoring = 1;
	} else if (irc->t_ison == 0)
		irc->t_ison = loop_timer_add(irc->loop, irc, IRC_ISON_MS,
		    irc_ison_timer, irc);
}

/* Our own NICK change: stop watching once we have ours again. */
void
irc_reg_own_nick(struct irc *irc, const char *to)
{
	log_info("irc", "now known as %s", to);
	free(irc->nick);
	irc->nick = xstrdup(to);
	if (irc_same_nick(irc, to, irc->cfg->irc.nick) && irc->monitoring) {
		irc_send_now(irc, 0, "MONITOR", "-", to, NULL);
		irc->monitoring = 0;
	}
}

/* 432, 433, 436, 437: the nick is taken or refused. */
void
irc_reg_on_nick_taken(struct irc *irc, const struct irc_msg *m)
{
	if (irc->state == IRC_REGISTERING)
		irc_next_nick(irc);
	else
		irc_watch_nick(irc);
}

/* 731 MONOFFLINE: our nick is free. */
void
irc_reg_on_monoffline(struct irc *irc, const struct irc_msg *m)
{
	irc_regain(irc);
}

/* 303 ISON: an empty answer means our nick is free. */
void
irc_reg_on_ison(struct irc *irc, const struct irc_msg *m)
{
	if (strlen(irc_msg_last(m)) == 0)
		irc_regain(irc);
}
