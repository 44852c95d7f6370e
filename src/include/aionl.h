/* SPDX-License-Identifier: MIT */
/*
 * libaionl: asynchronous file I/O through one pollable socket.
 *
 * A context is one AIO socket. Register open files with it, submit batches of
 * requests that each carry a 64-bit cookie, and reap batches of completions.
 * The socket's descriptor (aionl_ctx_fd) becomes readable when completions
 * are waiting, so select(), poll(), epoll or any event loop can drive it.
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative errno on failure; aionl_error_message() then tells why in words.
 *
 * Threads: aionl_submit, aionl_reap, aionl_file_register,
 * aionl_file_unregister and aionl_ctx_info may be called concurrently from any
 * threads on one context. aionl_ctx_close must not race with any other call on
 * the same context.
 *
 * fork: a context belongs to the process that opened it. In a child of that
 * process the only call allowed on it is aionl_ctx_close, which releases the
 * child's copies of its descriptors and memory and sends, cancels and waits
 * for nothing, so the parent's context goes on untouched; every other call
 * fails with -ECHILD (the rule sd-event and sd-bus keep). A child that wants
 * asynchronous I/O opens its own context.
 */
#ifndef AIONL_H
#define AIONL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

/*
 * The wire protocol's own header, generated from idl/aionl.proto: the
 * constants of this API (AIONL_POLL_IN, AIONL_CQE_F_MORE, AIONL_OFFSET_STREAM,
 * the backends and executors...) are the protocol's values, as liburing's are
 * the kernel's.
 */
#include <linux/aionl.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIONL_VERSION_MAJOR 0
#define AIONL_VERSION_MINOR 4

struct aionl_ctx;
/* statx(2)'s, from <sys/stat.h> with _GNU_SOURCE (or <linux/stat.h>): only pointed at here. */
struct statx;

/*
 * enum aionl_backend, which implementation serves the socket:
 * AIONL_BACKEND_AUTO (kernel if loaded, else user; see the AIONL_BACKEND
 * environment variable), AIONL_BACKEND_KERNEL (the aionl.ko generic netlink
 * family) or AIONL_BACKEND_USER (the embedded engine thread).
 *
 * enum aionl_executor, what executes the I/O: AIONL_EXEC_AUTO (for the user
 * backend io_uring if usable, else threads; see AIONL_EXECUTOR),
 * AIONL_EXEC_URING and AIONL_EXEC_THREADS (the user engine's), or
 * AIONL_EXEC_KERNEL (the module itself, which aionl_ctx_info reports for the
 * kernel backend).
 */

/*
 * Parameters for aionl_ctx_open. Zero means the default for every field, so
 * a zeroed struct (or NULL) asks for defaults. AUTO backend and executor
 * consult the AIONL_BACKEND=auto|kernel|user and
 * AIONL_EXECUTOR=auto|uring|threads environment variables; an explicit value
 * here wins over them.
 */
struct aionl_params {
	enum aionl_backend backend;
	enum aionl_executor executor;
	/* Outstanding requests (submitted, not yet reaped); default 4096. */
	unsigned int max_inflight;
	/*
	 * Worker threads of the threads executor, at most; default 64. The
	 * pool keeps 4 (or workers, if fewer) and starts more while requests
	 * wait for a free one, so that as many blocking requests as are
	 * submitted run at once, up to workers; one past the 4 that has been
	 * idle for 2 s exits.
	 */
	unsigned int workers;
	/*
	 * Microseconds to busy-poll, at most, after activity, before sleeping:
	 * in the engine for new requests and in aionl_reap for completions,
	 * while at most 4 requests are outstanding (with more, one wake-up
	 * serves a batch, and the CPU is better left to the threads doing the
	 * I/O). It trades CPU for the wake-up latency between threads, and is
	 * adaptive: each spinner stops spinning once its spins stop being
	 * answered within it (a slow device; a worker that needed the CPU the
	 * spin took), and tries again now and then; none spins on a single
	 * CPU, and the engine, on two, spins only while nothing is at work in
	 * another thread. 0 means the default (50); a negative value never
	 * polls.
	 */
	int spin_us;
	/* AIONL_PARAMS_* bits. */
	unsigned int flags;
	/*
	 * Bind the context to one filesystem, the original design's "one AIO
	 * socket per mount point": a path on it (any file or directory; it is
	 * looked up once, at open), or NULL for an unbound context, which takes
	 * files of any filesystem. "Mount point" means the filesystem (st_dev):
	 * bind mounts of one filesystem are one pool. A bound context refuses a
	 * file of another filesystem with -EXDEV, from aionl_file_register and
	 * as the completion of an OPEN, and its I/O runs on execution resources
	 * of its own (its engine's workers, or on the kernel backend its own
	 * queue, AIONL_MAX_BOUND_IO_RUNNING requests at once), so that a hung
	 * filesystem holds only the contexts bound to it.
	 */
	const char *bind_path;
	/* With AIONL_PARAMS_BIND_FD, instead of bind_path: a descriptor on the filesystem (O_PATH will do). */
	int bind_fd;
	unsigned int reserved[3];
};

