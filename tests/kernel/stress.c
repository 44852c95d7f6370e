// SPDX-License-Identifier: MIT
/*
 * kernel_stress: a randomized protocol stress of aionl.ko, run by tests/vm
 * after the other kernel tests and before rmmod.
 *
 * A supervisor keeps --procs worker processes alive until --messages
 * messages have been sent, killing some with SIGKILL on the way. Each worker
 * process opens files of many kinds and a few aionl sockets (some drop to
 * user nobody first, or after), and runs --threads threads that send batches
 * of random messages: valid commands with random attributes, and mutations
 * of them (truncated, oversized, duplicated and unknown attributes, wrong
 * types, nested garbage, bad nlmsg_len, random commands, versions, handles,
 * cookies, flags, offsets and lengths, and user addresses that are NULL,
 * unmapped, read-only, in the kernel or non-canonical). Threads read their
 * completions eagerly, lazily or never, close sockets that others use, change
 * receive buffers, raise signals for signal watches, arm watches and exit,
 * and write requests through the module into aionl sockets registered with
 * aionl sockets. Processes end by exit, exit_group with threads in the
 * kernel, SIGKILL, or exec of this program in a light mode while signal
 * watches are armed; some fork children that share their sockets.
 *
 * The kernel's health is judged by the caller (the VM script scans the kernel
 * log and checks rmmod and the module's slab caches). This program exits 0
 * when it ran through, 77 without the module, 3 if a task could not be
 * killed (stuck in the kernel), and 1 on its own failure. Every blocking
 * call is bounded, and the supervisor enforces --time-limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/aionl.h>

#include "aionl-rules.h"

#define NOBODY 65534
#define NSOCK 4			/* aionl socket slots per process */
#define MAXFDS 64		/* files of other kinds per process */
#define POOL 64			/* handles and cookies remembered per process */
#define PAIRS 16		/* aionl sockets registered with aionl sockets */
#define BUF_SIZE (1 << 20)	/* the data buffer, then a guard page */
#define VOL_SIZE (256 << 10)	/* a buffer remapped and reprotected at random */
#define FMAP_SIZE (256 << 10)	/* a shared mapping of a file of the run */
#define FILE_RANGE (8 << 20)	/* most offsets fall below this */
#define BATCH_CAP (200 << 10)	/* bytes of one sendmsg, below netlink's sndbuf */
#define RBUF_SIZE (64 << 10)
#define MAX_ATTRS 48
#define MAX_CHILDREN 64
#define MS 1000000ULL

/* Scenarios, which --skip may turn off one by one to isolate a problem. */
enum {
	S_MUTATE, S_UNPRIV, S_NETNS, S_KILL, S_EXEC, S_FORK, S_CLOSE, S_NESTED, S_RECURSIVE,
	S_FASTTIMER, S_SIGNALS, S_TINYBUF, S_SELFREG, S_SHARED, S_BLOCKING, S_WATCHES,
	S_TIMERS, S_COUNT
};
static const char *const scenario_names[S_COUNT] = {
	[S_MUTATE] = "mutate",	   [S_UNPRIV] = "unpriv",	[S_NETNS] = "netns",
	[S_KILL] = "kill",	   [S_EXEC] = "exec",		[S_FORK] = "fork",
	[S_CLOSE] = "close",	   [S_NESTED] = "nested",	[S_RECURSIVE] = "recursive",
	[S_FASTTIMER] = "fasttimer", [S_SIGNALS] = "signals",	[S_TINYBUF] = "tinybuf",
	[S_SELFREG] = "selfreg",   [S_SHARED] = "shared",	[S_BLOCKING] = "blocking",
	[S_WATCHES] = "watches",   [S_TIMERS] = "timers",
};
static const char *const scenario_help[S_COUNT] = {
	[S_MUTATE] = "malformed messages (only valid commands with random values remain)",
	[S_UNPRIV] = "processes that drop to user nobody",
	[S_NETNS] = "processes in a new network (and user) namespace",
	[S_KILL] = "SIGKILL of processes and process groups",
	[S_EXEC] = "exec with signal watches armed",
	[S_FORK] = "children that share their parent's sockets",
	[S_CLOSE] = "sockets closed while other threads use them",
	[S_NESTED] = "requests written through the module into registered aionl sockets",
	[S_RECURSIVE] = "a WRITE that writes itself into its own socket",
	[S_FASTTIMER] = "periodic timers under 10 us",
	[S_SIGNALS] = "signal watches and the signals they catch",
	[S_TINYBUF] = "tiny receive buffers and sockets never read",
	[S_SELFREG] = "aionl sockets registered with aionl sockets",
	[S_SHARED] = "threads and processes sharing a socket (without: a socket per\n"
		     "                                    thread, at most 3 threads, no fork)",
	[S_BLOCKING] = "a pipe without O_NONBLOCK, which the program reads too",
	[S_WATCHES] = "readiness watches and stream transfers (POLL, AIONL_OFFSET_STREAM)",
	[S_TIMERS] = "timers (TIMER, TIMER_UPDATE)",
};

/*
 * What a process mostly does. Uniform random traffic seldom lands two
 * requests on the same watch at the same time; a focus makes races likely.
 */
enum { F_MIXED, F_EVENTS, F_STREAMS, F_FILES, F_NESTED, F_COUNT };
static const char *const focus_names[F_COUNT] = { "mixed", "events", "streams", "files",
						  "nested" };

/* The kinds of file a handle may name, as REGISTER's sequence number says. */
enum { FK_OTHER, FK_REG, FK_HOT };

struct config {
	uint64_t messages;
	unsigned int procs, threads, time_limit, unpriv_pct;
	uint64_t seed;
	char dirs[4][200];
	unsigned int ndirs;
	unsigned int skip;	/* bit per scenario */
	bool verbose;
	char exe[PATH_MAX];
};

/* Counters of the whole run, in memory every process shares. */
struct shared {
	_Atomic uint64_t msgs, sends, send_errs, recvs, recv_errs, acks, nl_errors;
	_Atomic uint64_t completions, sig_completions, replies, handles, busy;
	_Atomic uint64_t sock_opens, sock_closes, thread_exits, execs, forks, kills;
	_Atomic uint64_t children, unpriv, netns, signals, nested;
	_Atomic uint64_t opened, installed;
	_Atomic uint64_t focus[F_COUNT];
	_Atomic int stop;
	uint16_t family;
	uint64_t deadline;	/* CLOCK_MONOTONIC ns */
};

static struct config cfg;
static struct shared *sh;
static sigset_t test_sigs;

/* ------------------------------------------------------------ helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };

	nanosleep(&ts, NULL);
}

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "kernel_stress[%d]: ", getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write: lines of concurrent processes do not interleave. */
	if (write(2, line, (size_t)n) < 0) {
		/* nothing to do */
	}
}

#define STAT(field) atomic_fetch_add_explicit(&sh->field, 1, memory_order_relaxed)
#define STATN(field, n) atomic_fetch_add_explicit(&sh->field, (n), memory_order_relaxed)
#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static bool on(int scenario)
{
	return !(cfg.skip & (1U << scenario));
}

/* splitmix64: small, and good enough to pick test cases. */
struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnext(r) % n : 0;
}

static bool one_in(struct rng *r, uint64_t n)
{
	return below(r, n) == 0;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	struct rng r = { a ^ (b * 0xd6e8feb86659fd93ULL) };

	return rnext(&r);
}

/* ------------------------------------------------------------ per process */

struct pair {
	_Atomic uint64_t handle;	/* of the socket in slot src, registered with slot dst */
	_Atomic int dst, src;
};

struct proc {
	unsigned int index;
	uint64_t seed;
	bool unpriv;
	bool selfreg;			/* registers aionl sockets (S_SELFREG) */
	unsigned int focus;
	_Atomic int socks[NSOCK];
	uint8_t policy[NSOCK];		/* how the socket in the slot is read */
	int fds[MAXFDS];
	uint8_t fdkind[MAXFDS];		/* FK_* */
	unsigned int nfds;
	int pipe_w, pipe_r, bpipe_w, bpipe_r, efd, sp0, sp1, memfd, file_fd;
	_Atomic uint64_t handles[POOL];
	_Atomic uint64_t hot[POOL];	/* handles of pipes, sockets, eventfds: wake-ups */
	_Atomic uint64_t regs[POOL];	/* handles of regular files and block devices */
	_Atomic uint64_t cookies[POOL];
	_Atomic uint64_t timers[POOL];
	struct pair pairs[PAIRS];
	char *buf;			/* BUF_SIZE, then a PROT_NONE page */
	char *ro;			/* read-only */
	char *none;			/* PROT_NONE */
	char *vol;			/* remapped at random */
	char *fmap;			/* MAP_SHARED of a file of the run */
	uint64_t quota, end_time;
	_Atomic uint64_t mine;
	_Atomic int ending;
	_Atomic int exec_req;
	_Atomic int live_threads;
	unsigned int portid_base;
};

static struct proc *P;

/* Where a message may point; the program never reads what the module wrote there. */
enum { REQ_SEQ_REGISTER = 0x80000000u };
/* REGISTER's nlmsg_seq: REQ_SEQ_REGISTER | what << 16 | index */
enum { REG_SOCKET = 1, REG_FILE = 2 };

struct worker {
	struct rng r;
	unsigned int id;
	int own;		/* its socket slot, or -1 for any (S_SHARED) */
	uint8_t *batch;		/* BATCH_CAP */
	uint8_t *rbuf;		/* RBUF_SIZE */
	uint8_t *inner;		/* 64 KiB: requests written through the module */
};

/* ------------------------------------------------------------ values */

static uint64_t pool_get(_Atomic uint64_t *pool, struct rng *r)
{
	return atomic_load_explicit(&pool[below(r, POOL)], memory_order_relaxed);
}

static void pool_put(_Atomic uint64_t *pool, struct rng *r, uint64_t v)
{
	atomic_store_explicit(&pool[below(r, POOL)], v, memory_order_relaxed);
}

static uint64_t gen_cookie(struct worker *w)
{
	struct rng *r = &w->r;
	uint64_t c;

	switch (below(r, 10)) {
	case 0:
		c = 0;
		break;
	case 1:
		c = ~0ULL;
		break;
	case 2:
	case 3:
		c = pool_get(P->cookies, r);
		break;
	case 4:
		c = pool_get(P->timers, r);
		break;
	case 5:
		c = below(r, 16);
		break;
	default:
		c = rnext(r);
	}
	if (one_in(r, 3))
		pool_put(P->cookies, r, c);
	return c;
}

static uint64_t gen_handle(struct worker *w)
{
	struct rng *r = &w->r;
	uint64_t h = pool_get(P->handles, r);

	if ((P->focus == F_EVENTS || P->focus == F_STREAMS) && !one_in(r, 3)) {
		uint64_t hot = pool_get(P->hot, r);

		if (hot)
			return hot;
	}
	if (P->focus == F_FILES && !one_in(r, 3)) {
		uint64_t reg = pool_get(P->regs, r);

		if (reg)
			return reg;
	}
	switch (below(r, 14)) {
	case 0:
		return h ^ (1ULL << below(r, 64));
	case 1:
		return h + 1;
	case 2:
		return h - 1;
	case 3:	/* a generation the module never makes */
		return aionl_handle_make(aionl_handle_tag(h), 1 + (uint32_t)below(r, 4095),
					 aionl_handle_slot(h));
	case 4:
		return rnext(r);
	case 5:
		return below(r, 3) == 0 ? 0 : below(r, 2) ? ~0ULL : below(r, 1 << 20);
	case 6:
		return atomic_load_explicit(&P->pairs[below(r, PAIRS)].handle,
					    memory_order_relaxed);
	default:
		return h;
	}
}

static uint64_t gen_offset_any(struct worker *w);

static uint64_t gen_offset(struct worker *w)
{
	uint64_t off = gen_offset_any(w);

	return off == AIONL_OFFSET_STREAM && !on(S_WATCHES) ? 0 : off;
}

static uint64_t gen_offset_any(struct worker *w)
{
	struct rng *r = &w->r;

	if (P->focus == F_STREAMS && !one_in(r, 4))
		return AIONL_OFFSET_STREAM;
	if (P->focus == F_FILES && !one_in(r, 4))
		return below(r, FILE_RANGE);
	switch (below(r, 16)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return AIONL_OFFSET_STREAM;
	case 4:
		return 0;
	case 5:
		return below(r, FILE_RANGE / 4096) * 4096;
	case 6:
		return AIONL_MAX_OFFSET - below(r, 2 * BUF_SIZE);
	case 7:
		return AIONL_MAX_OFFSET + below(r, 4);
	case 8:
		return (1ULL << (32 + below(r, 12))) + below(r, 4096);
	case 9:
		return rnext(r);
	case 10:
		return FILE_RANGE - below(r, 8192);
	default:
		return below(r, FILE_RANGE);
	}
}

