// SPDX-License-Identifier: MIT
/*
 * Fuzz target: aionl_submit fed arrays of random requests on a real context
 * of the user backend, with files of every kind registered: random ops,
 * handles, offsets, lengths, flags, timers, signal sets, buffers and iovecs
 * in the scratch buffer (fuzz.h). What completes is reaped, and the context
 * closed.
 *
 * Beyond not crashing or hanging: every completion names a cookie that was
 * submitted, no request completes twice, and once a CANCEL of everything has
 * gone through, every accepted request has completed exactly once. Closing
 * leaves no descriptor open (LeakSanitizer sees to the memory).
 *
 * Input:
 *   config byte: bit 0 the threads executor (else io_uring); bit 1
 *     AIONL_PARAMS_NO_INLINE; bits 2-3 max_inflight 4096, 4, 16 or 64;
 *     bit 4 put 512 bytes in the pipe first; bit 5 busy-polling off;
 *   then batches, each:
 *     count byte (below 224: 1 + its value modulo 16 requests, else 16
 *     times its value less 222, as many as MAX_BATCH), action byte (bit 0
 *     raise SIGURG, bit 1 SIGWINCH, when the calling thread blocks them
 *     after the batch; bit 2 reap without waiting after the batch);
 *     then each request, read field by field (make_req).
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include "aionl.h"

enum { H_TMP_RW, H_TMP_RO, H_PIPE_R, H_PIPE_W, H_DEVNULL, H_SOCK, H_STALE, NHANDLES };

#define MAX_BATCH 528
#define MAX_IOV_ALLOC (AIONL_MAX_IOV + 1)
#define CANCEL_COOKIE 0xcace11a11cace11aULL
/* How long the final cancel waits for a credit to come back. */
#define CREDIT_WAIT_NS (50ULL * 1000000ULL)

static struct {
	int tmp_rw, tmp_ro, devnull;
	char filedata[8192];
} g;

