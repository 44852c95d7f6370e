// SPDX-License-Identifier: MIT
/*
 * A hung filesystem stalls only its own socket (issue 15, point 4), on the
 * user backend (both executors) and on the kernel backend (aionl.ko, in the
 * VM): a real FUSE filesystem (hangfs.c) that stops answering, and two
 * contexts.
 *
 * Context A, bound to the FUSE mount (aionl_params.bind_path), has files on
 * the hung mount and sends it more reads and OPENs than any shared pool
 * would hold: 64 reads and 32 OPENs, past the engine's workers (8 at most), the
 * module's bound-I/O workqueue (AIONL_MAX_BOUND_IO_RUNNING, 32) and
 * AIONL_MAX_OPENS_RUNNING (16). Context B, bound to /tmp's filesystem and
 * opened while A hangs, completes every one of its 200 reads and 20 OPENs,
 * exactly once, with the right bytes; a /tmp file registered in A gets
 * -EXDEV, while A hangs. Then a cancel of everything on A:
 * what had not started ends with -ECANCELED (and nothing the filesystem
 * received does), what had started waits for the filesystem (answered, it
 * completes with its data; aborted through fusectl, with -ECONNABORTED),
 * and closing A returns. Every request completes exactly once, counted by
 * cookie.
 *
 * Waits are bounded (a reap with a timeout, a watchdog that aborts the
 * connection and fails), and every path unmounts. ctest runs this once per
 * executor (AIONL_EXECUTOR); tests/vm/run-vm.sh runs it on the kernel
 * backend (AIONL_BACKEND=kernel). Exit status 77 only when FUSE cannot be
 * used here: no /dev/fuse, no mount, no fusectl to abort a connection with.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mount.h>
#include "../conformance/common.h"
#include "hangfs.h"

#define NFILES 64
#define FUSE_FILE_SIZE (64 << 10)
#define RW_LEN 4096
/* A's hung requests: more than the worker pool (8) and the running OPENs (16). */
#define A_WORKERS 8
#define A_READS 64
#define A_OPENS 32
#define A_REQS (A_READS + A_OPENS)
/*
 * On the kernel backend, what reaches the filesystem: A's reads run on its
 * bound socket's own workqueue, AIONL_MAX_BOUND_IO_RUNNING at once, its
 * OPENs on the socket's OPEN workqueue, AIONL_MAX_OPENS_RUNNING at once
 * (docs/kernel.md, "Opening through the socket"); the rest wait queued.
 * The worker reads with a synchronous kiocb, so FUSE sends each read to
 * the daemon at once (no background slot to wait for). Both must leave
 * some queued, or the cancel would have nothing to take off.
 */
#define K_READS_RUNNING \
	(A_READS < AIONL_MAX_BOUND_IO_RUNNING ? A_READS : AIONL_MAX_BOUND_IO_RUNNING)
#define K_OPENS_RUNNING (A_OPENS < AIONL_MAX_OPENS_RUNNING ? A_OPENS : AIONL_MAX_OPENS_RUNNING)
#define K_HELD (K_READS_RUNNING + K_OPENS_RUNNING)
_Static_assert(A_READS > AIONL_MAX_BOUND_IO_RUNNING && A_OPENS > AIONL_MAX_OPENS_RUNNING,
	       "some of A's requests must wait queued on the kernel backend");

/* B's, on /tmp, while A hangs. */
#define B_READS 200
#define B_OPENS 20

#define A_COOKIE 0x1000
#define A_CANCEL 0x3000
#define A_NOP 0x3001
#define B_COOKIE 0x5000
#define B_OPEN_COOKIE 0x6000
#define B_CHECK_COOKIE 0x7000

/* Each wait for the engine or the filesystem; a failure rather than a hang. */
#define WAIT_MS 20000
/* A whole test, watched by the watchdog; ctest's TIMEOUT is larger. */
#define TEST_SECONDS 120

/* One of A's requests: what it asked, and what came back. */
struct areq {
	enum hangfs_op op;
	unsigned int file;	/* /f<file> */
	uint64_t off;		/* READ */
	unsigned char buf[RW_LEN];
	unsigned int completions;
	int64_t res;
	uint64_t handle;	/* OPEN */
	bool released;		/* answered by the filesystem */
};

struct fx {
	struct hangfs *fs;
	struct aionl_ctx *a, *b;
	uint64_t files[NFILES];		/* A's handles of /f<i> */
	struct areq req[A_REQS];
	unsigned int cancel_completions, nop_completions;
	int64_t cancel_res;
	char bdir[256];
	char bfile[300];		/* FILE_SIZE bytes of pattern() */
};

/* ------------------------------------------------------------ watchdog */

static atomic_llong watchdog_deadline;	/* CLOCK_MONOTONIC seconds; 0: off */

static long long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * If a test outlives its time, something the test waits on hangs where no
 * bound reached it: abort every hangfs connection (which ends all waiting
 * on it) and detach the mount, so no hung mount outlives the test, and fail.
 */
