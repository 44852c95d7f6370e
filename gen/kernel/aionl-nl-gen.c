// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#include <linux/module.h>

#include "aionl-nl-gen.h"

/*
 * No pad attribute: where 64-bit values need aligning, attribute 0 is refused
 * by every parser of this family. x86-64 and arm64 never pad.
 */
#define AIONL_NL_NOPAD 0

static int aionl_transfer_v_iov_validate(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	int len = nla_len(attr);

	if (len % 16 || len < 1 * 16 || len > AIONL_MAX_IOV * 16) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "iov: not an array of 1 to MAX_IOV 16-byte elements");
		return -EINVAL;
	}
	return 0;
}

/* AIONL_CMD_REGISTER */
const struct nla_policy aionl_register_nl_policy[AIONL_A_REGISTER_MAX + 1] = {
	[AIONL_A_REGISTER_FD] = { .type = NLA_S32, },
};

/* AIONL_CMD_UNREGISTER */
const struct nla_policy aionl_unregister_nl_policy[AIONL_A_UNREGISTER_MAX + 1] = {
	[AIONL_A_UNREGISTER_HANDLE] = { .type = NLA_U64, },
};

/* AIONL_CMD_READ, AIONL_CMD_WRITE */
const struct nla_policy aionl_transfer_nl_policy[AIONL_A_TRANSFER_MAX + 1] = {
	[AIONL_A_TRANSFER_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_ADDR] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_LEN] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_TIMEOUT_NS] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_READV, AIONL_CMD_WRITEV */
