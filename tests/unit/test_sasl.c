/*
 * test_sasl.c — the SASL client mechanisms through sasl.h, with a scripted
 * server: SCRAM-SHA-256 against RFC 7677's test vector, then every way a
 * server may fail to prove the password (wrong signature, foreign nonce,
 * "e=", odd iteration counts, malformed messages); SASLprep (RFC 4013's
 * examples, and SCRAM on prepared strings); ECDSA-NIST256P-CHALLENGE
 * with keys made here by OpenSSL, its signature checked with the public
 * key, keys that are not P-256 refused, and the SET PUBKEY form checked
 * against a fixed key whose value Atheme 7.2 accepted.
 */
/* deps: sasl util log */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sasl.h"
#include "util.h"

/* RFC 7677, section 3 */
#define V_NONCE		"rOprNGfwEbeRWgbNEkqO"
#define V_FIRST		"n,,n=user,r=" V_NONCE
#define V_SNONCE	V_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define V_SFIRST	"r=" V_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define V_FINAL		"c=biws,r=" V_SNONCE \
			",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define V_SFINAL	"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* base64 of 32 zero bytes */
#define ZERO_SIG	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

/* A P-256 key and its public key as "openssl ec -conv_form compressed"
 * prints it, which NickServ SET PUBKEY on Atheme 7.2 accepted for a
 * working ECDSA login. */
static const char fixed_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghCXgHVn6ZL2GHprn\n"
    "ftx8dO/UTi6KE+uwK0wKY3Uc3XuhRANCAAQlVqUkEPZ+zJn7JbGIUN90Ugn45JYd\n"
    "PrtwkJPcD4T9f7QfQpCxG5Qc/WA3qzu/y9FwDGBqvKVmWFTq2+E2ABvp\n"
    "-----END PRIVATE KEY-----\n";
#define FIXED_PUB	"AyVWpSQQ9n7MmfslsYhQ33RSCfjklh0+u3CQk9wPhP1/"

/* One step with a string from the server; the answer as a string. */
static enum sasl_status
step_str(struct sasl_mech *m, const char *in, char **out, char **err)
{
	unsigned char	*o;
	size_t		 olen;
	enum sasl_status st;

	st = sasl_step(m, (const unsigned char *)in, strlen(in), &o, &olen,
	    err);
	*out = xstrndup(o != NULL ? (char *)o : "", olen);
	free(o);
	return st;
}

/* A SCRAM exchange as "user"/"pencil" with the vector's nonce, after the
 * client-first-message. */
static struct sasl_mech *
scram_started(void)
{
	struct sasl_mech	*m;
	char			*err = NULL, *out;

	m = sasl_new(SASL_SCRAM_SHA_256, "user", "pencil", &err);
	assert_non_null(m);
	assert_int_equal(sasl_scram_set_nonce(m, V_NONCE), 0);
	assert_int_equal(step_str(m, "", &out, &err), SASL_CONTINUE);
	assert_string_equal(out, V_FIRST);
	free(out);
	return m;
}

/* err must be set and contain want; it is freed. */
static void
err_has(char *err, const char *want, const char *input)
{
	if (err == NULL || strstr(err, want) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", input,
		    err != NULL ? err : "(none)", want);
	free(err);
}

/* The server message in must fail the exchange with an error containing
 * want, and leave no answer. */
static void
step_fails(struct sasl_mech *m, const char *in, const char *want)
{
	char	*out, *err = NULL;

	assert_int_equal(step_str(m, in, &out, &err), SASL_FAILED);
	assert_string_equal(out, "");
	free(out);
	err_has(err, want, in);
}

/* The server-first-message sfirst must make the exchange fail. */
static void
scram_first_fails(const char *sfirst, const char *want)
{
	struct sasl_mech	*m = scram_started();

	step_fails(m, sfirst, want);
	/* failed is over: not even the signature of all-zero keys passes */
	step_fails(m, "v=" ZERO_SIG, "over");
	sasl_free(m);
}

/* The server-final-message sfinal must make the exchange fail. */
static void
scram_final_fails(const char *sfinal, const char *want)
{
	struct sasl_mech	*m = scram_started();
	char			*out, *err = NULL;

	assert_int_equal(step_str(m, V_SFIRST, &out, &err), SASL_CONTINUE);
	assert_string_equal(out, V_FINAL);
	free(out);
	step_fails(m, sfinal, want);
	sasl_free(m);
}

