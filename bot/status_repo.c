/* status_repo.c — placeholder until the backend lands. */
#include "status.h"
#include "util.h"
static void *ph_open(const struct cfg_backend *b, const struct status_ctx *c, char **cause) { *cause = xstrdup("not built yet"); return NULL; }
static void ph_run(void *s, struct status_job *j) { status_job_finish(j, OUTBOX_DEAD, 0, "not built yet"); }
static void ph_close(void *s) { }
const struct status_ops status_cstate_ops = { CFG_BACKEND_CSTATE, "cstate", 0, 0, ph_open, ph_run, ph_close };
const struct status_ops status_statusfy_ops = { CFG_BACKEND_STATUSFY, "statusfy", 0, 0, ph_open, ph_run, ph_close };
