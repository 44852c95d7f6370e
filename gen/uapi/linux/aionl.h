/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#ifndef _UAPI_LINUX_AIONL_H
#define _UAPI_LINUX_AIONL_H

#define AIONL_FAMILY_NAME	"aionl"
#define AIONL_FAMILY_VERSION	2

/* The protocol's limits and special values. */
/* The offset of a transfer on a pipe, socket or other stream: it waits until the file is ready, and moves what it can. */
#define AIONL_OFFSET_STREAM 0xffffffffffffffffULL
/* Largest byte offset a transfer may reach, with its length: loff_t's range. */
#define AIONL_MAX_OFFSET 0x7fffffffffffffffULL
/* Largest length of one transfer, in bytes: the kernel's MAX_RW_COUNT, INT_MAX rounded down to a page. */
#define AIONL_MAX_IO_LEN 0x7ffff000ULL
/* Most buffers in one READV or WRITEV: the kernel's UIO_MAXIOV. */
#define AIONL_MAX_IOV 1024U
/* Most files registered with one socket at once. */
#define AIONL_MAX_FILES 0x100000U
/* Largest datagram a server sends: a receive buffer this large holds any. */
#define AIONL_MAX_MSG_SIZE 0x10000U
/* Largest number of nanoseconds in a timer or a deadline: what the kernel's ktime_t holds, about 292 years. */
#define AIONL_MAX_NS 0x7fffffffffffffffULL
/* The highest signal a watch may name: bit n - 1 of a set stands for signal n. */
#define AIONL_MAX_SIGNAL 64U
/* Longest path an OPEN may name, in bytes with its terminating NUL: PATH_MAX. */
#define AIONL_MAX_PATH 4096U
/* Most OPENs of one socket that run at once (fewer where the threads executor has fewer workers free): the others wait, in order, and a cancel ends a waiting one with -ECANCELED. */
#define AIONL_MAX_OPENS_RUNNING 16U
/* Most file requests (transfers, syncs) of a bound socket (CMD_BIND) that the kernel module runs at once, on a queue of the socket's own; the rest wait in order. The userspace engine runs each socket's on its own io_uring or workers anyway. */
#define AIONL_MAX_BOUND_IO_RUNNING 32U
/* The bits a STATX may ask for in its mask: statx(2)'s STATX_ values, those of kernels to come too, which a server that lacks them leaves out of stx_mask as statx(2) does; all but STATX__RESERVED (bit 31), which statx(2) refuses. */
#define AIONL_STATX_MASK_BITS 0x7fffffffU

/* Every request that completes through a Completion carries its cookie here. */
#define AIONL_A_COOKIE 1
/* A request that can be ordered carries its ReqFlag bits here. */
#define AIONL_A_REQ_FLAGS 16

enum aionl_cmd {
	AIONL_CMD_UNSPEC,
	AIONL_CMD_GET_INFO = 1,
	AIONL_CMD_REGISTER = 2,
	AIONL_CMD_UNREGISTER = 3,
	AIONL_CMD_READ = 4,
	AIONL_CMD_WRITE = 5,
	AIONL_CMD_READV = 6,
	AIONL_CMD_WRITEV = 7,
	AIONL_CMD_FSYNC = 8,
	AIONL_CMD_FDATASYNC = 9,
	AIONL_CMD_COMPLETION = 10,
	AIONL_CMD_NOP = 11,
	AIONL_CMD_TIMER = 12,
	AIONL_CMD_TIMER_UPDATE = 13,
	AIONL_CMD_POLL = 14,
	AIONL_CMD_SIGNAL = 15,
	AIONL_CMD_CANCEL = 16,
	AIONL_CMD_OPEN = 17,
	AIONL_CMD_INSTALL = 18,
	AIONL_CMD_BIND = 19,
	AIONL_CMD_FALLOCATE = 22,
	AIONL_CMD_STATX = 23,
	AIONL_CMD_COPY = 24,

	__AIONL_CMD_MAX,
	AIONL_CMD_MAX = (__AIONL_CMD_MAX - 1)
};

enum aionl_cqe_flag {
	AIONL_CQE_F_REJECTED = 1,
	AIONL_CQE_F_MORE = 2,
	AIONL_CQE_F_TIMER = 4,
	AIONL_CQE_F_SIGNAL = 8,
	AIONL_CQE_F_FD = 16,
};
#define AIONL_CQE_FLAG_MASK 0x1fU

