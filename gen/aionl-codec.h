/* SPDX-License-Identifier: MIT */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#ifndef AIONL_CODEC_H
#define AIONL_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/aionl.h>

/*
 * Why a message failed to parse. msg is a static string; attr is the
 * attribute type at fault (0 if none) and offset its byte offset from the
 * start of the nlmsghdr, which is what an extended ACK reports.
 */
struct aionl_parse_err {
	const char *msg;
	uint16_t attr;
	uint32_t offset;
};

/* Attribute kinds, for the descriptor table. */
enum aionl_attr_kind {
	AIONL_ATTR_U8, AIONL_ATTR_U32, AIONL_ATTR_S32, AIONL_ATTR_U64,
	AIONL_ATTR_S64, AIONL_ATTR_STRING, AIONL_ATTR_BINARY,
};

struct aionl_attr_desc {
	const char *name;
	uint16_t type;
	uint8_t kind;		/* enum aionl_attr_kind */
	uint8_t required;
	uint16_t offset;	/* of the value in the message struct */
	uint16_t len_offset;	/* of the length, for binary attributes */
};

struct aionl_msg_desc {
	const char *name;	/* as in the IDL */
	uint8_t cmd;
	uint8_t role;		/* 0 request, 1 reply, 2 notification */
	uint16_t nattrs;
	size_t size;		/* of the message struct */
	uint64_t required_mask;
	const struct aionl_attr_desc *attrs;
	int (*put)(struct nlmsghdr *nlh, size_t buflen, const void *m);
	int (*parse)(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err);
};

#define AIONL_MSG_DESC_COUNT 19
extern const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT];

/*
 * Each message has a struct whose present mask has bit n set when attribute n
 * is present, a put function that appends the present attributes after the
 * genlmsghdr (0, or -EMSGSIZE if buflen is too small), and a parse function
 * that fills the struct from a message (0, or -EINVAL with *err set).
 * Parsed strings and binaries point into the message.
 */

/* GetInfo: AIONL_CMD_GET_INFO request */
struct aionl_get_info {
	uint64_t present;
};

#define AIONL_GET_INFO_REQUIRED_MASK 0x0ULL
int aionl_get_info_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info *m);
int aionl_get_info_parse(const struct nlmsghdr *nlh, struct aionl_get_info *m,
		struct aionl_parse_err *err);

/* GetInfoReply: AIONL_CMD_GET_INFO reply */
struct aionl_get_info_reply {
	uint64_t present;
	uint32_t version;
	const char *backend;
	uint32_t executor;
	uint32_t max_inflight;
	uint32_t max_files;
	uint64_t max_io_len;
	uint32_t max_iov;
	uint32_t max_msg_size;
	uint32_t workers;
};

#define AIONL_GET_INFO_REPLY_REQUIRED_MASK 0x1feULL
int aionl_get_info_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info_reply *m);
int aionl_get_info_reply_parse(const struct nlmsghdr *nlh, struct aionl_get_info_reply *m,
		struct aionl_parse_err *err);

/* Register: AIONL_CMD_REGISTER request */
struct aionl_register {
	uint64_t present;
	int32_t fd;
};

#define AIONL_REGISTER_REQUIRED_MASK 0x2ULL
int aionl_register_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register *m);
int aionl_register_parse(const struct nlmsghdr *nlh, struct aionl_register *m,
		struct aionl_parse_err *err);

/* RegisterReply: AIONL_CMD_REGISTER reply */
struct aionl_register_reply {
	uint64_t present;
	int64_t res;
	uint64_t handle;
};

#define AIONL_REGISTER_REPLY_REQUIRED_MASK 0x2ULL
int aionl_register_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register_reply *m);
int aionl_register_reply_parse(const struct nlmsghdr *nlh, struct aionl_register_reply *m,
		struct aionl_parse_err *err);

/* Unregister: AIONL_CMD_UNREGISTER request */
struct aionl_unregister {
	uint64_t present;
	uint64_t handle;
};

#define AIONL_UNREGISTER_REQUIRED_MASK 0x2ULL
int aionl_unregister_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister *m);
int aionl_unregister_parse(const struct nlmsghdr *nlh, struct aionl_unregister *m,
		struct aionl_parse_err *err);

/* UnregisterReply: AIONL_CMD_UNREGISTER reply */
struct aionl_unregister_reply {
	uint64_t present;
	int64_t res;
};

#define AIONL_UNREGISTER_REPLY_REQUIRED_MASK 0x2ULL
int aionl_unregister_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister_reply *m);
int aionl_unregister_reply_parse(const struct nlmsghdr *nlh, struct aionl_unregister_reply *m,
		struct aionl_parse_err *err);

/* Read: AIONL_CMD_READ request */
struct aionl_read {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
	uint64_t offset;
	uint64_t addr;
	uint64_t len;
	uint64_t timeout_ns;
};

#define AIONL_READ_REQUIRED_MASK 0x3eULL
int aionl_read_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_read *m);
int aionl_read_parse(const struct nlmsghdr *nlh, struct aionl_read *m,
		struct aionl_parse_err *err);

/* Write: AIONL_CMD_WRITE request */
struct aionl_write {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
	uint64_t offset;
	uint64_t addr;
	uint64_t len;
	uint64_t timeout_ns;
};

