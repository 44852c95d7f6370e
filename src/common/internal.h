/* SPDX-License-Identifier: MIT */
/*
 * What the library (src/lib) and the userspace engine (src/engine) share
 * that is not the protocol itself: error reporting, the message helpers of
 * both sides, and the one non-blocking read both fast paths make. The
 * protocol's rules are src/proto/aionl-rules.h; its limits <linux/aionl.h>.
 * Nothing here is public.
 */
#ifndef AIONL_INTERNAL_H
#define AIONL_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "aionl.h"
#include "aionl-codec.h"
#include "aionl-rules.h"

/* Marks the definitions that make up the ABI; everything else stays hidden. */
#define AIONL_EXPORT __attribute__((visibility("default")))

#define AIONL_LIKELY(x) __builtin_expect(!!(x), 1)
#define AIONL_UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * The userspace engine answers CTRL_CMD_GETFAMILY for "aionl" with this id,
 * so the program resolves the family the same way on both backends. The
 * kernel gives out ids from GENL_START_ALLOC (0x13) up; any id above the
 * controller's would do.
 */
#define AIONL_USER_FAMILY_ID 0x40

/*
 * Descriptors one datagram from the engine carries at most (SCM_RIGHTS, for
 * OPEN's and INSTALL's): the engine starts another datagram past it, and the
 * library's receive buffers hold as many.
 */
#define AIONL_FDS_PER_DGRAM 64

/* What ordering needs of an orderable request's message (ord_parse.c). */
struct aionl_ord_info {
	uint64_t cookie, handle, expect;
	uint32_t flags;
	uint64_t handle2;	/* COPY: its destination's */
};

/*
 * Parse and check the message of orderable command cmd (one that takes
 * req_flags): 0, or the -errno a server refuses it with, pe naming why.
 */
int aionl__ord_parse(uint8_t cmd, const struct nlmsghdr *nlh, struct aionl_ord_info *in,
		     struct aionl_parse_err *pe);

#define AIONL_DEFAULT_MAX_INFLIGHT 4096u
/*
 * The threads executor's workers: at most this many by default, enough for
 * a queue depth of blocking requests in flight at once; it keeps
 * AIONL_WORKERS_KEPT (or fewer, if that is the most) and starts the rest as
 * requests wait for one (src/engine/exec_threads.c).
 */
#define AIONL_DEFAULT_WORKERS 64u
#define AIONL_WORKERS_KEPT 4u
#define AIONL_DEFAULT_SPIN_US 50u
/*
 * Busy-poll only while at most this many requests are outstanding. With few,
 * each completion would pay a wake-up of its own; with more, one wake-up
 * serves a batch, and on few CPUs the spinning would take the time of the
 * threads doing the work (io_uring's workers for buffered writes, for one;
 * docs/performance.md has the measurements).
 */
#define AIONL_SPIN_MAX_OUTSTANDING 4

/*
 * Adaptive busy-polling, for the library's receive and the engine's loop:
 * spin only while spinning pays, that is while what is awaited comes within
 * the spin. A spin that is answered earns a credit (up to
 * AIONL_SPIN_CREDIT_MAX); one that runs out halves them; at none the waiter
 * sleeps at once, and tries a spin again every AIONL_SPIN_PROBE-th wait, as
 * what did not pay (a slow disk, or a worker that needed the CPU the
 * spinner took) may pay again later. Relaxed atomics: threads that share it
 * only share a guess.
 */
#define AIONL_SPIN_CREDIT_MAX 16
#define AIONL_SPIN_PROBE 64

struct aionl_spin {
	atomic_int credit;
	atomic_uint skipped;
};

static inline void aionl_spin_init(struct aionl_spin *s)
{
	atomic_init(&s->credit, AIONL_SPIN_CREDIT_MAX / 2);
	atomic_init(&s->skipped, 0);
}

/* Whether to spin before this wait. */
static inline bool aionl_spin_pays(struct aionl_spin *s)
{
	if (atomic_load_explicit(&s->credit, memory_order_relaxed) > 0)
		return true;
	return (atomic_fetch_add_explicit(&s->skipped, 1, memory_order_relaxed) %
		AIONL_SPIN_PROBE) == AIONL_SPIN_PROBE - 1;
}