static void
test_scram_rfc7677(void **state)
{
	struct sasl_mech	*m = scram_started();
	char			*out, *err = NULL;

	assert_int_equal(step_str(m, V_SFIRST, &out, &err), SASL_CONTINUE);
	assert_string_equal(out, V_FINAL);
	free(out);
	assert_int_equal(step_str(m, V_SFINAL, &out, &err), SASL_DONE);
	assert_null(err);
	assert_string_equal(out, "");		/* the caller sends "+" */
	free(out);
	step_fails(m, V_SFINAL, "over");	/* nothing more is accepted */
	sasl_free(m);
	sasl_free(NULL);
}

static void
test_scram_bad_server_signature(void **state)
{
	/* last byte of the signature changed */
	scram_final_fails("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G8=",
	    "signature is wrong");
	/* the client's proof sent back, and a short signature */
	scram_final_fails("v=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
	    "signature is wrong");
	scram_final_fails("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl9",
	    "signature is wrong");
	scram_final_fails("v=not base64!", "malformed");
	scram_final_fails("", "malformed");
	scram_final_fails("x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
	    "malformed");
}

static void
test_scram_server_error(void **state)
{
	scram_final_fails("e=invalid-proof", "refused: invalid-proof");
	scram_final_fails("e=bad\x01" "char", "refused: bad?char");
	scram_first_fails("e=unknown-user", "refused: unknown-user");
}

