/* deps: cli util log */
/*
 * test_cli.c — the command-line parser: flags, grouped flags, -c forms,
 * subcommands, and the errors a user gets for bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int
parse(struct cli *c, char *err, ...)
{
	char	*argv[16], *cause = NULL;
	int	 argc = 0;
	va_list	 ap;

	argv[argc++] = "outagebot";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	if (cli_parse(argc, argv, c, &cause) == 0) {
		assert_null(cause);
		return 0;
	}
	assert_non_null(cause);
	snprintf(err, 128, "%s", cause);
	free(cause);
	return -1;
}

static void
test_defaults(void **state)
{
	struct cli	c;
	char		err[128];

	assert_int_equal(parse(&c, err, NULL), 0);
	assert_int_equal(c.action, CLI_RUN);
	assert_string_equal(c.config, CLI_DEFAULT_CONFIG);
	assert_int_equal(c.debug, 0);
}

static void
test_flags(void **state)
{
	struct cli	c;
	char		err[128];

	assert_int_equal(parse(&c, err, "-d", "-c", "x.conf", NULL), 0);
	assert_int_equal(c.debug, 1);
	assert_string_equal(c.config, "x.conf");
	assert_int_equal(parse(&c, err, "-dtcy.conf", NULL), 0);
	assert_int_equal(c.action, CLI_CHECK);
	assert_int_equal(c.debug, 1);
	assert_string_equal(c.config, "y.conf");
	assert_int_equal(parse(&c, err, "-t", "-c", "z", NULL), 0);
	assert_int_equal(c.action, CLI_CHECK);
	assert_int_equal(parse(&c, err, "-V", NULL), 0);
	assert_int_equal(c.action, CLI_VERSION);
	assert_int_equal(parse(&c, err, "-h", "-q", NULL), 0);
	assert_int_equal(c.action, CLI_HELP);
}

static void
test_backup(void **state)
{
	struct cli	c;
	char		err[128];

	assert_int_equal(parse(&c, err, "-c", "a", "backup", "/tmp/b",
	    NULL), 0);
	assert_int_equal(c.action, CLI_BACKUP);
	assert_string_equal(c.target, "/tmp/b");
	assert_string_equal(c.config, "a");
	assert_int_equal(parse(&c, err, "backup", "/tmp/b", "-c", "q",
	    NULL), 0);
	assert_string_equal(c.config, "q");
	assert_int_equal(parse(&c, err, "backup", NULL), -1);
	assert_string_equal(err, "backup needs a destination file");
	assert_int_equal(parse(&c, err, "-t", "backup", "f", NULL), -1);
}

static void
test_errors(void **state)
{
	struct cli	c;
	char		err[128];

	assert_int_equal(parse(&c, err, "-x", NULL), -1);
	assert_string_equal(err, "unknown option -x");
	assert_int_equal(parse(&c, err, "-c", NULL), -1);
	assert_string_equal(err, "option -c needs a file");
	assert_int_equal(parse(&c, err, "-c", "", NULL), -1);
	assert_int_equal(parse(&c, err, "frobnicate", NULL), -1);
	assert_string_equal(err, "unknown command \"frobnicate\"");
	assert_int_equal(parse(&c, err, "backup", "a", "b", NULL), -1);
	assert_string_equal(err, "too many arguments");
}

static void
test_oncall(void **state)
{
	struct cli	c;
	char		err[128];

	assert_int_equal(parse(&c, err, "oncall", NULL), 0);
	assert_int_equal(c.action, CLI_ONCALL);
	assert_null(c.role);
	assert_null(c.at);
	assert_int_equal(parse(&c, err, "-c", "b.conf", "oncall",
	    "outage-master", "--at", "2026-11-30 09:00", NULL), 0);
	assert_string_equal(c.role, "outage-master");
	assert_string_equal(c.at, "2026-11-30 09:00");
	assert_string_equal(c.config, "b.conf");
	assert_int_equal(parse(&c, err, "oncall", "--at=16:00", NULL), 0);
	assert_string_equal(c.at, "16:00");
	assert_null(c.role);
	assert_int_equal(parse(&c, err, "oncall", "--at", NULL), -1);
	assert_string_equal(err, "option --at needs a time");
	assert_int_equal(parse(&c, err, "--at", "16:00", NULL), -1);
	assert_string_equal(err, "--at goes with oncall");
	assert_int_equal(parse(&c, err, "oncall", "a", "b", NULL), -1);
	assert_int_equal(parse(&c, err, "-t", "oncall", NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_oncall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