/* How a spin ended: answered, or ran out. */
static inline void aionl_spin_done(struct aionl_spin *s, bool answered)
{
	int c = atomic_load_explicit(&s->credit, memory_order_relaxed);

	c = answered ? (c < AIONL_SPIN_CREDIT_MAX ? c + 1 : c) : c / 2;
	atomic_store_explicit(&s->credit, c, memory_order_relaxed);
}

/*
 * The CPUs this process may run on (its affinity, which a container's
 * cpuset narrows), at least 1: a spinner only helps where another CPU does
 * the work it waits for.
 */
unsigned int aionl__ncpus(void);

/*
 * Record why the current call fails, for aionl_error_message() in this
 * thread; returns err (a negative errno).
 */
int aionl__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------ fds.c */

/*
 * Choose the floor of the high range from RLIMIT_NOFILE, raising the soft
 * limit to the hard one first if raise (AIONL_PARAMS_RAISE_NOFILE). 0 or -errno.
 */
int aionl__fd_floor_update(bool raise);
int aionl__fd_floor(void);
/* A close-on-exec duplicate of fd in the high range (anywhere if it is full), or -errno. */
int aionl__dup_high(int fd);
/* Move fd into the high range, closing the original; fd itself if there is no room. */
int aionl__fd_high(int fd);
/*
 * The type bits of fd's st_mode, its inode number and its filesystem (as
 * st_dev), each if asked, from what the kernel holds (statx with
 * AT_STATX_DONT_SYNC): a network or FUSE filesystem is not asked, so a hung
 * one cannot hold the caller. 0 or -errno.
 */
int aionl__fd_type(int fd, unsigned int *mode, uint64_t *ino, uint64_t *dev);

/* Start a generic netlink message at buf: nlmsghdr then genlmsghdr. */
static inline struct nlmsghdr *aionl__msg_start(void *buf, uint16_t type, uint16_t flags,
						uint32_t seq, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/*
 * Whether nlh is a whole message within the len bytes left of a buffer.
 * libmnl's mnl_nlmsg_ok() compares nlmsg_len as an int, so a length of 2 GiB
 * or more passes it, and mnl_nlmsg_next() then leaps as far.
 */
/*
 * How long a fork's prepare handler waits for a lock, or for an engine to
 * park. A fork called from a signal handler may have interrupted the very
 * thread that holds the lock, which will never let go; waiting for ever
 * froze the whole process. Past this, the fork goes ahead without it, and
 * the child treats what the lock guards as unsafe to walk (it leaks it).
 */
#define AIONL_FORK_WAIT_NS (100 * 1000000LL)

/* The CLOCK_REALTIME instant AIONL_FORK_WAIT_NS from now, for *timed* waits. */
static inline struct timespec aionl__fork_deadline(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += AIONL_FORK_WAIT_NS % 1000000000LL;
	t.tv_sec += AIONL_FORK_WAIT_NS / 1000000000LL + t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

/* pthread_mutex_lock for a prepare handler: false if not taken in time. */
static inline bool aionl__fork_lock(pthread_mutex_t *m)
{
	struct timespec deadline = aionl__fork_deadline();

	return pthread_mutex_timedlock(m, &deadline) == 0;
}

static inline bool aionl__nlmsg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= len;
}

/* After aionl__nlmsg_ok(nlh, *len): the next message, *len what is left from it. */
static inline const struct nlmsghdr *aionl__nlmsg_next(const struct nlmsghdr *nlh, size_t *len)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	*len = step < *len ? *len - step : 0;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

static inline const struct genlmsghdr *aionl__genl_hdr(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

/* The signals of a watch's set (bit n - 1: signal n) as a sigset_t. */
static inline void aionl__sigset_of(uint64_t mask, sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig <= (int)AIONL_MAX_SIGNAL; sig++)
		if (mask >> (sig - 1) & 1)
			sigaddset(set, sig);
}

/*
 * Read at offset with RWF_NOWAIT: 1 with *res set if every byte moved, else
 * 0 and the backend must do it (cache miss, short read, bad request).
 */
int aionl__nowait_read(int fd, const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
		       int64_t *res);

#endif /* AIONL_INTERNAL_H */