const struct nla_policy aionl_transfer_v_nl_policy[AIONL_A_TRANSFER_V_MAX + 1] = {
	[AIONL_A_TRANSFER_V_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_V_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_V_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_V_IOV] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, aionl_transfer_v_iov_validate),
	[AIONL_A_TRANSFER_V_TIMEOUT_NS] = { .type = NLA_U64, },
	[AIONL_A_TRANSFER_V_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_FSYNC, AIONL_CMD_FDATASYNC */
const struct nla_policy aionl_sync_nl_policy[AIONL_A_SYNC_MAX + 1] = {
	[AIONL_A_SYNC_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_SYNC_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_SYNC_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_NOP */
const struct nla_policy aionl_nop_nl_policy[AIONL_A_NOP_MAX + 1] = {
	[AIONL_A_NOP_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_NOP_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_TIMER */
const struct nla_policy aionl_timer_nl_policy[AIONL_A_TIMER_MAX + 1] = {
	[AIONL_A_TIMER_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TIMER_CLOCK] = { .type = NLA_U32, },
	[AIONL_A_TIMER_VALUE_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_INTERVAL_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_TIMER_FLAG_MASK),
};

/* AIONL_CMD_TIMER_UPDATE */
const struct nla_policy aionl_timer_update_nl_policy[AIONL_A_TIMER_UPDATE_MAX + 1] = {
	[AIONL_A_TIMER_UPDATE_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_TARGET] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_VALUE_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_INTERVAL_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_TIMER_FLAG_MASK),
};

/* AIONL_CMD_POLL */
const struct nla_policy aionl_poll_nl_policy[AIONL_A_POLL_MAX + 1] = {
	[AIONL_A_POLL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_POLL_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_POLL_EVENTS] = NLA_POLICY_MASK(NLA_U32, AIONL_POLL_EVENT_MASK),
	[AIONL_A_POLL_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_POLL_FLAG_MASK),
};

/* AIONL_CMD_SIGNAL */
const struct nla_policy aionl_signal_nl_policy[AIONL_A_SIGNAL_MAX + 1] = {
	[AIONL_A_SIGNAL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_SIGNAL_MASK] = { .type = NLA_U64, },
};

/* AIONL_CMD_CANCEL */
const struct nla_policy aionl_cancel_nl_policy[AIONL_A_CANCEL_MAX + 1] = {
	[AIONL_A_CANCEL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_CANCEL_TARGET] = { .type = NLA_U64, },
	[AIONL_A_CANCEL_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_CANCEL_FLAG_MASK),
};

/* AIONL_CMD_OPEN */
const struct nla_policy aionl_open_nl_policy[AIONL_A_OPEN_MAX + 1] = {
	[AIONL_A_OPEN_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_OPEN_DIR] = { .type = NLA_U64, },
	[AIONL_A_OPEN_PATH] = { .type = NLA_NUL_STRING, .len = AIONL_MAX_PATH - 1, },
	[AIONL_A_OPEN_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_OPEN_FLAG_MASK),
	[AIONL_A_OPEN_MODE] = { .type = NLA_U32, },
	[AIONL_A_OPEN_OPTIONS] = NLA_POLICY_MASK(NLA_U32, AIONL_OPEN_OPTION_MASK),
	[AIONL_A_OPEN_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_INSTALL */
const struct nla_policy aionl_install_nl_policy[AIONL_A_INSTALL_MAX + 1] = {
	[AIONL_A_INSTALL_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_INSTALL_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_INSTALL_FLAG_MASK),
};

/* AIONL_CMD_BIND */
const struct nla_policy aionl_bind_nl_policy[AIONL_A_BIND_MAX + 1] = {
	[AIONL_A_BIND_FD] = { .type = NLA_S32, },
};

/* AIONL_CMD_FALLOCATE */
const struct nla_policy aionl_fallocate_nl_policy[AIONL_A_FALLOCATE_MAX + 1] = {
	[AIONL_A_FALLOCATE_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_FALLOCATE_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_FALLOCATE_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_FALLOCATE_LEN] = { .type = NLA_U64, },
	[AIONL_A_FALLOCATE_MODE] = NLA_POLICY_MASK(NLA_U32, AIONL_FALLOC_MODE_MASK),
	[AIONL_A_FALLOCATE_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_STATX */
const struct nla_policy aionl_statx_nl_policy[AIONL_A_STATX_MAX + 1] = {
	[AIONL_A_STATX_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_STATX_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_STATX_PATH] = { .type = NLA_NUL_STRING, .len = AIONL_MAX_PATH - 1, },
	[AIONL_A_STATX_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_STATX_FLAG_MASK),
	[AIONL_A_STATX_MASK] = NLA_POLICY_MASK(NLA_U32, AIONL_STATX_MASK_BITS),
	[AIONL_A_STATX_ADDR] = { .type = NLA_U64, },
	[AIONL_A_STATX_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

/* AIONL_CMD_COPY */
const struct nla_policy aionl_copy_nl_policy[AIONL_A_COPY_MAX + 1] = {
	[AIONL_A_COPY_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_COPY_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_COPY_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_COPY_DST_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_COPY_DST_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_COPY_LEN] = { .type = NLA_U64, },
	[AIONL_A_COPY_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, AIONL_REQ_FLAG_MASK),
};

int aionl_nl_get_info_parse(struct genl_info *info, struct aionl_get_info *m)
{
	(void)info;
	memset(m, 0, sizeof(*m));
	return 0;
}

int aionl_nl_register_parse(struct genl_info *info, struct aionl_register *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_REGISTER_FD))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_REGISTER_FD]) {
		m->fd = nla_get_s32(tb[AIONL_A_REGISTER_FD]);
		m->present |= 1ULL << AIONL_A_REGISTER_FD;
	}
	return 0;
}

int aionl_nl_unregister_parse(struct genl_info *info, struct aionl_unregister *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_UNREGISTER_HANDLE))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_UNREGISTER_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_UNREGISTER_HANDLE]);
		m->present |= 1ULL << AIONL_A_UNREGISTER_HANDLE;
	}
	return 0;
}

int aionl_nl_transfer_parse(struct genl_info *info, struct aionl_transfer *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_LEN))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_TRANSFER_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_TRANSFER_COOKIE]);
		m->present |= 1ULL << AIONL_A_TRANSFER_COOKIE;
	}
	if (tb[AIONL_A_TRANSFER_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_TRANSFER_HANDLE]);
		m->present |= 1ULL << AIONL_A_TRANSFER_HANDLE;
	}
	if (tb[AIONL_A_TRANSFER_OFFSET]) {
		m->offset = nla_get_u64(tb[AIONL_A_TRANSFER_OFFSET]);
		m->present |= 1ULL << AIONL_A_TRANSFER_OFFSET;
	}
	if (tb[AIONL_A_TRANSFER_ADDR]) {
		m->addr = nla_get_u64(tb[AIONL_A_TRANSFER_ADDR]);
		m->present |= 1ULL << AIONL_A_TRANSFER_ADDR;
	}
	if (tb[AIONL_A_TRANSFER_LEN]) {
		m->len = nla_get_u64(tb[AIONL_A_TRANSFER_LEN]);
		m->present |= 1ULL << AIONL_A_TRANSFER_LEN;
		if (m->len > AIONL_MAX_IO_LEN) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TRANSFER_LEN], "len: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TRANSFER_TIMEOUT_NS]) {
		m->timeout_ns = nla_get_u64(tb[AIONL_A_TRANSFER_TIMEOUT_NS]);
		m->present |= 1ULL << AIONL_A_TRANSFER_TIMEOUT_NS;
		if (m->timeout_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TRANSFER_TIMEOUT_NS], "timeout_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TRANSFER_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_TRANSFER_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_TRANSFER_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_transfer_v_parse(struct genl_info *info, struct aionl_transfer_v *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_V_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_V_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_V_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TRANSFER_V_IOV))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_TRANSFER_V_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_TRANSFER_V_COOKIE]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_COOKIE;
	}
	if (tb[AIONL_A_TRANSFER_V_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_TRANSFER_V_HANDLE]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_HANDLE;
	}
	if (tb[AIONL_A_TRANSFER_V_OFFSET]) {
		m->offset = nla_get_u64(tb[AIONL_A_TRANSFER_V_OFFSET]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_OFFSET;
	}
	if (tb[AIONL_A_TRANSFER_V_IOV]) {
		m->iov = nla_data(tb[AIONL_A_TRANSFER_V_IOV]);
		m->iov_len = nla_len(tb[AIONL_A_TRANSFER_V_IOV]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_IOV;
	}
	if (tb[AIONL_A_TRANSFER_V_TIMEOUT_NS]) {
		m->timeout_ns = nla_get_u64(tb[AIONL_A_TRANSFER_V_TIMEOUT_NS]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_TIMEOUT_NS;
		if (m->timeout_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TRANSFER_V_TIMEOUT_NS], "timeout_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TRANSFER_V_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_TRANSFER_V_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_TRANSFER_V_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_sync_parse(struct genl_info *info, struct aionl_sync *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_SYNC_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_SYNC_HANDLE))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_SYNC_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_SYNC_COOKIE]);
		m->present |= 1ULL << AIONL_A_SYNC_COOKIE;
	}
	if (tb[AIONL_A_SYNC_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_SYNC_HANDLE]);
		m->present |= 1ULL << AIONL_A_SYNC_HANDLE;
	}
	if (tb[AIONL_A_SYNC_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_SYNC_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_SYNC_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_nop_parse(struct genl_info *info, struct aionl_nop *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_NOP_COOKIE))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_NOP_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_NOP_COOKIE]);
		m->present |= 1ULL << AIONL_A_NOP_COOKIE;
	}
	if (tb[AIONL_A_NOP_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_NOP_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_NOP_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_timer_parse(struct genl_info *info, struct aionl_timer *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_CLOCK) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_VALUE_NS))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_TIMER_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_TIMER_COOKIE]);
		m->present |= 1ULL << AIONL_A_TIMER_COOKIE;
	}
	if (tb[AIONL_A_TIMER_CLOCK]) {
		m->clock = nla_get_u32(tb[AIONL_A_TIMER_CLOCK]);
		m->present |= 1ULL << AIONL_A_TIMER_CLOCK;
		switch (m->clock) {
		case AIONL_TIMER_CLOCK_REALTIME:
		case AIONL_TIMER_CLOCK_MONOTONIC:
		case AIONL_TIMER_CLOCK_BOOTTIME:
			break;
		default:
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TIMER_CLOCK], "clock: not a value of TimerClock");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TIMER_VALUE_NS]) {
		m->value_ns = nla_get_u64(tb[AIONL_A_TIMER_VALUE_NS]);
		m->present |= 1ULL << AIONL_A_TIMER_VALUE_NS;
		if (m->value_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TIMER_VALUE_NS], "value_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TIMER_INTERVAL_NS]) {
		m->interval_ns = nla_get_u64(tb[AIONL_A_TIMER_INTERVAL_NS]);
		m->present |= 1ULL << AIONL_A_TIMER_INTERVAL_NS;
		if (m->interval_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TIMER_INTERVAL_NS], "interval_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TIMER_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_TIMER_FLAGS]);
		m->present |= 1ULL << AIONL_A_TIMER_FLAGS;
	}
	return 0;
}

