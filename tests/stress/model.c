// SPDX-License-Identifier: MIT
/*
 * A model-checked stress of the public API, on whatever backend the
 * environment picks (AIONL_BACKEND, AIONL_EXECUTOR): random mixes of every
 * operation (reads, writes and their vectored forms at offsets, fsyncs, NOPs,
 * reads and writes on pipes with and without deadlines, one-shot and periodic
 * timers and their updates, one-shot and multishot polls, a signal watch,
 * cancels, registering and unregistering) in random batches, reaped in random
 * amounts, each completion checked against an in-memory model:
 *
 *  - every request completes exactly once: one final completion, none after
 *    it, AIONL_CQE_F_MORE only for what stays armed;
 *  - a file transfer moves exactly its length; a read returns the bytes the
 *    model holds (no write overlapping it is in flight, so they are known);
 *  - a pipe's bytes arrive once each, in order (one read and one write in
 *    flight per pipe);
 *  - -ECANCELED and -ETIMEDOUT mean nothing was transferred;
 *  - requests linked into chains (AIONL_REQ_LINK: transfers, fsyncs, NOPs,
 *    pipe reads and writes, next to each other in a batch) complete after
 *    the one before them, and with -ECANCELED when that one failed or moved
 *    fewer bytes than it asked for (a pipe read often does);
 *  - requests on an unregistered handle are -EBADF, those already in flight
 *    complete normally;
 *  - at the end, the files on disk are the model's.
 *
 * usage: stress_model [--seed N|random] [--ops N] [--dir DIR] [-v]
 * The seed is printed first, so a failure replays with --seed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "aionl.h"

#define NFILES 3
#define FILE_BYTES (256 * 1024)
#define NPIPES 2
#define MAX_XFER 16384
#define PIPE_XFER 4096	/* PIPE_BUF: a pipe write of at most this is atomic */
#define MS 1000000ULL

enum kind {
	K_READ, K_READV, K_WRITE, K_WRITEV, K_FSYNC, K_NOP, K_TIMER, K_PTIMER, K_TUPDATE,
	K_PREAD, K_PWRITE, K_POLL, K_MPOLL, K_SIGNAL, K_CANCEL, K_KINDS
};

static const char *const kind_names[K_KINDS] = {
	"read", "readv", "write", "writev", "fsync", "nop", "timer", "periodic timer",
	"timer update", "pipe read", "pipe write", "poll", "multishot poll", "signal",
	"cancel",
};

struct op {
	enum kind kind;
	bool submitted, done;
	bool ebadf;		/* its handle was unregistered before it was submitted */
	bool cancelled;		/* a cancel named it */
	bool due;		/* completes by itself, soon: a reap may wait for it */
	unsigned int updates;	/* periodic timer: TIMER_UPDATEs sent to it */
	uint64_t submit_seq;	/* finals reaped before it was sent */
	uint64_t done_seq;	/* finals reaped when its own was */
	int file, pipe;
	int64_t pred;		/* the request it is linked behind, or -1 */
	bool ok;		/* done, and succeeded: what a link needs */
	uint64_t off, len, target, interval;
	uint64_t t_submit;
	int64_t expirations;	/* periodic timer: reported so far */
	uint64_t pipe_pos;	/* pipe write: stream offset of its first byte */
	unsigned char *buf;
	struct iovec iov[3];
	unsigned int nr_iov;
};

