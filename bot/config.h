/*
 * config.h — the configuration, read with libconfig and validated into
 * plain typed structs. Only config.c touches libconfig. Every problem is
 * reported as "file:line: key: what is wrong". Secrets (*_file keys, whose
 * value is a path or "env:NAME") are resolved at load time and never
 * logged. A struct config is immutable once loaded; a reload builds a new
 * one and the old one is freed only when the new one is accepted.
 */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <stddef.h>

enum cfg_identify {
	CFG_IDENTIFY_ACCOUNT = 0,	/* services account names */
	CFG_IDENTIFY_HOSTMASK = 1	/* nick!user@host globs */
};

enum cfg_sasl_mech {
	CFG_SASL_NONE = 0,
	CFG_SASL_PLAIN,
	CFG_SASL_EXTERNAL,
	CFG_SASL_SCRAM_SHA_256,
	CFG_SASL_ECDSA_NIST256P	/* ECDSA-NIST256P-CHALLENGE */
};

/* statuspage.backends[].type. */
enum cfg_backend_type {
	CFG_BACKEND_CSTATE = 0,
	CFG_BACKEND_STATUSFY,
	CFG_BACKEND_ISSUES,
	CFG_BACKEND_CACHET,
	CFG_BACKEND_WEBHOOK,
	CFG_BACKEND_TELEGRAM
};

/* "from=to" pairs: team.github, bridges[].map. */
struct cfg_pair {
	char	*from;
	char	*to;
};

struct cfg_sasl {
	enum cfg_sasl_mech	 mech;
	char			*account;
	char			*password;	/* secret, resolved; or NULL */
	char			*key_file;	/* ECDSA: PEM P-256 key path */
	int			 required;	/* [false] */
};

struct cfg_irc {
	char		*server;
	int		 port;		/* [6697 with TLS, else 6667] */
	int		 tls;		/* [true] */
	int		 tls_verify;	/* [true] */
	char		*tls_ca_file;	/* [NULL: system store] */
	char		*tls_fingerprint; /* 64 lower-case hex chars or NULL */
	char		*client_cert;
	char		*client_key;
	char		*password;	/* server PASS, secret, or NULL */
	char		*nick;		/* ["outagebot"] */
	char		*alt_nick;	/* [nick + "_"] */
	char		*realname;	/* ["outagebot"] */
	char		*username;	/* [nick] */
	struct cfg_sasl	 sasl;
	char		**channels;
	size_t		 nchannels;
	char		**announce_channels;	/* [channels] */
	size_t		 nannounce_channels;
	int		 topic;		/* [false] */
	char		*command_prefix; /* ["!"] */
	int		 flood_burst;	/* [4] */
	long long	 flood_interval_ms;	/* [2000] */
	int		 max_reply_lines;	/* [4] */
	long long	 ping_interval_ms;	/* [90000] */
	long long	 ping_timeout_ms;	/* [120000] */
	long long	 reconnect_min_ms;	/* [2000] */
	long long	 reconnect_max_ms;	/* [300000] */
	int		 command_rate_burst;	/* [5] per person */
	long long	 command_rate_interval_ms;	/* [10000] */
	int		 queue_max;	/* [200] lines */
};

struct cfg_team {
	enum cfg_identify identify;
	char		**admins;	/* account names or hostmask globs */
	size_t		 nadmins;
	char		**members;	/* admins are members too */
	size_t		 nmembers;
	struct cfg_pair	*github;	/* IRC person -> GitHub login */
	size_t		 ngithub;
};

struct cfg_bridge {
	char		*nick;
	char		*account;	/* required with identify = account */
	struct cfg_pair	*map;		/* remote name -> team person */
	size_t		 nmap;
	char		*mask;		/* required with identify = hostmask */
};

struct tz;

