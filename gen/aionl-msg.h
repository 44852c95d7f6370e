/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

/*
 * Every message of the protocol as a C struct, the same for the library, the
 * engine and the kernel module: bit n of present is set when attribute n is.
 * Parsed strings and byte arrays point into the message they came from.
 */
#ifndef AIONL_MSG_H
#define AIONL_MSG_H

#include <linux/types.h>
#include <linux/aionl.h>

/* The values of enum aionl_backend, which attributes of that type take. */
#define AIONL_BACKEND_COUNT 3
#define AIONL_BACKEND_VALUES { AIONL_BACKEND_AUTO, AIONL_BACKEND_KERNEL, AIONL_BACKEND_USER }

/* The values of enum aionl_executor, which attributes of that type take. */
#define AIONL_EXECUTOR_COUNT 4
#define AIONL_EXECUTOR_VALUES { AIONL_EXEC_AUTO, AIONL_EXEC_KERNEL, AIONL_EXEC_URING, AIONL_EXEC_THREADS }

/* The values of enum aionl_timer_clock, which attributes of that type take. */
#define AIONL_TIMER_CLOCK_COUNT 3
#define AIONL_TIMER_CLOCK_VALUES { AIONL_TIMER_CLOCK_REALTIME, AIONL_TIMER_CLOCK_MONOTONIC, AIONL_TIMER_CLOCK_BOOTTIME }

/* GetInfo: AIONL_CMD_GET_INFO request */
struct aionl_get_info {
	__u64 present;
};

#define AIONL_GET_INFO_REQUIRED_MASK 0x0ULL

/* GetInfoReply: AIONL_CMD_GET_INFO reply */
struct aionl_get_info_reply {
	__u64 present;
	__u32 version;
	__u32 backend;
	__u32 executor;
	__u32 max_inflight;
	__u32 max_files;
	__u64 max_io_len;
	__u32 max_iov;
	__u32 max_msg_size;
	__u32 workers;
	__u64 commands;
	__u32 order_flags;
};

#define AIONL_GET_INFO_REPLY_REQUIRED_MASK 0x1feULL

/* Register: AIONL_CMD_REGISTER request */
struct aionl_register {
	__u64 present;
	__s32 fd;
};

#define AIONL_REGISTER_REQUIRED_MASK 0x2ULL

/* RegisterReply: AIONL_CMD_REGISTER reply */
struct aionl_register_reply {
	__u64 present;
	__s64 res;
	__u64 handle;
};

#define AIONL_REGISTER_REPLY_REQUIRED_MASK 0x2ULL

/* Unregister: AIONL_CMD_UNREGISTER request */
struct aionl_unregister {
	__u64 present;
	__u64 handle;
};

#define AIONL_UNREGISTER_REQUIRED_MASK 0x2ULL

/* UnregisterReply: AIONL_CMD_UNREGISTER reply */
struct aionl_unregister_reply {
	__u64 present;
	__s64 res;
};

#define AIONL_UNREGISTER_REPLY_REQUIRED_MASK 0x2ULL

/* Transfer: AIONL_CMD_READ, AIONL_CMD_WRITE request */
struct aionl_transfer {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u64 offset;
	__u64 addr;
	__u64 len;
	__u64 timeout_ns;
	__u32 req_flags;
};

#define AIONL_TRANSFER_REQUIRED_MASK 0x3eULL

/* TransferV: AIONL_CMD_READV, AIONL_CMD_WRITEV request */
struct aionl_transfer_v {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u64 offset;
	const void *iov;
	__u32 iov_len;
	__u64 timeout_ns;
	__u32 req_flags;
};

#define AIONL_TRANSFER_V_REQUIRED_MASK 0x1eULL

/* Sync: AIONL_CMD_FSYNC, AIONL_CMD_FDATASYNC request */
struct aionl_sync {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u32 req_flags;
};

#define AIONL_SYNC_REQUIRED_MASK 0x6ULL

/* Completion: AIONL_CMD_COMPLETION notify */
struct aionl_completion {
	__u64 present;
	__u64 cookie;
	__s64 res;
	__u32 flags;
	__u32 ssi_signo;
	__s32 ssi_code;
	__u32 ssi_pid;
	__u32 ssi_uid;
	__s32 ssi_status;
	__s32 ssi_errno;
	__u64 ssi_value;
	__u64 ssi_addr;
	__s32 ssi_fd;
	__s64 ssi_band;
	__s32 ssi_overrun;
	__u64 handle;
};

