// SPDX-License-Identifier: MIT
/*
 * What the library makes of GET_INFO's commands (src/lib/supports.c), against
 * servers that serve less than it knows: one older than the attribute, and
 * one without OPEN, INSTALL and BIND. The test plays the server, as the
 * reply fuzz target does: a context made as aionl_ctx_open makes one
 * (aionl__ctx_alloc), whose socket is one end of a SOCK_SEQPACKET pair.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lib.h"

#define FAMILY 0x42

static int server = -1;
/* GET_INFO's order_flags for the next ctx_with(); -1: no such attribute. */
static int order_attr = -1;

static void fake_close(struct aionl_ctx *ctx)
{
	(void)ctx;
}

static bool fake_ring(struct aionl_ctx *ctx)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };

	(void)ctx;
	return send(server, &nlh, sizeof(nlh), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(nlh);
}

static bool fake_is_bell(const struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	(void)ctx;
	return nlh->nlmsg_type == NLMSG_NOOP;
}

static const struct backend_ops fake_ops = {
	.kind = AIONL_BACKEND_USER, .close = fake_close, .pass_fd = false,
	.ring = fake_ring, .is_bell = fake_is_bell,
};

/*
 * A context whose server answered GET_INFO with commands, or with no
 * commands attribute at all when with_commands is false.
 */
static struct aionl_ctx *ctx_with(bool with_commands, uint64_t commands)
{
	struct aionl_ctx *ctx = aionl__ctx_alloc();
	struct aionl_get_info_reply m = {
		.present = AIONL_GET_INFO_REPLY_REQUIRED_MASK, .version = AIONL_FAMILY_VERSION,
		.backend = AIONL_BACKEND_USER, .executor = AIONL_EXEC_THREADS, .max_inflight = 64,
		.max_files = 16, .max_io_len = 4096, .max_iov = 8, .max_msg_size = 4096,
	};
	char buf[512];
	struct nlmsghdr *nlh;
	int sv[2];

	assert_non_null(ctx);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ctx->fd = sv[0];
	server = sv[1];
	ctx->ops = &fake_ops;
	ctx->family = FAMILY;
	ctx->info.backend = AIONL_BACKEND_USER;
	if (with_commands) {
		m.present |= 1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS;
		m.commands = commands;
	}
	if (order_attr >= 0) {
		m.present |= 1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS;
		m.order_flags = (uint32_t)order_attr;
	}
	/* The reply, ahead of the request: the library numbers its first call 1. */
	nlh = aionl__msg_start(buf, FAMILY, 0, 1, AIONL_CMD_GET_INFO, AIONL_FAMILY_VERSION);
	assert_int_equal(aionl_get_info_reply_put(nlh, sizeof(buf), &m), 0);
	assert_int_equal(send(server, buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
	assert_int_equal(ctl_get_info(ctx), 0);
	ctx->max_inflight = ctx->info.max_inflight;
	return ctx;
}

static void ctx_done(struct aionl_ctx *ctx)
{
	order_attr = -1;
	aionl__ctx_free(ctx);
	close(server);
	server = -1;
}

/* The commands of requests the library sent, bit n for command n; the GET_INFO of ctx_with ignored. */
static uint64_t server_received(void)
{
	static char buf[AIONL_MAX_MSG_SIZE];
	uint64_t cmds = 0;
	ssize_t n;

	while ((n = recv(server, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			uint8_t cmd = ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;

			if (nlh->nlmsg_type == FAMILY && cmd != AIONL_CMD_GET_INFO)
				cmds |= 1ULL << cmd;
		}
	}
	return cmds;
}

/* The commands the IDL's enum Family says a server without the attribute serves. */
static const unsigned int implied[] = {
	AIONL_CMD_GET_INFO, AIONL_CMD_REGISTER, AIONL_CMD_UNREGISTER, AIONL_CMD_READ,
	AIONL_CMD_WRITE, AIONL_CMD_READV, AIONL_CMD_WRITEV, AIONL_CMD_FSYNC, AIONL_CMD_FDATASYNC,
	AIONL_CMD_NOP, AIONL_CMD_TIMER, AIONL_CMD_TIMER_UPDATE, AIONL_CMD_POLL, AIONL_CMD_SIGNAL,
	AIONL_CMD_CANCEL,
};

static bool is_implied(unsigned int cmd)
{
	for (size_t i = 0; i < sizeof(implied) / sizeof(implied[0]); i++)
		if (implied[i] == cmd)
			return true;
	return false;
}

static void test_a_server_without_commands_serves_the_first_version_2_set(void **state)
{
	struct aionl_ctx *ctx = ctx_with(false, 0);

	(void)state;
	for (unsigned int cmd = 0; cmd < 300; cmd++)
		assert_int_equal(aionl_ctx_supports(ctx, cmd), is_implied(cmd));
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_OP_OPEN), 0);
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_CMD_INSTALL), 0);
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_CMD_BIND), 0);
	ctx_done(ctx);
}