int aionl_nl_timer_update_parse(struct genl_info *info, struct aionl_timer_update *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_UPDATE_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_UPDATE_TARGET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_TIMER_UPDATE_VALUE_NS))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_TIMER_UPDATE_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_TIMER_UPDATE_COOKIE]);
		m->present |= 1ULL << AIONL_A_TIMER_UPDATE_COOKIE;
	}
	if (tb[AIONL_A_TIMER_UPDATE_TARGET]) {
		m->target = nla_get_u64(tb[AIONL_A_TIMER_UPDATE_TARGET]);
		m->present |= 1ULL << AIONL_A_TIMER_UPDATE_TARGET;
	}
	if (tb[AIONL_A_TIMER_UPDATE_VALUE_NS]) {
		m->value_ns = nla_get_u64(tb[AIONL_A_TIMER_UPDATE_VALUE_NS]);
		m->present |= 1ULL << AIONL_A_TIMER_UPDATE_VALUE_NS;
		if (m->value_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TIMER_UPDATE_VALUE_NS], "value_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TIMER_UPDATE_INTERVAL_NS]) {
		m->interval_ns = nla_get_u64(tb[AIONL_A_TIMER_UPDATE_INTERVAL_NS]);
		m->present |= 1ULL << AIONL_A_TIMER_UPDATE_INTERVAL_NS;
		if (m->interval_ns > AIONL_MAX_NS) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_TIMER_UPDATE_INTERVAL_NS], "interval_ns: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_TIMER_UPDATE_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_TIMER_UPDATE_FLAGS]);
		m->present |= 1ULL << AIONL_A_TIMER_UPDATE_FLAGS;
	}
	return 0;
}

