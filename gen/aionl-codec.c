// SPDX-License-Identifier: MIT
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "aionl-codec.h"

static int aionl__bad_attr(struct aionl_parse_err *err, const struct nlmsghdr *nlh,
			   const struct nlattr *a, const char *msg)
{
	err->msg = msg;
	err->attr = a ? mnl_attr_get_type(a) : 0;
	err->offset = a ? (uint32_t)((const char *)a - (const char *)nlh) : 0;
	return -EINVAL;
}

static int aionl__missing(struct aionl_parse_err *err, uint64_t missing,
			  const char *const *names)
{
	int type = __builtin_ctzll(missing);

	err->msg = names[type];
	err->attr = (uint16_t)type;
	err->offset = 0;
	return -EINVAL;
}

/* The attributes start after the genlmsghdr; the caller checked it is there. */
static int aionl__trailing(struct aionl_parse_err *err, const struct nlmsghdr *nlh,
			   const struct nlattr *a)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	if ((const char *)a < end)
		return aionl__bad_attr(err, nlh, a, "truncated attribute");
	return 0;
}

int aionl_get_info_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info *m)
{
	(void)nlh;
	(void)buflen;
	(void)m;
	return 0;
}

static const char *const aionl__get_info_missing[64] = {
};

int aionl_get_info_parse(const struct nlmsghdr *nlh, struct aionl_get_info *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_GET_INFO_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__get_info_missing);
	return 0;
}

int aionl_get_info_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_get_info_reply *m)
{
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_VERSION)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_VERSION, (uint32_t)m->version))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_BACKEND)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_BACKEND, (uint32_t)m->backend))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_EXECUTOR)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_EXECUTOR, (uint32_t)m->executor))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT, (uint32_t)m->max_inflight))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_FILES)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_MAX_FILES, (uint32_t)m->max_files))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_IO_LEN)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_MAX_IO_LEN, (uint64_t)m->max_io_len))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_IOV)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_MAX_IOV, (uint32_t)m->max_iov))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE, (uint32_t)m->max_msg_size))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_WORKERS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_WORKERS, (uint32_t)m->workers))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_COMMANDS, (uint64_t)m->commands))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_GET_INFO_REPLY_ORDER_FLAGS, (uint32_t)m->order_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__get_info_reply_missing[64] = {
	[AIONL_A_GET_INFO_REPLY_VERSION] = "missing attribute version",
	[AIONL_A_GET_INFO_REPLY_BACKEND] = "missing attribute backend",
	[AIONL_A_GET_INFO_REPLY_EXECUTOR] = "missing attribute executor",
	[AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT] = "missing attribute max_inflight",
	[AIONL_A_GET_INFO_REPLY_MAX_FILES] = "missing attribute max_files",
	[AIONL_A_GET_INFO_REPLY_MAX_IO_LEN] = "missing attribute max_io_len",
	[AIONL_A_GET_INFO_REPLY_MAX_IOV] = "missing attribute max_iov",
	[AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE] = "missing attribute max_msg_size",
};

int aionl_get_info_reply_parse(const struct nlmsghdr *nlh, struct aionl_get_info_reply *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_GET_INFO_REPLY_VERSION:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "version: wrong attribute length");
			m->version = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_BACKEND:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "backend: wrong attribute length");
			m->backend = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_EXECUTOR:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "executor: wrong attribute length");
			m->executor = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "max_inflight: wrong attribute length");
			m->max_inflight = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_MAX_FILES:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "max_files: wrong attribute length");
			m->max_files = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_MAX_IO_LEN:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "max_io_len: wrong attribute length");
			m->max_io_len = mnl_attr_get_u64(a);
			break;
		case AIONL_A_GET_INFO_REPLY_MAX_IOV:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "max_iov: wrong attribute length");
			m->max_iov = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "max_msg_size: wrong attribute length");
			m->max_msg_size = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_WORKERS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "workers: wrong attribute length");
			m->workers = mnl_attr_get_u32(a);
			break;
		case AIONL_A_GET_INFO_REPLY_COMMANDS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "commands: wrong attribute length");
			m->commands = mnl_attr_get_u64(a);
			break;
		case AIONL_A_GET_INFO_REPLY_ORDER_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "order_flags: wrong attribute length");
			m->order_flags = mnl_attr_get_u32(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_GET_INFO_REPLY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__get_info_reply_missing);
	return 0;
}

int aionl_register_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register *m)
{
	if ((m->present & (1ULL << AIONL_A_REGISTER_FD)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_REGISTER_FD, (uint32_t)m->fd))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__register_missing[64] = {
	[AIONL_A_REGISTER_FD] = "missing attribute fd",
};

int aionl_register_parse(const struct nlmsghdr *nlh, struct aionl_register *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_REGISTER_FD:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "fd: wrong attribute length");
			m->fd = (int32_t)mnl_attr_get_u32(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_REGISTER_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__register_missing);
	return 0;
}

int aionl_register_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_register_reply *m)
{
	if ((m->present & (1ULL << AIONL_A_REGISTER_REPLY_RES)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_REGISTER_REPLY_RES, (uint64_t)m->res))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_REGISTER_REPLY_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_REGISTER_REPLY_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__register_reply_missing[64] = {
	[AIONL_A_REGISTER_REPLY_RES] = "missing attribute res",
};

int aionl_register_reply_parse(const struct nlmsghdr *nlh, struct aionl_register_reply *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_REGISTER_REPLY_RES:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "res: wrong attribute length");
			m->res = (int64_t)mnl_attr_get_u64(a);
			break;
		case AIONL_A_REGISTER_REPLY_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_REGISTER_REPLY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__register_reply_missing);
	return 0;
}

int aionl_unregister_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister *m)
{
	if ((m->present & (1ULL << AIONL_A_UNREGISTER_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_UNREGISTER_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__unregister_missing[64] = {
	[AIONL_A_UNREGISTER_HANDLE] = "missing attribute handle",
};

int aionl_unregister_parse(const struct nlmsghdr *nlh, struct aionl_unregister *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_UNREGISTER_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_UNREGISTER_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__unregister_missing);
	return 0;
}

int aionl_unregister_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_unregister_reply *m)
{
	if ((m->present & (1ULL << AIONL_A_UNREGISTER_REPLY_RES)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_UNREGISTER_REPLY_RES, (uint64_t)m->res))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__unregister_reply_missing[64] = {
	[AIONL_A_UNREGISTER_REPLY_RES] = "missing attribute res",
};

int aionl_unregister_reply_parse(const struct nlmsghdr *nlh, struct aionl_unregister_reply *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_UNREGISTER_REPLY_RES:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "res: wrong attribute length");
			m->res = (int64_t)mnl_attr_get_u64(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_UNREGISTER_REPLY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__unregister_reply_missing);
	return 0;
}

int aionl_transfer_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_transfer *m)
{
	if ((m->present & (1ULL << AIONL_A_TRANSFER_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_OFFSET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_OFFSET, (uint64_t)m->offset))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_ADDR)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_ADDR, (uint64_t)m->addr))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_LEN)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_LEN, (uint64_t)m->len))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_TIMEOUT_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_TIMEOUT_NS, (uint64_t)m->timeout_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_TRANSFER_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__transfer_missing[64] = {
	[AIONL_A_TRANSFER_COOKIE] = "missing attribute cookie",
	[AIONL_A_TRANSFER_HANDLE] = "missing attribute handle",
	[AIONL_A_TRANSFER_OFFSET] = "missing attribute offset",
	[AIONL_A_TRANSFER_ADDR] = "missing attribute addr",
	[AIONL_A_TRANSFER_LEN] = "missing attribute len",
};

