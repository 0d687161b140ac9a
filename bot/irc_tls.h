/*
 * irc_tls.h — the TLS session of one IRC connection over OpenSSL:
 * context set-up with verification or fingerprint pinning, the
 * non-blocking handshake, reads and writes. It knows nothing of IRC;
 * it is the only place besides the SASL mechanisms that includes
 * OpenSSL.
 */
#ifndef OB_IRC_TLS_H
#define OB_IRC_TLS_H

#include <sys/types.h>

#include <stddef.h>

struct cfg_irc;
struct irc_tls;

/*
 * A client session on the connected socket fd for host, configured from
 * c (CA store or tls_ca_file, tls_verify, tls_fingerprint, client
 * certificate). NULL on failure (logged). Free with irc_tls_free().
 */
struct irc_tls	*irc_tls_new(const struct cfg_irc *c, int fd,
		     const char *host);
void		 irc_tls_free(struct irc_tls *);
/*
 * Advance the handshake: 1 done (and the fingerprint, if pinned,
 * matches), 0 call again when the socket is ready, -1 failed (why in
 * *cause; caller frees).
 */
int		 irc_tls_handshake(struct irc_tls *, const struct cfg_irc *c,
		     char **cause);
/* 1 if the handshake waits for the socket to become writable. */
int		 irc_tls_want_write(struct irc_tls *);
/*
 * Read or write: bytes moved (> 0), 0 if the socket is not ready, or -1
 * on failure with the reason in *cause (caller frees).
 */
ssize_t		 irc_tls_read(struct irc_tls *, void *, size_t,
		     char **cause);
ssize_t		 irc_tls_write(struct irc_tls *, const void *, size_t,
		     char **cause);

#endif