static uint64_t gen_len(struct worker *w)
{
	struct rng *r = &w->r;

	/* Huge lengths are rare: the module sizes its page arrays by them. */
	switch (below(r, 40)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return AIONL_MAX_IO_LEN;
	case 3:
		return AIONL_MAX_IO_LEN + 1 + below(r, 2);
	case 4:
		return rnext(r);
	case 5:
		return BUF_SIZE - below(r, 8192);
	case 6:
		return below(r, BUF_SIZE);
	case 7:
		return 1ULL << below(r, 32);
	case 8:
	case 9:
	case 10:
	case 11:
		return 4096 * (1 + below(r, 16));
	default:
		return 1 + below(r, 4096 * (1 + below(r, 4)));
	}
}

/* A user address: mostly a buffer of ours; else one the module must refuse. */
static uint64_t gen_addr(struct worker *w, uint64_t len)
{
	struct rng *r = &w->r;
	uint64_t off = len < BUF_SIZE ? below(r, BUF_SIZE - len + 1) : 0;

	switch (below(r, 24)) {
	case 0:
		return 0;
	case 1:
		return below(r, 65536);	/* below mmap_min_addr */
	case 2:
	case 3:
		return (uintptr_t)P->ro + below(r, 65536);
	case 4:
		return (uintptr_t)P->none + below(r, 65536);
	case 5:	/* a range that ends in the guard page after the buffer */
		return (uintptr_t)P->buf + BUF_SIZE - below(r, 8192);
	case 6:
		return 0xffff888000000000ULL + below(r, 1ULL << 32);
	case 7:
		return 0xffffffff81000000ULL + below(r, 1 << 24);
	case 8:	/* not canonical */
		return 0x0000800000000000ULL + below(r, 1ULL << 40);
	case 9:	/* across the end of user space */
		return 0x00007ffffffff000ULL - below(r, 8192);
	case 10:
	case 11:
		return (uintptr_t)P->vol + below(r, VOL_SIZE);
	case 12:
	case 13:
		return P->fmap ? (uintptr_t)P->fmap + below(r, FMAP_SIZE) : 0;
	case 14: {
		uint64_t a = rnext(r);

		/* Never one of our own mappings, which a read could corrupt. */
		return a < 0x0000800000000000ULL ? a | 0x8000000000000000ULL : a;
	}
	default:
		return (uintptr_t)P->buf + off;
	}
}

static uint64_t gen_ns(struct worker *w, bool interval)
{
	struct rng *r = &w->r;

	switch (below(r, 16)) {
	case 0:
		return 0;
	case 1:
		return AIONL_MAX_NS;
	case 2:
		return AIONL_MAX_NS + 1 + below(r, 8);
	case 3:
		return rnext(r);
	case 4:	/* from 1 ns: a periodic timer this fast fires at interrupt rate */
		if (interval && (!on(S_FASTTIMER) || !one_in(r, 4)))
			return 10000 + below(r, 1000000);
		return 1 + below(r, 10000);
	case 5:
	case 6:
		return 1000000ULL * (100 + below(r, 100000));
	default:
		return 10000 + below(r, 20 * MS);
	}
}

/* ------------------------------------------------------------ messages */

/* Mutations made while a message is built, and after. */
enum {
	MB_SIZE = 1 << 0,	/* attributes of the wrong length */
	MB_DROP = 1 << 1,	/* required attributes left out */
	MB_DUP = 1 << 2,	/* attributes twice */
	MB_BITS = 1 << 3,	/* NLA_F_NESTED, NLA_F_NET_BYTEORDER on plain attributes */
	MB_EXTRA = 1 << 4,	/* unknown types, type 0, nested garbage, huge attributes */
	MB_PAD = 1 << 5,	/* garbage in the padding */
	MP_TRUNC = 1 << 8,	/* the message ends inside its last attribute */
	MP_NLALEN = 1 << 9,	/* one nla_len wrong */
	MP_FLIP = 1 << 10,	/* bits flipped in the payload */
	MP_CMD = 1 << 11,	/* genl command */
	MP_VER = 1 << 12,	/* genl version */
	MP_FLAGS = 1 << 13,	/* nlmsg_flags */
	MP_TYPE = 1 << 14,	/* nlmsg_type */
	MP_LEN = 1 << 15,	/* nlmsg_len: ends the batch */
};

struct gen {
	uint8_t *buf;
	size_t cap, len;
	size_t msg;		/* offset of the message being built */
	size_t attrs[MAX_ATTRS];
	unsigned int nattrs;
	unsigned int mut;
	int slot;		/* the socket it goes to, or -1 */
	bool full, last;
};

static struct nlmsghdr *cur(struct gen *g)
{
	return (struct nlmsghdr *)(g->buf + g->msg);
}

static bool msg_begin(struct gen *g, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;

	if (g->full || g->last || g->cap - g->len < 1024) {
		g->full = true;
		return false;
	}
	g->msg = g->len;
	nlh = cur(g);
	memset(nlh, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	gh = (struct genlmsghdr *)((uint8_t *)nlh + NLMSG_HDRLEN);
	gh->cmd = cmd;
	gh->version = AIONL_FAMILY_VERSION;
	g->len += NLMSG_HDRLEN + GENL_HDRLEN;
	g->nattrs = 0;
	return true;
}

static void put_raw(struct gen *g, struct rng *r, uint16_t type, const void *data, size_t len)
{
	size_t total = NLA_HDRLEN + len, padded = NLA_ALIGN(total);
	struct nlattr *a;

	if (g->full)
		return;
	if (total > 0xffff || g->len + padded > g->cap - 64) {
		g->full = true;
		return;
	}
	a = (struct nlattr *)(g->buf + g->len);
	a->nla_len = (uint16_t)total;
	a->nla_type = type;
	memcpy(a + 1, data, len);
	for (size_t i = total; i < padded; i++)
		g->buf[g->len + i] = (g->mut & MB_PAD) ? (uint8_t)rnext(r) : 0;
	if (g->nattrs < MAX_ATTRS)
		g->attrs[g->nattrs++] = g->len - g->msg;
	g->len += padded;
	cur(g)->nlmsg_len = (uint32_t)(g->len - g->msg);
}

static uint16_t attr_type(struct gen *g, struct rng *r, uint16_t type)
{
	if ((g->mut & MB_BITS) && one_in(r, 3))
		type |= one_in(r, 2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	return type;
}

/* An integer attribute of size bytes, or with mutations, of another size. */
static void put_int(struct gen *g, struct rng *r, uint16_t type, uint64_t v, size_t size)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 6, 7, 9, 12, 16, 64 };
	uint8_t tmp[64];

	if ((g->mut & MB_DROP) && one_in(r, 4))
		return;
	if ((g->mut & MB_SIZE) && one_in(r, 3))
		size = sizes[below(r, sizeof(sizes) / sizeof(sizes[0]))];
	for (size_t i = 0; i < sizeof(tmp); i += 8) {
		uint64_t x = i ? rnext(r) : v;

		memcpy(tmp + i, &x, 8);
	}
	put_raw(g, r, attr_type(g, r, type), tmp, size);
	if ((g->mut & MB_DUP) && one_in(r, 4)) {
		uint64_t x = one_in(r, 2) ? v : rnext(r);

		memcpy(tmp, &x, 8);
		put_raw(g, r, attr_type(g, r, type), tmp, size);
	}
}

static void put_u64(struct gen *g, struct rng *r, uint16_t type, uint64_t v)
{
	put_int(g, r, type, v, 8);
}

static void put_u32(struct gen *g, struct rng *r, uint16_t type, uint32_t v)
{
	put_int(g, r, type, v, 4);
}

/* What MB_EXTRA adds: attributes no policy names, or names otherwise. */
static void put_extra(struct gen *g, struct rng *r)
{
	uint8_t tmp[256];
	unsigned int n = 1 + (unsigned int)below(r, 3);

	for (unsigned int i = 0; i < n; i++) {
		size_t len = below(r, sizeof(tmp));

		for (size_t k = 0; k < len; k++)
			tmp[k] = (uint8_t)rnext(r);
		switch (below(r, 6)) {
		case 0:	/* the pad type, which no parser of the family takes */
			put_raw(g, r, 0, tmp, 8);
			break;
		case 1:
			put_raw(g, r, (uint16_t)(7 + below(r, 20)), tmp, len);
			break;
		case 2:
			put_raw(g, r, (uint16_t)below(r, NLA_TYPE_MASK + 1), tmp, len);
			break;
		case 3: {	/* nested garbage: attributes inside an attribute */
			struct nlattr *in = (struct nlattr *)tmp;
			size_t nl = 4 + below(r, 60);

			in->nla_len = (uint16_t)(below(r, 3) ? nl : below(r, 300));
			in->nla_type = (uint16_t)(rnext(r) | (one_in(r, 2) ? NLA_F_NESTED : 0));
			put_raw(g, r, (uint16_t)((1 + below(r, 6)) | NLA_F_NESTED), tmp,
				nl > len ? nl : len);
			break;
		}
		case 4: {	/* huge */
			static uint8_t big[16384 + 64];
			size_t bl = 1024 + below(r, 16384);

			put_raw(g, r, (uint16_t)(1 + below(r, 8)), big, bl);
			break;
		}
		default:
			put_raw(g, r, (uint16_t)(1 + below(r, 6)), tmp, len);
		}
	}
}

/* After the message is built: break its framing. */
static void msg_end(struct gen *g, struct rng *r)
{
	struct nlmsghdr *nlh = cur(g);
	size_t mlen = g->len - g->msg;

	if (g->full && g->len < g->msg + NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	if ((g->mut & MP_NLALEN) && g->nattrs) {
		struct nlattr *a = (struct nlattr *)((uint8_t *)nlh + g->attrs[below(r, g->nattrs)]);

		switch (below(r, 5)) {
		case 0:
			a->nla_len = (uint16_t)below(r, NLA_HDRLEN);
			break;
		case 1:
			a->nla_len = (uint16_t)(a->nla_len + 1 + below(r, 64));
			break;
		case 2:
			a->nla_len = (uint16_t)rnext(r);
			break;
		default:
			if (a->nla_len > NLA_HDRLEN)
				a->nla_len = (uint16_t)(NLA_HDRLEN + below(r, a->nla_len - NLA_HDRLEN));
		}
	}
	if ((g->mut & MP_FLIP) && mlen > NLMSG_HDRLEN) {
		unsigned int n = 1 + (unsigned int)below(r, 8);

		for (unsigned int i = 0; i < n; i++) {
			size_t at = NLMSG_HDRLEN + below(r, mlen - NLMSG_HDRLEN);

			((uint8_t *)nlh)[at] ^= (uint8_t)(1 << below(r, 8));
		}
	}
	if ((g->mut & MP_TRUNC) && g->nattrs) {
		size_t at = g->attrs[g->nattrs - 1];
		size_t cut = at + below(r, mlen - at);

		nlh->nlmsg_len = (uint32_t)cut;
		g->len = g->msg + NLMSG_ALIGN(cut);
		mlen = cut;
	}
	if (g->mut & MP_CMD) {
		uint8_t *cmd = (uint8_t *)nlh + NLMSG_HDRLEN;

		switch (below(r, 4)) {
		case 0:
			*cmd = 0;
			break;
		case 1:
			*cmd = AIONL_CMD_COMPLETION;
			break;
		case 2:
			*cmd = (uint8_t)(AIONL_CMD_MAX + 1 + below(r, 8));
			break;
		default:
			*cmd = (uint8_t)rnext(r);
		}
	}
	if (g->mut & MP_VER)
		((uint8_t *)nlh)[NLMSG_HDRLEN + 1] = (uint8_t)rnext(r);
	if (g->mut & MP_FLAGS) {
		nlh->nlmsg_flags = (uint16_t)rnext(r);
		if (!one_in(r, 4))
			nlh->nlmsg_flags |= NLM_F_REQUEST;
	}
	if (g->mut & MP_TYPE) {
		/* Never another family's id: only the controller, control types, unused ids. */
		switch (below(r, 3)) {
		case 0:
			nlh->nlmsg_type = GENL_ID_CTRL;
			break;
		case 1:
			nlh->nlmsg_type = (uint16_t)below(r, NLMSG_MIN_TYPE);
			break;
		default:
			nlh->nlmsg_type = (uint16_t)(0xf000 + below(r, 0x1000));
		}
	}
	if (g->mut & MP_LEN) {
		/* The kernel stops at a bad length: nothing may follow it. */
		switch (below(r, 5)) {
		case 0:
			nlh->nlmsg_len = (uint32_t)below(r, NLMSG_HDRLEN);
			break;
		case 1:
			nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + below(r, GENL_HDRLEN));
			break;
		case 2:
			nlh->nlmsg_len = (uint32_t)(mlen + 1 + below(r, 4096));
			break;
		case 3:
			nlh->nlmsg_len = (uint32_t)rnext(r);
			break;
		default:
			nlh->nlmsg_len = (uint32_t)(mlen - 1 - below(r, 3));
		}
		g->last = true;
	}
}

