/*
 * store_sts.c — IRCv3 STS policies (DESIGN §3): per server host, the TLS
 * port to use and until when, so a later start upgrades to TLS before it
 * sends anything. It owns table sts and its schema step. It only keeps
 * what it is given; the IRC layer parses and applies policies. Queries go
 * through store.c's runner (store_int.h); no SQLite here.
 */
#include "store.h"
#include "store_int.h"

const struct store_step store_sts_steps[] = {
	/* 0 -> 1 (with audit): STS policies. */
	{ 1,
	"CREATE TABLE sts ("
	" host TEXT PRIMARY KEY,"
	" port INTEGER NOT NULL,"
	" expires INTEGER NOT NULL);" },
	{ 0, NULL },
};

/* The STS policy for host if one is valid at now: 1, 0 for none, -1. */
int
store_sts_get(struct store *s, const char *host, time_t now, int *port,
    time_t *expires)
{
	return store_get(s, "read sts policy", "SELECT port, expires FROM sts "
	    "WHERE host = ? AND expires > ?", "sT>iT", host, now, port,
	    expires);
}

/* Store host's STS policy; an expiry not after now removes it. 0 or -1. */
int
store_sts_set(struct store *s, const char *host, int port, time_t expires)
{
	static const char	*op = "write sts policy";

	if (host == NULL || *host == '\0' || port < 1 || port > 65535)
		return store_refuse(s, op, "bad host or port %d", port);
	if (expires <= time(NULL))
		return store_run(s, op, "DELETE FROM sts WHERE host = ?", "s",
		    host);
	return store_run(s, op, "INSERT INTO sts (host, port, expires) "
	    "VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET "
	    "port = excluded.port, expires = excluded.expires", "siT", host,
	    port, expires);
}
