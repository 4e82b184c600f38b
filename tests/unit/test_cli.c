// SPDX-License-Identifier: GPL-2.0
/* siftctl's command line: objects, commands, prefixes, exit codes, JSON errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include <sys/wait.h>

#include "cli.h"
#include "ctl.h"
#include "suites.h"

static char out[8192], errout[8192];

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run siftctl with a NULL-terminated argument list; capture stdout and stderr. */
static int run(const char *arg, ...)
{
	char *argv[32] = { "siftctl" };
	FILE *fo = tmpfile(), *fe = tmpfile();
	int argc = 1, saved_out = dup(1), saved_err = dup(2), rc;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = siftctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(fo, out, sizeof(out));
	slurp(fe, errout, sizeof(errout));
	return rc;
}

#define NOPIN "/nonexistent/sift-pins"

START_TEST(test_cli_no_args_is_usage)
{
	ck_assert_int_eq(run(NULL), SIFTCTL_EXIT_USAGE);
	ck_assert(strstr(errout, "Usage: siftctl"));
}
END_TEST

START_TEST(test_cli_help)
{
	ck_assert_int_eq(run("help", NULL), SIFTCTL_EXIT_OK);
	ck_assert(strstr(out, "siftctl stats show"));
	ck_assert(strstr(out, "siftctl prog show"));
	ck_assert_int_eq(run("-h", NULL), SIFTCTL_EXIT_OK);
	ck_assert_int_eq(run("stats", "help", NULL), SIFTCTL_EXIT_OK);
	ck_assert(strstr(out, "siftctl stats reset"));
}
END_TEST

/* `siftctl help OBJECT` lists that object's commands only, like `siftctl OBJECT help`. */
START_TEST(test_cli_help_object)
{
	char object_help[8192];

	ck_assert_int_eq(run("stats", "help", NULL), SIFTCTL_EXIT_OK);
	snprintf(object_help, sizeof(object_help), "%s", out);
	ck_assert_int_eq(run("help", "stats", NULL), SIFTCTL_EXIT_OK);
	ck_assert_str_eq(out, object_help);
	ck_assert_ptr_nonnull(strstr(out, "siftctl stats show"));
	ck_assert_ptr_null(strstr(out, "Usage:"));
	ck_assert_ptr_null(strstr(out, "siftctl route"));
	ck_assert_int_eq(run("help", "nosuch", NULL), SIFTCTL_EXIT_USAGE);
}
END_TEST

/* A control socket the user may not reach: said as permission denied, not "not running". */
START_TEST(test_cli_permission_denied)
{
	char dir[] = "/tmp/sift-ctl-perm.XXXXXX", err[512] = "", got[512] = "";
	int lfd, pfd[2];
	pid_t pid;
	ssize_t n;

	if (geteuid() != 0)
		return; /* only root can make a socket another user may not reach, then be that user */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	lfd = sift_ctl_listen(dir, err, sizeof(err));
	ck_assert_msg(lfd >= 0, "%s", err);
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		json_t *req = json_pack("{s:s}", "cmd", "show");

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		ck_assert_ptr_null(sift_ctl_call(dir, req, err, sizeof(err)));
		if (write(pfd[1], err, strlen(err)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], got, sizeof(got) - 1);
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	close(lfd);
	sift_ctl_unlink(dir);
	rmdir(dir);
	ck_assert_int_gt(n, 0);
	ck_assert_msg(strstr(got, "permission denied"), "%s", got);
}
END_TEST

START_TEST(test_cli_unknown_object)
{
	ck_assert_int_eq(run("route66", NULL), SIFTCTL_EXIT_USAGE);
	ck_assert(strstr(errout, "unknown object 'route66'"));
	ck_assert_int_eq(run("stats", "explode", NULL), SIFTCTL_EXIT_USAGE);
	ck_assert(strstr(errout, "unknown stats command 'explode'"));
	ck_assert_int_eq(run("--bogus", "stats", NULL), SIFTCTL_EXIT_USAGE);
}
END_TEST

START_TEST(test_cli_extra_argument)
{
	ck_assert_int_eq(run("-P", NOPIN, "stats", "show", "now", NULL), SIFTCTL_EXIT_USAGE);
	ck_assert(strstr(errout, "unexpected argument 'now'"));
}
END_TEST

START_TEST(test_cli_prefixes_reach_the_command)
{
	/* "st sh" is stats show: it gets as far as opening the maps. */
	ck_assert_int_eq(run("-P", NOPIN, "st", "sh", NULL), SIFTCTL_EXIT_FAIL);
	ck_assert(strstr(errout, "sift is not loaded: no maps pinned under " NOPIN));
	/* The object alone runs its first command. */
	ck_assert_int_eq(run("-P", NOPIN, "prog", NULL), SIFTCTL_EXIT_FAIL);
	ck_assert(strstr(errout, "not loaded"));
}
END_TEST

START_TEST(test_cli_pin_path_from_env)
{
	setenv("SIFT_PIN_PATH", NOPIN "-env", 1);
	ck_assert_int_eq(run("stats", "show", NULL), SIFTCTL_EXIT_FAIL);
	ck_assert(strstr(errout, NOPIN "-env"));
	/* -P wins over the environment. */
	ck_assert_int_eq(run("-P", NOPIN, "stats", "show", NULL), SIFTCTL_EXIT_FAIL);
	ck_assert(strstr(errout, "under " NOPIN "\n"));
	unsetenv("SIFT_PIN_PATH");
}
END_TEST

START_TEST(test_cli_json_errors)
{
	json_error_t jerr;
	json_t *j;

	ck_assert_int_eq(run("-j", "-P", NOPIN, "stats", "show", NULL), SIFTCTL_EXIT_FAIL);
	j = json_loads(out, 0, &jerr);
	ck_assert_msg(j, "not JSON: '%s'", out);
	ck_assert(strstr(json_string_value(json_object_get(j, "error")), "not loaded"));
	ck_assert_str_eq(errout, "");
	json_decref(j);

	ck_assert_int_eq(run("-j", "nonsense", NULL), SIFTCTL_EXIT_USAGE);
	j = json_loads(out, 0, &jerr);
	ck_assert_msg(j, "not JSON: '%s'", out);
	ck_assert(json_object_get(j, "error"));
	json_decref(j);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_cli_no_args_is_usage);
	tcase_add_test(tc, test_cli_help);
	tcase_add_test(tc, test_cli_help_object);
	tcase_add_test(tc, test_cli_permission_denied);
	tcase_add_test(tc, test_cli_unknown_object);
	tcase_add_test(tc, test_cli_extra_argument);
	tcase_add_test(tc, test_cli_prefixes_reach_the_command);
	tcase_add_test(tc, test_cli_pin_path_from_env);
	tcase_add_test(tc, test_cli_json_errors);
	suite_add_tcase(s, tc);
	return s;
}
