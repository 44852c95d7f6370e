// SPDX-License-Identifier: MIT
/*
 * Backend and executor selection where io_uring is blocked the way container
 * seccomp profiles block it: io_uring_setup fails with ENOSYS. "auto" must fall
 * back to the worker pool and say why; asking for io_uring must fail clearly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <cmocka.h>

#include "aionl.h"

static void block_io_uring(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	assert_int_equal(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("AIONL_BACKEND");
	unsetenv("AIONL_EXECUTOR");
	return 0;
}

static void test_auto_falls_back_to_threads_and_says_why(void **state)
{
	struct aionl_ctx *ctx;
	struct aionl_info info;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, NULL), 0);
	aionl_ctx_info(ctx, &info);
	assert_int_equal(info.backend, AIONL_BACKEND_USER);
	assert_int_equal(info.executor, AIONL_EXEC_THREADS);
	assert_non_null(strstr(info.reason, "io_uring"));
	assert_int_equal(aionl_probe(AIONL_BACKEND_USER, AIONL_EXEC_URING), -ENOSYS);
	aionl_ctx_close(ctx);
}

static void test_explicit_uring_is_an_error(void **state)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_USER, .executor = AIONL_EXEC_URING };
	struct aionl_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), -ENOSYS);
	assert_null(ctx);
	assert_non_null(strstr(aionl_error_message(), "io_uring"));
	setenv("AIONL_EXECUTOR", "uring", 1);
	assert_int_equal(aionl_ctx_open(&ctx, NULL), -ENOSYS);
	unsetenv("AIONL_EXECUTOR");
}

static void test_fallback_engine_does_io(void **state)
{
	char path[] = "/tmp/aionl-sel-XXXXXX", buf[6] = "";
	int fd = mkstemp(path);
	struct aionl_ctx *ctx;
	struct aionl_req r;
	struct aionl_cqe c;
	uint64_t h;

	(void)state;
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(aionl_ctx_open(&ctx, NULL), 0);
	assert_int_equal(aionl_file_register(ctx, fd, &h), 0);
	aionl_req_read(&r, h, buf, 5, 0, 9);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, NULL), 1);
	assert_int_equal(c.res, 5);
	assert_string_equal(buf, "hello");
	aionl_ctx_close(ctx);
	close(fd);
	unlink(path);
}

static void test_kernel_backend_with_executor_is_einval(void **state)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL, .executor = AIONL_EXEC_THREADS };
	struct aionl_ctx *ctx;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EINVAL);
	p = (struct aionl_params){ .backend = 7 };
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EINVAL);
}

/*
 * Regression: aionl_probe asked the user backend about any executor it was
 * given, and said yes to AIONL_EXEC_KERNEL or 99 for it, where
 * aionl_ctx_open refuses them.
 */
static void test_probe_refuses_what_open_refuses(void **state)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_USER, .executor = AIONL_EXEC_KERNEL };
	struct aionl_ctx *ctx;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EINVAL);
	assert_int_equal(aionl_probe(AIONL_BACKEND_USER, AIONL_EXEC_KERNEL), -EINVAL);
	assert_int_equal(aionl_probe(AIONL_BACKEND_USER, (enum aionl_executor)99), -EINVAL);
	assert_int_equal(aionl_probe(AIONL_BACKEND_KERNEL, AIONL_EXEC_THREADS), -EINVAL);
	assert_int_equal(aionl_probe((enum aionl_backend)7, AIONL_EXEC_AUTO), -EINVAL);
	assert_int_equal(aionl_probe(AIONL_BACKEND_USER, AIONL_EXEC_THREADS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_auto_falls_back_to_threads_and_says_why, setup),
		cmocka_unit_test_setup(test_explicit_uring_is_an_error, setup),
		cmocka_unit_test_setup(test_fallback_engine_does_io, setup),
		cmocka_unit_test_setup(test_kernel_backend_with_executor_is_einval, setup),
		cmocka_unit_test_setup(test_probe_refuses_what_open_refuses, setup),
	};

	block_io_uring();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