static unsigned int pick_mutations(struct worker *w)
{
	struct rng *r = &w->r;
	unsigned int m = 0, n;

	if (!on(S_MUTATE) || one_in(r, 2))
		return 0;
	n = 1 + (unsigned int)below(r, 3);
	while (n--) {
		switch (below(r, 15)) {
		case 0:
		case 1:
			m |= MB_SIZE;
			break;
		case 2:
			m |= MB_DROP;
			break;
		case 3:
			m |= MB_DUP;
			break;
		case 4:
			m |= MB_BITS;
			break;
		case 5:
		case 6:
			m |= MB_EXTRA;
			break;
		case 7:
			m |= MB_PAD;
			break;
		case 8:
			m |= MP_TRUNC;
			break;
		case 9:
			m |= MP_NLALEN;
			break;
		case 10:
			m |= MP_FLIP;
			break;
		case 11:
			m |= MP_CMD;
			break;
		case 12:
			m |= one_in(r, 2) ? MP_VER : MP_FLAGS;
			break;
		case 13:
			m |= MP_TYPE;
			break;
		default:
			if (one_in(r, 4))
				m |= MP_LEN;
			else
				m |= MB_SIZE;
		}
	}
	return m;
}

/* A descriptor to register: a file of ours, an aionl socket, or no file at all. */
static int gen_fd(struct worker *w, int target, uint32_t *seq)
{
	struct rng *r = &w->r;
	unsigned int k = (unsigned int)below(r, 20);

	*seq = 0;
	if (k < 13 && P->nfds) {
		unsigned int i = (unsigned int)below(r, P->nfds);

		*seq = REQ_SEQ_REGISTER | REG_FILE << 16 | i;
		return P->fds[i];
	}
	/*
	 * Only some processes register aionl sockets: such a socket outlives
	 * its process until rmmod, and costs the module its backlog meanwhile.
	 */
	if (k < 17 && P->selfreg && one_in(r, P->focus == F_NESTED ? 2 : 8)) {
		int slot = P->focus == F_NESTED && target >= 0 && !one_in(r, 3)
				   ? target : (int)below(r, NSOCK);

		*seq = REQ_SEQ_REGISTER | REG_SOCKET << 16 | (uint32_t)slot;
		return atomic_load_explicit(&P->socks[slot], memory_order_relaxed);
	}
	switch (below(r, 5)) {
	case 0:
		return -1;
	case 1:
		return INT_MIN;
	case 2:
		return 1 << 20;
	case 3:
		return 900 + (int)below(r, 100);	/* nothing open there */
	default:
		return INT_MAX;
	}
}

static const uint32_t watch_sigs[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGURG };

static uint64_t gen_sigmask(struct worker *w)
{
	struct rng *r = &w->r;
	uint64_t m = 0;

	switch (below(r, 10)) {
	case 0:
		return 0;
	case 1:
		return 1ULL << (SIGKILL - 1) | 1ULL << (SIGUSR1 - 1);
	case 2:
		return ~0ULL & ~(1ULL << (SIGKILL - 1) | 1ULL << (SIGSTOP - 1));
	case 3:
		return rnext(r);
	default:
		for (unsigned int i = 0; i < sizeof(watch_sigs) / sizeof(watch_sigs[0]); i++)
			if (one_in(r, 2))
				m |= 1ULL << (watch_sigs[i] - 1);
		for (int s = SIGRTMIN; s < SIGRTMIN + 4; s++)
			if (one_in(r, 3))
				m |= 1ULL << (s - 1);
		return m ? m : 1ULL << (SIGUSR1 - 1);
	}
}

static void gen_iov(struct worker *w, struct gen *g)
{
	static __thread uint64_t iov[2 * (AIONL_MAX_IOV + 2)];
	struct rng *r = &w->r;
	size_t nr, bytes;

	switch (below(r, 12)) {
	case 0:
		nr = AIONL_MAX_IOV;
		break;
	case 1:
		nr = AIONL_MAX_IOV + 1;
		break;
	case 2:
		nr = 0;
		break;
	case 3:
		nr = 1 + below(r, 128);
		break;
	default:
		nr = 1 + below(r, 8);
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t len = one_in(r, 3) ? below(r, 8192) : gen_len(w) / (nr > 8 ? nr : 1);

		if (one_in(r, 10))
			len = AIONL_MAX_IO_LEN;
		iov[2 * i] = gen_addr(w, len);
		iov[2 * i + 1] = len;
	}
	bytes = nr * 16;
	if (one_in(r, 12))	/* not a whole number of elements */
		bytes = bytes ? bytes - 1 - below(r, 15) : 8;
	if ((g->mut & MB_DROP) && one_in(r, 4))
		return;
	put_raw(g, r, attr_type(g, r, AIONL_A_TRANSFER_V_IOV), iov, bytes);
}

/*
 * An OPEN: a file of the run's directories by absolute path, or a name
 * relative to a handle (a directory, a file, an O_PATH one, or none), with
 * open(2)'s flags, sometimes with bits the protocol refuses. O_CREAT makes
 * "missing" at most (the run's directories are removed by name at the end);
 * O_TMPFILE makes unnamed files.
 */
static void gen_open(struct worker *w, struct gen *g)
{
	static const char *const names[] = {
		"f0", "f1", "f2", "f3", "ro", "fifo", ".", "..", "missing", "f0/x", "",
		"../../../../../../..", "/", "/proc/self/fd",
	};
	static const uint32_t flag_bits[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_APPEND, O_NONBLOCK, O_DSYNC,
		O_DIRECT, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_SYNC, O_PATH,
	};
	struct rng *r = &w->r;
	char path[PATH_MAX + 64];
	const char *name = names[below(r, sizeof(names) / sizeof(names[0]))];
	uint32_t flags = 0;
	size_t len;

	if (!one_in(r, 3) && name[0] != '/')
		snprintf(path, sizeof(path), "%s/%s", cfg.dirs[below(r, cfg.ndirs)], name);
	else
		snprintf(path, sizeof(path), "%s", name);
	/* A FIFO without O_NONBLOCK waits for its other end: the run holds both. */
	for (unsigned int i = (unsigned int)below(r, 4); i; i--)
		flags |= flag_bits[below(r, sizeof(flag_bits) / sizeof(flag_bits[0]))];
	if (one_in(r, 6))
		flags = O_TMPFILE | O_RDWR;
	if (one_in(r, 16))
		flags = (uint32_t)rnext(r);
	put_u64(g, r, AIONL_A_OPEN_COOKIE, gen_cookie(w));
	/* Most handles name nothing (-EBADF): a third of the OPENs take one. */
	if (one_in(r, 3))
		put_u64(g, r, AIONL_A_OPEN_DIR, gen_handle(w));
	len = strlen(path) + 1;
	if (one_in(r, 24)) {
		/* Too long, or not terminated where the attribute ends. */
		len = one_in(r, 2) ? PATH_MAX + 1 + below(r, 32) : len - 1;
		memset(path + strlen(path), 'a', sizeof(path) - strlen(path));
		path[sizeof(path) - 1] = '\0';
		if (len > sizeof(path))
			len = sizeof(path);
	}
	if (!((g->mut & MB_DROP) && one_in(r, 4)))
		put_raw(g, r, attr_type(g, r, AIONL_A_OPEN_PATH), path, len);
	put_u32(g, r, AIONL_A_OPEN_FLAGS, flags);
	if (one_in(r, 2))
		put_u32(g, r, AIONL_A_OPEN_MODE,
			one_in(r, 10) ? (uint32_t)rnext(r) : (uint32_t)below(r, 010000));
	if (one_in(r, 2))
		put_u32(g, r, AIONL_A_OPEN_OPTIONS,
			one_in(r, 10) ? (uint32_t)rnext(r) : (uint32_t)below(r, 2));
}

/*
 * A FALLOCATE: every mode, and now and then bits the protocol refuses, on
 * ranges mostly below FILE_RANGE. A range far out stays one page, and only
 * an invalid one (offset + len past AIONL_MAX_OFFSET, len 0 or past it) is
 * huge: tmpfs allocates what it is asked from the guest's memory.
 */
static void gen_fallocate(struct worker *w, struct gen *g)
{
	static const uint32_t modes[] = {
		0, AIONL_FALLOC_KEEP_SIZE, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
		AIONL_FALLOC_ZERO_RANGE, AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE,
		AIONL_FALLOC_PUNCH_HOLE,
	};
	struct rng *r = &w->r;
	uint64_t off = below(r, FILE_RANGE), len = 1 + below(r, 65536);
	uint32_t mode = modes[below(r, sizeof(modes) / sizeof(modes[0]))];

	switch (below(r, 10)) {
	case 0:	/* far out: sparse, one page */
		off = (1ULL << (32 + below(r, 12))) + below(r, 4096);
		len = 1 + below(r, 4096);
		break;
	case 1:	/* past AIONL_MAX_OFFSET together, or alone */
		off = AIONL_MAX_OFFSET - below(r, 8192);
		len = below(r, 3) ? 8193 + below(r, 1 << 20) : AIONL_MAX_OFFSET + below(r, 3);
		break;
	case 2:
		len = below(r, 2) ? 0 : rnext(r) | 1ULL << 63;
		break;
	}
	if (one_in(r, 12))
		mode = (uint32_t)rnext(r);
	put_u64(g, r, AIONL_A_FALLOCATE_COOKIE, gen_cookie(w));
	put_u64(g, r, AIONL_A_FALLOCATE_HANDLE, gen_handle(w));
	put_u64(g, r, AIONL_A_FALLOCATE_OFFSET, off);
	put_u64(g, r, AIONL_A_FALLOCATE_LEN, len);
	if (mode || one_in(r, 3))
		put_u32(g, r, AIONL_A_FALLOCATE_MODE, mode);
}

/*
 * A STATX: of a handle, of a path from a handle (a directory, a file, an O_PATH
 * one, or none) or of an absolute one, with statx(2)'s flags and masks, into
 * every kind of address gen_addr() makes.
 */
static void gen_statx(struct worker *w, struct gen *g)
{
	static const char *const names[] = {
		"f0", "f1", "ro", "fifo", ".", "..", "missing", "f0/x", "", "/", "/proc/self/fd/0",
		"../../../../../../..",
	};
	static const uint32_t flag_bits[] = {
		AIONL_STATX_SYMLINK_NOFOLLOW, AIONL_STATX_NO_AUTOMOUNT, AIONL_STATX_EMPTY_PATH,
		AIONL_STATX_FORCE_SYNC, AIONL_STATX_DONT_SYNC,
	};
	struct rng *r = &w->r;
	char path[PATH_MAX + 64];
	const char *name = names[below(r, sizeof(names) / sizeof(names[0]))];
	uint32_t flags = 0, mask;
	size_t len;

	if (one_in(r, 3) && name[0] && name[0] != '/')
		snprintf(path, sizeof(path), "%s/%s", cfg.dirs[below(r, cfg.ndirs)], name);
	else
		snprintf(path, sizeof(path), "%s", name);
	for (unsigned int i = (unsigned int)below(r, 3); i; i--)
		flags |= flag_bits[below(r, sizeof(flag_bits) / sizeof(flag_bits[0]))];
	if (one_in(r, 16))
		flags = (uint32_t)rnext(r);
	switch (below(r, 4)) {
	case 0: mask = 0x7ff; break;
	case 1: mask = (uint32_t)rnext(r) & AIONL_STATX_MASK_BITS; break;
	case 2: mask = (uint32_t)rnext(r); break;
	default: mask = (uint32_t)below(r, 1 << 17);
	}
	put_u64(g, r, AIONL_A_STATX_COOKIE, gen_cookie(w));
	if (!one_in(r, 3))
		put_u64(g, r, AIONL_A_STATX_HANDLE, gen_handle(w));
	if (one_in(r, 2)) {
		len = strlen(path) + 1;
		if (one_in(r, 24)) {
			len = one_in(r, 2) ? PATH_MAX + 1 + below(r, 32) : len - 1;
			memset(path + strlen(path), 'a', sizeof(path) - strlen(path));
			path[sizeof(path) - 1] = '\0';
			if (len > sizeof(path))
				len = sizeof(path);
		}
		put_raw(g, r, attr_type(g, r, AIONL_A_STATX_PATH), path, len);
	}
	if (flags || one_in(r, 3))
		put_u32(g, r, AIONL_A_STATX_FLAGS, flags);
	put_u32(g, r, AIONL_A_STATX_MASK, mask);
	put_u64(g, r, AIONL_A_STATX_ADDR, gen_addr(w, 256));
}