/*
 * Do not serve page-cache hits in the submitting thread. By default, on both
 * backends, aionl_submit reads what the page cache holds right away (a
 * non-blocking preadv2 into the caller's buffers) and queues the completion
 * for aionl_reap; the rest goes to the engine or the module. O_DIRECT files
 * never take this path.
 */
#define AIONL_PARAMS_NO_INLINE 1u
/*
 * Raise the process's soft RLIMIT_NOFILE to its hard limit when the context
 * opens. Every descriptor the library keeps for the program (a registered
 * file, the duplicates it needs) lives in a high range, at FD_SETSIZE (1024)
 * and up, so that the low numbers, and select(), stay the program's; with a
 * soft limit under 2048 the range starts at half the limit instead. The
 * library never changes the limit unless asked, since programs the process
 * execs inherit it.
 */
#define AIONL_PARAMS_RAISE_NOFILE 2u
/*
 * Bind to the filesystem of bind_fd rather than bind_path. Opening a path on
 * a hung filesystem blocks, as any open(2) would; a descriptor the program
 * already holds does not.
 */
#define AIONL_PARAMS_BIND_FD 4u
/*
 * Send every read and write through the socket. By default, on the user
 * backend, aionl_submit hands a read or write that would block (a buffered
 * write; on the threads executor, a read the page cache cannot serve)
 * straight to one of the engine's workers, which queues its completion for
 * aionl_reap: the engine thread is not woken for it. Requests ordered by
 * AIONL_REQ_LINK or AIONL_REQ_DRAIN, with a deadline, or on pipes and
 * sockets never take this path. Cancel, drains and close find such a
 * request as they find any other.
 */
#define AIONL_PARAMS_NO_DIRECT 8u

/* The opcodes of struct aionl_req: each is the number of its command on the wire. */
enum aionl_op {
	AIONL_OP_READ = AIONL_CMD_READ,
	AIONL_OP_WRITE = AIONL_CMD_WRITE,
	AIONL_OP_READV = AIONL_CMD_READV,
	AIONL_OP_WRITEV = AIONL_CMD_WRITEV,
	AIONL_OP_FSYNC = AIONL_CMD_FSYNC,
	AIONL_OP_FDATASYNC = AIONL_CMD_FDATASYNC,
	AIONL_OP_NOP = AIONL_CMD_NOP,			/* completes at once: a wake-up */
	AIONL_OP_TIMER = AIONL_CMD_TIMER,		/* arm a timer */
	AIONL_OP_TIMER_UPDATE = AIONL_CMD_TIMER_UPDATE,	/* re-arm the timer timer.target */
	AIONL_OP_POLL = AIONL_CMD_POLL,			/* readiness of a registered descriptor */
	AIONL_OP_SIGNAL = AIONL_CMD_SIGNAL,		/* catch a set of signals */
	AIONL_OP_CANCEL = AIONL_CMD_CANCEL,		/* cancel by cookie, by handle, or all */
	AIONL_OP_OPEN = AIONL_CMD_OPEN,			/* open and register a file (since 0.3) */
	AIONL_OP_FALLOCATE = AIONL_CMD_FALLOCATE,	/* fallocate(2) a range (since 0.4) */
	AIONL_OP_STATX = AIONL_CMD_STATX,		/* statx(2) a file or a path (since 0.4) */
	AIONL_OP_COPY = AIONL_CMD_COPY,			/* copy_file_range(2) between files (since 0.4) */
};

