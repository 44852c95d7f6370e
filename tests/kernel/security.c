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
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>

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

/* A raw generic netlink socket bound to portid, and the aionl family's id. */
static int raw_socket(uint32_t portid, uint16_t *family)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	const struct nlattr *a;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	assert_int_equal(send(fd, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	nlh = (struct nlmsghdr *)buf;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*family = mnl_attr_get_u16(a);
	return fd;
}

static struct nlmsghdr *raw_msg(char *buf, uint16_t family, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = AIONL_FAMILY_VERSION;
	return nlh;
}

/*
 * The library keeps a context to the process that opened it (after fork a
 * child may only close it), but the module serves a socket whoever holds it.
 * Children that act on a socket their parent opened speak the protocol raw.
 */
static uint64_t child_raw_register(int sock, uint16_t family, int fd)
{
	char buf[8192];
	struct nlmsghdr *nlh = raw_msg(buf, family, AIONL_CMD_REGISTER);
	const struct nlattr *a;
	ssize_t n;

	mnl_attr_put_u32(nlh, AIONL_A_REGISTER_FD, (uint32_t)fd);
	CHECK(send(sock, buf, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
	n = recv(sock, buf, sizeof(buf), 0);
	CHECK(n > 0 && nlh->nlmsg_type == family);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == AIONL_A_REGISTER_REPLY_HANDLE)
			return mnl_attr_get_u64(a);
	CHECK(!"a handle in the reply");
	return 0;
}

/* The final completion of cookie on a raw socket, within 5 s: its res and flags. */
static int64_t raw_wait_completion(int sock, uint16_t family, uint64_t cookie, uint32_t *flags)
{
	char buf[65536];

	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		ssize_t n;

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		n = recv(sock, buf, sizeof(buf), 0);
		assert_true(n > 0);
		for (; mnl_nlmsg_ok(nlh, (int)n); nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			const struct nlattr *a;
			uint64_t ck = UINT64_MAX;
			int64_t res = 0;
			uint32_t fl = 0;

			if (nlh->nlmsg_type != family)
				continue;
			mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_COOKIE)
					ck = mnl_attr_get_u64(a);
				else if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_RES)
					res = (int64_t)mnl_attr_get_u64(a);
				else if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_FLAGS)
					fl = mnl_attr_get_u32(a);
			}
			if (ck == cookie) {
				*flags = fl;
				return res;
			}
		}
	}
}

/* ------------------------------------------------------------ 1: POLLFREE */

static int shared_sock;
static uint16_t shared_family;

/* In a child: a POLL watch on the child's own signalfd, whose queue dies with it. */
static void poll_own_signalfd(void *arg)
{
	char buf[4096];
	struct nlmsghdr *nlh;
	sigset_t set;
	uint64_t h;
	int sfd;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	CHECK(sfd >= 0);
	h = child_raw_register(shared_sock, shared_family, sfd);
	nlh = raw_msg(buf, shared_family, AIONL_CMD_POLL);
	mnl_attr_put_u64(nlh, AIONL_A_POLL_COOKIE, 11);
	mnl_attr_put_u64(nlh, AIONL_A_POLL_HANDLE, h);
	mnl_attr_put_u32(nlh, AIONL_A_POLL_EVENTS, AIONL_POLL_IN);
	CHECK(send(shared_sock, buf, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
	/* Exiting frees the sighand, whose queue the watch sits on: POLLFREE. */
}

static void test_a_poll_watch_ends_when_its_queue_is_freed(void **state)
{
	uint32_t flags;

	(void)state;
	shared_sock = raw_socket(0, &shared_family);
	assert_true(shared_sock >= 0);
	in_child(false, poll_own_signalfd, NULL);
	/* The watch ends; nothing is left on a freed queue (the VM scans for WARN). */
	assert_int_equal(raw_wait_completion(shared_sock, shared_family, 11, &flags), -ECANCELED);
	close(shared_sock);
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
	char buf[4096];
	struct nlmsghdr *nlh = raw_msg(buf, shared_family, AIONL_CMD_SIGNAL);
	sigset_t set;

	(void)arg;
	/* As the library does for a watch: the signal is blocked in the watching thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_COOKIE, 31);
	mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_MASK, 1ULL << (SIGUSR1 - 1));
	CHECK(send(shared_sock, buf, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
	execl("/bin/sh", "sh", "-c", "kill -USR1 $$; sleep 1", (char *)NULL);
	_exit(2);
}

static void test_a_signal_watch_ends_at_exec(void **state)
{
	uint32_t flags;

	(void)state;
	shared_sock = raw_socket(0, &shared_family);
	assert_true(shared_sock >= 0);
	in_child(false, watch_then_exec, NULL);
	/* Ended, and no siginfo of the new image. */
	assert_int_equal(raw_wait_completion(shared_sock, shared_family, 31, &flags), -ESRCH);
	assert_int_equal(flags & (AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE), 0);
	close(shared_sock);
}

static pid_t armed_tid;

static void *arm_and_exit(void *arg)
{
	struct aionl_req r;
	sigset_t set;

	armed_tid = (pid_t)syscall(SYS_gettid);
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
	/* Joined is not gone: wait until the kernel has reaped the thread. */
	for (;;) {
		char task[64];
		struct stat st;

		snprintf(task, sizeof(task), "/proc/self/task/%d", armed_tid);
		if (stat(task, &st) < 0)
			break;
		usleep(1000);
	}
	kill(getpid(), SIGUSR1);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 5, 0 }), 1);
	assert_true(c.cookie == 32);
	assert_int_equal(c.res, -ESRCH);
	aionl_ctx_close(ctx);
	/* The signal stayed pending for the process: take it. */
	sigwaitinfo(&set, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * The same two ends, with no signal after them: the watch must end at the
 * exit or the exec itself. It ended only when a signal came next (its
 * task_work found the task gone), or with the process.
 */
static void test_a_signal_watch_ends_at_once_when_its_thread_exits(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_cqe c;
	pthread_t t;
	void *ret;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, arm_and_exit, ctx), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	/* No signal: the thread's exit alone ends the watch. */
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 3, 0 }), 1);
	assert_true(c.cookie == 32);
	assert_int_equal(c.res, -ESRCH);
	assert_int_equal(c.flags & (AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE), 0);
	aionl_ctx_close(ctx);
}