static struct {
	uint64_t seed, state;
	struct aionl_ctx *ctx;
	struct op *ops;
	uint64_t nops, max_ops;
	unsigned int live;	/* submitted, final not yet reaped */
	unsigned int due;	/* of which complete by themselves */
	uint64_t finals;	/* final completions reaped */
	bool verbose;
	/* Regular files: the model's bytes, the live handle, one retired handle. */
	struct {
		int fd;
		char path[256];
		unsigned char *model;
		uint64_t h, dead_h;
	} f[NFILES];
	/* Pipes: bytes written and read so far; the one write and read in flight. */
	struct {
		int rd, wr;
		uint64_t h_rd, h_wr;
		uint64_t written, read;
		int64_t writer, reader;	/* op index, -1: none */
		/* The last completions on it, for the message when a check fails. */
		struct { uint64_t op, len, pos; int64_t res; bool write; } hist[8];
		unsigned int nhist;
	} p[NPIPES];
	int efd;
	uint64_t h_efd;
	/* File transfers live (submitted, final not reaped): what ranges are busy. */
	uint64_t *xfers;
	unsigned int nxfers;
	int64_t mpoll, sigwatch, ptimer;	/* the one of each armed, -1: none */
	unsigned int raised;
	uint64_t accepted, completions, bytes, cancels_hit, timeouts, ebadfs, busy, links, broken;
} S;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "stress_model: seed %#" PRIx64 ", op %" PRIu64 ": ", S.seed, S.nops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t rnd(void)
{
	/* splitmix64: a seed replays the same run. */
	uint64_t z = (S.state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned char pipe_byte(int pipe, uint64_t pos)
{
	return (unsigned char)(pos * 7 + (pos >> 9) + (uint64_t)pipe * 101 + 3);
}

/* ------------------------------------------------------------ what may be submitted */

static bool overlaps(const struct op *o, int file, uint64_t off, uint64_t len)
{
	return o->file == file && o->off < off + len && off < o->off + o->len;
}

/* Whether a transfer on [off, off+len) of file conflicts with one in flight. */
static bool range_busy(int file, uint64_t off, uint64_t len, bool write)
{
	for (unsigned int x = 0; x < S.nxfers; x++) {
		const struct op *o = &S.ops[S.xfers[x]];

		if ((write || o->kind == K_WRITE || o->kind == K_WRITEV) &&
		    overlaps(o, file, off, len))
			return true;
	}
	return false;
}

static void split_iov(struct op *o)
{
	uint64_t left = o->len, at = 0;

	o->nr_iov = 1 + (unsigned int)below(3);
	for (unsigned int i = 0; i < o->nr_iov; i++) {
		uint64_t n = i + 1 == o->nr_iov ? left : below(left + 1);

		o->iov[i] = (struct iovec){ o->buf + at, n };
		at += n;
		left -= n;
	}
}

/* Fill r with a random request as op o (index i), or return false to try another. */
static bool make(uint64_t i, struct aionl_req *r)
{
	struct op *o = &S.ops[i];
	enum kind k = (enum kind)below(K_KINDS);
	int file = (int)below(NFILES), pipe = (int)below(NPIPES);
	uint64_t h;

	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->file = -1;
	o->pipe = -1;
	o->due = k != K_PTIMER && k != K_PREAD && k != K_PWRITE && k != K_POLL && k != K_MPOLL &&
		 k != K_SIGNAL;
	switch (k) {
	case K_READ: case K_READV: case K_WRITE: case K_WRITEV: {
		bool write = k == K_WRITE || k == K_WRITEV;

		o->len = 1 + below(MAX_XFER);
		o->off = below(FILE_BYTES - o->len + 1);
		if (range_busy(file, o->off, o->len, write))
			return false;
		o->file = file;
		o->buf = malloc(o->len);
		if (write)
			for (uint64_t b = 0; b < o->len; b++)
				o->buf[b] = (unsigned char)(i * 31 + b);
		/* Now and then the retired handle: -EBADF, nothing moves. */
		h = S.f[file].dead_h && below(8) == 0 ? S.f[file].dead_h : S.f[file].h;
		o->ebadf = h == S.f[file].dead_h;
		if (!o->ebadf)
			S.xfers[S.nxfers++] = i;
		if (k == K_READ)
			aionl_req_read(r, h, o->buf, o->len, o->off, i);
		else if (k == K_WRITE)
			aionl_req_write(r, h, o->buf, o->len, o->off, i);
		split_iov(o);
		if (k == K_READV)
			aionl_req_readv(r, h, o->iov, o->nr_iov, o->off, i);
		else if (k == K_WRITEV)
			aionl_req_writev(r, h, o->iov, o->nr_iov, o->off, i);
		return true;
	}
	case K_FSYNC:
		o->file = file;
		aionl_req_fsync(r, S.f[file].h, i);
		return true;
	case K_NOP:
		aionl_req_nop(r, i);
		return true;
	case K_TIMER:
		aionl_req_timer(r, CLOCK_MONOTONIC, below(3 * MS), 0, 0, i);
		return true;
	case K_PTIMER:
		if (S.ptimer >= 0)
			return false;
		o->interval = MS + below(3 * MS);
		aionl_req_timer(r, CLOCK_MONOTONIC, below(2 * MS), o->interval, 0, i);
		S.ptimer = (int64_t)i;
		return true;
	case K_TUPDATE:
		/* A recent op: a timer is re-armed, keeping its period; else -ENOENT. */
		o->target = i ? i - 1 - below(i < 64 ? i : 64) : 0;
		aionl_req_timer_update(r, o->target, below(2 * MS), S.ops[o->target].interval, 0, i);
		if (S.ops[o->target].kind == K_PTIMER)
			S.ops[o->target].updates++;
		return true;
	case K_PREAD:
		if (S.p[pipe].reader >= 0)
			return false;
		o->pipe = pipe;
		o->len = 1 + below(2 * PIPE_XFER);
		o->buf = malloc(o->len);
		aionl_req_read(r, S.p[pipe].h_rd, o->buf, o->len, AIONL_OFFSET_STREAM, i);
		if (below(3) == 0) {
			aionl_req_set_timeout(r, below(4 * MS) + 1);
			o->due = true;
		}
		S.p[pipe].reader = (int64_t)i;
		return true;
	case K_PWRITE:
		if (S.p[pipe].writer >= 0)
			return false;
		o->pipe = pipe;
		o->len = 1 + below(PIPE_XFER);
		o->buf = malloc(o->len);
		o->pipe_pos = S.p[pipe].written;
		for (uint64_t b = 0; b < o->len; b++)
			o->buf[b] = pipe_byte(pipe, o->pipe_pos + b);
		aionl_req_write(r, S.p[pipe].h_wr, o->buf, o->len, AIONL_OFFSET_STREAM, i);
		S.p[pipe].writer = (int64_t)i;
		return true;
	case K_POLL:
		o->pipe = pipe;
		aionl_req_poll(r, S.p[pipe].h_rd, AIONL_POLL_IN, 0, i);
		return true;
	case K_MPOLL:
		if (S.mpoll >= 0)
			return false;
		aionl_req_poll(r, S.h_efd, AIONL_POLL_IN, AIONL_POLL_MULTISHOT, i);
		S.mpoll = (int64_t)i;
		return true;
	case K_SIGNAL: {
		sigset_t set;

		if (S.sigwatch >= 0)
			return false;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		aionl_req_signal(r, &set, i);
		S.sigwatch = (int64_t)i;
		return true;
	}
	case K_CANCEL:
		/* Mostly a recent request, which may still be live. */
		o->target = i ? i - 1 - below(i < 64 ? i : 64) : 0;
		aionl_req_cancel(r, o->target, 0, i);
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------ checking completions */

static void retire(struct op *o, uint64_t i)
{
	for (unsigned int x = 0; x < S.nxfers; x++) {
		if (S.xfers[x] == i) {
			S.xfers[x] = S.xfers[--S.nxfers];
			break;
		}
	}
	if (o->pipe >= 0 && S.p[o->pipe].reader == (int64_t)i)
		S.p[o->pipe].reader = -1;
	if (o->pipe >= 0 && S.p[o->pipe].writer == (int64_t)i)
		S.p[o->pipe].writer = -1;
	if (S.mpoll == (int64_t)i)
		S.mpoll = -1;
	if (S.sigwatch == (int64_t)i)
		S.sigwatch = -1;
	if (S.ptimer == (int64_t)i)
		S.ptimer = -1;
	free(o->buf);
	o->buf = NULL;
	o->done = true;
	o->done_seq = ++S.finals;
	S.live--;
	S.due -= o->due;
}

static void check_transfer(struct op *o, uint64_t i, int64_t res)
{
	bool write = o->kind == K_WRITE || o->kind == K_WRITEV;

	/* First: one a chain holds may be cancelled before its bad handle fails it. */
	if (res == -ECANCELED && o->cancelled) {
		S.cancels_hit++;
		return;
	}
	if (o->ebadf) {
		if (res != -EBADF)
			fail("%s on an unregistered handle gave %" PRId64 ", not -EBADF",
			     kind_names[o->kind], res);
		S.ebadfs++;
		return;
	}
	if (res != (int64_t)o->len)
		fail("%s of %" PRIu64 " bytes at %" PRIu64 " of file %d gave %" PRId64,
		     kind_names[o->kind], o->len, o->off, o->file, res);
	if (write) {
		memcpy(S.f[o->file].model + o->off, o->buf, o->len);
	} else if (memcmp(S.f[o->file].model + o->off, o->buf, o->len)) {
		uint64_t b = 0;

		while (S.f[o->file].model[o->off + b] == o->buf[b])
			b++;
		fail("%s %" PRIu64 " (%" PRIu64 " bytes at %" PRIu64 " of file %d): byte %" PRIu64
		     " is %#x, the model has %#x", kind_names[o->kind], i, o->len, o->off, o->file,
		     b, o->buf[b], S.f[o->file].model[o->off + b]);
	}
	S.bytes += o->len;
}

static void pipe_history(int pipe)
{
	for (unsigned int k = S.p[pipe].nhist > 8 ? S.p[pipe].nhist - 8 : 0; k < S.p[pipe].nhist; k++) {
		const typeof(S.p[0].hist[0]) *h = &S.p[pipe].hist[k % 8];

		fprintf(stderr, "  pipe %d: %s %" PRIu64 " of %" PRIu64 " bytes at %" PRIu64 ": %" PRId64
			"\n", pipe, h->write ? "write" : "read", h->op, h->len, h->pos, h->res);
	}
}

static void check_pipe(struct op *o, int64_t res)
{
	bool write = o->kind == K_PWRITE;
	unsigned int slot = S.p[o->pipe].nhist++ % 8;

	S.p[o->pipe].hist[slot].op = (uint64_t)(o - S.ops);
	S.p[o->pipe].hist[slot].len = o->len;
	S.p[o->pipe].hist[slot].pos = write ? o->pipe_pos : S.p[o->pipe].read;
	S.p[o->pipe].hist[slot].res = res;
	S.p[o->pipe].hist[slot].write = write;

	if ((res == -ECANCELED && o->cancelled) || (res == -ETIMEDOUT && !write)) {
		S.cancels_hit += res == -ECANCELED;
		S.timeouts += res == -ETIMEDOUT;
		return;
	}
	if (res <= 0 || (uint64_t)res > o->len)
		fail("%s of %" PRIu64 " bytes on pipe %d gave %" PRId64, kind_names[o->kind],
		     o->len, o->pipe, res);
	if (write) {
		/* The next write starts where this one's bytes end. */
		S.p[o->pipe].written = o->pipe_pos + (uint64_t)res;
	} else {
		for (int64_t b = 0; b < res; b++)
			if (o->buf[b] != pipe_byte(o->pipe, S.p[o->pipe].read + (uint64_t)b)) {
				pipe_history(o->pipe);
				fail("pipe %d: byte %" PRIu64 " (%" PRId64 " of the read) out of order, "
				     "lost or twice", o->pipe, S.p[o->pipe].read + (uint64_t)b, b);
			}
		S.p[o->pipe].read += (uint64_t)res;
		/* The write in flight may have moved its bytes before its completion is reaped. */
		if (S.p[o->pipe].read > S.p[o->pipe].written +
		    (S.p[o->pipe].writer >= 0 ? S.ops[S.p[o->pipe].writer].len : 0))
			fail("pipe %d: more read than written", o->pipe);
	}
	S.bytes += (uint64_t)res;
}

/* Whether op t's final completion was reaped before op o was sent. */
static bool reaped_before(uint64_t t, const struct op *o)
{
	return S.ops[t].submitted && S.ops[t].done && S.ops[t].done_seq <= o->submit_seq;
}

static void complete(const struct aionl_cqe *c)
{
	uint64_t i = c->cookie;
	struct op *o;
	bool more = c->flags & AIONL_CQE_F_MORE;

	S.completions++;
	if (i >= S.nops || !S.ops[i].submitted)
		fail("a completion for cookie %" PRIu64 ", never submitted", i);
	o = &S.ops[i];
	if (o->done)
		fail("%s %" PRIu64 " completed again (res %" PRId64 ") after its final completion",
		     kind_names[o->kind], i, c->res);
	if (c->flags & AIONL_CQE_F_REJECTED)
		fail("%s %" PRIu64 " rejected: %" PRId64, kind_names[o->kind], i, c->res);
	if (S.verbose)
		fprintf(stderr, "  %" PRIu64 " %s: %" PRId64 "%s\n", i, kind_names[o->kind], c->res,
			more ? " more" : "");
	if (!more && o->pred >= 0) {
		const struct op *p = &S.ops[o->pred];

		/* One a cancel ended while it waited ends at once, before it. */
		if (!p->done && !(c->res == -ECANCELED && o->cancelled))
			fail("%s %" PRIu64 " completed before %s %" PRId64 ", which it is linked behind",
			     kind_names[o->kind], i, kind_names[p->kind], o->pred);
		if (p->done && !p->ok) {
			/* Its chain broke before it: it never started. */
			if (c->res != -ECANCELED)
				fail("%s %" PRIu64 ", behind a failed %s, gave %" PRId64 ", not -ECANCELED",
				     kind_names[o->kind], i, kind_names[p->kind], c->res);
			S.broken++;
			retire(o, i);
			return;
		}
	}
	if (more) {
		switch (o->kind) {
		case K_PTIMER:
			if (c->res < 1 || !(c->flags & AIONL_CQE_F_TIMER))
				fail("periodic timer %" PRIu64 ": res %" PRId64, i, c->res);
			o->expirations += c->res;
			break;
		case K_MPOLL:
			if (!(c->res & AIONL_POLL_IN))
				fail("multishot poll %" PRIu64 ": events %#" PRIx64, i, (uint64_t)c->res);
			break;
		case K_SIGNAL:
			if (!(c->flags & AIONL_CQE_F_SIGNAL) || c->si.signo != SIGUSR2)
				fail("signal watch %" PRIu64 ": signo %d", i, c->si.signo);
			o->expirations++;
			if ((unsigned int)o->expirations > S.raised)
				fail("more SIGUSR2 caught than raised");
			break;
		default:
			fail("%s %" PRIu64 " has AIONL_CQE_F_MORE", kind_names[o->kind], i);
		}
		return;
	}
	switch (o->kind) {
	case K_READ: case K_READV: case K_WRITE: case K_WRITEV:
		check_transfer(o, i, c->res);
		break;
	case K_FSYNC: case K_NOP:
		if (c->res != 0 && !(c->res == -ECANCELED && o->cancelled))
			fail("%s %" PRIu64 " gave %" PRId64, kind_names[o->kind], i, c->res);
		break;
	case K_TIMER:
		if (c->res != 1 && !(c->res == -ECANCELED && o->cancelled))
			fail("timer %" PRIu64 " gave %" PRId64, i, c->res);
		break;
	case K_PTIMER: {
		/* Never more expirations than time allowed, one more per re-arm. */
		uint64_t most = (now_ns() - o->t_submit) / o->interval + 2 + o->updates;

		if (c->res != -ECANCELED || !o->cancelled)
			fail("periodic timer %" PRIu64 " ended with %" PRId64, i, c->res);
		if ((uint64_t)o->expirations > most)
			fail("periodic timer %" PRIu64 ": %" PRId64 " expirations, at most %" PRIu64
			     " possible", i, o->expirations, most);
		break;
	}
	case K_TUPDATE:
		if (c->res != 0 && c->res != -ENOENT)
			fail("timer update %" PRIu64 " gave %" PRId64, i, c->res);
		if (c->res == 0 && reaped_before(o->target, o))
			fail("timer update %" PRIu64 " found %" PRIu64 ", reaped before it was sent", i,
			     o->target);
		/* Only a timer that may still be armed can be found. */
		if (c->res == 0 && (S.ops[o->target].kind != K_TIMER && S.ops[o->target].kind != K_PTIMER))
			fail("timer update %" PRIu64 " found %s %" PRIu64, i,
			     kind_names[S.ops[o->target].kind], o->target);
		break;
	case K_PREAD: case K_PWRITE:
		check_pipe(o, c->res);
		break;
	case K_POLL:
		if (!(c->res & (AIONL_POLL_IN | AIONL_POLL_HUP)) && !(c->res == -ECANCELED && o->cancelled))
			fail("poll %" PRIu64 " gave %" PRId64, i, c->res);
		break;
	case K_MPOLL: case K_SIGNAL:
		if (c->res != -ECANCELED || !o->cancelled)
			fail("%s %" PRIu64 " ended with %" PRId64, kind_names[o->kind], i, c->res);
		break;
	case K_CANCEL:
		if (o->target == UINT64_MAX) {	/* the last one, of everything */
			if (c->res < 0 && c->res != -ENOENT)
				fail("cancel of everything gave %" PRId64, c->res);
			break;
		}
		if (c->res != -ENOENT && c->res != 1)
			fail("cancel %" PRIu64 " of %" PRIu64 " gave %" PRId64, i, o->target, c->res);
		if (c->res == 1 && !S.ops[o->target].submitted)
			fail("cancel %" PRIu64 " found %" PRIu64 ", never submitted", i, o->target);
		if (c->res == 1 && reaped_before(o->target, o))
			fail("cancel %" PRIu64 " found %" PRIu64 ", reaped before it was sent", i,
			     o->target);
		break;
	default:
		break;
	}
	/* Success, for a link: res >= 0 and every byte it asked for (len is 0 but for transfers). */
	o->ok = c->res >= 0 && (uint64_t)c->res >= o->len;
	retire(o, i);
}

/* What a chain may link: transfers, fsyncs, NOPs, pipe reads and writes. */
static bool linkable(enum kind k)
{
	return k == K_READ || k == K_READV || k == K_WRITE || k == K_WRITEV || k == K_FSYNC ||
	       k == K_NOP || k == K_PREAD || k == K_PWRITE;
}

/* ------------------------------------------------------------ the run */

/* Reap between min_nr and max (at most 64); min_nr must be at most S.due. */
static void reap(unsigned int min_nr, unsigned int max)
{
	struct aionl_cqe c[64];
	int n = aionl_reap(S.ctx, c, max, min_nr, &(struct timespec){ 10, 0 });

	if (n < 0 && n != -EINTR)
		fail("aionl_reap: %s", aionl_error_message());
	if (n >= 0 && (unsigned int)n < min_nr)
		fail("%u of %u requests due did not complete in 10 s (%u live)", min_nr - n, S.due,
		     S.live);
	for (int k = 0; k < n; k++)
		complete(&c[k]);
}

/* Mark what a cancel request names, so that -ECANCELED is allowed there. */
static void note_cancel(const struct op *o)
{
	if (o->kind == K_CANCEL && o->target < S.nops)
		S.ops[o->target].cancelled = true;
}

static void submit_batch(void)
{
	struct aionl_req r[32];
	uint64_t first = S.nops;
	unsigned int want = 1 + (unsigned int)below(32), n = 0;
	int got;

	for (unsigned int tries = 0; n < want && S.nops < S.max_ops && tries < 4 * want; tries++) {
		struct op *o = &S.ops[S.nops];

		if (!make(S.nops, &r[n]))
			continue;
		o->pred = -1;
		/*
		 * Now and then behind the request before it, which then runs
		 * first. Only behind one that completes by itself: a pipe read
		 * waiting for the write linked behind it would wait for ever.
		 */
		if (n && linkable(o->kind) && linkable(S.ops[S.nops - 1].kind) &&
		    S.ops[S.nops - 1].due && !below(4)) {
			aionl_req_set_flags(&r[n - 1], AIONL_REQ_LINK);
			o->pred = (int64_t)S.nops - 1;
			S.links++;
		}
		/* Live from here, so that the rest of the batch sees its range. */
		o->submitted = true;
		o->t_submit = now_ns();
		o->submit_seq = S.finals;
		S.live++;
		S.due += o->due;
		S.nops++;
		n++;
	}
	if (!n)
		return;
	if (S.verbose)
		for (unsigned int k = 0; k < n; k++)
			fprintf(stderr, "  submit %" PRIu64 " %s%s\n", first + k,
				kind_names[S.ops[first + k].kind],
				r[k].flags & AIONL_REQ_LINK ? " linked to the next" : "");
	got = aionl_submit(S.ctx, r, n);
	if (got == -EBUSY)
		S.busy++;
	else if (got < 0)
		fail("aionl_submit of %u: %s", n, aionl_error_message());
	if (got < 0)
		got = 0;
	for (unsigned int k = 0; k < n; k++) {
		struct op *o = &S.ops[first + k];

		if (k < (unsigned int)got) {
			S.accepted++;
			note_cancel(o);
			continue;
		}
		/* Not accepted: as if never made. */
		retire(o, first + k);
		o->submitted = false;
	}
}

/* Swap a file's handle for a new registration now and then, retiring the old one. */
static void reregister(void)
{
	int file = (int)below(NFILES);
	uint64_t h;

	if (aionl_file_register(S.ctx, S.f[file].fd, &h))
		fail("aionl_file_register: %s", aionl_error_message());
	if (S.f[file].dead_h == 0 || below(2)) {
		int err = aionl_file_unregister(S.ctx, S.f[file].h);

		if (err)
			fail("aionl_file_unregister: %s", aionl_error_message());
		S.f[file].dead_h = S.f[file].h;
		S.f[file].h = h;
	} else if (aionl_file_unregister(S.ctx, h)) {
		fail("aionl_file_unregister: %s", aionl_error_message());
	}
}

static void poke(void)
{
	uint64_t one = 1;

	switch (below(16)) {
	case 0:
		if (write(S.efd, &one, sizeof(one)) < 0)
			fail("eventfd: %s", strerror(errno));
		break;
	case 1:
		if (S.sigwatch >= 0) {
			S.raised++;
			kill(getpid(), SIGUSR2);
		}
		break;
	case 2:
		reregister();
		break;
	default:
		break;
	}
}

static void setup(const char *dir)
{
	struct aionl_params p = { .max_inflight = 64 + (unsigned int)below(448) };

	/* The engine's own read path, which page-cache hits otherwise skip. */
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;

	if (aionl_ctx_open(&S.ctx, &p))
		fail("aionl_ctx_open: %s", aionl_error_message());
	for (int i = 0; i < NFILES; i++) {
		snprintf(S.f[i].path, sizeof(S.f[i].path), "%s/aionl-model-XXXXXX", dir);
		S.f[i].fd = mkstemp(S.f[i].path);
		if (S.f[i].fd < 0)
			fail("%s: %s", S.f[i].path, strerror(errno));
		S.f[i].model = malloc(FILE_BYTES);
		for (uint64_t b = 0; b < FILE_BYTES; b++)
			S.f[i].model[b] = (unsigned char)rnd();
		if (pwrite(S.f[i].fd, S.f[i].model, FILE_BYTES, 0) != FILE_BYTES)
			fail("%s: %s", S.f[i].path, strerror(errno));
		if (aionl_file_register(S.ctx, S.f[i].fd, &S.f[i].h))
			fail("register: %s", aionl_error_message());
	}
	for (int i = 0; i < NPIPES; i++) {
		int fds[2];

		if (pipe2(fds, O_CLOEXEC))
			fail("pipe: %s", strerror(errno));
		S.p[i].rd = fds[0];
		S.p[i].wr = fds[1];
		S.p[i].reader = S.p[i].writer = -1;
		if (aionl_file_register(S.ctx, fds[0], &S.p[i].h_rd) ||
		    aionl_file_register(S.ctx, fds[1], &S.p[i].h_wr))
			fail("register: %s", aionl_error_message());
	}
	S.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (S.efd < 0 || aionl_file_register(S.ctx, S.efd, &S.h_efd))
		fail("eventfd: %s", aionl_error_message());
	S.mpoll = S.sigwatch = S.ptimer = -1;
}

static void finish(void)
{
	struct aionl_req r;
	unsigned char *disk = malloc(FILE_BYTES);

	/* End everything still armed or waiting; then every final must arrive. */
	{
		struct op *o = &S.ops[S.nops];

		for (uint64_t i = 0; i < S.nops; i++)
			if (S.ops[i].submitted && !S.ops[i].done)
				S.ops[i].cancelled = true;
		memset(o, 0, sizeof(*o));
		*o = (struct op){ .kind = K_CANCEL, .target = UINT64_MAX, .file = -1, .pipe = -1,
				  .pred = -1, .submitted = true, .due = true, .submit_seq = S.finals };
		aionl_req_cancel(&r, 0, AIONL_CANCEL_ALL, S.nops);
		S.nops++;
		S.live++;
		S.due++;
		while (aionl_submit(S.ctx, &r, 1) == -EBUSY)
			reap(1, 64);
	}
	/* Now everything is due. */
	S.due = S.live;
	while (S.live)
		reap(1, 64);
	(void)S.due;
	for (int i = 0; i < NFILES; i++) {
		if (pread(S.f[i].fd, disk, FILE_BYTES, 0) != FILE_BYTES)
			fail("%s: %s", S.f[i].path, strerror(errno));
		if (memcmp(disk, S.f[i].model, FILE_BYTES))
			fail("file %d on disk differs from the model", i);
		unlink(S.f[i].path);
		close(S.f[i].fd);
		free(S.f[i].model);
	}
	free(disk);
	aionl_ctx_close(S.ctx);
}

int main(int argc, char **argv)
{
	const char *dir = getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp";
	struct aionl_info info;
	sigset_t set;

	S.max_ops = 20000;
	if (getrandom(&S.seed, sizeof(S.seed), 0) != sizeof(S.seed))
		S.seed = (uint64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc && strcmp(argv[i + 1], "random")) {
			S.seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			i++;
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			S.max_ops = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "-v")) {
			S.verbose = true;
		} else {
			fprintf(stderr, "usage: stress_model [--seed N|random] [--ops N] [--dir DIR] [-v]\n");
			return 2;
		}
	}
	S.state = S.seed;
	/* SIGUSR2 goes to the watch, or stays blocked and pending: never kills. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	S.ops = calloc(S.max_ops + 1, sizeof(*S.ops));
	/* At most max_inflight (under 512) plus a batch are live. */
	S.xfers = calloc(1024, sizeof(*S.xfers));
	setup(dir);
	aionl_ctx_info(S.ctx, &info);
	printf("stress_model: seed %#" PRIx64 ", %" PRIu64 " requests on %s%s%s, max_inflight %u\n",
	       S.seed, S.max_ops, aionl_backend_name(info.backend),
	       info.backend == AIONL_BACKEND_USER ? "+" : "",
	       info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "",
	       info.max_inflight);
	fflush(stdout);
	while (S.nops < S.max_ops) {
		submit_batch();
		poke();
		if (S.live) {
			unsigned int min_nr = (unsigned int)below((S.due < 8 ? S.due : 8) + 1);

			reap(min_nr, min_nr + (unsigned int)below(65 - min_nr));
			if (!min_nr && !below(4))
				reap(0, 64);
		}
	}
	finish();
	printf("stress_model: ok: %" PRIu64 " requests, %" PRIu64 " completions, %" PRIu64
	       " bytes checked, %" PRIu64 " cancelled, %" PRIu64 " timed out, %" PRIu64 " -EBADF, %"
	       PRIu64 " -EBUSY, %" PRIu64 " links (%" PRIu64 " broken)\n", S.accepted,
	       S.completions, S.bytes, S.cancels_hit, S.timeouts, S.ebadfs, S.busy, S.links,
	       S.broken);
	return 0;
}
