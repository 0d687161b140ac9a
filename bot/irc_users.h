/*
 * irc_users.h — what the irc module knows of the people and channels it
 * shares: tracked users (nick, user@host, services account, shared
 * channels), our joined channels, KICK and rejoin. Used by the irc*.c
 * files only.
 */
#ifndef OB_IRC_USERS_H
#define OB_IRC_USERS_H

#include <sys/types.h>

#include <stddef.h>

struct irc;
struct irc_msg;
struct irc_user;

/* 1 if a and b name the same nick or channel (server's case mapping). */
int		 irc_same_nick(struct irc *, const char *a, const char *b);
/* Index of chan in a list of channels (server's case mapping), or -1. */
ssize_t		 irc_list_find(struct irc *, char **list, size_t n,
		     const char *chan);
/* Is chan one of the configured channels? */
int		 irc_configured(struct irc *, const char *chan);
/* Is the message's source us? */
int		 irc_from_me(struct irc *, const struct irc_msg *);
/* A tracked user by nick, or NULL. */
struct irc_user	*irc_user_find(struct irc *, const char *nick);
/* Record nick's account ("*", "0", "" or NULL: logged out). */
void		 irc_user_set(struct irc *, const char *nick,
		     const char *account);
/* Record a tracked nick's user and host (NULL or "": unchanged); the
 * user, or NULL when the nick is not tracked. */
struct irc_user	*irc_user_seen(struct irc *, const char *nick,
		     const char *user, const char *host);
/* Forget a user (QUIT). */
void		 irc_user_del(struct irc *, const char *nick);
/* Rename a tracked user (NICK); a change of case keeps the entry. */
void		 irc_user_rename(struct irc *, const char *from,
		     const char *to);
/*
 * The WHO sent on joining chan is unanswered: chan counts as joined
 * (the owner told) only once it is, so that who is there is known.
 */
int		 irc_users_whoing(struct irc *, const char *chan);
/* End of a WHO of chan: 1 if it was the last one unanswered. */
int		 irc_users_who_done(struct irc *, const char *chan);
/* Join every configured channel, ahead of the queue. */
void		 irc_join_all(struct irc *);
/* Forget every user and channel, and the rejoin timer (disconnect). */
void		 irc_users_reset(struct irc *);
/* Free what irc_users_reset leaves. */
void		 irc_users_free(struct irc *);

/* Handlers of the dispatch table. */
void		 irc_users_on_join(struct irc *, const struct irc_msg *);
void		 irc_users_on_names(struct irc *, const struct irc_msg *);
void		 irc_users_on_whox(struct irc *, const struct irc_msg *);
void		 irc_users_on_who(struct irc *, const struct irc_msg *);
void		 irc_users_on_chghost(struct irc *, const struct irc_msg *);
void		 irc_users_on_account(struct irc *, const struct irc_msg *);
void		 irc_users_on_part(struct irc *, const struct irc_msg *);
void		 irc_users_on_kick(struct irc *, const struct irc_msg *);

#endif