static void test_a_signal_watch_ends_at_once_at_exec(void **state)
{
	char buf[4096];
	struct nlmsghdr *nlh;
	uint32_t flags = 0;
	sigset_t set;
	int status;
	int64_t res;
	pid_t pid;

	(void)state;
	shared_sock = raw_socket(0, &shared_family);
	assert_true(shared_sock >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Raw, on the parent's socket: the library keeps a context to its opener. */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
		nlh = raw_msg(buf, shared_family, AIONL_CMD_SIGNAL);
		mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_COOKIE, 33);
		mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_MASK, 1ULL << (SIGUSR1 - 1));
		CHECK(send(shared_sock, buf, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
		/* A new image that raises nothing, and outlives the wait below. */
		execl("/bin/sleep", "sleep", "10", (char *)NULL);
		_exit(2);
	}
	res = raw_wait_completion(shared_sock, shared_family, 33, &flags);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(res, -ESRCH);
	assert_int_equal(flags & (AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE), 0);
	close(shared_sock);
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

/* ------------------------------------------------------------ 7 to 9: races */

/* The module's testing knobs (internal.h): where to stall, and how long. */
enum { DELAY_RELEASE = 1, DELAY_TIMER_UPDATE = 2, DELAY_SIGNAL = 4, DELAY_IO = 8 };

static unsigned int get_param(const char *name)
{
	char path[128];
	unsigned int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/aionl/parameters/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%u", &v), 1);
	fclose(f);
	return v;
}

static void set_param(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/aionl/parameters/%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%u\n", v);
	fclose(f);
}

static void set_param_int(const char *name, int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/aionl/parameters/%s", name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", v);
	fclose(f);
}

static void set_delay(unsigned int at, unsigned int ms)
{
	set_param("debug_delay_at", at);
	set_param("debug_delay_ms", ms);
}

/* 8: TIMER_UPDATE stalls with the timer found while the timer expires and ends. */
static void test_timer_update_racing_its_expiry(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_req r[2];
	struct aionl_cqe c[2];
	int got = 0;

	(void)state;
	set_delay(DELAY_TIMER_UPDATE, 100);
	aionl_req_timer(&r[0], CLOCK_MONOTONIC, 5 * MS, 0, 0, 81);
	aionl_req_timer_update(&r[1], 81, 500 * MS, 0, 0, 82);
	assert_int_equal(aionl_submit(ctx, r, 2), 2);
	set_delay(0, 0);
	while (got < 2) {
		int n = aionl_reap(ctx, c, 2, 1, &(struct timespec){ 5, 0 });

		assert_true(n >= 1);
		for (int i = 0; i < n; i++, got++) {
			if (c[i].cookie == 82)
				assert_int_equal(c[i].res, 0);
			else
				assert_true(c[i].cookie == 81 && c[i].res == 1);
		}
	}
	aionl_ctx_close(ctx);
}

struct sig_race {
	struct aionl_ctx *ctx;
	pid_t tid;
	int armed;
};

static void *watch_and_sleep(void *arg)
{
	struct sig_race *s = arg;
	struct aionl_req r;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	aionl_req_signal(&r, &set, 71);
	s->tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&s->armed, aionl_submit(s->ctx, &r, 1), __ATOMIC_RELEASE);
	/* The signal's task_work runs on the way out of this sleep, and stalls. */
	usleep(800000);
	return NULL;
}

/* 7: the socket closes while its watch's task_work is about to post a signal. */
static void test_close_racing_a_signal_being_posted(void **state)
{
	struct sig_race s = { .ctx = open_kernel() };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, watch_and_sleep, &s), 0);
	while (!__atomic_load_n(&s.armed, __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_int_equal(s.armed, 1);
	set_delay(DELAY_SIGNAL, 300);
	assert_int_equal(syscall(SYS_tgkill, getpid(), s.tid, SIGUSR2), 0);
	usleep(100000);
	aionl_ctx_close(s.ctx);	/* while the task_work stalls */
	assert_int_equal(pthread_join(t, NULL), 0);
	set_delay(0, 0);
}

/* The first u64 attribute type of the first aionl message on fd. */
static uint64_t raw_recv_u64(int fd, uint16_t family, uint16_t type, int *found)
{
	char buf[8192];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlattr *a;
	uint64_t v = 0;

	*found = 0;
	do {
		assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	} while (nlh->nlmsg_type != family);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == type) {
			v = mnl_attr_get_u64(a);
			*found = 1;
		}
	}
	return v;
}

static void *close_in_thread(void *arg)
{
	close((int)(intptr_t)arg);	/* the release stalls before it finds the state */
	return NULL;
}

/*
 * 9: netlink frees a portid before it tells the module the socket is gone. A
 * new socket bound to that portid in between must not find the old one's
 * state, nor its files.
 */
