/*
 * test_status_repo.c — bot/status_repo.c: the contents API's URL, PUT
 * body (base64 against RFC 4648's vectors), the reading of a GET answer
 * (GitHub's wrapped base64), the 422 that names the sha, and the atomic
 * write into a local folder (symbolic links refused, a crash's leftover
 * temporary file dropped, an unchanged file left alone), then both
 * backends through their ops in local mode, the outbox's side of a job
 * played here (status.c is not linked). The runs against GitHub are
 * covered end to end by tests/integ/test_status_repo.py. This file owns
 * only test code.
 */
/* deps: status_repo status_md github http loop sasl outage when tz util log */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "http.h"
#include "sasl.h"
#include "status.h"
#include "status_md.h"
#include "status_repo.h"
#include "util.h"

#define REPO_URL	"https://api.github.com/repos/packit/status"

/* The URL keeps '/' between segments and escapes the rest. */
static void
test_url(void **state)
{
	char	*u;

	u = status_repo_url(REPO_URL, "content/issues", "2026-11-24-a-1.md");
	assert_string_equal(u, REPO_URL
	    "/contents/content/issues/2026-11-24-a-1.md");
	free(u);
	u = status_repo_url(REPO_URL, "/my site//news/", "a b?.md");
	assert_string_equal(u,
	    REPO_URL "/contents/my%20site/news/a%20b%3F.md");
	free(u);
	u = status_repo_url(REPO_URL, NULL, "x.md");
	assert_string_equal(u, REPO_URL "/contents/x.md");
	free(u);
	u = status_repo_url(REPO_URL, "", "x.md");
	assert_string_equal(u, REPO_URL "/contents/x.md");
	free(u);
}

/* The content field of a PUT body for text. */
static char *
put_content(const char *text, const char *sha, json_t **out)
{
	char	*b64 = sasl_b64_encode((const unsigned char *)text,
		    strlen(text));
	char	*body = status_repo_put_body("outage #12: Copr", b64,
		    "gh-pages", sha);
	json_t	*o = json_loads(body, 0, NULL);
	char	*c;

	free(b64);
	free(body);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "message")),
	    "outage #12: Copr");
	assert_string_equal(json_string_value(json_object_get(o, "branch")),
	    "gh-pages");
	c = xstrdup(json_string_value(json_object_get(o, "content")));
	if (out != NULL)
		*out = o;
	else
		json_decref(o);
	return c;
}

/* Base64 as RFC 4648 §10 has it, unwrapped, and the sha when given. */
static void
test_put_body(void **state)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" }
	};
	json_t	*o;
	char	*c, big[200];
	size_t	 i;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		c = put_content(vec[i][0], NULL, NULL);
		assert_string_equal(c, vec[i][1]);
		free(c);
	}
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c = put_content(big, "abc123", &o);
	assert_int_equal(strlen(c), 4 * ((sizeof(big) - 1 + 2) / 3));
	assert_null(strchr(c, '\n'));
	assert_string_equal(json_string_value(json_object_get(o, "sha")),
	    "abc123");
	json_decref(o);
	free(c);
	c = put_content("title: \"\xc3\xa9\"\n", NULL, &o);
	assert_string_equal(c, "dGl0bGU6ICLDqSIK");
	assert_null(json_object_get(o, "sha"));
	json_decref(o);
	free(c);
}