enum aionl_timer_clock {
	AIONL_TIMER_CLOCK_REALTIME = 0,
	AIONL_TIMER_CLOCK_MONOTONIC = 1,
	AIONL_TIMER_CLOCK_BOOTTIME = 7,
};

enum aionl_timer_flag {
	AIONL_TIMER_ABS = 1,
};
#define AIONL_TIMER_FLAG_MASK 0x1U

enum aionl_poll_event {
	AIONL_POLL_IN = 1,
	AIONL_POLL_OUT = 4,
	AIONL_POLL_ERR = 8,
	AIONL_POLL_HUP = 16,
};
#define AIONL_POLL_EVENT_MASK 0x1dU

enum aionl_poll_flag {
	AIONL_POLL_MULTISHOT = 1,
};
#define AIONL_POLL_FLAG_MASK 0x1U

enum aionl_cancel_flag {
	AIONL_CANCEL_HANDLE = 1,
	AIONL_CANCEL_ALL = 2,
};
#define AIONL_CANCEL_FLAG_MASK 0x3U

enum aionl_req_flag {
	AIONL_REQ_LINK = 1,
	AIONL_REQ_DRAIN = 2,
};
#define AIONL_REQ_FLAG_MASK 0x3U

enum aionl_open_flag {
	AIONL_OPEN_RDONLY = 0,
	AIONL_OPEN_WRONLY = 1,
	AIONL_OPEN_RDWR = 2,
	AIONL_OPEN_CREAT = 64,
	AIONL_OPEN_EXCL = 128,
	AIONL_OPEN_NOCTTY = 256,
	AIONL_OPEN_TRUNC = 512,
	AIONL_OPEN_APPEND = 1024,
	AIONL_OPEN_NONBLOCK = 2048,
	AIONL_OPEN_DSYNC = 4096,
	AIONL_OPEN_DIRECT = 16384,
	AIONL_OPEN_LARGEFILE = 32768,
	AIONL_OPEN_DIRECTORY = 65536,
	AIONL_OPEN_NOFOLLOW = 131072,
	AIONL_OPEN_NOATIME = 262144,
	AIONL_OPEN_CLOEXEC = 524288,
	AIONL_OPEN_SYNC_BIT = 1048576,
	AIONL_OPEN_PATH = 2097152,
	AIONL_OPEN_TMPFILE_BIT = 4194304,
};
#define AIONL_OPEN_FLAG_MASK 0x7fdfc3U

enum aionl_open_option {
	AIONL_OPEN_FD = 1,
};
#define AIONL_OPEN_OPTION_MASK 0x1U

enum aionl_install_flag {
	AIONL_INSTALL_NO_CLOEXEC = 1,
};
#define AIONL_INSTALL_FLAG_MASK 0x1U

enum aionl_falloc_mode {
	AIONL_FALLOC_KEEP_SIZE = 1,
	AIONL_FALLOC_PUNCH_HOLE = 2,
	AIONL_FALLOC_ZERO_RANGE = 16,
};
#define AIONL_FALLOC_MODE_MASK 0x13U

enum aionl_statx_flag {
	AIONL_STATX_SYMLINK_NOFOLLOW = 256,
	AIONL_STATX_NO_AUTOMOUNT = 2048,
	AIONL_STATX_EMPTY_PATH = 4096,
	AIONL_STATX_FORCE_SYNC = 8192,
	AIONL_STATX_DONT_SYNC = 16384,
};
#define AIONL_STATX_FLAG_MASK 0x7900U

enum aionl_backend {
	AIONL_BACKEND_AUTO = 0,
	AIONL_BACKEND_KERNEL = 1,
	AIONL_BACKEND_USER = 2,
};

enum aionl_executor {
	AIONL_EXEC_AUTO = 0,
	AIONL_EXEC_KERNEL = 1,
	AIONL_EXEC_URING = 2,
	AIONL_EXEC_THREADS = 3,
};

/* Attributes of message GetInfo (AIONL_CMD_GET_INFO request). */
enum {
	AIONL_A_GET_INFO_UNSPEC,

	__AIONL_A_GET_INFO_MAX,
	AIONL_A_GET_INFO_MAX = (__AIONL_A_GET_INFO_MAX - 1)
};

