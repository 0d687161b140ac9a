/*
 * cmd_table.c — the command table. Adding a command: its entry in a
 * bot/cmd_*.c file, an extern in cmd.h and one line here. !help lists
 * first words in this order, and a group's subcommands in this order
 * too. Kept apart from cmd.c so that cmd.c's tests can link a table of
 * their own.
 */
#include <stddef.h>

#include "cmd.h"

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
	&cmd_reload_entry,
	&cmd_version_entry,
	&cmd_whoami_entry,
	NULL
};