/*
 * A COPY between two of the worker's handles (often one file to itself,
 * overlapping or not), at offsets mostly below FILE_RANGE; now and then far
 * out (sparse, a page), past AIONL_MAX_OFFSET with len, or with a len the
 * protocol refuses.
 */
static void gen_copy(struct worker *w, struct gen *g)
{
	struct rng *r = &w->r;
	uint64_t src = gen_handle(w), dst = one_in(r, 3) ? src : gen_handle(w);
	uint64_t off = below(r, FILE_RANGE), doff = below(r, FILE_RANGE);
	uint64_t len = 1 + below(r, 256 << 10);

	switch (below(r, 10)) {
	case 0:	/* far out: sparse, one page */
		doff = (1ULL << (32 + below(r, 12))) + below(r, 4096);
		len = 1 + below(r, 4096);
		break;
	case 1:	/* past AIONL_MAX_OFFSET together, or alone */
		if (one_in(r, 2))
			off = AIONL_MAX_OFFSET - below(r, 8192);
		else
			doff = AIONL_MAX_OFFSET - below(r, 8192) + below(r, 2);
		len = 8193 + below(r, 1 << 20);
		break;
	case 2:
		len = below(r, 2) ? 0 : AIONL_MAX_IO_LEN + 1 + below(r, 3);
		break;
	}
	put_u64(g, r, AIONL_A_COPY_COOKIE, gen_cookie(w));
	put_u64(g, r, AIONL_A_COPY_HANDLE, src);
	put_u64(g, r, AIONL_A_COPY_OFFSET, off);
	put_u64(g, r, AIONL_A_COPY_DST_HANDLE, dst);
	put_u64(g, r, AIONL_A_COPY_DST_OFFSET, doff);
	put_u64(g, r, AIONL_A_COPY_LEN, len);
}

/* One message of a random command into g; false if there is no room. */
static bool gen_msg(struct worker *w, struct gen *g)
{
	/* Each command's weight, by focus (nested is mixed, with more of its own). */
	static const uint8_t weights[][1 + F_COUNT] = {
		/* cmd                   mixed events streams files nested */
		{ AIONL_CMD_READ,		14, 3, 25, 25, 14 },
		{ AIONL_CMD_WRITE,		9, 3, 20, 20, 9 },
		{ AIONL_CMD_READV,		7, 1, 8, 10, 7 },
		{ AIONL_CMD_WRITEV,		5, 1, 6, 8, 5 },
		{ AIONL_CMD_FSYNC,		2, 0, 0, 6, 2 },
		{ AIONL_CMD_FDATASYNC,		1, 0, 0, 3, 1 },
		{ AIONL_CMD_REGISTER,		7, 4, 5, 4, 10 },
		{ AIONL_CMD_UNREGISTER,		3, 3, 3, 4, 3 },
		{ AIONL_CMD_GET_INFO,		2, 1, 1, 1, 2 },
		{ AIONL_CMD_NOP,		5, 4, 2, 1, 5 },
		{ AIONL_CMD_TIMER,		6, 20, 2, 1, 6 },
		{ AIONL_CMD_TIMER_UPDATE,	4, 10, 1, 1, 4 },
		{ AIONL_CMD_POLL,		8, 20, 10, 2, 8 },
		{ AIONL_CMD_SIGNAL,		4, 8, 1, 1, 4 },
		{ AIONL_CMD_CANCEL,		6, 20, 12, 8, 6 },
		{ AIONL_CMD_OPEN,		4, 1, 2, 5, 4 },
		{ AIONL_CMD_INSTALL,		1, 1, 1, 1, 1 },
		{ AIONL_CMD_FALLOCATE,		2, 0, 0, 6, 2 },
		{ AIONL_CMD_STATX,		3, 1, 1, 5, 3 },
		{ AIONL_CMD_COPY,		2, 0, 1, 6, 2 },
		{ AIONL_CMD_COMPLETION,		1, 1, 1, 1, 1 },
		{ 0,				1, 1, 1, 1, 1 },
		{ 200,				1, 1, 1, 1, 1 },
	};
	struct rng *r = &w->r;
	unsigned int total = 0, pick, col = 1 + P->focus;
	uint8_t cmd = 0;
	uint32_t seq = 0;

	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
		total += weights[i][col];
	pick = (unsigned int)below(r, total);
	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		if (pick < weights[i][col]) {
			cmd = weights[i][0];
			break;
		}
		pick -= weights[i][col];
	}
	if (cmd == 200)
		cmd = (uint8_t)(AIONL_CMD_MAX + 1 + below(r, 256 - AIONL_CMD_MAX - 1));
	if ((cmd == AIONL_CMD_SIGNAL && !on(S_SIGNALS)) || (cmd == AIONL_CMD_POLL && !on(S_WATCHES)) ||
	    ((cmd == AIONL_CMD_TIMER || cmd == AIONL_CMD_TIMER_UPDATE) && !on(S_TIMERS)))
		cmd = AIONL_CMD_NOP;
	g->mut = pick_mutations(w);
	if (!msg_begin(g, sh->family, cmd))
		return false;
	switch (cmd) {
	case AIONL_CMD_READ:
	case AIONL_CMD_WRITE: {
		uint64_t len = gen_len(w);

		put_u64(g, r, AIONL_A_TRANSFER_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_TRANSFER_HANDLE, gen_handle(w));
		put_u64(g, r, AIONL_A_TRANSFER_OFFSET, gen_offset(w));
		put_u64(g, r, AIONL_A_TRANSFER_ADDR, gen_addr(w, len));
		put_u64(g, r, AIONL_A_TRANSFER_LEN, len);
		if (one_in(r, 4))
			put_u64(g, r, AIONL_A_TRANSFER_TIMEOUT_NS, gen_ns(w, false));
		break;
	}
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV:
		put_u64(g, r, AIONL_A_TRANSFER_V_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_TRANSFER_V_HANDLE, gen_handle(w));
		put_u64(g, r, AIONL_A_TRANSFER_V_OFFSET, gen_offset(w));
		gen_iov(w, g);
		if (one_in(r, 4))
			put_u64(g, r, AIONL_A_TRANSFER_V_TIMEOUT_NS, gen_ns(w, false));
		break;
	case AIONL_CMD_FSYNC:
	case AIONL_CMD_FDATASYNC:
		put_u64(g, r, AIONL_A_SYNC_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_SYNC_HANDLE, gen_handle(w));
		break;
	case AIONL_CMD_REGISTER: {
		int fd = gen_fd(w, g->slot, &seq);

		put_int(g, r, AIONL_A_REGISTER_FD, (uint64_t)(int64_t)fd, 4);
		cur(g)->nlmsg_seq = seq ? seq : (uint32_t)rnext(r) & 0x7fffffff;
		break;
	}
	case AIONL_CMD_UNREGISTER:
		put_u64(g, r, AIONL_A_UNREGISTER_HANDLE, gen_handle(w));
		break;
	case AIONL_CMD_GET_INFO:
		cur(g)->nlmsg_seq = (uint32_t)rnext(r) & 0x7fffffff;
		break;
	case AIONL_CMD_NOP:
		put_u64(g, r, AIONL_A_NOP_COOKIE, gen_cookie(w));
		break;
	case AIONL_CMD_TIMER: {
		static const uint32_t clocks[] = { AIONL_TIMER_CLOCK_REALTIME,
						   AIONL_TIMER_CLOCK_MONOTONIC,
						   AIONL_TIMER_CLOCK_BOOTTIME };
		uint64_t cookie = gen_cookie(w), value = gen_ns(w, false);
		uint32_t clock = one_in(r, 12) ? (uint32_t)rnext(r) % 16 : clocks[below(r, 3)];
		uint32_t flags = 0;

		if (one_in(r, 4)) {
			struct timespec ts = { 0, 0 };

			flags = AIONL_TIMER_ABS;
			clock_gettime((clockid_t)(clock < 16 ? clock : 1), &ts);
			if (!one_in(r, 4))
				value = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec +
					below(r, 20 * MS);
		}
		if (one_in(r, 16))
			flags = (uint32_t)rnext(r);
		pool_put(P->timers, r, cookie);
		put_u64(g, r, AIONL_A_TIMER_COOKIE, cookie);
		put_u32(g, r, AIONL_A_TIMER_CLOCK, clock);
		put_u64(g, r, AIONL_A_TIMER_VALUE_NS, value);
		if (one_in(r, 3))
			put_u64(g, r, AIONL_A_TIMER_INTERVAL_NS, gen_ns(w, true));
		if (flags || one_in(r, 3))
			put_u32(g, r, AIONL_A_TIMER_FLAGS, flags);
		break;
	}
	case AIONL_CMD_TIMER_UPDATE:
		put_u64(g, r, AIONL_A_TIMER_UPDATE_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_TIMER_UPDATE_TARGET,
			one_in(r, 5) ? gen_cookie(w) : pool_get(P->timers, r));
		put_u64(g, r, AIONL_A_TIMER_UPDATE_VALUE_NS, gen_ns(w, false));
		if (one_in(r, 2))
			put_u64(g, r, AIONL_A_TIMER_UPDATE_INTERVAL_NS, gen_ns(w, true));
		if (one_in(r, 3))
			put_u32(g, r, AIONL_A_TIMER_UPDATE_FLAGS,
				one_in(r, 8) ? (uint32_t)rnext(r) : (uint32_t)below(r, 2));
		break;
	case AIONL_CMD_POLL: {
		uint32_t ev = (uint32_t)below(r, AIONL_POLL_EVENT_MASK + 1) & AIONL_POLL_EVENT_MASK;

		if (one_in(r, 10))
			ev = (uint32_t)rnext(r);
		put_u64(g, r, AIONL_A_POLL_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_POLL_HANDLE, gen_handle(w));
		put_u32(g, r, AIONL_A_POLL_EVENTS, ev);
		if (one_in(r, 2))
			put_u32(g, r, AIONL_A_POLL_FLAGS,
				one_in(r, 10) ? (uint32_t)rnext(r) : (uint32_t)below(r, 2));
		break;
	}
	case AIONL_CMD_SIGNAL:
		put_u64(g, r, AIONL_A_SIGNAL_COOKIE, gen_cookie(w));
		put_u64(g, r, AIONL_A_SIGNAL_MASK, gen_sigmask(w));
		break;
	case AIONL_CMD_CANCEL: {
		uint32_t flags = P->focus == F_EVENTS && one_in(r, 2) ? AIONL_CANCEL_ALL
								  : (uint32_t)below(r, 4);

		if (one_in(r, 10))
			flags = (uint32_t)rnext(r);
		put_u64(g, r, AIONL_A_CANCEL_COOKIE, gen_cookie(w));
		if (!one_in(r, 5))
			put_u64(g, r, AIONL_A_CANCEL_TARGET,
				(flags & AIONL_CANCEL_HANDLE) ? gen_handle(w) : gen_cookie(w));
		if (flags || one_in(r, 2))
			put_u32(g, r, AIONL_A_CANCEL_FLAGS, flags);
		break;
	}
	case AIONL_CMD_OPEN:
		gen_open(w, g);
		break;
	case AIONL_CMD_FALLOCATE:
		gen_fallocate(w, g);
		break;
	case AIONL_CMD_STATX:
		gen_statx(w, g);
		break;
	case AIONL_CMD_COPY:
		gen_copy(w, g);
		break;
	case AIONL_CMD_INSTALL:
		put_u64(g, r, AIONL_A_INSTALL_HANDLE, gen_handle(w));
		if (one_in(r, 2))
			put_u32(g, r, AIONL_A_INSTALL_FLAGS,
				one_in(r, 8) ? (uint32_t)rnext(r) : (uint32_t)below(r, 2));
		cur(g)->nlmsg_seq = (uint32_t)rnext(r) & 0x7fffffff;
		break;
	default:	/* commands without a handler: random attributes */
		for (unsigned int i = (unsigned int)below(r, 4); i; i--)
			put_u64(g, r, (uint16_t)(1 + below(r, 8)), rnext(r));
	}
	/* Ordering (chain.c): chains of a batch's messages, drains, and bits that are none. */
	if (aionl_cmd_takes_req_flags(cmd) && one_in(r, 4))
		put_u32(g, r, AIONL_A_REQ_FLAGS,
			one_in(r, 10) ? (uint32_t)rnext(r) : (uint32_t)(1 + below(r, 3)));
	if (g->mut & MB_EXTRA)
		put_extra(g, r);
	if (one_in(r, 8))
		cur(g)->nlmsg_flags |= NLM_F_ACK;
	msg_end(g, r);
	return true;
}