int aionl_nl_poll_parse(struct genl_info *info, struct aionl_poll *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_POLL_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_POLL_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_POLL_EVENTS))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_POLL_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_POLL_COOKIE]);
		m->present |= 1ULL << AIONL_A_POLL_COOKIE;
	}
	if (tb[AIONL_A_POLL_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_POLL_HANDLE]);
		m->present |= 1ULL << AIONL_A_POLL_HANDLE;
	}
	if (tb[AIONL_A_POLL_EVENTS]) {
		m->events = nla_get_u32(tb[AIONL_A_POLL_EVENTS]);
		m->present |= 1ULL << AIONL_A_POLL_EVENTS;
	}
	if (tb[AIONL_A_POLL_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_POLL_FLAGS]);
		m->present |= 1ULL << AIONL_A_POLL_FLAGS;
	}
	return 0;
}

int aionl_nl_signal_parse(struct genl_info *info, struct aionl_signal *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_SIGNAL_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_SIGNAL_MASK))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_SIGNAL_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_SIGNAL_COOKIE]);
		m->present |= 1ULL << AIONL_A_SIGNAL_COOKIE;
	}
	if (tb[AIONL_A_SIGNAL_MASK]) {
		m->mask = nla_get_u64(tb[AIONL_A_SIGNAL_MASK]);
		m->present |= 1ULL << AIONL_A_SIGNAL_MASK;
		if (m->mask < 1ULL) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_SIGNAL_MASK], "mask: out of range");
			return -EINVAL;
		}
	}
	return 0;
}

int aionl_nl_cancel_parse(struct genl_info *info, struct aionl_cancel *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_CANCEL_COOKIE))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_CANCEL_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_CANCEL_COOKIE]);
		m->present |= 1ULL << AIONL_A_CANCEL_COOKIE;
	}
	if (tb[AIONL_A_CANCEL_TARGET]) {
		m->target = nla_get_u64(tb[AIONL_A_CANCEL_TARGET]);
		m->present |= 1ULL << AIONL_A_CANCEL_TARGET;
	}
	if (tb[AIONL_A_CANCEL_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_CANCEL_FLAGS]);
		m->present |= 1ULL << AIONL_A_CANCEL_FLAGS;
	}
	return 0;
}