static void test_a_reused_portid_gets_nothing_of_the_old_socket(void **state)
{
	uint32_t portid = 0x7f000000u | ((uint32_t)getpid() & 0xffff);
	char buf[4096], data[16];
	struct nlmsghdr *nlh;
	uint16_t family = 0;
	uint64_t handle;
	int a, b, found;
	pthread_t t;
	int64_t res;

	(void)state;
	a = raw_socket(portid, &family);
	assert_true(a >= 0 && family);
	nlh = raw_msg(buf, family, AIONL_CMD_REGISTER);
	mnl_attr_put_u32(nlh, AIONL_A_REGISTER_FD, (uint32_t)open("/proc/self/exe", O_RDONLY));
	assert_int_equal(send(a, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	handle = raw_recv_u64(a, family, AIONL_A_REGISTER_REPLY_HANDLE, &found);
	assert_true(found);

	set_delay(DELAY_RELEASE, 500);
	assert_int_equal(pthread_create(&t, NULL, close_in_thread, (void *)(intptr_t)a), 0);
	usleep(100000);
	b = raw_socket(portid, &family);
	assert_true(b >= 0);	/* the portid is free again already */
	nlh = raw_msg(buf, family, AIONL_CMD_READ);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_COOKIE, 91);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_HANDLE, handle);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_OFFSET, 0);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_ADDR, (uintptr_t)data);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_LEN, sizeof(data));
	assert_int_equal(send(b, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	res = (int64_t)raw_recv_u64(b, family, AIONL_A_COMPLETION_RES, &found);
	assert_true(found);
	/* The handle is the old socket's: unknown here. */
	assert_int_equal(res, -EBADF);
	assert_int_equal(pthread_join(t, NULL), 0);
	set_delay(0, 0);
	close(b);
}

/*
 * 9, the other half: a completion that finishes in that window belongs to
 * the old socket. Sent by port id, it reached the new socket, which then
 * read a cookie it never used.
 */
static void test_a_reused_portid_receives_no_completion_of_the_old_socket(void **state)
{
	uint32_t portid = 0x7e000000u | ((uint32_t)getpid() & 0xffff);
	struct timespec end, now;
	char buf[8192];
	struct nlmsghdr *nlh;
	uint16_t family = 0;
	pthread_t t;
	int a, b;

	(void)state;
	a = raw_socket(portid, &family);
	assert_true(a >= 0 && family);
	nlh = raw_msg(buf, family, AIONL_CMD_TIMER);
	mnl_attr_put_u64(nlh, AIONL_A_TIMER_COOKIE, 92);
	mnl_attr_put_u32(nlh, AIONL_A_TIMER_CLOCK, CLOCK_MONOTONIC);
	mnl_attr_put_u64(nlh, AIONL_A_TIMER_VALUE_NS, 300 * MS);	/* fires in the window */
	assert_int_equal(send(a, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);

	set_delay(DELAY_RELEASE, 900);
	assert_int_equal(pthread_create(&t, NULL, close_in_thread, (void *)(intptr_t)a), 0);
	usleep(100000);
	b = raw_socket(portid, &family);
	assert_true(b >= 0);	/* the portid is free again already */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 2;	/* past the timer and past the release */
	for (;;) {
		struct pollfd pfd = { .fd = b, .events = POLLIN };
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = recv(b, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			nlh = (struct nlmsghdr *)buf;
			fprintf(stderr, "the new socket received type %u (family %u)\n",
				nlh->nlmsg_type, family);
			assert_true(nlh->nlmsg_type != family);
		}
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	set_delay(0, 0);
	close(b);
}


static double mono_s(void);

/*
 * Caught by a review: a release waited for its socket's I/O inside netlink's
 * NETLINK_URELEASE notifier, in the task that closed it. I/O stuck in a
 * filesystem (a FUSE daemon that was the closing process itself) then left
 * that task in D state and the notifier chain held, so rmmod, and any
 * module registering a netlink notifier, waited too. Here a worker's fsync
 * stalls 3 s: close() returns at once, and the release finishes on its own
 * once the I/O does (the module's slab check after rmmod sees it did).
 */
static void test_a_release_waits_for_its_io_off_the_closing_task(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	char path[300];
	struct aionl_req r;
	uint64_t h;
	double t0, closed;
	int fd;

	(void)state;
	file_path(path, sizeof(path), "release-io");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(ctx, fd, &h), 0);
	set_delay(DELAY_IO, 3000);
	aionl_req_fsync(&r, h, 93);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	usleep(200000);		/* the worker is in it */
	t0 = mono_s();
	aionl_ctx_close(ctx);
	closed = mono_s() - t0;
	set_delay(0, 0);
	sleep(3);		/* the worker, then the release, end */
	close(fd);
	unlink(path);
	fprintf(stderr, "close took %.3f s\n", closed);
	assert_true(closed < 1.5);
}

static void child_opens_with(void *arg)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL };
	struct aionl_ctx *ctx = NULL;
	int want = *(int *)arg, err = aionl_ctx_open(&ctx, &p);

	if (err != want) {
		fprintf(stderr, "child uid %d: open gave %d (%s), want %d\n", (int)getuid(), err,
			err ? aionl_error_message() : "", want);
		_exit(1);
	}
	if (ctx)
		aionl_ctx_close(ctx);
}

/*
 * Caught by a review: an administrator could not keep the module loaded and
 * restrict it, as kernel.io_uring_disabled and io_uring_group restrict
 * io_uring. The parameter disabled: 1 leaves it to CAP_SYS_ADMIN and the
 * group allowed_gid, 2 to nobody; every request is checked.
 */
static void test_disabled_restricts_who_may_use_the_family(void **state)
{
	int ok = 0, eperm = -EPERM;

	(void)state;
	set_param("disabled", 1);
	in_child(false, child_opens_with, &ok);		/* root has CAP_SYS_ADMIN */
	in_child(true, child_opens_with, &eperm);
	set_param_int("allowed_gid", NOBODY);
	in_child(true, child_opens_with, &ok);		/* nobody is in the group */
	set_param("disabled", 2);
	in_child(false, child_opens_with, &eperm);
	set_param("disabled", 0);
	set_param_int("allowed_gid", -1);
	in_child(true, child_opens_with, &ok);
}

/*
 * Caught by a review: an OPEN runs in a kworker, where /proc/self names the
 * kworker, a thread group of its own that passes ptrace_may_access for
 * itself: /proc/self/ns/net handed out the initial network namespace, and
 * /proc/self/attr/ the kworker's LSM attributes. No file of procfs or nsfs
 * comes out of an OPEN; the program opens those itself.
 */