/* Attributes of message GetInfoReply (AIONL_CMD_GET_INFO reply). */
enum {
	AIONL_A_GET_INFO_REPLY_UNSPEC,
	AIONL_A_GET_INFO_REPLY_VERSION = 1,
	AIONL_A_GET_INFO_REPLY_BACKEND = 2,
	AIONL_A_GET_INFO_REPLY_EXECUTOR = 3,
	AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT = 4,
	AIONL_A_GET_INFO_REPLY_MAX_FILES = 5,
	AIONL_A_GET_INFO_REPLY_MAX_IO_LEN = 6,
	AIONL_A_GET_INFO_REPLY_MAX_IOV = 7,
	AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE = 8,
	AIONL_A_GET_INFO_REPLY_WORKERS = 9,
	AIONL_A_GET_INFO_REPLY_COMMANDS = 10,
	AIONL_A_GET_INFO_REPLY_ORDER_FLAGS = 11,

	__AIONL_A_GET_INFO_REPLY_MAX,
	AIONL_A_GET_INFO_REPLY_MAX = (__AIONL_A_GET_INFO_REPLY_MAX - 1)
};

/* Attributes of message Register (AIONL_CMD_REGISTER request). */
enum {
	AIONL_A_REGISTER_UNSPEC,
	AIONL_A_REGISTER_FD = 1,

	__AIONL_A_REGISTER_MAX,
	AIONL_A_REGISTER_MAX = (__AIONL_A_REGISTER_MAX - 1)
};

/* Attributes of message RegisterReply (AIONL_CMD_REGISTER reply). */
enum {
	AIONL_A_REGISTER_REPLY_UNSPEC,
	AIONL_A_REGISTER_REPLY_RES = 1,
	AIONL_A_REGISTER_REPLY_HANDLE = 2,

	__AIONL_A_REGISTER_REPLY_MAX,
	AIONL_A_REGISTER_REPLY_MAX = (__AIONL_A_REGISTER_REPLY_MAX - 1)
};

/* Attributes of message Unregister (AIONL_CMD_UNREGISTER request). */
enum {
	AIONL_A_UNREGISTER_UNSPEC,
	AIONL_A_UNREGISTER_HANDLE = 1,

	__AIONL_A_UNREGISTER_MAX,
	AIONL_A_UNREGISTER_MAX = (__AIONL_A_UNREGISTER_MAX - 1)
};

/* Attributes of message UnregisterReply (AIONL_CMD_UNREGISTER reply). */
enum {
	AIONL_A_UNREGISTER_REPLY_UNSPEC,
	AIONL_A_UNREGISTER_REPLY_RES = 1,

	__AIONL_A_UNREGISTER_REPLY_MAX,
	AIONL_A_UNREGISTER_REPLY_MAX = (__AIONL_A_UNREGISTER_REPLY_MAX - 1)
};

/* Attributes of message Transfer (AIONL_CMD_READ, AIONL_CMD_WRITE request). */
enum {
	AIONL_A_TRANSFER_UNSPEC,
	AIONL_A_TRANSFER_COOKIE = 1,
	AIONL_A_TRANSFER_HANDLE = 2,
	AIONL_A_TRANSFER_OFFSET = 3,
	AIONL_A_TRANSFER_ADDR = 4,
	AIONL_A_TRANSFER_LEN = 5,
	AIONL_A_TRANSFER_TIMEOUT_NS = 6,
	AIONL_A_TRANSFER_REQ_FLAGS = 16,

	__AIONL_A_TRANSFER_MAX,
	AIONL_A_TRANSFER_MAX = (__AIONL_A_TRANSFER_MAX - 1)
};

/* Attributes of message TransferV (AIONL_CMD_READV, AIONL_CMD_WRITEV request). */
enum {
	AIONL_A_TRANSFER_V_UNSPEC,
	AIONL_A_TRANSFER_V_COOKIE = 1,
	AIONL_A_TRANSFER_V_HANDLE = 2,
	AIONL_A_TRANSFER_V_OFFSET = 3,
	AIONL_A_TRANSFER_V_IOV = 4,
	AIONL_A_TRANSFER_V_TIMEOUT_NS = 6,
	AIONL_A_TRANSFER_V_REQ_FLAGS = 16,

	__AIONL_A_TRANSFER_V_MAX,
	AIONL_A_TRANSFER_V_MAX = (__AIONL_A_TRANSFER_V_MAX - 1)
};

/* Attributes of message Sync (AIONL_CMD_FSYNC, AIONL_CMD_FDATASYNC request). */
enum {
	AIONL_A_SYNC_UNSPEC,
	AIONL_A_SYNC_COOKIE = 1,
	AIONL_A_SYNC_HANDLE = 2,
	AIONL_A_SYNC_REQ_FLAGS = 16,

	__AIONL_A_SYNC_MAX,
	AIONL_A_SYNC_MAX = (__AIONL_A_SYNC_MAX - 1)
};

