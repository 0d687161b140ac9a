/*
 * status_repo.c — the cState and Statusfy backends (DESIGN §7): one
 * writer, two renderers (status_md.c). A backend with `repo` writes each
 * outage's page through the GitHub contents API: GET the file on the
 * branch for its blob sha (404: a new file), then PUT the base64 of the
 * rendered page with the commit message "outage #12: <title>". A
 * backend with `dir` writes the same file into a folder on this machine,
 * atomically and never through a symbolic link; the folder itself is
 * made when it is missing (as config.c promises), never its parents, so
 * that a mistyped path fails loudly instead of growing a tree.
 *
 * The file name is fixed by the outage (the day it opened and its
 * slug), so a job run again after a crash rewrites the same file, and a
 * GET that finds the page already as rendered ends the job without a
 * commit. Every HTTP answer is judged by status_job_answer
 * (http_classify), except the two the contents API defines for a file
 * that moved under the writer: 409 (stale sha) and a 422 that names the
 * sha; both re-read the file and PUT again, a bounded number of times.
 *
 * Pacing: the executor runs one job of a backend at a time. Writes to
 * GitHub are at least 1 s apart (its advice for content-creating
 * requests); that gap is kept here with a timer, not by the outbox's
 * min_gap, because a local folder shares these ops and must write
 * without one, and because one job may PUT more than once.
 *
 * This module renders nothing itself (status_md.c, the one that
 * includes yaml.h), never reads the store or speaks to IRC, and never
 * logs the token (http.c never logs headers).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "github.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "sasl.h"
#include "status.h"
#include "status_md.h"
#include "status_repo.h"
#include "util.h"

#define REPO_GAP_MS	1000	/* between two writes to GitHub */
#define REPO_REREADS	3	/* 409s answered by a re-read, per run */

struct repo_run;

/* One configured cstate or statusfy backend. */
struct repo_site {
	const struct cfg_backend *cfg;
	struct status_ctx	 ctx;		/* its pointers are borrowed */
	const char		*kind;		/* "cstate", "statusfy" */
	char			*dir;		/* local mode, else NULL */
	char			*repo_url;	/* repo mode: API/repos/O/R */
	char			*ref;		/* "?ref=<branch>" */
	char			**hdr_get;
	char			**hdr_put;
	uint64_t		 last_put;	/* monotonic ms; 0: none */
	struct repo_run		*runs;
};

/* One job in repo mode, from its first GET to the end of its PUT. */
struct repo_run {
	struct repo_site	*rs;
	struct status_job	*job;
	char			*url;		/* the file's contents URL */
	char			*b64;		/* the rendered page, base64 */
	char			*sha;		/* NULL: a new file */
	int			 rereads;	/* after a 409 */
	int			 sha_reread;	/* after a 422 on the sha */
	struct repo_run		*next;
};

/* ---- pure parts ---- */

/* Append "/" and the escaped segment s[0..n) to b. */
static void
repo_add_segment(struct buf *b, const char *s, size_t n)
{
	char	*one, *esc;

	if (n == 0)
		return;
	one = xstrndup(s, n);
	esc = http_escape(one);
	buf_addc(b, '/');
	buf_addstr(b, esc);
	free(esc);
	free(one);
}

/* The contents URL of a file; see status_repo.h. */
char *
status_repo_url(const char *repo_url, const char *path, const char *name)
{
	struct buf	 b;
	const char	*p, *slash;

	buf_init(&b);
	buf_addstr(&b, repo_url);
	buf_addstr(&b, "/contents");
	for (p = path != NULL ? path : ""; *p != '\0'; p = slash + 1) {
		if ((slash = strchr(p, '/')) == NULL) {
			repo_add_segment(&b, p, strlen(p));
			break;
		}
		repo_add_segment(&b, p, (size_t)(slash - p));
	}
	repo_add_segment(&b, name, strlen(name));
	return buf_steal(&b);
}

/* The JSON body of a PUT; see status_repo.h. */
char *
status_repo_put_body(const char *message, const char *b64,
    const char *branch, const char *sha)
{
	json_t	*o = json_object();
	char	*out, *s;

	json_object_set_new(o, "message", json_string(message));
	json_object_set_new(o, "content", json_string(b64));
	json_object_set_new(o, "branch", json_string(branch));
	if (sha != NULL)
		json_object_set_new(o, "sha", json_string(sha));
	s = util_json_take(o);
	out = xstrdup(s != NULL ? s : "{}");
	free(s);
	return out;
}