static void child_opens_no_proc_files(void *arg)
{
	static const char *const paths[] = { "/proc/self/ns/net", "/proc/thread-self/ns/mnt",
					      "/proc/self/status", "/proc/self/attr/current" };
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_req r;

	(void)arg;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int64_t res;

		aionl_req_open(&r, AIONL_AT_CWD, paths[i], O_RDONLY, 0, 0, 95);
		res = child_run(ctx, &r);
		if (res != -EPERM && res != -ENOENT) {
			fprintf(stderr, "child: OPEN %s gave %lld\n", paths[i], (long long)res);
			_exit(1);
		}
	}
	/* Other files still open. */
	aionl_req_open(&r, AIONL_AT_CWD, "/", O_RDONLY | O_DIRECTORY, 0, 0, 96);
	CHECK(child_run(ctx, &r) == 0);
	aionl_ctx_close(ctx);
}

static void test_an_open_hands_out_no_file_of_the_worker(void **state)
{
	(void)state;
	in_child(true, child_opens_no_proc_files, NULL);
}

/*
 * Caught by a review: each socket's own workqueues (its OPENs', a bound
 * socket's I/O) may each hold kworkers in a filesystem, kernel threads that
 * no user limit counts, and sockets are cheap. A user's sockets have at most
 * max_user_queues of them: past it BIND is -EAGAIN, and OPENs run on the
 * shared workqueue, which bounds everyone's together.
 */
static void child_binds_past_its_queues(void *arg)
{
	struct aionl_ctx *ctx[3] = { NULL };
	struct aionl_req r;

	(void)arg;
	for (int i = 0; i < 3; i++) {
		struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL, .bind_path = "/" };
		int err = aionl_ctx_open(&ctx[i], &p);

		if (err != (i < 2 ? 0 : -EAGAIN)) {
			fprintf(stderr, "child: bound socket %d: %d (%s)\n", i, err,
				aionl_error_message());
			_exit(1);
		}
	}
	/* An OPEN of a socket that has no queue left runs all the same. */
	ctx[2] = open_kernel();
	aionl_req_open(&r, AIONL_AT_CWD, "/", O_RDONLY | O_DIRECTORY, 0, 0, 97);
	CHECK(child_run(ctx[2], &r) == 0);
	for (int i = 0; i < 3; i++)
		aionl_ctx_close(ctx[i]);
}

static void test_a_users_sockets_have_bounded_queues(void **state)
{
	(void)state;
	set_param("max_user_queues", 2);
	in_child(true, child_binds_past_its_queues, NULL);
	/* Closed sockets give their queues back, once their releases ran. */
	sleep(2);
	in_child(true, child_binds_past_its_queues, NULL);
	set_param("max_user_queues", 128);
}

/* ------------------------------------------------------------ 4: bounded memory */

/* The smallest receive buffer: a message or two, then the module must hold the rest. */
static void shrink_rcvbuf(int fd)
{
	int one = 1;

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)), 0);
}

/*
 * Reap from ctx until the completions of cookie add up to want (their res
 * summed, or or'ed when or_them), for at most 10 s: how many it took.
 */
static int reap_until(struct aionl_ctx *ctx, uint64_t cookie, int64_t want, bool or_them,
		      int64_t *got)
{
	struct timespec end, now;
	int count = 0;

	*got = 0;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 10;
	while (or_them ? (*got & want) != want : *got < want) {
		struct aionl_cqe c[64];
		int n = aionl_reap(ctx, c, 64, 0, &(struct timespec){ 0, 100 * 1000000 });

		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			if (c[i].cookie != cookie)
				continue;
			assert_true(c[i].res > 0);
			*got = or_them ? (*got | c[i].res) : *got + c[i].res;
			count++;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))
			break;
	}
	return count;
}

static void cancel_cookie(struct aionl_ctx *ctx, uint64_t target, uint64_t cookie)
{
	struct aionl_req r;

	aionl_req_cancel(&r, target, 0, cookie);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
}

/*
 * GET_INFO and the other control requests queue a reply each: without a
 * limit, a socket that never reads grew the module's memory without bound.
 */
static void test_control_requests_count_against_the_limit(void **state)
{
	unsigned int old = get_param("max_inflight");
	int fd, replies = 0, busy = 0;
	uint16_t family = 0;
	char buf[8192];

	(void)state;
	set_param("max_inflight", 32);
	fd = raw_socket(0, &family);
	assert_true(fd >= 0);
	shrink_rcvbuf(fd);
	for (int i = 0; i < 500; i++) {
		struct nlmsghdr *nlh = raw_msg(buf, family, AIONL_CMD_GET_INFO);

		nlh->nlmsg_seq = (uint32_t)i + 1;
		assert_int_equal(send(fd, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	}
	/* Now read it all, as slowly as the module resends into the small buffer. */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
				    &(struct timeval){ .tv_usec = 500000 },
				    sizeof(struct timeval)), 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

		if (n < 0 && errno == ENOBUFS)
			continue;	/* the module's sends that found it full: it resends */
		if (n <= 0)
			break;
		for (; mnl_nlmsg_ok(nlh, (int)n); nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			if (nlh->nlmsg_type == family)
				replies++;
			else if (nlh->nlmsg_type == NLMSG_ERROR &&
				 ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error ==
					 -EBUSY)
				busy++;
		}
	}
	close(fd);
	set_param("max_inflight", old);
	/* What the receive buffer held, and at most the limit more. */
	assert_true(replies > 0);
	assert_true(replies <= 32 + 16);
	(void)busy;	/* errors are acks, which a full buffer may drop */
}

/*
 * A periodic timer nobody reads: its expirations add up in one entry. Read
 * raw, since the library folds a timer's completions itself.
 */