/* Attributes of message Completion (AIONL_CMD_COMPLETION notify). */
enum {
	AIONL_A_COMPLETION_UNSPEC,
	AIONL_A_COMPLETION_COOKIE = 1,
	AIONL_A_COMPLETION_RES = 2,
	AIONL_A_COMPLETION_FLAGS = 3,
	AIONL_A_COMPLETION_SSI_SIGNO = 4,
	AIONL_A_COMPLETION_SSI_CODE = 5,
	AIONL_A_COMPLETION_SSI_PID = 6,
	AIONL_A_COMPLETION_SSI_UID = 7,
	AIONL_A_COMPLETION_SSI_STATUS = 8,
	AIONL_A_COMPLETION_SSI_ERRNO = 9,
	AIONL_A_COMPLETION_SSI_VALUE = 10,
	AIONL_A_COMPLETION_SSI_ADDR = 11,
	AIONL_A_COMPLETION_SSI_FD = 12,
	AIONL_A_COMPLETION_SSI_BAND = 13,
	AIONL_A_COMPLETION_SSI_OVERRUN = 14,
	AIONL_A_COMPLETION_HANDLE = 15,

	__AIONL_A_COMPLETION_MAX,
	AIONL_A_COMPLETION_MAX = (__AIONL_A_COMPLETION_MAX - 1)
};

/* Attributes of message Nop (AIONL_CMD_NOP request). */
enum {
	AIONL_A_NOP_UNSPEC,
	AIONL_A_NOP_COOKIE = 1,
	AIONL_A_NOP_REQ_FLAGS = 16,

	__AIONL_A_NOP_MAX,
	AIONL_A_NOP_MAX = (__AIONL_A_NOP_MAX - 1)
};

/* Attributes of message Timer (AIONL_CMD_TIMER request). */
enum {
	AIONL_A_TIMER_UNSPEC,
	AIONL_A_TIMER_COOKIE = 1,
	AIONL_A_TIMER_CLOCK = 2,
	AIONL_A_TIMER_VALUE_NS = 3,
	AIONL_A_TIMER_INTERVAL_NS = 4,
	AIONL_A_TIMER_FLAGS = 5,

	__AIONL_A_TIMER_MAX,
	AIONL_A_TIMER_MAX = (__AIONL_A_TIMER_MAX - 1)
};

/* Attributes of message TimerUpdate (AIONL_CMD_TIMER_UPDATE request). */
enum {
	AIONL_A_TIMER_UPDATE_UNSPEC,
	AIONL_A_TIMER_UPDATE_COOKIE = 1,
	AIONL_A_TIMER_UPDATE_TARGET = 2,
	AIONL_A_TIMER_UPDATE_VALUE_NS = 3,
	AIONL_A_TIMER_UPDATE_INTERVAL_NS = 4,
	AIONL_A_TIMER_UPDATE_FLAGS = 5,

	__AIONL_A_TIMER_UPDATE_MAX,
	AIONL_A_TIMER_UPDATE_MAX = (__AIONL_A_TIMER_UPDATE_MAX - 1)
};

/* Attributes of message Poll (AIONL_CMD_POLL request). */
enum {
	AIONL_A_POLL_UNSPEC,
	AIONL_A_POLL_COOKIE = 1,
	AIONL_A_POLL_HANDLE = 2,
	AIONL_A_POLL_EVENTS = 3,
	AIONL_A_POLL_FLAGS = 4,

	__AIONL_A_POLL_MAX,
	AIONL_A_POLL_MAX = (__AIONL_A_POLL_MAX - 1)
};

/* Attributes of message Signal (AIONL_CMD_SIGNAL request). */
enum {
	AIONL_A_SIGNAL_UNSPEC,
	AIONL_A_SIGNAL_COOKIE = 1,
	AIONL_A_SIGNAL_MASK = 2,

	__AIONL_A_SIGNAL_MAX,
	AIONL_A_SIGNAL_MAX = (__AIONL_A_SIGNAL_MAX - 1)
};

/* Attributes of message Cancel (AIONL_CMD_CANCEL request). */
enum {
	AIONL_A_CANCEL_UNSPEC,
	AIONL_A_CANCEL_COOKIE = 1,
	AIONL_A_CANCEL_TARGET = 2,
	AIONL_A_CANCEL_FLAGS = 3,

	__AIONL_A_CANCEL_MAX,
	AIONL_A_CANCEL_MAX = (__AIONL_A_CANCEL_MAX - 1)
};

