// SPDX-License-Identifier: MIT
/*
 * Conformance: a full context says -EBUSY, nothing is lost when the program
 * stops reaping, and nothing a program does without reading grows the
 * server's memory without bound: watches' completions merge while unsent,
 * what cannot merge has a bound, control requests count (docs/events.md).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <linux/sockios.h>
#include "common.h"

#define MS 1000000L

/* ------------------------------------------------------------ back-pressure */

static void reap_all_once(struct aionl_ctx *ctx, unsigned char *seen, unsigned int n)
{
	struct aionl_cqe c[512];
	unsigned int got = 0;

	while (got < n) {
		int k = aionl_reap(ctx, c, 512, 1, NULL);

		assert_true(k > 0);
		for (int i = 0; i < k; i++) {
			assert_true(c[i].cookie < n);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_true(c[i].res == 16);
		}
		got += k;
	}
	assert_int_equal(aionl_reap(ctx, c, 1, 0, NULL), 0);
}

/* Stop reaping while the limit is reached: -EBUSY, nothing lost. */
static void test_full_context_reports_ebusy_and_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx = open_ctx(1000);
	enum { N = 1000 };
	static char buf[16];
	struct aionl_req r[100];
	unsigned char *seen = calloc(N + 1, 1);
	uint64_t h;
	unsigned int sent = 0;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	while (sent < N) {
		for (int i = 0; i < 100; i++)
			aionl_req_read(&r[i], h, buf, sizeof(buf), 0, sent + i);
		int n = aionl_submit(ctx, r, 100);

		assert_true(n > 0);
		sent += n;
	}
	aionl_req_read(&r[0], h, buf, sizeof(buf), 0, N);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	usleep(100000);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	reap_all_once(ctx, seen, N);
	/* Reaping returned the credit. */
	assert_int_equal(aionl_submit(ctx, r, 1), 1);
	assert_true(wait_one(ctx).cookie == N);
	free(seen);
	aionl_ctx_close(ctx);
}

/* Tens of thousands submitted with no reaping; the engine holds them all. */
static void test_unreaped_flood_is_held_and_reaped_once(void **state)
{
	struct fixture *f = *state;
	enum { N = 50000 };
	struct aionl_ctx *ctx = open_ctx(N);
	static char buf[16];
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *seen = calloc(N, 1);
	uint64_t h;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	for (unsigned int i = 0; i < N; i++)
		aionl_req_read(&r[i], h, buf, sizeof(buf), i % 4096, i);
	submit(ctx, r, N);
	/* Let the engine finish everything while nobody reaps. */
	usleep(300000);
	reap_all_once(ctx, seen, N);
	free(r);
	free(seen);
	aionl_ctx_close(ctx);
}

/* ------------------------------------------------------------ floods */

static bool on_kernel(struct aionl_ctx *ctx)
{
	struct aionl_info info;

	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	return info.backend == AIONL_BACKEND_KERNEL;
}

/*
 * Every completion now waiting, reaped without blocking once nothing more
 * comes for 100 ms; calls seen() on each.
 */
static unsigned int reap_quiet(struct aionl_ctx *ctx, void (*seen)(const struct aionl_cqe *, void *),
			       void *arg)
{
	struct aionl_cqe c[256];
	unsigned int total = 0;
	int n;

	while ((n = aionl_reap(ctx, c, 256, 1, &(struct timespec){ 0, 100 * MS })) > 0) {
		for (int i = 0; i < n; i++)
			seen(&c[i], arg);
		total += (unsigned int)n;
	}
	assert_true(n == 0);
	return total;
}

struct poll_seen {
	unsigned int more, final;
	int64_t final_res;
};

static void poll_seen(const struct aionl_cqe *c, void *arg)
{
	struct poll_seen *ps = arg;

	assert_true(c->cookie == 70);
	if (c->flags & AIONL_CQE_F_MORE) {
		assert_true(c->res & AIONL_POLL_IN);
		ps->more++;
	} else {
		ps->final++;
		ps->final_res = c->res;
	}
}

/*
 * 10,000 readiness edges on an eventfd while the program reads nothing: a
 * multishot poll holds one completion waiting to be sent, which later edges
 * merge into, so what arrives is bounded by what the socket itself holds.
 * Before, every edge queued a completion of its own.
 */
