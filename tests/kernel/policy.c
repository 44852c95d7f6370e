// SPDX-License-Identifier: MIT
/*
 * The family's policies, as any client dumps them (CTRL_CMD_GETPOLICY, what
 * `genl ctrl policy` prints), against the protocol's own description: the
 * request messages of the IDL, in the codec's descriptor table. Every
 * command a program may send has a policy with exactly its message's
 * attributes, of their types, masks and lengths; nothing else is an op.
 *
 * Caught (issue 11, point 11): GET_INFO's policy table had maxattr 0, which
 * made the dump WARN in net/netlink/policy.c, and op 1 showed another op's
 * policy. Run inside the VM with the module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "aionl-codec.h"

#define MAX_POLICIES 64
#define MAX_ATTRS 64

struct pattr {
	bool seen;
	uint32_t type;		/* NL_ATTR_TYPE_* */
	uint64_t mask;
	uint32_t max_len;
};

static int op_policy[256];	/* the do policy of each op, -1 if none, -2 if not an op */
static struct pattr policies[MAX_POLICIES][MAX_ATTRS];
static int failures;

#define FAIL(...) do { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); failures++; } while (0)

/* The protocol's commands and the request message each carries (docs/protocol.md). */
static const struct {
	uint8_t cmd;
	const char *msg;
} commands[] = {
	{ AIONL_CMD_GET_INFO, "GetInfo" },	{ AIONL_CMD_REGISTER, "Register" },
	{ AIONL_CMD_UNREGISTER, "Unregister" }, { AIONL_CMD_READ, "Transfer" },
	{ AIONL_CMD_WRITE, "Transfer" },	{ AIONL_CMD_READV, "TransferV" },
	{ AIONL_CMD_WRITEV, "TransferV" },	{ AIONL_CMD_FSYNC, "Sync" },
	{ AIONL_CMD_FDATASYNC, "Sync" },	{ AIONL_CMD_NOP, "Nop" },
	{ AIONL_CMD_TIMER, "Timer" },		{ AIONL_CMD_TIMER_UPDATE, "TimerUpdate" },
	{ AIONL_CMD_POLL, "Poll" },		{ AIONL_CMD_SIGNAL, "Signal" },
	{ AIONL_CMD_CANCEL, "Cancel" },		{ AIONL_CMD_OPEN, "Open" },
	{ AIONL_CMD_INSTALL, "Install" },	{ AIONL_CMD_BIND, "Bind" },
	{ AIONL_CMD_FALLOCATE, "Fallocate" },	{ AIONL_CMD_STATX, "Statx" },
	{ AIONL_CMD_COPY, "Copy" },
};

static const struct aionl_msg_desc *request_desc(const char *name)
{
	for (size_t k = 0; k < AIONL_MSG_DESC_COUNT; k++)
		if (aionl_msg_descs[k].role == 0 && !strcmp(aionl_msg_descs[k].name, name))
			return &aionl_msg_descs[k];
	return NULL;
}

static void parse_op_policy(const struct nlattr *nest)
{
	const struct nlattr *op, *a;

	mnl_attr_for_each_nested(op, nest) {
		uint16_t cmd = mnl_attr_get_type(op);

		if (cmd > 255) {
			FAIL("op %u out of range", cmd);
			continue;
		}
		if (op_policy[cmd] == -2)
			op_policy[cmd] = -1;
		mnl_attr_for_each_nested(a, op)
			if (mnl_attr_get_type(a) == CTRL_ATTR_POLICY_DO)
				op_policy[cmd] = (int)mnl_attr_get_u32(a);
	}
}

static void parse_policy(const struct nlattr *nest)
{
	const struct nlattr *pol, *attr, *a;

	mnl_attr_for_each_nested(pol, nest) {
		uint16_t idx = mnl_attr_get_type(pol);

		if (idx >= MAX_POLICIES) {
			FAIL("policy index %u past %d", idx, MAX_POLICIES);
			continue;
		}
		mnl_attr_for_each_nested(attr, pol) {
			uint16_t t = mnl_attr_get_type(attr);
			struct pattr *p;

			if (t >= MAX_ATTRS) {
				FAIL("policy %u: attribute %u past %d", idx, t, MAX_ATTRS);
				continue;
			}
			p = &policies[idx][t];
			p->seen = true;
			mnl_attr_for_each_nested(a, attr) {
				switch (mnl_attr_get_type(a)) {
				case NL_POLICY_TYPE_ATTR_TYPE:
					p->type = mnl_attr_get_u32(a);
					break;
				case NL_POLICY_TYPE_ATTR_MASK:
					p->mask = mnl_attr_get_u64(a);
					break;
				case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
					p->max_len = mnl_attr_get_u32(a);
					break;
				}
			}
		}
	}
}