static void *watchdog_main(void *arg)
{
	(void)arg;
	for (;;) {
		long long d = atomic_load(&watchdog_deadline);

		if (d && now_s() > d) {
			fprintf(stderr, "watchdog: a test ran past %d s; aborting the FUSE "
				"connections and failing\n", TEST_SECONDS);
			hangfs_emergency_abort_all();
			_exit(1);
		}
		usleep(200000);
	}
	return NULL;
}

/*
 * Killed by a signal it can catch (SIGTERM, ^C): no hung mount left behind
 * either. The process would not even finish dying otherwise: closing its
 * files on the mount at exit sends FLUSHes to a daemon that is its own
 * dying threads. (The watchdog fires well before ctest's TIMEOUT.)
 */
static void on_fatal_signal(int sig)
{
	hangfs_emergency_abort_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ------------------------------------------------------------ helpers */

static struct timespec ms_ts(int ms)
{
	return (struct timespec){ ms / 1000, (long)(ms % 1000) * 1000000 };
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct closer {
	struct aionl_ctx *ctx;
	pthread_t thread;
};

static void *close_main(void *arg)
{
	aionl_ctx_close(((struct closer *)arg)->ctx);
	return NULL;
}

static void close_start(struct closer *c, struct aionl_ctx *ctx)
{
	c->ctx = ctx;
	assert_int_equal(pthread_create(&c->thread, NULL, close_main, c), 0);
}

/* Whether the close returned within ms. */
static bool close_wait(struct closer *c, int ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(c->thread, NULL, &deadline) == 0;
}

/* aionl_ctx_close, failing (and not hanging) if it does not return. */
static bool close_bounded(struct aionl_ctx *ctx, int ms)
{
	struct closer c;

	close_start(&c, ctx);
	return close_wait(&c, ms);
}

static bool on_kernel(const struct aionl_info *info)
{
	return info->backend == AIONL_BACKEND_KERNEL;
}

/*
 * Kernel threads (kworkers) whose stack names a function containing needle
 * (/proc/<pid>/stack, root only), or -1 where that cannot be read. On the
 * kernel backend A's requests that reached FUSE wait in kworkers, and the
 * release of a closed socket waits in one (RELEASE_FN).
 */
static int kworkers_in(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0, readable = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], comm[64] = "", stack[8192];
		ssize_t len;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (len <= 0 || strncmp(comm, "kworker", 7) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stack", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, stack, sizeof(stack) - 1);
		close(fd);
		if (len < 0)
			continue;
		readable++;
		stack[len] = '\0';
		n += strstr(stack, needle) != NULL;
	}
	closedir(d);
	return readable ? n : -1;
}

/*
 * The release's wait (src/kernel/sock.c), as /proc/<pid>/stack names it:
 * aionl_release_work tail-calls it, so only this one is on the stack.
 */
#define RELEASE_FN "aionl_sock_release_finish"

/* Wait up to WAIT_MS for no kworker to be in needle: the count left, or -1. */
static int kworkers_leave(const char *needle)
{
	long long end = now_ms() + WAIT_MS;
	int n;

	while ((n = kworkers_in(needle)) > 0 && now_ms() < end)
		usleep(100000);
	return n;
}

/* Index of A's request for what the filesystem saw, or -1. */
static int areq_of(struct fx *f, const struct hangfs_seen *s)
{
	for (int i = 0; i < A_REQS; i++) {
		struct areq *r = &f->req[i];

		if (r->op == s->op && hangfs_ino(r->file) == s->ino &&
		    (r->op == HANGFS_OPEN || r->off == s->off))
			return i;
	}
	return -1;
}

static bool read_is_right(const struct areq *r)
{
	for (size_t k = 0; k < RW_LEN; k++)
		if (r->buf[k] != hangfs_byte(r->file, r->off + k))
			return false;
	return true;
}

/* Sort A's completions into f, failing on anything unknown or repeated. */
static int reap_a(struct fx *f, int timeout_ms)
{
	struct aionl_cqe c[64];
	struct timespec ts = ms_ts(timeout_ms);
	int n = aionl_reap(f->a, c, 64, timeout_ms ? 1 : 0, &ts);

	if (n < 0)
		fail_msg("aionl_reap on A: %d %s", n, aionl_error_message());
	for (int i = 0; i < n; i++) {
		if (c[i].cookie == A_CANCEL) {
			f->cancel_completions++;
			f->cancel_res = c[i].res;
		} else if (c[i].cookie == A_NOP) {
			f->nop_completions++;
		} else if (c[i].cookie >= A_COOKIE && c[i].cookie < A_COOKIE + A_REQS) {
			struct areq *r = &f->req[c[i].cookie - A_COOKIE];

			r->completions++;
			if (r->completions > 1)
				fail_msg("A's request %#llx completed twice (res %lld, then %lld)",
					 (unsigned long long)c[i].cookie, (long long)r->res,
					 (long long)c[i].res);
			r->res = c[i].res;
			r->handle = c[i].res == 0 && r->op == HANGFS_OPEN ? c[i].open.handle : 0;
		} else {
			fail_msg("A: a completion with an unknown cookie %#llx (res %lld)",
				 (unsigned long long)c[i].cookie, (long long)c[i].res);
		}
	}
	return n;
}

static unsigned int a_completed(const struct fx *f)
{
	unsigned int n = 0;

	for (int i = 0; i < A_REQS; i++)
		n += f->req[i].completions;
	return n;
}

static unsigned int a_cancelled(const struct fx *f)
{
	unsigned int n = 0;

	for (int i = 0; i < A_REQS; i++)
		n += f->req[i].completions && f->req[i].res == -ECANCELED;
	return n;
}

/* Reap A until done(f), for at most WAIT_MS: false if it never was. */
static bool reap_a_until(struct fx *f, bool (*done)(struct fx *f))
{
	long long end = now_ms() + WAIT_MS;

	while (!done(f)) {
		long long left = end - now_ms();

		if (left <= 0)
			return false;
		reap_a(f, left > 500 ? 500 : (int)left);
	}
	return true;
}

/* ------------------------------------------------------------ fixture */

/*
 * A context bound to the filesystem of path (aionl_params.bind_path): one
 * AIO socket per filesystem, as the original design has it. flags: more
 * AIONL_PARAMS_*.
 */
static struct aionl_ctx *open_bound(const char *path, unsigned int flags)
{
	/*
	 * A pool smaller than A's requests (8 workers at most), so that on the
	 * threads executor some of them wait unstarted: what a cancel takes.
	 */
	struct aionl_params p = { .bind_path = path, .flags = flags, .workers = A_WORKERS };
	struct aionl_ctx *ctx = NULL;

	/* The engine's own read path, which page-cache hits otherwise skip. */
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
	if (aionl_ctx_open(&ctx, &p))
		fail_msg("aionl_ctx_open bound to %s: %s", path, aionl_error_message());
	return ctx;
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char *buf = malloc(FILE_SIZE);
	char err[512], path[PATH_MAX];
	int fd;

	assert_non_null(f);
	atomic_store(&watchdog_deadline, now_s() + TEST_SECONDS);
	if (hangfs_mount(&f->fs, test_dir(), NFILES, FUSE_FILE_SIZE, err, sizeof(err)))
		fail_msg("hangfs: %s", err);
	/*
	 * A, bound to the FUSE mount, with every /f<i> registered while the
	 * filesystem still answers.
	 */
	f->a = open_bound(hangfs_mountpoint(f->fs), 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/f%d", hangfs_mountpoint(f->fs), i);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(aionl_file_register(f->a, fd, &f->files[i]), 0);
		close(fd);
	}
	/* B's file, out of the page cache so that its reads go to the disk. */
	snprintf(f->bdir, sizeof(f->bdir), "%s/aionl-fuse-b-XXXXXX", test_dir());
	assert_non_null(mkdtemp(f->bdir));
	snprintf(f->bfile, sizeof(f->bfile), "%s/data", f->bdir);
	fd = open(f->bfile, O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	for (int i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	assert_int_equal(pwrite(fd, buf, FILE_SIZE, 0), FILE_SIZE);
	assert_int_equal(fsync(fd), 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	free(buf);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	/*
	 * On a failed test A may still have requests on the mount: the abort
	 * ends them, so that closing A cannot hang.
	 */
	if (f->fs)
		hangfs_abort(f->fs);
	if (f->a && !close_bounded(f->a, WAIT_MS)) {
		fprintf(stderr, "teardown: closing A did not return after the abort\n");
		hangfs_emergency_abort_all();
		_exit(1);
	}
	aionl_ctx_close(f->b);
	hangfs_unmount(f->fs);
	unlink(f->bfile);
	rmdir(f->bdir);
	free(f);
	atomic_store(&watchdog_deadline, 0);
	return 0;
}

/* A's requests: OPEN /f<k>, READ, READ, ... so that both kinds reach the executor first. */
static void a_build(struct fx *f, struct aionl_req *reqs, char paths[][PATH_MAX])
{
	int nr = 0, no = 0;

	for (int i = 0; i < A_REQS; i++) {
		struct areq *r = &f->req[i];

		memset(r, 0, sizeof(*r));
		if (i % 3 == 0 && no < A_OPENS) {
			r->op = HANGFS_OPEN;
			r->file = (unsigned int)no;
			snprintf(paths[no], PATH_MAX, "%s/f%u", hangfs_mountpoint(f->fs), r->file);
			aionl_req_open(&reqs[i], AIONL_AT_CWD, paths[no], O_RDONLY, 0, 0,
				       A_COOKIE + i);
			no++;
		} else {
			r->op = HANGFS_READ;
			r->file = (unsigned int)nr;
			r->off = (uint64_t)(nr % (FUSE_FILE_SIZE / RW_LEN)) * RW_LEN;
			aionl_req_read(&reqs[i], f->files[r->file], r->buf, RW_LEN, r->off,
				       A_COOKIE + i);
			nr++;
		}
	}
	assert_int_equal(nr, A_READS);
	assert_int_equal(no, A_OPENS);
}

/*
 * Hang A: every request sent, and the filesystem holding as many as reach
 * it. The threads executor's pool is full (its workers, exactly). io_uring
 * starts an io-wq worker for each request that blocks, and FUSE holds the
 * reads past its background slots before the daemon sees them: the count
 * is the OPENs running and those slots. The module runs exactly
 * K_READS_RUNNING reads and K_OPENS_RUNNING OPENs, each in a kworker
 * waiting in FUSE. Returns how many are held.
 */
static unsigned int a_hang(struct fx *f, struct aionl_req *reqs)
{
	struct aionl_info info;
	unsigned int target, held, opens, reads;

	assert_int_equal(aionl_ctx_info(f->a, &info), 0);
	hangfs_log_reset(f->fs);
	hangfs_hold(f->fs, true, true);
	submit(f->a, reqs, A_REQS);
	target = on_kernel(&info) ? K_HELD
		 : info.executor == AIONL_EXEC_THREADS ? info.workers : 1;
	held = hangfs_wait_parked(f->fs, target, WAIT_MS);
	if (held < target)
		fail_msg("only %u of A's requests reached the filesystem, expected %u", held, target);
	/*
	 * Not a synchronization: the test is right whatever this finds. It
	 * only lets the executor start all it will before B runs.
	 */
	held = hangfs_wait_settled(f->fs, 300, 5000);
	hangfs_parked(f->fs, &opens, &reads);
	print_message("A (%s): %u of its %u requests held by the filesystem (%u OPENs, %u reads)\n",
		      aionl_executor_name(info.executor), held, A_REQS, opens, reads);
	if (on_kernel(&info)) {
		int kw = kworkers_in("fuse_");

		print_message("A (kernel): %d kworkers wait in FUSE\n", kw);
		assert_int_equal(opens, K_OPENS_RUNNING);
		assert_int_equal(reads, K_READS_RUNNING);
		/* Nobody else waits in FUSE: none held short of the daemon. */
		if (kw >= 0)
			assert_int_equal(kw, K_HELD);
	} else if (info.executor == AIONL_EXEC_THREADS) {
		assert_int_equal(held, info.workers);
	}
	/* Nothing of A completes while the filesystem holds it. */
	assert_int_equal(reap_a(f, 0), 0);
	return held;
}

/* ------------------------------------------------------------ B */

/* B's whole load: every read and OPEN completes once, with the right bytes. */
static void b_runs_everything(struct fx *f)
{
	unsigned char (*bufs)[RW_LEN] = calloc(B_READS, RW_LEN);
	struct aionl_req reqs[B_READS + B_OPENS];
	unsigned int seen[B_READS + B_OPENS] = { 0 };
	uint64_t handles[B_OPENS];
	unsigned char check[B_OPENS][64];
	struct aionl_cqe c[64];
	unsigned int got = 0;
	long long end = now_ms() + WAIT_MS;
	uint64_t hb;
	int fd;

	assert_non_null(bufs);
	/*
	 * Opened, bound to /tmp's filesystem, and its file registered, while A
	 * hangs: nothing waits on A. Without inline reads, so that every read
	 * goes through B's engine.
	 */
	f->b = open_bound(test_dir(), AIONL_PARAMS_NO_INLINE);
	fd = open(f->bfile, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->b, fd, &hb), 0);
	close(fd);
	for (int i = 0; i < B_READS; i++)
		aionl_req_read(&reqs[i], hb, bufs[i], RW_LEN,
			       (uint64_t)(i * 37 % (FILE_SIZE / RW_LEN)) * RW_LEN, B_COOKIE + i);
	for (int k = 0; k < B_OPENS; k++)
		aionl_req_open(&reqs[B_READS + k], AIONL_AT_CWD, f->bfile, O_RDONLY, 0, 0,
			       B_OPEN_COOKIE + k);
	submit(f->b, reqs, B_READS + B_OPENS);
	while (got < B_READS + B_OPENS) {
		struct timespec ts = ms_ts(500);
		int n = aionl_reap(f->b, c, 64, 1, &ts);

		assert_true(n >= 0);
		if (n == 0 && now_ms() > end)
			fail_msg("B: %u of %u completions after %d ms, while A hangs", got,
				 B_READS + B_OPENS, WAIT_MS);
		for (int i = 0; i < n; i++) {
			uint64_t ck = c[i].cookie;
			unsigned int k = 0;

			if (ck >= B_COOKIE && ck < B_COOKIE + B_READS) {
				k = (unsigned int)(ck - B_COOKIE);
				assert_int_equal(c[i].res, RW_LEN);
			} else if (ck >= B_OPEN_COOKIE && ck < B_OPEN_COOKIE + B_OPENS) {
				k = B_READS + (unsigned int)(ck - B_OPEN_COOKIE);
				assert_int_equal(c[i].res, 0);
				assert_true(c[i].open.handle != 0);
				handles[k - B_READS] = c[i].open.handle;
			} else {
				fail_msg("B: unknown cookie %#llx", (unsigned long long)ck);
				continue;	/* not reached: fail_msg leaves */
			}
			if (seen[k]++)
				fail_msg("B: cookie %#llx completed twice", (unsigned long long)ck);
		}
		got += (unsigned int)n;
	}
	for (int i = 0; i < B_READS; i++) {
		uint64_t off = reqs[i].offset;

		for (int k = 0; k < RW_LEN; k++)
			if (bufs[i][k] != pattern(off + k))
				fail_msg("B: read %d has a wrong byte at %llu + %d", i,
					 (unsigned long long)off, k);
	}
	/* What B's OPENs brought reads too, and goes. */
	for (int k = 0; k < B_OPENS; k++)
		aionl_req_read(&reqs[k], handles[k], check[k], sizeof(check[k]),
			       (uint64_t)k * RW_LEN, B_CHECK_COOKIE + k);
	submit(f->b, reqs, B_OPENS);
	memset(seen, 0, sizeof(seen));
	for (got = 0; got < B_OPENS;) {
		struct timespec ts = ms_ts(WAIT_MS);
		int n = aionl_reap(f->b, c, 64, 1, &ts);

		if (n <= 0)
			fail_msg("B: reads through its OPENs' handles did not complete");
		for (int i = 0; i < n; i++) {
			unsigned int k = (unsigned int)(c[i].cookie - B_CHECK_COOKIE);

			assert_true(k < B_OPENS);
			assert_int_equal(seen[k]++, 0);
			assert_int_equal(c[i].res, sizeof(check[k]));
			for (size_t j = 0; j < sizeof(check[k]); j++)
				assert_int_equal(check[k][j], pattern((uint64_t)k * RW_LEN + j));
		}
		got += (unsigned int)n;
	}
	for (int k = 0; k < B_OPENS; k++)
		assert_int_equal(aionl_file_unregister(f->b, handles[k]), 0);
	free(bufs);
}

/* ------------------------------------------------------------ predicates */

/*
 * The cancel's answer, the NOP's, and the -ECANCELED of the requests that
 * surely had not started (must_cancel). More may come later: io_uring's
 * cancels of its own queue complete after the NOP, and a request that
 * started may be held in the kernel before it reaches the filesystem (by
 * FUSE's limit of background requests), where nothing can count it.
 */
static unsigned int must_cancel;

static bool cancel_answered(struct fx *f)
{
	return f->cancel_completions && f->nop_completions && a_cancelled(f) >= must_cancel;
}

static bool released_completed(struct fx *f)
{
	for (int i = 0; i < A_REQS; i++)
		if (f->req[i].released && !f->req[i].completions)
			return false;
	return true;
}

static bool all_completed(struct fx *f)
{
	return a_completed(f) == A_REQS;
}

static bool first_completed(struct fx *f)
{
	return f->req[0].completions > 0;
}

/* ------------------------------------------------------------ the tests */

/* The filesystem itself, gate open: its bytes through A, and an OPEN through A. */
static void test_hangfs_serves_its_files_through_a_context(void **state)
{
	struct fx *f = *state;
	struct areq *r = &f->req[0];
	const char *expect = getenv("AIONL_TEST_EXPECT");
	struct aionl_info info;
	struct aionl_req req;
	char path[PATH_MAX], got[64];

	/* The run is on the backend and executor it is named after. */
	assert_int_equal(aionl_ctx_info(f->a, &info), 0);
	/* "kernel" for the kernel backend, whose executor is the module, as conformance names it. */
	snprintf(got, sizeof(got), "%s%s%s", aionl_backend_name(info.backend),
		 on_kernel(&info) ? "" : "+", on_kernel(&info) ? "" : aionl_executor_name(info.executor));
	if (expect)
		assert_string_equal(got, expect);
	for (unsigned int i = 0; i < NFILES; i += 7) {
		/* Unaligned offsets too, each a whole RW_LEN inside the file. */
		*r = (struct areq){ .op = HANGFS_READ, .file = i,
				    .off = (uint64_t)i * 1000 % (FUSE_FILE_SIZE - RW_LEN) };
		aionl_req_read(&req, f->files[i], r->buf, RW_LEN, r->off, A_COOKIE);
		assert_true(reap_a(f, 0) == 0);
		submit(f->a, &req, 1);
		assert_true(reap_a_until(f, first_completed));
		assert_int_equal(r->completions, 1);
		assert_int_equal(r->res, RW_LEN);
		assert_true(read_is_right(r));
		assert_true(hangfs_was_seen(f->fs, HANGFS_READ, hangfs_ino(i), r->off));
	}
	*r = (struct areq){ .op = HANGFS_OPEN, .file = 5 };
	snprintf(path, sizeof(path), "%s/f5", hangfs_mountpoint(f->fs));
	aionl_req_open(&req, AIONL_AT_CWD, path, O_RDONLY, 0, 0, A_COOKIE);
	submit(f->a, &req, 1);
	assert_true(reap_a_until(f, first_completed));
	assert_int_equal(r->res, 0);
	assert_int_equal(aionl_file_unregister(f->a, r->handle), 0);
	/* Written through FUSE, refused by it: the error comes back as is. */
	aionl_req_open(&req, AIONL_AT_CWD, path, O_RDWR, 0, 0, A_COOKIE);
	*r = (struct areq){ .op = HANGFS_OPEN, .file = 5 };
	submit(f->a, &req, 1);
	assert_true(reap_a_until(f, first_completed));
	assert_int_equal(r->res, -EACCES);
}

/*
 * The point: A hangs on the filesystem, B on /tmp does all its work
 * meanwhile, a cancel of everything on A ends what had not started, the
 * rest completes once the filesystem answers or the connection is aborted,
 * and A closes.
 */
static void test_a_hung_filesystem_stalls_only_its_own_socket(void **state)
{
	struct fx *f = *state;
	static struct aionl_req reqs[A_REQS];
	static char paths[A_OPENS][PATH_MAX];
	struct hangfs_seen released[A_REQS];
	struct aionl_info info;
	struct aionl_req r[2];
	unsigned int held, nrel, cancelled;

	assert_int_equal(aionl_ctx_info(f->a, &info), 0);
	a_build(f, reqs, paths);
	held = a_hang(f, reqs);

	/* B, meanwhile: all of it, once each, right. */
	b_runs_everything(f);
	/* A still hangs, untouched by B, and nothing of it came back. */
	assert_int_equal(reap_a(f, 0), 0);
	/*
	 * A is bound to the FUSE mount: a file of /tmp's filesystem is refused,
	 * and A's engine says so while its requests hang.
	 */
	{
		int fd = open(f->bfile, O_RDONLY);
		uint64_t h;

		assert_true(fd >= 0);
		assert_int_equal(aionl_file_register(f->a, fd, &h), -EXDEV);
		close(fd);
	}
	assert_true(hangfs_parked(f->fs, NULL, NULL) >= held);
	if (info.executor == AIONL_EXEC_THREADS)
		assert_int_equal(hangfs_parked_max(f->fs), info.workers);
	if (on_kernel(&info))
		assert_int_equal(hangfs_parked_max(f->fs), K_HELD);

	/*
	 * Cancel everything on A, and a NOP behind it: A's engine answers
	 * while its requests hang.
	 */
	aionl_req_cancel(&r[0], 0, AIONL_CANCEL_ALL, A_CANCEL);
	aionl_req_nop(&r[1], A_NOP);
	submit(f->a, r, 2);
	/*
	 * Surely not started: on the threads executor, all but what its
	 * workers hold; on io_uring, at least the OPENs past
	 * AIONL_MAX_OPENS_RUNNING, which wait in the engine. (io_uring's
	 * workers also take reads that FUSE then holds before they reach the
	 * daemon, waiting for one of its max_background slots: those started.)
	 * On the kernel backend, every work still queued behind its
	 * workqueue's max_active: cancel_work() takes it off.
	 */
	must_cancel = on_kernel(&info) ? A_REQS - K_HELD
		      : info.executor == AIONL_EXEC_THREADS ? A_REQS - info.workers
							    : A_OPENS - AIONL_MAX_OPENS_RUNNING;
	if (!reap_a_until(f, cancel_answered))
		fail_msg("after the cancel: %u of A's requests ended with -ECANCELED, expected at "
			 "least %u (cancel: %u completions, NOP: %u)", a_cancelled(f), must_cancel,
			 f->cancel_completions, f->nop_completions);
	/* It found every request: the ones running count too. */
	assert_int_equal(f->cancel_completions, 1);
	assert_int_equal(f->cancel_res, A_REQS);
	assert_int_equal(f->nop_completions, 1);
	cancelled = a_cancelled(f);
	held = hangfs_parked(f->fs, NULL, NULL);
	print_message("cancel: %u ended with -ECANCELED so far, %u held by the filesystem\n",
		      cancelled, held);
	/* Only -ECANCELED so far: nothing else can end while the filesystem hangs. */
	for (int i = 0; i < A_REQS; i++) {
		struct areq *q = &f->req[i];

		if (q->completions && q->res != -ECANCELED)
			fail_msg("A's request %d (%s) completed with %lld while the filesystem hangs",
				 i, q->op == HANGFS_OPEN ? "OPEN" : "READ", (long long)q->res);
	}
	if (info.executor == AIONL_EXEC_THREADS || on_kernel(&info)) {
		assert_int_equal(cancelled, must_cancel);
		assert_int_equal(held, A_REQS - must_cancel);
	}

	/* The filesystem answers some of what it holds: those complete, with their data. */
	nrel = hangfs_release(f->fs, (held + 1) / 2, released);
	assert_int_equal(nrel, (held + 1) / 2);
	for (unsigned int k = 0; k < nrel; k++) {
		int i = areq_of(f, &released[k]);

		assert_true(i >= 0);
		f->req[i].released = true;
	}
	if (!reap_a_until(f, released_completed))
		fail_msg("the requests the filesystem answered did not complete");
	for (int i = 0; i < A_REQS; i++) {
		struct areq *q = &f->req[i];

		if (q->released) {
			if (q->op == HANGFS_READ) {
				assert_int_equal(q->res, RW_LEN);
				assert_true(read_is_right(q));
			} else {
				assert_int_equal(q->res, 0);
				assert_true(q->handle != 0);
				/* Registered: unregistering it closes the file (a FLUSH, answered). */
				assert_int_equal(aionl_file_unregister(f->a, q->handle), 0);
			}
		} else if (q->completions) {
			/* The rest still hangs: what completed was cancelled before. */
			assert_int_equal(q->res, -ECANCELED);
		}
	}

	/* Abort the connection: the rest fail, once each. */
	assert_int_equal(hangfs_abort(f->fs), 0);
	if (!reap_a_until(f, all_completed))
		fail_msg("after the abort, %u of A's %d requests completed", a_completed(f),
			 A_REQS);
	for (int i = 0; i < A_REQS; i++) {
		struct areq *q = &f->req[i];

		assert_int_equal(q->completions, 1);
		if (q->released || q->res == -ECANCELED)
			continue;
		/*
		 * Held when the connection went: -ECONNABORTED. One on its way
		 * to the filesystem then finds no connection: -ENOTCONN.
		 */
		if (q->res != -ECONNABORTED && q->res != -ENOTCONN)
			fail_msg("A's request %d (%s of /f%u) ended with %lld after the abort", i,
				 q->op == HANGFS_OPEN ? "OPEN" : "READ", q->file, (long long)q->res);
	}
	/* -ECANCELED means nothing happened: none of them reached the filesystem. */
	for (int i = 0; i < A_REQS; i++) {
		struct areq *q = &f->req[i];

		if (q->res == -ECANCELED && hangfs_was_seen(f->fs, q->op, hangfs_ino(q->file), q->off))
			fail_msg("A's request %d (%s of /f%u) reached the filesystem, yet completed "
				 "with -ECANCELED", i, q->op == HANGFS_OPEN ? "OPEN" : "READ",
				 q->file);
	}
	print_message("in all: %u -ECANCELED, %u answered by the filesystem, %u failed by the "
		      "abort\n", a_cancelled(f), nrel, A_REQS - a_cancelled(f) - nrel);
	assert_true(close_bounded(f->a, WAIT_MS));
	f->a = NULL;
	/* Nothing more came, and nothing twice (reap_a fails on a second one). */
	assert_int_equal(f->cancel_completions, 1);
	assert_int_equal(f->nop_completions, 1);
	/* On the kernel backend: no kworker left in FUSE, and the release ran. */
	if (on_kernel(&info)) {
		assert_true(kworkers_leave("fuse_") <= 0);
		assert_true(kworkers_leave(RELEASE_FN) <= 0);
	}
}

static bool nop_answered(struct fx *f)
{
	return f->nop_completions > 0;
}

/*
 * More reads than FUSE lets a connection have in the background
 * (max_background, 12 by default) leave the engine free: a NOP behind them
 * is answered. Regression: the io_uring executor let io_uring try each read
 * inside io_uring_enter, on the engine thread, where FUSE's direct I/O took
 * a background slot for each; the 13th waited there for a free one, and the
 * engine, its cancels and its close with it, until the filesystem answered
 * (Linux 6.18; io_uring tries a file without FMODE_NOWAIT when its poll says
 * ready, and FUSE's does).
 */
static void test_reads_past_fuses_background_limit_leave_the_engine_free(void **state)
{
	struct fx *f = *state;
	enum { N = 32 };
	struct aionl_req reqs[N + 1];

	hangfs_hold(f->fs, false, true);
	for (int i = 0; i < N; i++) {
		struct areq *r = &f->req[i];

		*r = (struct areq){ .op = HANGFS_READ, .file = (unsigned int)i,
				    .off = (uint64_t)(i % (FUSE_FILE_SIZE / RW_LEN)) * RW_LEN };
		aionl_req_read(&reqs[i], f->files[i], r->buf, RW_LEN, r->off, A_COOKIE + i);
	}
	for (int i = N; i < A_REQS; i++)
		f->req[i].completions = 1;	/* unused here: done, for all_completed() */
	submit(f->a, reqs, N);
	assert_true(hangfs_wait_parked(f->fs, 1, WAIT_MS) >= 1);
	hangfs_wait_settled(f->fs, 300, 5000);
	aionl_req_nop(&reqs[N], A_NOP);
	submit(f->a, &reqs[N], 1);
	if (!reap_a_until(f, nop_answered))
		fail_msg("A's engine did not answer a NOP while %u of its reads were held",
			 hangfs_parked(f->fs, NULL, NULL));
	assert_int_equal(a_completed(f), A_REQS - N);
	/* Then the rest, once each. */
	assert_int_equal(hangfs_abort(f->fs), 0);
	assert_true(reap_a_until(f, all_completed));
	for (int i = 0; i < N; i++)
		assert_true(f->req[i].res == -ECONNABORTED || f->req[i].res == -ENOTCONN);
}

/*
 * Closing a context whose requests hang: close waits for them, as for any
 * I/O in flight, and returns once the connection is aborted.
 *
 * On the kernel backend close(2) of the socket never waits (docs/kernel.md,
 * "Per-socket state": the release's wait runs on the module's release
 * workqueue, not in the closing task), so aionl_ctx_close returns while
 * the filesystem holds K_HELD requests. The release takes what is still
 * queued off its workqueues: when the filesystem answers some of what it
 * holds, no queued request takes their place. It waits for the rest,
 * and ends once the connection is aborted: no kworker is left in FUSE or
 * in the release.
 */
static void test_close_with_hung_requests_returns_after_the_abort(void **state)
{
	struct fx *f = *state;
	static struct aionl_req reqs[A_REQS];
	static char paths[A_OPENS][PATH_MAX];
	struct hangfs_seen released[A_REQS];
	struct aionl_info info;
	struct closer c;
	unsigned int held;

	assert_int_equal(aionl_ctx_info(f->a, &info), 0);
	a_build(f, reqs, paths);
	held = a_hang(f, reqs);
	close_start(&c, f->a);
	f->a = NULL;	/* the closing thread's now */
	if (on_kernel(&info)) {
		unsigned int nrel, left;
		int kw;

		if (!close_wait(&c, WAIT_MS))
			fail_msg("aionl_ctx_close on the kernel backend waited for the filesystem");
		assert_int_equal(hangfs_parked(f->fs, NULL, NULL), held);
		/* Its release waits in a kworker (queued by the close: give it a moment). */
		for (int i = 0; (kw = kworkers_in(RELEASE_FN)) == 0 && i < 50; i++)
			usleep(100000);
		print_message("closed: %d kworkers in the release, %u requests held\n", kw, held);
		if (kw >= 0)
			assert_true(kw >= 1);
		nrel = hangfs_release(f->fs, held / 2, released);
		assert_int_equal(nrel, held / 2);
		left = hangfs_wait_settled(f->fs, 1000, 5000);
		if (left != held - nrel)
			fail_msg("after the close, %u answered of %u held left %u held: queued requests "
				 "started", nrel, held, left);
		assert_int_equal(hangfs_abort(f->fs), 0);
		kw = kworkers_leave("fuse_");
		if (kw > 0)
			fail_msg("%d kworkers still in FUSE %d ms after the abort", kw, WAIT_MS);
		kw = kworkers_leave(RELEASE_FN);
		if (kw > 0)
			fail_msg("the socket's release did not end %d ms after the abort", WAIT_MS);
		return;
	}
	/*
	 * While the filesystem holds requests, close cannot have returned:
	 * their buffers are still the kernel's.
	 */
	assert_true(hangfs_parked(f->fs, NULL, NULL) > 0);
	assert_false(close_wait(&c, 100));
	assert_int_equal(hangfs_abort(f->fs), 0);
	if (!close_wait(&c, WAIT_MS))
		fail_msg("aionl_ctx_close did not return %d ms after the abort", WAIT_MS);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hangfs_serves_its_files_through_a_context,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_a_hung_filesystem_stalls_only_its_own_socket,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_close_with_hung_requests_returns_after_the_abort,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_reads_past_fuses_background_limit_leave_the_engine_free, fx_setup,
			fx_teardown),
	};
	static const int fatal[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT };
	struct hangfs *probe;
	pthread_t wd;
	char err[512];
	int rc;

	/* Skipped only where FUSE cannot run at all; everything else is a failure. */
	if (hangfs_fusectl_ready(err, sizeof(err))) {
		fprintf(stderr, "skipped: %s\n", err);
		return 77;
	}
	rc = hangfs_mount(&probe, test_dir(), 1, 4096, err, sizeof(err));
	if (rc == -ENODEV) {
		fprintf(stderr, "skipped: FUSE is not usable here: %s\n", err);
		return 77;
	}
	if (rc) {
		fprintf(stderr, "hangfs: %s\n", err);
		return 1;
	}
	hangfs_unmount(probe);
	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], on_fatal_signal);
	/* A set-up that failed half-way gets no teardown: its mount goes at exit. */
	atexit(hangfs_emergency_abort_all);
	assert_int_equal(pthread_create(&wd, NULL, watchdog_main, NULL), 0);
	pthread_detach(wd);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