static void test_an_unread_multishot_poll_merges_its_events(void **state)
{
	struct fixture *f = *state;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct poll_seen ps = { 0 };
	struct aionl_req r;
	uint64_t h, v;

	assert_true(efd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, efd, &h), 0);
	aionl_req_poll(&r, h, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, 70);
	submit(f->ctx, &r, 1);
	/* Paced, so that the server sees each edge on its own. */
	for (int i = 0; i < 10000; i++) {
		v = 1;
		assert_int_equal(write(efd, &v, sizeof(v)), sizeof(v));
		assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
		usleep(20);
	}
	v = 1;
	assert_int_equal(write(efd, &v, sizeof(v)), sizeof(v));
	reap_quiet(f->ctx, poll_seen, &ps);
	assert_true(ps.more >= 1);
	assert_true(ps.more <= 2000);
	assert_int_equal(ps.final, 0);
	aionl_req_cancel(&r, 70, 0, 71);
	submit(f->ctx, &r, 1);
	for (int i = 0; i < 2; i++) {
		struct aionl_cqe c = wait_one(f->ctx);

		if (c.cookie == 70)
			assert_int_equal(c.res, -ECANCELED);
		else
			assert_int_equal(c.res, 1);
	}
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	close(efd);
}

struct sig_seen {
	int signo;
	unsigned int caught, final;
	int64_t final_res;
};

static void sig_seen(const struct aionl_cqe *c, void *arg)
{
	struct sig_seen *ss = arg;

	if (c->flags & AIONL_CQE_F_MORE) {
		assert_true(c->flags & AIONL_CQE_F_SIGNAL);
		assert_int_equal(c->si.signo, ss->signo);
		ss->caught++;
	} else {
		ss->final++;
		ss->final_res = c->res;
	}
}

/*
 * 20,000 SIGUSR1 while the program reads nothing: a standard signal sent
 * again while its completion waits merges into it, as the kernel's pending
 * set merges it. Before, each one queued a completion. (The module's socket
 * buffer alone holds more than 20,000 completions: tests/kernel/security.c
 * checks the rule there on a socket with a small one.)
 */
static void test_repeated_standard_signals_merge_while_unread(void **state)
{
	struct fixture *f = *state;
	struct sig_seen ss = { .signo = SIGUSR1 };
	struct aionl_req r;
	sigset_t set;

	if (on_kernel(f->ctx))
		skip();

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	aionl_req_signal(&r, &set, 80);
	submit(f->ctx, &r, 1);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(kill(getpid(), SIGUSR1), 0);
		sched_yield();
	}
	reap_quiet(f->ctx, sig_seen, &ss);
	assert_true(ss.caught >= 1);
	assert_true(ss.caught <= 2000);
	assert_int_equal(ss.final, 0);
	aionl_req_cancel(&r, 80, 0, 81);
	submit(f->ctx, &r, 1);
	reap_quiet(f->ctx, sig_seen, &ss);
	assert_int_equal(ss.final, 2);	/* the watch's -ECANCELED and the cancel's 1 */
}

/*
 * Until what waits on ctx's socket has not grown for 300 ms: the engine has
 * done all it does for a program that does not read.
 */
static void wait_until_the_socket_is_still(struct aionl_ctx *ctx)
{
	int fd = aionl_ctx_fd(ctx), last = -1, now;
	unsigned int still = 0;

	while (still < 30) {
		assert_int_equal(ioctl(fd, SIOCINQ, &now), 0);
		still = now == last ? still + 1 : 0;
		last = now;
		usleep(10000);
	}
}

/*
 * Queued real-time signals cannot merge. Past what max_inflight lets the
 * socket hold, they stay pending for the process and the watch ends with
 * -EOVERFLOW: every signal sent is either delivered or still pending, none
 * is lost, none delivered twice. (The module's bound is its own
 * max_inflight parameter: tests/kernel/security.c tests it there.)
 */