/* 1 if GitHub's wrapped base64 is b64 once its line breaks are gone. */
static int
repo_b64_same(const char *wrapped, const char *b64)
{
	for (;; wrapped++) {
		if (*wrapped == '\n' || *wrapped == '\r')
			continue;
		if (*wrapped != *b64)
			return 0;
		if (*wrapped == '\0')
			return 1;
		b64++;
	}
}

/* Read a GET answer of the file; see status_repo.h. */
enum status_repo_got
status_repo_read(const char *body, size_t len, const char *b64, char **sha)
{
	json_t			*root = json_loadb(body, len, 0, NULL);
	const char		*type, *s, *content, *enc;
	enum status_repo_got	 r = STATUS_REPO_UNREADABLE;

	*sha = NULL;
	if (json_is_array(root))
		r = STATUS_REPO_NOT_FILE;	/* a folder's listing */
	if (!json_is_object(root)) {
		json_decref(root);
		return r;
	}
	type = json_string_value(json_object_get(root, "type"));
	s = json_string_value(json_object_get(root, "sha"));
	content = json_string_value(json_object_get(root, "content"));
	enc = json_string_value(json_object_get(root, "encoding"));
	if (type != NULL && strcmp(type, "file") != 0)
		r = STATUS_REPO_NOT_FILE;
	else if (s != NULL && *s != '\0') {
		*sha = xstrdup(s);
		r = enc != NULL && strcmp(enc, "base64") == 0 &&
		    content != NULL && repo_b64_same(content, b64) ?
		    STATUS_REPO_EQUAL : STATUS_REPO_DIFFERS;
	}
	json_decref(root);
	return r;
}

/* 1 if c may sit inside a word. */
static int
repo_wordc(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Does a 422 name the sha? See status_repo.h. */
int
status_repo_sha_problem(const struct http_response *resp)
{
	json_t		*root;
	const char	*msg, *p;
	int		 found = 0;

	if (resp->status != 422 || resp->body == NULL)
		return 0;
	root = json_loadb(resp->body, resp->body_len, 0, NULL);
	msg = json_string_value(json_object_get(root, "message"));
	for (p = msg; p != NULL && (p = strcasestr(p, "sha")) != NULL; p++)
		if ((p == msg || !repo_wordc(p[-1])) && !repo_wordc(p[3])) {
			found = 1;
			break;
		}
	json_decref(root);
	return found;
}

/* ---- the local folder ---- */

/* REFUSED for what a person must fix, FAILED for what may pass. */
static enum status_repo_local
repo_errno_kind(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case EINTR:
	case EAGAIN:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case EBUSY:
		return STATUS_REPO_FAILED;
	default:
		return STATUS_REPO_REFUSED;
	}
}

/* Set *cause to "what: strerror(e)" and say what kind of failure it is. */
static enum status_repo_local
repo_fail(char **cause, int e, const char *dir, const char *name)
{
	*cause = name != NULL ? xasprintf("%s/%s: %s", dir, name,
	    strerror(e)) : xasprintf("%s: %s", dir, strerror(e));
	return repo_errno_kind(e);
}