/* What a GET answer says, GitHub's line breaks ignored. */
static void
test_read(void **state)
{
	/* "foobarfoobar" is Zm9vYmFyZm9vYmFy; GitHub wraps it. */
	const char	*equal = "{\"type\":\"file\",\"sha\":\"s1\","
	    "\"encoding\":\"base64\","
	    "\"content\":\"Zm9vYmFy\\nZm9v\\nYmFy\\n\"}";
	const char	*other = "{\"type\":\"file\",\"sha\":\"s2\","
	    "\"encoding\":\"base64\",\"content\":\"Zm9vYmFy\\n\"}";
	const char	*big = "{\"type\":\"file\",\"sha\":\"s3\","
	    "\"encoding\":\"none\",\"content\":\"\"}";
	char		*sha;

	assert_int_equal(status_repo_read(equal, strlen(equal),
	    "Zm9vYmFyZm9vYmFy", &sha), STATUS_REPO_EQUAL);
	assert_string_equal(sha, "s1");
	free(sha);
	assert_int_equal(status_repo_read(equal, strlen(equal),
	    "Zm9vYmFyZm9vYmF5", &sha), STATUS_REPO_DIFFERS);
	free(sha);
	assert_int_equal(status_repo_read(equal, strlen(equal),
	    "Zm9vYmFyZm9v", &sha), STATUS_REPO_DIFFERS);
	free(sha);
	assert_int_equal(status_repo_read(other, strlen(other),
	    "Zm9vYmFyZm9vYmFy", &sha), STATUS_REPO_DIFFERS);
	assert_string_equal(sha, "s2");
	free(sha);
	assert_int_equal(status_repo_read(big, strlen(big), "", &sha),
	    STATUS_REPO_DIFFERS);
	assert_string_equal(sha, "s3");
	free(sha);
	assert_int_equal(status_repo_read("[{\"type\":\"file\"}]", 17, "",
	    &sha), STATUS_REPO_NOT_FILE);
	assert_null(sha);
	assert_int_equal(status_repo_read("{\"type\":\"dir\",\"sha\":\"x\"}",
	    24, "", &sha), STATUS_REPO_NOT_FILE);
	assert_null(sha);
	assert_int_equal(status_repo_read("{\"type\":\"file\"}", 15, "", &sha),
	    STATUS_REPO_UNREADABLE);
	assert_null(sha);
	assert_int_equal(status_repo_read("<html>", 6, "", &sha),
	    STATUS_REPO_UNREADABLE);
	assert_null(sha);
}

/* A response with status and body. */
static struct http_response
resp_of(long status, const char *body)
{
	struct http_response	 r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = (char *)body;
	r.body_len = strlen(body);
	return r;
}

/* Only a 422 whose message names the sha asks for a re-read. */
static void
test_sha_problem(void **state)
{
	struct http_response	 r;

	r = resp_of(422, "{\"message\":\"Invalid request.\\n\\n\\\"sha\\\" "
	    "wasn't supplied.\",\"documentation_url\":\"x\"}");
	assert_int_equal(status_repo_sha_problem(&r), 1);
	r = resp_of(422, "{\"message\":\"SHA does not match\"}");
	assert_int_equal(status_repo_sha_problem(&r), 1);
	r = resp_of(422, "{\"message\":\"Validation Failed\"}");
	assert_int_equal(status_repo_sha_problem(&r), 0);
	r = resp_of(422, "{\"message\":\"shadow sha1sum\"}");
	assert_int_equal(status_repo_sha_problem(&r), 0);
	r = resp_of(409, "{\"message\":\"a does not match sha\"}");
	assert_int_equal(status_repo_sha_problem(&r), 0);
	r = resp_of(422, "not json sha");
	assert_int_equal(status_repo_sha_problem(&r), 0);
}

/* A fresh folder for one test, and paths in it. */
struct fs {
	char	 root[64];
	char	 path[4][128];
};

/* Make a temporary folder. */
static void
fs_init(struct fs *f)
{
	snprintf(f->root, sizeof(f->root), "/tmp/ob-status-repo-XXXXXX");
	assert_non_null(mkdtemp(f->root));
}

/* Path n: root/rel. */
static const char *
fs_at(struct fs *f, int n, const char *rel)
{
	char	 buf[sizeof(f->path[0])];

	snprintf(buf, sizeof(buf), "%s/%s", f->root, rel);
	memcpy(f->path[n], buf, sizeof(buf));
	return f->path[n];
}

/* The whole content of a file (caller frees), or NULL. */
static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	 buf[4096];
	size_t	 n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return xstrdup(buf);
}

