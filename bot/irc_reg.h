/*
 * irc_reg.h — registration for the irc module: CAP negotiation, SASL,
 * STS, the opening lines, ISUPPORT, and keeping or regaining our nick.
 * Used by the irc*.c files only.
 */
#ifndef OB_IRC_REG_H
#define OB_IRC_REG_H

struct irc;
struct irc_msg;

/* A connection is open: CAP LS, PASS, NICK, USER. */
void	irc_reg_open(struct irc *);
/* Forget the capabilities, SASL and nick watch of a closed connection. */
void	irc_reg_reset(struct irc *);
/* Ask for the configured nick back (its holder left). */
void	irc_regain(struct irc *);
/* Our own NICK change was seen. */
void	irc_reg_own_nick(struct irc *, const char *to);

/* Handlers of the dispatch table. */
void	irc_reg_on_cap(struct irc *, const struct irc_msg *);
void	irc_reg_on_authenticate(struct irc *, const struct irc_msg *);
void	irc_reg_on_loggedin(struct irc *, const struct irc_msg *);
void	irc_reg_on_sasl_ok(struct irc *, const struct irc_msg *);
void	irc_reg_on_sasl_fail(struct irc *, const struct irc_msg *);
void	irc_reg_on_sasl_mechs(struct irc *, const struct irc_msg *);
void	irc_reg_on_isupport(struct irc *, const struct irc_msg *);
void	irc_reg_on_nick_taken(struct irc *, const struct irc_msg *);
void	irc_reg_on_monoffline(struct irc *, const struct irc_msg *);
void	irc_reg_on_ison(struct irc *, const struct irc_msg *);

#endif
