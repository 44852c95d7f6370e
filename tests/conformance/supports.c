// SPDX-License-Identifier: MIT
/*
 * Conformance: what the server says it serves (GET_INFO's commands, through
 * aionl_ctx_supports and aionl_probe_op), and its answer to a command it does
 * not serve. Both servers serve every command of the IDL the library is built
 * from; tests/unit/supports.c plays servers that serve less (an old one, one
 * without OPEN), and tests/kernel/supports.c hides commands of the module
 * with its hide_cmds parameter.
 */
#define _GNU_SOURCE
#include <limits.h>
#include "common.h"
#include "../testutil.h"

/* docs/protocol.md, "Versions and additions": the refusal's extended-ACK message. */
#define UNSUPPORTED_MSG "unsupported command: GET_INFO's commands lists those this server serves"

/* The commands of the IDL a program sends: every one named but the completion. */
static bool program_command(unsigned int cmd)
{
	return aionl_cmd_name(cmd) && cmd != AIONL_CMD_COMPLETION;
}

static void test_every_command_the_library_knows_is_served(void **state)
{
	struct aionl_ctx *ctx = open_ctx(0);
	static const unsigned int ops[] = {
		AIONL_OP_READ, AIONL_OP_WRITE, AIONL_OP_READV, AIONL_OP_WRITEV, AIONL_OP_FSYNC,
		AIONL_OP_FDATASYNC, AIONL_OP_NOP, AIONL_OP_TIMER, AIONL_OP_TIMER_UPDATE,
		AIONL_OP_POLL, AIONL_OP_SIGNAL, AIONL_OP_CANCEL, AIONL_OP_OPEN,
		AIONL_CMD_GET_INFO, AIONL_CMD_REGISTER, AIONL_CMD_UNREGISTER, AIONL_CMD_INSTALL,
		AIONL_CMD_BIND,
	};
	unsigned int n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (aionl_ctx_supports(ctx, ops[i]) != 1)
			fail_msg("%s (%u) is not reported served", aionl_cmd_name(ops[i]), ops[i]);
	}
	/* ...and every other command the library's IDL has, whatever it is. */
	for (unsigned int cmd = 0; cmd < 256; cmd++) {
		if (!program_command(cmd))
			continue;
		if (aionl_ctx_supports(ctx, cmd) != 1)
			fail_msg("%s (%u) is not reported served", aionl_cmd_name(cmd), cmd);
		n++;
	}
	assert_true(n >= sizeof(ops) / sizeof(ops[0]));
	aionl_ctx_close(ctx);
}

static void test_numbers_of_no_command_are_not_served(void **state)
{
	struct aionl_ctx *ctx = open_ctx(0);
	static const unsigned int none[] = { 0, AIONL_CMD_COMPLETION, 60, 63, 64, 200, 255, 256,
					     UINT_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_int_equal(aionl_ctx_supports(ctx, none[i]), 0);
	for (unsigned int cmd = 0; cmd < 1024; cmd++)
		if (!program_command(cmd))
			assert_int_equal(aionl_ctx_supports(ctx, cmd), 0);
	assert_int_equal(aionl_ctx_supports(NULL, AIONL_OP_READ), -EINVAL);
	aionl_ctx_close(ctx);
}

/* What this run's context is, as aionl_probe_op takes it. */
static void this_backend(enum aionl_backend *b, enum aionl_executor *x)
{
	struct aionl_ctx *ctx = open_ctx(0);
	struct aionl_info info;

	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	*b = info.backend;
	*x = info.backend == AIONL_BACKEND_KERNEL ? AIONL_EXEC_AUTO : info.executor;
	aionl_ctx_close(ctx);
}

static void test_probe_op_asks_before_opening(void **state)
{
	enum aionl_backend b;
	enum aionl_executor x;

	(void)state;
	this_backend(&b, &x);
	assert_int_equal(aionl_probe_op(b, x, AIONL_OP_READ), 1);
	assert_int_equal(aionl_probe_op(b, x, AIONL_OP_OPEN), 1);
	assert_int_equal(aionl_probe_op(b, x, AIONL_CMD_BIND), 1);
	assert_int_equal(aionl_probe_op(b, x, 60), 0);
	assert_int_equal(aionl_probe_op(b, x, AIONL_CMD_COMPLETION), 0);
	/* What aionl_ctx_open refuses, refused the same way. */
	assert_int_equal(aionl_probe_op(AIONL_BACKEND_KERNEL, AIONL_EXEC_THREADS, AIONL_OP_READ),
			 -EINVAL);
	assert_int_equal(aionl_probe_op(99, AIONL_EXEC_AUTO, AIONL_OP_READ), -EINVAL);
}

/* The next NLMSG_ERROR on ctx's socket (nobody else reads it now): error and message. */
static int read_error(struct aionl_ctx *ctx, char *msg, size_t msg_len)
{
	char buf[8192];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlmsgerr *me;
	const struct nlattr *a;
	size_t off;
	ssize_t n;

	msg[0] = '\0';
	do {
		n = recv(aionl_ctx_fd(ctx), buf, sizeof(buf), 0);
		assert_true(n > 0);
	} while (nlh->nlmsg_type != NLMSG_ERROR);
	me = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return me->error;
	off = sizeof(*me) - sizeof(me->msg);
	off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? sizeof(me->msg) : NLMSG_ALIGN(me->msg.nlmsg_len);
	mnl_attr_for_each(a, nlh, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(msg, msg_len, "%s", mnl_attr_get_str(a));
	return me->error;
}

static void send_raw(struct aionl_ctx *ctx, uint16_t family, uint8_t cmd, uint64_t cookie)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = AIONL_FAMILY_VERSION;
	mnl_attr_put_u64(nlh, AIONL_A_COOKIE, cookie);
	assert_int_equal(send(aionl_ctx_fd(ctx), buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
}

/*
 * A command the server does not serve is refused with -EOPNOTSUPP. The
 * engine says why in the extended ACK; genetlink, which refuses a command
 * the module has no op for before the module sees it, says nothing.
 */
static void test_an_unknown_command_is_refused_with_eopnotsupp(void **state)
{
	struct aionl_ctx *ctx = open_ctx(0), *c2 = open_ctx(0);
	uint16_t family = test_family_id(c2);
	struct aionl_info info;
	struct aionl_cqe c;
	char msg[160];

	(void)state;
	aionl_ctx_info(ctx, &info);
	send_raw(ctx, family, 60, 0x6060);
	assert_int_equal(read_error(ctx, msg, sizeof(msg)), -EOPNOTSUPP);
	if (info.backend == AIONL_BACKEND_USER)
		assert_string_equal(msg, UNSUPPORTED_MSG);
	else
		assert_string_equal(msg, "");
	/* Through the library, it is a rejected completion that keeps its cookie. */
	send_raw(c2, family, 60, 0x6061);
	assert_int_equal(aionl_reap(c2, &c, 1, 1, NULL), 1);
	assert_true(c.cookie == 0x6061);
	assert_int_equal(c.res, -EOPNOTSUPP);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);
	aionl_ctx_close(c2);
	aionl_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_the_library_knows_is_served),
		cmocka_unit_test(test_numbers_of_no_command_are_not_served),
		cmocka_unit_test(test_probe_op_asks_before_opening),
		cmocka_unit_test(test_an_unknown_command_is_refused_with_eopnotsupp),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
