/*
 * sasl.c — client state machines for SCRAM-SHA-256 and
 * ECDSA-NIST256P-CHALLENGE over OpenSSL's libcrypto (the IRC layer's
 * library; no TLS here), the base64 both need on IRC, and SASLprep
 * (RFC 4013) for every mechanism through libidn's stringprep (the only
 * user of libidn).
 *
 * It owns the secrets of one exchange: the password until the proof is
 * computed, the expected server signature, the private key. Every one is
 * wiped before its memory is freed. It must not do I/O beyond reading the
 * key file, must not log (a message comes back through *cause, which never
 * contains a secret) and must not know about IRC lines or chunking.
 *
 * Everything the server sends is hostile input: attributes are parsed in
 * the order RFC 5802 fixes, lengths are bounded, and any doubt fails the
 * exchange rather than guessing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stringprep.h>

#include "sasl.h"
#include "util.h"

#define SCRAM		"SCRAM-SHA-256"
#define ECDSA		"ECDSA-NIST256P-CHALLENGE"
#define SCRAM_LEN	SHA256_DIGEST_LENGTH
#define SCRAM_NONCE_RAND 18	/* bytes: 24 base64 characters, no '=' */
#define SCRAM_NONCE_MAX	64	/* characters of our own nonce */
#define SASL_MSG_MAX	4096	/* longest server message accepted */
#define ECDSA_CHALLENGE	32	/* what every Atheme version sends */
#define P256_POINT	65	/* 04 || X || Y */
#define P256_COMPRESSED	33	/* 02/03 || X */

struct sasl_mech {
	enum sasl_kind	 kind;
	int		 step;		/* server messages handled */
	int		 over;		/* DONE or FAILED was returned */
	char		*account;
	char		*password;	/* SCRAM, until the proof is made */
	char		 nonce[SCRAM_NONCE_MAX + 1];
	char		*first_bare;	/* SCRAM client-first-message-bare */
	unsigned char	 server_sig[SCRAM_LEN];
	EVP_PKEY	*key;		/* ECDSA */
};

/* The AUTHENTICATE name of a mechanism. */
const char *
sasl_name(enum sasl_kind kind)
{
	return kind == SASL_SCRAM_SHA_256 ? SCRAM : ECDSA;
}

/* 1 if s has an ASCII control character. */
static int
sasl_has_control(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	}
	return 0;
}

/* Why SASLprep refused s (libidn's code rc), for a person. */
static char *
sasl_prep_why(int rc, const char *s, const char *what)
{
	switch (rc) {
	case STRINGPREP_CONTAINS_PROHIBITED:
		if (sasl_has_control(s))
			return xasprintf("%s has a control character", what);
		return xasprintf("%s has a character that SASLprep "
		    "(RFC 4013) prohibits", what);
	case STRINGPREP_BIDI_BOTH_L_AND_RAL:
	case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
	case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
		return xasprintf("%s mixes right-to-left and other text in "
		    "a way SASLprep (RFC 4013) refuses", what);
	case STRINGPREP_ICONV_ERROR:
		return xasprintf("%s is not valid UTF-8", what);
	default:
		return xasprintf("%s is refused by SASLprep (RFC 4013): %s",
		    what, stringprep_strerror(rc));
	}
}

/* SASLprep (RFC 4013) of a name or password; see sasl.h. */
char *
sasl_prep(const char *s, const char *what, char **cause)
{
	char	*out = NULL;
	int	 rc;

	*cause = NULL;
	if (s == NULL || *s == '\0') {
		*cause = xasprintf("%s is empty", what);
		return NULL;
	}
	rc = stringprep_profile(s, &out, "SASLprep", 0);
	if (rc != STRINGPREP_OK) {
		*cause = sasl_prep_why(rc, s, what);
		return NULL;
	}
	if (out == NULL || *out == '\0') {
		free(out);
		*cause = xasprintf("%s is empty once SASLprep (RFC 4013) "
		    "has removed what it maps to nothing", what);
		return NULL;
	}
	return out;
}

/* Base64 of len bytes; caller frees. */
char *
sasl_b64_encode(const unsigned char *in, size_t len)
{
	char	*out;

	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* 1 for a character of the standard base64 alphabet. */
static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Decode padded base64; see sasl.h. */
int
sasl_b64_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen)
{
	size_t		 i, pad = 0;
	unsigned char	*buf;
	int		 n;

	*out = NULL;
	*outlen = 0;
	if (len % 4 != 0 || len > (size_t)INT_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (!b64_char((unsigned char)in[i]))
			return -1;
	buf = xmalloc(len / 4 * 3);
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n != len / 4 * 3) {
		OPENSSL_cleanse(buf, len / 4 * 3);
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)n - pad;
	return 0;
}