static void test_unread_realtime_signals_end_the_watch_past_the_limit(void **state)
{
	struct fixture *f = *state;
	int sig = SIGRTMIN + 1, sent = 0, pending = 0;
	struct sig_seen ss = { .signo = sig };
	struct aionl_ctx *ctx;
	struct rlimit rl;
	struct aionl_req r;
	sigset_t set;

	if (on_kernel(f->ctx))
		skip();
	ctx = open_ctx(64);
	assert_int_equal(getrlimit(RLIMIT_SIGPENDING, &rl), 0);
	assert_true(rl.rlim_cur >= 2000);
	sigemptyset(&set);
	sigaddset(&set, sig);
	aionl_req_signal(&r, &set, 90);
	submit(ctx, &r, 1);
	for (int i = 0; i < 1500; i++) {
		assert_int_equal(sigqueue(getpid(), sig, (union sigval){ .sival_int = i }), 0);
		sent++;
		sched_yield();
	}
	/*
	 * A slow engine (ThreadSanitizer) may still be taking them: reading
	 * now would make room for the rest.
	 */
	wait_until_the_socket_is_still(ctx);
	reap_quiet(ctx, sig_seen, &ss);
	assert_int_equal(ss.final, 1);
	assert_int_equal(ss.final_res, -EOVERFLOW);
	assert_true(ss.caught < (unsigned int)sent);
	while (sigtimedwait(&set, NULL, &(struct timespec){ 0, 0 }) == sig)
		pending++;
	assert_int_equal(ss.caught + (unsigned int)pending, sent);
	aionl_ctx_close(ctx);
}

/*
 * The same bound when the signals are all queued before the watch starts, so
 * that the engine finds every one of them at its first wake-up. It takes
 * them only while its out queue is under max_inflight, not as many as are
 * queued: past that, the watch ends with -EOVERFLOW and the rest stay
 * pending. Before, one wake-up read every queued signal into the out queue
 * at once, past any bound, and the watch never ended; a slow engine (under
 * ThreadSanitizer) showed it in the test above.
 */
static void test_realtime_signals_queued_before_the_watch_keep_the_limit(void **state)
{
	struct fixture *f = *state;
	int sig = SIGRTMIN + 2, sent = 0, pending = 0;
	struct sig_seen ss = { .signo = sig };
	struct aionl_ctx *ctx;
	struct rlimit rl;
	struct aionl_req r;
	sigset_t set;

	if (on_kernel(f->ctx))
		skip();
	assert_int_equal(getrlimit(RLIMIT_SIGPENDING, &rl), 0);
	assert_true(rl.rlim_cur >= 2000);
	sigemptyset(&set);
	sigaddset(&set, sig);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	ctx = open_ctx(64);
	for (int i = 0; i < 1500; i++) {
		assert_int_equal(sigqueue(getpid(), sig, (union sigval){ .sival_int = i }), 0);
		sent++;
	}
	aionl_req_signal(&r, &set, 95);
	submit(ctx, &r, 1);
	/* Read only once the engine is done: reading makes room for more. */
	wait_until_the_socket_is_still(ctx);
	reap_quiet(ctx, sig_seen, &ss);
	assert_int_equal(ss.final, 1);
	assert_int_equal(ss.final_res, -EOVERFLOW);
	assert_true(ss.caught < (unsigned int)sent);
	while (sigtimedwait(&set, NULL, &(struct timespec){ 0, 0 }) == sig)
		pending++;
	assert_int_equal(ss.caught + (unsigned int)pending, sent);
	aionl_ctx_close(ctx);
}

/* Raw replies on ctx's socket until none comes for 200 ms: how many, and how many -EBUSY. */
static unsigned int drain_raw(struct aionl_ctx *ctx, uint32_t seq_lo, unsigned int *ebusy)
{
	static char buf[65536];
	int fd = aionl_ctx_fd(ctx);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned int n = 0;

	while (poll(&pfd, 1, 200) == 1) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

		assert_true(len > 0);
		for (; mnl_nlmsg_ok(nlh, (int)len); nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
			if (nlh->nlmsg_seq < seq_lo)
				continue;
			n++;
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error == -EBUSY)
				(*ebusy)++;
		}
	}
	return n;
}

