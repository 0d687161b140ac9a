/*
 * fuzz_config.c — libFuzzer target for bot/config.c: any bytes as a
 * configuration file either load into a config or fail with messages of
 * the form "file:line: ..." (or "file: ..."), never crash or leak; a
 * loaded one holds its defaults and the rules of its groups. The
 * file lives in a memfd, so nothing is written to disk.
 */
/* deps: config tz when util log */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless a loaded config holds what its defaults promise. */
static void
check_loaded(const struct config *cfg)
{
	const struct cfg_backend	*b;
	size_t				 i;
	int				 site;

	if (cfg->irc.queue_max < cfg->irc.max_reply_lines ||
	    cfg->irc.command_rate_burst < 1 ||
	    cfg->outage.remind_after_ms <= 0 ||
	    cfg->outage.eta_nudge_after_ms <= 0)
		abort();
	if (cfg->github != NULL && (cfg->github->repo == NULL ||
	    cfg->github->token == NULL || cfg->github->api_url == NULL))
		abort();
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].shift_ms < 3600000)
			abort();
	}
	for (i = 0; i < cfg->statuspage.nbackends; i++) {
		b = &cfg->statuspage.backends[i];
		site = b->type == CFG_BACKEND_CSTATE ||
		    b->type == CFG_BACKEND_STATUSFY;
		if (b->line <= 0 ||
		    (site && (b->repo == NULL) == (b->dir == NULL)) ||
		    (b->type == CFG_BACKEND_ISSUES && b->repo == NULL))
			abort();
	}
}

/* Load the input as a config file and check the outcome's shape. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	char		 path[64], *err = NULL;
	int		 fd;

	log_set_level(LOG_ERROR);
	fd = memfd_create("fuzz.conf", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	cfg = cfg_load(path, &err);
	if (cfg != NULL) {
		if (cfg->irc.server == NULL || cfg->irc.nick == NULL ||
		    cfg->irc.nchannels == 0)
			abort();
		check_loaded(cfg);
		cfg_free(cfg);
	} else {
		if (err == NULL || strncmp(err, path, strlen(path)) != 0)
			abort();
		free(err);
	}
	close(fd);
	return 0;
}
