/*
 * irc_sasl.c — the SASL mechanisms that need no cryptography: PLAIN
 * (RFC 4616: the account as authorization and authentication identity,
 * then the password) and EXTERNAL (RFC 4422: the TLS client certificate
 * speaks; the response is empty). They produce raw responses only and
 * never log them.
 */
#include <stdlib.h>
#include <string.h>

#include "irc_sasl.h"
#include "util.h"

/* PLAIN's state: a copy of the credentials, and whether they were sent. */
struct irc_sasl_plain {
	char	*account;
	char	*password;
	int	 sent;
};

/* PLAIN: copy the credentials. */
static int
irc_sasl_plain_start(const struct cfg_sasl *s, void **state)
{
	struct irc_sasl_plain	*p;

	if (s->account == NULL || s->password == NULL)
		return -1;
	p = xcalloc(1, sizeof *p);
	p->account = xstrdup(s->account);
	p->password = xstrdup(s->password);
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
	explicit_bzero(p->password, strlen(p->password));
	free(p->password);
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
