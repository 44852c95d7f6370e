// SPDX-License-Identifier: MIT
/*
 * The module's parameter hide_cmds (src/kernel/cmds.c), in the VM: a command
 * it hides is left out of GET_INFO's commands, so a new context does not
 * send it (aionl_ctx_supports 0, its requests complete with -EOPNOTSUPP
 * unsent), and refused with -EOPNOTSUPP and the extended-ACK message of the
 * engine when sent anyway; clearing the parameter brings it back. And
 * hide_req_flags, the same for the ordering flags (GET_INFO's order_flags).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "aionl.h"
#include "../testutil.h"

/* docs/protocol.md, "Versions and additions": the refusal's extended-ACK message. */
#define UNSUPPORTED_MSG "unsupported command: GET_INFO's commands lists those this server serves"
#define PARAM "/sys/module/aionl/parameters/hide_cmds"
#define FLAGS_PARAM "/sys/module/aionl/parameters/hide_req_flags"
#define FLAGS_MSG "unsupported req_flags: GET_INFO's order_flags lists those this server honours"

static void set_hidden(unsigned long long cmds)
{
	FILE *f = fopen(PARAM, "w");

	assert_non_null(f);
	fprintf(f, "%#llx\n", cmds);
	assert_int_equal(fclose(f), 0);
}

static unsigned long long get_hidden(void)
{
	unsigned long long v = 1;
	FILE *f = fopen(PARAM, "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &v), 1);
	fclose(f);
	return v;
}

static void set_param(const char *path, unsigned long long v)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "%llu\n", v);
	assert_int_equal(fclose(f), 0);
}

static struct aionl_ctx *open_kernel(void)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_KERNEL };
	struct aionl_ctx *ctx = NULL;

	if (aionl_ctx_open(&ctx, &p))
		fail_msg("kernel backend: %s", aionl_error_message());
	return ctx;
}

static struct aionl_cqe reap_one(struct aionl_ctx *ctx)
{
	struct aionl_cqe c;

	assert_int_equal(aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 5, 0 }), 1);
	return c;
}

/* Send nlh and return the NLMSG_ERROR it gets: error and message. */
static int raw_ask(struct aionl_ctx *ctx, char *buf, size_t size, char *msg, size_t msg_len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlmsgerr *me;
	const struct nlattr *a;
	size_t off;
	ssize_t n;

	assert_int_equal(send(aionl_ctx_fd(ctx), buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
	do {
		n = recv(aionl_ctx_fd(ctx), buf, size, 0);
		assert_true(n > 0);
	} while (nlh->nlmsg_type != NLMSG_ERROR);
	me = mnl_nlmsg_get_payload(nlh);
	msg[0] = '\0';
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*me) - sizeof(me->msg);
		off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? sizeof(me->msg) :
							    NLMSG_ALIGN(me->msg.nlmsg_len);
		mnl_attr_for_each(a, nlh, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(msg, msg_len, "%s", mnl_attr_get_str(a));
	}
	return me->error;
}

/* A well-formed OPEN of path, as raw bytes, and the NLMSG_ERROR it gets: error and message. */
static int raw_open(struct aionl_ctx *ctx, uint16_t family, const char *path, char *msg,
		    size_t msg_len)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = AIONL_CMD_OPEN;
	g->version = AIONL_FAMILY_VERSION;
	mnl_attr_put_u64(nlh, AIONL_A_OPEN_COOKIE, 0x1717);
	mnl_attr_put_strz(nlh, AIONL_A_OPEN_PATH, path);
	mnl_attr_put_u32(nlh, AIONL_A_OPEN_FLAGS, AIONL_OPEN_RDONLY);
	return raw_ask(ctx, buf, sizeof(buf), msg, msg_len);
}

/* A NOP with req_flags, as raw bytes, and the NLMSG_ERROR it gets. */
static int raw_nop(struct aionl_ctx *ctx, uint16_t family, uint32_t flags, char *msg,
		   size_t msg_len)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = AIONL_CMD_NOP;
	g->version = AIONL_FAMILY_VERSION;
	mnl_attr_put_u64(nlh, AIONL_A_NOP_COOKIE, 0x1818);
	mnl_attr_put_u32(nlh, AIONL_A_NOP_REQ_FLAGS, flags);
	return raw_ask(ctx, buf, sizeof(buf), msg, msg_len);
}