int aionl_nl_open_parse(struct genl_info *info, struct aionl_open *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_OPEN_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_OPEN_PATH) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_OPEN_FLAGS))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_OPEN_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_OPEN_COOKIE]);
		m->present |= 1ULL << AIONL_A_OPEN_COOKIE;
	}
	if (tb[AIONL_A_OPEN_DIR]) {
		m->dir = nla_get_u64(tb[AIONL_A_OPEN_DIR]);
		m->present |= 1ULL << AIONL_A_OPEN_DIR;
	}
	if (tb[AIONL_A_OPEN_PATH]) {
		m->path = nla_data(tb[AIONL_A_OPEN_PATH]);
		m->present |= 1ULL << AIONL_A_OPEN_PATH;
	}
	if (tb[AIONL_A_OPEN_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_OPEN_FLAGS]);
		m->present |= 1ULL << AIONL_A_OPEN_FLAGS;
	}
	if (tb[AIONL_A_OPEN_MODE]) {
		m->mode = nla_get_u32(tb[AIONL_A_OPEN_MODE]);
		m->present |= 1ULL << AIONL_A_OPEN_MODE;
		if (m->mode > 4095U) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_OPEN_MODE], "mode: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_OPEN_OPTIONS]) {
		m->options = nla_get_u32(tb[AIONL_A_OPEN_OPTIONS]);
		m->present |= 1ULL << AIONL_A_OPEN_OPTIONS;
	}
	if (tb[AIONL_A_OPEN_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_OPEN_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_OPEN_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_install_parse(struct genl_info *info, struct aionl_install *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_INSTALL_HANDLE))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_INSTALL_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_INSTALL_HANDLE]);
		m->present |= 1ULL << AIONL_A_INSTALL_HANDLE;
	}
	if (tb[AIONL_A_INSTALL_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_INSTALL_FLAGS]);
		m->present |= 1ULL << AIONL_A_INSTALL_FLAGS;
	}
	return 0;
}

int aionl_nl_bind_parse(struct genl_info *info, struct aionl_bind *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_BIND_FD))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_BIND_FD]) {
		m->fd = nla_get_s32(tb[AIONL_A_BIND_FD]);
		m->present |= 1ULL << AIONL_A_BIND_FD;
	}
	return 0;
}

