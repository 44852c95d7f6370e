/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * The rules of the protocol that relate several values, written once and
 * compiled into the library, the userspace engine and the kernel module
 * alike. The range of each single attribute is the IDL's, checked by the
 * generated parsers and policies; what lives here is what one attribute's
 * range cannot say: a transfer against its file, a cancel against a request,
 * a signal set against the signals no one may catch, a siginfo against the
 * fields its kind defines.
 *
 * Freestanding: static inline functions over <linux/types.h> types, for the
 * kernel (__KERNEL__) and for userspace. Dual-licensed like the uapi header,
 * since the module is GPL and the library MIT.
 */
#ifndef AIONL_RULES_H
#define AIONL_RULES_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/signal.h>
#include <linux/stat.h>
#include <linux/types.h>
#include <linux/uio.h>
#else
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/types.h>
#endif
#include <linux/aionl.h>

#include "aionl-msg.h"

/* ------------------------------------------------------------ handles */

/*
 * A file handle is opaque to programs; both servers make it the same way: the
 * socket's random tag in the high 32 bits, so that another socket's handles
 * find nothing, then a generation, then the slot in the low bits, below
 * AIONL_MAX_FILES. The library's inline table indexes by the slot too.
 */
#define AIONL_HANDLE_SLOT_BITS 20
#define AIONL_HANDLE_GEN_MASK ((1U << (32 - AIONL_HANDLE_SLOT_BITS)) - 1)

_Static_assert(AIONL_MAX_FILES == 1U << AIONL_HANDLE_SLOT_BITS,
	       "a handle's slot bits must index AIONL_MAX_FILES files");

static inline __u64 aionl_handle_make(__u32 tag, __u32 gen, __u32 slot)
{
	return (__u64)tag << 32 | (__u64)(gen & AIONL_HANDLE_GEN_MASK) << AIONL_HANDLE_SLOT_BITS |
	       slot;
}

static inline __u32 aionl_handle_tag(__u64 handle)
{
	return (__u32)(handle >> 32);
}

static inline __u32 aionl_handle_gen(__u64 handle)
{
	return (__u32)(handle >> AIONL_HANDLE_SLOT_BITS) & AIONL_HANDLE_GEN_MASK;
}

static inline __u32 aionl_handle_slot(__u64 handle)
{
	return (__u32)handle & (AIONL_MAX_FILES - 1);
}

/* ------------------------------------------------------------ transfers */

/* What the transfer rules need to know of a registered file. */
struct aionl_file_caps {
	bool readable;
	bool writable;
	bool seekable;
	bool directory;	/* read(2) of one is -EISDIR, whatever the offset */
};

/* Offsets mean something on regular files and block devices only, as for pread(2). */
static inline bool aionl_mode_seekable(unsigned int mode)
{
	return S_ISREG(mode) || S_ISBLK(mode);
}

static inline bool aionl_op_writes(unsigned int op)
{
	return op == AIONL_CMD_WRITE || op == AIONL_CMD_WRITEV;
}

/* What aionl_rw_check() found a valid transfer to be. */
enum {
	AIONL_RW_AT_OFFSET = 0,	/* at its offset, in a regular file or block device */
	AIONL_RW_STREAM = 1,	/* on a pipe, socket or other stream, when it is ready */
};

/*
 * Check a transfer as rw_verify_area() and pread(2) would, in the order every
 * server reports its errors: the file's access mode (-EBADF), a directory
 * (-EISDIR), an offset on a stream (-ESPIPE), the buffers (-EINVAL: none, more than AIONL_MAX_IOV, or
 * more than AIONL_MAX_IO_LEN bytes), then the offset (-EINVAL: past
 * AIONL_MAX_OFFSET with the length, or AIONL_OFFSET_STREAM on a seekable
 * file). Returns AIONL_RW_AT_OFFSET or AIONL_RW_STREAM with *total set, or
 * the -errno the request completes with.
 */