int aionl_transfer_parse(const struct nlmsghdr *nlh, struct aionl_transfer *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_TRANSFER_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_OFFSET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "offset: wrong attribute length");
			m->offset = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_ADDR:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "addr: wrong attribute length");
			m->addr = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_LEN:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "len: wrong attribute length");
			m->len = mnl_attr_get_u64(a);
			if (m->len > AIONL_MAX_IO_LEN)
				return aionl__bad_attr(err, nlh, a, "len: out of range");
			break;
		case AIONL_A_TRANSFER_TIMEOUT_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "timeout_ns: wrong attribute length");
			m->timeout_ns = mnl_attr_get_u64(a);
			if (m->timeout_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "timeout_ns: out of range");
			break;
		case AIONL_A_TRANSFER_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_TRANSFER_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__transfer_missing);
	return 0;
}

int aionl_transfer_v_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_transfer_v *m)
{
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_V_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_V_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_OFFSET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_V_OFFSET, (uint64_t)m->offset))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_IOV)) &&
	    !mnl_attr_put_check(nlh, buflen, AIONL_A_TRANSFER_V_IOV, m->iov_len, m->iov))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_TIMEOUT_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TRANSFER_V_TIMEOUT_NS, (uint64_t)m->timeout_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TRANSFER_V_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_TRANSFER_V_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__transfer_v_missing[64] = {
	[AIONL_A_TRANSFER_V_COOKIE] = "missing attribute cookie",
	[AIONL_A_TRANSFER_V_HANDLE] = "missing attribute handle",
	[AIONL_A_TRANSFER_V_OFFSET] = "missing attribute offset",
	[AIONL_A_TRANSFER_V_IOV] = "missing attribute iov",
};

int aionl_transfer_v_parse(const struct nlmsghdr *nlh, struct aionl_transfer_v *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_TRANSFER_V_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_V_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_V_OFFSET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "offset: wrong attribute length");
			m->offset = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TRANSFER_V_IOV:
			m->iov = mnl_attr_get_payload(a);
			m->iov_len = len;
			if (len % 16 || len < 1 * 16 || len > AIONL_MAX_IOV * 16)
				return aionl__bad_attr(err, nlh, a, "iov: not an array of 1 to MAX_IOV 16-byte elements");
			break;
		case AIONL_A_TRANSFER_V_TIMEOUT_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "timeout_ns: wrong attribute length");
			m->timeout_ns = mnl_attr_get_u64(a);
			if (m->timeout_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "timeout_ns: out of range");
			break;
		case AIONL_A_TRANSFER_V_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_TRANSFER_V_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__transfer_v_missing);
	return 0;
}

int aionl_sync_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_sync *m)
{
	if ((m->present & (1ULL << AIONL_A_SYNC_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_SYNC_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_SYNC_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_SYNC_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_SYNC_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_SYNC_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__sync_missing[64] = {
	[AIONL_A_SYNC_COOKIE] = "missing attribute cookie",
	[AIONL_A_SYNC_HANDLE] = "missing attribute handle",
};

int aionl_sync_parse(const struct nlmsghdr *nlh, struct aionl_sync *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_SYNC_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_SYNC_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_SYNC_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_SYNC_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__sync_missing);
	return 0;
}

int aionl_completion_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_completion *m)
{
	if ((m->present & (1ULL << AIONL_A_COMPLETION_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_RES)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_RES, (uint64_t)m->res))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_SIGNO)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_SIGNO, (uint32_t)m->ssi_signo))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_CODE)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_CODE, (uint32_t)m->ssi_code))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_PID)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_PID, (uint32_t)m->ssi_pid))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_UID)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_UID, (uint32_t)m->ssi_uid))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_STATUS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_STATUS, (uint32_t)m->ssi_status))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_ERRNO)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_ERRNO, (uint32_t)m->ssi_errno))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_VALUE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_SSI_VALUE, (uint64_t)m->ssi_value))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_ADDR)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_SSI_ADDR, (uint64_t)m->ssi_addr))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_FD)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_FD, (uint32_t)m->ssi_fd))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_BAND)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_SSI_BAND, (uint64_t)m->ssi_band))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_SSI_OVERRUN)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COMPLETION_SSI_OVERRUN, (uint32_t)m->ssi_overrun))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COMPLETION_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COMPLETION_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__completion_missing[64] = {
	[AIONL_A_COMPLETION_COOKIE] = "missing attribute cookie",
	[AIONL_A_COMPLETION_RES] = "missing attribute res",
};

int aionl_completion_parse(const struct nlmsghdr *nlh, struct aionl_completion *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_COMPLETION_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COMPLETION_RES:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "res: wrong attribute length");
			m->res = (int64_t)mnl_attr_get_u64(a);
			break;
		case AIONL_A_COMPLETION_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_SIGNO:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_signo: wrong attribute length");
			m->ssi_signo = mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_CODE:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_code: wrong attribute length");
			m->ssi_code = (int32_t)mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_PID:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_pid: wrong attribute length");
			m->ssi_pid = mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_UID:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_uid: wrong attribute length");
			m->ssi_uid = mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_STATUS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_status: wrong attribute length");
			m->ssi_status = (int32_t)mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_ERRNO:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_errno: wrong attribute length");
			m->ssi_errno = (int32_t)mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_VALUE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "ssi_value: wrong attribute length");
			m->ssi_value = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COMPLETION_SSI_ADDR:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "ssi_addr: wrong attribute length");
			m->ssi_addr = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COMPLETION_SSI_FD:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_fd: wrong attribute length");
			m->ssi_fd = (int32_t)mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_SSI_BAND:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "ssi_band: wrong attribute length");
			m->ssi_band = (int64_t)mnl_attr_get_u64(a);
			break;
		case AIONL_A_COMPLETION_SSI_OVERRUN:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "ssi_overrun: wrong attribute length");
			m->ssi_overrun = (int32_t)mnl_attr_get_u32(a);
			break;
		case AIONL_A_COMPLETION_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_COMPLETION_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__completion_missing);
	return 0;
}

