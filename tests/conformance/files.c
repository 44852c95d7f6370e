// SPDX-License-Identifier: MIT
/*
 * Conformance: the backend asked for, registering files, handles and the
 * EBADF cases, closing a context with I/O in flight, and signal handlers
 * that interrupt the calls that wait.
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <signal.h>
#include <stdatomic.h>

#include "common.h"

/* ------------------------------------------------------------ backend */

static void test_backend_is_the_one_asked_for(void **state)
{
	struct fixture *f = *state;
	const char *expect = getenv("AIONL_TEST_EXPECT");
	struct aionl_info info;
	char got[64];

	assert_int_equal(aionl_ctx_info(f->ctx, &info), 0);
	snprintf(got, sizeof(got), "%s%s%s", aionl_backend_name(info.backend),
		 info.backend == AIONL_BACKEND_USER ? "+" : "",
		 info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	if (expect)
		assert_string_equal(got, expect);
	assert_int_equal(info.version, AIONL_FAMILY_VERSION);
	assert_true(info.max_inflight > 0 && info.max_iov >= 1 && info.max_io_len > 0);
}

static void test_bad_environment_value_is_an_error(void **state)
{
	struct aionl_ctx *ctx;
	char *old = getenv("AIONL_EXECUTOR") ? strdup(getenv("AIONL_EXECUTOR")) : NULL;

	(void)state;
	setenv("AIONL_EXECUTOR", "turbo", 1);
	assert_int_equal(aionl_ctx_open(&ctx, NULL), -EINVAL);
	assert_non_null(strstr(aionl_error_message(), "turbo"));
	if (old)
		setenv("AIONL_EXECUTOR", old, 1);
	else
		unsetenv("AIONL_EXECUTOR");
	free(old);
}

/* ------------------------------------------------------------ files */

static void test_fd_may_be_closed_after_register(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_RDONLY);
	uint64_t h;
	char buf[64];
	struct aionl_req r;

	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &h), 0);
	close(fd);
	aionl_req_read(&r, h, buf, sizeof(buf), 64, 8);
	assert_int_equal(run(f->ctx, &r), sizeof(buf));
	assert_int_equal((unsigned char)buf[0], pattern(64));
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
}

static void test_unregistered_handle_is_ebadf(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_RDONLY);
	uint64_t h;
	char buf[64];
	struct aionl_req r;

	assert_int_equal(aionl_file_register(f->ctx, fd, &h), 0);
	close(fd);
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	assert_int_equal(aionl_file_unregister(f->ctx, h), -EBADF);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 9);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	/* A new file in the same slot must not answer to the old handle. */
	fd = open(f->path, O_RDONLY);
	assert_int_equal(aionl_file_register(f->ctx, fd, &r.handle), 0);
	close(fd);
	assert_true(r.handle != h);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 10);
	assert_int_equal(run(f->ctx, &r), -EBADF);
}

static void test_unknown_handle_is_ebadf(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	struct aionl_req r;

	aionl_req_read(&r, 0, buf, sizeof(buf), 0, 11);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, f->h ^ 0x12345, buf, sizeof(buf), 0, 12);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_fsync(&r, UINT64_MAX, 13);
	assert_int_equal(run(f->ctx, &r), -EBADF);
}

static void test_handle_of_another_socket_is_ebadf(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *other = open_ctx(0);
	uint64_t h;
	char buf[16];
	struct aionl_req r;

	assert_int_equal(aionl_file_register(other, f->fd, &h), 0);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 14);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 15);
	assert_int_equal(run(other, &r), -EBADF);
	aionl_ctx_close(other);
}

static void test_register_bad_fd_is_ebadf(void **state)
{
	struct fixture *f = *state;
	uint64_t h;
	int fd = dup(f->fd);

	close(fd);
	assert_int_equal(aionl_file_register(f->ctx, -1, &h), -EBADF);
	assert_int_equal(aionl_file_register(f->ctx, fd, &h), -EBADF);
	assert_non_null(strstr(aionl_error_message(), "fd"));
}

/*
 * A socket holding itself, or two holding each other, would never be
 * released: AIO sockets, and generic netlink sockets (which may become
 * one), are refused.
 */