/*
 * From <linux/aionl.h>:
 *  - AIONL_OFFSET_STREAM, the offset of reads and writes on pipes, sockets and
 *    other streams;
 *  - timer.flags: AIONL_TIMER_ABS, value_ns is an absolute time on the clock;
 *  - poll.events, poll(2)'s bits: AIONL_POLL_IN, _OUT, _ERR, _HUP;
 *  - poll.flags: AIONL_POLL_MULTISHOT, complete at every readiness edge until
 *    cancelled;
 *  - cancel.flags: AIONL_CANCEL_HANDLE (target is a file handle) and
 *    AIONL_CANCEL_ALL (every request of the context);
 *  - the limits every server applies: AIONL_MAX_IO_LEN, AIONL_MAX_IOV,
 *    AIONL_MAX_NS for timers and deadlines, AIONL_MAX_FILES, AIONL_MAX_PATH
 *    and AIONL_MAX_OPENS_RUNNING for OPEN;
 *  - open.options: AIONL_OPEN_FD, give the program the descriptor too;
 *    AIONL_OPEN_FLAG_MASK, the open(2) flags an OPEN may pass;
 *  - fallocate.mode (since 0.4), fallocate(2)'s FALLOC_FL_ bits with their
 *    values: AIONL_FALLOC_KEEP_SIZE, AIONL_FALLOC_PUNCH_HOLE (with
 *    KEEP_SIZE), AIONL_FALLOC_ZERO_RANGE; AIONL_FALLOC_MODE_MASK;
 *  - statx.flags (since 0.4), statx(2)'s AT_ flags with their values:
 *    AIONL_STATX_SYMLINK_NOFOLLOW, _NO_AUTOMOUNT, _EMPTY_PATH, _FORCE_SYNC,
 *    _DONT_SYNC; statx.mask takes statx(2)'s STATX_ bits, any within
 *    AIONL_STATX_MASK_BITS.
 *  - struct aionl_req's flags (since 0.4), the ordering of requests:
 *    AIONL_REQ_LINK and AIONL_REQ_DRAIN, io_uring's IOSQE_IO_LINK and
 *    IOSQE_IO_DRAIN (aionl_req_set_flags(3)).
 */

/* aionl_req_open's and aionl_req_statx's dir for the working directory: no handle is ever 0. */
#define AIONL_AT_CWD 0

/*
 * The arguments of an OPEN (since 0.3): see aionl_req_open(3). The directory
 * a relative path starts from is the request's handle (AIONL_AT_CWD: the
 * working directory). path is copied at submission.
 */
struct aionl_open_args {
	const char *path;	/* at most AIONL_MAX_PATH bytes with its NUL */
	uint32_t flags;		/* open(2)'s: O_RDONLY, O_CREAT... within AIONL_OPEN_FLAG_MASK */
	uint32_t mode;		/* with O_CREAT or O_TMPFILE, before the umask; at most 07777 */
	uint32_t options;	/* AIONL_OPEN_FD */
};

/*
 * The arguments of a FALLOCATE (since 0.4): see aionl_req_fallocate(3). The
 * range is the request's offset and len.
 */
struct aionl_fallocate_args {
	uint32_t mode;		/* AIONL_FALLOC_*, or 0 */
	uint32_t reserved;
};

/*
 * The arguments of a STATX (since 0.4): see aionl_req_statx(3). The file, or
 * the directory a relative path starts from, is the request's handle
 * (AIONL_AT_CWD: the working directory); the struct statx it fills is buf.
 * path is copied at submission.
 */
struct aionl_statx_args {
	const char *path;	/* NULL: the file of handle itself; at most AIONL_MAX_PATH with its NUL */
	uint32_t flags;		/* AIONL_STATX_*: statx(2)'s AT_ flags */
	uint32_t mask;		/* statx(2)'s STATX_ bits: the fields wanted */
};

/*
 * The arguments of a COPY (since 0.4): see aionl_req_copy(3). The source is
 * the request's handle and offset, the length its len.
 */
struct aionl_copy_args {
	uint64_t dst_handle;	/* the destination, registered, open for writing */
	uint64_t dst_offset;	/* where the copy lands in it */
};

/*
 * The event arguments of struct aionl_req, named (since 0.3) so that binding
 * generators and FFIs (SWIG, ctypes, cffi) can name their types; the members
 * are the same as before, r->timer.value_ns and so on.
 */
struct aionl_timer_args {
	uint64_t value_ns;	/* delay, or absolute with AIONL_TIMER_ABS */
	uint64_t interval_ns;	/* period; 0: one-shot */
	uint32_t clock;		/* CLOCK_MONOTONIC, _REALTIME or _BOOTTIME */
	uint32_t flags;		/* AIONL_TIMER_ABS */
	uint64_t target;	/* TIMER_UPDATE: the cookie of the timer */
};

struct aionl_poll_args {
	uint32_t events;	/* AIONL_POLL_* */
	uint32_t flags;		/* AIONL_POLL_MULTISHOT */
};

struct aionl_cancel_args {
	uint64_t target;	/* cookie, or handle with AIONL_CANCEL_HANDLE */
	uint32_t flags;		/* AIONL_CANCEL_* */
};

/*
 * One request. Fill it with the aionl_req_* helpers below. Buffers (and for
 * READV/WRITEV the buffers the iovecs point at) must stay valid until the
 * request's completion is reaped; the iovec array itself is copied at submit.
 */