/* roles[]: one on-call rotation (DESIGN §6). */
struct cfg_role {
	char		*name;
	char		**aliases;	/* other names accepted for it */
	size_t		 naliases;
	char		**members;	/* team person names, in order */
	size_t		 nmembers;
	int		 shift_days;	/* whole days (1d, 1w, 2w): calendar */
	long long	 shift_ms;	/* the length in ms, always set */
	long long	 start;		/* anchor instant (time_t) */
	char		*timezone;	/* [top-level timezone] */
	struct tz	*tz;		/* loaded zone, owned */
	char		*announce_channel; /* [first announce_channels entry] */
	long long	 remind_before_ms;	/* [0: no reminder] */
};

/* github: issues for outages; absent (NULL) means none. */
struct cfg_github {
	char		*api_url;	/* ["https://api.github.com"] */
	char		*repo;		/* "owner/name" */
	char		*token;		/* secret, resolved */
	char		**labels;	/* [( "outage" )] */
	size_t		 nlabels;
	int		 pin;		/* [true] */
};

/* outage: who leads outages and when they are nudged. */
struct cfg_outage {
	char		*role;		/* [NULL: the first role]; a name or */
					/* alias as written: cfg_role_find */
	long long	 remind_after_ms;	/* [3600000] */
	long long	 eta_nudge_after_ms;	/* [1800000] */
};

/*
 * statuspage.backends[]: one sink. Only the keys of its type are set;
 * repo-based types (cstate, statusfy, issues) take api_url and token
 * from the github group unless they set their own.
 */
struct cfg_backend {
	enum cfg_backend_type type;
	int		 line;		/* source line, for later messages */
	char		*repo;		/* cstate, statusfy, issues */
	char		*branch;	/* cstate, statusfy ["main"] */
	char		*path;		/* cstate ["content/issues"], */
					/* statusfy ["content"] */
	char		*dir;		/* cstate, statusfy: local folder */
	struct cfg_pair	*systems;	/* statusfy: component -> system */
					/* [none: derived from the name] */
	size_t		 nsystems;
	char		**labels;	/* issues [( "incident" )] */
	size_t		 nlabels;
	int		 pin;		/* issues [false] */
	char		*api_url;	/* repo types [github's], telegram */
					/* ["https://api.telegram.org"] */
	char		*token;		/* secret: token_file, or github's */
	char		*url;		/* cachet (base URL), webhook */
	char		*secret;	/* webhook: secret_file, or NULL */
	char		*chat_id;	/* telegram */
};

/* statuspage: the public page and where outages are written. */
struct cfg_statuspage {
	char		*url;		/* [NULL] http(s) URL */
	char		**components;	/* distinct in any case */
	size_t		 ncomponents;
	struct cfg_backend *backends;
	size_t		 nbackends;
};

struct config {
	char		*path;
	char		*instance;	/* ["outagebot"] */
	char		*timezone;	/* ["UTC"] */
	int		 strict_permissions;	/* [false] */
	struct cfg_irc	 irc;
	struct cfg_team	 team;
	struct cfg_bridge *bridges;
	size_t		 nbridges;
	char		*storage_path;	/* ["outagebot.db"] */
	struct tz	*tz;		/* the top-level timezone, owned */
	struct cfg_role	*roles;
	size_t		 nroles;
	char		*ical_path;	/* [NULL: no calendar] */
	int		 ical_weeks;	/* [12] */
	struct cfg_github *github;	/* NULL when absent */
	struct cfg_outage outage;
	struct cfg_statuspage statuspage;
};

/* The role called name or one of its aliases (case-insensitive). */
const struct cfg_role *cfg_role_find(const struct config *, const char *name);

/*
 * Load and validate path. On success returns a config (free with
 * cfg_free) and logs warnings (permissions). On failure returns NULL and
 * sets *cause to one or more "file:line: key: problem" lines joined by
 * '\n' (caller frees).
 */
struct config	*cfg_load(const char *path, char **cause);
void		 cfg_free(struct config *);

/*
 * The person name of a team entry: the entry itself with identify =
 * account, the nick part of "nick!user@host" with identify = hostmask.
 * Writes into buf and returns it.
 */
const char	*cfg_entry_name(const struct config *, const char *entry,
		     char *buf, size_t bufsz);

#endif