static void test_an_unread_periodic_timer_holds_one_entry(void **state)
{
	uint16_t family = 0;
	uint64_t sum = 0;
	int fd, n = 0;
	char buf[8192];
	struct nlmsghdr *nlh;

	(void)state;
	fd = raw_socket(0, &family);
	assert_true(fd >= 0);
	shrink_rcvbuf(fd);
	nlh = raw_msg(buf, family, AIONL_CMD_TIMER);
	mnl_attr_put_u64(nlh, AIONL_A_TIMER_COOKIE, 51);
	mnl_attr_put_u32(nlh, AIONL_A_TIMER_CLOCK, CLOCK_MONOTONIC);
	mnl_attr_put_u64(nlh, AIONL_A_TIMER_VALUE_NS, MS);
	mnl_attr_put_u64(nlh, AIONL_A_TIMER_INTERVAL_NS, MS);	/* every 1 ms */
	assert_int_equal(send(fd, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	sleep(2);
	/* About 2,000 expirations by now: a handful of completions say them all. */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
				    &(struct timeval){ .tv_usec = 200000 },
				    sizeof(struct timeval)), 0);
	while (sum < 1000 && n < 5000) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;

		if (len < 0 && errno == ENOBUFS)
			continue;
		assert_true(len > 0);
		for (; mnl_nlmsg_ok(m, (int)len); m = mnl_nlmsg_next(m, (int *)&len)) {
			const struct nlattr *a;

			if (m->nlmsg_type != family)
				continue;
			mnl_attr_for_each(a, m, GENL_HDRLEN)
				if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_RES)
					sum += mnl_attr_get_u64(a);
			n++;
		}
	}
	close(fd);
	print_message("%d completions said %llu expirations\n", n, (unsigned long long)sum);
	assert_true(sum >= 1000);
	assert_true(n <= 20);
}

/* A multishot poll nobody reads: its events merge. */
static void test_an_unread_multishot_poll_holds_one_entry(void **state)
{
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_req r;
	int p[2], n;
	int64_t got;
	uint64_t h;

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	shrink_rcvbuf(aionl_ctx_fd(ctx));
	assert_int_equal(aionl_file_register(ctx, p[0], &h), 0);
	aionl_req_poll(&r, h, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, 53);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(write(p[1], "x", 1), 1);
		if (i % 100 == 0)
			usleep(10000);	/* let the module's work run in between */
	}
	usleep(200000);
	n = reap_until(ctx, 53, AIONL_POLL_IN, true, &got);
	assert_true(got & AIONL_POLL_IN);
	/* Drained, the rest comes out; there is little of it. */
	usleep(200000);
	n += reap_until(ctx, 53, 1LL << 40, true, &got);
	assert_true(n <= 20);
	cancel_cookie(ctx, 53, 54);
	aionl_ctx_close(ctx);
	close(p[0]);
	close(p[1]);
}

/*
 * A standard signal sent again while its completion waits merges into it,
 * as the kernel's own pending set does; queued real-time signals past the
 * socket's limit stay pending for the process, and the watch ends with
 * -EOVERFLOW.
 */
static void test_signals_merge_or_end_the_watch_when_unread(void **state)
{
	unsigned int old = get_param("max_inflight");
	struct aionl_ctx *ctx;
	struct aionl_req r;
	sigset_t set, old_mask;
	int64_t got;
	int n, overflow = 0, rt = 0;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &set, &old_mask);

	ctx = open_kernel();
	shrink_rcvbuf(aionl_ctx_fd(ctx));
	sigdelset(&set, SIGRTMIN);
	aionl_req_signal(&r, &set, 61);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	for (int i = 0; i < 500; i++)
		kill(getpid(), SIGUSR1);
	n = reap_until(ctx, 61, 1LL << 40, false, &got);
	assert_true(n >= 1);
	assert_true(n <= 20);
	cancel_cookie(ctx, 61, 62);
	aionl_ctx_close(ctx);

	set_param("max_inflight", 16);
	ctx = open_kernel();
	shrink_rcvbuf(aionl_ctx_fd(ctx));
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	aionl_req_signal(&r, &set, 63);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	for (int i = 0; i < 100; i++)
		assert_int_equal(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i }), 0);
	for (int tries = 0; tries < 100 && !overflow; tries++) {
		struct aionl_cqe c[16];
		int k = aionl_reap(ctx, c, 16, 0, &(struct timespec){ 0, 100 * 1000000 });

		assert_true(k >= 0);
		for (int i = 0; i < k; i++) {
			assert_true(c[i].cookie == 63);
			if (c[i].flags & AIONL_CQE_F_MORE)
				rt++;
			else if (c[i].res == -EOVERFLOW)
				overflow = 1;
		}
	}
	aionl_ctx_close(ctx);
	set_param("max_inflight", old);
	assert_true(overflow);
	assert_true(rt < 100);
	/* What the socket could not hold is still the process's. */
	assert_int_equal(sigtimedwait(&set, NULL, &(struct timespec){ 0 }), SIGRTMIN);
	while (sigtimedwait(&set, NULL, &(struct timespec){ 0 }) > 0)
		;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	while (sigtimedwait(&set, NULL, &(struct timespec){ 0 }) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
}

/* ------------------------------------------------------------ 6: registrations */

/* A raw REGISTER of fd on fd sock: the reply's result. */
static int64_t raw_register(int sock, uint16_t family, int fd)
{
	char buf[4096];
	struct nlmsghdr *nlh = raw_msg(buf, family, AIONL_CMD_REGISTER);
	const struct nlattr *a;
	int64_t res = -1000;

	mnl_attr_put_u32(nlh, AIONL_A_REGISTER_FD, (uint32_t)fd);
	CHECK(send(sock, buf, nlh->nlmsg_len, 0) == (ssize_t)nlh->nlmsg_len);
	do {
		CHECK(recv(sock, buf, sizeof(buf), 0) > 0);
	} while (nlh->nlmsg_type != family);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == AIONL_A_REGISTER_REPLY_RES)
			res = (int64_t)mnl_attr_get_u64(a);
	return res;
}

/*
 * A socket that held itself stayed in /proc/net/netlink, with its files,
 * after its process exited: nothing could release it but rmmod.
 */
static void test_a_socket_cannot_hold_itself(void **state)
{
	uint16_t family = 0;
	int a, b;

	(void)state;
	a = raw_socket(0, &family);
	b = raw_socket(0, &family);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(raw_register(a, family, a), -EBADF);
	assert_int_equal(raw_register(a, family, b), -EBADF);
	assert_int_equal(raw_register(b, family, a), -EBADF);
	close(a);
	close(b);
}