/* ------------------------------------------------------------ sockets */

static int pick_slot(struct worker *w)
{
	return w->own >= 0 ? w->own : (int)below(&w->r, NSOCK);
}

static int open_sock(struct rng *r, bool unpriv)
{
	int type = SOCK_RAW | (one_in(r, 2) ? SOCK_CLOEXEC : 0) | (one_in(r, 3) ? SOCK_NONBLOCK : 0);
	int fd = socket(AF_NETLINK, type, NETLINK_GENERIC), one = 1, v;
	struct timeval tv = { 0, (long)(2000 + below(r, 20000)) };

	if (fd < 0)
		return -1;
	STAT(sock_opens);
	if (one_in(r, 3)) {
		/* A few portids per process: a new socket often takes a closed one's. */
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
					  .nl_pid = P->portid_base + (uint32_t)below(r, 4) };

		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			/* taken: the kernel picks one at the first send */
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	switch (below(r, 6)) {
	case 0:
		if (on(S_TINYBUF)) {
			v = 1;
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		}
		break;
	case 1:
		v = 4 << 20;
		if (unpriv || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		break;
	case 2:
		v = 65536;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		break;
	default:
		break;
	}
	v = 1 << 20;
	if (unpriv || setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (one_in(r, 2))
		setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (one_in(r, 2))
		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (one_in(r, 3))
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static void slot_open(struct rng *r, int slot)
{
	int fd = open_sock(r, P->unpriv);
	int old = atomic_exchange(&P->socks[slot], fd);

	/* 0 eager, 1 lazy, 2 never read, 3 blocking reads with a timeout */
	P->policy[slot] = (uint8_t)below(r, 4);
	if (P->policy[slot] == 2 && !on(S_TINYBUF))
		P->policy[slot] = 0;
	if (old >= 0) {
		close(old);
		STAT(sock_closes);
	}
}

/* Close a socket other threads may be using, and open another in its slot. */
static void slot_close(struct rng *r, int slot)
{
	int old = atomic_exchange(&P->socks[slot], -1);

	if (old >= 0) {
		close(old);
		STAT(sock_closes);
	}
	if (!one_in(r, 4))
		slot_open(r, slot);
}

/* What a datagram from the module tells us: handles, cookies. */
static void parse(struct worker *w, const uint8_t *buf, ssize_t n, int slot)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		const struct nlattr *a;
		uint64_t handle = 0;
		int64_t res = 0;
		uint32_t flags = 0;
		bool has_handle = false;
		uint8_t cmd;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*e) && e->error) {
				STAT(nl_errors);
				if (e->error == -EBUSY)
					STAT(busy);
			} else {
				STAT(acks);
			}
			continue;
		}
		if (nlh->nlmsg_type != sh->family || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		cmd = ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			uint16_t t = mnl_attr_get_type(a);

			if (mnl_attr_get_payload_len(a) == 8 && t == AIONL_A_REGISTER_REPLY_HANDLE &&
			    cmd == AIONL_CMD_REGISTER) {
				handle = mnl_attr_get_u64(a);
				has_handle = true;
			} else if (mnl_attr_get_payload_len(a) == 8 && t == AIONL_A_COMPLETION_RES) {
				res = (int64_t)mnl_attr_get_u64(a);
			} else if (mnl_attr_get_payload_len(a) == 8 &&
				   t == AIONL_A_COMPLETION_COOKIE && cmd == AIONL_CMD_COMPLETION) {
				if (one_in(&w->r, 4))
					pool_put(P->cookies, &w->r, mnl_attr_get_u64(a));
			} else if (mnl_attr_get_payload_len(a) == 4 && t == AIONL_A_COMPLETION_FLAGS &&
				   cmd == AIONL_CMD_COMPLETION) {
				flags = mnl_attr_get_u32(a);
			} else if (mnl_attr_get_payload_len(a) == 8 && t == AIONL_A_COMPLETION_HANDLE &&
				   cmd == AIONL_CMD_COMPLETION) {
				/* An OPEN's file: the run's requests may name it. */
				STAT(opened);
				pool_put(P->handles, &w->r, mnl_attr_get_u64(a));
			} else if (mnl_attr_get_payload_len(a) == 4 && t == AIONL_A_INSTALL_REPLY_FD &&
				   cmd == AIONL_CMD_INSTALL) {
				/* Installed in this process's table: ours to close. */
				STAT(installed);
				close((int)mnl_attr_get_u32(a));
			}
		}
		(void)res;
		if (cmd == AIONL_CMD_COMPLETION) {
			STAT(completions);
			if (flags & AIONL_CQE_F_SIGNAL)
				STAT(sig_completions);
			continue;
		}
		STAT(replies);
		if (cmd == AIONL_CMD_REGISTER && has_handle) {
			STAT(handles);
			pool_put(P->handles, &w->r, handle);
			/* A file of a kind a focus wants. */
			if ((nlh->nlmsg_seq & 0xffff0000u) == (REQ_SEQ_REGISTER | REG_FILE << 16)) {
				unsigned int i = nlh->nlmsg_seq & 0xffff;

				if (i < P->nfds && P->fdkind[i] == FK_HOT)
					pool_put(P->hot, &w->r, handle);
				else if (i < P->nfds && P->fdkind[i] == FK_REG)
					pool_put(P->regs, &w->r, handle);
			}
			/* An aionl socket registered with this one: remember the pair. */
			if ((nlh->nlmsg_seq & 0xffff0000u) == (REQ_SEQ_REGISTER | REG_SOCKET << 16)) {
				struct pair *p = &P->pairs[below(&w->r, PAIRS)];

				atomic_store(&p->src, (int)(nlh->nlmsg_seq & 0xff));
				atomic_store(&p->dst, slot);
				atomic_store(&p->handle, handle);
			}
		}
	}
}

static void drain(struct worker *w, int slot, unsigned int max)
{
	int fd = atomic_load_explicit(&P->socks[slot], memory_order_relaxed);
	uint8_t policy = P->policy[slot];

	if (fd < 0 || policy == 2)
		return;
	for (unsigned int i = 0; i < max; i++) {
		int flags = policy == 3 && i == 0 ? 0 : MSG_DONTWAIT;
		size_t len = RBUF_SIZE;
		ssize_t n;

		if (one_in(&w->r, 40))
			len = below(&w->r, 64);	/* truncated: the rest is lost */
		if (one_in(&w->r, 40))
			flags |= MSG_PEEK;
		n = recv(fd, w->rbuf, len, flags);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				STAT(recv_errs);
			break;
		}
		STAT(recvs);
		parse(w, w->rbuf, n < (ssize_t)len ? n : (ssize_t)len, slot);
	}
}

/* Take n messages of the run's budget; false once it is spent. */
static bool claim(unsigned int n)
{
	atomic_fetch_add_explicit(&P->mine, n, memory_order_relaxed);
	/* Messages sent count: those of a process killed before it sent are not. */
	return LOAD(sh->msgs) < cfg.messages;
}

static void send_batch(struct worker *w, int fd, const uint8_t *buf, size_t len, unsigned int n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t ret;

	if (one_in(&w->r, 3))
		ret = send(fd, buf, len, MSG_DONTWAIT);
	else
		ret = sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
	STAT(sends);
	if (ret < 0)
		STAT(send_errs);
	else
		STATN(msgs, n);
}

/* A batch of random messages on a random socket. */
static void do_batch(struct worker *w)
{
	struct rng *r = &w->r;
	struct gen g = { .buf = w->batch, .cap = BATCH_CAP, .slot = -1 };
	unsigned int want, n = 0, k;
	int slot = pick_slot(w), fd;

	k = (unsigned int)below(r, 50);
	if (k == 0)
		want = 300 + (unsigned int)below(r, 700);	/* huge: as many as fit */
	else if (k < 5)
		want = 65 + (unsigned int)below(r, 200);
	else if (k < 15)
		want = 9 + (unsigned int)below(r, 56);
	else
		want = 1 + (unsigned int)below(r, 8);
	fd = atomic_load_explicit(&P->socks[slot], memory_order_relaxed);
	if (fd < 0)
		return;
	g.slot = slot;
	while (n < want && gen_msg(w, &g))
		n++;
	if (g.len && claim(n))
		send_batch(w, fd, g.buf, g.len, n);
}

/*
 * A request written through the module: a WRITE, on one aionl socket, of a
 * buffer that holds messages, to another aionl socket (or itself) that was
 * registered with it. The module's write to that socket sends the messages
 * to the module again, as that socket. With S_RECURSIVE, the inner message
 * is the outer one itself: a write that writes itself.
 */
static void do_nested(struct worker *w)
{
	struct rng *r = &w->r;
	struct pair *p = &P->pairs[below(r, PAIRS)];
	uint64_t handle = atomic_load(&p->handle);
	int dst = atomic_load(&p->dst), src = atomic_load(&p->src);
	struct gen g = { .buf = w->batch, .cap = BATCH_CAP, .slot = -1 };
	struct gen in = { .buf = w->inner, .cap = 60 << 10, .slot = -1 };
	int fd;

	if (!handle || dst < 0 || dst >= NSOCK || src < 0 || src >= NSOCK || !on(S_WATCHES))
		return;
	if (w->own >= 0 && (src != w->own || dst != w->own))
		return;
	fd = atomic_load(&P->socks[dst]);
	if (fd < 0 || !claim(2))
		return;
	STAT(nested);
	if (src == dst && on(S_RECURSIVE) && one_in(r, P->focus == F_NESTED ? 2 : 4)) {
		/* A WRITE of itself to itself: each write sends it again. */
		struct gen self = { .buf = w->inner, .cap = 4096 };

		msg_begin(&self, sh->family, AIONL_CMD_WRITE);
		put_u64(&self, r, AIONL_A_TRANSFER_COOKIE, 0x5e1f);
		put_u64(&self, r, AIONL_A_TRANSFER_HANDLE, handle);
		put_u64(&self, r, AIONL_A_TRANSFER_OFFSET, AIONL_OFFSET_STREAM);
		put_u64(&self, r, AIONL_A_TRANSFER_ADDR, (uintptr_t)w->inner);
		put_u64(&self, r, AIONL_A_TRANSFER_LEN, self.len);
		send_batch(w, fd, self.buf, self.len, 1);
		return;
	}
	/* Inner: a few random messages, sent by the socket the handle names. */
	for (unsigned int i = 1 + (unsigned int)below(r, 8); i && !in.full && !in.last; i--)
		gen_msg(w, &in);
	msg_begin(&g, sh->family, AIONL_CMD_WRITE);
	put_u64(&g, r, AIONL_A_TRANSFER_COOKIE, gen_cookie(w));
	put_u64(&g, r, AIONL_A_TRANSFER_HANDLE, handle);
	put_u64(&g, r, AIONL_A_TRANSFER_OFFSET, AIONL_OFFSET_STREAM);
	put_u64(&g, r, AIONL_A_TRANSFER_ADDR, (uintptr_t)w->inner);
	put_u64(&g, r, AIONL_A_TRANSFER_LEN, in.len);
	send_batch(w, fd, g.buf, g.len, 1);
}

/* Register files of ours with a socket, so that handles are known. */
static void do_register(struct worker *w, int slot, unsigned int n)
{
	struct rng *r = &w->r;
	struct gen g = { .buf = w->batch, .cap = BATCH_CAP, .slot = slot };
	int fd = atomic_load(&P->socks[slot]);

	if (fd < 0 || !claim(n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t seq;
		int file = gen_fd(w, slot, &seq);

		msg_begin(&g, sh->family, AIONL_CMD_REGISTER);
		put_raw(&g, r, AIONL_A_REGISTER_FD, &file, 4);
		cur(&g)->nlmsg_seq = seq ? seq : 1;
	}
	send_batch(w, fd, g.buf, g.len, n);
}

/* Signals for the signal watches: to the process, to a thread, with values. */
static void do_signals(struct worker *w)
{
	struct rng *r = &w->r;
	int sig = one_in(r, 3) ? SIGRTMIN + (int)below(r, 4)
			       : (int)watch_sigs[below(r, sizeof(watch_sigs) / sizeof(watch_sigs[0]))];

	if (!on(S_SIGNALS))
		return;
	STAT(signals);
	switch (below(r, 3)) {
	case 0:
		kill(getpid(), sig);
		break;
	case 1:
		syscall(SYS_tgkill, getpid(), gettid(), sig);
		break;
	default: {
		union sigval v = { .sival_ptr = (void *)(uintptr_t)rnext(r) };

		sigqueue(getpid(), sig, v);
	}
	}
	if (one_in(r, 8)) {	/* what no watch took stays pending: take it */
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&test_sigs, NULL, &zero) > 0)
			;
	}
}