/* A request with up to two u64 attributes (type 0: none). */
static size_t raw_put(char *buf, uint16_t family, uint8_t cmd, uint32_t seq,
		      uint16_t attr, uint64_t value, uint16_t attr2, uint64_t value2)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = AIONL_FAMILY_VERSION;
	if (attr)
		mnl_attr_put_u64(nlh, attr, value);
	if (attr2)
		mnl_attr_put_u64(nlh, attr2, value2);
	return nlh->nlmsg_len;
}

/*
 * A program that sends control requests and never reads their replies: the
 * engine holds at most max_inflight of them waiting and then stops reading,
 * so the socket fills and stays full; once read, every request accepted has
 * its reply. Before, replies did not count and queued without bound. (The
 * module answers past its limit with -EBUSY at once: tests/kernel/security.c.)
 */
static void test_unread_control_replies_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx;
	char buf[64];
	uint16_t family;
	unsigned int accepted = 0, ebusy = 0;
	bool stuck = false;
	int fd;

	if (on_kernel(f->ctx))
		skip();
	ctx = open_ctx(64);
	family = test_family_id(ctx);
	fd = aionl_ctx_fd(ctx);
	while (accepted < 200000 && !stuck) {
		size_t len = raw_put(buf, family, AIONL_CMD_GET_INFO, 1000 + accepted, 0, 0, 0, 0);

		if (send(fd, buf, len, MSG_DONTWAIT) == (ssize_t)len) {
			accepted++;
			continue;
		}
		assert_int_equal(errno, EAGAIN);
		/* Full for 200 ms: the engine has stopped reading. */
		stuck = poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 200) == 0;
	}
	assert_true(stuck);
	assert_int_equal(drain_raw(ctx, 1000, &ebusy), accepted);
	aionl_ctx_close(ctx);
}

/*
 * The admission rule the module keeps too: with max_inflight armed watches,
 * work is refused (-EBUSY), while control requests are not, so that the
 * program can still cancel its watches.
 */
static void test_a_context_full_of_watches_can_still_cancel_them(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx;
	struct aionl_req r[64];
	unsigned int ebusy = 0;
	uint16_t family;
	char buf[64];
	size_t len;
	int fd;

	if (on_kernel(f->ctx))
		skip();
	ctx = open_ctx(64);
	family = test_family_id(ctx);
	fd = aionl_ctx_fd(ctx);
	for (int i = 0; i < 64; i++)
		aionl_req_timer(&r[i], CLOCK_MONOTONIC, 100000 * MS, 0, 0, (uint64_t)i);
	submit(ctx, r, 64);
	len = raw_put(buf, family, AIONL_CMD_NOP, 5000, AIONL_A_NOP_COOKIE, 500, 0, 0);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_int_equal(drain_raw(ctx, 5000, &ebusy), 1);
	assert_int_equal(ebusy, 1);
	ebusy = 0;
	len = raw_put(buf, family, AIONL_CMD_CANCEL, 5001, AIONL_A_CANCEL_COOKIE, 501,
		      AIONL_A_CANCEL_TARGET, 3);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_int_equal(drain_raw(ctx, 0, &ebusy), 2);	/* the cancel's and timer 3's */
	assert_int_equal(ebusy, 0);
	aionl_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_context_reports_ebusy_and_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreaped_flood_is_held_and_reaped_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_unread_multishot_poll_merges_its_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_repeated_standard_signals_merge_while_unread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unread_realtime_signals_end_the_watch_past_the_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_realtime_signals_queued_before_the_watch_keep_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_control_replies_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_context_full_of_watches_can_still_cancel_them,
						setup, teardown),
	};
	sigset_t sent;

	/*
	 * The signals these tests send themselves are blocked before any test
	 * starts. cmocka saves the signal mask as a test starts (sigsetjmp)
	 * and puts it back when an assertion fails; a watched signal blocked
	 * only by the library then came unblocked with instances pending, and
	 * killed the process (Signal 35, SIGUSR1) before cmocka printed which
	 * assertion failed. That the library blocks what a watch names is the
	 * events suite's to test: it blocks nothing itself.
	 */
	sigemptyset(&sent);
	sigaddset(&sent, SIGUSR1);
	sigaddset(&sent, SIGRTMIN + 1);
	sigaddset(&sent, SIGRTMIN + 2);
	pthread_sigmask(SIG_BLOCK, &sent, NULL);
	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