/* Raised by the target only while blocked: caught by signal watches, if any. */
static void on_signal(int sig)
{
	(void)sig;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char path[512];

	(void)argc;
	(void)argv;
	g.tmp_rw = fz_tmpfile(path, sizeof(path));
	g.tmp_ro = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	g.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (g.tmp_ro < 0 || g.devnull < 0)
		fz_fail("cannot open the test files: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(g.filedata); i++)
		g.filedata[i] = (char)(i * 131 + 7);
	sigaction(SIGURG, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	fz_scratch();
	return 0;
}

/* ------------------------------------------------------------ the books */

/* Per cookie: requests accepted, and completions that ended one. */
struct book {
	uint64_t cookie;
	unsigned int accepted, finals;
};

struct books {
	struct book *v;
	unsigned int n, cap;
	unsigned long accepted, finals;
};

static struct book *book_of(struct books *b, uint64_t cookie, bool add)
{
	for (unsigned int i = 0; i < b->n; i++)
		if (b->v[i].cookie == cookie)
			return &b->v[i];
	if (!add)
		return NULL;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = realloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n] = (struct book){ .cookie = cookie };
	return &b->v[b->n++];
}

static void book_accepted(struct books *b, const struct aionl_req *r, int n)
{
	for (int i = 0; i < n; i++) {
		book_of(b, r[i].cookie, true)->accepted++;
		b->accepted++;
	}
}

static void book_reaped(struct books *b, const struct aionl_cqe *c, int n)
{
	for (int i = 0; i < n; i++) {
		struct book *k = book_of(b, c[i].cookie, false);

		if (fz_verbose())
			fprintf(stderr, "submit: completion %#llx res %lld flags %#x\n",
				(unsigned long long)c[i].cookie, (long long)c[i].res, c[i].flags);

		if (!k)
			fz_fail("a completion for cookie %#llx, never submitted (res %lld flags %#x)",
				(unsigned long long)c[i].cookie, (long long)c[i].res, c[i].flags);
		if (c[i].flags & AIONL_CQE_F_MORE)
			continue;
		if (++k->finals > k->accepted)
			fz_fail("cookie %#llx: %u requests accepted, %u completed (res %lld flags %#x)",
				(unsigned long long)c[i].cookie, k->accepted, k->finals,
				(long long)c[i].res, c[i].flags);
		b->finals++;
	}
}

static int reap(struct aionl_ctx *ctx, struct books *b, unsigned int min_nr,
		const struct timespec *timeout)
{
	struct aionl_cqe cqes[64];
	int n = aionl_reap(ctx, cqes, 64, min_nr, timeout);

	if (n > 64)
		fz_fail("aionl_reap returned %d for 64 slots", n);
	if (n > 0)
		book_reaped(b, cqes, n);
	return n;
}

/* ------------------------------------------------------------ requests */

struct files {
	uint64_t h[NHANDLES];
	int pipefd[2], us[2];
};

/* Signals an input may watch: none that the fuzzer or the sanitizers need. */
static uint64_t watchable(uint64_t mask)
{
	static const int keep_out[] = { SIGALRM, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
					SIGTRAP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGXCPU };

	for (size_t i = 0; i < sizeof(keep_out) / sizeof(keep_out[0]); i++)
		mask &= ~(1ULL << (keep_out[i] - 1));
	return mask;
}

static uint64_t pick_handle(struct fz *in, const struct files *f)
{
	uint8_t b = fz_u8(in);

	if (b % 9 < NHANDLES)
		return f->h[b % 9];
	return b % 9 == NHANDLES ? fz_u64(in) : 0;
}

static uint64_t pick_offset(struct fz *in)
{
	switch (fz_u8(in) % 5) {
	case 0: return fz_u16(in);
	case 1: return AIONL_OFFSET_STREAM;
	case 2: return AIONL_MAX_OFFSET - fz_u16(in);
	case 3: return (uint64_t)fz_u16(in) << 32;
	default: return fz_u64(in);
	}
}

static uint64_t pick_len(struct fz *in)
{
	switch (fz_u8(in) % 5) {
	case 0: return fz_u16(in) % 8192;
	case 1: return 0;
	case 2: return AIONL_MAX_IO_LEN + fz_u8(in) - 128;
	case 3: return fz_u16(in);
	default: return fz_u64(in);
	}
}

static uint64_t pick_ns(struct fz *in)
{
	switch (fz_u8(in) % 4) {
	case 0: return 0;
	case 1: return fz_u16(in);			/* now, or nearly */
	case 2: return (uint64_t)fz_u16(in) * 1000;	/* up to 65 ms */
	default: return fz_u64(in);
	}
}

static void make_req(struct fz *in, const struct files *f, struct aionl_req *r,
		     struct iovec **iovs, unsigned int *niovs)
{
	static const uint8_t ops[] = {
		AIONL_OP_READ, AIONL_OP_WRITE, AIONL_OP_READV, AIONL_OP_WRITEV, AIONL_OP_FSYNC,
		AIONL_OP_FDATASYNC, AIONL_OP_NOP, AIONL_OP_TIMER, AIONL_OP_TIMER_UPDATE,
		AIONL_OP_POLL, AIONL_OP_SIGNAL, AIONL_OP_CANCEL,
	};
	uint8_t op = fz_u8(in);

	memset(r, 0, sizeof(*r));
	/* Mostly real ops; now and then a number that is none. */
	r->op = op < 240 ? ops[op % sizeof(ops)] : op;
	r->cookie = fz_u8(in);
	if (r->cookie >= 0xf0)
		r->cookie = fz_u64(in);
	switch (r->op) {
	case AIONL_OP_READ:
	case AIONL_OP_WRITE:
		r->handle = pick_handle(in, f);
		r->offset = pick_offset(in);
		r->buf = (void *)(uintptr_t)fz_fold_addr(fz_u16(in));
		r->len = pick_len(in);
		r->timeout_ns = pick_ns(in);
		break;
	case AIONL_OP_READV:
	case AIONL_OP_WRITEV: {
		uint8_t b = fz_u8(in);
		unsigned int n = b < 192 ? b % 9 : b < 224 ? AIONL_MAX_IOV : b < 250 ? 100u + b :
				 AIONL_MAX_IOV + 1;
		struct iovec *v = calloc(n ? n : 1, sizeof(*v));

		for (unsigned int i = 0; i < n; i++) {
			v[i].iov_base = (void *)(uintptr_t)fz_fold_addr(fz_u16(in));
			v[i].iov_len = i < 16 ? pick_len(in) : 1;
		}
		iovs[(*niovs)++] = v;
		r->handle = pick_handle(in, f);
		r->offset = pick_offset(in);
		r->iov = v;
		r->nr_iov = n;
		r->timeout_ns = pick_ns(in);
		break;
	}
	case AIONL_OP_FSYNC:
	case AIONL_OP_FDATASYNC:
	case AIONL_OP_POLL:
		r->handle = pick_handle(in, f);
		r->poll.events = r->op == AIONL_OP_POLL ? fz_u8(in) : 0;
		r->poll.flags = r->op == AIONL_OP_POLL ? fz_u8(in) % 3 : 0;
		break;
	case AIONL_OP_TIMER:
	case AIONL_OP_TIMER_UPDATE: {
		static const uint32_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME,
						   CLOCK_PROCESS_CPUTIME_ID };
		uint8_t b = fz_u8(in);

		r->timer.clock = clocks[b % 4];
		r->timer.flags = b >> 2 & 3;
		r->timer.value_ns = pick_ns(in);
		r->timer.interval_ns = pick_ns(in);
		if (r->timer.flags & AIONL_TIMER_ABS && r->timer.value_ns < 1000000000)
			r->timer.value_ns = 0;	/* long past */
		r->timer.target = fz_u8(in);
		break;
	}
	case AIONL_OP_SIGNAL: {
		uint8_t b = fz_u8(in);

		switch (b % 4) {
		case 0: r->sigmask = 1ULL << (SIGURG - 1); break;
		case 1: r->sigmask = 1ULL << (SIGWINCH - 1) | 1ULL << (SIGURG - 1); break;
		case 2: r->sigmask = 1ULL << (SIGKILL - 1); break;
		default: r->sigmask = fz_u64(in); break;
		}
		r->sigmask = watchable(r->sigmask);
		break;
	}
	case AIONL_OP_CANCEL: {
		uint8_t b = fz_u8(in);

		r->cancel.flags = b & 7;
		r->cancel.target = r->cancel.flags & AIONL_CANCEL_HANDLE ? pick_handle(in, f)
									: fz_u8(in);
		break;
	}
	}
	/* Now and then ordered: links, drains, and bits that are none (aionl_submit refuses those). */
	if (fz_u8(in) >= 224)
		aionl_req_set_flags(r, fz_u8(in) % 5);
}