/* The program's own use of the files: readiness for the watches, truncation. */
static void do_poke(struct worker *w)
{
	struct rng *r = &w->r;
	char b[256] = { 0 };
	uint64_t one = 1;

	switch (below(r, 9)) {
	case 8:	/* the blocking pipe: a byte in, taken back before the module's read */
		if (P->bpipe_w >= 0 && write(P->bpipe_w, b, 1) == 1 && read(P->bpipe_r, b, 1) < 0) {
		}
		break;
	case 0:
		if (write(P->pipe_w, b, 1 + below(r, sizeof(b))) < 0) {
		}
		break;
	case 1:
		if (read(P->pipe_r, b, sizeof(b)) < 0) {
		}
		break;
	case 2:
		if (write(P->efd, &one, 8) < 0 || read(P->efd, &one, 8) < 0) {
		}
		break;
	case 3:
		if (write(P->sp1, b, 1 + below(r, sizeof(b))) < 0) {
		}
		break;
	case 4:
		if (read(P->sp1, b, sizeof(b)) < 0) {
		}
		break;
	case 5:
		if (P->file_fd >= 0 && ftruncate(P->file_fd, (off_t)below(r, FILE_RANGE)) < 0) {
		}
		break;
	case 6:
		if (P->memfd >= 0 && ftruncate(P->memfd, (off_t)below(r, FMAP_SIZE * 2)) < 0) {
		}
		break;
	default:
		if (P->file_fd >= 0 &&
		    fallocate(P->file_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)below(r, FILE_RANGE), (off_t)below(r, 1 << 20)) < 0) {
		}
	}
}

/* Pages behind requests in flight change under them. */
static void do_remap(struct worker *w)
{
	struct rng *r = &w->r;

	switch (below(r, 3)) {
	case 0:
		mmap(P->vol, VOL_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0);
		break;
	case 1:
		mprotect(P->vol, VOL_SIZE, one_in(r, 2) ? PROT_READ : PROT_NONE);
		break;
	default:
		mprotect(P->vol, VOL_SIZE, PROT_READ | PROT_WRITE);
		madvise(P->vol, VOL_SIZE, MADV_DONTNEED);
	}
}

/* Workers go on until told, so that the end of a process finds them busy. */
static bool workers_done(void)
{
	return LOAD(sh->stop) || atomic_load(&P->ending) ||
	       LOAD(sh->msgs) >= cfg.messages || now_ns() >= sh->deadline;
}

/* The process ends after its share of messages, or of time. */
static bool proc_done(void)
{
	return workers_done() || atomic_load(&P->mine) >= P->quota || now_ns() >= P->end_time;
}

static void exec_light(struct worker *w);

/* One step of a worker thread. */
static void step(struct worker *w)
{
	struct rng *r = &w->r;
	unsigned int k = (unsigned int)below(r, 100);
	int slot = pick_slot(w);

	/* Events and streams want wake-ups while they run; nested, its writes. */
	if ((P->focus == F_EVENTS || P->focus == F_STREAMS) && one_in(r, 4)) {
		do_poke(w);
		return;
	}
	if (P->focus == F_NESTED && on(S_NESTED) && one_in(r, 5)) {
		do_nested(w);
		return;
	}

	if (k < 55)
		do_batch(w);
	else if (k < 75)
		drain(w, slot, P->policy[slot] == 1 && !one_in(r, 4) ? 0 : 1 + (unsigned int)below(r, 32));
	else if (k < 80)
		do_poke(w);
	else if (k < 82) {
		if (on(S_CLOSE))
			slot_close(r, slot);
	} else if (k < 84) {
		int fd = atomic_load(&P->socks[slot]), v = one_in(r, 2) ? 1 : 1 << 16;

		if (fd >= 0 && (on(S_TINYBUF) || v > 1))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	} else if (k < 88)
		do_signals(w);
	else if (k < 89)
		do_remap(w);
	else if (k < 92) {
		if (on(S_NESTED))
			do_nested(w);
	} else if (k < 96)
		do_register(w, slot, 1 + (unsigned int)below(r, 4));
	else if (k < 97)
		sleep_ns(below(r, 2 * MS));
	else
		drain(w, slot, 64);
	if (atomic_load(&P->exec_req) && atomic_exchange(&P->exec_req, 0))
		exec_light(w);
}

static struct worker *worker_new(uint64_t seed, unsigned int id)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->r.s = seed;
	w->id = id;
	w->own = on(S_SHARED) ? -1 : (int)(id % NSOCK);
	w->batch = malloc(BATCH_CAP);
	w->rbuf = malloc(RBUF_SIZE);
	w->inner = aligned_alloc(4096, 64 << 10);
	if (!w->batch || !w->rbuf || !w->inner)
		return NULL;
	return w;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!workers_done())
		step(w);
	atomic_fetch_sub(&P->live_threads, 1);
	return NULL;
}

/* A thread that arms watches and requests, then exits with them in flight. */
static void *ephemeral_main(void *arg)
{
	struct worker *w = arg;
	struct rng *r = &w->r;
	struct gen g = { .buf = w->batch, .cap = BATCH_CAP, .slot = -1 };
	/* Without S_SHARED, a socket of its own, left open when it exits. */
	int fd = on(S_SHARED) ? atomic_load(&P->socks[below(r, NSOCK)]) : open_sock(r, P->unpriv);
	unsigned int n = 1 + (unsigned int)below(r, 6);

	if (fd >= 0 && claim(n + 1)) {
		if (on(S_SIGNALS)) {
			msg_begin(&g, sh->family, AIONL_CMD_SIGNAL);
			put_u64(&g, r, AIONL_A_SIGNAL_COOKIE, gen_cookie(w));
			put_u64(&g, r, AIONL_A_SIGNAL_MASK, gen_sigmask(w));
		}
		for (unsigned int i = 0; i < n; i++)
			gen_msg(w, &g);
		send_batch(w, fd, g.buf, g.len, n + 1);
		if (one_in(r, 2))
			do_signals(w);
	}
	STAT(thread_exits);
	atomic_fetch_sub(&P->live_threads, 1);
	free(w->batch);
	free(w->rbuf);
	free(w->inner);
	free(w);
	return NULL;
}

static void spawn(void *(*fn)(void *), uint64_t seed, unsigned int id, bool detach)
{
	struct worker *w = worker_new(seed, id);
	pthread_attr_t attr;
	pthread_t t;

	if (!w)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	if (detach)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	atomic_fetch_add(&P->live_threads, 1);
	if (pthread_create(&t, &attr, fn, w)) {
		atomic_fetch_sub(&P->live_threads, 1);
		free(w->batch);
		free(w->rbuf);
		free(w->inner);
		free(w);
	}
	pthread_attr_destroy(&attr);
}

/* ------------------------------------------------------------ exec */

/*
 * Arm signal watches, timers and polls on the sockets, then exec this program
 * in its light mode, which keeps one socket (if it is not close-on-exec),
 * sends a little on it, raises the watched signals and exits.
 */
static void exec_light(struct worker *w)
{
	struct rng *r = &w->r;
	char fdarg[16], famarg[16], seedarg[32], skiparg[16];
	int keep = -1;

	for (int s = 0; s < NSOCK; s++) {
		int fd = atomic_load(&P->socks[s]);
		struct gen g = { .buf = w->batch, .cap = BATCH_CAP, .slot = -1 };

		if (fd < 0 || (w->own >= 0 && s != w->own))
			continue;
		if (on(S_SIGNALS)) {
			msg_begin(&g, sh->family, AIONL_CMD_SIGNAL);
			put_u64(&g, r, AIONL_A_SIGNAL_COOKIE, 0xe7ec);
			put_u64(&g, r, AIONL_A_SIGNAL_MASK,
				1ULL << (SIGUSR1 - 1) | 1ULL << (SIGUSR2 - 1));
		}
		if (on(S_TIMERS)) {
			msg_begin(&g, sh->family, AIONL_CMD_TIMER);
			put_u64(&g, r, AIONL_A_TIMER_COOKIE, 0xe7ed);
			put_u32(&g, r, AIONL_A_TIMER_CLOCK, AIONL_TIMER_CLOCK_MONOTONIC);
			put_u64(&g, r, AIONL_A_TIMER_VALUE_NS, MS);
			put_u64(&g, r, AIONL_A_TIMER_INTERVAL_NS, MS);
		}
		if (g.len)
			send_batch(w, fd, g.buf, g.len, 2);
		if (keep < 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			keep = fd;
	}
	if (one_in(r, 2))
		kill(getpid(), SIGUSR1);
	STAT(execs);
	snprintf(fdarg, sizeof(fdarg), "%d", keep);
	snprintf(famarg, sizeof(famarg), "%u", sh->family);
	snprintf(seedarg, sizeof(seedarg), "%" PRIu64, rnext(r));
	snprintf(skiparg, sizeof(skiparg), "%u", cfg.skip);
	execl(cfg.exe, "kernel_stress", "--exec-light", fdarg, famarg, seedarg, skiparg,
	      (char *)NULL);
	_exit(0);
}

/* The program after exec: the old image's watches must not see its signals. */
static int light_main(int fd, uint16_t family, uint64_t seed)
{
	struct rng r = { seed };
	uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	int own = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	struct timeval tv = { 0, 5000 };

	for (int round = 0; round < 2; round++) {
		int s = round ? own : fd;

		if (s < 0)
			continue;
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (on(S_SIGNALS)) {
			nlh = mnl_nlmsg_put_header(buf);
			nlh->nlmsg_type = family;
			nlh->nlmsg_flags = NLM_F_REQUEST;
			gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
			gh->cmd = AIONL_CMD_SIGNAL;
			gh->version = AIONL_FAMILY_VERSION;
			mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_COOKIE, 0x11e);
			mnl_attr_put_u64(nlh, AIONL_A_SIGNAL_MASK, 1ULL << (SIGUSR1 - 1));
			if (send(s, buf, nlh->nlmsg_len, 0) < 0) {
			}
		}
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
		gh->cmd = AIONL_CMD_NOP;
		gh->version = AIONL_FAMILY_VERSION;
		mnl_attr_put_u64(nlh, AIONL_A_NOP_COOKIE, rnext(&r));
		if (send(s, buf, nlh->nlmsg_len, 0) < 0) {
		}
	}
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	for (int i = 0; i < 3; i++) {
		if (fd >= 0 && recv(fd, buf, sizeof(buf), 0) < 0) {
		}
		if (own >= 0 && recv(own, buf, sizeof(buf), 0) < 0) {
		}
	}
	if (one_in(&r, 3))
		raise(SIGKILL);
	return 0;
}

/* ------------------------------------------------------------ a process */

static void add_fd(int fd)
{
	struct stat st;
	uint8_t kind = FK_OTHER;

	if (fd < 0 || P->nfds >= MAXFDS)
		return;
	if (fstat(fd, &st) == 0) {
		if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
			kind = FK_REG;
		else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || !(st.st_mode & S_IFMT))
			kind = FK_HOT;	/* pipes, sockets, and anonymous inodes: eventfd... */
	}
	P->fdkind[P->nfds] = kind;
	P->fds[P->nfds++] = fd;
}

static void drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		say("cannot drop to user nobody: %s", strerror(errno));
		_exit(1);
	}
	STAT(unpriv);
}