int aionl_nl_fallocate_parse(struct genl_info *info, struct aionl_fallocate *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_FALLOCATE_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_FALLOCATE_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_FALLOCATE_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_FALLOCATE_LEN))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_FALLOCATE_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_FALLOCATE_COOKIE]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_COOKIE;
	}
	if (tb[AIONL_A_FALLOCATE_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_FALLOCATE_HANDLE]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_HANDLE;
	}
	if (tb[AIONL_A_FALLOCATE_OFFSET]) {
		m->offset = nla_get_u64(tb[AIONL_A_FALLOCATE_OFFSET]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_OFFSET;
		if (m->offset > AIONL_MAX_OFFSET) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_FALLOCATE_OFFSET], "offset: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_FALLOCATE_LEN]) {
		m->len = nla_get_u64(tb[AIONL_A_FALLOCATE_LEN]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_LEN;
		if (m->len < 1ULL || m->len > AIONL_MAX_OFFSET) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_FALLOCATE_LEN], "len: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_FALLOCATE_MODE]) {
		m->mode = nla_get_u32(tb[AIONL_A_FALLOCATE_MODE]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_MODE;
	}
	if (tb[AIONL_A_FALLOCATE_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_FALLOCATE_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_FALLOCATE_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_statx_parse(struct genl_info *info, struct aionl_statx *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_STATX_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_STATX_MASK) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_STATX_ADDR))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_STATX_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_STATX_COOKIE]);
		m->present |= 1ULL << AIONL_A_STATX_COOKIE;
	}
	if (tb[AIONL_A_STATX_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_STATX_HANDLE]);
		m->present |= 1ULL << AIONL_A_STATX_HANDLE;
	}
	if (tb[AIONL_A_STATX_PATH]) {
		m->path = nla_data(tb[AIONL_A_STATX_PATH]);
		m->present |= 1ULL << AIONL_A_STATX_PATH;
	}
	if (tb[AIONL_A_STATX_FLAGS]) {
		m->flags = nla_get_u32(tb[AIONL_A_STATX_FLAGS]);
		m->present |= 1ULL << AIONL_A_STATX_FLAGS;
	}
	if (tb[AIONL_A_STATX_MASK]) {
		m->mask = nla_get_u32(tb[AIONL_A_STATX_MASK]);
		m->present |= 1ULL << AIONL_A_STATX_MASK;
	}
	if (tb[AIONL_A_STATX_ADDR]) {
		m->addr = nla_get_u64(tb[AIONL_A_STATX_ADDR]);
		m->present |= 1ULL << AIONL_A_STATX_ADDR;
	}
	if (tb[AIONL_A_STATX_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_STATX_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_STATX_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_copy_parse(struct genl_info *info, struct aionl_copy *m)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_COOKIE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_DST_HANDLE) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_DST_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, AIONL_A_COPY_LEN))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (tb[AIONL_A_COPY_COOKIE]) {
		m->cookie = nla_get_u64(tb[AIONL_A_COPY_COOKIE]);
		m->present |= 1ULL << AIONL_A_COPY_COOKIE;
	}
	if (tb[AIONL_A_COPY_HANDLE]) {
		m->handle = nla_get_u64(tb[AIONL_A_COPY_HANDLE]);
		m->present |= 1ULL << AIONL_A_COPY_HANDLE;
	}
	if (tb[AIONL_A_COPY_OFFSET]) {
		m->offset = nla_get_u64(tb[AIONL_A_COPY_OFFSET]);
		m->present |= 1ULL << AIONL_A_COPY_OFFSET;
		if (m->offset > AIONL_MAX_OFFSET) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_COPY_OFFSET], "offset: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_COPY_DST_HANDLE]) {
		m->dst_handle = nla_get_u64(tb[AIONL_A_COPY_DST_HANDLE]);
		m->present |= 1ULL << AIONL_A_COPY_DST_HANDLE;
	}
	if (tb[AIONL_A_COPY_DST_OFFSET]) {
		m->dst_offset = nla_get_u64(tb[AIONL_A_COPY_DST_OFFSET]);
		m->present |= 1ULL << AIONL_A_COPY_DST_OFFSET;
		if (m->dst_offset > AIONL_MAX_OFFSET) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_COPY_DST_OFFSET], "dst_offset: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_COPY_LEN]) {
		m->len = nla_get_u64(tb[AIONL_A_COPY_LEN]);
		m->present |= 1ULL << AIONL_A_COPY_LEN;
		if (m->len < 1ULL || m->len > AIONL_MAX_IO_LEN) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIONL_A_COPY_LEN], "len: out of range");
			return -EINVAL;
		}
	}
	if (tb[AIONL_A_COPY_REQ_FLAGS]) {
		m->req_flags = nla_get_u32(tb[AIONL_A_COPY_REQ_FLAGS]);
		m->present |= 1ULL << AIONL_A_COPY_REQ_FLAGS;
	}
	return 0;
}

