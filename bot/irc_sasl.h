/*
 * irc_sasl.h — the one interface of a SASL mechanism, and the two kept
 * here: PLAIN and EXTERNAL, and the adapters of sasl.c's SCRAM-SHA-256
 * and ECDSA-NIST256P-CHALLENGE. A mechanism is a small state machine: it is
 * started from the configuration, then each challenge of the server
 * (decoded) gives one response (raw bytes). Base64, the 400-byte pieces
 * and the AUTHENTICATE lines are irc_reg.c's business, never the
 * mechanism's; so adding one (SCRAM-SHA-256, ECDSA-NIST256P-CHALLENGE)
 * means one such record and one line in irc_reg.c's table.
 */
#ifndef OB_IRC_SASL_H
#define OB_IRC_SASL_H

#include <stddef.h>

#include "config.h"

struct irc_sasl_mech {
	const char		*name;	/* in AUTHENTICATE and in sasl=... */
	enum cfg_sasl_mech	 mech;	/* its sasl.mechanism */
	/*
	 * Begin an exchange for s (borrowed only during the call): 0 and
	 * the mechanism's state in *state (may be NULL), or -1 (logged).
	 */
	int	(*start)(const struct cfg_sasl *s, void **state);
	/*
	 * One step: in is the server's decoded challenge (inlen 0 for an
	 * empty one). Returns 0 and a malloc'd response of *outlen bytes
	 * (0: an empty response), or -1 to abandon the exchange (the
	 * server failed to prove itself, or an unexpected challenge).
	 */
	int	(*step)(void *state, const unsigned char *in, size_t inlen,
		    unsigned char **out, size_t *outlen);
	/* Free the state, wiping any secret in it; NULL is a no-op. */
	void	(*free)(void *state);
};

extern const struct irc_sasl_mech irc_sasl_plain;
extern const struct irc_sasl_mech irc_sasl_external;
extern const struct irc_sasl_mech irc_sasl_scram;	/* sasl.c */
extern const struct irc_sasl_mech irc_sasl_ecdsa;	/* sasl.c */

#endif