int aionl_nop_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_nop *m)
{
	if ((m->present & (1ULL << AIONL_A_NOP_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_NOP_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_NOP_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_NOP_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__nop_missing[64] = {
	[AIONL_A_NOP_COOKIE] = "missing attribute cookie",
};

int aionl_nop_parse(const struct nlmsghdr *nlh, struct aionl_nop *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_NOP_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_NOP_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_NOP_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__nop_missing);
	return 0;
}

int aionl_timer_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer *m)
{
	if ((m->present & (1ULL << AIONL_A_TIMER_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_CLOCK)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_TIMER_CLOCK, (uint32_t)m->clock))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_VALUE_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_VALUE_NS, (uint64_t)m->value_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_INTERVAL_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_INTERVAL_NS, (uint64_t)m->interval_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_TIMER_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__timer_missing[64] = {
	[AIONL_A_TIMER_COOKIE] = "missing attribute cookie",
	[AIONL_A_TIMER_CLOCK] = "missing attribute clock",
	[AIONL_A_TIMER_VALUE_NS] = "missing attribute value_ns",
};

int aionl_timer_parse(const struct nlmsghdr *nlh, struct aionl_timer *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_TIMER_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TIMER_CLOCK:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "clock: wrong attribute length");
			m->clock = mnl_attr_get_u32(a);
			switch (m->clock) {
			case AIONL_TIMER_CLOCK_REALTIME:
			case AIONL_TIMER_CLOCK_MONOTONIC:
			case AIONL_TIMER_CLOCK_BOOTTIME:
				break;
			default:
				return aionl__bad_attr(err, nlh, a, "clock: not a value of TimerClock");
			}
			break;
		case AIONL_A_TIMER_VALUE_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "value_ns: wrong attribute length");
			m->value_ns = mnl_attr_get_u64(a);
			if (m->value_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "value_ns: out of range");
			break;
		case AIONL_A_TIMER_INTERVAL_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "interval_ns: wrong attribute length");
			m->interval_ns = mnl_attr_get_u64(a);
			if (m->interval_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "interval_ns: out of range");
			break;
		case AIONL_A_TIMER_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_TIMER_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_TIMER_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__timer_missing);
	return 0;
}

int aionl_timer_update_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_timer_update *m)
{
	if ((m->present & (1ULL << AIONL_A_TIMER_UPDATE_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_UPDATE_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_UPDATE_TARGET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_UPDATE_TARGET, (uint64_t)m->target))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_UPDATE_VALUE_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_UPDATE_VALUE_NS, (uint64_t)m->value_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_UPDATE_INTERVAL_NS)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_TIMER_UPDATE_INTERVAL_NS, (uint64_t)m->interval_ns))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_TIMER_UPDATE_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_TIMER_UPDATE_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__timer_update_missing[64] = {
	[AIONL_A_TIMER_UPDATE_COOKIE] = "missing attribute cookie",
	[AIONL_A_TIMER_UPDATE_TARGET] = "missing attribute target",
	[AIONL_A_TIMER_UPDATE_VALUE_NS] = "missing attribute value_ns",
};

int aionl_timer_update_parse(const struct nlmsghdr *nlh, struct aionl_timer_update *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_TIMER_UPDATE_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TIMER_UPDATE_TARGET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "target: wrong attribute length");
			m->target = mnl_attr_get_u64(a);
			break;
		case AIONL_A_TIMER_UPDATE_VALUE_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "value_ns: wrong attribute length");
			m->value_ns = mnl_attr_get_u64(a);
			if (m->value_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "value_ns: out of range");
			break;
		case AIONL_A_TIMER_UPDATE_INTERVAL_NS:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "interval_ns: wrong attribute length");
			m->interval_ns = mnl_attr_get_u64(a);
			if (m->interval_ns > AIONL_MAX_NS)
				return aionl__bad_attr(err, nlh, a, "interval_ns: out of range");
			break;
		case AIONL_A_TIMER_UPDATE_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_TIMER_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_TIMER_UPDATE_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__timer_update_missing);
	return 0;
}

int aionl_poll_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_poll *m)
{
	if ((m->present & (1ULL << AIONL_A_POLL_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_POLL_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_POLL_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_POLL_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_POLL_EVENTS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_POLL_EVENTS, (uint32_t)m->events))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_POLL_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_POLL_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__poll_missing[64] = {
	[AIONL_A_POLL_COOKIE] = "missing attribute cookie",
	[AIONL_A_POLL_HANDLE] = "missing attribute handle",
	[AIONL_A_POLL_EVENTS] = "missing attribute events",
};

int aionl_poll_parse(const struct nlmsghdr *nlh, struct aionl_poll *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_POLL_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_POLL_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_POLL_EVENTS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "events: wrong attribute length");
			m->events = mnl_attr_get_u32(a);
			if (m->events & ~(uint64_t)AIONL_POLL_EVENT_MASK)
				return aionl__bad_attr(err, nlh, a, "events: unknown bits set");
			break;
		case AIONL_A_POLL_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_POLL_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_POLL_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__poll_missing);
	return 0;
}

int aionl_signal_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_signal *m)
{
	if ((m->present & (1ULL << AIONL_A_SIGNAL_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_SIGNAL_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_SIGNAL_MASK)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_SIGNAL_MASK, (uint64_t)m->mask))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__signal_missing[64] = {
	[AIONL_A_SIGNAL_COOKIE] = "missing attribute cookie",
	[AIONL_A_SIGNAL_MASK] = "missing attribute mask",
};

int aionl_signal_parse(const struct nlmsghdr *nlh, struct aionl_signal *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_SIGNAL_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_SIGNAL_MASK:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "mask: wrong attribute length");
			m->mask = mnl_attr_get_u64(a);
			if (m->mask < 1ULL)
				return aionl__bad_attr(err, nlh, a, "mask: out of range");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_SIGNAL_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__signal_missing);
	return 0;
}

int aionl_cancel_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_cancel *m)
{
	if ((m->present & (1ULL << AIONL_A_CANCEL_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_CANCEL_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_CANCEL_TARGET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_CANCEL_TARGET, (uint64_t)m->target))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_CANCEL_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_CANCEL_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__cancel_missing[64] = {
	[AIONL_A_CANCEL_COOKIE] = "missing attribute cookie",
};

int aionl_cancel_parse(const struct nlmsghdr *nlh, struct aionl_cancel *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_CANCEL_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_CANCEL_TARGET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "target: wrong attribute length");
			m->target = mnl_attr_get_u64(a);
			break;
		case AIONL_A_CANCEL_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_CANCEL_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_CANCEL_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__cancel_missing);
	return 0;
}

int aionl_open_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_open *m)
{
	if ((m->present & (1ULL << AIONL_A_OPEN_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_OPEN_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_DIR)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_OPEN_DIR, (uint64_t)m->dir))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_PATH)) &&
	    !mnl_attr_put_strz_check(nlh, buflen, AIONL_A_OPEN_PATH, m->path))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_OPEN_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_MODE)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_OPEN_MODE, (uint32_t)m->mode))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_OPTIONS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_OPEN_OPTIONS, (uint32_t)m->options))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_OPEN_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_OPEN_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__open_missing[64] = {
	[AIONL_A_OPEN_COOKIE] = "missing attribute cookie",
	[AIONL_A_OPEN_PATH] = "missing attribute path",
	[AIONL_A_OPEN_FLAGS] = "missing attribute flags",
};

