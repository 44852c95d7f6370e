// SPDX-License-Identifier: MIT
/*
 * The engine's control requests, answered with a reply that carries the
 * request's nlmsg_seq: GET_INFO, REGISTER, UNREGISTER, and the part of nlctrl
 * the library uses to find the family. Also the NLMSG_ERROR a refused
 * message gets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "engine.h"

/* Room for any reply the engine builds, but an error's echo. */
#define REPLY_ROOM 512
/*
 * Echo at most this much of a refused request in its NLMSG_ERROR; a longer
 * one's echo is its header alone (NLM_F_CAPPED), which holds no cookie. So
 * it is room for the longest request the library builds, a READV of
 * AIONL_MAX_IOV buffers, whose cookie must come back, and it leaves the
 * NLMSG_ERROR within one datagram.
 */
#define MAX_ECHO (AIONL_MAX_MSG_SIZE / 2)
#define LONGEST_REQUEST (NLMSG_HDRLEN + GENL_HDRLEN + 4 * NLA_HDRLEN + 4 * 8 + \
			 NLA_HDRLEN + AIONL_MAX_IOV * 16)
_Static_assert(LONGEST_REQUEST <= MAX_ECHO, "a READV's echo would lose its cookie");
_Static_assert(NLMSG_HDRLEN + sizeof(int) + MAX_ECHO + REPLY_ROOM <= AIONL_MAX_MSG_SIZE,
	       "an NLMSG_ERROR would not fit in a datagram");

/* Start a reply to req in the out queue, or NULL when memory is exhausted. */
static struct nlmsghdr *reply_start(struct aionl_engine *e, const struct nlmsghdr *req,
				    uint16_t type, uint8_t cmd, uint8_t version)
{
	void *buf = outq_reserve(&e->out, REPLY_ROOM);

	if (!buf) {
		e->peer_gone = true;
		return NULL;
	}
	return aionl__msg_start(buf, type, 0, req->nlmsg_seq, cmd, version);
}

static void reply_commit(struct aionl_engine *e, const struct nlmsghdr *nlh)
{
	outq_commit(&e->out, NLMSG_ALIGN(nlh->nlmsg_len));
}

void eng_put_error(struct aionl_engine *e, const struct nlmsghdr *req, size_t req_len, int err,
		   const struct aionl_parse_err *pe)
{
	size_t echo = err ? req_len : sizeof(*req);
	bool capped = echo > MAX_ECHO;
	size_t room;
	struct nlmsghdr *nlh;
	struct nlmsgerr *me;
	void *buf;

	if (capped)
		echo = sizeof(*req);
	room = NLMSG_HDRLEN + sizeof(int) + NLMSG_ALIGN(echo) + REPLY_ROOM;
	buf = outq_reserve(&e->out, room);
	if (!buf) {
		e->peer_gone = true;
		return;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	me = mnl_nlmsg_put_extra_header(nlh, sizeof(int) + NLMSG_ALIGN(echo));
	me->error = err;
	memcpy(&me->msg, req, echo);
	if (echo >= sizeof(*req))
		me->msg.nlmsg_len = req->nlmsg_len;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (err && pe && pe->msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz_check(nlh, room, NLMSGERR_ATTR_MSG, pe->msg);
		if (pe->offset)
			mnl_attr_put_u32_check(nlh, room, NLMSGERR_ATTR_OFFS, pe->offset);
		else if (pe->attr)
			mnl_attr_put_u32_check(nlh, room, NLMSGERR_ATTR_MISS_TYPE, pe->attr);
	}
	reply_commit(e, nlh);
}

int eng_get_info(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_get_info req;
	struct aionl_get_info_reply m = {
		.present = AIONL_GET_INFO_REPLY_REQUIRED_MASK |
			   1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS |
			   1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS,
		.version = AIONL_FAMILY_VERSION,
		.backend = AIONL_BACKEND_USER,
		.executor = e->exec->kind,
		.max_inflight = e->params.max_inflight,
		.max_files = AIONL_MAX_FILES,
		.max_io_len = AIONL_MAX_IO_LEN,
		.max_iov = AIONL_MAX_IOV,
		.max_msg_size = AIONL_MAX_MSG_SIZE,
		.commands = engine_commands(),
		.order_flags = AIONL_REQ_FLAG_MASK,
	};
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_get_info_parse(nlh, &req, pe)))
		return err;
	if (e->exec->kind == AIONL_EXEC_THREADS) {
		m.present |= 1ULL << AIONL_A_GET_INFO_REPLY_WORKERS;
		m.workers = e->params.workers;
	}
	out = reply_start(e, nlh, AIONL_USER_FAMILY_ID, AIONL_CMD_GET_INFO, AIONL_FAMILY_VERSION);
	if (!out)
		return -ENOMEM;
	aionl_get_info_reply_put(out, REPLY_ROOM, &m);
	reply_commit(e, out);
	return 0;
}