/* The "lacks:" line of aionl info's kernel row, if /bin/aionl is here (the VM's). */
static bool info_kernel_lacks(const char *name)
{
	char line[512];
	bool in_kernel = false, found = false;
	FILE *f;

	if (access("/bin/aionl", X_OK))
		return false;
	f = popen("/bin/aionl info", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ')
			in_kernel = strncmp(line + 2, "kernel ", 7) == 0;
		else if (in_kernel && strstr(line, "lacks:") && strstr(line, name))
			found = true;
	}
	pclose(f);
	return found;
}

static void test_a_hidden_open_is_neither_listed_nor_served(void **state)
{
	struct aionl_ctx *before = open_kernel(), *ctx, *c2;
	char path[] = "/tmp/aionl-hide-XXXXXX", msg[160];
	struct aionl_req r;
	struct aionl_cqe c;
	uint16_t family;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(aionl_ctx_supports(before, AIONL_OP_OPEN), 1);
	set_hidden(1ULL << AIONL_CMD_OPEN);
	assert_int_equal(get_hidden(), 1ULL << AIONL_CMD_OPEN);

	/* A new context learns it at open. */
	ctx = open_kernel();
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_OP_OPEN), 0);
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_OP_READ), 1);
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_CMD_INSTALL), 1);
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_CMD_BIND), 1);
	assert_int_equal(aionl_probe_op(AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, AIONL_OP_OPEN), 0);
	assert_int_equal(aionl_probe_op(AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, AIONL_OP_READ), 1);
	/* The backend itself is still there. */
	assert_int_equal(aionl_probe(AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO), 0);
	if (!access("/bin/aionl", X_OK))
		assert_true(info_kernel_lacks("open"));

	/* Its OPEN completes -EOPNOTSUPP, rejected, without reaching the module. */
	aionl_req_open(&r, AIONL_AT_CWD, path, O_RDONLY, 0, 0, 0x1701);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	c = reap_one(ctx);
	assert_true(c.cookie == 0x1701);
	assert_int_equal(c.res, -EOPNOTSUPP);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);

	/* A context opened before still sends it: the module refuses it, with its cookie. */
	aionl_req_open(&r, AIONL_AT_CWD, path, O_RDONLY, 0, 0, 0x1702);
	assert_int_equal(aionl_submit(before, &r, 1), 1);
	c = reap_one(before);
	assert_true(c.cookie == 0x1702);
	assert_int_equal(c.res, -EOPNOTSUPP);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);

	/* Raw: -EOPNOTSUPP, and why, as the engine says it. */
	c2 = open_kernel();
	family = test_family_id(c2);
	assert_int_equal(raw_open(c2, family, path, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, UNSUPPORTED_MSG);
	aionl_ctx_close(c2);

	/* Cleared, it is back: for new contexts, and for the old one's requests. */
	set_hidden(0);
	aionl_ctx_close(ctx);
	ctx = open_kernel();
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_OP_OPEN), 1);
	assert_int_equal(aionl_probe_op(AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, AIONL_OP_OPEN), 1);
	if (!access("/bin/aionl", X_OK))
		assert_false(info_kernel_lacks("open"));
	aionl_req_open(&r, AIONL_AT_CWD, path, O_RDONLY, 0, 0, 0x1703);
	assert_int_equal(aionl_submit(ctx, &r, 1), 1);
	c = reap_one(ctx);
	assert_true(c.cookie == 0x1703);
	assert_int_equal(c.res, 0);
	assert_int_equal(aionl_file_unregister(ctx, c.open.handle), 0);
	aionl_req_open(&r, AIONL_AT_CWD, path, O_RDONLY, 0, 0, 0x1704);
	assert_int_equal(aionl_submit(before, &r, 1), 1);
	c = reap_one(before);
	assert_int_equal(c.res, 0);
	aionl_ctx_close(ctx);
	aionl_ctx_close(before);
	close(fd);
	unlink(path);
}