int aionl_open_parse(const struct nlmsghdr *nlh, struct aionl_open *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_OPEN_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_OPEN_DIR:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "dir: wrong attribute length");
			m->dir = mnl_attr_get_u64(a);
			break;
		case AIONL_A_OPEN_PATH:
			if (len == 0 || ((const char *)mnl_attr_get_payload(a))[len - 1] != '\0')
				return aionl__bad_attr(err, nlh, a, "path: string is not NUL-terminated");
			m->path = mnl_attr_get_str(a);
			if (strnlen(m->path, AIONL_MAX_PATH) == AIONL_MAX_PATH)
				return aionl__bad_attr(err, nlh, a, "path: longer than MAX_PATH bytes with its NUL");
			break;
		case AIONL_A_OPEN_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_OPEN_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		case AIONL_A_OPEN_MODE:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "mode: wrong attribute length");
			m->mode = mnl_attr_get_u32(a);
			if (m->mode > 4095U)
				return aionl__bad_attr(err, nlh, a, "mode: out of range");
			break;
		case AIONL_A_OPEN_OPTIONS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "options: wrong attribute length");
			m->options = mnl_attr_get_u32(a);
			if (m->options & ~(uint64_t)AIONL_OPEN_OPTION_MASK)
				return aionl__bad_attr(err, nlh, a, "options: unknown bits set");
			break;
		case AIONL_A_OPEN_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_OPEN_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__open_missing);
	return 0;
}

int aionl_install_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_install *m)
{
	if ((m->present & (1ULL << AIONL_A_INSTALL_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_INSTALL_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_INSTALL_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_INSTALL_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__install_missing[64] = {
	[AIONL_A_INSTALL_HANDLE] = "missing attribute handle",
};

int aionl_install_parse(const struct nlmsghdr *nlh, struct aionl_install *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_INSTALL_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_INSTALL_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_INSTALL_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_INSTALL_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__install_missing);
	return 0;
}

int aionl_install_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_install_reply *m)
{
	if ((m->present & (1ULL << AIONL_A_INSTALL_REPLY_RES)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_INSTALL_REPLY_RES, (uint64_t)m->res))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_INSTALL_REPLY_FD)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_INSTALL_REPLY_FD, (uint32_t)m->fd))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__install_reply_missing[64] = {
	[AIONL_A_INSTALL_REPLY_RES] = "missing attribute res",
};

int aionl_install_reply_parse(const struct nlmsghdr *nlh, struct aionl_install_reply *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_INSTALL_REPLY_RES:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "res: wrong attribute length");
			m->res = (int64_t)mnl_attr_get_u64(a);
			break;
		case AIONL_A_INSTALL_REPLY_FD:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "fd: wrong attribute length");
			m->fd = (int32_t)mnl_attr_get_u32(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_INSTALL_REPLY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__install_reply_missing);
	return 0;
}

int aionl_bind_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_bind *m)
{
	if ((m->present & (1ULL << AIONL_A_BIND_FD)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_BIND_FD, (uint32_t)m->fd))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__bind_missing[64] = {
	[AIONL_A_BIND_FD] = "missing attribute fd",
};

int aionl_bind_parse(const struct nlmsghdr *nlh, struct aionl_bind *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_BIND_FD:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "fd: wrong attribute length");
			m->fd = (int32_t)mnl_attr_get_u32(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_BIND_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__bind_missing);
	return 0;
}

int aionl_bind_reply_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_bind_reply *m)
{
	if ((m->present & (1ULL << AIONL_A_BIND_REPLY_RES)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_BIND_REPLY_RES, (uint64_t)m->res))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_BIND_REPLY_DEV)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_BIND_REPLY_DEV, (uint64_t)m->dev))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__bind_reply_missing[64] = {
	[AIONL_A_BIND_REPLY_RES] = "missing attribute res",
};

int aionl_bind_reply_parse(const struct nlmsghdr *nlh, struct aionl_bind_reply *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_BIND_REPLY_RES:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "res: wrong attribute length");
			m->res = (int64_t)mnl_attr_get_u64(a);
			break;
		case AIONL_A_BIND_REPLY_DEV:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "dev: wrong attribute length");
			m->dev = mnl_attr_get_u64(a);
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_BIND_REPLY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__bind_reply_missing);
	return 0;
}

int aionl_fallocate_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_fallocate *m)
{
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_FALLOCATE_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_FALLOCATE_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_OFFSET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_FALLOCATE_OFFSET, (uint64_t)m->offset))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_LEN)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_FALLOCATE_LEN, (uint64_t)m->len))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_MODE)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_FALLOCATE_MODE, (uint32_t)m->mode))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_FALLOCATE_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_FALLOCATE_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__fallocate_missing[64] = {
	[AIONL_A_FALLOCATE_COOKIE] = "missing attribute cookie",
	[AIONL_A_FALLOCATE_HANDLE] = "missing attribute handle",
	[AIONL_A_FALLOCATE_OFFSET] = "missing attribute offset",
	[AIONL_A_FALLOCATE_LEN] = "missing attribute len",
};

int aionl_fallocate_parse(const struct nlmsghdr *nlh, struct aionl_fallocate *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_FALLOCATE_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_FALLOCATE_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_FALLOCATE_OFFSET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "offset: wrong attribute length");
			m->offset = mnl_attr_get_u64(a);
			if (m->offset > AIONL_MAX_OFFSET)
				return aionl__bad_attr(err, nlh, a, "offset: out of range");
			break;
		case AIONL_A_FALLOCATE_LEN:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "len: wrong attribute length");
			m->len = mnl_attr_get_u64(a);
			if (m->len < 1ULL || m->len > AIONL_MAX_OFFSET)
				return aionl__bad_attr(err, nlh, a, "len: out of range");
			break;
		case AIONL_A_FALLOCATE_MODE:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "mode: wrong attribute length");
			m->mode = mnl_attr_get_u32(a);
			if (m->mode & ~(uint64_t)AIONL_FALLOC_MODE_MASK)
				return aionl__bad_attr(err, nlh, a, "mode: unknown bits set");
			break;
		case AIONL_A_FALLOCATE_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_FALLOCATE_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__fallocate_missing);
	return 0;
}

int aionl_statx_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_statx *m)
{
	if ((m->present & (1ULL << AIONL_A_STATX_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_STATX_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_STATX_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_PATH)) &&
	    !mnl_attr_put_strz_check(nlh, buflen, AIONL_A_STATX_PATH, m->path))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_STATX_FLAGS, (uint32_t)m->flags))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_MASK)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_STATX_MASK, (uint32_t)m->mask))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_ADDR)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_STATX_ADDR, (uint64_t)m->addr))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_STATX_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_STATX_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__statx_missing[64] = {
	[AIONL_A_STATX_COOKIE] = "missing attribute cookie",
	[AIONL_A_STATX_MASK] = "missing attribute mask",
	[AIONL_A_STATX_ADDR] = "missing attribute addr",
};

int aionl_statx_parse(const struct nlmsghdr *nlh, struct aionl_statx *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_STATX_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_STATX_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_STATX_PATH:
			if (len == 0 || ((const char *)mnl_attr_get_payload(a))[len - 1] != '\0')
				return aionl__bad_attr(err, nlh, a, "path: string is not NUL-terminated");
			m->path = mnl_attr_get_str(a);
			if (strnlen(m->path, AIONL_MAX_PATH) == AIONL_MAX_PATH)
				return aionl__bad_attr(err, nlh, a, "path: longer than MAX_PATH bytes with its NUL");
			break;
		case AIONL_A_STATX_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "flags: wrong attribute length");
			m->flags = mnl_attr_get_u32(a);
			if (m->flags & ~(uint64_t)AIONL_STATX_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "flags: unknown bits set");
			break;
		case AIONL_A_STATX_MASK:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "mask: wrong attribute length");
			m->mask = mnl_attr_get_u32(a);
			if (m->mask & ~(uint64_t)AIONL_STATX_MASK_BITS)
				return aionl__bad_attr(err, nlh, a, "mask: unknown bits set");
			break;
		case AIONL_A_STATX_ADDR:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "addr: wrong attribute length");
			m->addr = mnl_attr_get_u64(a);
			break;
		case AIONL_A_STATX_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_STATX_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__statx_missing);
	return 0;
}