int aionl_nl_get_info_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_get_info_reply *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_GET_INFO);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_VERSION)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_VERSION, m->version))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_BACKEND)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_BACKEND, m->backend))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_EXECUTOR)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_EXECUTOR, m->executor))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT, m->max_inflight))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_FILES)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_FILES, m->max_files))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_IO_LEN)) &&
	    nla_put_u64_64bit(skb, AIONL_A_GET_INFO_REPLY_MAX_IO_LEN, m->max_io_len, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_IOV)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_IOV, m->max_iov))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE, m->max_msg_size))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_WORKERS)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_WORKERS, m->workers))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS)) &&
	    nla_put_u64_64bit(skb, AIONL_A_GET_INFO_REPLY_COMMANDS, m->commands, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS)) &&
	    nla_put_u32(skb, AIONL_A_GET_INFO_REPLY_ORDER_FLAGS, m->order_flags))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aionl_nl_register_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_register_reply *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_REGISTER);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_REGISTER_REPLY_RES)) &&
	    nla_put_s64(skb, AIONL_A_REGISTER_REPLY_RES, m->res, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_REGISTER_REPLY_HANDLE)) &&
	    nla_put_u64_64bit(skb, AIONL_A_REGISTER_REPLY_HANDLE, m->handle, AIONL_NL_NOPAD))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aionl_nl_unregister_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_unregister_reply *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_UNREGISTER);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_UNREGISTER_REPLY_RES)) &&
	    nla_put_s64(skb, AIONL_A_UNREGISTER_REPLY_RES, m->res, AIONL_NL_NOPAD))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aionl_nl_completion_put(struct sk_buff *skb, u32 seq, const struct aionl_completion *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_COMPLETION);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_COOKIE)) &&
	    nla_put_u64_64bit(skb, AIONL_A_COMPLETION_COOKIE, m->cookie, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_RES)) &&
	    nla_put_s64(skb, AIONL_A_COMPLETION_RES, m->res, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_FLAGS)) &&
	    nla_put_u32(skb, AIONL_A_COMPLETION_FLAGS, m->flags))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_SIGNO)) &&
	    nla_put_u32(skb, AIONL_A_COMPLETION_SSI_SIGNO, m->ssi_signo))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_CODE)) &&
	    nla_put_s32(skb, AIONL_A_COMPLETION_SSI_CODE, m->ssi_code))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_PID)) &&
	    nla_put_u32(skb, AIONL_A_COMPLETION_SSI_PID, m->ssi_pid))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_UID)) &&
	    nla_put_u32(skb, AIONL_A_COMPLETION_SSI_UID, m->ssi_uid))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_STATUS)) &&
	    nla_put_s32(skb, AIONL_A_COMPLETION_SSI_STATUS, m->ssi_status))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_ERRNO)) &&
	    nla_put_s32(skb, AIONL_A_COMPLETION_SSI_ERRNO, m->ssi_errno))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_VALUE)) &&
	    nla_put_u64_64bit(skb, AIONL_A_COMPLETION_SSI_VALUE, m->ssi_value, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_ADDR)) &&
	    nla_put_u64_64bit(skb, AIONL_A_COMPLETION_SSI_ADDR, m->ssi_addr, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_FD)) &&
	    nla_put_s32(skb, AIONL_A_COMPLETION_SSI_FD, m->ssi_fd))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_BAND)) &&
	    nla_put_s64(skb, AIONL_A_COMPLETION_SSI_BAND, m->ssi_band, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_OVERRUN)) &&
	    nla_put_s32(skb, AIONL_A_COMPLETION_SSI_OVERRUN, m->ssi_overrun))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_HANDLE)) &&
	    nla_put_u64_64bit(skb, AIONL_A_COMPLETION_HANDLE, m->handle, AIONL_NL_NOPAD))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aionl_nl_install_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_install_reply *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_INSTALL);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_INSTALL_REPLY_RES)) &&
	    nla_put_s64(skb, AIONL_A_INSTALL_REPLY_RES, m->res, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_INSTALL_REPLY_FD)) &&
	    nla_put_s32(skb, AIONL_A_INSTALL_REPLY_FD, m->fd))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aionl_nl_bind_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_bind_reply *m)
{
	void *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, AIONL_CMD_BIND);

	if (!hdr)
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_BIND_REPLY_RES)) &&
	    nla_put_s64(skb, AIONL_A_BIND_REPLY_RES, m->res, AIONL_NL_NOPAD))
		goto cancel;
	if ((m->present & (1ULL << AIONL_A_BIND_REPLY_DEV)) &&
	    nla_put_u64_64bit(skb, AIONL_A_BIND_REPLY_DEV, m->dev, AIONL_NL_NOPAD))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static const struct genl_ops aionl_nl_ops[21] = {
	{
		.cmd		= AIONL_CMD_GET_INFO,
		.doit		= aionl_nl_get_info_doit,
	},
	{
		.cmd		= AIONL_CMD_REGISTER,
		.doit		= aionl_nl_register_doit,
		.policy		= aionl_register_nl_policy,
		.maxattr	= AIONL_A_REGISTER_MAX,
	},
	{
		.cmd		= AIONL_CMD_UNREGISTER,
		.doit		= aionl_nl_unregister_doit,
		.policy		= aionl_unregister_nl_policy,
		.maxattr	= AIONL_A_UNREGISTER_MAX,
	},
	{
		.cmd		= AIONL_CMD_READ,
		.doit		= aionl_nl_read_doit,
		.policy		= aionl_transfer_nl_policy,
		.maxattr	= AIONL_A_TRANSFER_MAX,
	},
	{
		.cmd		= AIONL_CMD_WRITE,
		.doit		= aionl_nl_write_doit,
		.policy		= aionl_transfer_nl_policy,
		.maxattr	= AIONL_A_TRANSFER_MAX,
	},
	{
		.cmd		= AIONL_CMD_READV,
		.doit		= aionl_nl_readv_doit,
		.policy		= aionl_transfer_v_nl_policy,
		.maxattr	= AIONL_A_TRANSFER_V_MAX,
	},
	{
		.cmd		= AIONL_CMD_WRITEV,
		.doit		= aionl_nl_writev_doit,
		.policy		= aionl_transfer_v_nl_policy,
		.maxattr	= AIONL_A_TRANSFER_V_MAX,
	},
	{
		.cmd		= AIONL_CMD_FSYNC,
		.doit		= aionl_nl_fsync_doit,
		.policy		= aionl_sync_nl_policy,
		.maxattr	= AIONL_A_SYNC_MAX,
	},
	{
		.cmd		= AIONL_CMD_FDATASYNC,
		.doit		= aionl_nl_fdatasync_doit,
		.policy		= aionl_sync_nl_policy,
		.maxattr	= AIONL_A_SYNC_MAX,
	},
	{
		.cmd		= AIONL_CMD_NOP,
		.doit		= aionl_nl_nop_doit,
		.policy		= aionl_nop_nl_policy,
		.maxattr	= AIONL_A_NOP_MAX,
	},
	{
		.cmd		= AIONL_CMD_TIMER,
		.doit		= aionl_nl_timer_doit,
		.policy		= aionl_timer_nl_policy,
		.maxattr	= AIONL_A_TIMER_MAX,
	},
	{
		.cmd		= AIONL_CMD_TIMER_UPDATE,
		.doit		= aionl_nl_timer_update_doit,
		.policy		= aionl_timer_update_nl_policy,
		.maxattr	= AIONL_A_TIMER_UPDATE_MAX,
	},
	{
		.cmd		= AIONL_CMD_POLL,
		.doit		= aionl_nl_poll_doit,
		.policy		= aionl_poll_nl_policy,
		.maxattr	= AIONL_A_POLL_MAX,
	},
	{
		.cmd		= AIONL_CMD_SIGNAL,
		.doit		= aionl_nl_signal_doit,
		.policy		= aionl_signal_nl_policy,
		.maxattr	= AIONL_A_SIGNAL_MAX,
	},
	{
		.cmd		= AIONL_CMD_CANCEL,
		.doit		= aionl_nl_cancel_doit,
		.policy		= aionl_cancel_nl_policy,
		.maxattr	= AIONL_A_CANCEL_MAX,
	},
	{
		.cmd		= AIONL_CMD_OPEN,
		.doit		= aionl_nl_open_doit,
		.policy		= aionl_open_nl_policy,
		.maxattr	= AIONL_A_OPEN_MAX,
	},
	{
		.cmd		= AIONL_CMD_INSTALL,
		.doit		= aionl_nl_install_doit,
		.policy		= aionl_install_nl_policy,
		.maxattr	= AIONL_A_INSTALL_MAX,
	},
	{
		.cmd		= AIONL_CMD_BIND,
		.doit		= aionl_nl_bind_doit,
		.policy		= aionl_bind_nl_policy,
		.maxattr	= AIONL_A_BIND_MAX,
	},
	{
		.cmd		= AIONL_CMD_FALLOCATE,
		.doit		= aionl_nl_fallocate_doit,
		.policy		= aionl_fallocate_nl_policy,
		.maxattr	= AIONL_A_FALLOCATE_MAX,
	},
	{
		.cmd		= AIONL_CMD_STATX,
		.doit		= aionl_nl_statx_doit,
		.policy		= aionl_statx_nl_policy,
		.maxattr	= AIONL_A_STATX_MAX,
	},
	{
		.cmd		= AIONL_CMD_COPY,
		.doit		= aionl_nl_copy_doit,
		.policy		= aionl_copy_nl_policy,
		.maxattr	= AIONL_A_COPY_MAX,
	},
};

/*
 * Any process may open the family's socket, in any network namespace: each
 * request runs with its sender's own rights. Requests of one socket may run
 * in parallel (the module keeps its own per-socket locking).
 */
struct genl_family aionl_nl_family __ro_after_init = {
	.name		= AIONL_FAMILY_NAME,
	.version	= AIONL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.pre_doit	= aionl_nl_pre_doit,
	.ops		= aionl_nl_ops,
	.n_ops		= ARRAY_SIZE(aionl_nl_ops),
};