static int dump(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[65536];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netlink socket");
		return -1;
	}
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETPOLICY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	if (send(fd, buf, nlh->nlmsg_len, 0) != (ssize_t)nlh->nlmsg_len) {
		perror("send");
		return -1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int len = (int)n;

		if (n <= 0) {
			perror("recv");
			return -1;
		}
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlattr *a;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				fprintf(stderr, "policy dump: %s\n", strerror(-e->error));
				return -1;
			}
			mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
				if (mnl_attr_get_type(a) == CTRL_ATTR_OP_POLICY)
					parse_op_policy(a);
				else if (mnl_attr_get_type(a) == CTRL_ATTR_POLICY)
					parse_policy(a);
			}
		}
	}
}

static uint32_t expected_type(const struct aionl_attr_desc *a)
{
	switch (a->kind) {
	case AIONL_ATTR_U8: return NL_ATTR_TYPE_U8;
	case AIONL_ATTR_U32: return NL_ATTR_TYPE_U32;
	case AIONL_ATTR_S32: return NL_ATTR_TYPE_S32;
	case AIONL_ATTR_U64: return NL_ATTR_TYPE_U64;
	case AIONL_ATTR_S64: return NL_ATTR_TYPE_S64;
	case AIONL_ATTR_STRING: return NL_ATTR_TYPE_NUL_STRING;
	case AIONL_ATTR_BINARY: return NL_ATTR_TYPE_BINARY;
	}
	return 0;
}

static void check_command(uint8_t cmd, const struct aionl_msg_desc *d)
{
	int idx = op_policy[cmd];
	const struct pattr *pol;
	unsigned int dumped = 0;

	if (idx == -2) {
		FAIL("command %u (%s) is not an op of the family", cmd, d->name);
		return;
	}
	if (idx < 0) {
		/* Only a message without attributes may go without a policy. */
		if (d->nattrs)
			FAIL("command %u (%s) has no policy", cmd, d->name);
		return;
	}
	if (idx >= MAX_POLICIES) {
		FAIL("command %u: policy index %d", cmd, idx);
		return;
	}
	pol = policies[idx];
	for (unsigned int t = 0; t < MAX_ATTRS; t++)
		dumped += pol[t].seen;
	if (dumped != d->nattrs)
		FAIL("command %u (%s): the policy has %u attributes, the message %u",
		     cmd, d->name, dumped, d->nattrs);
	for (unsigned int k = 0; k < d->nattrs; k++) {
		const struct aionl_attr_desc *a = &d->attrs[k];
		const struct pattr *p = a->type < MAX_ATTRS ? &pol[a->type] : NULL;

		if (!p || !p->seen) {
			FAIL("command %u (%s): attribute %s (%u) missing from the policy",
			     cmd, d->name, a->name, a->type);
			continue;
		}
		if (p->type != expected_type(a))
			FAIL("command %u (%s): attribute %s has type %u, expected %u",
			     cmd, d->name, a->name, p->type, expected_type(a));
		if (a->mask && p->mask != a->mask)
			FAIL("command %u (%s): attribute %s has mask %#llx, expected %#llx",
			     cmd, d->name, a->name, (unsigned long long)p->mask,
			     (unsigned long long)a->mask);
		/* The IDL counts the NUL in a string's bytes; the policy does not. */
		if (a->kind == AIONL_ATTR_STRING && p->max_len + 1ULL != a->max)
			FAIL("command %u (%s): attribute %s has max length %u, expected %llu",
			     cmd, d->name, a->name, p->max_len, (unsigned long long)a->max - 1);
	}
}

int main(void)
{
	for (unsigned int i = 0; i < 256; i++)
		op_policy[i] = -2;
	if (dump())
		return 1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct aionl_msg_desc *d = request_desc(commands[i].msg);

		if (!d) {
			FAIL("no request message %s in the codec", commands[i].msg);
			continue;
		}
		check_command(commands[i].cmd, d);
		op_policy[commands[i].cmd] = -3;	/* checked */
	}
	for (unsigned int cmd = 0; cmd < 256; cmd++)
		if (op_policy[cmd] > -2)
			FAIL("op %u is not a command a program sends", cmd);
	if (failures)
		return 1;
	printf("the policies of %zu commands match the IDL\n", sizeof(commands) / sizeof(commands[0]));
	return 0;
}