struct aionl_req {
	uint8_t op;		/* enum aionl_op */
	/* AIONL_REQ_LINK, AIONL_REQ_DRAIN (since 0.4): see aionl_req_set_flags. */
	uint8_t flags;
	uint8_t reserved0[2];
	uint32_t nr_iov;	/* READV/WRITEV: entries in iov */
	uint64_t handle;	/* from aionl_file_register */
	uint64_t offset;	/* or AIONL_OFFSET_STREAM; FALLOCATE: the range's start; COPY: the source's */
	union {
		void *buf;	/* STATX: its struct statx */
		const struct iovec *iov;
	};
	uint64_t len;		/* READ/WRITE: bytes at buf; FALLOCATE: the range's length; COPY: bytes */
	uint64_t cookie;	/* returned as is in the completion */
	/* READ..WRITEV: complete with -ETIMEDOUT if not done by then; 0: never. */
	uint64_t timeout_ns;
	union {
		struct aionl_timer_args timer;	/* TIMER, TIMER_UPDATE */
		struct aionl_poll_args poll;	/* POLL */
		uint64_t sigmask;		/* SIGNAL: bit n - 1: signal n */
		struct aionl_cancel_args cancel;	/* CANCEL */
		struct aionl_open_args open;	/* OPEN (since 0.3) */
		struct aionl_fallocate_args fallocate;	/* FALLOCATE (since 0.4) */
		struct aionl_statx_args statx;	/* STATX (since 0.4) */
		struct aionl_copy_args copy;	/* COPY (since 0.4) */
	};
};

/* What a signal completion says about the signal, as in siginfo_t. */
struct aionl_siginfo {
	int32_t signo;
	int32_t code;
	int32_t errno_;
	int32_t status;		/* SIGCHLD: exit status or signal */
	uint32_t pid;
	uint32_t uid;
	int32_t fd;		/* SIGIO */
	int32_t overrun;	/* POSIX timers */
	int64_t band;		/* SIGIO */
	uint64_t value;		/* sigqueue's sival_int or sival_ptr */
	uint64_t addr;		/* faulting address */
};

/*
 * What the completion of an OPEN that succeeded carries (since 0.3): the
 * handle of the file, registered, and with AIONL_CQE_F_FD its descriptor.
 */
struct aionl_cqe_open {
	uint64_t handle;
	/*
	 * With AIONL_CQE_F_FD: the program's own descriptor of the file, at
	 * aionl's high range, close-on-exec; the program closes it. Or a
	 * negative errno if it could not be given (-EMFILE: the descriptor
	 * table was full), the handle staying valid. Without the flag: -1.
	 */
	int32_t fd;
	uint32_t reserved;
};

/* One completion. */
struct aionl_cqe {
	uint64_t cookie;
	/*
	 * Bytes transferred, 0, or -errno. Timers: the expirations reported
	 * (at least 1). Polls: the ready AIONL_POLL_* events. Signals: signo.
	 * Cancel: the number of requests found.
	 */
	int64_t res;
	/*
	 * AIONL_CQE_F_REJECTED: refused by protocol validation, not by the I/O;
	 * AIONL_CQE_F_MORE: the request stays armed, more completions with this
	 * cookie will follow; AIONL_CQE_F_TIMER: a timer's completion (a slow
	 * reaper gets one, with res = expirations); AIONL_CQE_F_SIGNAL: a
	 * signal's completion, si holds its siginfo; AIONL_CQE_F_FD (since
	 * 0.3): an OPEN's completion whose open.fd is the descriptor asked for
	 * with AIONL_OPEN_FD.
	 */
	uint32_t flags;
	uint32_t reserved;
	union {
		struct aionl_siginfo si;	/* with AIONL_CQE_F_SIGNAL */
		struct aionl_cqe_open open;	/* an OPEN's, when res is 0 (since 0.3) */
	};
};

/* Limits and identity of an open context. */
struct aionl_info {
	enum aionl_backend backend;
	enum aionl_executor executor;	/* KERNEL for the kernel backend */
	unsigned int version;		/* protocol version */
	unsigned int max_inflight;
	unsigned int max_files;
	unsigned int max_iov;
	uint64_t max_io_len;
	unsigned int max_msg_size;
	unsigned int workers;
	char reason[256];		/* why this backend and executor were chosen */
};

/*
 * The request builders. C and C++ get them inline; the library also exports
 * each as a real symbol of the same name (since 0.3), for FFIs that call into
 * the shared library without a compiler (ctypes, cffi's ABI mode, Go's
 * purego...). AIONL_REQ_API is the linkage of the definitions below: static
 * inline unless defined before this header is included, which the library
 * does to compile the exported copies. Programs leave it alone.
 */