static inline int aionl_rw_check(const struct aionl_file_caps *f, bool write, __u64 offset,
				 const struct iovec *iov, __u32 nr_iov, __u64 *total)
{
	bool stream = offset == AIONL_OFFSET_STREAM;
	__u64 sum = 0;
	__u32 i;

	if (write ? !f->writable : !f->readable)
		return -EBADF;
	if (f->directory)
		return -EISDIR;
	if (!f->seekable && !stream)
		return -ESPIPE;
	if (nr_iov == 0 || nr_iov > AIONL_MAX_IOV)
		return -EINVAL;
	/* Each length is at most AIONL_MAX_IO_LEN, so the sum cannot wrap. */
	for (i = 0; i < nr_iov; i++) {
		if (iov[i].iov_len > AIONL_MAX_IO_LEN)
			return -EINVAL;
		sum += iov[i].iov_len;
	}
	if (sum > AIONL_MAX_IO_LEN)
		return -EINVAL;
	*total = sum;
	if (stream)
		return f->seekable ? -EINVAL : AIONL_RW_STREAM;
	if (offset > AIONL_MAX_OFFSET || sum > AIONL_MAX_OFFSET - offset)
		return -EINVAL;
	return AIONL_RW_AT_OFFSET;
}

/* ------------------------------------------------------------ commands */

/* Bit n of GetInfoReply.commands stands for command n. */
#define AIONL_CMD_BIT(cmd) (1ULL << (cmd))

_Static_assert(AIONL_CMD_MAX < 64, "GetInfoReply.commands holds commands 0 to 63 only");

/*
 * What a program takes a server that sends no GetInfoReply.commands to
 * serve: the commands of the first servers of FAMILY_VERSION 2, without
 * OPEN, INSTALL and BIND (the IDL's enum Family says why).
 */
#define AIONL_CMDS_IMPLIED                                                            \
	(AIONL_CMD_BIT(AIONL_CMD_GET_INFO) | AIONL_CMD_BIT(AIONL_CMD_REGISTER) |      \
	 AIONL_CMD_BIT(AIONL_CMD_UNREGISTER) | AIONL_CMD_BIT(AIONL_CMD_READ) |        \
	 AIONL_CMD_BIT(AIONL_CMD_WRITE) | AIONL_CMD_BIT(AIONL_CMD_READV) |            \
	 AIONL_CMD_BIT(AIONL_CMD_WRITEV) | AIONL_CMD_BIT(AIONL_CMD_FSYNC) |           \
	 AIONL_CMD_BIT(AIONL_CMD_FDATASYNC) | AIONL_CMD_BIT(AIONL_CMD_NOP) |          \
	 AIONL_CMD_BIT(AIONL_CMD_TIMER) | AIONL_CMD_BIT(AIONL_CMD_TIMER_UPDATE) |     \
	 AIONL_CMD_BIT(AIONL_CMD_POLL) | AIONL_CMD_BIT(AIONL_CMD_SIGNAL) |            \
	 AIONL_CMD_BIT(AIONL_CMD_CANCEL))

/*
 * The extended-ACK message of the -EOPNOTSUPP that refuses a command the
 * server does not serve: the engine's for any, the module's for one its
 * hide_cmds parameter hides. (genetlink refuses a command the module has
 * no op for before the module sees it, with no message.)
 */
#define AIONL_MSG_CMD_UNSUPPORTED \
	"unsupported command: GET_INFO's commands lists those this server serves"

/* The extended-ACK message of a request whose req_flags the server does not honour. */
#define AIONL_MSG_REQ_FLAGS_UNSUPPORTED \
	"unsupported req_flags: GET_INFO's order_flags lists those this server honours"

/* ------------------------------------------------------------ storage */

/*
 * A range of a file, as a transfer's: offset and offset + len within
 * AIONL_MAX_OFFSET, where loff_t would wrap; else -EINVAL.
 */
static inline int aionl_range_check(__u64 offset, __u64 len)
{
	if (offset > AIONL_MAX_OFFSET || len > AIONL_MAX_OFFSET - offset)
		return -EINVAL;
	return 0;
}