static void register_past_nofile(void *arg)
{
	struct rlimit rl = { 64, 64 };
	uint16_t family = 0;
	int sock, fd, ok = 0, emfile = 0;

	(void)arg;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	sock = raw_socket(0, &family);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	CHECK(sock >= 0 && fd >= 0);
	for (int i = 0; i < 200; i++) {
		int64_t res = raw_register(sock, family, fd);

		if (res == 0)
			ok++;
		else if (res == -EMFILE)
			emfile++;
		else
			CHECK(!"an unexpected result");
	}
	CHECK(ok == 64);
	CHECK(emfile == 136);
	close(sock);
}

/* One socket held 2^20 files, far past what its process could have open. */
static void test_registrations_stop_at_rlimit_nofile(void **state)
{
	(void)state;
	in_child(true, register_past_nofile, NULL);
}

/* ------------------------------------------------------------ 10: timer storm */

/* Local timer interrupts so far, on every CPU. */
static uint64_t timer_interrupts(void)
{
	char line[4096];
	uint64_t sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "LOC:", 4))
			continue;
		p += 4;
		for (;;) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
	}
	fclose(f);
	return sum;
}

/* Timer interrupts during 500 ms with a periodic timer of this period armed and unread. */
static uint64_t interrupts_with_timer(uint64_t period_ns)
{
	struct aionl_ctx *ctx = period_ns ? open_kernel() : NULL;
	struct aionl_req r;
	uint64_t before;

	if (ctx) {
		shrink_rcvbuf(aionl_ctx_fd(ctx));
		aionl_req_timer(&r, CLOCK_MONOTONIC, period_ns, period_ns, 0, 71);
		assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	}
	usleep(100000);		/* its completions fill the receive buffer */
	before = timer_interrupts();
	usleep(500000);
	before = timer_interrupts() - before;
	if (ctx)
		aionl_ctx_close(ctx);
	return before;
}

/*
 * A 1 ns period re-armed the hrtimer from its own interrupt at every expiry
 * ("hrtimer: interrupt took 9211750 ns"), read or not. Now a periodic timer
 * is re-armed when its completion reaches the socket, as timerfd re-arms at
 * read: one that nobody reads stops, whatever its period, and a 1 ns one
 * costs what a 1 ms one does.
 */
static void test_an_unread_1ns_timer_stops_firing(void **state)
{
	uint64_t idle, ms, ns;

	(void)state;
	idle = interrupts_with_timer(0);
	ms = interrupts_with_timer(MS);
	ns = interrupts_with_timer(1);
	print_message("timer interrupts in 500 ms: %llu idle, %llu with a 1 ms timer, "
		      "%llu with a 1 ns timer\n", (unsigned long long)idle,
		      (unsigned long long)ms, (unsigned long long)ns);
	/*
	 * What remains is the module's retry of the full receive buffer, every
	 * jiffy, the same for every period.
	 */
	assert_true(ns <= ms + ms / 2 + 50);
	assert_true(ns <= idle + 400);
}

/* ------------------------------------------------------------ 5, 15: pinned pages */

/* This process's resident memory, in KiB. */
static long vm_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

#define WAIT_BUF (256u << 20)

/*
 * As nobody, with RLIMIT_MEMLOCK at 64 KiB: a read waiting on an empty pipe
 * into a 256 MiB buffer never touched, and another into a shared mapping of
 * a file. The module pinned both buffers for as long as the reads waited
 * (faulting in every page, charged to nobody), and a file's pinned pages
 * stay out of writeback's reach.
 */
static void wait_on_an_empty_pipe(void *arg)
{
	struct rlimit rl = { 64 << 10, 64 << 10 };
	struct aionl_ctx *ctx;
	struct aionl_req r[2];
	struct aionl_cqe c[2];
	char path[512];
	long before, after;
	uint64_t h;
	int p[2], fd;
	void *anon, *shared;

	(void)arg;
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	ctx = open_kernel();
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK(aionl_file_register(ctx, p[0], &h) == 0);
	file_path(path, sizeof(path), "shared");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 16 << 20) == 0);
	anon = mmap(NULL, WAIT_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(anon != MAP_FAILED && shared != MAP_FAILED);
	before = vm_rss_kib();
	aionl_req_read(&r[0], h, anon, WAIT_BUF, AIONL_OFFSET_STREAM, 21);
	aionl_req_read(&r[1], h, shared, 16 << 20, AIONL_OFFSET_STREAM, 22);
	CHECK(aionl_submit(ctx, r, 2) == 2);
	usleep(300000);
	after = vm_rss_kib();
	fprintf(stderr, "resident: %ld KiB before the reads, %ld KiB while they wait\n", before,
		after);
	CHECK(aionl_reap(ctx, c, 2, 0, NULL) == 0);	/* both still waiting */
	CHECK(after - before < (8 << 10));
	/* Data arrives: one of the reads takes it, from a worker, in its buffer. */
	CHECK(write(p[1], "hello", 5) == 5);
	CHECK(aionl_reap(ctx, c, 1, 1, &(struct timespec){ 10, 0 }) == 1);
	fprintf(stderr, "cookie %llu res %lld\n", (unsigned long long)c[0].cookie,
		(long long)c[0].res);
	CHECK(c[0].res == 5);
	CHECK(!memcmp(c[0].cookie == 21 ? anon : shared, "hello", 5));
	aionl_ctx_close(ctx);
	close(fd);
	unlink(path);
}

static void test_a_waiting_read_holds_no_pages(void **state)
{
	(void)state;
	in_child(true, wait_on_an_empty_pipe, NULL);
}

/* ------------------------------------------------------------ 14: faults under genetlink */

struct uffd_submit {
	struct aionl_ctx *ctx;
	struct aionl_req r;
	int done;
};