int aionl_copy_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_copy *m)
{
	if ((m->present & (1ULL << AIONL_A_COPY_COOKIE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_COOKIE, (uint64_t)m->cookie))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_HANDLE, (uint64_t)m->handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_OFFSET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_OFFSET, (uint64_t)m->offset))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_DST_HANDLE)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_DST_HANDLE, (uint64_t)m->dst_handle))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_DST_OFFSET)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_DST_OFFSET, (uint64_t)m->dst_offset))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_LEN)) &&
	    !mnl_attr_put_u64_check(nlh, buflen, AIONL_A_COPY_LEN, (uint64_t)m->len))
		return -EMSGSIZE;
	if ((m->present & (1ULL << AIONL_A_COPY_REQ_FLAGS)) &&
	    !mnl_attr_put_u32_check(nlh, buflen, AIONL_A_COPY_REQ_FLAGS, (uint32_t)m->req_flags))
		return -EMSGSIZE;
	return 0;
}

static const char *const aionl__copy_missing[64] = {
	[AIONL_A_COPY_COOKIE] = "missing attribute cookie",
	[AIONL_A_COPY_HANDLE] = "missing attribute handle",
	[AIONL_A_COPY_OFFSET] = "missing attribute offset",
	[AIONL_A_COPY_DST_HANDLE] = "missing attribute dst_handle",
	[AIONL_A_COPY_DST_OFFSET] = "missing attribute dst_offset",
	[AIONL_A_COPY_LEN] = "missing attribute len",
};

int aionl_copy_parse(const struct nlmsghdr *nlh, struct aionl_copy *m,
		struct aionl_parse_err *err)
{
	const struct nlattr *a;
	uint64_t missing;

	memset(m, 0, sizeof(*m));
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		(void)len;
		switch (type) {
		case AIONL_A_COPY_COOKIE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "cookie: wrong attribute length");
			m->cookie = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COPY_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "handle: wrong attribute length");
			m->handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COPY_OFFSET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "offset: wrong attribute length");
			m->offset = mnl_attr_get_u64(a);
			if (m->offset > AIONL_MAX_OFFSET)
				return aionl__bad_attr(err, nlh, a, "offset: out of range");
			break;
		case AIONL_A_COPY_DST_HANDLE:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "dst_handle: wrong attribute length");
			m->dst_handle = mnl_attr_get_u64(a);
			break;
		case AIONL_A_COPY_DST_OFFSET:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "dst_offset: wrong attribute length");
			m->dst_offset = mnl_attr_get_u64(a);
			if (m->dst_offset > AIONL_MAX_OFFSET)
				return aionl__bad_attr(err, nlh, a, "dst_offset: out of range");
			break;
		case AIONL_A_COPY_LEN:
			if (len != 8)
				return aionl__bad_attr(err, nlh, a, "len: wrong attribute length");
			m->len = mnl_attr_get_u64(a);
			if (m->len < 1ULL || m->len > AIONL_MAX_IO_LEN)
				return aionl__bad_attr(err, nlh, a, "len: out of range");
			break;
		case AIONL_A_COPY_REQ_FLAGS:
			if (len != 4)
				return aionl__bad_attr(err, nlh, a, "req_flags: wrong attribute length");
			m->req_flags = mnl_attr_get_u32(a);
			if (m->req_flags & ~(uint64_t)AIONL_REQ_FLAG_MASK)
				return aionl__bad_attr(err, nlh, a, "req_flags: unknown bits set");
			break;
		default:
			return aionl__bad_attr(err, nlh, a, "unknown attribute type");
		}
		m->present |= 1ULL << type;
	}
	if (aionl__trailing(err, nlh, a))
		return -EINVAL;
	missing = AIONL_COPY_REQUIRED_MASK & ~m->present;
	if (missing)
		return aionl__missing(err, missing, aionl__copy_missing);
	return 0;
}

static const uint32_t aionl__backend_values[] = AIONL_BACKEND_VALUES;

static const uint32_t aionl__executor_values[] = AIONL_EXECUTOR_VALUES;

static const uint32_t aionl__timer_clock_values[] = AIONL_TIMER_CLOCK_VALUES;

static const struct aionl_attr_desc aionl__get_info_attrs[] = {
	{ NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
};

static int aionl__get_info_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_get_info_put(nlh, buflen, m);
}

static int aionl__get_info_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_get_info_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__get_info_reply_attrs[] = {
	{ "version", AIONL_A_GET_INFO_REPLY_VERSION, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, version), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "backend", AIONL_A_GET_INFO_REPLY_BACKEND, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, backend), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 3, aionl__backend_values },
	{ "executor", AIONL_A_GET_INFO_REPLY_EXECUTOR, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, executor), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 4, aionl__executor_values },
	{ "max_inflight", AIONL_A_GET_INFO_REPLY_MAX_INFLIGHT, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, max_inflight), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "max_files", AIONL_A_GET_INFO_REPLY_MAX_FILES, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, max_files), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "max_io_len", AIONL_A_GET_INFO_REPLY_MAX_IO_LEN, AIONL_ATTR_U64, 1, offsetof(struct aionl_get_info_reply, max_io_len), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "max_iov", AIONL_A_GET_INFO_REPLY_MAX_IOV, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, max_iov), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "max_msg_size", AIONL_A_GET_INFO_REPLY_MAX_MSG_SIZE, AIONL_ATTR_U32, 1, offsetof(struct aionl_get_info_reply, max_msg_size), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "workers", AIONL_A_GET_INFO_REPLY_WORKERS, AIONL_ATTR_U32, 0, offsetof(struct aionl_get_info_reply, workers), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "commands", AIONL_A_GET_INFO_REPLY_COMMANDS, AIONL_ATTR_U64, 0, offsetof(struct aionl_get_info_reply, commands), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "order_flags", AIONL_A_GET_INFO_REPLY_ORDER_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_get_info_reply, order_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__get_info_reply_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_get_info_reply_put(nlh, buflen, m);
}