/*
 * A FALLOCATE's range: the IDL bounds offset to AIONL_MAX_OFFSET and len to
 * 1..AIONL_MAX_OFFSET; together they must not pass AIONL_MAX_OFFSET either
 * (-EINVAL, checked after the handle). The mode goes to fallocate(2) as it
 * is: the combinations it refuses (FALLOC_PUNCH_HOLE without
 * FALLOC_KEEP_SIZE, with FALLOC_ZERO_RANGE) it refuses on both servers
 * alike, with -EOPNOTSUPP.
 */
static inline int aionl_fallocate_check(__u64 offset, __u64 len)
{
	return aionl_range_check(offset, len);
}

/*
 * A COPY's two ranges, checked after both handles: the IDL bounds each
 * offset to AIONL_MAX_OFFSET and len to 1..AIONL_MAX_IO_LEN, and neither
 * range may pass AIONL_MAX_OFFSET (-EINVAL). Everything else
 * copy_file_range(2) checks itself, on both servers alike: the files' types
 * and modes, the filesystems, an overlap within one file.
 */
static inline int aionl_copy_check(__u64 offset, __u64 dst_offset, __u64 len)
{
	int err = aionl_range_check(offset, len);

	return err ? err : aionl_range_check(dst_offset, len);
}

/*
 * A STATX's flags, before anything else is looked at, as statx(2) checks
 * them: a forced sync and none at once is -EINVAL.
 */
static inline int aionl_statx_check(__u32 flags)
{
	const __u32 sync = AIONL_STATX_FORCE_SYNC | AIONL_STATX_DONT_SYNC;

	return (flags & sync) == sync ? -EINVAL : 0;
}

/* ------------------------------------------------------------ admission */

/*
 * What a request adds to a socket, for max_inflight: work (a transfer, a NOP,
 * a watch, an OPEN) or only a reply (GET_INFO, REGISTER, UNREGISTER, CANCEL,
 * TIMER_UPDATE, INSTALL, BIND). Everything a socket holds counts against the limit: work
 * in progress, armed watches, and messages waiting to be sent. A request
 * that adds only a reply is refused (-EBUSY) only when work in progress and
 * messages waiting fill it, without the armed watches, so that a socket full
 * of watches can still cancel them.
 */
static inline bool aionl_cmd_adds_work(unsigned int cmd)
{
	switch (cmd) {
	case AIONL_CMD_GET_INFO:
	case AIONL_CMD_REGISTER:
	case AIONL_CMD_UNREGISTER:
	case AIONL_CMD_TIMER_UPDATE:
	case AIONL_CMD_CANCEL:
	case AIONL_CMD_INSTALL:
	case AIONL_CMD_BIND:
		return false;
	default:
		return true;
	}
}

static inline bool aionl_admit_full(bool adds_work, __u32 at_work, __u32 watches,
				    __u32 waiting, __u32 max_inflight)
{
	__u64 held = (__u64)at_work + waiting + (adds_work ? watches : 0);

	return held >= max_inflight;
}

/* ------------------------------------------------------------ ordering */

/*
 * The ReqFlag bits of a request message, read from its REQ_FLAGS attribute
 * (the same in every message that has one, idl/aionl.proto), for a server
 * that looks ahead in a datagram before it parses: 0 without one, or for
 * bytes too malformed to walk. The last occurrence counts, as a parse keeps.
 */
static inline __u32 aionl_msg_req_flags(const struct nlmsghdr *nlh)
{
	const char *p = (const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	__u32 flags = 0;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			return 0;
		if ((a->nla_type & NLA_TYPE_MASK) == AIONL_A_REQ_FLAGS)
			flags = a->nla_len == NLA_HDRLEN + sizeof(__u32) ?
				*(const __u32 *)(p + NLA_HDRLEN) : 0;
		p += NLA_ALIGN(a->nla_len);
	}
	return flags;
}

/*
 * Whether nlh, a message of family, is an orderable request carrying
 * REQ_LINK, as far as its bytes tell, parsed or not: a chain that reaches a
 * message goes on past it only if it does.
 */