static void test_an_aio_socket_cannot_be_registered(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *other = open_ctx(0);
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	uint64_t h;

	assert_int_equal(aionl_file_register(f->ctx, aionl_ctx_fd(f->ctx), &h), -EBADF);
	assert_int_equal(aionl_file_register(f->ctx, aionl_ctx_fd(other), &h), -EBADF);
	assert_int_equal(aionl_file_register(other, aionl_ctx_fd(f->ctx), &h), -EBADF);
	assert_true(nl >= 0);
	assert_int_equal(aionl_file_register(f->ctx, nl, &h), -EBADF);
	close(nl);
	/*
	 * Regression: no netlink socket at all. A transfer on one runs its
	 * protocol's handlers, and the module's inline attempt ran them with
	 * genetlink's lock held: rtnetlink's RTM_NEWLINK can load a module whose
	 * init waits for that lock, and every genetlink user stopped with it.
	 */
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	assert_true(nl >= 0);
	assert_int_equal(aionl_file_register(f->ctx, nl, &h), -EBADF);
	close(nl);
	/* Other sockets are files like any. */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(aionl_file_register(f->ctx, sv[0], &h), 0);
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	close(sv[0]);
	close(sv[1]);
	aionl_ctx_close(other);
}

static void test_write_to_read_only_file_is_ebadf(void **state)
{
	struct fixture *f = *state;
	int ro = open(f->path, O_RDONLY), wo = open(f->path, O_WRONLY);
	uint64_t hro, hwo;
	char buf[16] = "x";
	struct iovec iov = { buf, sizeof(buf) };
	struct aionl_req r;

	assert_int_equal(aionl_file_register(f->ctx, ro, &hro), 0);
	assert_int_equal(aionl_file_register(f->ctx, wo, &hwo), 0);
	aionl_req_write(&r, hro, buf, sizeof(buf), 0, 16);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_writev(&r, hro, &iov, 1, 0, 17);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, hwo, buf, sizeof(buf), 0, 18);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_readv(&r, hwo, &iov, 1, 0, 19);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	/* The file itself is untouched. */
	assert_int_equal(pread(f->fd, buf, 1, 0), 1);
	assert_int_equal((unsigned char)buf[0], pattern(0));
	close(ro);
	close(wo);
}

/* Regression: a read of a registered directory was -ESPIPE; read(2) says -EISDIR. */
static void test_a_read_of_a_directory_is_eisdir(void **state)
{
	struct fixture *f = *state;
	int dir = open(getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp",
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct aionl_req r;
	uint64_t h;

	assert_true(dir >= 0);
	assert_int_equal(aionl_file_register(f->ctx, dir, &h), 0);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 30);
	assert_int_equal(run(f->ctx, &r), -EISDIR);
	aionl_req_read(&r, h, buf, sizeof(buf), AIONL_OFFSET_STREAM, 31);
	assert_int_equal(run(f->ctx, &r), -EISDIR);
	aionl_req_readv(&r, h, &iov, 1, 4096, 32);
	assert_int_equal(run(f->ctx, &r), -EISDIR);
	/* Opened read-only, it cannot be written: -EBADF comes first, as write(2) has it. */
	aionl_req_write(&r, h, buf, sizeof(buf), 0, 33);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	close(dir);
}

/* ------------------------------------------------------------ signals */

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

/*
 * A signal caught while a call waits for its reply interrupts the wait, not
 * the call: the request was sent, and a program's timer must not make
 * opening a context or registering a file fail with -EINTR (nor leave a
 * file registered that the program never heard of).
 */
static void test_signals_do_not_interrupt_control_calls(void **state)
{
	struct fixture *f = *state;
	struct sigaction sa = { .sa_handler = on_tick }, old;	/* no SA_RESTART */
	struct itimerval every = { { 0, 50 }, { 0, 50 } }, off = { { 0, 0 }, { 0, 0 } };
	const char *failed = NULL;
	char why[256] = "";
	int err = 0;

	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &every, NULL);
	for (int round = 0; round < 2000 && ticks < 200 && !failed; round++) {
		struct aionl_ctx *ctx = NULL;
		uint64_t h;

		if ((err = aionl_file_register(f->ctx, f->fd, &h)))
			failed = "aionl_file_register";
		else if ((err = aionl_file_unregister(f->ctx, h)))
			failed = "aionl_file_unregister";
		else if (round % 50 == 0 && (err = aionl_ctx_open(&ctx, NULL)))
			failed = "aionl_ctx_open";
		if (failed)
			snprintf(why, sizeof(why), "%s", aionl_error_message());
		aionl_ctx_close(ctx);
	}
	/* Before anything can fail: the next tests run without the timer. */
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	if (failed)
		fail_msg("%s: %d %s", failed, err, why);
	assert_true(ticks > 0);
}