static int aionl__get_info_reply_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_get_info_reply_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__register_attrs[] = {
	{ "fd", AIONL_A_REGISTER_FD, AIONL_ATTR_S32, 1, offsetof(struct aionl_register, fd), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__register_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_register_put(nlh, buflen, m);
}

static int aionl__register_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_register_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__register_reply_attrs[] = {
	{ "res", AIONL_A_REGISTER_REPLY_RES, AIONL_ATTR_S64, 1, offsetof(struct aionl_register_reply, res), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_REGISTER_REPLY_HANDLE, AIONL_ATTR_U64, 0, offsetof(struct aionl_register_reply, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__register_reply_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_register_reply_put(nlh, buflen, m);
}

static int aionl__register_reply_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_register_reply_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__unregister_attrs[] = {
	{ "handle", AIONL_A_UNREGISTER_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_unregister, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__unregister_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_unregister_put(nlh, buflen, m);
}

static int aionl__unregister_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_unregister_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__unregister_reply_attrs[] = {
	{ "res", AIONL_A_UNREGISTER_REPLY_RES, AIONL_ATTR_S64, 1, offsetof(struct aionl_unregister_reply, res), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__unregister_reply_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_unregister_reply_put(nlh, buflen, m);
}

static int aionl__unregister_reply_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_unregister_reply_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__transfer_attrs[] = {
	{ "cookie", AIONL_A_TRANSFER_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_TRANSFER_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "offset", AIONL_A_TRANSFER_OFFSET, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer, offset), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "addr", AIONL_A_TRANSFER_ADDR, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer, addr), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "len", AIONL_A_TRANSFER_LEN, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer, len), 0,
	  0ULL, 0x7ffff000ULL, 0ULL, 0, 0, NULL },
	{ "timeout_ns", AIONL_A_TRANSFER_TIMEOUT_NS, AIONL_ATTR_U64, 0, offsetof(struct aionl_transfer, timeout_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_TRANSFER_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_transfer, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__transfer_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_transfer_put(nlh, buflen, m);
}

static int aionl__transfer_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_transfer_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__transfer_v_attrs[] = {
	{ "cookie", AIONL_A_TRANSFER_V_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer_v, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_TRANSFER_V_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer_v, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "offset", AIONL_A_TRANSFER_V_OFFSET, AIONL_ATTR_U64, 1, offsetof(struct aionl_transfer_v, offset), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "iov", AIONL_A_TRANSFER_V_IOV, AIONL_ATTR_BINARY, 1, offsetof(struct aionl_transfer_v, iov), offsetof(struct aionl_transfer_v, iov_len),
	  1ULL, 1024ULL, 0ULL, 16, 0, NULL },
	{ "timeout_ns", AIONL_A_TRANSFER_V_TIMEOUT_NS, AIONL_ATTR_U64, 0, offsetof(struct aionl_transfer_v, timeout_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_TRANSFER_V_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_transfer_v, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__transfer_v_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_transfer_v_put(nlh, buflen, m);
}

static int aionl__transfer_v_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_transfer_v_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__sync_attrs[] = {
	{ "cookie", AIONL_A_SYNC_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_sync, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_SYNC_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_sync, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_SYNC_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_sync, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__sync_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_sync_put(nlh, buflen, m);
}

static int aionl__sync_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_sync_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__completion_attrs[] = {
	{ "cookie", AIONL_A_COMPLETION_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_completion, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "res", AIONL_A_COMPLETION_RES, AIONL_ATTR_S64, 1, offsetof(struct aionl_completion, res), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_COMPLETION_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_completion, flags), 0,
	  0ULL, 0xffffffffULL, 31ULL, 0, 0, NULL },
	{ "ssi_signo", AIONL_A_COMPLETION_SSI_SIGNO, AIONL_ATTR_U32, 0, offsetof(struct aionl_completion, ssi_signo), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_code", AIONL_A_COMPLETION_SSI_CODE, AIONL_ATTR_S32, 0, offsetof(struct aionl_completion, ssi_code), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_pid", AIONL_A_COMPLETION_SSI_PID, AIONL_ATTR_U32, 0, offsetof(struct aionl_completion, ssi_pid), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_uid", AIONL_A_COMPLETION_SSI_UID, AIONL_ATTR_U32, 0, offsetof(struct aionl_completion, ssi_uid), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_status", AIONL_A_COMPLETION_SSI_STATUS, AIONL_ATTR_S32, 0, offsetof(struct aionl_completion, ssi_status), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_errno", AIONL_A_COMPLETION_SSI_ERRNO, AIONL_ATTR_S32, 0, offsetof(struct aionl_completion, ssi_errno), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_value", AIONL_A_COMPLETION_SSI_VALUE, AIONL_ATTR_U64, 0, offsetof(struct aionl_completion, ssi_value), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_addr", AIONL_A_COMPLETION_SSI_ADDR, AIONL_ATTR_U64, 0, offsetof(struct aionl_completion, ssi_addr), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_fd", AIONL_A_COMPLETION_SSI_FD, AIONL_ATTR_S32, 0, offsetof(struct aionl_completion, ssi_fd), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_band", AIONL_A_COMPLETION_SSI_BAND, AIONL_ATTR_S64, 0, offsetof(struct aionl_completion, ssi_band), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "ssi_overrun", AIONL_A_COMPLETION_SSI_OVERRUN, AIONL_ATTR_S32, 0, offsetof(struct aionl_completion, ssi_overrun), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_COMPLETION_HANDLE, AIONL_ATTR_U64, 0, offsetof(struct aionl_completion, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__completion_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_completion_put(nlh, buflen, m);
}

static int aionl__completion_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_completion_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__nop_attrs[] = {
	{ "cookie", AIONL_A_NOP_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_nop, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_NOP_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_nop, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__nop_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_nop_put(nlh, buflen, m);
}

static int aionl__nop_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_nop_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__timer_attrs[] = {
	{ "cookie", AIONL_A_TIMER_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_timer, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "clock", AIONL_A_TIMER_CLOCK, AIONL_ATTR_U32, 1, offsetof(struct aionl_timer, clock), 0,
	  0ULL, 0xffffffffULL, 0ULL, 0, 3, aionl__timer_clock_values },
	{ "value_ns", AIONL_A_TIMER_VALUE_NS, AIONL_ATTR_U64, 1, offsetof(struct aionl_timer, value_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "interval_ns", AIONL_A_TIMER_INTERVAL_NS, AIONL_ATTR_U64, 0, offsetof(struct aionl_timer, interval_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_TIMER_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_timer, flags), 0,
	  0ULL, 0xffffffffULL, 1ULL, 0, 0, NULL },
};

static int aionl__timer_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_timer_put(nlh, buflen, m);
}

static int aionl__timer_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_timer_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__timer_update_attrs[] = {
	{ "cookie", AIONL_A_TIMER_UPDATE_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_timer_update, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "target", AIONL_A_TIMER_UPDATE_TARGET, AIONL_ATTR_U64, 1, offsetof(struct aionl_timer_update, target), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "value_ns", AIONL_A_TIMER_UPDATE_VALUE_NS, AIONL_ATTR_U64, 1, offsetof(struct aionl_timer_update, value_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "interval_ns", AIONL_A_TIMER_UPDATE_INTERVAL_NS, AIONL_ATTR_U64, 0, offsetof(struct aionl_timer_update, interval_ns), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_TIMER_UPDATE_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_timer_update, flags), 0,
	  0ULL, 0xffffffffULL, 1ULL, 0, 0, NULL },
};

static int aionl__timer_update_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_timer_update_put(nlh, buflen, m);
}

static int aionl__timer_update_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_timer_update_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__poll_attrs[] = {
	{ "cookie", AIONL_A_POLL_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_poll, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_POLL_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_poll, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "events", AIONL_A_POLL_EVENTS, AIONL_ATTR_U32, 1, offsetof(struct aionl_poll, events), 0,
	  0ULL, 0xffffffffULL, 29ULL, 0, 0, NULL },
	{ "flags", AIONL_A_POLL_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_poll, flags), 0,
	  0ULL, 0xffffffffULL, 1ULL, 0, 0, NULL },
};

static int aionl__poll_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_poll_put(nlh, buflen, m);
}

static int aionl__poll_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_poll_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__signal_attrs[] = {
	{ "cookie", AIONL_A_SIGNAL_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_signal, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "mask", AIONL_A_SIGNAL_MASK, AIONL_ATTR_U64, 1, offsetof(struct aionl_signal, mask), 0,
	  1ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__signal_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_signal_put(nlh, buflen, m);
}

static int aionl__signal_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_signal_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__cancel_attrs[] = {
	{ "cookie", AIONL_A_CANCEL_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_cancel, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "target", AIONL_A_CANCEL_TARGET, AIONL_ATTR_U64, 0, offsetof(struct aionl_cancel, target), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_CANCEL_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_cancel, flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__cancel_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_cancel_put(nlh, buflen, m);
}

static int aionl__cancel_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_cancel_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__open_attrs[] = {
	{ "cookie", AIONL_A_OPEN_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_open, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "dir", AIONL_A_OPEN_DIR, AIONL_ATTR_U64, 0, offsetof(struct aionl_open, dir), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "path", AIONL_A_OPEN_PATH, AIONL_ATTR_STRING, 1, offsetof(struct aionl_open, path), 0,
	  0ULL, 4096ULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_OPEN_FLAGS, AIONL_ATTR_U32, 1, offsetof(struct aionl_open, flags), 0,
	  0ULL, 0xffffffffULL, 0x7fdfc3ULL, 0, 0, NULL },
	{ "mode", AIONL_A_OPEN_MODE, AIONL_ATTR_U32, 0, offsetof(struct aionl_open, mode), 0,
	  0ULL, 4095ULL, 0ULL, 0, 0, NULL },
	{ "options", AIONL_A_OPEN_OPTIONS, AIONL_ATTR_U32, 0, offsetof(struct aionl_open, options), 0,
	  0ULL, 0xffffffffULL, 1ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_OPEN_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_open, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__open_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_open_put(nlh, buflen, m);
}

static int aionl__open_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_open_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__install_attrs[] = {
	{ "handle", AIONL_A_INSTALL_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_install, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_INSTALL_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_install, flags), 0,
	  0ULL, 0xffffffffULL, 1ULL, 0, 0, NULL },
};

static int aionl__install_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_install_put(nlh, buflen, m);
}

static int aionl__install_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_install_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__install_reply_attrs[] = {
	{ "res", AIONL_A_INSTALL_REPLY_RES, AIONL_ATTR_S64, 1, offsetof(struct aionl_install_reply, res), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "fd", AIONL_A_INSTALL_REPLY_FD, AIONL_ATTR_S32, 0, offsetof(struct aionl_install_reply, fd), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__install_reply_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_install_reply_put(nlh, buflen, m);
}

static int aionl__install_reply_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_install_reply_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__bind_attrs[] = {
	{ "fd", AIONL_A_BIND_FD, AIONL_ATTR_S32, 1, offsetof(struct aionl_bind, fd), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__bind_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_bind_put(nlh, buflen, m);
}

static int aionl__bind_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_bind_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__bind_reply_attrs[] = {
	{ "res", AIONL_A_BIND_REPLY_RES, AIONL_ATTR_S64, 1, offsetof(struct aionl_bind_reply, res), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "dev", AIONL_A_BIND_REPLY_DEV, AIONL_ATTR_U64, 0, offsetof(struct aionl_bind_reply, dev), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
};

static int aionl__bind_reply_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_bind_reply_put(nlh, buflen, m);
}

static int aionl__bind_reply_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_bind_reply_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__fallocate_attrs[] = {
	{ "cookie", AIONL_A_FALLOCATE_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_fallocate, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_FALLOCATE_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_fallocate, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "offset", AIONL_A_FALLOCATE_OFFSET, AIONL_ATTR_U64, 1, offsetof(struct aionl_fallocate, offset), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "len", AIONL_A_FALLOCATE_LEN, AIONL_ATTR_U64, 1, offsetof(struct aionl_fallocate, len), 0,
	  1ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "mode", AIONL_A_FALLOCATE_MODE, AIONL_ATTR_U32, 0, offsetof(struct aionl_fallocate, mode), 0,
	  0ULL, 0xffffffffULL, 19ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_FALLOCATE_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_fallocate, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__fallocate_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_fallocate_put(nlh, buflen, m);
}

static int aionl__fallocate_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_fallocate_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__statx_attrs[] = {
	{ "cookie", AIONL_A_STATX_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_statx, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_STATX_HANDLE, AIONL_ATTR_U64, 0, offsetof(struct aionl_statx, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "path", AIONL_A_STATX_PATH, AIONL_ATTR_STRING, 0, offsetof(struct aionl_statx, path), 0,
	  0ULL, 4096ULL, 0ULL, 0, 0, NULL },
	{ "flags", AIONL_A_STATX_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_statx, flags), 0,
	  0ULL, 0xffffffffULL, 30976ULL, 0, 0, NULL },
	{ "mask", AIONL_A_STATX_MASK, AIONL_ATTR_U32, 1, offsetof(struct aionl_statx, mask), 0,
	  0ULL, 0xffffffffULL, 0x7fffffffULL, 0, 0, NULL },
	{ "addr", AIONL_A_STATX_ADDR, AIONL_ATTR_U64, 1, offsetof(struct aionl_statx, addr), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_STATX_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_statx, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__statx_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_statx_put(nlh, buflen, m);
}

static int aionl__statx_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_statx_parse(nlh, m, err);
}

static const struct aionl_attr_desc aionl__copy_attrs[] = {
	{ "cookie", AIONL_A_COPY_COOKIE, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, cookie), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "handle", AIONL_A_COPY_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "offset", AIONL_A_COPY_OFFSET, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, offset), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "dst_handle", AIONL_A_COPY_DST_HANDLE, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, dst_handle), 0,
	  0ULL, 0xffffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "dst_offset", AIONL_A_COPY_DST_OFFSET, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, dst_offset), 0,
	  0ULL, 0x7fffffffffffffffULL, 0ULL, 0, 0, NULL },
	{ "len", AIONL_A_COPY_LEN, AIONL_ATTR_U64, 1, offsetof(struct aionl_copy, len), 0,
	  1ULL, 0x7ffff000ULL, 0ULL, 0, 0, NULL },
	{ "req_flags", AIONL_A_COPY_REQ_FLAGS, AIONL_ATTR_U32, 0, offsetof(struct aionl_copy, req_flags), 0,
	  0ULL, 0xffffffffULL, 3ULL, 0, 0, NULL },
};

static int aionl__copy_put(struct nlmsghdr *nlh, size_t buflen, const void *m)
{
	return aionl_copy_put(nlh, buflen, m);
}

static int aionl__copy_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)
{
	return aionl_copy_parse(nlh, m, err);
}

const char *const aionl_cmd_names[AIONL_CMD_MAX + 1] = {
	[AIONL_CMD_GET_INFO] = "get_info",
	[AIONL_CMD_REGISTER] = "register",
	[AIONL_CMD_UNREGISTER] = "unregister",
	[AIONL_CMD_READ] = "read",
	[AIONL_CMD_WRITE] = "write",
	[AIONL_CMD_READV] = "readv",
	[AIONL_CMD_WRITEV] = "writev",
	[AIONL_CMD_FSYNC] = "fsync",
	[AIONL_CMD_FDATASYNC] = "fdatasync",
	[AIONL_CMD_COMPLETION] = "completion",
	[AIONL_CMD_NOP] = "nop",
	[AIONL_CMD_TIMER] = "timer",
	[AIONL_CMD_TIMER_UPDATE] = "timer_update",
	[AIONL_CMD_POLL] = "poll",
	[AIONL_CMD_SIGNAL] = "signal",
	[AIONL_CMD_CANCEL] = "cancel",
	[AIONL_CMD_OPEN] = "open",
	[AIONL_CMD_INSTALL] = "install",
	[AIONL_CMD_BIND] = "bind",
	[AIONL_CMD_FALLOCATE] = "fallocate",
	[AIONL_CMD_STATX] = "statx",
	[AIONL_CMD_COPY] = "copy",
};

const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT] = {
	{ "GetInfo", AIONL_CMD_GET_INFO, 0, 0, sizeof(struct aionl_get_info), AIONL_GET_INFO_REQUIRED_MASK,
	  aionl__get_info_attrs, aionl__get_info_put, aionl__get_info_parse },
	{ "GetInfoReply", AIONL_CMD_GET_INFO, 1, 11, sizeof(struct aionl_get_info_reply), AIONL_GET_INFO_REPLY_REQUIRED_MASK,
	  aionl__get_info_reply_attrs, aionl__get_info_reply_put, aionl__get_info_reply_parse },
	{ "Register", AIONL_CMD_REGISTER, 0, 1, sizeof(struct aionl_register), AIONL_REGISTER_REQUIRED_MASK,
	  aionl__register_attrs, aionl__register_put, aionl__register_parse },
	{ "RegisterReply", AIONL_CMD_REGISTER, 1, 2, sizeof(struct aionl_register_reply), AIONL_REGISTER_REPLY_REQUIRED_MASK,
	  aionl__register_reply_attrs, aionl__register_reply_put, aionl__register_reply_parse },
	{ "Unregister", AIONL_CMD_UNREGISTER, 0, 1, sizeof(struct aionl_unregister), AIONL_UNREGISTER_REQUIRED_MASK,
	  aionl__unregister_attrs, aionl__unregister_put, aionl__unregister_parse },
	{ "UnregisterReply", AIONL_CMD_UNREGISTER, 1, 1, sizeof(struct aionl_unregister_reply), AIONL_UNREGISTER_REPLY_REQUIRED_MASK,
	  aionl__unregister_reply_attrs, aionl__unregister_reply_put, aionl__unregister_reply_parse },
	{ "Transfer", AIONL_CMD_READ, 0, 7, sizeof(struct aionl_transfer), AIONL_TRANSFER_REQUIRED_MASK,
	  aionl__transfer_attrs, aionl__transfer_put, aionl__transfer_parse },
	{ "TransferV", AIONL_CMD_READV, 0, 6, sizeof(struct aionl_transfer_v), AIONL_TRANSFER_V_REQUIRED_MASK,
	  aionl__transfer_v_attrs, aionl__transfer_v_put, aionl__transfer_v_parse },
	{ "Sync", AIONL_CMD_FSYNC, 0, 3, sizeof(struct aionl_sync), AIONL_SYNC_REQUIRED_MASK,
	  aionl__sync_attrs, aionl__sync_put, aionl__sync_parse },
	{ "Completion", AIONL_CMD_COMPLETION, 2, 15, sizeof(struct aionl_completion), AIONL_COMPLETION_REQUIRED_MASK,
	  aionl__completion_attrs, aionl__completion_put, aionl__completion_parse },
	{ "Nop", AIONL_CMD_NOP, 0, 2, sizeof(struct aionl_nop), AIONL_NOP_REQUIRED_MASK,
	  aionl__nop_attrs, aionl__nop_put, aionl__nop_parse },
	{ "Timer", AIONL_CMD_TIMER, 0, 5, sizeof(struct aionl_timer), AIONL_TIMER_REQUIRED_MASK,
	  aionl__timer_attrs, aionl__timer_put, aionl__timer_parse },
	{ "TimerUpdate", AIONL_CMD_TIMER_UPDATE, 0, 5, sizeof(struct aionl_timer_update), AIONL_TIMER_UPDATE_REQUIRED_MASK,
	  aionl__timer_update_attrs, aionl__timer_update_put, aionl__timer_update_parse },
	{ "Poll", AIONL_CMD_POLL, 0, 4, sizeof(struct aionl_poll), AIONL_POLL_REQUIRED_MASK,
	  aionl__poll_attrs, aionl__poll_put, aionl__poll_parse },
	{ "Signal", AIONL_CMD_SIGNAL, 0, 2, sizeof(struct aionl_signal), AIONL_SIGNAL_REQUIRED_MASK,
	  aionl__signal_attrs, aionl__signal_put, aionl__signal_parse },
	{ "Cancel", AIONL_CMD_CANCEL, 0, 3, sizeof(struct aionl_cancel), AIONL_CANCEL_REQUIRED_MASK,
	  aionl__cancel_attrs, aionl__cancel_put, aionl__cancel_parse },
	{ "Open", AIONL_CMD_OPEN, 0, 7, sizeof(struct aionl_open), AIONL_OPEN_REQUIRED_MASK,
	  aionl__open_attrs, aionl__open_put, aionl__open_parse },
	{ "Install", AIONL_CMD_INSTALL, 0, 2, sizeof(struct aionl_install), AIONL_INSTALL_REQUIRED_MASK,
	  aionl__install_attrs, aionl__install_put, aionl__install_parse },
	{ "InstallReply", AIONL_CMD_INSTALL, 1, 2, sizeof(struct aionl_install_reply), AIONL_INSTALL_REPLY_REQUIRED_MASK,
	  aionl__install_reply_attrs, aionl__install_reply_put, aionl__install_reply_parse },
	{ "Bind", AIONL_CMD_BIND, 0, 1, sizeof(struct aionl_bind), AIONL_BIND_REQUIRED_MASK,
	  aionl__bind_attrs, aionl__bind_put, aionl__bind_parse },
	{ "BindReply", AIONL_CMD_BIND, 1, 2, sizeof(struct aionl_bind_reply), AIONL_BIND_REPLY_REQUIRED_MASK,
	  aionl__bind_reply_attrs, aionl__bind_reply_put, aionl__bind_reply_parse },
	{ "Fallocate", AIONL_CMD_FALLOCATE, 0, 6, sizeof(struct aionl_fallocate), AIONL_FALLOCATE_REQUIRED_MASK,
	  aionl__fallocate_attrs, aionl__fallocate_put, aionl__fallocate_parse },
	{ "Statx", AIONL_CMD_STATX, 0, 7, sizeof(struct aionl_statx), AIONL_STATX_REQUIRED_MASK,
	  aionl__statx_attrs, aionl__statx_put, aionl__statx_parse },
	{ "Copy", AIONL_CMD_COPY, 0, 7, sizeof(struct aionl_copy), AIONL_COPY_REQUIRED_MASK,
	  aionl__copy_attrs, aionl__copy_put, aionl__copy_parse },
};
