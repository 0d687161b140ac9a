/*
 * cli.c — parse the command line into struct cli. Options may come
 * before or after a subcommand; no getopt, so the parser is re-entrant
 * and tested as a pure function.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* The usage text printed by -h and on errors. */
const char *
cli_usage(void)
{
	return "usage: outagebot [-d] [-c FILE]        run the bot\n"
	    "       outagebot -t [-c FILE]           check the configuration\n"
	    "       outagebot [-c FILE] backup DEST  copy the database\n"
	    "       outagebot [-c FILE] oncall [ROLE] [--at WHEN]\n"
	    "                                        who is on call (offline)\n"
	    "       outagebot [-c FILE] import-cstate DIR\n"
	    "                                        past outages from cState\n"
	    "       outagebot -V | -h\n";
}

/*
 * One group of flags at argv[*i] ("-dt", "-c FILE", "-cFILE"); -c may
 * take the next word, advancing *i. 1 to stop (-h), 0, or -1 with
 * *cause.
 */
static int
cli_flags(int argc, char **argv, int *i, struct cli *cli, char **cause)
{
	const char	*a;

	for (a = argv[*i] + 1; *a != '\0'; a++) {
		switch (*a) {
		case 'd':
			cli->debug = 1;
			break;
		case 't':
			cli->action = CLI_CHECK;
			break;
		case 'V':
			cli->action = CLI_VERSION;
			break;
		case 'h':
			cli->action = CLI_HELP;
			return 1;
		case 'c':
			if (a[1] != '\0')
				cli->config = a + 1;
			else if (*i + 1 < argc)
				cli->config = argv[++*i];
			else
				cli->config = "";
			if (*cli->config == '\0') {
				*cause = xstrdup("option -c needs a file");
				return -1;
			}
			return 0;	/* the value ends the group */
		default:
			*cause = xasprintf("unknown option -%c", *a);
			return -1;
		}
	}
	return 0;
}

/* Act on the subcommand words (none, backup, import-cstate or oncall).
 * 0 or -1. */
static int
cli_words(struct cli *cli, char **words, int nwords, char **cause)
{
	if (nwords == 0) {
		if (cli->at != NULL) {
			*cause = xstrdup("--at goes with oncall");
			return -1;
		}
		return 0;
	}
	if (cli->at != NULL && strcmp(words[0], "oncall") != 0) {
		*cause = xstrdup("--at goes with oncall");
		return -1;
	}
	if (strcmp(words[0], "backup") == 0 ||
	    strcmp(words[0], "import-cstate") == 0) {
		if (nwords != 2) {
			*cause = xasprintf("%s needs a %s", words[0],
			    words[0][0] == 'b' ? "destination file" :
			    "folder");
			return -1;
		}
		if (cli->action != CLI_RUN) {
			*cause = xasprintf("%s cannot be combined with "
			    "-t or -V", words[0]);
			return -1;
		}
		cli->action = words[0][0] == 'b' ? CLI_BACKUP : CLI_IMPORT;
		cli->target = words[1];
		return 0;
	}
	if (strcmp(words[0], "oncall") == 0) {
		if (cli->action != CLI_RUN) {
			*cause = xstrdup("oncall cannot be combined with "
			    "-t or -V");
			return -1;
		}
		cli->action = CLI_ONCALL;
		cli->role = words[1];
		return 0;
	}
	*cause = xasprintf("unknown command \"%.40s\"", words[0]);
	return -1;
}

/* Parse argv into *cli. */
int
cli_parse(int argc, char **argv, struct cli *cli, char **cause)
{
	int	i, rc, nwords = 0;
	char	*words[2] = { NULL, NULL };

	*cause = NULL;
	memset(cli, 0, sizeof *cli);
	cli->config = CLI_DEFAULT_CONFIG;
	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];

		if (strcmp(a, "--at") == 0 || strncmp(a, "--at=", 5) == 0) {
			if (a[4] == '=')
				cli->at = a + 5;
			else if (i + 1 < argc)
				cli->at = argv[++i];
			else {
				*cause = xstrdup("option --at needs a time");
				return -1;
			}
			continue;
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (nwords == 2)
					goto extra;
				words[nwords++] = argv[i];
			}
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (nwords == 2)
				goto extra;
			words[nwords++] = argv[i];
			continue;
		}
		if ((rc = cli_flags(argc, argv, &i, cli, cause)) != 0)
			return rc > 0 ? 0 : -1;
	}
	return cli_words(cli, words, nwords, cause);
extra:
	*cause = xstrdup("too many arguments");
	return -1;
}