static void open_files(struct rng *r)
{
	int sv[2], p[2];

	for (unsigned int d = 0; d < cfg.ndirs; d++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/f0", cfg.dirs[d]);
		add_fd(open(path, O_RDWR));
		if (d == 0)
			P->file_fd = P->fds[P->nfds - 1];
		add_fd(open(path, O_RDWR | O_DIRECT));
		snprintf(path, sizeof(path), "%s/f1", cfg.dirs[d]);
		add_fd(open(path, O_RDWR | O_APPEND));
		snprintf(path, sizeof(path), "%s/f2", cfg.dirs[d]);
		add_fd(open(path, O_RDONLY));
		snprintf(path, sizeof(path), "%s/f3", cfg.dirs[d]);
		add_fd(open(path, O_WRONLY));
		snprintf(path, sizeof(path), "%s/ro", cfg.dirs[d]);
		add_fd(open(path, O_RDONLY));
		snprintf(path, sizeof(path), "%s/fifo", cfg.dirs[d]);
		add_fd(open(path, O_RDWR | O_NONBLOCK));
		add_fd(open(cfg.dirs[d], O_RDONLY | O_DIRECTORY));
		snprintf(path, sizeof(path), "%s/f0", cfg.dirs[d]);
		add_fd(open(path, O_PATH));
	}
	if (pipe2(p, O_NONBLOCK | (one_in(r, 2) ? O_CLOEXEC : 0)) == 0) {
		P->pipe_r = p[0];
		P->pipe_w = p[1];
		add_fd(p[0]);
		add_fd(p[1]);
	}
	if (on(S_BLOCKING) && pipe2(p, 0) == 0) {	/* a worker must never block on it */
		char path[64];

		add_fd(p[0]);
		add_fd(p[1]);
		/* The program's own ends of it never block: opened anew, O_NONBLOCK. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
		P->bpipe_r = open(path, O_RDONLY | O_NONBLOCK);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
		P->bpipe_w = open(path, O_WRONLY | O_NONBLOCK);
	}
	P->efd = eventfd(0, EFD_NONBLOCK);
	add_fd(P->efd);
	add_fd(signalfd(-1, &test_sigs, SFD_NONBLOCK));
	{
		int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
		struct itimerspec its = { { 0, 5 * MS }, { 0, 5 * MS } };

		if (tfd >= 0)
			timerfd_settime(tfd, 0, &its, NULL);
		add_fd(tfd);
	}
	{
		int ep = epoll_create1(0);
		struct epoll_event ev = { .events = EPOLLIN };

		if (ep >= 0 && P->efd >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, P->efd, &ev);
		add_fd(ep);
	}
	{
		int in = inotify_init1(IN_NONBLOCK);

		if (in >= 0)
			inotify_add_watch(in, cfg.dirs[0], IN_ALL_EVENTS);
		add_fd(in);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0) {
		P->sp0 = sv[0];
		P->sp1 = sv[1];
		add_fd(sv[0]);
		add_fd(sv[1]);
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0) {
		add_fd(sv[0]);
		add_fd(sv[1]);
	}
	add_fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	add_fd(open("/dev/null", O_RDWR));
	add_fd(open("/dev/zero", O_RDWR));
	add_fd(open("/dev/urandom", O_RDONLY));
	add_fd(open("/proc/self/stat", O_RDONLY));
	add_fd(open("/proc/self/maps", O_RDONLY));
	add_fd(open(cfg.exe, O_RDONLY));
	add_fd((int)syscall(SYS_pidfd_open, getpid(), 0));
	P->memfd = memfd_create("aionl-stress", MFD_ALLOW_SEALING);
	if (P->memfd >= 0) {
		if (ftruncate(P->memfd, FMAP_SIZE) < 0) {
		}
		if (one_in(r, 2))
			fcntl(P->memfd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK);
		add_fd(P->memfd);
	}
	if (!P->unpriv) {
		add_fd(open("/dev/vda", O_RDONLY));
		add_fd(open("/dev/vda", O_RDONLY | O_DIRECT));
	}
}

static void map_buffers(void)
{
	char path[PATH_MAX];
	int fd;

	P->buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	P->ro = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P->none = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P->vol = mmap(NULL, VOL_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (P->buf == MAP_FAILED || P->ro == MAP_FAILED || P->none == MAP_FAILED ||
	    P->vol == MAP_FAILED) {
		say("mmap: %s", strerror(errno));
		_exit(1);
	}
	mprotect(P->buf + BUF_SIZE, 4096, PROT_NONE);
	memset(P->buf, 0x5a, BUF_SIZE);
	snprintf(path, sizeof(path), "%s/f2", cfg.dirs[0]);
	fd = open(path, O_RDWR);
	if (fd < 0)
		fd = open(path, O_RDONLY);
	P->fmap = NULL;
	if (fd >= 0) {
		void *m = mmap(NULL, FMAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (m == MAP_FAILED)
			m = mmap(NULL, FMAP_SIZE, PROT_READ, MAP_SHARED, fd, 0);
		P->fmap = m == MAP_FAILED ? NULL : m;
		close(fd);
	}
}

/* A child of a worker process: shares its sockets and buffers for a while. */
static void grandchild(struct worker *w)
{
	struct rng *r = &w->r;
	unsigned int n = 1 + (unsigned int)below(r, 20);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (unsigned int i = 0; i < n && !LOAD(sh->stop); i++)
		step(w);
	if (one_in(r, 2))
		raise(SIGKILL);
	_exit(0);
}

static void child_main(unsigned int index, uint64_t seed)
{
	static struct proc proc;
	struct rng r = { seed };
	struct worker *cw;
	unsigned int mode;
	struct sigaction sa = { .sa_handler = SIG_IGN };
	int devnull;

	P = &proc;
	memset(P, 0, sizeof(*P));
	P->index = index;
	P->seed = seed;
	P->pipe_r = P->pipe_w = P->bpipe_r = P->bpipe_w = -1;
	P->efd = P->sp0 = P->sp1 = P->memfd = P->file_fd = -1;
	for (int i = 0; i < NSOCK; i++)
		atomic_init(&P->socks[i], -1);
	for (int i = 0; i < PAIRS; i++) {
		atomic_init(&P->pairs[i].dst, -1);
		atomic_init(&P->pairs[i].src, -1);
	}
	P->portid_base = 0x40000000u | ((uint32_t)getpid() & 0xfffff) << 4;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGXFSZ, &sa, NULL);
	sigprocmask(SIG_BLOCK, &test_sigs, NULL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	/* 0 root, 1 nobody from the start, 2 nobody once its sockets are open */
	mode = on(S_UNPRIV) && below(&r, 100) < cfg.unpriv_pct ? 1 + (unsigned int)below(&r, 2) : 0;
	if (on(S_NETNS) && one_in(&r, 12)) {
		if (mode == 1) {
			drop_privileges();
			if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
				STAT(netns);
		} else if (unshare(CLONE_NEWNET) == 0) {
			STAT(netns);
		}
	}
	if (mode == 1 && getuid() != NOBODY)
		drop_privileges();
	P->unpriv = mode == 1;
	{
		/* mixed 4 in 10, events and streams 2 each, files and nested 1 each */
		static const uint8_t focus_of[10] = { F_MIXED, F_MIXED, F_MIXED, F_MIXED,
						      F_EVENTS, F_EVENTS, F_STREAMS,
						      F_STREAMS, F_FILES, F_NESTED };

		P->focus = focus_of[below(&r, 10)];
	}
	STAT(focus[P->focus]);
	P->selfreg = on(S_SELFREG) && (P->focus == F_NESTED || one_in(&r, 4));
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* cleared by a change of credentials */
	if (getppid() == 1)
		_exit(0);
	open_files(&r);
	map_buffers();
	cw = worker_new(mix(seed, 1000), NSOCK - 1);
	if (!cw)
		_exit(1);
	for (int s = 0; s < NSOCK; s++)
		if (s < 2 || one_in(&r, 2))
			slot_open(&r, s);
	for (int s = 0; s < NSOCK; s++)
		do_register(cw, s, 4 + (unsigned int)below(&r, 8));
	if (mode == 2) {
		drop_privileges();
		P->unpriv = true;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	P->quota = 200 + below(&r, 4000);
	P->end_time = now_ns() + (200 + below(&r, 3000)) * MS;
	if (P->end_time > sh->deadline)
		P->end_time = sh->deadline;
	for (unsigned int t = 0; t < cfg.threads; t++)
		spawn(worker_main, mix(seed, t), t, false);

	/* The conductor: events of the whole process. */
	while (!proc_done()) {
		sleep_ns((1 + below(&r, 4)) * MS);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (one_in(&r, 30))
			spawn(ephemeral_main, rnext(&r), 100, true);
		if (on(S_FORK) && on(S_SHARED) && one_in(&r, 80)) {
			pid_t pid = fork();

			if (pid == 0)
				grandchild(cw);
			if (pid > 0)
				STAT(forks);
		}
		if (on(S_CLOSE) && one_in(&r, 60))
			slot_close(&r, pick_slot(cw));
		if (one_in(&r, 20))
			do_signals(cw);
		if (one_in(&r, 4))
			step(cw);
	}

	/* The end: each way a process can leave the module its sockets. */
	switch (on(S_EXEC) ? below(&r, 10) : below(&r, 6)) {
	case 0:
	case 1:
	case 2: {	/* as a careful program does */
		atomic_store(&P->ending, 1);
		for (int i = 0; i < 2000 && atomic_load(&P->live_threads) > 0; i++)
			sleep_ns(MS);
		for (int s = 0; s < NSOCK; s++) {
			int fd = atomic_exchange(&P->socks[s], -1);

			if (fd >= 0)
				close(fd);
		}
		exit(0);
	}
	case 3:
	case 4:	/* exit_group with the threads in the middle of things */
		_exit(0);
	case 5:
		if (on(S_KILL))
			raise(SIGKILL);
		_exit(0);
	case 6:
	case 7:	/* exec from this thread, the others running */
		exec_light(cw);
		_exit(0);
	default:	/* exec from a worker thread, which kills this one */
		atomic_store(&P->exec_req, 1);
		for (int i = 0; i < 500 && atomic_load(&P->live_threads) > 0; i++)
			sleep_ns(MS);
		_exit(0);
	}
}

/* ------------------------------------------------------------ supervisor */

static uint16_t family_id(void)
{
	uint8_t buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	const struct nlattr *a;
	struct timeval tv = { 5, 0 };
	uint16_t id = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ssize_t n;

	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	if (send(fd, buf, nlh->nlmsg_len, 0) < 0 || (n = recv(fd, buf, sizeof(buf), 0)) <= 0) {
		close(fd);
		return 0;
	}
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type == GENL_ID_CTRL && mnl_nlmsg_ok(nlh, (int)n))
		mnl_attr_for_each(a, nlh, GENL_HDRLEN)
			if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
				id = mnl_attr_get_u16(a);
	close(fd);
	return id;
}

static char run_dirs[4][200];

static bool make_files(void)
{
	static char zero[1 << 16];

	for (unsigned int d = 0; d < cfg.ndirs; d++) {
		char path[PATH_MAX];
		static const char *const names[] = { "f0", "f1", "f2", "f3", "ro" };

		if (snprintf(run_dirs[d], sizeof(run_dirs[d]), "%s/aionl-stress.%d", cfg.dirs[d],
			     getpid()) >= (int)sizeof(run_dirs[d]))
			return false;	/* a directory name too long for the tool */
		if (mkdir(run_dirs[d], 0777) && errno != EEXIST)
			return false;
		chmod(run_dirs[d], 0777);
		for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/%s", run_dirs[d], names[i]);
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0666);
			if (fd < 0)
				return false;
			for (int k = 0; k < 16; k++)
				if (write(fd, zero, sizeof(zero)) < 0)
					break;
			fchmod(fd, i == 4 ? 0644 : 0666);
			close(fd);
		}
		snprintf(path, sizeof(path), "%s/fifo", run_dirs[d]);
		if (mkfifo(path, 0666) == 0)
			chmod(path, 0666);
		snprintf(cfg.dirs[d], sizeof(cfg.dirs[d]), "%s", run_dirs[d]);
	}
	return true;
}

static void remove_files(void)
{
	/* "missing": an OPEN with O_CREAT may have made it. */
	static const char *const names[] = { "f0", "f1", "f2", "f3", "ro", "fifo", "missing" };

	for (unsigned int d = 0; d < cfg.ndirs; d++) {
		char path[PATH_MAX];

		for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", run_dirs[d], names[i]);
			unlink(path);
		}
		rmdir(run_dirs[d]);
	}
}

/* The stacks of the tasks of pid, for a report of a task that would not die. */
static void show_stacks(pid_t pid)
{
	char path[320], line[256];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, e->d_name);
		f = fopen(path, "r");
		say("task %d/%s, in the kernel at:", pid, e->d_name);
		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			say("    %s", line);
		}
		if (f)
			fclose(f);
	}
	closedir(d);
}

/* Every process whose parent we are (a subreaper adopts grandchildren). */
static void show_stuck(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[320], stat[512], *p;
		FILE *f;
		int ppid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
		fclose(f);
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 && ppid == getpid())
			show_stacks(atoi(e->d_name));
	}
	if (d)
		closedir(d);
}

