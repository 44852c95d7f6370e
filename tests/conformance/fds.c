// SPDX-License-Identifier: MIT
/*
 * Conformance: the descriptors a context keeps for the program (registered
 * files, the duplicates it needs, its own epoll, timers, eventfds, io_uring)
 * live in a high range, so that the low numbers stay the program's: a
 * select() program keeps its FD_SETSIZE whatever it registers. The context's
 * own descriptor, which the program polls, stays low.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/select.h>
#include "common.h"

enum { NFILES = 3000 };

/* Open descriptors below limit (limit INT_MAX: all of them). */
static int count_fds(int limit)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) < limit && atoi(de->d_name) != dirfd(d))
			n++;
	closedir(d);
	return n;
}

/*
 * Regression: with 3,000 files registered and the originals closed, the
 * library held one descriptor per file at the lowest free numbers, 1,023 of
 * the 1,024 a select() program can use.
 */
static void test_registered_files_leave_the_low_numbers_to_the_program(void **state)
{
	struct fixture *f = *state;
	struct rlimit rl, want = { 2 * NFILES + 1024, 2 * NFILES + 1024 };
	uint64_t *h = calloc(NFILES, sizeof(*h));
	struct aionl_ctx *ctx;
	int low, all, fd, s, p[2], cfd;
	struct aionl_req r;
	fd_set rd;

	/* The program's own choice of limit: the library never changes it unasked. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < want.rlim_cur)
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &want), 0);
	ctx = open_ctx(0);
	cfd = aionl_ctx_fd(ctx);
	assert_true(cfd < FD_SETSIZE);
	/* The engine's timer descriptors come with the first timer, to stay. */
	aionl_req_timer(&r, CLOCK_MONOTONIC, 1000000, 0, 0, 1);
	assert_int_equal(run(ctx, &r), 1);
	low = count_fds(FD_SETSIZE);
	all = count_fds(INT_MAX);
	for (int i = 0; i < NFILES; i++) {
		fd = open(f->path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(aionl_file_register(ctx, fd, &h[i]), 0);
		close(fd);
	}
	assert_int_equal(count_fds(FD_SETSIZE), low);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(fd >= 0 && fd < FD_SETSIZE);
	assert_true(s >= 0 && s < FD_SETSIZE);
	assert_true(p[0] < FD_SETSIZE && p[1] < FD_SETSIZE);
	/* select() on the context's descriptor and the program's. */
	assert_int_equal(write(p[1], "x", 1), 1);
	aionl_req_nop(&r, 2);
	submit(ctx, &r, 1);
	FD_ZERO(&rd);
	FD_SET(cfd, &rd);
	assert_int_equal(select(cfd + 1, &rd, NULL, NULL, &(struct timeval){ 5, 0 }), 1);
	FD_SET(cfd, &rd);
	FD_SET(p[0], &rd);
	assert_int_equal(select((cfd > p[0] ? cfd : p[0]) + 1, &rd, NULL, NULL,
				&(struct timeval){ 0, 0 }), 2);
	assert_true(wait_one(ctx).cookie == 2);
	/* Reads through the registered files still work from up there. */
	{
		unsigned char b[16];

		aionl_req_read(&r, h[NFILES - 1], b, sizeof(b), 4096, 3);
		assert_int_equal(run(ctx, &r), sizeof(b));
		assert_int_equal(b[0], pattern(4096));
	}
	for (int i = 0; i < NFILES; i++)
		assert_int_equal(aionl_file_unregister(ctx, h[i]), 0);
	close(fd);
	close(s);
	close(p[0]);
	close(p[1]);
	/* Unregistering gives every descriptor back. */
	assert_int_equal(count_fds(INT_MAX), all);
	aionl_ctx_close(ctx);
	free(h);
	if (rl.rlim_cur < want.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &rl);
}

/* The limit changes only when the program asks, and then to the hard limit. */
static void test_rlimit_nofile_is_raised_only_when_asked(void **state)
{
	struct aionl_params p = { 0 };
	struct aionl_ctx *ctx;
	struct rlimit rl, low, now;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = (struct rlimit){ rl.rlim_max > 1536 ? 1536 : rl.rlim_max, rl.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	ctx = open_ctx(0);
	aionl_ctx_close(ctx);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	assert_true(now.rlim_cur == low.rlim_cur);
	p.flags = AIONL_PARAMS_RAISE_NOFILE;
	assert_int_equal(aionl_ctx_open(&ctx, &p), 0);
	aionl_ctx_close(ctx);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	assert_true(now.rlim_cur == rl.rlim_max);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* Unknown bits of aionl_params.flags are refused, not ignored. */
static void test_unknown_params_flags_are_einval(void **state)
{
	struct aionl_params p = { .flags = 1u << 30 };
	struct aionl_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EINVAL);
	assert_null(ctx);
	assert_non_null(strstr(aionl_error_message(), "flags"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registered_files_leave_the_low_numbers_to_the_program,
						setup, teardown),
		cmocka_unit_test(test_rlimit_nofile_is_raised_only_when_asked),
		cmocka_unit_test(test_unknown_params_flags_are_einval),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