/* ------------------------------------------------------------ one input */

static struct aionl_ctx *open_ctx(uint8_t cfg)
{
	static const unsigned int inflight[] = { 0, 4, 16, 64 };
	struct aionl_params p = {
		.backend = AIONL_BACKEND_USER,
		.executor = cfg & 1 ? AIONL_EXEC_THREADS : AIONL_EXEC_URING,
		.max_inflight = inflight[cfg >> 2 & 3],
		.workers = 2,
		.spin_us = cfg & 0x20 ? -1 : 0,
		.flags = cfg & 2 ? AIONL_PARAMS_NO_INLINE : 0,
	};
	struct aionl_ctx *ctx;
	int err = aionl_ctx_open(&ctx, &p);

	if (err && p.executor == AIONL_EXEC_URING) {
		p.executor = AIONL_EXEC_THREADS;	/* where io_uring is not allowed */
		err = aionl_ctx_open(&ctx, &p);
	}
	if (err)
		fz_fail("aionl_ctx_open: %s", aionl_error_message());
	return ctx;
}

static uint64_t do_register(struct aionl_ctx *ctx, int fd)
{
	uint64_t h;

	if (aionl_file_register(ctx, fd, &h))
		fz_fail("aionl_file_register: %s", aionl_error_message());
	return h;
}