static void test_commands_are_what_the_server_lists_and_the_library_knows(void **state)
{
	/* 40 and 60: commands of a newer server, which this library cannot send. */
	uint64_t listed = 1ULL << AIONL_CMD_GET_INFO | 1ULL << AIONL_CMD_READ |
			  1ULL << AIONL_CMD_OPEN | 1ULL << 40 | 1ULL << 60;
	struct aionl_ctx *ctx = ctx_with(true, listed);

	(void)state;
	for (unsigned int cmd = 0; cmd < 64; cmd++)
		assert_int_equal(aionl_ctx_supports(ctx, cmd),
				 cmd == AIONL_CMD_GET_INFO || cmd == AIONL_CMD_READ ||
				 cmd == AIONL_CMD_OPEN);
	ctx_done(ctx);
}

/*
 * A request the server does not serve completes with -EOPNOTSUPP and
 * AIONL_CQE_F_REJECTED, with its cookie, and is never sent; the others of
 * the batch go as usual.
 */
static void test_submit_completes_unserved_requests_without_sending_them(void **state)
{
	struct aionl_ctx *ctx = ctx_with(false, 0);
	struct aionl_req r[3];
	struct aionl_cqe c[4];
	char buf[16];

	(void)state;
	aionl_req_read(&r[0], 1, buf, sizeof(buf), 0, 100);
	aionl_req_open(&r[1], AIONL_AT_CWD, "x", 0, 0, 0, 101);
	aionl_req_nop(&r[2], 102);
	assert_int_equal(aionl_submit(ctx, r, 3), 3);
	/* The READ and the NOP went to the server; the OPEN did not. */
	assert_true(server_received() == (1ULL << AIONL_CMD_READ | 1ULL << AIONL_CMD_NOP));
	assert_int_equal(aionl_reap(ctx, c, 4, 1, &(struct timespec){ 1, 0 }), 1);
	assert_true(c[0].cookie == 101);
	assert_int_equal(c[0].res, -EOPNOTSUPP);
	assert_int_equal(c[0].flags, AIONL_CQE_F_REJECTED);
	/* It held a credit until reaped, as every accepted request does. */
	assert_int_equal(atomic_load(&ctx->outstanding), 2);
	/* A batch of nothing but unserved requests sends nothing at all. */
	assert_int_equal(aionl_submit(ctx, &r[1], 1), 1);
	assert_true(server_received() == 0);
	assert_int_equal(aionl_reap(ctx, c, 4, 1, &(struct timespec){ 1, 0 }), 1);
	assert_int_equal(c[0].res, -EOPNOTSUPP);
	ctx_done(ctx);
}

/* A server that hides READ: page-cache hits are not served around it. */
static void test_an_unserved_read_is_refused_before_the_page_cache(void **state)
{
	struct aionl_ctx *ctx = ctx_with(true, AIONL_CMDS_KNOWN & ~(1ULL << AIONL_CMD_READ));
	struct aionl_req r;
	struct aionl_cqe c;
	char buf[16];

	(void)state;
	/* fake_ops has no inline_read: trying one would crash the test. */
	ctx->inline_reads = true;
	aionl_req_read(&r, 1, buf, sizeof(buf), 0, 7);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 1, 0 }), 1);
	assert_int_equal(c.res, -EOPNOTSUPP);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);
	assert_true(server_received() == 0);
	ctx_done(ctx);
}

static void test_install_without_the_command_fails_without_asking(void **state)
{
	struct aionl_ctx *ctx = ctx_with(false, 0);

	(void)state;
	assert_int_equal(aionl_file_install(ctx, 1, 0), -EOPNOTSUPP);
	assert_non_null(strstr(aionl_error_message(), "install"));
	assert_true(server_received() == 0);
	ctx_done(ctx);
}

static void test_command_names_are_the_idls(void **state)
{
	(void)state;
	assert_string_equal(aionl_cmd_name(AIONL_OP_READ), "read");
	assert_string_equal(aionl_cmd_name(AIONL_OP_TIMER_UPDATE), "timer_update");
	assert_string_equal(aionl_cmd_name(AIONL_OP_OPEN), "open");
	assert_string_equal(aionl_cmd_name(AIONL_CMD_GET_INFO), "get_info");
	assert_string_equal(aionl_cmd_name(AIONL_CMD_BIND), "bind");
	assert_string_equal(aionl_cmd_name(AIONL_CMD_COMPLETION), "completion");
	assert_null(aionl_cmd_name(0));
	assert_null(aionl_cmd_name(AIONL_CMD_MAX + 1));
	assert_null(aionl_cmd_name(60));
	assert_null(aionl_cmd_name(1000));
	/* Every command of the library's IDL has one, and only those. */
	for (unsigned int cmd = 1; cmd <= AIONL_CMD_MAX; cmd++)
		assert_true(!!aionl_cmd_name(cmd) ==
			    (cmd == AIONL_CMD_COMPLETION || (AIONL_CMDS_KNOWN >> cmd & 1)));
}

/* ------------------------------------------------------------ ordering */

/*
 * A server that predates ordering refuses req_flags as malformed; the
 * library knows it from GET_INFO and refuses them first, sending nothing.
 */