/* ------------------------------------------------------------ teardown paths */

static void test_close_with_io_in_flight(void **state)
{
	struct fixture *f = *state;

	for (int round = 0; round < 20; round++) {
		struct aionl_ctx *ctx = open_ctx(0);
		struct aionl_req r[256];
		static char bufs[256][4096];
		uint64_t h;

		assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
		for (int i = 0; i < 256; i++)
			aionl_req_read(&r[i], h, bufs[i], 4096, (uint64_t)i * 4096, i);
		submit(ctx, r, 256);
		aionl_ctx_close(ctx);
	}
}

/* ------------------------------------------------------------ signal handlers */

static atomic_int interrupts;

static void count_interrupt(int sig)
{
	(void)sig;
	atomic_fetch_add(&interrupts, 1);
}

struct interrupter {
	pthread_t target;
	atomic_bool stop;
};

static void *interrupt_loop(void *arg)
{
	struct interrupter *it = arg;

	while (!atomic_load(&it->stop)) {
		pthread_kill(it->target, SIGUSR1);
		usleep(20);
	}
	return NULL;
}

/*
 * A handler installed without SA_RESTART (as Python's are) interrupts the
 * system calls of the thread it runs in. The control calls wait for a reply
 * the server always sends: a signal must not make them fail, or lose the
 * reply, which would leave a file registered under a handle nobody knows.
 */
static void test_control_calls_are_not_interrupted_by_signals(void **state)
{
	struct fixture *f = *state;
	struct sigaction sa = { .sa_handler = count_interrupt }, old;
	struct interrupter it = { .target = pthread_self() };
	struct aionl_info info;
	pthread_t th;
	enum { ROUNDS = 3000 };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	atomic_store(&interrupts, 0);
	assert_int_equal(pthread_create(&th, NULL, interrupt_loop, &it), 0);
	char what[320] = "";
	for (int i = 0; i < ROUNDS && !what[0]; i++) {
		uint64_t h;

		if (aionl_file_register(f->ctx, f->fd, &h))
			snprintf(what, sizeof(what), "round %d: %s", i, aionl_error_message());
		else if (aionl_ctx_info(f->ctx, &info) || aionl_file_unregister(f->ctx, h))
			snprintf(what, sizeof(what), "round %d: %s", i, aionl_error_message());
	}
	atomic_store(&it.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	if (what[0])
		fail_msg("%s", what);
	/* The calls really were interrupted, many times. */
	assert_true(atomic_load(&interrupts) > 100);
	/* And the file table holds what it held: the fixture's file, working. */
	{
		struct aionl_req r;
		char buf[64];

		aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 77);
		assert_int_equal(run(f->ctx, &r), sizeof(buf));
	}
}

/*
 * A blocking reap is the one call a signal does end: with nothing reaped it
 * returns -EINTR, so the program's handler can act (PEP 475's contract, which
 * the Python bindings build on).
 */
static void test_a_blocking_reap_returns_eintr_to_a_handler(void **state)
{
	struct fixture *f = *state;
	struct sigaction sa = { .sa_handler = count_interrupt }, old;
	struct interrupter it = { .target = pthread_self() };
	struct aionl_cqe c;
	pthread_t th;
	int n;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	atomic_store(&interrupts, 0);
	assert_int_equal(pthread_create(&th, NULL, interrupt_loop, &it), 0);
	n = aionl_reap(f->ctx, &c, 1, 1, NULL);
	atomic_store(&it.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_int_equal(n, -EINTR);
	assert_true(atomic_load(&interrupts) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_is_the_one_asked_for, setup, teardown),
		cmocka_unit_test(test_bad_environment_value_is_an_error),
		cmocka_unit_test_setup_teardown(test_fd_may_be_closed_after_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregistered_handle_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_handle_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_of_another_socket_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_fd_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_aio_socket_cannot_be_registered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_to_read_only_file_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_read_of_a_directory_is_eisdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_do_not_interrupt_control_calls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_with_io_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_calls_are_not_interrupted_by_signals,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_blocking_reap_returns_eintr_to_a_handler, setup,
						teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
