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

#include "aionl-msg.h"

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

/*
 * Walk the attributes after a message's genlmsghdr, up to nlmsg_len exactly.
 * libmnl's mnl_attr_for_each() walks up to nlmsg_len rounded up to 4 bytes,
 * so it takes a last attribute that runs up to 3 bytes past the message, in
 * bytes that are not the message's (nor, at the end of a buffer, the
 * buffer's), where the kernel's nla_parse() refuses it.
 */
#define aionl_attr_for_each(a, nlh)                                                 	for ((a) = (void *)((char *)(nlh) + NLMSG_HDRLEN + GENL_HDRLEN);            	     mnl_attr_ok((a), (int)((const char *)(nlh) + (nlh)->nlmsg_len -       				    (const char *)(a)));                            	     (a) = mnl_attr_next(a))

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
	/*
	 * What a request's parser accepts: min..max (elements for arrays of
	 * elem_size bytes), the bits of mask if it is not 0, or one of the
	 * nvalues values.
	 */
	uint64_t min, max, mask;
	uint16_t elem_size;
	uint8_t nvalues;
	const uint32_t *values;
};

struct aionl_msg_desc {
	const char *name;	/* as in the IDL */
	uint8_t cmd;		/* the first command that carries it */
	uint8_t role;		/* 0 request, 1 reply, 2 notification */
	uint16_t nattrs;
	size_t size;		/* of the message struct */
	uint64_t required_mask;
	const struct aionl_attr_desc *attrs;
	int (*put)(struct nlmsghdr *nlh, size_t buflen, const void *m);
	int (*parse)(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err);
};

#define AIONL_MSG_DESC_COUNT 24
extern const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT];

/*
 * The name of every command of enums Cmd and Notify, by number: the IDL's
 * without CMD_, in lower case ("get_info", "timer_update"); NULL between.
 */
extern const char *const aionl_cmd_names[AIONL_CMD_MAX + 1];

/* Every command of enum Cmd, which a program sends: bit n for command n. */
#define AIONL_CMDS_KNOWN 0x1cffbfeULL

/*
 * Each message has a put function that appends the present attributes after
 * the genlmsghdr (0, or -EMSGSIZE if buflen is too small), and a parse
 * function that fills the struct from a message (0, or -EINVAL with *err
 * set). A request's parser refuses what the kernel's policy refuses: values
 * out of range, unknown bits, unknown enum values.
 */

/* GetInfo: AIONL_CMD_GET_INFO request */
int aionl_get_info_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info *m);
int aionl_get_info_parse(const struct nlmsghdr *nlh, struct aionl_get_info *m,
		struct aionl_parse_err *err);

/* GetInfoReply: AIONL_CMD_GET_INFO reply */
int aionl_get_info_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info_reply *m);
int aionl_get_info_reply_parse(const struct nlmsghdr *nlh, struct aionl_get_info_reply *m,
		struct aionl_parse_err *err);

/* Register: AIONL_CMD_REGISTER request */
int aionl_register_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register *m);
int aionl_register_parse(const struct nlmsghdr *nlh, struct aionl_register *m,
		struct aionl_parse_err *err);

/* RegisterReply: AIONL_CMD_REGISTER reply */
int aionl_register_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register_reply *m);
int aionl_register_reply_parse(const struct nlmsghdr *nlh, struct aionl_register_reply *m,
		struct aionl_parse_err *err);

/* Unregister: AIONL_CMD_UNREGISTER request */
int aionl_unregister_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister *m);
int aionl_unregister_parse(const struct nlmsghdr *nlh, struct aionl_unregister *m,
		struct aionl_parse_err *err);

/* UnregisterReply: AIONL_CMD_UNREGISTER reply */
int aionl_unregister_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister_reply *m);
int aionl_unregister_reply_parse(const struct nlmsghdr *nlh, struct aionl_unregister_reply *m,
		struct aionl_parse_err *err);

/* Transfer: AIONL_CMD_READ, AIONL_CMD_WRITE request */
int aionl_transfer_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_transfer *m);
int aionl_transfer_parse(const struct nlmsghdr *nlh, struct aionl_transfer *m,
		struct aionl_parse_err *err);