static void test_a_server_older_than_ordering_honours_no_flags(void **state)
{
	struct aionl_ctx *ctx = ctx_with(false, 0);
	struct aionl_req r[2];

	(void)state;
	assert_int_equal(aionl_ctx_req_flags(ctx), 0);
	aionl_req_nop(&r[0], 1);
	aionl_req_set_flags(&r[0], AIONL_REQ_LINK);
	aionl_req_nop(&r[1], 2);
	assert_int_equal(aionl_submit(ctx, r, 2), -EOPNOTSUPP);
	aionl_req_set_flags(&r[0], AIONL_REQ_DRAIN);
	assert_int_equal(aionl_submit(ctx, r, 1), -EOPNOTSUPP);
	assert_true(server_received() == 0);
	assert_int_equal(atomic_load(&ctx->outstanding), 0);
	ctx_done(ctx);
}

/* A server that honours DRAIN only (the module with hide_req_flags=1). */
static void test_order_flags_are_what_the_server_lists(void **state)
{
	struct aionl_ctx *ctx;
	struct aionl_req r[3];
	char buf[16];

	(void)state;
	order_attr = AIONL_REQ_DRAIN | 0x80;	/* 0x80: a newer server's, unknown here */
	ctx = ctx_with(true, AIONL_CMDS_KNOWN);
	assert_int_equal(aionl_ctx_req_flags(ctx), AIONL_REQ_DRAIN);
	aionl_req_nop(&r[0], 1);
	aionl_req_set_flags(&r[0], AIONL_REQ_DRAIN);
	assert_int_equal(aionl_submit(ctx, r, 1), 1);
	assert_true(server_received() == 1ULL << AIONL_CMD_NOP);
	/* A bad request ends the call before it: the READ goes, the chain does not. */
	aionl_req_read(&r[0], 1, buf, sizeof(buf), 0, 2);
	aionl_req_nop(&r[1], 3);
	aionl_req_set_flags(&r[1], AIONL_REQ_LINK);
	aionl_req_nop(&r[2], 4);
	assert_int_equal(aionl_submit(ctx, r, 3), 1);
	assert_true(server_received() == 1ULL << AIONL_CMD_READ);
	assert_int_equal(aionl_submit(ctx, &r[1], 2), -EOPNOTSUPP);
	assert_true(server_received() == 0);
	ctx_done(ctx);
}

/*
 * An unserved request alone completes -EOPNOTSUPP unsent; in a chain the
 * library would have to break the chain itself, so the whole chain is
 * refused before anything of it is sent.
 */
static void test_a_chain_holding_an_unserved_command_is_refused_whole(void **state)
{
	struct aionl_ctx *ctx;
	struct aionl_req r[4];
	struct aionl_cqe c;
	char buf[16];

	(void)state;
	order_attr = AIONL_REQ_FLAG_MASK;
	ctx = ctx_with(true, AIONL_CMDS_KNOWN & ~(1ULL << AIONL_CMD_OPEN));
	assert_int_equal(aionl_ctx_req_flags(ctx), AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	aionl_req_read(&r[0], 1, buf, sizeof(buf), 0, 1);
	aionl_req_nop(&r[1], 2);
	aionl_req_set_flags(&r[1], AIONL_REQ_LINK);
	aionl_req_open(&r[2], AIONL_AT_CWD, "x", 0, 0, 0, 3);
	aionl_req_nop(&r[3], 4);
	assert_int_equal(aionl_submit(ctx, r, 4), 1);
	assert_true(server_received() == 1ULL << AIONL_CMD_READ);
	assert_int_equal(aionl_submit(ctx, &r[1], 3), -EOPNOTSUPP);
	/* The OPEN heading a chain too. */
	aionl_req_set_flags(&r[2], AIONL_REQ_LINK);
	assert_int_equal(aionl_submit(ctx, &r[2], 2), -EOPNOTSUPP);
	assert_true(server_received() == 0);
	/* Alone, with a drain or a link that ends the call, it completes unsent. */
	aionl_req_set_flags(&r[2], AIONL_REQ_DRAIN | AIONL_REQ_LINK);
	assert_int_equal(aionl_submit(ctx, &r[2], 1), 1);
	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 1, 0 }), 1);
	assert_true(c.cookie == 3);
	assert_int_equal(c.res, -EOPNOTSUPP);
	assert_true(server_received() == 0);
	ctx_done(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_server_without_commands_serves_the_first_version_2_set),
		cmocka_unit_test(test_commands_are_what_the_server_lists_and_the_library_knows),
		cmocka_unit_test(test_submit_completes_unserved_requests_without_sending_them),
		cmocka_unit_test(test_an_unserved_read_is_refused_before_the_page_cache),
		cmocka_unit_test(test_install_without_the_command_fails_without_asking),
		cmocka_unit_test(test_command_names_are_the_idls),
		cmocka_unit_test(test_a_server_older_than_ordering_honours_no_flags),
		cmocka_unit_test(test_order_flags_are_what_the_server_lists),
		cmocka_unit_test(test_a_chain_holding_an_unserved_command_is_refused_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
