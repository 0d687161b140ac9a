/*
 * irc_sasl.c — the SASL mechanisms that need no cryptography: PLAIN
 * (RFC 4616: the account as authorization and authentication identity,
 * then the password, both through SASLprep) and EXTERNAL (RFC 4422: the
 * TLS client certificate speaks; the response is empty). They produce
 * raw responses only and never log them.
 */
#include <stdlib.h>
#include <string.h>

#include "irc_sasl.h"
#include "log.h"
#include "sasl.h"
#include "util.h"

/* PLAIN's state: a copy of the credentials, and whether they were sent. */
struct irc_sasl_plain {
	char	*account;
	char	*password;
	int	 sent;
};

/* PLAIN: the credentials, through SASLprep (RFC 4013, RFC 4616). */
static int
irc_sasl_plain_start(const struct cfg_sasl *s, void **state)
{
	struct irc_sasl_plain	*p;
	char			*account, *password = NULL, *cause = NULL;

	if (s->account == NULL || s->password == NULL)
		return -1;
	if ((account = sasl_prep(s->account, "account name", &cause)) ==
	    NULL || (password = sasl_prep(s->password, "password",
	    &cause)) == NULL) {
		log_error("irc", "SASL PLAIN: %s", cause);
		free(cause);
		free(account);
		return -1;
	}
	p = xcalloc(1, sizeof *p);
	p->account = account;
	p->password = password;
	*state = p;
	return 0;
}

/* PLAIN: "account NUL account NUL password", once. */
static int
irc_sasl_plain_step(void *state, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen)
{
	struct irc_sasl_plain	*p = state;
	size_t			 alen = strlen(p->account);
	size_t			 plen = strlen(p->password);
	unsigned char		*raw;

	if (p->sent || inlen != 0)
		return -1;
	raw = xmalloc(alen * 2 + plen + 2);
	memcpy(raw, p->account, alen);
	raw[alen] = '\0';
	memcpy(raw + alen + 1, p->account, alen);
	raw[2 * alen + 1] = '\0';
	memcpy(raw + 2 * alen + 2, p->password, plen);
	p->sent = 1;
	*out = raw;
	*outlen = alen * 2 + plen + 2;
	return 0;
}

/* PLAIN: wipe and free. */
static void
irc_sasl_plain_free(void *state)
{
	struct irc_sasl_plain	*p = state;

	if (p == NULL)
		return;
	sasl_wipe(p->password);
	free(p->account);
	free(p);
}

/* EXTERNAL: nothing to keep. */
static int
irc_sasl_external_start(const struct cfg_sasl *s, void **state)
{
	*state = NULL;
	return 0;
}

/* EXTERNAL: an empty response (the certificate is the identity). */
static int
irc_sasl_external_step(void *state, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	return 0;
}

/* EXTERNAL: no state. */
static void
irc_sasl_external_free(void *state)
{
}

const struct irc_sasl_mech irc_sasl_plain = {
	"PLAIN", CFG_SASL_PLAIN, irc_sasl_plain_start, irc_sasl_plain_step,
	irc_sasl_plain_free
};

const struct irc_sasl_mech irc_sasl_external = {
	"EXTERNAL", CFG_SASL_EXTERNAL, irc_sasl_external_start,
	irc_sasl_external_step, irc_sasl_external_free
};

/* SCRAM-SHA-256 and ECDSA-NIST256P-CHALLENGE: sasl.c's state machines. */
static int
irc_sasl_machine_start(enum sasl_kind kind, const char *account,
    const char *secret, void **state)
{
	char	*cause = NULL;

	*state = sasl_new(kind, account, secret, &cause);
	if (*state == NULL) {
		log_error("irc", "SASL %s: %s", sasl_name(kind),
		    cause != NULL ? cause : "cannot start");
		free(cause);
		return -1;
	}
	return 0;
}

/* SCRAM-SHA-256: the account and its password. */
static int
irc_sasl_scram_start(const struct cfg_sasl *s, void **state)
{
	return irc_sasl_machine_start(SASL_SCRAM_SHA_256, s->account,
	    s->password, state);
}

/* ECDSA-NIST256P-CHALLENGE: the account and the key file. */
static int
irc_sasl_ecdsa_start(const struct cfg_sasl *s, void **state)
{
	return irc_sasl_machine_start(SASL_ECDSA_NIST256P_CHALLENGE,
	    s->account, s->key_file, state);
}

/* One step of sasl.c's machine; a failure abandons the exchange. */
static int
irc_sasl_machine_step(void *state, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen)
{
	char	*cause = NULL;

	*out = NULL;
	*outlen = 0;
	if (sasl_step(state, in, inlen, out, outlen, &cause) == SASL_FAILED) {
		log_warn("irc", "SASL: %s", cause != NULL ? cause : "failed");
		free(cause);
		return -1;
	}
	return 0;
}

/* Free sasl.c's machine (it wipes its secrets). */
static void
irc_sasl_machine_free(void *state)
{
	sasl_free(state);
}

const struct irc_sasl_mech irc_sasl_scram = {
	"SCRAM-SHA-256", CFG_SASL_SCRAM_SHA_256, irc_sasl_scram_start,
	irc_sasl_machine_step, irc_sasl_machine_free
};

const struct irc_sasl_mech irc_sasl_ecdsa = {
	"ECDSA-NIST256P-CHALLENGE", CFG_SASL_ECDSA_NIST256P,
	irc_sasl_ecdsa_start, irc_sasl_machine_step, irc_sasl_machine_free
};
