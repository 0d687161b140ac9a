/*
 * irc_tls.c — one TLS client session over OpenSSL for the IRC
 * connection: the context (TLS 1.2 or later, the system CA store or
 * tls_ca_file, or no verification when a fingerprint is pinned or
 * tls_verify is off), the client certificate for CertFP, host name or
 * IP address checks, the non-blocking handshake and the SHA-256
 * fingerprint check, then reads and writes. It never touches the
 * socket itself beyond handing it to OpenSSL, and knows no IRC.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "irc_tls.h"
#include "log.h"
#include "util.h"

struct irc_tls {
	SSL_CTX		*ctx;
	SSL		*ssl;
};

/* Describe the OpenSSL error queue (and clear it). */
static void
irc_tls_error(char *buf, size_t size)
{
	unsigned long	e = ERR_get_error();

	if (e == 0)
		strlcpy_ob(buf, "unknown TLS error", size);
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
}

/* Verification and the client certificate, from the configuration. */
static int
irc_tls_ctx_setup(SSL_CTX *ctx, const struct cfg_irc *c)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->tls_fingerprint != NULL || !c->tls_verify)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (c->tls_ca_file != NULL) {
			if (SSL_CTX_load_verify_locations(ctx, c->tls_ca_file,
			    NULL) != 1)
				return -1;
		} else if (SSL_CTX_set_default_verify_paths(ctx) != 1)
			return -1;
	}
	if (c->client_cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx,
		    c->client_cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx,
		    c->client_key != NULL ? c->client_key : c->client_cert,
		    SSL_FILETYPE_PEM) != 1)
			return -1;
	}
	return 0;
}

/* The name the certificate must carry, and the name sent as SNI. */
static void
irc_tls_set_host(SSL *ssl, const struct cfg_irc *c, const char *host)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	if (c->tls_fingerprint == NULL && c->tls_verify) {
		if (inet_pton(AF_INET, host, &a4) == 1 ||
		    inet_pton(AF_INET6, host, &a6) == 1) {
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
			    host);
		} else {
			SSL_set1_host(ssl, host);
			SSL_set_tlsext_host_name(ssl, host);
		}
	} else if (inet_pton(AF_INET, host, &a4) != 1)
		SSL_set_tlsext_host_name(ssl, host);
}

/* Set up a session on fd. */
struct irc_tls *
irc_tls_new(const struct cfg_irc *c, int fd, const char *host)
{
	struct irc_tls	*t = xcalloc(1, sizeof *t);
	char		 err[200];

	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL || irc_tls_ctx_setup(t->ctx, c) != 0)
		goto fail;
	t->ssl = SSL_new(t->ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1)
		goto fail;
	irc_tls_set_host(t->ssl, c, host);
	return t;
fail:
	irc_tls_error(err, sizeof err);
	log_error("irc", "TLS set-up failed: %s", err);
	irc_tls_free(t);
	return NULL;
}

/* Free the session and its context (the socket stays open). */
void
irc_tls_free(struct irc_tls *t)
{
	if (t == NULL)
		return;
	if (t->ssl != NULL)
		SSL_free(t->ssl);
	if (t->ctx != NULL)
		SSL_CTX_free(t->ctx);
	free(t);
}

/* Check the server certificate's SHA-256 against tls_fingerprint. */
static int
irc_tls_check_fingerprint(struct irc_tls *t, const char *want)
{
	X509		*cert = SSL_get1_peer_certificate(t->ssl);
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	char		 hex[2 * EVP_MAX_MD_SIZE + 1];

	if (cert == NULL) {
		log_error("irc", "TLS: the server sent no certificate");
		return -1;
	}
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1) {
		X509_free(cert);
		return -1;
	}
	X509_free(cert);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (strcmp(hex, want) != 0) {
		log_error("irc", "TLS: certificate fingerprint %s does not "
		    "match tls_fingerprint; refusing the connection", hex);
		return -1;
	}
	return 0;
}

/* Advance the handshake. */
int
irc_tls_handshake(struct irc_tls *t, const struct cfg_irc *c, char **cause)
{
	int	r, e;
	long	v;

	*cause = NULL;
	ERR_clear_error();
	r = SSL_connect(t->ssl);
	if (r == 1) {
		log_info("irc", "TLS: %s with %s", SSL_get_version(t->ssl),
		    SSL_get_cipher_name(t->ssl));
		if (c->tls_fingerprint != NULL &&
		    irc_tls_check_fingerprint(t, c->tls_fingerprint) != 0) {
			*cause = xstrdup("certificate fingerprint mismatch");
			return -1;
		}
		return 1;
	}
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK) {
		*cause = xasprintf("TLS certificate verify failed: %s",
		    X509_verify_cert_error_string(v));
		ERR_clear_error();
	} else {
		char	detail[200];

		irc_tls_error(detail, sizeof detail);
		*cause = xasprintf("TLS handshake failed: %s", detail);
	}
	return -1;
}

/* Does the handshake wait for writability? */
int
irc_tls_want_write(struct irc_tls *t)
{
	return SSL_want_write(t->ssl);
}

/* Read decrypted bytes. */
ssize_t
irc_tls_read(struct irc_tls *t, void *buf, size_t size, char **cause)
{
	int	r, e;

	ERR_clear_error();
	r = SSL_read(t->ssl, buf, (int)(size > 16384 ? 16384 : size));
	if (r > 0)
		return r;
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	*cause = xstrdup(e == SSL_ERROR_ZERO_RETURN ? "connection closed" :
	    "TLS read failed");
	return -1;
}

/* Write bytes through the session. */
ssize_t
irc_tls_write(struct irc_tls *t, const void *buf, size_t size,
    char **cause)
{
	int	r, e;

	ERR_clear_error();
	r = SSL_write(t->ssl, buf, (int)(size > 16384 ? 16384 : size));
	if (r > 0)
		return r;
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
		return 0;
	*cause = xstrdup("TLS write failed");
	return -1;
}