/*
 * The file travels as SCM_RIGHTS in the same datagram: the Nth REGISTER of a
 * datagram takes its Nth descriptor.
 */
int eng_register(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_register req;
	struct aionl_register_reply m = { .present = AIONL_REGISTER_REPLY_REQUIRED_MASK };
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_register_parse(nlh, &req, pe)))
		return err;
	if (e->dgram.next >= e->dgram.nfds) {
		m.res = -EBADF;		/* no descriptor came with this REGISTER */
	} else {
		uint64_t handle;

		m.res = files_add(&e->files, e->dgram.fds[e->dgram.next++], &handle);
		if (!m.res) {
			m.handle = handle;
			m.present |= 1ULL << AIONL_A_REGISTER_REPLY_HANDLE;
		}
	}
	out = reply_start(e, nlh, AIONL_USER_FAMILY_ID, AIONL_CMD_REGISTER, AIONL_FAMILY_VERSION);
	if (!out)
		return -ENOMEM;
	aionl_register_reply_put(out, REPLY_ROOM, &m);
	reply_commit(e, out);
	return 0;
}

/* The descriptor that came with it says which filesystem; it is not kept. */
int eng_bind(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_bind req;
	struct aionl_bind_reply m = { .present = AIONL_BIND_REPLY_REQUIRED_MASK };
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_bind_parse(nlh, &req, pe)))
		return err;
	if (e->dgram.next >= e->dgram.nfds) {
		m.res = -EBADF;		/* no descriptor came with this BIND */
	} else {
		int fd = e->dgram.fds[e->dgram.next++];
		uint64_t dev;

		m.res = files_bind(&e->files, fd, &dev);
		close(fd);
		if (!m.res) {
			m.dev = dev;
			m.present |= 1ULL << AIONL_A_BIND_REPLY_DEV;
		}
	}
	out = reply_start(e, nlh, AIONL_USER_FAMILY_ID, AIONL_CMD_BIND, AIONL_FAMILY_VERSION);
	if (!out)
		return -ENOMEM;
	aionl_bind_reply_put(out, REPLY_ROOM, &m);
	reply_commit(e, out);
	return 0;
}

int eng_unregister(struct aionl_engine *e, const struct nlmsghdr *nlh,
		   struct aionl_parse_err *pe)
{
	struct aionl_unregister req;
	struct aionl_unregister_reply m = { .present = AIONL_UNREGISTER_REPLY_REQUIRED_MASK };
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_unregister_parse(nlh, &req, pe)))
		return err;
	m.res = files_remove(&e->files, req.handle);
	out = reply_start(e, nlh, AIONL_USER_FAMILY_ID, AIONL_CMD_UNREGISTER,
			  AIONL_FAMILY_VERSION);
	if (!out)
		return -ENOMEM;
	aionl_unregister_reply_put(out, REPLY_ROOM, &m);
	reply_commit(e, out);
	return 0;
}

/* The version of nlctrl whose replies the engine imitates. */
#define NLCTRL_VERSION 2

/* The part of nlctrl the library uses: CTRL_CMD_GETFAMILY by name. */
int eng_nlctrl(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	const struct genlmsghdr *g = aionl__genl_hdr(nlh);
	const struct nlattr *a, *name = NULL;
	struct nlmsghdr *out;

	if (g->cmd != CTRL_CMD_GETFAMILY)
		return -EOPNOTSUPP;
	aionl_attr_for_each(a, nlh) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			name = a;
	}
	if (!name) {
		pe->msg = "missing attribute CTRL_ATTR_FAMILY_NAME";
		pe->attr = CTRL_ATTR_FAMILY_NAME;
		return -EINVAL;
	}
	if (mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0 ||
	    strcmp(mnl_attr_get_str(name), AIONL_FAMILY_NAME) != 0)
		return -ENOENT;
	out = reply_start(e, nlh, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, NLCTRL_VERSION);
	if (!out)
		return -ENOMEM;
	mnl_attr_put_strz(out, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	mnl_attr_put_u16(out, CTRL_ATTR_FAMILY_ID, AIONL_USER_FAMILY_ID);
	mnl_attr_put_u32(out, CTRL_ATTR_VERSION, AIONL_FAMILY_VERSION);
	mnl_attr_put_u32(out, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(out, CTRL_ATTR_MAXATTR, 0);
	reply_commit(e, out);
	return 0;
}