static void
test_scram_foreign_nonce(void **state)
{
	scram_first_fails("r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2,"
	    "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "nonce");
	/* the server added nothing of its own */
	scram_first_fails("r=" V_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	    "nonce");
	/* a prefix of ours */
	scram_first_fails("r=rOprNG,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
	    "nonce");
	scram_first_fails("r=" V_NONCE "a b,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
	    "i=4096", "nonce");
}

static void
test_scram_iterations(void **state)
{
	static const char *const bad[] = {
		"4095", "1000001", "0", "-4096", "+4096", " 4096", "4096 ",
		"4096x", "", "0x1000", "99999999999999999999999",
	};
	size_t	i;
	char	msg[160];

	for (i = 0; i < nitems(bad); i++) {
		snprintf(msg, sizeof msg, "r=%s,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
		    "i=%s", V_SNONCE, bad[i]);
		scram_first_fails(msg, "iteration count");
	}
}

static void
test_scram_malformed_first(void **state)
{
	scram_first_fails("m=ext,r=" V_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,"
	    "i=4096", "extension");
	scram_first_fails("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=" V_SNONCE ",i=4096",
	    "malformed");
	scram_first_fails("r=" V_SNONCE ",i=4096", "malformed");
	scram_first_fails("r=" V_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==",
	    "malformed");
	scram_first_fails("r=" V_SNONCE ",s=,i=4096", "salt");
	scram_first_fails("r=" V_SNONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096",
	    "salt");
	scram_first_fails("", "malformed");
}

static void
test_scram_nul_and_order(void **state)
{
	struct sasl_mech	*m;
	unsigned char		*out, msg[] = "r=" V_SNONCE "\0,s=x,i=4096";
	size_t			 outlen;
	char			*err = NULL;

	m = scram_started();
	assert_int_equal(sasl_step(m, msg, sizeof msg - 1, &out, &outlen,
	    &err), SASL_FAILED);
	assert_null(out);
	free(err);
	sasl_free(m);
	/* an empty server-first-message */
	m = scram_started();
	assert_int_equal(sasl_step(m, NULL, 0, &out, &outlen, &err),
	    SASL_FAILED);
	err_has(err, "malformed", "(empty)");
	sasl_free(m);
	/* the server must open with an empty message */
	m = sasl_new(SASL_SCRAM_SHA_256, "user", "pencil", &err);
	assert_int_equal(sasl_step(m, (const unsigned char *)"x", 1, &out,
	    &outlen, &err), SASL_FAILED);
	free(err);
	sasl_free(m);
}

static void
test_scram_escaping_and_nonce(void **state)
{
	struct sasl_mech	*m, *m2;
	char			*out, *out2, *err = NULL;

	m = sasl_new(SASL_SCRAM_SHA_256, "a=b,c", "pw", &err);
	assert_int_equal(sasl_scram_set_nonce(m, "abc"), 0);
	assert_int_equal(step_str(m, "", &out, &err), SASL_CONTINUE);
	assert_string_equal(out, "n,,n=a=3Db=2Cc,r=abc");
	free(out);
	assert_int_equal(sasl_scram_set_nonce(m, "abc"), -1);	/* too late */
	sasl_free(m);
	/* random nonces: 24 characters, different each time */
	m = sasl_new(SASL_SCRAM_SHA_256, "user", "pw", &err);
	m2 = sasl_new(SASL_SCRAM_SHA_256, "user", "pw", &err);
	assert_int_equal(sasl_scram_set_nonce(m, "a,b"), -1);
	assert_int_equal(sasl_scram_set_nonce(m, ""), -1);
	assert_int_equal(step_str(m, "", &out, &err), SASL_CONTINUE);
	assert_int_equal(step_str(m2, "", &out2, &err), SASL_CONTINUE);
	assert_int_equal(strlen(out), strlen("n,,n=user,r=") + 24);
	assert_null(strchr(out + strlen("n,,n=user,r="), ','));
	assert_string_not_equal(out, out2);
	free(out);
	free(out2);
	sasl_free(m);
	sasl_free(m2);
}

/* sasl_new must refuse account/password with an error containing want. */
static void
refused(const char *account, const char *password, const char *want)
{
	char	*err = NULL;

	assert_null(sasl_new(SASL_SCRAM_SHA_256, account, password, &err));
	err_has(err, want, account);
}

/* A small deterministic pseudo-random generator (64-bit LCG). */
static unsigned long
lcg(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 17;
}

/*
 * Hostile servers: a server-first-message with random bytes changed is
 * refused or, if accepted, binds a different AuthMessage, so the genuine
 * server signature must no longer pass.
 */
static void
test_scram_mutated_server(void **state)
{
	struct sasl_mech	*m;
	unsigned char		 msg[sizeof V_SFIRST - 1], *out;
	unsigned long		 seed = 12345;
	size_t			 outlen, i, k, pos, accepted = 0;
	char			*err = NULL;
	enum sasl_status	 st;

	for (i = 0; i < 200; i++) {
		memcpy(msg, V_SFIRST, sizeof msg);
		for (k = 0; k < 1 + i % 3; k++) {
			pos = lcg(&seed) % sizeof msg;
			msg[pos] = (unsigned char)lcg(&seed);
		}
		m = scram_started();
		st = sasl_step(m, msg, sizeof msg, &out, &outlen, &err);
		free(out);
		free(err);
		err = NULL;
		if (st == SASL_CONTINUE &&
		    memcmp(msg, V_SFIRST, sizeof msg) != 0) {
			step_fails(m, V_SFINAL, "signature is wrong");
			accepted++;
		}
		sasl_free(m);
	}
	assert_true(accepted > 10);	/* the property was exercised */
}

/* sasl_prep(in) must give want. */
static void
prepped(const char *in, const char *want)
{
	char	*out, *cause = NULL;

	out = sasl_prep(in, "password", &cause);
	if (out == NULL)
		fail_msg("\"%s\": refused: %s", in, cause);
	assert_null(cause);
	assert_string_equal(out, want);
	free(out);
}

/* sasl_prep(in) must be refused with a message containing want. */
static void
prep_refused(const char *in, const char *want)
{
	char	*cause = NULL;

	assert_null(sasl_prep(in, "password", &cause));
	err_has(cause, want, in);
}

/* RFC 4013 section 3's examples, and what SASLprep maps and refuses. */
static void
test_saslprep(void **state)
{
	prepped("I\xc2\xadX", "IX");		/* soft hyphen removed */
	prepped("user", "user");
	prepped("USER", "USER");		/* case preserved */
	prepped("\xc2\xaa", "a");		/* NFKC */
	prepped("\xe2\x85\xa8", "IX");		/* roman numeral nine */
	prepped("pen\xc2\xa0" "cil", "pen cil");	/* non-ASCII space */
	prepped("p\xc3\xa4ssword", "p\xc3\xa4ssword");
	prep_refused("\x07", "control character");	/* RFC 4013 #6 */
	prep_refused("pen\tcil", "control character");
	prep_refused("pen\x7f" "cil", "control character");
	prep_refused("\xd8\xa7" "1", "right-to-left");	/* RFC 4013 #7 */
	prep_refused("a\xee\x80\x80", "SASLprep (RFC 4013) prohibits");
	prep_refused("a\xef\xbf\xbe", "prohibits");	/* non-character */
	prep_refused("p\xc3" "ss", "not valid UTF-8");
	prep_refused("\xc2\xad", "empty once SASLprep");
	prep_refused("", "empty");
	prep_refused(NULL, "empty");
}

/*
 * SCRAM uses the prepared strings: a soft hyphen and a zero-width
 * no-break space in the password give RFC 7677's proof for "pencil";
 * the name in the client-first-message is prepared; what SASLprep
 * refuses cannot start.
 */
static void
test_scram_saslprep(void **state)
{
	struct sasl_mech	*m;
	char			*out, *err = NULL;

	m = sasl_new(SASL_SCRAM_SHA_256, "us\xc2\xad" "er",
	    "pen\xc2\xad" "c\xef\xbb\xbfil", &err);
	assert_non_null(m);
	assert_int_equal(sasl_scram_set_nonce(m, V_NONCE), 0);
	assert_int_equal(step_str(m, "", &out, &err), SASL_CONTINUE);
	assert_string_equal(out, V_FIRST);
	free(out);
	assert_int_equal(step_str(m, V_SFIRST, &out, &err), SASL_CONTINUE);
	assert_string_equal(out, V_FINAL);
	free(out);
	assert_int_equal(step_str(m, V_SFINAL, &out, &err), SASL_DONE);
	free(out);
	sasl_free(m);
	refused("user", "pen\tcil", "control");
	refused("user", "pen\x7f" "cil", "control");
	refused("us\xc3" "r", "pencil", "account name is not valid UTF-8");
	refused("user", "\xd8\xa7" "1", "password mixes right-to-left");
	refused("user", "", "empty");
	refused("", "pencil", "empty");
}

static void
test_b64(void **state)
{
	unsigned char	*out;
	size_t		 len;
	char		*s;

	assert_int_equal(sasl_b64_decode("", 0, &out, &len), 0);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(sasl_b64_decode("YQ==", 4, &out, &len), 0);
	assert_int_equal(len, 1);
	assert_memory_equal(out, "a", 1);
	free(out);
	assert_int_equal(sasl_b64_decode("YWI=", 4, &out, &len), 0);
	assert_int_equal(len, 2);
	free(out);
	assert_int_equal(sasl_b64_decode("YWJj", 4, &out, &len), 0);
	assert_int_equal(len, 3);
	free(out);
	assert_int_equal(sasl_b64_decode("YWJ", 3, &out, &len), -1);
	assert_int_equal(sasl_b64_decode("Y=Jj", 4, &out, &len), -1);
	assert_int_equal(sasl_b64_decode("Y===", 4, &out, &len), -1);
	assert_int_equal(sasl_b64_decode(" YWJ", 4, &out, &len), -1);
	assert_int_equal(sasl_b64_decode("YW\nJ", 4, &out, &len), -1);
	assert_null(out);
	s = sasl_b64_encode((const unsigned char *)"ab", 2);
	assert_string_equal(s, "YWI=");
	free(s);
	s = sasl_b64_encode(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

/* ------------------------------------------------------------- ECDSA */

struct keydir {
	char	 dir[64];
	char	 path[96];
};

/* Write pkey as PEM into a fresh directory; returns the file's path. */
static const char *
write_key(struct keydir *k, EVP_PKEY *pkey)
{
	FILE	*f;

	strlcpy_ob(k->dir, "/tmp/test_sasl.XXXXXX", sizeof k->dir);
	assert_non_null(mkdtemp(k->dir));
	snprintf(k->path, sizeof k->path, "%s/key.pem", k->dir);
	assert_non_null(f = fopen(k->path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	return k->path;
}

/* Remove what write_key made. */
static void
remove_key(struct keydir *k)
{
	unlink(k->path);
	rmdir(k->dir);
}

/* 1 if sig is pkey's signature of the len bytes at msg. */
static int
verifies(EVP_PKEY *pkey, const unsigned char *sig, size_t siglen,
    const unsigned char *msg, size_t len)
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new(pkey, NULL);
	int		 ok;

	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	ok = EVP_PKEY_verify(ctx, sig, siglen, msg, len) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static void
test_ecdsa_sign(void **state)
{
	EVP_PKEY		*pkey = EVP_EC_gen("P-256");
	struct keydir		 k;
	struct sasl_mech	*m;
	unsigned char		*out, ch[32];
	size_t			 outlen, i;
	char			*err = NULL;

	assert_non_null(pkey);
	m = sasl_new(SASL_ECDSA_NIST256P_CHALLENGE, "outagebot",
	    write_key(&k, pkey), &err);
	assert_non_null(m);
	assert_string_equal(sasl_name(SASL_ECDSA_NIST256P_CHALLENGE),
	    "ECDSA-NIST256P-CHALLENGE");
	assert_int_equal(sasl_step(m, NULL, 0, &out, &outlen, &err),
	    SASL_CONTINUE);
	assert_int_equal(outlen, 9);
	assert_memory_equal(out, "outagebot", 9);
	free(out);
	for (i = 0; i < sizeof ch; i++)
		ch[i] = (unsigned char)(i * 7 + 1);
	assert_int_equal(sasl_step(m, ch, sizeof ch, &out, &outlen, &err),
	    SASL_DONE);
	assert_true(verifies(pkey, out, outlen, ch, sizeof ch));
	ch[0] ^= 1;
	assert_false(verifies(pkey, out, outlen, ch, sizeof ch));
	free(out);
	sasl_free(m);
	/* a challenge that is not 32 bytes */
	m = sasl_new(SASL_ECDSA_NIST256P_CHALLENGE, "outagebot", k.path, &err);
	assert_int_equal(sasl_step(m, NULL, 0, &out, &outlen, &err),
	    SASL_CONTINUE);
	free(out);
	assert_int_equal(sasl_step(m, ch, 31, &out, &outlen, &err),
	    SASL_FAILED);
	assert_null(out);
	assert_non_null(strstr(err, "31 bytes"));
	free(err);
	sasl_free(m);
	remove_key(&k);
	EVP_PKEY_free(pkey);
}

/* The key must be refused at sasl_new and sasl_ecdsa_pubkey. */
static void
key_refused(EVP_PKEY *pkey, const char *want)
{
	struct keydir	 k;
	char		*err = NULL;

	assert_non_null(pkey);
	assert_null(sasl_new(SASL_ECDSA_NIST256P_CHALLENGE, "bot",
	    write_key(&k, pkey), &err));
	err_has(err, want, k.path);
	err = NULL;
	assert_null(sasl_ecdsa_pubkey(k.path, &err));
	assert_non_null(err);
	free(err);
	remove_key(&k);
	EVP_PKEY_free(pkey);
}

static void
test_ecdsa_key_refused(void **state)
{
	char	*err = NULL;

	key_refused(EVP_EC_gen("P-384"), "not P-256");
	key_refused(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"),
	    "not an ECDSA P-256 key");
	assert_null(sasl_new(SASL_ECDSA_NIST256P_CHALLENGE, "bot",
	    "/nonexistent/key.pem", &err));
	assert_non_null(strstr(err, "No such file"));
	free(err);
	assert_null(sasl_new(SASL_ECDSA_NIST256P_CHALLENGE, "bot", "", &err));
	free(err);
}

static void
test_ecdsa_pubkey(void **state)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	struct keydir	 k;
	EC_GROUP	*group;
	EC_POINT	*point;
	unsigned char	*raw, *want = NULL, full[65];
	size_t		 rawlen, wantlen, round;
	char		*pub, *err = NULL;

	/* the fixed key: the string Atheme accepted */
	bio = BIO_new_mem_buf(fixed_key, -1);
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	pub = sasl_ecdsa_pubkey(write_key(&k, pkey), &err);
	assert_string_equal(pub, FIXED_PUB);
	free(pub);
	remove_key(&k);
	EVP_PKEY_free(pkey);
	/* fresh keys (either sign of Y): OpenSSL decompresses our point
	 * (as Atheme does) into the key's own public point */
	group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	point = EC_POINT_new(group);
	for (round = 0; round < 8; round++) {
		pkey = EVP_EC_gen("P-256");
		pub = sasl_ecdsa_pubkey(write_key(&k, pkey), &err);
		assert_non_null(pub);
		assert_int_equal(sasl_b64_decode(pub, strlen(pub), &raw,
		    &rawlen), 0);
		assert_int_equal(rawlen, 33);
		assert_int_equal(EC_POINT_oct2point(group, point, raw, rawlen,
		    NULL), 1);
		assert_int_equal(EC_POINT_point2oct(group, point,
		    POINT_CONVERSION_UNCOMPRESSED, full, sizeof full, NULL),
		    65);
		wantlen = EVP_PKEY_get1_encoded_public_key(pkey, &want);
		assert_int_equal(wantlen, 65);
		assert_memory_equal(full, want, wantlen);
		OPENSSL_free(want);
		free(raw);
		free(pub);
		remove_key(&k);
		EVP_PKEY_free(pkey);
	}
	EC_POINT_free(point);
	EC_GROUP_free(group);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scram_rfc7677),
		cmocka_unit_test(test_scram_bad_server_signature),
		cmocka_unit_test(test_scram_server_error),
		cmocka_unit_test(test_scram_foreign_nonce),
		cmocka_unit_test(test_scram_iterations),
		cmocka_unit_test(test_scram_malformed_first),
		cmocka_unit_test(test_scram_nul_and_order),
		cmocka_unit_test(test_scram_escaping_and_nonce),
		cmocka_unit_test(test_scram_mutated_server),
		cmocka_unit_test(test_saslprep),
		cmocka_unit_test(test_scram_saslprep),
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_ecdsa_sign),
		cmocka_unit_test(test_ecdsa_key_refused),
		cmocka_unit_test(test_ecdsa_pubkey),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