static void *submit_in_thread(void *arg)
{
	struct uffd_submit *u = arg;

	__atomic_store_n(&u->done, aionl_submit(u->ctx, &u->r, 1) == 1 ? 1 : -1,
			 __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A read, sent to the module, into a buffer whose page faults wait for a
 * userfaultfd (or a FUSE server) to serve them. The module copied inline,
 * faulting inside genetlink's receive path with its cb_lock held: the
 * sendmsg waited for the fault, and so would any genetlink family's
 * registration. Now the inline copy never faults: sendmsg returns, and a
 * worker waits for the fault instead.
 */
static void test_a_faulting_buffer_does_not_hold_the_sender(void **state)
{
	struct aionl_params prm = { .backend = AIONL_BACKEND_KERNEL,
				    .flags = AIONL_PARAMS_NO_INLINE };
	struct uffd_submit u = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffd_msg msg;
	char path[512], data[4096], *buf;
	struct aionl_cqe c;
	struct pollfd pfd;
	bool prompt = false;
	uint64_t h;
	pthread_t t;
	int fd, uffd;

	(void)state;
	file_path(path, sizeof(path), "uffd");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(data, 'u', sizeof(data));
	assert_int_equal(pwrite(fd, data, sizeof(data), 0), sizeof(data));
	assert_int_equal(pread(fd, data, sizeof(data), 0), sizeof(data));	/* cached */
	assert_int_equal(aionl_ctx_open(&u.ctx, &prm), 0);
	assert_int_equal(aionl_file_register(u.ctx, fd, &h), 0);

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		fail_msg("userfaultfd: %s", strerror(errno));
	assert_int_equal(ioctl(uffd, UFFDIO_API, &api), 0);
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	reg.range.start = (uintptr_t)buf;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	assert_int_equal(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);

	aionl_req_read(&u.r, h, buf, 4096, 0, 23);
	assert_int_equal(pthread_create(&t, NULL, submit_in_thread, &u), 0);
	for (int i = 0; i < 200 && !prompt; i++) {
		prompt = __atomic_load_n(&u.done, __ATOMIC_ACQUIRE) != 0;
		usleep(10000);
	}
	/* Serve the fault, wherever it waits, so that nothing stays stuck. */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(uffd, &msg, sizeof(msg)), sizeof(msg));
	assert_int_equal(msg.event, UFFD_EVENT_PAGEFAULT);
	{
		static char zero[4096];
		struct uffdio_copy cp = { .dst = (uintptr_t)buf, .src = (uintptr_t)zero,
					  .len = 4096 };

		assert_int_equal(ioctl(uffd, UFFDIO_COPY, &cp), 0);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(u.done, 1);
	assert_true(prompt);
	assert_int_equal(aionl_reap(u.ctx, &c, 1, 1, &(struct timespec){ 10, 0 }), 1);
	assert_true(c.cookie == 23 && c.res == 4096);
	assert_memory_equal(buf, data, 4096);
	aionl_ctx_close(u.ctx);
	close(uffd);
	close(fd);
	unlink(path);
}

/* ------------------------------------------------------------ the leak check's reach */

/* Active objects of a slab cache, as /proc/slabinfo counts them; -1 if none. */
static long slab_active(const char *cache)
{
	char line[512], name[64];
	long active = -1, n;
	FILE *f = fopen("/proc/slabinfo", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &n) == 2 && !strcmp(name, cache))
			active = n;
	fclose(f);
	return active;
}

#define CACHE_WATCHES 200

/*
 * Watches come from the module's own cache, as requests do: the VM test's
 * leak check (the module's caches must be gone after rmmod, which they are
 * not while an object is left) covers them. They were kmalloc'ed, among
 * everyone's objects. The VM boots with slab_nomerge, so the cache shows
 * under its name.
 */
static void test_watches_come_from_their_own_cache(void **state)
{
	struct aionl_req r[CACHE_WATCHES];
	struct aionl_ctx *ctx;
	long before, armed, after;
	int i;

	(void)state;
	before = slab_active("aionl_watch");
	if (before < 0)
		fail_msg("no aionl_watch slab cache");
	ctx = open_kernel();
	for (i = 0; i < CACHE_WATCHES; i++)
		aionl_req_timer(&r[i], CLOCK_MONOTONIC, 3600 * 1000 * MS, 0, 0, 300 + i);
	assert_int_equal(aionl_submit(ctx, r, CACHE_WATCHES), CACHE_WATCHES);
	armed = slab_active("aionl_watch");
	/* The close ends them, and frees them before it returns. */
	aionl_ctx_close(ctx);
	after = slab_active("aionl_watch");
	fprintf(stderr, "aionl_watch objects: %ld before, %ld armed, %ld after the close\n",
		before, armed, after);
	assert_true(armed - before >= CACHE_WATCHES);
	assert_true(after - before < CACHE_WATCHES / 4);
}

/* ------------------------------------------------------------ the stress's stall: 6.1 pipes */

/*
 * kernel_stress --seed 0x4d4104d2c9698bd8 stalled on 6.1 at about 250,000
 * messages: a worker slept in pipe_write() for room nobody would make, and
 * the close of its socket, and a CANCEL, waited for that worker in D state,
 * unkillable. 6.1's pipes ignore IOCB_NOWAIT: a write waits until all it was
 * given is in, though poll's EPOLLOUT promises one free buffer. A stream
 * write larger than the room in a pipe must move what fits, as write(2) on a
 * non-blocking pipe does, wherever it runs, and the socket must close at
 * once.
 *
 * Each case runs in a child, on a blocking pipe. The parent, which holds the
 * read end too, gives it PIPE_LIMIT_S seconds; then it drains the pipe, so
 * that whatever sleeps in pipe_write() (and the child with it) gets out,
 * and fails.
 */
#define PIPE_BIG_WRITE (1 << 20)
#define PIPE_LIMIT_S 10

static char pipe_buf[PIPE_BIG_WRITE];

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_on_a_blocking_pipe(void (*fn)(int *p))
{
	static char junk[1 << 16];
	double start = mono_s();
	bool hung = false;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn(p);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (mono_s() - start > PIPE_LIMIT_S) {
			hung = true;
			break;
		}
		usleep(10000);
	}
	if (hung) {
		char path[64], line[256];
		FILE *f;

		/* Where it waits (root may read a task's kernel stack). */
		snprintf(path, sizeof(path), "/proc/%d/stack", (int)pid);
		f = fopen(path, "r");
		fprintf(stderr, "the child, after %d s:\n", PIPE_LIMIT_S);
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "    %s", line);
		if (f)
			fclose(f);
		/* Make room until whatever waits for it is through. */
		assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
		while (waitpid(pid, &status, WNOHANG) == 0)
			if (read(p[0], junk, sizeof(junk)) <= 0)
				usleep(1000);
	}
	close(p[0]);
	close(p[1]);
	if (hung)
		fail_msg("the child was stuck for %d s, until the pipe was drained", PIPE_LIMIT_S);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the child failed (status %#x)", status);
}