#ifndef AIONL_REQ_API
#define AIONL_REQ_API static inline
#endif

AIONL_REQ_API void aionl_req_read(struct aionl_req *r, uint64_t handle, void *buf,
				  size_t len, uint64_t offset, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_READ, .handle = handle, .offset = offset,
				 .buf = buf, .len = len, .cookie = cookie };
}

AIONL_REQ_API void aionl_req_write(struct aionl_req *r, uint64_t handle, const void *buf,
				   size_t len, uint64_t offset, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_WRITE, .handle = handle, .offset = offset,
				 .buf = (void *)buf, .len = len, .cookie = cookie };
}

AIONL_REQ_API void aionl_req_readv(struct aionl_req *r, uint64_t handle,
				   const struct iovec *iov, unsigned int nr_iov,
				   uint64_t offset, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_READV, .nr_iov = nr_iov, .handle = handle,
				 .offset = offset, .iov = iov, .cookie = cookie };
}

AIONL_REQ_API void aionl_req_writev(struct aionl_req *r, uint64_t handle,
				    const struct iovec *iov, unsigned int nr_iov,
				    uint64_t offset, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_WRITEV, .nr_iov = nr_iov, .handle = handle,
				 .offset = offset, .iov = iov, .cookie = cookie };
}

AIONL_REQ_API void aionl_req_fsync(struct aionl_req *r, uint64_t handle, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_FSYNC, .handle = handle, .cookie = cookie };
}

AIONL_REQ_API void aionl_req_fdatasync(struct aionl_req *r, uint64_t handle, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_FDATASYNC, .handle = handle, .cookie = cookie };
}

/*
 * Give a read or write a deadline: -ETIMEDOUT if not done in timeout_ns
 * after it starts (at submission, or for a request held by
 * aionl_req_set_flags' ordering, when its turn comes).
 */
AIONL_REQ_API void aionl_req_set_timeout(struct aionl_req *r, uint64_t timeout_ns)
{
	r->timeout_ns = timeout_ns;
}

/*
 * Order a request (since 0.4): flags is 0 or AIONL_REQ_LINK and
 * AIONL_REQ_DRAIN, io_uring's IOSQE_IO_LINK and IOSQE_IO_DRAIN. Transfers,
 * syncs, NOP, OPEN, FALLOCATE, STATX and COPY take them; aionl_submit
 * refuses them on any other op (-EINVAL), and any other bit.
 *
 * AIONL_REQ_LINK: the next request of the same aionl_submit call starts only
 * once this one completed successfully (res >= 0, and a transfer or a COPY
 * moved every byte it asked for); if it fails, the rest of the chain (up to and with the
 * first request without the flag) completes with -ECANCELED, each once,
 * none started. The flag on the last request of a call is ignored. A chain
 * is accepted whole or not at all: aionl_submit never splits one, and
 * refuses (-EINVAL) one holding a request the server would refuse, one that
 * links to a request that takes no flags, one longer than max_inflight.
 *
 * AIONL_REQ_DRAIN: the request starts only once every transfer, sync, NOP,
 * OPEN, FALLOCATE and STATX submitted before it on the context has completed,
 * and those submitted after it start only once it has completed; a NOP
 * without flags outside a chain (aionl_wake) is neither held nor waited for.
 *
 * Ordered requests, and requests behind a drain, are never served from the
 * page cache in aionl_submit. A deadline (aionl_req_set_timeout) runs from
 * the request's start. See aionl_req_set_flags(3).
 */
AIONL_REQ_API void aionl_req_set_flags(struct aionl_req *r, uint32_t flags)
{
	/* A value r->flags cannot hold becomes every bit, which aionl_submit refuses (-EINVAL). */
	r->flags = flags > 0xff ? 0xff : (uint8_t)flags;
}

AIONL_REQ_API void aionl_req_nop(struct aionl_req *r, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_NOP, .cookie = cookie };
}

/*
 * A timer on clock (CLOCK_MONOTONIC, CLOCK_REALTIME or CLOCK_BOOTTIME): first
 * in value_ns (or at value_ns with AIONL_TIMER_ABS), then every interval_ns if
 * that is not 0. Each completion's res counts the expirations it reports.
 */
AIONL_REQ_API void aionl_req_timer(struct aionl_req *r, int clock, uint64_t value_ns,
				   uint64_t interval_ns, uint32_t flags, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_TIMER, .cookie = cookie };
	r->timer.value_ns = value_ns;
	r->timer.interval_ns = interval_ns;
	r->timer.clock = (uint32_t)clock;
	r->timer.flags = flags;
}

