// SPDX-License-Identifier: MIT
/*
 * What an unprivileged user must not get from aionl.ko, and what it must not
 * be able to do to it: one test per point of the security review, each of
 * which failed before its fix. Run inside the VM as root; the tests drop to
 * user nobody where the point is about privilege. AIONL_TEST_DIR names a
 * directory on a filesystem that refuses non-blocking buffered writes (ext4),
 * so that writes take the module's workqueue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "aionl.h"

#define NOBODY 65534
#define MS 1000000ULL

static char dir[256];

/* Checks in a forked child, where cmocka cannot be used: a message and exit 1. */
#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__,   \
				__LINE__, #cond, strerror(errno));                    \
			_exit(1);                                                     \
		}                                                                     \
	} while (0)

static struct aionl_ctx *open_kernel(void)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL };
	struct aionl_ctx *ctx = NULL;

	if (aionl_ctx_open(&ctx, &p)) {
		fprintf(stderr, "kernel backend: %s\n", aionl_error_message());
		_exit(1);
	}
	return ctx;
}

/* Run fn in a child, as user nobody if asked, and fail unless it exits 0. */
static void in_child(bool nobody, void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (nobody) {
			CHECK(setgroups(0, NULL) == 0);
			CHECK(setgid(NOBODY) == 0);
			CHECK(setuid(NOBODY) == 0);
		}
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the child failed (status %#x)", status);
}

/* One request to completion, in a child: its result. */
static int64_t child_run(struct aionl_ctx *ctx, struct aionl_req *r)
{
	struct aionl_cqe c;

	CHECK(aionl_submit(ctx, r, 1) == 1);
	CHECK(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 10, 0 }) == 1);
	CHECK(c.cookie == r->cookie);
	return c.res;
}

static void file_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* ------------------------------------------------------------ 1: POLLFREE */

static struct aionl_ctx *shared_ctx;

/* In a child: a POLL watch on the child's own signalfd, whose queue dies with it. */
static void poll_own_signalfd(void *arg)
{
	struct aionl_req r;
	sigset_t set;
	uint64_t h;
	int sfd;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	CHECK(sfd >= 0);
	CHECK(aionl_file_register(shared_ctx, sfd, &h) == 0);
	aionl_req_poll(&r, h, AIONL_POLL_IN, 0, 11);
	CHECK(aionl_submit(shared_ctx, &r, 1) == 1);
	/* Exiting frees the sighand, whose queue the watch sits on: POLLFREE. */
}

static void test_a_poll_watch_ends_when_its_queue_is_freed(void **state)
{
	struct aionl_cqe c;

	(void)state;
	shared_ctx = open_kernel();
	in_child(false, poll_own_signalfd, NULL);
	/* The watch ends; nothing is left on a freed queue (the VM scans for WARN). */
	assert_int_equal(aionl_reap(shared_ctx, &c, 1, 1, &(struct timespec){ 5, 0 }), 1);
	assert_true(c.cookie == 11);
	assert_int_equal(c.res, -ECANCELED);
	aionl_ctx_close(shared_ctx);
}

/* ------------------------------------------------------------ 2: credentials */

static void write_setuid_file(void *arg)
{
	struct aionl_ctx *ctx = open_kernel();
	const char *path = arg;
	struct aionl_req r;
	struct stat st;
	uint64_t h;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(fchmod(fd, 06777) == 0);
	CHECK(aionl_file_register(ctx, fd, &h) == 0);
	aionl_req_write(&r, h, "data", 4, 0, 21);
	CHECK(child_run(ctx, &r) == 4);
	CHECK(fstat(fd, &st) == 0);
	/* As write(2) by an unprivileged writer: setuid and setgid are gone. */
	if (st.st_mode & 06000)
		fprintf(stderr, "mode after the write: %o\n", st.st_mode & 07777);
	CHECK((st.st_mode & 07777) == 0777);
	aionl_ctx_close(ctx);
	close(fd);
}

static void test_writes_drop_setuid_bits_as_write_does(void **state)
{
	char path[512];

	(void)state;
	file_path(path, sizeof(path), "setuid");
	in_child(true, write_setuid_file, path);
	unlink(path);
}

static void write_past_fsize(void *arg)
{
	struct rlimit rl = { 4096, 4096 };
	struct aionl_ctx *ctx = open_kernel();
	const char *path = arg;
	static char buf[8192];
	struct aionl_req r;
	uint64_t h;
	int fd;

	signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, buf, 4096, 1 << 20) < 0 && errno == EFBIG);
	CHECK(aionl_file_register(ctx, fd, &h) == 0);
	aionl_req_write(&r, h, buf, 4096, 1 << 20, 22);
	CHECK(child_run(ctx, &r) == -EFBIG);
	/* Up to the limit, and no further: a short write, as write(2) makes. */
	aionl_req_write(&r, h, buf, sizeof(buf), 0, 23);
	CHECK(child_run(ctx, &r) == 4096);
	aionl_ctx_close(ctx);
	close(fd);
}