/* TransferV: AIONL_CMD_READV, AIONL_CMD_WRITEV request */
int aionl_transfer_v_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_transfer_v *m);
int aionl_transfer_v_parse(const struct nlmsghdr *nlh, struct aionl_transfer_v *m,
		struct aionl_parse_err *err);

/* Sync: AIONL_CMD_FSYNC, AIONL_CMD_FDATASYNC request */
int aionl_sync_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_sync *m);
int aionl_sync_parse(const struct nlmsghdr *nlh, struct aionl_sync *m,
		struct aionl_parse_err *err);

/* Completion: AIONL_CMD_COMPLETION notify */
int aionl_completion_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_completion *m);
int aionl_completion_parse(const struct nlmsghdr *nlh, struct aionl_completion *m,
		struct aionl_parse_err *err);

/* Nop: AIONL_CMD_NOP request */
int aionl_nop_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_nop *m);
int aionl_nop_parse(const struct nlmsghdr *nlh, struct aionl_nop *m,
		struct aionl_parse_err *err);

/* Timer: AIONL_CMD_TIMER request */
int aionl_timer_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer *m);
int aionl_timer_parse(const struct nlmsghdr *nlh, struct aionl_timer *m,
		struct aionl_parse_err *err);

/* TimerUpdate: AIONL_CMD_TIMER_UPDATE request */
int aionl_timer_update_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer_update *m);
int aionl_timer_update_parse(const struct nlmsghdr *nlh, struct aionl_timer_update *m,
		struct aionl_parse_err *err);

/* Poll: AIONL_CMD_POLL request */
int aionl_poll_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_poll *m);
int aionl_poll_parse(const struct nlmsghdr *nlh, struct aionl_poll *m,
		struct aionl_parse_err *err);

/* Signal: AIONL_CMD_SIGNAL request */
int aionl_signal_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_signal *m);
int aionl_signal_parse(const struct nlmsghdr *nlh, struct aionl_signal *m,
		struct aionl_parse_err *err);

/* Cancel: AIONL_CMD_CANCEL request */
int aionl_cancel_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_cancel *m);
int aionl_cancel_parse(const struct nlmsghdr *nlh, struct aionl_cancel *m,
		struct aionl_parse_err *err);

/* Open: AIONL_CMD_OPEN request */
int aionl_open_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_open *m);
int aionl_open_parse(const struct nlmsghdr *nlh, struct aionl_open *m,
		struct aionl_parse_err *err);

/* Install: AIONL_CMD_INSTALL request */
int aionl_install_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_install *m);
int aionl_install_parse(const struct nlmsghdr *nlh, struct aionl_install *m,
		struct aionl_parse_err *err);

/* InstallReply: AIONL_CMD_INSTALL reply */
int aionl_install_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_install_reply *m);
int aionl_install_reply_parse(const struct nlmsghdr *nlh, struct aionl_install_reply *m,
		struct aionl_parse_err *err);

/* Bind: AIONL_CMD_BIND request */
int aionl_bind_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_bind *m);
int aionl_bind_parse(const struct nlmsghdr *nlh, struct aionl_bind *m,
		struct aionl_parse_err *err);

/* BindReply: AIONL_CMD_BIND reply */
int aionl_bind_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_bind_reply *m);
int aionl_bind_reply_parse(const struct nlmsghdr *nlh, struct aionl_bind_reply *m,
		struct aionl_parse_err *err);

/* Fallocate: AIONL_CMD_FALLOCATE request */
int aionl_fallocate_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_fallocate *m);
int aionl_fallocate_parse(const struct nlmsghdr *nlh, struct aionl_fallocate *m,
		struct aionl_parse_err *err);

/* Statx: AIONL_CMD_STATX request */
int aionl_statx_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_statx *m);
int aionl_statx_parse(const struct nlmsghdr *nlh, struct aionl_statx *m,
		struct aionl_parse_err *err);

/* Copy: AIONL_CMD_COPY request */
int aionl_copy_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_copy *m);
int aionl_copy_parse(const struct nlmsghdr *nlh, struct aionl_copy *m,
		struct aionl_parse_err *err);

#endif /* AIONL_CODEC_H */