/* Attributes of message Open (AIONL_CMD_OPEN request). */
enum {
	AIONL_A_OPEN_UNSPEC,
	AIONL_A_OPEN_COOKIE = 1,
	AIONL_A_OPEN_DIR = 2,
	AIONL_A_OPEN_PATH = 3,
	AIONL_A_OPEN_FLAGS = 4,
	AIONL_A_OPEN_MODE = 5,
	AIONL_A_OPEN_OPTIONS = 6,
	AIONL_A_OPEN_REQ_FLAGS = 16,

	__AIONL_A_OPEN_MAX,
	AIONL_A_OPEN_MAX = (__AIONL_A_OPEN_MAX - 1)
};

/* Attributes of message Install (AIONL_CMD_INSTALL request). */
enum {
	AIONL_A_INSTALL_UNSPEC,
	AIONL_A_INSTALL_HANDLE = 1,
	AIONL_A_INSTALL_FLAGS = 2,

	__AIONL_A_INSTALL_MAX,
	AIONL_A_INSTALL_MAX = (__AIONL_A_INSTALL_MAX - 1)
};

/* Attributes of message InstallReply (AIONL_CMD_INSTALL reply). */
enum {
	AIONL_A_INSTALL_REPLY_UNSPEC,
	AIONL_A_INSTALL_REPLY_RES = 1,
	AIONL_A_INSTALL_REPLY_FD = 2,

	__AIONL_A_INSTALL_REPLY_MAX,
	AIONL_A_INSTALL_REPLY_MAX = (__AIONL_A_INSTALL_REPLY_MAX - 1)
};

/* Attributes of message Bind (AIONL_CMD_BIND request). */
enum {
	AIONL_A_BIND_UNSPEC,
	AIONL_A_BIND_FD = 1,

	__AIONL_A_BIND_MAX,
	AIONL_A_BIND_MAX = (__AIONL_A_BIND_MAX - 1)
};

/* Attributes of message BindReply (AIONL_CMD_BIND reply). */
enum {
	AIONL_A_BIND_REPLY_UNSPEC,
	AIONL_A_BIND_REPLY_RES = 1,
	AIONL_A_BIND_REPLY_DEV = 2,

	__AIONL_A_BIND_REPLY_MAX,
	AIONL_A_BIND_REPLY_MAX = (__AIONL_A_BIND_REPLY_MAX - 1)
};

/* Attributes of message Fallocate (AIONL_CMD_FALLOCATE request). */
enum {
	AIONL_A_FALLOCATE_UNSPEC,
	AIONL_A_FALLOCATE_COOKIE = 1,
	AIONL_A_FALLOCATE_HANDLE = 2,
	AIONL_A_FALLOCATE_OFFSET = 3,
	AIONL_A_FALLOCATE_LEN = 4,
	AIONL_A_FALLOCATE_MODE = 5,
	AIONL_A_FALLOCATE_REQ_FLAGS = 16,

	__AIONL_A_FALLOCATE_MAX,
	AIONL_A_FALLOCATE_MAX = (__AIONL_A_FALLOCATE_MAX - 1)
};

/* Attributes of message Statx (AIONL_CMD_STATX request). */
enum {
	AIONL_A_STATX_UNSPEC,
	AIONL_A_STATX_COOKIE = 1,
	AIONL_A_STATX_HANDLE = 2,
	AIONL_A_STATX_PATH = 3,
	AIONL_A_STATX_FLAGS = 4,
	AIONL_A_STATX_MASK = 5,
	AIONL_A_STATX_ADDR = 6,
	AIONL_A_STATX_REQ_FLAGS = 16,

	__AIONL_A_STATX_MAX,
	AIONL_A_STATX_MAX = (__AIONL_A_STATX_MAX - 1)
};

/* Attributes of message Copy (AIONL_CMD_COPY request). */
enum {
	AIONL_A_COPY_UNSPEC,
	AIONL_A_COPY_COOKIE = 1,
	AIONL_A_COPY_HANDLE = 2,
	AIONL_A_COPY_OFFSET = 3,
	AIONL_A_COPY_DST_HANDLE = 4,
	AIONL_A_COPY_DST_OFFSET = 5,
	AIONL_A_COPY_LEN = 6,
	AIONL_A_COPY_REQ_FLAGS = 16,

	__AIONL_A_COPY_MAX,
	AIONL_A_COPY_MAX = (__AIONL_A_COPY_MAX - 1)
};

#endif /* _UAPI_LINUX_AIONL_H */