static void test_rlimit_fsize_applies_to_module_writes(void **state)
{
	char path[512];

	(void)state;
	file_path(path, sizeof(path), "fsize");
	in_child(true, write_past_fsize, path);
	unlink(path);
}

/* ------------------------------------------------------------ 3: signal watches */

/*
 * In a child: a watch of SIGUSR1 on the shared socket, then exec of a program
 * that raises SIGUSR1. The new image's signal must not reach the socket.
 */
static void watch_then_exec(void *arg)
{
	struct aionl_req r;
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	aionl_req_signal(&r, &set, 31);
	CHECK(aionl_submit(shared_ctx, &r, 1) == 1);
	execl("/bin/sh", "sh", "-c", "kill -USR1 $$; sleep 1", (char *)NULL);
	_exit(2);
}

static void test_a_signal_watch_ends_at_exec(void **state)
{
	struct aionl_cqe c;

	(void)state;
	shared_ctx = open_kernel();
	in_child(false, watch_then_exec, NULL);
	assert_int_equal(aionl_reap(shared_ctx, &c, 1, 1, &(struct timespec){ 5, 0 }), 1);
	assert_true(c.cookie == 31);
	/* Ended, and no siginfo of the new image. */
	assert_int_equal(c.res, -ESRCH);
	assert_int_equal(c.flags & (AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE), 0);
	aionl_ctx_close(shared_ctx);
}

static void *arm_and_exit(void *arg)
{
	struct aionl_req r;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	aionl_req_signal(&r, &set, 32);
	if (aionl_submit(arg, &r, 1) != 1)
		return (void *)1;
	return NULL;
}

static void test_a_signal_watch_ends_when_its_thread_exits(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_cqe c;
	pthread_t t;
	sigset_t set, old;
	void *ret;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	assert_int_equal(pthread_create(&t, NULL, arm_and_exit, ctx), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	kill(getpid(), SIGUSR1);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 5, 0 }), 1);
	assert_true(c.cookie == 32);
	assert_int_equal(c.res, -ESRCH);
	aionl_ctx_close(ctx);
	/* The signal stayed pending for the process: take it. */
	sigwaitinfo(&set, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ------------------------------------------------------------ 12: both queues */

/*
 * A FIFO opened for reading and writing polls two queues, its readers' first:
 * a watch on the first alone never hears that it became writable.
 */
static void test_pollout_and_stream_writes_on_a_full_fifo(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	static char junk[1 << 16];
	struct aionl_req r[2];
	struct aionl_cqe c[2];
	char path[512];
	uint64_t h;
	int fd, rd, n, got = 0;

	(void)state;
	file_path(path, sizeof(path), "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR | O_NONBLOCK);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0 && rd >= 0);
	while (write(fd, junk, sizeof(junk)) > 0)
		;
	assert_int_equal(aionl_file_register(ctx, fd, &h), 0);
	aionl_req_poll(&r[0], h, AIONL_POLL_OUT, 0, 41);
	aionl_req_write(&r[1], h, "x", 1, AIONL_OFFSET_STREAM, 42);
	assert_int_equal(aionl_submit(ctx, r, 2), 2);
	/*
	 * Both wait now: their first look at the FIFO, on the workqueue, has
	 * long been taken (it found the FIFO full).
	 */
	usleep(200000);
	assert_int_equal(aionl_reap(ctx, c, 2, 0, NULL), 0);
	/* Draining it wakes its writers' queue, the second one it polls. */
	while (read(rd, junk, sizeof(junk)) > 0)
		;
	while (got < 2) {
		n = aionl_reap(ctx, c, 2, 1, &(struct timespec){ 5, 0 });
		assert_true(n >= 1);
		for (int i = 0; i < n; i++, got++) {
			if (c[i].cookie == 41)
				assert_true(c[i].res & AIONL_POLL_OUT);
			else
				assert_int_equal(c[i].res, 1);
		}
	}
	aionl_ctx_close(ctx);
	close(fd);
	close(rd);
	unlink(path);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/aionl-sec-XXXXXX",
		 getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp");
	if (!mkdtemp(dir) || chmod(dir, 0777))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_poll_watch_ends_when_its_queue_is_freed),
		cmocka_unit_test(test_writes_drop_setuid_bits_as_write_does),
		cmocka_unit_test(test_rlimit_fsize_applies_to_module_writes),
		cmocka_unit_test(test_a_signal_watch_ends_at_exec),
		cmocka_unit_test(test_a_signal_watch_ends_when_its_thread_exits),
		cmocka_unit_test(test_pollout_and_stream_writes_on_a_full_fifo),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "kernel_security runs as root in the VM; skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