/* A copy of a server message as a C string, or NULL (NUL inside, long). */
static char *
sasl_msg_str(const unsigned char *in, size_t inlen)
{
	if (inlen == 0)
		return xstrdup("");
	if (inlen > SASL_MSG_MAX || memchr(in, '\0', inlen) != NULL)
		return NULL;
	return xstrndup((const char *)in, inlen);
}

/* Hand a string over as an answer (without its NUL). */
static void
sasl_answer(char *s, unsigned char **out, size_t *outlen)
{
	*outlen = strlen(s);
	*out = (unsigned char *)s;
}

/* Refuse to ask for a passphrase: note that one was wanted. */
static int
ecdsa_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	*(int *)u = 1;
	return -1;
}

/* 0 if pkey is an EC key on P-256, else -1 with *cause. */
static int
ecdsa_check_curve(EVP_PKEY *pkey, const char *path, char **cause)
{
	char	 group[64];
	int	 id = EVP_PKEY_get_base_id(pkey), nid;

	if (id != EVP_PKEY_EC) {
		*cause = xasprintf("%s: not an ECDSA P-256 key (%s)", path,
		    id != NID_undef ? OBJ_nid2sn(id) : "unknown type");
		return -1;
	}
	if (EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) != 1) {
		*cause = xasprintf("%s: an EC key without a named curve, not "
		    "P-256", path);
		return -1;
	}
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid != NID_X9_62_prime256v1) {
		*cause = xasprintf("%s: a key on curve %s, not P-256 "
		    "(prime256v1)", path, group);
		return -1;
	}
	return 0;
}