/* Re-arm the timer whose cookie is target; it keeps its clock. */
AIONL_REQ_API void aionl_req_timer_update(struct aionl_req *r, uint64_t target, uint64_t value_ns,
					  uint64_t interval_ns, uint32_t flags, uint64_t cookie)
{
	aionl_req_timer(r, 0, value_ns, interval_ns, flags, cookie);
	r->op = AIONL_OP_TIMER_UPDATE;
	r->timer.target = target;
}

/* Readiness of a registered descriptor: once, or with AIONL_POLL_MULTISHOT at every edge. */
AIONL_REQ_API void aionl_req_poll(struct aionl_req *r, uint64_t handle, uint32_t events,
				  uint32_t flags, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_POLL, .handle = handle, .cookie = cookie };
	r->poll.events = events;
	r->poll.flags = flags;
}

/* Catch the signals of set until cancelled; see aionl_req_signal(3). */
AIONL_REQ_API void aionl_req_signal(struct aionl_req *r, const sigset_t *set, uint64_t cookie)
{
	int sig;

	*r = (struct aionl_req){ .op = AIONL_OP_SIGNAL, .cookie = cookie };
	for (sig = 1; sig <= (int)AIONL_MAX_SIGNAL; sig++)
		if (sigismember(set, sig) == 1)
			r->sigmask |= 1ULL << (sig - 1);
}

/* Cancel the requests whose cookie is target (or, with AIONL_CANCEL_HANDLE, on that file). */
AIONL_REQ_API void aionl_req_cancel(struct aionl_req *r, uint64_t target, uint32_t flags,
				    uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_CANCEL, .cookie = cookie };
	r->cancel.target = target;
	r->cancel.flags = flags;
}

/*
 * Open path as openat(2) would, relative to the registered directory dir
 * (AIONL_AT_CWD: the working directory), with the caller's credentials and
 * umask, in the engine or the module: a hung filesystem holds the request,
 * never the caller. Completes with res 0 and cqe.open.handle, the new file
 * registered with the context; or -errno. options AIONL_OPEN_FD also gives
 * the program its descriptor (AIONL_CQE_F_FD, cqe.open.fd). See
 * aionl_req_open(3).
 */
AIONL_REQ_API void aionl_req_open(struct aionl_req *r, uint64_t dir, const char *path, int flags,
				  uint32_t mode, uint32_t options, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_OPEN, .handle = dir, .cookie = cookie };
	r->open.path = path;
	r->open.flags = (uint32_t)flags;
	r->open.mode = mode;
	r->open.options = options;
}

/*
 * Allocate, deallocate or zero the len bytes of a registered file at offset,
 * as fallocate(2) would with mode (0, or AIONL_FALLOC_KEEP_SIZE,
 * AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE, AIONL_FALLOC_ZERO_RANGE),
 * in the engine or the module as the caller: a slow filesystem holds the
 * request, never the caller. Completes with 0, or -EINVAL when offset + len
 * passes AIONL_MAX_OFFSET, or fallocate(2)'s -errno (-EOPNOTSUPP for a mode
 * the filesystem lacks, -EFBIG past RLIMIT_FSIZE...). See
 * aionl_req_fallocate(3). Since 0.4.
 */
AIONL_REQ_API void aionl_req_fallocate(struct aionl_req *r, uint64_t handle, uint32_t mode,
				       uint64_t offset, uint64_t len, uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_FALLOCATE, .handle = handle, .offset = offset,
				 .len = len, .cookie = cookie };
	r->fallocate.mode = mode;
}

/*
 * Fill *buf as statx(2) would, with flags (AIONL_STATX_*, statx(2)'s AT_
 * flags) and mask (statx(2)'s STATX_ bits): of the registered file handle
 * when path is NULL, else of path, resolved from the registered directory
 * handle (AIONL_AT_CWD: the working directory) with the caller's
 * credentials, in the engine or the module. *buf must stay valid until the
 * completion is reaped. Completes with 0 (stx_mask says what was filled) or
 * statx(2)'s -errno. See aionl_req_statx(3). Since 0.4.
 */
AIONL_REQ_API void aionl_req_statx(struct aionl_req *r, uint64_t handle, const char *path,
				   uint32_t flags, uint32_t mask, struct statx *buf,
				   uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_STATX, .handle = handle, .buf = buf,
				 .cookie = cookie };
	r->statx.path = path;
	r->statx.flags = flags;
	r->statx.mask = mask;
}

