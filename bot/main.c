/*
 * main.c — start-up: parse the command line, load and check the
 * configuration, open the store, run the bot. Exit codes follow
 * sysexits(3) where they fit; "-t" exits 0 or 1 like "nginx -t".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sysexits.h>

#include "bot.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "oncall.h"
#include "status_import.h"
#include "store.h"
#include "util.h"
#include "when.h"

/*
 * outagebot oncall [ROLE] [--at WHEN]: the !who-is-on-call answer from
 * the database, without connecting anywhere (for when IRC is down).
 */
static int
main_oncall(const struct config *cfg, struct store *store,
    const struct cli *cli)
{
	const struct cfg_role	*r;
	struct oncall_view	 v;
	time_t			 now = util_now(), at = now;
	char			 line[512], *cause = NULL;
	size_t			 i;
	int			 status = 0;

	if (cfg->nroles == 0) {
		fprintf(stderr, "outagebot: no roles are configured\n");
		return EX_CONFIG;
	}
	if (cli->role != NULL && cfg_role_find(cfg, cli->role) == NULL) {
		fprintf(stderr, "outagebot: no role \"%s\"\n", cli->role);
		return EX_USAGE;
	}
	for (i = 0; i < cfg->nroles; i++) {
		r = &cfg->roles[i];
		if (cli->role != NULL && r != cfg_role_find(cfg, cli->role))
			continue;
		if (cli->at != NULL && when_parse(cli->at, r->tz, now, &at,
		    &cause) != 0) {
			fprintf(stderr, "outagebot: --at: %s\n", cause);
			free(cause);
			return EX_USAGE;
		}
		if (oncall_view_load(store, r, at > now ? at : now, 3, 0,
		    &v) != 0) {
			status = EX_SOFTWARE;
			continue;
		}
		if (at < v.state.shift_start) {
			when_format(r->tz, v.state.shift_start, now, line,
			    sizeof line);
			printf("%s: the rotation before %s is not kept\n",
			    r->name, line);
		} else
			printf("%s\n", oncall_who_line(r, &v, at, now, line,
			    sizeof line));
		oncall_view_free(&v);
	}
	return status;
}

/* Entry point. */
int
main(int argc, char **argv)
{
	struct cli	 cli;
	struct config	*cfg;
	struct store	*store;
	struct bot	*bot;
	char		*cause = NULL;
	int		 status;

	if (cli_parse(argc, argv, &cli, &cause) != 0) {
		fprintf(stderr, "outagebot: %s\n%s", cause, cli_usage());
		free(cause);
		return EX_USAGE;
	}
	switch (cli.action) {
	case CLI_HELP:
		fputs(cli_usage(), stdout);
		return 0;
	case CLI_VERSION:
		printf("outagebot %s\n", OB_VERSION);
		return 0;
	default:
		break;
	}
	log_set_level(cli.debug ? LOG_DEBUG : LOG_INFO);
	cfg = cfg_load(cli.config, &cause);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return cli.action == CLI_CHECK ? 1 : EX_CONFIG;
	}
	if (cli.action == CLI_CHECK) {
		printf("%s: configuration ok\n", cli.config);
		cfg_free(cfg);
		return 0;
	}
	store = store_open(cfg->storage_path, &cause);
	if (store == NULL) {
		fprintf(stderr, "outagebot: %s: %s\n", cfg->storage_path,
		    cause);
		free(cause);
		cfg_free(cfg);
		return EX_CANTCREAT;
	}
	if (cli.action == CLI_BACKUP) {
		status = 0;
		if (store_backup(store, cli.target, &cause) != 0) {
			fprintf(stderr, "outagebot: backup: %s\n", cause);
			free(cause);
			status = EX_CANTCREAT;
		} else
			printf("backed up %s to %s\n", cfg->storage_path,
			    cli.target);
		store_close(store);
		cfg_free(cfg);
		return status;
	}
	if (cli.action == CLI_IMPORT) {
		status = status_import_cstate(store, cli.target, stdout,
		    &cause);
		if (status == -1) {
			fprintf(stderr, "outagebot: import-cstate: %s\n",
			    cause);
			free(cause);
			status = EX_NOINPUT;
		}
		store_close(store);
		cfg_free(cfg);
		return status;
	}
	if (cli.action == CLI_ONCALL) {
		status = main_oncall(cfg, store, &cli);
		store_close(store);
		cfg_free(cfg);
		return status;
	}
	log_info("main", "outagebot %s starting (config %s)", OB_VERSION,
	    cli.config);
	bot = bot_new(cli.config, cfg, store);
	if (bot_start(bot) != 0) {
		log_error("main", "cannot set up signal handling");
		bot_free(bot);
		return EX_OSERR;
	}
	status = bot_run(bot);
	bot_free(bot);
	log_info("main", "stopped");
	return status;
}