/* Every command but GET_INFO hidden: GET_INFO stays, how a program learns the rest. */
static void test_get_info_cannot_be_hidden(void **state)
{
	struct aionl_ctx *ctx;
	uint64_t h;
	int fd;

	(void)state;
	set_hidden(~0ULL);
	ctx = open_kernel();
	assert_int_equal(aionl_ctx_supports(ctx, AIONL_CMD_GET_INFO), 1);
	for (unsigned int cmd = 0; cmd < 64; cmd++)
		if (cmd != AIONL_CMD_GET_INFO)
			assert_int_equal(aionl_ctx_supports(ctx, cmd), 0);
	/* Control calls are the module's to refuse. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(aionl_file_register(ctx, fd, &h), -EOPNOTSUPP);
	close(fd);
	set_hidden(0);
	assert_int_equal(get_hidden(), 0);
	aionl_ctx_close(ctx);
}

/*
 * hide_req_flags: a hidden ordering is left out of GET_INFO's order_flags,
 * so a new context refuses it itself (aionl_submit -EOPNOTSUPP, nothing
 * sent); the module refuses a request carrying it with -EOPNOTSUPP and its
 * extended-ACK message, and a request without it still runs.
 */
static void test_a_hidden_ordering_is_neither_listed_nor_honoured(void **state)
{
	struct aionl_ctx *before = open_kernel(), *ctx;
	struct aionl_req r[2];
	struct aionl_cqe c;
	char msg[160];

	(void)state;
	assert_int_equal(aionl_ctx_req_flags(before), AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	set_param(FLAGS_PARAM, AIONL_REQ_LINK);
	ctx = open_kernel();
	assert_int_equal(aionl_ctx_req_flags(ctx), AIONL_REQ_DRAIN);
	aionl_req_nop(&r[0], 0x1801);
	aionl_req_set_flags(&r[0], AIONL_REQ_LINK);
	aionl_req_nop(&r[1], 0x1802);
	assert_int_equal(aionl_submit(ctx, r, 2), -EOPNOTSUPP);
	/* A drain still runs. */
	aionl_req_set_flags(&r[0], AIONL_REQ_DRAIN);
	assert_int_equal(aionl_submit(ctx, r, 1), 1);
	c = reap_one(ctx);
	assert_true(c.cookie == 0x1801);
	assert_int_equal(c.res, 0);
	if (!access("/bin/aionl", X_OK)) {
		FILE *f = popen("/bin/aionl info", "r");
		char line[512];
		bool seen = false;

		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			seen |= strstr(line, "orders: drain (no link)") != NULL;
		pclose(f);
		assert_true(seen);
	}

	/*
	 * The context opened before sends it: the module refuses it, with its
	 * cookie, and the chain it began never runs: its rest is -ECANCELED.
	 */
	aionl_req_set_flags(&r[0], AIONL_REQ_LINK);
	assert_int_equal(aionl_submit(before, r, 2), 2);
	for (int i = 0; i < 2; i++) {
		c = reap_one(before);
		if (c.cookie == 0x1801) {
			assert_int_equal(c.res, -EOPNOTSUPP);
			assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);
		} else {
			assert_true(c.cookie == 0x1802);
			assert_int_equal(c.res, -ECANCELED);
		}
	}
	assert_int_equal(raw_nop(ctx, test_family_id(ctx), AIONL_REQ_LINK, msg, sizeof(msg)),
			 -EOPNOTSUPP);
	assert_string_equal(msg, FLAGS_MSG);

	set_param(FLAGS_PARAM, 0);
	aionl_ctx_close(ctx);
	ctx = open_kernel();
	assert_int_equal(aionl_ctx_req_flags(ctx), AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	aionl_ctx_close(ctx);
	aionl_ctx_close(before);
}

static int reset(void **state)
{
	FILE *f = fopen(PARAM, "w");

	(void)state;
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	f = fopen(FLAGS_PARAM, "w");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_a_hidden_open_is_neither_listed_nor_served, reset),
		cmocka_unit_test_teardown(test_get_info_cannot_be_hidden, reset),
		cmocka_unit_test_teardown(test_a_hidden_ordering_is_neither_listed_nor_honoured,
					  reset),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	if (access(PARAM, W_OK)) {
		fprintf(stderr, "%s: not writable (aionl.ko is not loaded, or not root)\n", PARAM);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