#define AIONL_COMPLETION_REQUIRED_MASK 0x6ULL

/* Nop: AIONL_CMD_NOP request */
struct aionl_nop {
	__u64 present;
	__u64 cookie;
	__u32 req_flags;
};

#define AIONL_NOP_REQUIRED_MASK 0x2ULL

/* Timer: AIONL_CMD_TIMER request */
struct aionl_timer {
	__u64 present;
	__u64 cookie;
	__u32 clock;
	__u64 value_ns;
	__u64 interval_ns;
	__u32 flags;
};

#define AIONL_TIMER_REQUIRED_MASK 0xeULL

/* TimerUpdate: AIONL_CMD_TIMER_UPDATE request */
struct aionl_timer_update {
	__u64 present;
	__u64 cookie;
	__u64 target;
	__u64 value_ns;
	__u64 interval_ns;
	__u32 flags;
};

#define AIONL_TIMER_UPDATE_REQUIRED_MASK 0xeULL

/* Poll: AIONL_CMD_POLL request */
struct aionl_poll {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u32 events;
	__u32 flags;
};

#define AIONL_POLL_REQUIRED_MASK 0xeULL

/* Signal: AIONL_CMD_SIGNAL request */
struct aionl_signal {
	__u64 present;
	__u64 cookie;
	__u64 mask;
};

#define AIONL_SIGNAL_REQUIRED_MASK 0x6ULL

/* Cancel: AIONL_CMD_CANCEL request */
struct aionl_cancel {
	__u64 present;
	__u64 cookie;
	__u64 target;
	__u32 flags;
};

#define AIONL_CANCEL_REQUIRED_MASK 0x2ULL

/* Open: AIONL_CMD_OPEN request */
struct aionl_open {
	__u64 present;
	__u64 cookie;
	__u64 dir;
	const char *path;
	__u32 flags;
	__u32 mode;
	__u32 options;
	__u32 req_flags;
};

#define AIONL_OPEN_REQUIRED_MASK 0x1aULL

/* Install: AIONL_CMD_INSTALL request */
struct aionl_install {
	__u64 present;
	__u64 handle;
	__u32 flags;
};

#define AIONL_INSTALL_REQUIRED_MASK 0x2ULL

/* InstallReply: AIONL_CMD_INSTALL reply */
struct aionl_install_reply {
	__u64 present;
	__s64 res;
	__s32 fd;
};

#define AIONL_INSTALL_REPLY_REQUIRED_MASK 0x2ULL

/* Bind: AIONL_CMD_BIND request */
struct aionl_bind {
	__u64 present;
	__s32 fd;
};

#define AIONL_BIND_REQUIRED_MASK 0x2ULL

/* BindReply: AIONL_CMD_BIND reply */
struct aionl_bind_reply {
	__u64 present;
	__s64 res;
	__u64 dev;
};

#define AIONL_BIND_REPLY_REQUIRED_MASK 0x2ULL

/* Fallocate: AIONL_CMD_FALLOCATE request */
struct aionl_fallocate {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u64 offset;
	__u64 len;
	__u32 mode;
	__u32 req_flags;
};

#define AIONL_FALLOCATE_REQUIRED_MASK 0x1eULL

/* Statx: AIONL_CMD_STATX request */
struct aionl_statx {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	const char *path;
	__u32 flags;
	__u32 mask;
	__u64 addr;
	__u32 req_flags;
};

#define AIONL_STATX_REQUIRED_MASK 0x62ULL

/* Copy: AIONL_CMD_COPY request */
struct aionl_copy {
	__u64 present;
	__u64 cookie;
	__u64 handle;
	__u64 offset;
	__u64 dst_handle;
	__u64 dst_offset;
	__u64 len;
	__u32 req_flags;
};

#define AIONL_COPY_REQUIRED_MASK 0x7eULL

/* 1 if cmd's request takes req_flags (ReqFlag): the requests that can be ordered. */
static inline int aionl_cmd_takes_req_flags(unsigned int cmd)
{
	switch (cmd) {
	case AIONL_CMD_READ:
	case AIONL_CMD_WRITE:
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV:
	case AIONL_CMD_FSYNC:
	case AIONL_CMD_FDATASYNC:
	case AIONL_CMD_NOP:
	case AIONL_CMD_OPEN:
	case AIONL_CMD_FALLOCATE:
	case AIONL_CMD_STATX:
	case AIONL_CMD_COPY:
		return 1;
	}
	return 0;
}

#endif /* AIONL_MSG_H */
