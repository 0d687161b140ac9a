/*
 * cmd_table.c — the command table. Adding a command: its entry in a
 * bot/cmd_*.c file, an extern and one line here. !help lists
 * first words in this order, and a group's subcommands in this order
 * too. Kept apart from cmd.c so that cmd.c's tests can link a table of
 * their own.
 */
#include <stddef.h>

#include "cmd.h"

/* The entries of bot/cmd_core.c. */
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_reload_entry;
extern const struct cmd_entry cmd_version_entry;
extern const struct cmd_entry cmd_whoami_entry;
/* The entries of bot/cmd_oncall.c. */
extern const struct cmd_entry cmd_who_entry;
extern const struct cmd_entry cmd_oncall_schedule_entry;
extern const struct cmd_entry cmd_oncall_roles_entry;
extern const struct cmd_entry cmd_oncall_take_entry;
extern const struct cmd_entry cmd_oncall_override_entry;
extern const struct cmd_entry cmd_oncall_swap_entry;
extern const struct cmd_entry cmd_oncall_overrides_entry;
extern const struct cmd_entry cmd_oncall_cancel_entry;
/* The entries of bot/cmd_outage.c. */
extern const struct cmd_entry cmd_outage_open_entry;
extern const struct cmd_entry cmd_outage_update_entry;
extern const struct cmd_entry cmd_outage_resolve_entry;
extern const struct cmd_entry cmd_outage_list_entry;
extern const struct cmd_entry cmd_outage_show_entry;
extern const struct cmd_entry cmd_outage_history_entry;
extern const struct cmd_entry cmd_outage_stats_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_jobs_retry_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_help_entry,
	&cmd_who_entry,
	&cmd_oncall_schedule_entry,
	&cmd_oncall_roles_entry,
	&cmd_oncall_take_entry,
	&cmd_oncall_override_entry,
	&cmd_oncall_swap_entry,
	&cmd_oncall_overrides_entry,
	&cmd_oncall_cancel_entry,
	&cmd_outage_open_entry,
	&cmd_outage_update_entry,
	&cmd_outage_resolve_entry,
	&cmd_outage_list_entry,
	&cmd_outage_show_entry,
	&cmd_outage_history_entry,
	&cmd_outage_stats_entry,
	&cmd_status_entry,
	&cmd_jobs_entry,
	&cmd_jobs_retry_entry,
	&cmd_reload_entry,
	&cmd_version_entry,
	&cmd_whoami_entry,
	NULL
};