/* Generic netlink sockets left in this namespace once every process is gone. */
static int genl_sockets(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/net/netlink", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int proto;

		if (sscanf(line, "%*s %u", &proto) == 1 && proto == NETLINK_GENERIC)
			n++;
	}
	fclose(f);
	return n;
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kernel_stress [options]\n"
		"A randomized protocol stress of aionl.ko: random and mutated messages from\n"
		"several processes and threads, some unprivileged, with sockets closed and\n"
		"processes killed at random. Run as root with the module loaded (the VM test\n"
		"does: tests/vm/run-vm.sh, AIONL_VM_STRESS=N for N messages; see docs/kernel.md).\n"
		"The kernel's health is judged from its log; this program exits 0 when it ran\n"
		"through, 77 without the module, 3 when a task would not die, 1 on its own error.\n"
		"\n"
		"  -n, --messages N     messages to send in all (default 100000)\n"
		"  -p, --procs N        worker processes at a time (default 4)\n"
		"  -t, --threads N      threads per worker process (default 3)\n"
		"  -s, --seed S         seed (default: from the clock; printed, to replay a run)\n"
		"  -T, --time-limit S   stop after S seconds, however far it got (default 600)\n"
		"  -u, --unpriv PCT     share of processes that run as user nobody (default 50)\n"
		"  -d, --dir DIR        a directory for the files (repeatable; default /tmp,\n"
		"                       and /mnt if it is a mount point)\n"
		"  -x, --skip LIST      leave scenarios out, comma-separated:\n");
	for (int s = 0; s < S_COUNT; s++)
		fprintf(out, "                         %-10s %s\n", scenario_names[s], scenario_help[s]);
	fprintf(out,
		"  -v, --verbose        report each process\n"
		"  -h, --help           this text\n"
		"\n"
		"A run is replayed by the same seed and options; with many threads the\n"
		"interleaving differs, but each thread's sequence of messages is the same.\n");
}

static bool parse_skip(const char *list)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s;

		for (s = 0; s < S_COUNT; s++)
			if (!strcmp(tok, scenario_names[s]))
				break;
		if (s == S_COUNT) {
			fprintf(stderr, "kernel_stress: no scenario '%s'\n", tok);
			return false;
		}
		cfg.skip |= 1U << s;
	}
	return true;
}

static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static void summary(uint64_t start, const char *how)
{
	double secs = (double)(now_ns() - start) / 1e9;
	uint64_t msgs = LOAD(sh->msgs);

	say("%s: %" PRIu64 " messages in %" PRIu64 " sendmsg (%" PRIu64 " refused) in %.1f s, "
	    "%.0f/s", how, msgs, LOAD(sh->sends), LOAD(sh->send_errs), secs,
	    secs > 0 ? (double)msgs / secs : 0.0);
	say("processes %" PRIu64 " (%" PRIu64 " unprivileged, %" PRIu64 " in a new netns, %"
	    PRIu64 " killed, %" PRIu64 " exec'd, %" PRIu64 " forks); sockets opened %" PRIu64
	    ", closed %" PRIu64 "; threads exited with watches %" PRIu64,
	    LOAD(sh->children), LOAD(sh->unpriv), LOAD(sh->netns), LOAD(sh->kills),
	    LOAD(sh->execs), LOAD(sh->forks), LOAD(sh->sock_opens), LOAD(sh->sock_closes),
	    LOAD(sh->thread_exits));
	say("processes by focus: %s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64
	    ", %s %" PRIu64, focus_names[0], LOAD(sh->focus[0]), focus_names[1],
	    LOAD(sh->focus[1]), focus_names[2], LOAD(sh->focus[2]), focus_names[3],
	    LOAD(sh->focus[3]), focus_names[4], LOAD(sh->focus[4]));
	say("received %" PRIu64 " datagrams: %" PRIu64 " completions (%" PRIu64
	    " of signals), %" PRIu64 " replies (%" PRIu64 " handles), %" PRIu64
	    " error messages (%" PRIu64 " EBUSY), %" PRIu64 " acks; %" PRIu64
	    " signals raised, %" PRIu64 " writes through the module",
	    LOAD(sh->recvs), LOAD(sh->completions), LOAD(sh->sig_completions), LOAD(sh->replies),
	    LOAD(sh->handles), LOAD(sh->nl_errors), LOAD(sh->busy), LOAD(sh->acks),
	    LOAD(sh->signals), LOAD(sh->nested));
	say("%" PRIu64 " files opened through the module, %" PRIu64 " descriptors installed",
	    LOAD(sh->opened), LOAD(sh->installed));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "messages", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "time-limit", required_argument, NULL, 'T' },
		{ "unpriv", required_argument, NULL, 'u' },
		{ "dir", required_argument, NULL, 'd' },
		{ "skip", required_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct { pid_t pid; unsigned int index; } kids[MAX_CHILDREN] = { { 0, 0 } };
	bool seeded = false, cut = false;
	uint64_t start, next_report, spawned = 0;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rng r;
	int c, stuck = 0;

	/* After exec_light(): --exec-light FD FAMILY SEED SKIP (FD may be -1). */
	if (argc == 6 && !strcmp(argv[1], "--exec-light")) {
		cfg.skip = (unsigned int)strtoul(argv[5], NULL, 0);
		return light_main(atoi(argv[2]), (uint16_t)atoi(argv[3]),
				  strtoull(argv[4], NULL, 0));
	}
	cfg.messages = 100000;
	cfg.procs = 4;
	cfg.threads = 3;
	cfg.time_limit = 600;
	cfg.unpriv_pct = 50;
	while ((c = getopt_long(argc, argv, "n:p:t:s:T:u:d:x:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cfg.messages = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			cfg.procs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 't':
			cfg.threads = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			cfg.seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'T':
			cfg.time_limit = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'u':
			cfg.unpriv_pct = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			if (cfg.ndirs < 4)
				snprintf(cfg.dirs[cfg.ndirs++], sizeof(cfg.dirs[0]), "%s", optarg);
			break;
		case 'x':
			if (!parse_skip(optarg))
				return 1;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	sigemptyset(&test_sigs);
	for (unsigned int i = 0; i < sizeof(watch_sigs) / sizeof(watch_sigs[0]); i++)
		sigaddset(&test_sigs, (int)watch_sigs[i]);
	for (int s = SIGRTMIN; s < SIGRTMIN + 4; s++)
		sigaddset(&test_sigs, s);
	if (optind != argc || !cfg.procs || cfg.procs > MAX_CHILDREN || !cfg.threads ||
	    cfg.threads > 64 || cfg.unpriv_pct > 100 || !cfg.time_limit ||
	    (!on(S_SHARED) && cfg.threads > NSOCK - 1)) {
		usage(stderr);
		return 1;
	}
	if (!seeded)
		cfg.seed = mix((uint64_t)time(NULL), now_ns() ^ (uint64_t)getpid());
	if (!cfg.ndirs) {
		snprintf(cfg.dirs[cfg.ndirs++], sizeof(cfg.dirs[0]), "/tmp");
		if (is_mountpoint("/mnt"))
			snprintf(cfg.dirs[cfg.ndirs++], sizeof(cfg.dirs[0]), "/mnt");
	}
	if (readlink("/proc/self/exe", cfg.exe, sizeof(cfg.exe) - 1) < 0) {
		perror("kernel_stress: /proc/self/exe");
		return 1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "kernel_stress: runs as root (it drops privileges itself)\n");
		return 77;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("kernel_stress: mmap");
		return 1;
	}
	sh->family = family_id();
	if (!sh->family) {
		fprintf(stderr, "kernel_stress: no generic netlink family %s: is aionl.ko loaded?\n",
			AIONL_FAMILY_NAME);
		return 77;
	}
	{
		char skip[256] = "";

		for (int s = 0; s < S_COUNT; s++)
			if (cfg.skip & (1U << s))
				snprintf(skip + strlen(skip), sizeof(skip) - strlen(skip), "%s%s",
					 skip[0] ? "," : "", scenario_names[s]);
		say("seed %#" PRIx64 ": %" PRIu64 " messages, %u processes x %u threads, %u%% "
		    "unprivileged, time limit %u s, files in %s%s%s%s%s",
		    cfg.seed, cfg.messages, cfg.procs, cfg.threads, cfg.unpriv_pct, cfg.time_limit,
		    cfg.dirs[0], cfg.ndirs > 1 ? " and " : "", cfg.ndirs > 1 ? cfg.dirs[1] : "",
		    skip[0] ? ", without " : "", skip);
		say("replay: kernel_stress -s %#" PRIx64 " -n %" PRIu64 " -p %u -t %u -u %u -T %u%s%s",
		    cfg.seed, cfg.messages, cfg.procs, cfg.threads, cfg.unpriv_pct, cfg.time_limit,
		    skip[0] ? " -x " : "", skip);
	}
	if (!make_files()) {
		perror("kernel_stress: files");
		return 1;
	}
	r.s = cfg.seed;
	start = now_ns();
	sh->deadline = start + (uint64_t)cfg.time_limit * 1000000000ULL;
	next_report = start + 10000 * MS;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigaction(SIGALRM, &sa, NULL);
	alarm(cfg.time_limit + 60);

	for (;;) {
		uint64_t now = now_ns();
		unsigned int alive = 0;
		int status;
		pid_t pid;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (unsigned int i = 0; i < cfg.procs; i++) {
				if (kids[i].pid != pid)
					continue;
				kids[i].pid = 0;
				if (cfg.verbose)
					say("process %u (pid %d) ended: %s %d", kids[i].index, pid,
					    WIFSIGNALED(status) ? "signal" : "status",
					    WIFSIGNALED(status) ? WTERMSIG(status)
								: WEXITSTATUS(status));
			}
		}
		for (unsigned int i = 0; i < cfg.procs; i++)
			alive += kids[i].pid != 0;
		if (now >= sh->deadline || alarmed) {
			cut = true;
			break;
		}
		if (LOAD(sh->msgs) >= cfg.messages && !alive)
			break;
		for (unsigned int i = 0; i < cfg.procs; i++) {
			if (kids[i].pid || LOAD(sh->msgs) >= cfg.messages)
				continue;
			kids[i].index = (unsigned int)spawned++;
			pid = fork();
			if (pid < 0) {
				perror("kernel_stress: fork");
				break;
			}
			if (pid == 0) {
				setpgid(0, 0);
				child_main(kids[i].index, mix(cfg.seed, kids[i].index + 1));
				_exit(0);
			}
			setpgid(pid, pid);
			kids[i].pid = pid;
			STAT(children);
		}
		if (on(S_KILL) && one_in(&r, 60)) {
			unsigned int i = (unsigned int)below(&r, cfg.procs);

			if (kids[i].pid) {
				/* the process, or its whole group with its children */
				kill(one_in(&r, 2) ? kids[i].pid : -kids[i].pid, SIGKILL);
				STAT(kills);
			}
		}
		if (now >= next_report) {
			say("%" PRIu64 " of %" PRIu64 " messages, %" PRIu64 " processes, %" PRIu64 " s",
			    LOAD(sh->msgs), cfg.messages, LOAD(sh->children), (now - start) / 1000000000ULL);
			next_report += 10000 * MS;
		}
		sleep_ns((2 + below(&r, 10)) * MS);
	}

	/* The end: ask, then kill; every process must go, grandchildren too. */
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < 3000; i++) {
		unsigned int alive = 0;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		for (unsigned int k = 0; k < cfg.procs; k++)
			if (kids[k].pid && kill(kids[k].pid, 0) == 0)
				alive++;
		if (!alive)
			break;
		sleep_ns(MS);
	}
	for (unsigned int k = 0; k < cfg.procs; k++)
		if (kids[k].pid)
			kill(-kids[k].pid, SIGKILL);
	{
		uint64_t until = now_ns() + 60000 * MS;

		for (;;) {
			pid_t pid = waitpid(-1, NULL, WNOHANG);

			if (pid < 0 && errno == ECHILD)
				break;
			if (now_ns() >= until) {
				stuck = 1;
				break;
			}
			if (pid <= 0)
				sleep_ns(MS);
		}
	}
	if (stuck) {
		say("FAILED: processes did not die within 60 s of SIGKILL: stuck in the kernel");
		show_stuck();
	}
	summary(start, cut ? "time limit reached" : "done");
	if (cut)
		say("the time limit cut the run short: %" PRIu64 " of %" PRIu64 " messages",
		    LOAD(sh->msgs), cfg.messages);
	remove_files();
	{
		int left = genl_sockets();

		if (left > 0)
			say("%d generic netlink sockets outlived their processes in this namespace "
			    "(an aionl socket registered with itself, or two with each other, "
			    "stays until rmmod)", left);
	}
	return stuck ? 3 : 0;
}