/*
 * Copy len bytes of the registered file src_handle at src_off into the
 * registered file dst_handle at dst_off, as copy_file_range(2) would with
 * both offsets given (neither file's position moves), in the engine or the
 * module as the caller: the filesystem may share the blocks or copy on its
 * server, and a slow one holds the request, never the caller. Completes
 * with the bytes copied, which may be fewer than len (0 at or past the
 * source's end), or copy_file_range(2)'s -errno: -EBADF for an unknown
 * handle, a source not open for reading, a destination not open for
 * writing or open with O_APPEND; -EINVAL for overlapping ranges of one
 * file, a file that is not a regular file, or a range past
 * AIONL_MAX_OFFSET; -EXDEV for files of two filesystems the kernel does not
 * copy between; -EFBIG past RLIMIT_FSIZE... len is 1 to AIONL_MAX_IO_LEN.
 * See aionl_req_copy(3). Since 0.4.
 */
AIONL_REQ_API void aionl_req_copy(struct aionl_req *r, uint64_t src_handle, uint64_t src_off,
				  uint64_t dst_handle, uint64_t dst_off, uint64_t len,
				  uint64_t cookie)
{
	*r = (struct aionl_req){ .op = AIONL_OP_COPY, .handle = src_handle, .offset = src_off,
				 .len = len, .cookie = cookie };
	r->copy.dst_handle = dst_handle;
	r->copy.dst_offset = dst_off;
}

/*
 * Open a context. params may be NULL for defaults. On success *ctxp owns the
 * socket (and, on the user backend, the engine thread); free it with
 * aionl_ctx_close.
 * Errors: -EINVAL bad params or environment value; -ENOENT backend "kernel"
 * asked for but the aionl family is not registered; -ENOSYS/-EPERM executor
 * "uring" asked for but io_uring is unavailable; -ENOMEM; -EPROTO the engine
 * speaks another protocol version; other -errno from socket setup.
 */
int aionl_ctx_open(struct aionl_ctx **ctxp, const struct aionl_params *params);

/*
 * Close a context. Waits for I/O in flight to finish (the buffers it uses may
 * be freed afterwards), drops every registered file and frees everything.
 * Completions not yet reaped are discarded. NULL is a no-op. In a child
 * process (see fork above) it only releases the child's copies.
 */
void aionl_ctx_close(struct aionl_ctx *ctx);

/*
 * The pollable descriptor: readable when a completion is waiting. After a
 * blocking aionl_reap it may stay readable with nothing waiting; the next
 * non-blocking reap (min_nr 0 or a zero timeout) returns 0 and clears it.
 * Owned by the context; do not close it or read from it. Raw protocol messages may
 * be sent to it with send(2), which is how the conformance tests speak bytes.
 * Errors: -EINVAL ctx is NULL; -ECHILD called in a child after fork.
 */
int aionl_ctx_fd(const struct aionl_ctx *ctx);

/*
 * Fill *info with the context's backend, executor and limits. Returns 0, or
 * -EINVAL for a NULL argument, -ECHILD in a child after fork.
 */
int aionl_ctx_info(struct aionl_ctx *ctx, struct aionl_info *info);

/*
 * Register open file descriptor fd; *handle receives an opaque handle valid
 * only on this context. The context keeps its own reference: fd may be closed
 * right after. A signal handler does not interrupt it (nor unregister, nor
 * opening): it never fails with -EINTR. Errors: -EBADF fd is not open;
 * -EMFILE too many files registered; -ENOMEM.
 */
int aionl_file_register(struct aionl_ctx *ctx, int fd, uint64_t *handle);

/*
 * Unregister a handle. I/O in flight on it still completes; later requests
 * naming it complete with -EBADF. Errors: -EBADF unknown handle.
 */
int aionl_file_unregister(struct aionl_ctx *ctx, uint64_t handle);

/*
 * A descriptor of the registered file handle for the program (since 0.3):
 * returns it, at aionl's high range and close-on-exec unless flags has
 * AIONL_INSTALL_NO_CLOEXEC; the program owns it, and the handle stays
 * registered. The kernel module installs it in the caller's context, as
 * io_uring's FIXED_FD_INSTALL does; the engine sends it over SCM_RIGHTS.
 * Errors: -EBADF unknown handle; -EINVAL unknown flags; -EMFILE the
 * descriptor table is full.
 */
int aionl_file_install(struct aionl_ctx *ctx, uint64_t handle, unsigned int flags);

