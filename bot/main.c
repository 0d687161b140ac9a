/*
 * main.c — start-up: parse the command line, load and check the
 * configuration, open the store, run the bot. Exit codes follow
 * sysexits(3) where they fit; "-t" exits 0 or 1 like "nginx -t".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "bot.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"

/* Entry point. */
int
main(int argc, char **argv)
{
	struct cli	 cli;
	struct config	*cfg;
	struct store	*store;
	struct bot	*bot;
	char		 err[256], *cause = NULL;
	int		 status;

	if (cli_parse(argc, argv, &cli, err, sizeof err) != 0) {
		fprintf(stderr, "outagebot: %s\n%s", err, cli_usage());
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