#define AIONL_WRITE_REQUIRED_MASK 0x3eULL
int aionl_write_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_write *m);
int aionl_write_parse(const struct nlmsghdr *nlh, struct aionl_write *m,
		struct aionl_parse_err *err);

/* Readv: AIONL_CMD_READV request */
struct aionl_readv {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
	uint64_t offset;
	const void *iov;
	uint32_t iov_len;
	uint64_t timeout_ns;
};

#define AIONL_READV_REQUIRED_MASK 0x1eULL
int aionl_readv_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_readv *m);
int aionl_readv_parse(const struct nlmsghdr *nlh, struct aionl_readv *m,
		struct aionl_parse_err *err);

/* Writev: AIONL_CMD_WRITEV request */
struct aionl_writev {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
	uint64_t offset;
	const void *iov;
	uint32_t iov_len;
	uint64_t timeout_ns;
};

#define AIONL_WRITEV_REQUIRED_MASK 0x1eULL
int aionl_writev_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_writev *m);
int aionl_writev_parse(const struct nlmsghdr *nlh, struct aionl_writev *m,
		struct aionl_parse_err *err);

/* Fsync: AIONL_CMD_FSYNC request */
struct aionl_fsync {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
};

#define AIONL_FSYNC_REQUIRED_MASK 0x6ULL
int aionl_fsync_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_fsync *m);
int aionl_fsync_parse(const struct nlmsghdr *nlh, struct aionl_fsync *m,
		struct aionl_parse_err *err);

/* Fdatasync: AIONL_CMD_FDATASYNC request */
struct aionl_fdatasync {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
};

#define AIONL_FDATASYNC_REQUIRED_MASK 0x6ULL
int aionl_fdatasync_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_fdatasync *m);
int aionl_fdatasync_parse(const struct nlmsghdr *nlh, struct aionl_fdatasync *m,
		struct aionl_parse_err *err);

/* Completion: AIONL_CMD_COMPLETION notify */
struct aionl_completion {
	uint64_t present;
	uint64_t cookie;
	int64_t res;
	uint32_t flags;
	uint32_t ssi_signo;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_status;
	int32_t ssi_errno;
	uint64_t ssi_value;
	uint64_t ssi_addr;
	int32_t ssi_fd;
	int64_t ssi_band;
	int32_t ssi_overrun;
};

#define AIONL_COMPLETION_REQUIRED_MASK 0x6ULL
int aionl_completion_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_completion *m);
int aionl_completion_parse(const struct nlmsghdr *nlh, struct aionl_completion *m,
		struct aionl_parse_err *err);

/* Nop: AIONL_CMD_NOP request */
struct aionl_nop {
	uint64_t present;
	uint64_t cookie;
};

#define AIONL_NOP_REQUIRED_MASK 0x2ULL
int aionl_nop_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_nop *m);
int aionl_nop_parse(const struct nlmsghdr *nlh, struct aionl_nop *m,
		struct aionl_parse_err *err);

/* Timer: AIONL_CMD_TIMER request */
struct aionl_timer {
	uint64_t present;
	uint64_t cookie;
	uint32_t clock;
	uint64_t value_ns;
	uint64_t interval_ns;
	uint32_t flags;
};

#define AIONL_TIMER_REQUIRED_MASK 0xeULL
int aionl_timer_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer *m);
int aionl_timer_parse(const struct nlmsghdr *nlh, struct aionl_timer *m,
		struct aionl_parse_err *err);

/* TimerUpdate: AIONL_CMD_TIMER_UPDATE request */
struct aionl_timer_update {
	uint64_t present;
	uint64_t cookie;
	uint64_t target;
	uint64_t value_ns;
	uint64_t interval_ns;
	uint32_t flags;
};

#define AIONL_TIMER_UPDATE_REQUIRED_MASK 0xeULL
int aionl_timer_update_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer_update *m);
int aionl_timer_update_parse(const struct nlmsghdr *nlh, struct aionl_timer_update *m,
		struct aionl_parse_err *err);

/* Poll: AIONL_CMD_POLL request */
struct aionl_poll {
	uint64_t present;
	uint64_t cookie;
	uint64_t handle;
	uint32_t events;
	uint32_t flags;
};

#define AIONL_POLL_REQUIRED_MASK 0xeULL
int aionl_poll_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_poll *m);
int aionl_poll_parse(const struct nlmsghdr *nlh, struct aionl_poll *m,
		struct aionl_parse_err *err);

/* Signal: AIONL_CMD_SIGNAL request */
struct aionl_signal {
	uint64_t present;
	uint64_t cookie;
	uint64_t mask;
};

#define AIONL_SIGNAL_REQUIRED_MASK 0x6ULL
int aionl_signal_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_signal *m);
int aionl_signal_parse(const struct nlmsghdr *nlh, struct aionl_signal *m,
		struct aionl_parse_err *err);

/* Cancel: AIONL_CMD_CANCEL request */
struct aionl_cancel {
	uint64_t present;
	uint64_t cookie;
	uint64_t target;
	uint32_t flags;
};

#define AIONL_CANCEL_REQUIRED_MASK 0x2ULL
int aionl_cancel_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_cancel *m);
int aionl_cancel_parse(const struct nlmsghdr *nlh, struct aionl_cancel *m,
		struct aionl_parse_err *err);

#endif /* AIONL_CODEC_H */