/* Open dir without following a link, making it when missing; or -1. */
static int
repo_open_dir(const char *dir, char **cause, enum status_repo_local *why)
{
	struct stat	 sb;
	int		 fd, e;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mkdir(dir, 0755) == 0) {
		log_info("status", "made the folder %s", dir);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	if (fd >= 0)
		return fd;
	e = errno;
	if (lstat(dir, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		*cause = xasprintf("%s is a symbolic link; nothing is written "
		    "through one", dir);
		*why = STATUS_REPO_REFUSED;
	} else
		*why = repo_fail(cause, e, dir, NULL);
	return -1;
}

/* 1 if the regular file name in dfd holds exactly text. */
static int
repo_file_equal(int dfd, const char *name, const char *text, size_t len)
{
	char	*have = xmalloc(len + 1);
	size_t	 got = 0;
	ssize_t	 n;
	int	 fd, same;

	struct stat	 sb;

	/* Non-blocking and checked again once open: a FIFO swapped in
	 * after the caller's check must not hang the loop. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(have);
		return 0;
	}
	while (got < len + 1 && ((n = read(fd, have + got, len + 1 - got))
	    > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(fd);
	same = got == len && memcmp(have, text, len) == 0;
	free(have);
	return same;
}

/*
 * What is at dir/name now: WRITTEN (nothing, or another text: go on),
 * SAME, or REFUSED for a link or a non-file (with *cause).
 */
static enum status_repo_local
repo_target(int dfd, const char *dir, const char *name, const char *text,
    size_t len, char **cause)
{
	struct stat	 sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? STATUS_REPO_WRITTEN :
		    repo_fail(cause, errno, dir, name);
	if (S_ISLNK(sb.st_mode)) {
		*cause = xasprintf("%s/%s is a symbolic link; nothing is "
		    "written through one", dir, name);
		return STATUS_REPO_REFUSED;
	}
	if (!S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s/%s is not a regular file", dir, name);
		return STATUS_REPO_REFUSED;
	}
	if ((size_t)sb.st_size == len && repo_file_equal(dfd, name, text, len))
		return STATUS_REPO_SAME;
	return STATUS_REPO_WRITTEN;
}

/* Write all of text to fd; 0, or -1 with errno. */
static int
repo_write_all(int fd, const char *text, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write tmp in dfd and rename it over name; see the header. */
static enum status_repo_local
repo_replace(int dfd, const char *dir, const char *name, const char *text,
    size_t len, char **cause)
{
	char	*tmp = xasprintf(".%s.tmp", name);
	int	 fd, e;
	int	 flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

	fd = openat(dfd, tmp, flags, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a run that died mid-write: ours to drop. */
		(void)unlinkat(dfd, tmp, 0);
		fd = openat(dfd, tmp, flags, 0644);
	}
	if (fd < 0) {
		e = errno;
		free(tmp);
		return repo_fail(cause, e, dir, name);
	}
	if (fchmod(fd, 0644) != 0 || repo_write_all(fd, text, len) != 0 ||
	    fsync(fd) != 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || renameat(dfd, tmp, dfd, name) != 0) {
		e = errno;
		goto fail;
	}
	(void)fsync(dfd);	/* the rename itself, on disk */
	free(tmp);
	return STATUS_REPO_WRITTEN;
fail:
	(void)unlinkat(dfd, tmp, 0);
	free(tmp);
	return repo_fail(cause, e, dir, name);
}

/* Write a file into a local folder atomically; see status_repo.h. */
enum status_repo_local
status_repo_write_file(const char *dir, const char *name, const char *text,
    size_t len, char **cause)
{
	enum status_repo_local	 r = STATUS_REPO_REFUSED;
	char			*d;
	size_t			 n;
	int			 dfd;

	*cause = NULL;
	if (*name == '\0' || *name == '.' || strchr(name, '/') != NULL) {
		*cause = xasprintf("\"%s\" is not a file name", name);
		return STATUS_REPO_REFUSED;
	}
	/* No trailing '/': it would make O_NOFOLLOW follow a link. */
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	d = xstrndup(dir, n);
	if ((dfd = repo_open_dir(d, cause, &r)) >= 0) {
		r = repo_target(dfd, d, name, text, len, cause);
		if (r == STATUS_REPO_WRITTEN)
			r = repo_replace(dfd, d, name, text, len, cause);
		close(dfd);
	}
	free(d);
	return r;
}

/* ---- runs against GitHub ---- */

static void	repo_get(struct repo_run *);
static void	repo_put(struct repo_run *);

/* Drop a run from its site and free it (its job is finished apart). */
static void
repo_run_free(struct repo_run *run)
{
	struct repo_run	**p;

	for (p = &run->rs->runs; *p != NULL; p = &(*p)->next)
		if (*p == run) {
			*p = run->next;
			break;
		}
	free(run->url);
	free(run->b64);
	free(run->sha);
	free(run);
}

/* Finish a run's job with res and cause, and free the run. */
static void
repo_end(struct repo_run *run, enum outbox_result res, const char *cause)
{
	struct status_job	*job = run->job;

	repo_run_free(run);
	status_job_finish(job, res, 0, cause);
}

/* Finish a run's job from an HTTP answer (http_classify judges). */
static void
repo_end_answer(struct repo_run *run, const struct http_response *resp)
{
	struct status_job	*job = run->job;

	repo_run_free(run);
	status_job_answer(job, resp, "page");
}

/* Finish a run as res (dead or retry) for why, and free the run. */
static void
repo_end_why(struct repo_run *run, enum outbox_result res, const char *why)
{
	char	 cause[400];

	repo_end(run, res, status_job_cause(run->job, res, "page", why,
	    cause, sizeof(cause)));
}

/* Start one request of a run; a start that fails ends it for a retry. */
static void
repo_send(struct repo_run *run, const char *method, const char *url,
    const char *body, http_done_cb *cb)
{
	struct repo_site	*rs = run->rs;
	struct http_request	 req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = (const char *const *)(body != NULL ? rs->hdr_put :
	    rs->hdr_get);
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.owner = rs;
	if (http_start(rs->ctx.http, &req, cb, run) < 0)
		repo_end_why(run, OUTBOX_RETRY, "the request cannot start");
}

/* The answer to the GET of the file. */
static void
repo_got(const struct http_response *resp, void *arg)
{
	struct repo_run	*run = arg;

	free(run->sha);
	run->sha = NULL;
	if (resp->status == 404) {	/* a new file */
		repo_put(run);
		return;
	}
	if (resp->status < 200 || resp->status > 299) {
		repo_end_answer(run, resp);
		return;
	}
	switch (status_repo_read(resp->body, resp->body_len, run->b64,
	    &run->sha)) {
	case STATUS_REPO_EQUAL:
		repo_end(run, OUTBOX_DONE, NULL);
		break;
	case STATUS_REPO_DIFFERS:
		repo_put(run);
		break;
	case STATUS_REPO_NOT_FILE:
		repo_end_why(run, OUTBOX_DEAD, "the repository has something "
		    "other than a file there");
		break;
	default:
		repo_end_why(run, OUTBOX_RETRY, "GitHub's answer to the "
		    "file's GET cannot be read");
		break;
	}
}

/* Read the file (again): its sha and whether it already is the page. */
static void
repo_get(struct repo_run *run)
{
	char	*url = xasprintf("%s%s", run->url, run->rs->ref);

	repo_send(run, "GET", url, NULL, repo_got);
	free(url);
}

/* The answer to a PUT. */
static void
repo_put_done(const struct http_response *resp, void *arg)
{
	struct repo_run	*run = arg;

	if (resp->status == 409 && run->rereads < REPO_REREADS) {
		run->rereads++;
		repo_get(run);
		return;
	}
	if (!run->sha_reread && status_repo_sha_problem(resp)) {
		run->sha_reread = 1;
		repo_get(run);
		return;
	}
	if (resp->status >= 200 && resp->status <= 299)
		log_info("status", "%s: outage #%lld's page written",
		    run->rs->kind, status_job_event(run->job)->outage.id);
	repo_end_answer(run, resp);
}

/* PUT the page now. */
static void
repo_put_now(struct repo_run *run)
{
	const struct outage	*o = &status_job_event(run->job)->outage;
	const char		*branch = run->rs->cfg->branch;
	char			*msg, *body;

	msg = xasprintf("outage #%lld: %s", o->id, o->title);
	body = status_repo_put_body(msg, run->b64, branch, run->sha);
	run->rs->last_put = util_mono_ms();
	repo_send(run, "PUT", run->url, body, repo_put_done);
	free(body);
	free(msg);
}

/* The pacing timer of a PUT ran out. */
static long long
repo_put_timer(struct loop *loop, long long id, void *arg)
{
	repo_put_now(arg);
	return LOOP_NOMORE;
}

/* PUT the page once REPO_GAP_MS have passed since the last write. */
static void
repo_put(struct repo_run *run)
{
	struct repo_site	*rs = run->rs;
	uint64_t		 now = util_mono_ms();

	if (rs->last_put != 0 && now < rs->last_put + REPO_GAP_MS) {
		(void)loop_timer_add(rs->ctx.loop, rs,
		    (long long)(rs->last_put + REPO_GAP_MS - now),
		    repo_put_timer, run);
		return;
	}
	repo_put_now(run);
}

/* ---- the backend ---- */

/* Write one event's page into the local folder, synchronously. */
static void
repo_run_local(struct repo_site *rs, struct status_job *job,
    const char *name, const char *text)
{
	enum status_repo_local	 r;
	enum outbox_result	 res;
	char			*why = NULL, cause[400];

	r = status_repo_write_file(rs->dir, name, text, strlen(text), &why);
	if (r == STATUS_REPO_WRITTEN || r == STATUS_REPO_SAME) {
		status_job_finish(job, OUTBOX_DONE, 0, NULL);
		return;
	}
	log_warn("status", "%s: %s", rs->kind, why);
	res = r == STATUS_REPO_REFUSED ? OUTBOX_DEAD : OUTBOX_RETRY;
	status_job_finish(job, res, 0, status_job_cause(job, res, "page", why,
	    cause, sizeof(cause)));
	free(why);
}

/* Start the GET of one event's page on GitHub. */
static void
repo_run_github(struct repo_site *rs, struct status_job *job,
    const char *name, char *text)
{
	struct repo_run	*run = xcalloc(1, sizeof(*run));

	run->rs = rs;
	run->job = job;
	run->url = status_repo_url(rs->repo_url, rs->cfg->path, name);
	run->b64 = sasl_b64_encode((const unsigned char *)text,
	    strlen(text));
	free(text);
	run->next = rs->runs;
	rs->runs = run;
	repo_get(run);
}

/* Carry out one event: render the page, then write it. */
static void
repo_run(void *state, struct status_job *job)
{
	struct repo_site	*rs = state;
	const struct cfg_backend *b = rs->cfg;
	const struct outage	*o = &status_job_event(job)->outage;
	char			*name, *text, cause[200];
	int			 sfy = b->type == CFG_BACKEND_STATUSFY;

	name = sfy ? status_md_statusfy_name(o) : status_md_cstate_name(o);
	text = sfy ? status_md_statusfy(o, b->systems, b->nsystems) :
	    status_md_cstate(o);
	if (name == NULL || text == NULL) {
		status_job_finish(job, OUTBOX_DEAD, 0, status_job_cause(job,
		    OUTBOX_DEAD, "page", "the page cannot be rendered", cause,
		    sizeof(cause)));
		free(text);
	} else if (rs->dir != NULL) {
		repo_run_local(rs, job, name, text);
		free(text);
	} else
		repo_run_github(rs, job, name, text);	/* takes text */
	free(name);
}

/* Make the state of one backend; NULL with *cause for a bad config. */
static void *
repo_open(const struct cfg_backend *b, const struct status_ctx *ctx,
    char **cause)
{
	struct repo_site	*rs = xcalloc(1, sizeof(*rs));
	struct gh		*gh;
	char			*branch;

	rs->cfg = b;
	rs->ctx = *ctx;
	rs->kind = status_type_name(b->type);
	if (b->dir != NULL) {
		rs->dir = xstrdup(b->dir);
		return rs;
	}
	if ((gh = gh_open(NULL, b->api_url, b->repo, b->token, cause)) ==
	    NULL) {
		free(rs);
		return NULL;
	}
	rs->repo_url = xstrdup(gh_repo_url(gh));
	gh_free(gh);
	branch = http_escape(b->branch);
	rs->ref = xasprintf("?ref=%s", branch);
	free(branch);
	rs->hdr_get = gh_headers(b->token, 0);
	rs->hdr_put = gh_headers(b->token, 1);
	return rs;
}

/* Cancel what is in flight (status.c hands the jobs back) and free. */
static void
repo_close(void *state)
{
	struct repo_site	*rs = state;

	if (rs == NULL)
		return;
	if (rs->ctx.http != NULL)
		http_cancel_owner(rs->ctx.http, rs);
	if (rs->ctx.loop != NULL)
		loop_release(rs->ctx.loop, rs);
	while (rs->runs != NULL)
		repo_run_free(rs->runs);
	gh_headers_free(rs->hdr_get);
	gh_headers_free(rs->hdr_put);
	free(rs->dir);
	free(rs->repo_url);
	free(rs->ref);
	free(rs);
}

const struct status_ops status_cstate_ops = {
	.type = CFG_BACKEND_CSTATE,
	.name = "cstate",
	.max_inflight = 1,
	.min_gap_ms = 0,	/* GitHub's gap: repo_put */
	.open = repo_open,
	.run = repo_run,
	.close = repo_close
};

const struct status_ops status_statusfy_ops = {
	.type = CFG_BACKEND_STATUSFY,
	.name = "statusfy",
	.max_inflight = 1,
	.min_gap_ms = 0,
	.open = repo_open,
	.run = repo_run,
	.close = repo_close
};