/*
 * Submit nr requests in as few messages as fit. Returns how many were
 * accepted, from the first; each accepted request completes exactly once
 * (with -errno in the completion for a bad handle, offset or length).
 * A chain of AIONL_REQ_LINK requests travels in one message and is accepted
 * whole or not at all: when the count stops short, it stops before a chain.
 * Errors, when none was accepted: -EBUSY max_inflight requests are
 * outstanding, so reap first (or the first chain needs more credits than
 * are free); -EINVAL unknown op, nr_iov over max_iov, flags on a request
 * that takes none, or a chain too long for one message; -EOPNOTSUPP a flag
 * the server does not honour (aionl_ctx_req_flags), or a chain holding a
 * request the server does not serve; -EAGAIN the
 * engine's socket is full; -EPIPE the engine is gone.
 */
int aionl_submit(struct aionl_ctx *ctx, const struct aionl_req *reqs, unsigned int nr);

/*
 * Reap up to max completions into cqes, waiting until at least min_nr are
 * available or timeout (relative) has passed. timeout NULL waits without
 * limit; a zero timeout never blocks. Returns the number reaped, which is
 * below min_nr only on timeout. Errors: -EINVAL min_nr > max; -EINTR
 * interrupted by a signal before anything was reaped; -EPIPE engine gone.
 */
int aionl_reap(struct aionl_ctx *ctx, struct aionl_cqe *cqes, unsigned int max,
	       unsigned int min_nr, const struct timespec *timeout);

/*
 * Post cookie to the context from any thread: it comes back as a completion
 * with res 0 and wakes a thread blocked in aionl_reap or in poll() on the
 * descriptor. Same errors as aionl_submit.
 */
int aionl_wake(struct aionl_ctx *ctx, uint64_t cookie);

/*
 * A description of why the last failed aionl_ call in this thread failed,
 * naming what was at fault. Valid until the next aionl_ call in this thread.
 * Never NULL.
 */
const char *aionl_error_message(void);

/* Names for printing: "kernel"/"user", "uring"/"threads". */
const char *aionl_backend_name(enum aionl_backend backend);
const char *aionl_executor_name(enum aionl_executor executor);

/*
 * Probe whether a backend/executor pair could be opened here, without keeping
 * anything open. Returns 0 if so, or the -errno aionl_ctx_open would return,
 * with aionl_error_message() saying why.
 */
int aionl_probe(enum aionl_backend backend, enum aionl_executor executor);

/*
 * Whether op may be used on ctx (since 0.4): 1 if both this library and the
 * server of ctx serve it, 0 if not, as liburing's io_uring_opcode_supported
 * answers for the kernel. op is an enum aionl_op, or any command of
 * <linux/aionl.h> a program sends (AIONL_CMD_INSTALL, AIONL_CMD_BIND...): the
 * ops are their numbers. The library and aionl.ko are built and upgraded
 * apart; the server says what it serves in GET_INFO's reply, read once when
 * the context opens. A server too old to say is taken to serve the commands
 * of its first version only, without AIONL_OP_OPEN, INSTALL and BIND
 * (docs/protocol.md, "Versions and additions"). A request whose op the
 * server does not serve is accepted by aionl_submit and completes with
 * -EOPNOTSUPP and AIONL_CQE_F_REJECTED without being sent, as a server's
 * refusal would; aionl_file_install and a bound aionl_ctx_open fail with
 * -EOPNOTSUPP. Numbers no command has (and AIONL_CMD_COMPLETION, which only
 * servers send) answer 0. Errors: -EINVAL ctx is NULL; -ECHILD called in a
 * child after fork.
 */
int aionl_ctx_supports(struct aionl_ctx *ctx, unsigned int op);

/*
 * aionl_ctx_supports without a context of one's own (since 0.4): opens one
 * with backend and executor as aionl_probe does, asks, and closes it.
 * Returns 1 or 0, or the -errno aionl_ctx_open would return, with
 * aionl_error_message() saying why.
 */
int aionl_probe_op(enum aionl_backend backend, enum aionl_executor executor, unsigned int op);

/*
 * The ordering flags (AIONL_REQ_LINK, AIONL_REQ_DRAIN) ctx's server honours
 * (since 0.4), as its GET_INFO reply said when the context opened: 0 from a
 * server that predates ordering. aionl_submit refuses a request carrying
 * another with -EOPNOTSUPP. Errors: -EINVAL ctx is NULL; -ECHILD called in
 * a child after fork.
 */
int aionl_ctx_req_flags(struct aionl_ctx *ctx);

/*
 * The name of command cmd of <linux/aionl.h> (since 0.4): the protocol's,
 * without CMD_ and in lower case ("read", "timer_update", "get_info"), so
 * also of op cmd of enum aionl_op; NULL for a number this library knows no
 * command of (a newer server's, say). The string is static.
 */
const char *aionl_cmd_name(unsigned int cmd);

#ifdef __cplusplus
}
#endif

#endif /* AIONL_H */