static inline int aionl_msg_links(const struct nlmsghdr *nlh, __u16 family)
{
	if (nlh->nlmsg_type != family || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	if (!aionl_cmd_takes_req_flags(((const struct genlmsghdr *)
					((const char *)nlh + NLMSG_HDRLEN))->cmd))
		return 0;
	return (aionl_msg_req_flags(nlh) & AIONL_REQ_LINK) != 0;
}

/*
 * Whether nlh is the last message of the rem bytes of its datagram that
 * start with it: no other message header fits after it. REQ_LINK on it is
 * ignored (a chain never crosses datagrams), as io_uring ignores
 * IOSQE_IO_LINK on the last SQE of a submission.
 */
static inline bool aionl_msg_is_last(const struct nlmsghdr *nlh, __u32 rem)
{
	__u32 step = NLMSG_ALIGN(nlh->nlmsg_len);

	return step >= rem || rem - step < NLMSG_HDRLEN;
}

/*
 * How many messages the chain that starts at nlh spans in the rem bytes from
 * it: the run of messages with REQ_LINK and the one after the last of them,
 * for admission, which takes a chain whole. Messages are walked as the
 * server will walk them (a length that overruns ends the datagram).
 */
static inline unsigned int aionl_chain_span(const struct nlmsghdr *nlh, __u32 rem)
{
	unsigned int n = 1;

	while ((aionl_msg_req_flags(nlh) & AIONL_REQ_LINK) && !aionl_msg_is_last(nlh, rem)) {
		rem -= NLMSG_ALIGN(nlh->nlmsg_len);
		nlh = (const struct nlmsghdr *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem)
			break;
		n++;
	}
	return n;
}

/*
 * Whether an ordered request completed successfully, so that the next of its
 * chain may start: res >= 0 and, for a transfer or a COPY, every byte it
 * asked for (expect; 0 for the others). A short read, write or copy breaks a
 * chain, as in io_uring (whose splice does the same), since what follows may
 * depend on all of it.
 */
static inline bool aionl_order_ok(__s64 res, __u64 expect)
{
	return res >= 0 && (__u64)res >= expect;
}

/* ------------------------------------------------------------ cancellation */

/*
 * Whether a cancel of target with flags reaches a request of cookie on file
 * and file2 (NULL for requests without one, or with one: only a COPY has
 * two, and a cancel of either handle reaches it). tfile is the file a
 * AIONL_CANCEL_HANDLE target names; servers compare their own file objects.
 */
static inline bool aionl_cancel_matches(__u64 cookie, const void *file, const void *file2,
					__u64 target, const void *tfile, __u32 flags)
{
	if (flags & AIONL_CANCEL_ALL)
		return true;
	if (flags & AIONL_CANCEL_HANDLE)
		return tfile && (file == tfile || file2 == tfile);
	return cookie == target;
}

/* ------------------------------------------------------------ readiness */

/* A readiness watch always hears of errors and hang-ups, as poll(2)'s caller does. */
#define AIONL_POLL_ALWAYS (AIONL_POLL_ERR | AIONL_POLL_HUP)

/* ------------------------------------------------------------ timers */

/*
 * The index of a timer clock among AIONL_TIMER_CLOCK_VALUES, or -1. The
 * wire's clocks are Linux's clockid_t values, so a server that keeps one
 * structure per clock (the engine's timer heaps) indexes them by this.
 */
static inline int aionl_clock_index(__u32 clock)
{
	static const __u32 clocks[AIONL_TIMER_CLOCK_COUNT] = AIONL_TIMER_CLOCK_VALUES;
	int i;

	for (i = 0; i < AIONL_TIMER_CLOCK_COUNT; i++)
		if (clocks[i] == clock)
			return i;
	return -1;
}

/* ------------------------------------------------------------ signals */

/*
 * A signal watch's set may name signals 1 to 64 (the IDL keeps it non-empty)
 * but not SIGKILL or SIGSTOP, which no process can catch.
 */
static inline bool aionl_sigmask_watchable(__u64 mask)
{
	const __u64 uncatchable = 1ULL << (SIGKILL - 1) | 1ULL << (SIGSTOP - 1);

	return mask && !(mask & uncatchable);
}

/* A caught signal's siginfo, every field as the server has it. */
struct aionl_siginfo_raw {
	__u32 signo;
	__s32 code;
	__s32 errno_;
	__u32 pid;
	__u32 uid;
	__s32 status;
	__u64 value;
	__u64 addr;
	__s32 fd;
	__s64 band;
	__s32 overrun;
};

/*
 * Which fields a siginfo defines depends on how the signal was sent, as the
 * kernel's siginfo_layout() decides: a fault, a child's state change, I/O
 * readiness, a POSIX timer, a queued signal, or a plain kill.
 */
enum aionl_si_layout {
	AIONL_SIL_KILL,		/* pid, uid */
	AIONL_SIL_TIMER,	/* value, overrun */
	AIONL_SIL_POLL,		/* band, fd */
	AIONL_SIL_FAULT,	/* addr */
	AIONL_SIL_CHLD,		/* pid, uid, status */
	AIONL_SIL_RT,		/* pid, uid, value */
};

static inline enum aionl_si_layout aionl_si_layout(__u32 signo, __s32 code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		switch (signo) {
		case SIGILL:
		case SIGFPE:
		case SIGSEGV:
		case SIGBUS:
		case SIGTRAP:
			return AIONL_SIL_FAULT;
		case SIGCHLD:
			return AIONL_SIL_CHLD;
		case SIGPOLL:
			return AIONL_SIL_POLL;
		}
		return AIONL_SIL_KILL;
	}
	if (code == SI_TIMER)
		return AIONL_SIL_TIMER;
	if (code == SI_SIGIO)
		return AIONL_SIL_POLL;
	return code < 0 ? AIONL_SIL_RT : AIONL_SIL_KILL;
}

