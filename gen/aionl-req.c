// SPDX-License-Identifier: MIT
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

/*
 * The library's encoder: one struct aionl_req as the message of its command.
 * An op is its command's number, so the op picks the message directly.
 */
#include <errno.h>
#include <stdint.h>

#include "aionl.h"
#include "aionl-codec.h"
#include "aionl-req.h"

int aionl__req_op_valid(unsigned int op)
{
	switch (op) {
	case AIONL_CMD_READ:
	case AIONL_CMD_WRITE:
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV:
	case AIONL_CMD_FSYNC:
	case AIONL_CMD_FDATASYNC:
	case AIONL_CMD_NOP:
	case AIONL_CMD_TIMER:
	case AIONL_CMD_TIMER_UPDATE:
	case AIONL_CMD_POLL:
	case AIONL_CMD_SIGNAL:
	case AIONL_CMD_CANCEL:
	case AIONL_CMD_OPEN:
	case AIONL_CMD_FALLOCATE:
	case AIONL_CMD_STATX:
	case AIONL_CMD_COPY:
		return 1;
	}
	return 0;
}

int aionl__req_encode(struct nlmsghdr *nlh, size_t room, uint16_t family,
		      const struct aionl_req *r)
{
	struct genlmsghdr *g;

	if (room < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EMSGSIZE;
	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = r->op;
	g->version = AIONL_FAMILY_VERSION;
	switch (r->op) {
	case AIONL_CMD_READ:
	case AIONL_CMD_WRITE:
	{
		struct aionl_transfer m = {
			.present = AIONL_TRANSFER_REQUIRED_MASK |
				   (r->timeout_ns ? 1ULL << AIONL_A_TRANSFER_TIMEOUT_NS : 0) |
				   (r->flags ? 1ULL << AIONL_A_TRANSFER_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.offset = r->offset,
			.addr = (uintptr_t)r->buf,
			.len = r->len,
			.timeout_ns = r->timeout_ns,
			.req_flags = r->flags,
		};

		return aionl_transfer_put(nlh, room, &m);
	}
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV:
	{
		struct aionl_transfer_v m = {
			.present = AIONL_TRANSFER_V_REQUIRED_MASK |
				   (r->timeout_ns ? 1ULL << AIONL_A_TRANSFER_V_TIMEOUT_NS : 0) |
				   (r->flags ? 1ULL << AIONL_A_TRANSFER_V_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.offset = r->offset,
			.iov = r->iov,
			.iov_len = r->nr_iov * 16,
			.timeout_ns = r->timeout_ns,
			.req_flags = r->flags,
		};

		return aionl_transfer_v_put(nlh, room, &m);
	}
	case AIONL_CMD_FSYNC:
	case AIONL_CMD_FDATASYNC:
	{
		struct aionl_sync m = {
			.present = AIONL_SYNC_REQUIRED_MASK |
				   (r->flags ? 1ULL << AIONL_A_SYNC_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.req_flags = r->flags,
		};

		return aionl_sync_put(nlh, room, &m);
	}
	case AIONL_CMD_NOP:
	{
		struct aionl_nop m = {
			.present = AIONL_NOP_REQUIRED_MASK |
				   (r->flags ? 1ULL << AIONL_A_NOP_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.req_flags = r->flags,
		};

		return aionl_nop_put(nlh, room, &m);
	}
	case AIONL_CMD_TIMER:
	{
		struct aionl_timer m = {
			.present = AIONL_TIMER_REQUIRED_MASK |
				   (r->timer.interval_ns ? 1ULL << AIONL_A_TIMER_INTERVAL_NS : 0) |
				   (r->timer.flags ? 1ULL << AIONL_A_TIMER_FLAGS : 0),
			.cookie = r->cookie,
			.clock = r->timer.clock,
			.value_ns = r->timer.value_ns,
			.interval_ns = r->timer.interval_ns,
			.flags = r->timer.flags,
		};

		return aionl_timer_put(nlh, room, &m);
	}
	case AIONL_CMD_TIMER_UPDATE:
	{
		struct aionl_timer_update m = {
			.present = AIONL_TIMER_UPDATE_REQUIRED_MASK |
				   (r->timer.interval_ns ? 1ULL << AIONL_A_TIMER_UPDATE_INTERVAL_NS : 0) |
				   (r->timer.flags ? 1ULL << AIONL_A_TIMER_UPDATE_FLAGS : 0),
			.cookie = r->cookie,
			.target = r->timer.target,
			.value_ns = r->timer.value_ns,
			.interval_ns = r->timer.interval_ns,
			.flags = r->timer.flags,
		};

		return aionl_timer_update_put(nlh, room, &m);
	}
	case AIONL_CMD_POLL:
	{
		struct aionl_poll m = {
			.present = AIONL_POLL_REQUIRED_MASK |
				   (r->poll.flags ? 1ULL << AIONL_A_POLL_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.events = r->poll.events,
			.flags = r->poll.flags,
		};

		return aionl_poll_put(nlh, room, &m);
	}
	case AIONL_CMD_SIGNAL:
	{
		struct aionl_signal m = {
			.present = AIONL_SIGNAL_REQUIRED_MASK,
			.cookie = r->cookie,
			.mask = r->sigmask,
		};

		return aionl_signal_put(nlh, room, &m);
	}
	case AIONL_CMD_CANCEL:
	{
		struct aionl_cancel m = {
			.present = AIONL_CANCEL_REQUIRED_MASK |
				   (r->cancel.target ? 1ULL << AIONL_A_CANCEL_TARGET : 0) |
				   (r->cancel.flags ? 1ULL << AIONL_A_CANCEL_FLAGS : 0),
			.cookie = r->cookie,
			.target = r->cancel.target,
			.flags = r->cancel.flags,
		};

		return aionl_cancel_put(nlh, room, &m);
	}
	case AIONL_CMD_OPEN:
	{
		struct aionl_open m = {
			.present = AIONL_OPEN_REQUIRED_MASK |
				   (r->handle ? 1ULL << AIONL_A_OPEN_DIR : 0) |
				   (r->open.mode ? 1ULL << AIONL_A_OPEN_MODE : 0) |
				   (r->open.options ? 1ULL << AIONL_A_OPEN_OPTIONS : 0) |
				   (r->flags ? 1ULL << AIONL_A_OPEN_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.dir = r->handle,
			.path = r->open.path,
			.flags = r->open.flags,
			.mode = r->open.mode,
			.options = r->open.options,
			.req_flags = r->flags,
		};

		return aionl_open_put(nlh, room, &m);
	}
	case AIONL_CMD_FALLOCATE:
	{
		struct aionl_fallocate m = {
			.present = AIONL_FALLOCATE_REQUIRED_MASK |
				   (r->fallocate.mode ? 1ULL << AIONL_A_FALLOCATE_MODE : 0) |
				   (r->flags ? 1ULL << AIONL_A_FALLOCATE_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.offset = r->offset,
			.len = r->len,
			.mode = r->fallocate.mode,
			.req_flags = r->flags,
		};

		return aionl_fallocate_put(nlh, room, &m);
	}
	case AIONL_CMD_STATX:
	{
		struct aionl_statx m = {
			.present = AIONL_STATX_REQUIRED_MASK |
				   (r->handle ? 1ULL << AIONL_A_STATX_HANDLE : 0) |
				   (r->statx.path ? 1ULL << AIONL_A_STATX_PATH : 0) |
				   (r->statx.flags ? 1ULL << AIONL_A_STATX_FLAGS : 0) |
				   (r->flags ? 1ULL << AIONL_A_STATX_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.path = r->statx.path,
			.flags = r->statx.flags,
			.mask = r->statx.mask,
			.addr = (uintptr_t)r->buf,
			.req_flags = r->flags,
		};

		return aionl_statx_put(nlh, room, &m);
	}
	case AIONL_CMD_COPY:
	{
		struct aionl_copy m = {
			.present = AIONL_COPY_REQUIRED_MASK |
				   (r->flags ? 1ULL << AIONL_A_COPY_REQ_FLAGS : 0),
			.cookie = r->cookie,
			.handle = r->handle,
			.offset = r->offset,
			.dst_handle = r->copy.dst_handle,
			.dst_offset = r->copy.dst_offset,
			.len = r->len,
			.req_flags = r->flags,
		};

		return aionl_copy_put(nlh, room, &m);
	}
	}
	return -EINVAL;
}
