/*
 * fixtures.h — what the command and identity tests and fuzz targets
 * share: a team config built by hand (config.c is not linked), the
 * command entries of bot/cmd_core.c and a table of them, and a fake
 * bot_reload whose outcome each test sets. Header only: every helper is
 * static, marked unused so that a file may take only some. It includes
 * no test framework, so the fuzz targets can use it too.
 */
#ifndef OB_TEST_FIXTURES_H
#define OB_TEST_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

#define FIXTURE_UNUSED	__attribute__((unused))

/* Abort unless cond holds: how a fuzz target reports a broken rule. */
FIXTURE_UNUSED static void
fixture_check(int cond)
{
	if (!cond)
		abort();
}

/* A config whose team is identified as identify, over the given lists. */
FIXTURE_UNUSED static void
fixture_team(struct config *cfg, enum cfg_identify identify, char **admins,
    size_t nadmins, char **members, size_t nmembers,
    struct cfg_bridge *bridges, size_t nbridges)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->team.identify = identify;
	cfg->team.admins = admins;
	cfg->team.nadmins = nadmins;
	cfg->team.members = members;
	cfg->team.nmembers = nmembers;
	cfg->bridges = bridges;
	cfg->nbridges = nbridges;
}

#ifdef OB_CMD_H
/* The entries of bot/cmd_core.c (their externs are not public). */
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_reload_entry;
extern const struct cmd_entry cmd_version_entry;
extern const struct cmd_entry cmd_whoami_entry;

/* The core commands' table (the real one also has cmd_oncall.c's). */
const struct cmd_entry *const cmd_table[] = {
	&cmd_help_entry,
	&cmd_reload_entry,
	&cmd_version_entry,
	&cmd_whoami_entry,
	NULL
};

/* The fake reload's outcome, set by each test that uses it. */
static int		 fake_reload_rv;
static const char	*fake_reload_err;
static int		 fake_reload_calls;

int	bot_reload(struct bot *, char **);

/* Stand-in for bot.c's reload: returns and reports what was set. */
int
bot_reload(struct bot *bot, char **err)
{
	fake_reload_calls++;
	*err = fake_reload_err != NULL ? xstrdup(fake_reload_err) : NULL;
	return fake_reload_rv;
}
#endif

#endif