/*
 * Make c the completion of signal si for a watch: res is the signal number,
 * and the ssi_ attributes carry the fields si's layout defines, 0 for the
 * rest, so that both servers report one signal the same way.
 */
static inline void aionl_completion_set_signal(struct aionl_completion *c,
					       const struct aionl_siginfo_raw *si)
{
	enum aionl_si_layout l = aionl_si_layout(si->signo, si->code);
	bool ids = l == AIONL_SIL_KILL || l == AIONL_SIL_CHLD || l == AIONL_SIL_RT;

	c->present |= 1ULL << AIONL_A_COMPLETION_COOKIE | 1ULL << AIONL_A_COMPLETION_RES |
		      1ULL << AIONL_A_COMPLETION_FLAGS |
		      1ULL << AIONL_A_COMPLETION_SSI_SIGNO | 1ULL << AIONL_A_COMPLETION_SSI_CODE |
		      1ULL << AIONL_A_COMPLETION_SSI_PID | 1ULL << AIONL_A_COMPLETION_SSI_UID |
		      1ULL << AIONL_A_COMPLETION_SSI_STATUS | 1ULL << AIONL_A_COMPLETION_SSI_ERRNO |
		      1ULL << AIONL_A_COMPLETION_SSI_VALUE | 1ULL << AIONL_A_COMPLETION_SSI_ADDR |
		      1ULL << AIONL_A_COMPLETION_SSI_FD | 1ULL << AIONL_A_COMPLETION_SSI_BAND |
		      1ULL << AIONL_A_COMPLETION_SSI_OVERRUN;
	c->res = si->signo;
	c->flags = AIONL_CQE_F_SIGNAL | AIONL_CQE_F_MORE;
	c->ssi_signo = si->signo;
	c->ssi_code = si->code;
	c->ssi_errno = si->errno_;
	c->ssi_pid = ids ? si->pid : 0;
	c->ssi_uid = ids ? si->uid : 0;
	c->ssi_status = l == AIONL_SIL_CHLD ? si->status : 0;
	c->ssi_value = l == AIONL_SIL_TIMER || l == AIONL_SIL_RT ? si->value : 0;
	c->ssi_addr = l == AIONL_SIL_FAULT ? si->addr : 0;
	c->ssi_fd = l == AIONL_SIL_POLL ? si->fd : 0;
	c->ssi_band = l == AIONL_SIL_POLL ? si->band : 0;
	c->ssi_overrun = l == AIONL_SIL_TIMER ? si->overrun : 0;
}

#endif /* AIONL_RULES_H */