/* An empty pipe: the module tries the write in the sender, in sendmsg. */
static void write_past_the_room_inline(int *p)
{
	struct aionl_ctx *ctx = open_kernel();
	int room = fcntl(p[1], F_GETPIPE_SZ);
	struct aionl_req r;
	double t0;
	uint64_t h;

	CHECK(room > 0 && room < PIPE_BIG_WRITE);
	memset(pipe_buf, 'i', sizeof(pipe_buf));	/* resident: the inline copy does not fault */
	CHECK(aionl_file_register(ctx, p[1], &h) == 0);
	aionl_req_write(&r, h, pipe_buf, PIPE_BIG_WRITE, AIONL_OFFSET_STREAM, 51);
	t0 = mono_s();
	CHECK(aionl_submit(ctx, &r, 1) == 1);
	if (mono_s() - t0 > 1)
		fprintf(stderr, "sendmsg took %.1f s\n", mono_s() - t0);
	{
		struct aionl_cqe c;

		CHECK(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 5, 0 }) == 1);
		CHECK(c.cookie == 51);
		/* What fits, as write(2) on a non-blocking pipe. */
		if (c.res != room)
			fprintf(stderr, "res %lld, room %d\n", (long long)c.res, room);
		CHECK(c.res == room);
	}
	aionl_ctx_close(ctx);
}

static void test_a_stream_write_past_a_pipes_room_leaves_the_sender(void **state)
{
	(void)state;
	run_on_a_blocking_pipe(write_past_the_room_inline);
}

/*
 * A full pipe: the write waits; a read of one buffer's worth wakes it, and
 * the worker writes. The stress's stall: the worker slept for the rest,
 * and the CANCEL and the close below waited for it.
 */
static void write_past_the_room_in_a_worker(int *p)
{
	struct aionl_ctx *ctx = open_kernel();
	struct aionl_cqe c = { 0 };
	struct aionl_req r;
	char page[4096];
	bool done;
	uint64_t h;

	memset(pipe_buf, 'w', sizeof(pipe_buf));
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
	while (write(p[1], pipe_buf, sizeof(pipe_buf)) > 0)
		;
	CHECK(errno == EAGAIN);
	CHECK(fcntl(p[1], F_SETFL, 0) == 0);		/* a blocking pipe again */
	CHECK(aionl_file_register(ctx, p[1], &h) == 0);
	aionl_req_write(&r, h, pipe_buf, PIPE_BIG_WRITE, AIONL_OFFSET_STREAM, 52);
	CHECK(aionl_submit(ctx, &r, 1) == 1);
	usleep(100000);
	CHECK(aionl_reap(ctx, &c, 1, 0, NULL) == 0);	/* full: it waits */
	CHECK(read(p[0], page, sizeof(page)) == sizeof(page));
	done = aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 5, 0 }) == 1;
	if (!done)
		fprintf(stderr, "no completion in 5 s: cancelling, then closing\n");
	/* Found or not (-ENOENT once done), the cancel answers. */
	aionl_req_cancel(&r, 52, 0, 53);
	CHECK(aionl_submit(ctx, &r, 1) == 1);
	aionl_ctx_close(ctx);
	CHECK(done && c.cookie == 52);
	CHECK(c.res == sizeof(page));	/* the one buffer read made room for */
}

static void test_a_socket_closes_with_a_stream_write_woken_on_a_full_pipe(void **state)
{
	(void)state;
	run_on_a_blocking_pipe(write_past_the_room_in_a_worker);
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
		cmocka_unit_test(test_a_signal_watch_ends_at_once_when_its_thread_exits),
		cmocka_unit_test(test_a_signal_watch_ends_at_once_at_exec),
		cmocka_unit_test(test_pollout_and_stream_writes_on_a_full_fifo),
		cmocka_unit_test(test_timer_update_racing_its_expiry),
		cmocka_unit_test(test_close_racing_a_signal_being_posted),
		cmocka_unit_test(test_a_reused_portid_gets_nothing_of_the_old_socket),
		cmocka_unit_test(test_a_reused_portid_receives_no_completion_of_the_old_socket),
		cmocka_unit_test(test_a_release_waits_for_its_io_off_the_closing_task),
		cmocka_unit_test(test_disabled_restricts_who_may_use_the_family),
		cmocka_unit_test(test_an_open_hands_out_no_file_of_the_worker),
		cmocka_unit_test(test_a_users_sockets_have_bounded_queues),
		cmocka_unit_test(test_control_requests_count_against_the_limit),
		cmocka_unit_test(test_an_unread_periodic_timer_holds_one_entry),
		cmocka_unit_test(test_an_unread_multishot_poll_holds_one_entry),
		cmocka_unit_test(test_signals_merge_or_end_the_watch_when_unread),
		cmocka_unit_test(test_a_socket_cannot_hold_itself),
		cmocka_unit_test(test_registrations_stop_at_rlimit_nofile),
		cmocka_unit_test(test_an_unread_1ns_timer_stops_firing),
		cmocka_unit_test(test_a_waiting_read_holds_no_pages),
		cmocka_unit_test(test_a_faulting_buffer_does_not_hold_the_sender),
		cmocka_unit_test(test_watches_come_from_their_own_cache),
		cmocka_unit_test(test_a_stream_write_past_a_pipes_room_leaves_the_sender),
		cmocka_unit_test(test_a_socket_closes_with_a_stream_write_woken_on_a_full_pipe),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	if (geteuid() != 0) {
		fprintf(stderr, "kernel_security runs as root in the VM; skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
