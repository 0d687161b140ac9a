/*
 * sasl.h — the client side of two SASL mechanisms as pure state machines:
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) and ECDSA-NIST256P-CHALLENGE (as
 * Atheme and Libera.Chat implement it), and SASLprep (RFC 4013), which
 * PLAIN uses too. No sockets, no logging: the IRC layer feeds each
 * decoded server message in and sends what comes out.
 *
 * Messages are raw bytes in both directions. The caller base64-decodes the
 * server's AUTHENTICATE pieces ("+" is an empty message), passes them to
 * sasl_step(), and base64-encodes the answer into 400-byte AUTHENTICATE
 * pieces (an empty answer is "+"). sasl_b64_encode() and sasl_b64_decode()
 * are provided for that.
 *
 * The exchange, for both mechanisms: after "AUTHENTICATE <sasl_name()>" the
 * server sends an empty message; every server message goes to sasl_step():
 *  - SASL_CONTINUE: send *out, wait for the next server message;
 *  - SASL_DONE: send *out (may be empty: "+"), then expect 903 or 904;
 *    for SCRAM this means the server has proved it knows the password;
 *  - SASL_FAILED: send "AUTHENTICATE *" and treat SASL as failed; *cause
 *    says why (a server that cannot prove the password is a failure).
 *
 * Limits, on purpose:
 *  - names and passwords go through SASLprep (RFC 4013, libidn's
 *    stringprep, unassigned code points allowed as in a query): a soft
 *    hyphen is removed, a non-ASCII space becomes " ", compatibility
 *    forms are folded (NFKC); a string with a prohibited character (a
 *    control character, a private use one, ...), with mixed
 *    right-to-left text, that is not UTF-8, or that ends up empty is
 *    refused with a clear message;
 *  - SCRAM channel binding (-PLUS) is not offered ("n,," header);
 *  - the server's iteration count must be within SASL_SCRAM_ITER_MIN..
 *    SASL_SCRAM_ITER_MAX (see there);
 *  - the ECDSA key is a PEM P-256 key without a passphrase. Its signature
 *    covers the server's challenge only, so a key must serve this purpose
 *    alone.
 */
#ifndef OB_SASL_H
#define OB_SASL_H

#include <stddef.h>

enum sasl_kind {
	SASL_SCRAM_SHA_256,
	SASL_ECDSA_NIST256P_CHALLENGE,
};

enum sasl_status {
	SASL_CONTINUE = 0,
	SASL_DONE = 1,
	SASL_FAILED = -1,
};

/*
 * Iteration bounds for SCRAM. Below 4096 (RFC 7677's minimum) a server,
 * or someone posing as it, would get a proof that is cheap to attack
 * offline with password guesses. Above 1,000,000 PBKDF2 would hold the
 * bot's single event loop for around a second per login, which a hostile
 * server could repeat at every reconnection.
 */
#define SASL_SCRAM_ITER_MIN	4096
#define SASL_SCRAM_ITER_MAX	1000000

struct sasl_mech;

/* The mechanism's name as sent in "AUTHENTICATE <name>"; static. */
const char	*sasl_name(enum sasl_kind);

/*
 * Start an exchange as account. secret is the password for SCRAM and the
 * path of the PEM private key for ECDSA (read here, at once). Returns NULL
 * and sets *cause (caller frees) for a name or password SASLprep refuses
 * (see sasl_prep), or a key that cannot be read or is not P-256.
 * Copies what it keeps; free with sasl_free().
 */
struct sasl_mech *sasl_new(enum sasl_kind, const char *account,
		     const char *secret, char **cause);

/*
 * SASLprep (RFC 4013) of s, a name or a password: what names it in the
 * message ("password"). Returns the prepared string (caller frees; wipe
 * it first if it is a secret), or NULL and sets *cause (caller frees;
 * never contains s) when s is empty, is not UTF-8, or SASLprep refuses
 * it.
 */
char		*sasl_prep(const char *s, const char *what, char **cause);

/* Zero a secret string and free it; NULL is a no-op. */
void		 sasl_wipe(char *);

/* Zero every secret and free; NULL is a no-op. */
void		 sasl_free(struct sasl_mech *);

/*
 * Feed the next server message (in, inlen: raw bytes; in may be NULL
 * when inlen is 0) and get the answer in *out, *outlen (caller frees with
 * free(); NULL and 0 when the answer is empty or on failure). On
 * SASL_FAILED *cause is set (caller frees); once SASL_DONE or SASL_FAILED
 * has been returned, every further step fails.
 */
enum sasl_status sasl_step(struct sasl_mech *, const unsigned char *in,
		     size_t inlen, unsigned char **out, size_t *outlen,
		     char **cause);

/*
 * Test hook: use nonce (printable ASCII without ',') as the SCRAM client
 * nonce instead of a random one. Only before the first step; returns -1
 * for another mechanism, a used exchange or an unusable nonce.
 */
int		 sasl_scram_set_nonce(struct sasl_mech *, const char *nonce);

/*
 * The public key of the P-256 PEM private key at key_file, in the form
 * Atheme's "NickServ SET PUBKEY" and Libera.Chat expect: base64 of the
 * compressed point (33 bytes, 44 characters). Returns a string the caller
 * frees, or NULL and sets *cause (caller frees).
 */
char		*sasl_ecdsa_pubkey(const char *key_file, char **cause);

/* Base64 of len bytes (may be 0: ""); caller frees. */
char		*sasl_b64_encode(const unsigned char *, size_t len);

/*
 * Decode standard base64 with padding (no whitespace, "" is empty) into
 * *out (caller frees; NULL for empty input) and *outlen. Returns 0, or -1
 * for anything that is not base64 (wrong length, a foreign character,
 * '=' other than as padding).
 */
int		 sasl_b64_decode(const char *, size_t len, unsigned char **out,
		     size_t *outlen);

#endif
