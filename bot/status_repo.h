/*
 * status_repo.h — the pure parts of the cState / Statusfy writer
 * (status_repo.c, DESIGN §7): the GitHub contents API's URL, request
 * body and answer, and the atomic write into a local folder. The
 * backends themselves are status_cstate_ops and status_statusfy_ops
 * (status.h); these are declared so that tests reach them without an
 * outbox.
 */
#ifndef OB_STATUS_REPO_H
#define OB_STATUS_REPO_H

#include <stddef.h>

struct http_response;

/*
 * The contents URL of file name under path (may be NULL or "") of the
 * repository at repo_url (gh_repo_url): REPO/contents/PATH/NAME, each
 * segment percent-encoded, empty segments dropped. Caller frees.
 */
char	*status_repo_url(const char *repo_url, const char *path,
	    const char *name);

/*
 * The PUT body: {"message", "content" (b64, the page in base64),
 * "branch", and "sha" unless sha is NULL}. Caller frees.
 */
char	*status_repo_put_body(const char *message, const char *b64,
	    const char *branch, const char *sha);

/* What a GET of the file (a 2xx answer) said. */
enum status_repo_got {
	STATUS_REPO_DIFFERS = 0,	/* *sha set: PUT with it */
	STATUS_REPO_EQUAL,		/* the file already holds b64 */
	STATUS_REPO_NOT_FILE,		/* a folder or a link is there */
	STATUS_REPO_UNREADABLE		/* not the contents API's shape */
};

/*
 * Read a GET answer's body against b64 (the base64 of what is to be
 * written; GitHub wraps its base64 with newlines, which are ignored).
 * *sha gets the blob sha (caller frees) for DIFFERS and EQUAL.
 */
enum status_repo_got status_repo_read(const char *body, size_t len,
	    const char *b64, char **sha);

/*
 * 1 if a 422 answer says that the sha was missing or wrong ("\"sha\"
 * wasn't supplied."): the file changed under the writer, re-read it.
 */
int	 status_repo_sha_problem(const struct http_response *);

/* What writing a file into a local folder came to. */
enum status_repo_local {
	STATUS_REPO_WRITTEN = 0,
	STATUS_REPO_SAME,	/* it already held the text: untouched */
	STATUS_REPO_REFUSED,	/* a symbolic link, not a folder, no
				   permission: fix it, then retry */
	STATUS_REPO_FAILED	/* may work later (disk full, I/O) */
};

/*
 * Write len bytes of text to dir/name atomically: a temporary file
 * ".name.tmp" made in dir (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644),
 * written, fsynced and renamed over name, then dir fsynced. Never
 * follows a symbolic link: dir or dir/name being one is REFUSED. dir
 * itself is made (mode 0755) when it is missing, never its parents.
 * For REFUSED and FAILED *cause gets one line (caller frees).
 */
enum status_repo_local status_repo_write_file(const char *dir,
	    const char *name, const char *text, size_t len, char **cause);

#endif