/* Load a PEM P-256 private key; NULL and *cause if it cannot be used. */
static EVP_PKEY *
ecdsa_load(const char *path, char **cause)
{
	FILE		*f;
	EVP_PKEY	*pkey;
	int		 asked = 0;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	pkey = PEM_read_PrivateKey(f, NULL, ecdsa_no_passphrase, &asked);
	fclose(f);
	if (pkey == NULL) {
		*cause = xasprintf(asked ? "%s: the key has a passphrase; "
		    "a key without one is needed" : "%s: no PEM private key "
		    "could be read", path);
		return NULL;
	}
	if (ecdsa_check_curve(pkey, path, cause) == -1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

/* The public key for NickServ SET PUBKEY; see sasl.h. */
char *
sasl_ecdsa_pubkey(const char *key_file, char **cause)
{
	EVP_PKEY	*pkey;
	unsigned char	*pub = NULL, point[P256_COMPRESSED];
	size_t		 len;
	char		*out = NULL;

	if ((pkey = ecdsa_load(key_file, cause)) == NULL)
		return NULL;
	len = EVP_PKEY_get1_encoded_public_key(pkey, &pub);
	if (len == P256_POINT && pub[0] == 0x04) {
		/* compress: the sign of Y, then X */
		point[0] = 0x02 | (pub[P256_POINT - 1] & 1);
		memcpy(point + 1, pub + 1, P256_COMPRESSED - 1);
		out = sasl_b64_encode(point, sizeof point);
	} else if (len == P256_COMPRESSED && (pub[0] & 0xfe) == 0x02)
		out = sasl_b64_encode(pub, len);
	else
		*cause = xasprintf("%s: the public key cannot be encoded",
		    key_file);
	OPENSSL_free(pub);
	EVP_PKEY_free(pkey);
	return out;
}

/* Start an exchange; see sasl.h. */
struct sasl_mech *
sasl_new(enum sasl_kind kind, const char *account, const char *secret,
    char **cause)
{
	struct sasl_mech	*m;
	EVP_PKEY		*key = NULL;
	char			*name, *password = NULL;

	*cause = NULL;
	if ((name = sasl_prep(account, "account name", cause)) == NULL)
		return NULL;
	if (kind == SASL_SCRAM_SHA_256)
		password = sasl_prep(secret, "password", cause);
	else if (secret == NULL || *secret == '\0')
		*cause = xstrdup("no key file for " ECDSA);
	else
		key = ecdsa_load(secret, cause);
	if (password == NULL && key == NULL) {
		free(name);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->kind = kind;
	m->account = name;
	m->password = password;
	m->key = key;
	return m;
}

/* Wipe and free a string; NULL is a no-op. */
void
sasl_wipe(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* Zero every secret and free; NULL is a no-op. */
void
sasl_free(struct sasl_mech *m)
{
	if (m == NULL)
		return;
	sasl_wipe(m->password);
	sasl_wipe(m->first_bare);
	free(m->account);
	EVP_PKEY_free(m->key);
	OPENSSL_cleanse(m, sizeof *m);
	free(m);
}

/* 1 if s is a usable nonce: printable ASCII without ','. */
static int
scram_nonce_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e || *s == ',')
			return 0;
	return 1;
}

/* Use a fixed client nonce (tests); see sasl.h. */
int
sasl_scram_set_nonce(struct sasl_mech *m, const char *nonce)
{
	if (m->kind != SASL_SCRAM_SHA_256 || m->step != 0 || m->over ||
	    strlen(nonce) > SCRAM_NONCE_MAX || !scram_nonce_ok(nonce))
		return -1;
	strlcpy_ob(m->nonce, nonce, sizeof m->nonce);
	return 0;
}

/* client-first-message: "n,,n=<escaped account>,r=<nonce>". */
static enum sasl_status
scram_first(struct sasl_mech *m, unsigned char **out, size_t *outlen,
    char **cause)
{
	unsigned char	 rnd[SCRAM_NONCE_RAND];
	struct buf	 b;
	char		*r;
	const char	*p;

	if (m->nonce[0] == '\0') {
		if (RAND_bytes(rnd, sizeof rnd) != 1) {
			*cause = xstrdup(SCRAM ": no random bytes for a "
			    "nonce");
			return SASL_FAILED;
		}
		r = sasl_b64_encode(rnd, sizeof rnd);
		strlcpy_ob(m->nonce, r, sizeof m->nonce);
		free(r);
	}
	buf_init(&b);
	buf_addstr(&b, "n=");
	for (p = m->account; *p != '\0'; p++) {
		if (*p == '=')
			buf_addstr(&b, "=3D");
		else if (*p == ',')
			buf_addstr(&b, "=2C");
		else
			buf_addc(&b, *p);
	}
	buf_printf(&b, ",r=%s", m->nonce);
	m->first_bare = xstrdup(b.data);
	buf_free(&b);
	sasl_answer(xasprintf("n,,%s", m->first_bare), out, outlen);
	return SASL_CONTINUE;
}

/*
 * Take the attribute at *p, which must be "<want>=value"; the value ends
 * at the next ',' (cut there) or at the end. Returns the value or NULL;
 * *p moves to the next attribute (NULL at the end).
 */
static char *
scram_attr(char **p, char want)
{
	char	*s = *p, *comma;

	if (s == NULL || s[0] != want || s[1] != '=')
		return NULL;
	s += 2;
	if ((comma = strchr(s, ',')) != NULL) {
		*comma = '\0';
		*p = comma + 1;
	} else
		*p = NULL;
	return s;
}

/* A server's "e=" message as a short printable error. */
static char *
scram_server_error(const char *value)
{
	char		 clean[65];
	size_t		 i;
	unsigned char	 c;

	for (i = 0; value[i] != '\0' && i < sizeof clean - 1; i++) {
		c = (unsigned char)value[i];
		clean[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	clean[i] = '\0';
	return xasprintf(SCRAM ": the server refused: %s", clean);
}

/* The parts of a server-first-message. */
struct scram_server_first {
	char		*nonce;		/* inside the parsed copy */
	unsigned char	*salt;
	size_t		 saltlen;
	long long	 iter;
};

/* Parse and check a server-first-message (msg is cut up). */
static int
scram_parse_first(struct sasl_mech *m, char *msg,
    struct scram_server_first *sf, char **cause)
{
	char	*p = msg, *salt, *iter;
	size_t	 ours = strlen(m->nonce);

	if (strncmp(msg, "e=", 2) == 0) {
		*cause = scram_server_error(msg + 2);
		return -1;
	}
	if (strncmp(msg, "m=", 2) == 0) {
		*cause = xstrdup(SCRAM ": the server requires an extension");
		return -1;
	}
	if ((sf->nonce = scram_attr(&p, 'r')) == NULL ||
	    (salt = scram_attr(&p, 's')) == NULL ||
	    (iter = scram_attr(&p, 'i')) == NULL) {
		*cause = xstrdup(SCRAM ": malformed server-first-message");
		return -1;
	}
	if (!scram_nonce_ok(sf->nonce) || strlen(sf->nonce) <= ours ||
	    strncmp(sf->nonce, m->nonce, ours) != 0) {
		*cause = xstrdup(SCRAM ": the server's nonce does not extend "
		    "ours");
		return -1;
	}
	if (sasl_b64_decode(salt, strlen(salt), &sf->salt,
	    &sf->saltlen) == -1 || sf->saltlen == 0) {
		*cause = xstrdup(SCRAM ": the server's salt is not base64");
		return -1;
	}
	if (iter[0] < '0' || iter[0] > '9' ||
	    util_strtonum(iter, 1, LLONG_MAX, &sf->iter) == -1 ||
	    sf->iter < SASL_SCRAM_ITER_MIN || sf->iter > SASL_SCRAM_ITER_MAX) {
		*cause = xasprintf(SCRAM ": iteration count \"%.20s\" is not "
		    "within %d..%d", iter, SASL_SCRAM_ITER_MIN,
		    SASL_SCRAM_ITER_MAX);
		return -1;
	}
	return 0;
}

/*
 * From the salted password and AuthMessage, the ClientProof (into proof)
 * and the ServerSignature we expect (into m->server_sig). 0 or -1.
 */
static int
scram_keys(struct sasl_mech *m, const unsigned char *salted,
    const char *auth, unsigned char *proof)
{
	unsigned char	 ckey[SCRAM_LEN], stored[SCRAM_LEN], csig[SCRAM_LEN];
	unsigned char	 skey[SCRAM_LEN];
	size_t		 alen = strlen(auth), i;
	int		 ok;

	ok = HMAC(EVP_sha256(), salted, SCRAM_LEN,
	    (const unsigned char *)"Client Key", 10, ckey, NULL) != NULL &&
	    SHA256(ckey, SCRAM_LEN, stored) != NULL &&
	    HMAC(EVP_sha256(), stored, SCRAM_LEN, (const unsigned char *)auth,
	    alen, csig, NULL) != NULL &&
	    HMAC(EVP_sha256(), salted, SCRAM_LEN,
	    (const unsigned char *)"Server Key", 10, skey, NULL) != NULL &&
	    HMAC(EVP_sha256(), skey, SCRAM_LEN, (const unsigned char *)auth,
	    alen, m->server_sig, NULL) != NULL;
	for (i = 0; i < SCRAM_LEN; i++)
		proof[i] = ckey[i] ^ csig[i];
	OPENSSL_cleanse(ckey, sizeof ckey);
	OPENSSL_cleanse(stored, sizeof stored);
	OPENSSL_cleanse(csig, sizeof csig);
	OPENSSL_cleanse(skey, sizeof skey);
	return ok ? 0 : -1;
}

/* server-first-message in, client-final-message out. */
static enum sasl_status
scram_final(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen, char **cause)
{
	struct scram_server_first	 sf = { 0 };
	char				*msg, *copy = NULL, *auth = NULL;
	char				*without = NULL, *p64;
	unsigned char			 salted[SCRAM_LEN], proof[SCRAM_LEN];
	enum sasl_status		 st = SASL_FAILED;

	if ((msg = sasl_msg_str(in, inlen)) == NULL) {
		*cause = xstrdup(SCRAM ": malformed server-first-message");
		return SASL_FAILED;
	}
	copy = xstrdup(msg);
	if (scram_parse_first(m, copy, &sf, cause) == -1)
		goto out;
	/* c=biws is base64("n,,"): the GS2 header, no channel binding */
	without = xasprintf("c=biws,r=%s", sf.nonce);
	auth = xasprintf("%s,%s,%s", m->first_bare, msg, without);
	if (PKCS5_PBKDF2_HMAC(m->password, (int)strlen(m->password), sf.salt,
	    (int)sf.saltlen, (int)sf.iter, EVP_sha256(), SCRAM_LEN,
	    salted) != 1 || scram_keys(m, salted, auth, proof) == -1) {
		*cause = xstrdup(SCRAM ": the proof could not be computed");
		goto out;
	}
	p64 = sasl_b64_encode(proof, sizeof proof);
	sasl_answer(xasprintf("%s,p=%s", without, p64), out, outlen);
	free(p64);
	st = SASL_CONTINUE;
out:
	sasl_wipe(m->password);
	m->password = NULL;
	OPENSSL_cleanse(salted, sizeof salted);
	OPENSSL_cleanse(proof, sizeof proof);
	free(sf.salt);
	free(without);
	free(auth);
	free(copy);
	free(msg);
	return st;
}

/* server-final-message: "v=<ServerSignature>" must match, or "e=". */
static enum sasl_status
scram_verify(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    char **cause)
{
	char		*msg, *p, *v;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0;
	enum sasl_status st = SASL_FAILED;

	if ((msg = sasl_msg_str(in, inlen)) == NULL) {
		*cause = xstrdup(SCRAM ": malformed server-final-message");
		return SASL_FAILED;
	}
	p = msg;
	if (strncmp(msg, "e=", 2) == 0)
		*cause = scram_server_error(msg + 2);
	else if ((v = scram_attr(&p, 'v')) == NULL ||
	    sasl_b64_decode(v, strlen(v), &sig, &siglen) == -1)
		*cause = xstrdup(SCRAM ": malformed server-final-message");
	else if (siglen != SCRAM_LEN ||
	    CRYPTO_memcmp(sig, m->server_sig, SCRAM_LEN) != 0)
		*cause = xstrdup(SCRAM ": the server's signature is wrong "
		    "(it does not know the password)");
	else
		st = SASL_DONE;
	free(sig);
	free(msg);
	return st;
}

/* ECDSA: sign the server's challenge with the key (DER signature). */
static enum sasl_status
ecdsa_sign(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen, char **cause)
{
	EVP_PKEY_CTX	*ctx;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0;
	int		 ok;

	if (inlen != ECDSA_CHALLENGE) {
		*cause = xasprintf(ECDSA ": a challenge of %zu bytes, not %d",
		    inlen, ECDSA_CHALLENGE);
		return SASL_FAILED;
	}
	/* no digest set: the challenge is signed as it is, as Atheme
	 * verifies it (ECDSA_verify over the raw 32 bytes) */
	ctx = EVP_PKEY_CTX_new(m->key, NULL);
	ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_sign(ctx, NULL, &siglen, in, inlen) == 1;
	if (ok) {
		sig = xmalloc(siglen);
		ok = EVP_PKEY_sign(ctx, sig, &siglen, in, inlen) == 1;
	}
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		free(sig);
		*cause = xstrdup(ECDSA ": signing the challenge failed");
		return SASL_FAILED;
	}
	*out = sig;
	*outlen = siglen;
	return SASL_DONE;
}

/* One step of SCRAM-SHA-256. */
static enum sasl_status
scram_step(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen, char **cause)
{
	switch (m->step) {
	case 0:
		if (inlen != 0)
			break;
		return scram_first(m, out, outlen, cause);
	case 1:
		return scram_final(m, in, inlen, out, outlen, cause);
	case 2:
		return scram_verify(m, in, inlen, cause);
	}
	*cause = xstrdup(SCRAM ": unexpected message from the server");
	return SASL_FAILED;
}

/* One step of ECDSA-NIST256P-CHALLENGE. */
static enum sasl_status
ecdsa_step(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen, char **cause)
{
	if (m->step == 0 && inlen == 0) {
		sasl_answer(xstrdup(m->account), out, outlen);
		return SASL_CONTINUE;
	}
	if (m->step == 1)
		return ecdsa_sign(m, in, inlen, out, outlen, cause);
	*cause = xstrdup(ECDSA ": unexpected message from the server");
	return SASL_FAILED;
}

/* Feed the next server message; see sasl.h. */
enum sasl_status
sasl_step(struct sasl_mech *m, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen, char **cause)
{
	enum sasl_status	st;

	*out = NULL;
	*outlen = 0;
	*cause = NULL;
	if (m->over) {
		*cause = xasprintf("%s: the exchange is already over",
		    sasl_name(m->kind));
		return SASL_FAILED;
	}
	if (m->kind == SASL_SCRAM_SHA_256)
		st = scram_step(m, in, inlen, out, outlen, cause);
	else
		st = ecdsa_step(m, in, inlen, out, outlen, cause);
	m->step++;
	if (st != SASL_CONTINUE)
		m->over = 1;
	if (st == SASL_FAILED && *out != NULL) {
		OPENSSL_cleanse(*out, *outlen);
		free(*out);
		*out = NULL;
		*outlen = 0;
	}
	return st;
}