/* Submit all of reqs that the context takes, reaping to make room. */
static void submit(struct aionl_ctx *ctx, struct books *b, const struct aionl_req *reqs,
		   unsigned int nr)
{
	struct timespec ms = { 0, 1000000 };
	unsigned int done = 0, busy = 0;

	while (done < nr) {
		int n = aionl_submit(ctx, reqs + done, nr - done);

		if (fz_verbose())
			fprintf(stderr, "submit: %u requests: %d\n", nr - done, n);
		if (n > 0) {
			book_accepted(b, reqs + done, n);
			done += n;
		} else if (n == -EBUSY && busy++ < 3) {
			reap(ctx, b, 1, &ms);
		} else if (n == -EINVAL) {
			done++;		/* a request refused before sending: skip it */
		} else if (n == -EBUSY) {
			return;		/* credits held by armed timers and watches */
		} else {
			fz_fail("aionl_submit: %d %s", n, aionl_error_message());
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t cfg = fz_u8(&in);
	int fds_before = fz_count_fds();
	struct iovec *iovs[MAX_BATCH];
	struct books b = { 0 };
	struct aionl_ctx *ctx;
	struct aionl_req cancel_all;
	struct files f;
	sigset_t mask;
	uint64_t deadline, credit_deadline;
	unsigned long finals;
	bool cancelled = false;

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	if (ftruncate(g.tmp_rw, 0) || pwrite(g.tmp_rw, g.filedata, sizeof(g.filedata), 0) < 0)
		fz_fail("resetting the file: %s", strerror(errno));
	if (pipe2(f.pipefd, O_CLOEXEC | O_NONBLOCK) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.us))
		fz_fail("pipe or socketpair: %s", strerror(errno));
	if (cfg & 0x10 && write(f.pipefd[1], g.filedata, 512) != 512)
		fz_fail("filling the pipe: %s", strerror(errno));

	ctx = open_ctx(cfg);
	f.h[H_TMP_RW] = do_register(ctx, g.tmp_rw);
	f.h[H_TMP_RO] = do_register(ctx, g.tmp_ro);
	f.h[H_PIPE_R] = do_register(ctx, f.pipefd[0]);
	f.h[H_PIPE_W] = do_register(ctx, f.pipefd[1]);
	f.h[H_DEVNULL] = do_register(ctx, g.devnull);
	f.h[H_SOCK] = do_register(ctx, f.us[0]);
	f.h[H_STALE] = do_register(ctx, g.devnull);
	if (aionl_file_unregister(ctx, f.h[H_STALE]))
		fz_fail("aionl_file_unregister: %s", aionl_error_message());

	while (in.n) {
		struct aionl_req reqs[MAX_BATCH];
		uint8_t count = fz_u8(&in);
		unsigned int nr = count < 224 ? 1u + count % 16u : 16u * (count - 222u), niovs = 0;
		uint8_t action = fz_u8(&in);
		sigset_t now;

		for (unsigned int i = 0; i < nr; i++)
			make_req(&in, &f, &reqs[i], iovs, &niovs);
		submit(ctx, &b, reqs, nr);
		while (niovs)
			free(iovs[--niovs]);	/* copied at submit */
		pthread_sigmask(SIG_SETMASK, NULL, &now);
		if (action & 1 && sigismember(&now, SIGURG))
			kill(getpid(), SIGURG);
		if (action & 2 && sigismember(&now, SIGWINCH))
			kill(getpid(), SIGWINCH);
		if (action & 4)
			reap(ctx, &b, 0, NULL);
	}

	/*
	 * Cancel everything, then every accepted request completes once. The
	 * cancel needs a credit: if armed timers and watches hold them all, it
	 * cannot be sent, and the close cancels them instead.
	 */
	aionl_req_cancel(&cancel_all, 0, AIONL_CANCEL_ALL, CANCEL_COOKIE);
	deadline = fz_now_ns() + FZ_STUCK_NS;
	credit_deadline = fz_now_ns() + CREDIT_WAIT_NS;
	while (!cancelled || b.finals < b.accepted) {
		struct timespec ms = { 0, 1000000 };

		if (!cancelled) {
			int n = aionl_submit(ctx, &cancel_all, 1);

			if (n == 1) {
				book_accepted(&b, &cancel_all, 1);
				cancelled = true;
			} else if (n != -EBUSY) {
				fz_fail("aionl_submit of a cancel: %d %s", n, aionl_error_message());
			}
		}
		finals = b.finals;
		reap(ctx, &b, 1, &ms);
		/* A credit comes back with a final completion; a timer's ticks bring none. */
		if (b.finals > finals)
			credit_deadline = fz_now_ns() + CREDIT_WAIT_NS;
		else if (!cancelled && fz_now_ns() > credit_deadline)
			break;
		if (cancelled && fz_now_ns() > deadline)
			fz_fail("%lu requests accepted, %lu completed, 10 s after cancelling all",
				b.accepted, b.finals);
	}
	aionl_ctx_close(ctx);

	free(b.v);
	close(f.pipefd[0]);
	close(f.pipefd[1]);
	close(f.us[0]);
	close(f.us[1]);
	/* Signals raised for watches and still pending go to on_signal. */
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (fz_count_fds() != fds_before)
		fz_fail("%d descriptors open before, %d after", fds_before, fz_count_fds());
	return 0;
}