/* nftw callback: remove one entry. */
static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Remove what a test made. */
static void
fs_done(struct fs *f)
{
	assert_int_equal(nftw(f->root, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* The number of entries in a folder (".", ".." left out). */
static int
entries(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Write text as name into dir; the result, cause checked and freed. */
static enum status_repo_local
put_file(const char *dir, const char *name, const char *text)
{
	enum status_repo_local	 r;
	char			*cause = (char *)"unset";

	r = status_repo_write_file(dir, name, text, strlen(text), &cause);
	if (r == STATUS_REPO_WRITTEN || r == STATUS_REPO_SAME)
		assert_null(cause);
	else
		assert_non_null(cause);
	free(cause);
	return r;
}

/* A new file, the same again (untouched), another text (renamed over). */
static void
test_write_file(void **state)
{
	struct fs	 f;
	struct stat	 a, b;
	const char	*dir, *file;
	char		*got;
	mode_t		 old = umask(077);

	fs_init(&f);
	dir = fs_at(&f, 0, "site");	/* missing: made */
	file = fs_at(&f, 1, "site/2026-11-24-copr-12.md");
	assert_int_equal(put_file(dir, "2026-11-24-copr-12.md", "one\n"),
	    STATUS_REPO_WRITTEN);
	umask(old);
	got = slurp(file);
	assert_string_equal(got, "one\n");
	free(got);
	assert_int_equal(stat(file, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0644);
	assert_int_equal(entries(dir), 1);	/* no temporary file left */
	assert_int_equal(put_file(dir, "2026-11-24-copr-12.md", "one\n"),
	    STATUS_REPO_SAME);
	assert_int_equal(stat(file, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(put_file(dir, "2026-11-24-copr-12.md", "two\n"),
	    STATUS_REPO_WRITTEN);
	assert_int_equal(stat(file, &b), 0);
	assert_int_not_equal(a.st_ino, b.st_ino);	/* a rename, atomic */
	got = slurp(file);
	assert_string_equal(got, "two\n");
	free(got);
	/* A temporary file left by a crash is dropped, not written into. */
	got = (char *)fs_at(&f, 2, "site/.2026-11-24-copr-12.md.tmp");
	assert_int_equal(symlink("/etc/passwd-not-here", got), 0);
	assert_int_equal(put_file(dir, "2026-11-24-copr-12.md", "three\n"),
	    STATUS_REPO_WRITTEN);
	assert_int_equal(entries(dir), 1);
	got = slurp(file);
	assert_string_equal(got, "three\n");
	free(got);
	/* With a trailing '/' too. */
	assert_int_equal(put_file(fs_at(&f, 3, "site/"), "b.md", "b\n"),
	    STATUS_REPO_WRITTEN);
	assert_int_equal(entries(dir), 2);
	fs_done(&f);
}

/* Links, a folder in the file's place, bad names, no parent: refused. */
static void
test_write_refused(void **state)
{
	struct fs	 f;
	const char	*dir, *elsewhere;
	char		*got;

	fs_init(&f);
	dir = fs_at(&f, 0, "site");
	elsewhere = fs_at(&f, 1, "elsewhere");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	/* The target is a link to a file outside: never written through. */
	assert_int_equal(symlink("../elsewhere/victim", fs_at(&f, 2,
	    "site/a.md")), 0);
	assert_int_equal(put_file(dir, "a.md", "x\n"), STATUS_REPO_REFUSED);
	assert_int_equal(entries(elsewhere), 0);
	got = slurp(fs_at(&f, 2, "elsewhere/victim"));
	assert_null(got);
	/* The folder is a link. */
	assert_int_equal(symlink("elsewhere", fs_at(&f, 2, "linked")), 0);
	assert_int_equal(put_file(f.path[2], "b.md", "x\n"),
	    STATUS_REPO_REFUSED);
	assert_int_equal(put_file(fs_at(&f, 2, "linked/"), "b.md", "x\n"),
	    STATUS_REPO_REFUSED);
	assert_int_equal(entries(elsewhere), 0);
	/* A folder where the file goes, names that are not one file. */
	assert_int_equal(mkdir(fs_at(&f, 2, "site/c.md"), 0755), 0);
	assert_int_equal(put_file(dir, "c.md", "x\n"), STATUS_REPO_REFUSED);
	assert_int_equal(put_file(dir, "../elsewhere/d.md", "x\n"),
	    STATUS_REPO_REFUSED);
	assert_int_equal(put_file(dir, ".hidden", "x\n"), STATUS_REPO_REFUSED);
	assert_int_equal(put_file(dir, "", "x\n"), STATUS_REPO_REFUSED);
	assert_int_equal(entries(elsewhere), 0);
	/* Only the folder itself is made, not its parents. */
	assert_int_equal(put_file(fs_at(&f, 2, "no/such"), "e.md", "x\n"),
	    STATUS_REPO_REFUSED);
	assert_int_equal(access(fs_at(&f, 2, "no"), F_OK), -1);
	/* A file where the folder goes. */
	assert_int_equal(put_file(dir, "f.md", "x\n"), STATUS_REPO_WRITTEN);
	assert_int_equal(put_file(fs_at(&f, 2, "site/f.md"), "e.md", "x\n"),
	    STATUS_REPO_REFUSED);
	fs_done(&f);
}

/* The outbox's side of one job, played by the test. */
struct status_job {
	struct status_event	 ev;
	int			 finished;
	enum outbox_result	 res;
	char			 cause[400];
};

/* The event of a job. */
const struct status_event *
status_job_event(const struct status_job *j)
{
	return &j->ev;
}

/* Record how the module finished the job. */
void
status_job_finish(struct status_job *j, enum outbox_result res,
    long long retry_ms, const char *cause)
{
	j->finished++;
	j->res = res;
	snprintf(j->cause, sizeof(j->cause), "%s", cause != NULL ? cause : "");
}

/* A failed job's cause, worded as status.c words it (cstate here). */
const char *
status_job_cause(const struct status_job *j, enum outbox_result res,
    const char *what, const char *why, char *buf, size_t len)
{
	snprintf(buf, len, "cstate %s outage #%lld's %s: %s",
	    res == OUTBOX_DEAD ? "rejected" : "failed on", j->ev.outage.id,
	    what, why);
	return buf;
}

/* Local mode never judges an HTTP answer. */
void
status_job_answer(struct status_job *j, const struct http_response *resp,
    const char *what)
{
	fail_msg("an HTTP answer in local mode");
}

/* The two names this module asks for. */
const char *
status_type_name(enum cfg_backend_type t)
{
	return t == CFG_BACKEND_STATUSFY ? "statusfy" : "cstate";
}

/* Outage #12 as the tests use it (static strings, never cleared). */
static void
job_init(struct status_job *j, enum status_kind kind)
{
	static char		*affected[] = { (char *)"Copr" };
	static struct outage_update up[2];

	memset(j, 0, sizeof(*j));
	memset(up, 0, sizeof(up));
	j->ev.kind = kind;
	j->ev.outage.id = 12;
	j->ev.outage.title = (char *)"Copr builds failing";
	j->ev.outage.severity = OUTAGE_DISRUPTED;
	j->ev.outage.affected = affected;
	j->ev.outage.naffected = 1;
	j->ev.outage.opened_by = (char *)"alice";
	j->ev.outage.master = (char *)"alice";
	j->ev.outage.opened_at = 1795284120;	/* 2026-11-24 18:02 UTC */
	j->ev.outage.updated_at = j->ev.outage.opened_at;
	up[0].at = j->ev.outage.opened_at;
	up[0].author = (char *)"alice";
	up[0].text = (char *)"builds fail";
	j->ev.outage.updates = up;
	j->ev.outage.nupdates = 1;
	if (kind == STATUS_RESOLVED) {
		up[1].at = up[0].at + 3600;
		up[1].author = (char *)"alice";
		up[1].text = (char *)"fixed";
		up[1].state = OUTAGE_RESOLVED;
		up[1].state_changed = 1;
		j->ev.outage.nupdates = 2;
		j->ev.outage.state = OUTAGE_RESOLVED;
		j->ev.outage.resolved_at = up[1].at;
		j->ev.outage.updated_at = up[1].at;
	}
}

/* Run one job of kind through ops on b; returns the job's result. */
static enum outbox_result
run_job(const struct status_ops *ops, const struct cfg_backend *b,
    enum status_kind kind, char *cause, size_t len)
{
	struct status_ctx	 ctx;
	struct status_job	 j;
	void			*st;
	char			*why = NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.key = "test";
	st = ops->open(b, &ctx, &why);
	assert_non_null(st);
	assert_null(why);
	job_init(&j, kind);
	ops->run(st, &j);
	assert_int_equal(j.finished, 1);	/* at once, exactly once */
	ops->close(st);
	snprintf(cause, len, "%s", j.cause);
	return j.res;
}

/* The page of outage #12 as the renderer makes it now. */
static void
check_page(const char *dir, int statusfy, enum status_kind kind)
{
	struct status_job	 j;
	char			*name, *want, *path, *got;

	job_init(&j, kind);
	name = statusfy ? status_md_statusfy_name(&j.ev.outage) :
	    status_md_cstate_name(&j.ev.outage);
	want = statusfy ? status_md_statusfy(&j.ev.outage, NULL, 0) :
	    status_md_cstate(&j.ev.outage);
	path = xasprintf("%s/%s", dir, name);
	got = slurp(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(path);
	free(want);
	free(name);
}

/* cstate and statusfy in a folder: opened, resolved, one file each. */
static void
test_ops_local(void **state)
{
	struct fs		 f;
	struct cfg_backend	 b;
	char			 cause[400];

	assert_int_equal(status_cstate_ops.max_inflight, 1);
	assert_int_equal(status_cstate_ops.min_gap_ms, 0);
	assert_int_equal(status_statusfy_ops.type, CFG_BACKEND_STATUSFY);
	fs_init(&f);
	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_CSTATE;
	b.dir = (char *)fs_at(&f, 0, "cstate");
	assert_int_equal(run_job(&status_cstate_ops, &b, STATUS_OPENED,
	    cause, sizeof(cause)), OUTBOX_DONE);
	check_page(b.dir, 0, STATUS_OPENED);
	assert_int_equal(run_job(&status_cstate_ops, &b, STATUS_RESOLVED,
	    cause, sizeof(cause)), OUTBOX_DONE);
	check_page(b.dir, 0, STATUS_RESOLVED);
	assert_int_equal(entries(b.dir), 1);
	/* Run again (after a crash): the same file, nothing added. */
	assert_int_equal(run_job(&status_cstate_ops, &b, STATUS_RESOLVED,
	    cause, sizeof(cause)), OUTBOX_DONE);
	assert_int_equal(entries(b.dir), 1);

	b.type = CFG_BACKEND_STATUSFY;
	b.dir = (char *)fs_at(&f, 1, "statusfy");
	assert_int_equal(run_job(&status_statusfy_ops, &b, STATUS_OPENED,
	    cause, sizeof(cause)), OUTBOX_DONE);
	check_page(b.dir, 1, STATUS_OPENED);
	assert_int_equal(entries(b.dir), 1);

	/* A folder that is a link: dead, said clearly, nothing written. */
	assert_int_equal(mkdir(fs_at(&f, 2, "elsewhere"), 0755), 0);
	assert_int_equal(symlink("elsewhere", fs_at(&f, 3, "linked")), 0);
	b.type = CFG_BACKEND_CSTATE;
	b.dir = f.path[3];
	assert_int_equal(run_job(&status_cstate_ops, &b, STATUS_OPENED,
	    cause, sizeof(cause)), OUTBOX_DEAD);
	assert_non_null(strstr(cause, "cstate rejected outage #12's page: "));
	assert_non_null(strstr(cause, "is a symbolic link"));
	assert_int_equal(entries(f.path[2]), 0);
	fs_done(&f);
}

/* Repo mode opens only with a usable repository and token. */
static void
test_ops_open_repo(void **state)
{
	struct status_ctx	 ctx;
	struct cfg_backend	 b;
	void			*st;
	char			*cause = NULL;

	memset(&ctx, 0, sizeof(ctx));
	memset(&b, 0, sizeof(b));
	b.type = CFG_BACKEND_CSTATE;
	b.api_url = (char *)"https://api.github.com";
	b.repo = (char *)"packit/status";
	b.branch = (char *)"main";
	b.path = (char *)"content/issues";
	b.token = (char *)"ghp_x";
	st = status_cstate_ops.open(&b, &ctx, &cause);
	assert_non_null(st);
	assert_null(cause);
	status_cstate_ops.close(st);
	b.repo = (char *)"not-a-repo";
	assert_null(status_cstate_ops.open(&b, &ctx, &cause));
	assert_non_null(strstr(cause, "not-a-repo"));
	free(cause);
	cause = NULL;
	b.repo = (char *)"packit/status";
	b.token = (char *)"";
	assert_null(status_statusfy_ops.open(&b, &ctx, &cause));
	assert_non_null(cause);
	free(cause);
	status_cstate_ops.close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_put_body),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_sha_problem),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_write_refused),
		cmocka_unit_test(test_ops_local),
		cmocka_unit_test(test_ops_open_repo)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
