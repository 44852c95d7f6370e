// SPDX-License-Identifier: MIT
/*
 * Conformance: bad ranges and bad requests, and malformed messages sent as
 * raw bytes to aionl_ctx_fd().
 */
#define _GNU_SOURCE
#include "common.h"

/* ------------------------------------------------------------ bad ranges */

static void test_bad_offsets_and_lengths_are_einval(void **state)
{
	struct fixture *f = *state;
	struct aionl_info info;
	char buf[16];
	struct iovec big[2] = { { buf, 0x7ffff000 }, { buf, 0x7ffff000 } };
	struct aionl_req r;

	aionl_ctx_info(f->ctx, &info);
	aionl_req_read(&r, f->h, buf, sizeof(buf), (uint64_t)-4096, 21);	/* negative */
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 1ULL << 63, 22);
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_write(&r, f->h, buf, sizeof(buf), INT64_MAX - 4, 23);	/* overflows */
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_read(&r, f->h, buf, info.max_io_len + 1, 0, 24);		/* oversized */
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_read(&r, f->h, buf, UINT64_MAX, 0, 25);
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_readv(&r, f->h, big, 2, 0, 26);				/* sum too big */
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	aionl_req_readv(&r, f->h, big, 0, 0, 27);				/* no buffers */
	assert_int_equal(run(f->ctx, &r), -EINVAL);
	/* Nothing was written. */
	assert_int_equal(lseek(f->fd, 0, SEEK_END), FILE_SIZE);
}

static void test_bad_requests_fail_submit(void **state)
{
	struct fixture *f = *state;
	struct aionl_info info;
	struct iovec iov[1];
	struct aionl_req r[2];

	aionl_ctx_info(f->ctx, &info);
	aionl_req_fsync(&r[0], f->h, 1);
	r[0].op = 99;
	assert_int_equal(aionl_submit(f->ctx, r, 1), -EINVAL);
	aionl_req_readv(&r[0], f->h, iov, info.max_iov + 1, 0, 1);
	assert_int_equal(aionl_submit(f->ctx, r, 1), -EINVAL);
	assert_non_null(strstr(aionl_error_message(), "iovecs"));
	/* A bad request stops the batch after the good ones before it. */
	aionl_req_fsync(&r[0], f->h, 30);
	aionl_req_fsync(&r[1], f->h, 31);
	r[1].op = 0;
	assert_int_equal(aionl_submit(f->ctx, r, 2), 1);
	assert_true(wait_one(f->ctx).cookie == 30);
}

/*
 * A request the server refuses comes back with its cookie, however long:
 * a READV of max_iov buffers with a deadline past AIONL_MAX_NS.
 */
static void test_long_refused_request_keeps_its_cookie(void **state)
{
	struct fixture *f = *state;
	struct aionl_info info;
	struct iovec *iov;
	struct aionl_req r;
	struct aionl_cqe c;
	char buf[16];

	aionl_ctx_info(f->ctx, &info);
	iov = calloc(info.max_iov, sizeof(*iov));
	for (unsigned int i = 0; i < info.max_iov; i++)
		iov[i] = (struct iovec){ buf, 1 };
	aionl_req_readv(&r, f->h, iov, info.max_iov, 0, 0x5151);
	aionl_req_set_timeout(&r, AIONL_MAX_NS + 1);
	submit(f->ctx, &r, 1);
	c = wait_one(f->ctx);
	assert_true(c.cookie == 0x5151);
	assert_int_equal(c.res, -EINVAL);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);
	free(iov);
}

/* ------------------------------------------------------------ raw bytes */

struct raw {
	char buf[4096];
	size_t len;
	uint16_t family;
};

/* The family id, asked on a second context's socket so as not to disturb ctx. */
static uint16_t family_id(struct aionl_ctx *ctx)
{
	struct aionl_ctx *c2 = open_ctx(0);
	uint16_t id = test_family_id(c2);

	(void)ctx;
	aionl_ctx_close(c2);
	return id;
}

static struct nlmsghdr *raw_msg(struct raw *r, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf + r->len);
	struct genlmsghdr *g;

	nlh->nlmsg_type = r->family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void raw_end(struct raw *r, struct nlmsghdr *nlh)
{
	r->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void raw_send(struct aionl_ctx *ctx, struct raw *r)
{
	assert_int_equal(send(aionl_ctx_fd(ctx), r->buf, r->len, 0), (ssize_t)r->len);
	r->len = 0;
}

/* Malformed messages get NLMSG_ERROR, seen as rejected completions; the
 * socket keeps working for everything else. */
static void test_malformed_messages_are_rejected(void **state)
{
	struct fixture *f = *state;
	struct raw r = { .family = family_id(f->ctx) };
	struct nlmsghdr *nlh;
	struct aionl_cqe c[8];
	char buf[64];
	struct aionl_req ok;

	/* Unknown command, with a cookie to recover. */
	nlh = raw_msg(&r, 200);
	mnl_attr_put_u64(nlh, 1, 0x1001);
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	c[0] = wait_one(f->ctx);
	assert_true(c[0].cookie == 0x1001);
	assert_int_equal(c[0].res, -EOPNOTSUPP);
	assert_int_equal(c[0].flags, AIONL_CQE_F_REJECTED);

	/* READ without its handle. */
	nlh = raw_msg(&r, 4 /* AIONL_CMD_READ */);
	mnl_attr_put_u64(nlh, 1, 0x1002);
	mnl_attr_put_u64(nlh, 3, 0);
	mnl_attr_put_u64(nlh, 4, (uintptr_t)buf);
	mnl_attr_put_u64(nlh, 5, sizeof(buf));
	raw_end(&r, nlh);
	/* READ whose handle is a u32, not a u64. */
	nlh = raw_msg(&r, 4);
	mnl_attr_put_u64(nlh, 1, 0x1003);
	mnl_attr_put_u32(nlh, 2, 1);
	mnl_attr_put_u64(nlh, 3, 0);
	mnl_attr_put_u64(nlh, 4, (uintptr_t)buf);
	mnl_attr_put_u64(nlh, 5, sizeof(buf));
	raw_end(&r, nlh);
	/* FSYNC with an attribute it does not have. */
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x1004);
	mnl_attr_put_u64(nlh, 2, f->h);
	mnl_attr_put_u64(nlh, 40, 0);
	raw_end(&r, nlh);
	/* A good FSYNC in the same datagram still runs. */
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x1005);
	mnl_attr_put_u64(nlh, 2, f->h);
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	assert_int_equal(aionl_reap(f->ctx, c, 8, 4, NULL), 4);
	for (int i = 0; i < 4; i++) {
		if (c[i].cookie == 0x1005) {
			assert_int_equal(c[i].res, 0);
			assert_int_equal(c[i].flags, 0);
		} else {
			assert_true(c[i].cookie >= 0x1002 && c[i].cookie <= 0x1004);
			assert_int_equal(c[i].res, -EINVAL);
			assert_int_equal(c[i].flags, AIONL_CQE_F_REJECTED);
		}
	}

	/* Still healthy. */
	aionl_req_read(&ok, f->h, buf, sizeof(buf), 0, 0x1006);
	assert_int_equal(run(f->ctx, &ok), sizeof(buf));
	assert_int_equal((unsigned char)buf[0], pattern(0));
}

/* Read the next NLMSG_ERROR straight from the socket (nobody else reads it
 * now) and return its extended-ACK attributes of interest. */
struct ack {
	int error;
	char msg[128];
	uint32_t offs, miss_type;
};

static void read_ack(struct aionl_ctx *ctx, struct ack *ack)
{
	char buf[8192];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlmsgerr *me;
	const struct nlattr *a;
	size_t off;
	ssize_t n;

	memset(ack, 0, sizeof(*ack));
	do {
		n = recv(aionl_ctx_fd(ctx), buf, sizeof(buf), 0);
		assert_true(n > 0);
	} while (nlh->nlmsg_type != NLMSG_ERROR);
	me = mnl_nlmsg_get_payload(nlh);
	ack->error = me->error;
	assert_true(nlh->nlmsg_flags & NLM_F_ACK_TLVS);
	off = sizeof(*me) - sizeof(me->msg);
	off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? sizeof(me->msg) : NLMSG_ALIGN(me->msg.nlmsg_len);
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(ack->msg, sizeof(ack->msg), "%s", mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			ack->offs = mnl_attr_get_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			ack->miss_type = mnl_attr_get_u32(a);
			break;
		}
	}
}

/* A rejection says what was wrong, in extended-ACK attributes, as netlink does. */
static void test_rejection_says_what_was_wrong(void **state)
{
	struct fixture *f = *state;
	struct raw r = { .family = family_id(f->ctx) };
	struct nlmsghdr *nlh;
	struct ack ack;

	/* READ without its handle: the missing attribute is named. */
	nlh = raw_msg(&r, 4);
	mnl_attr_put_u64(nlh, 1, 0x4001);
	mnl_attr_put_u64(nlh, 3, 0);
	mnl_attr_put_u64(nlh, 4, 0);
	mnl_attr_put_u64(nlh, 5, 8);
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	read_ack(f->ctx, &ack);
	assert_int_equal(ack.error, -EINVAL);
	assert_int_equal(ack.miss_type, 2);

	/* A u32 where a u64 belongs: a message and the attribute's offset. */
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x4002);
	mnl_attr_put_u32(nlh, 2, 1);
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	read_ack(f->ctx, &ack);
	assert_int_equal(ack.error, -EINVAL);
	assert_true(ack.msg[0] != '\0');
	assert_non_null(strstr(ack.msg, "length"));
	assert_int_equal(ack.offs, NLMSG_HDRLEN + GENL_HDRLEN + 12);
}

static void test_truncated_message_is_rejected(void **state)
{
	struct fixture *f = *state;
	struct raw r = { .family = family_id(f->ctx) };
	struct nlmsghdr *nlh;
	struct aionl_cqe c;
	char buf[64];
	struct aionl_req ok;

	/* The attribute claims more bytes than the message holds. */
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x2001);
	mnl_attr_put_u64(nlh, 2, f->h);
	((struct nlattr *)((char *)nlh + nlh->nlmsg_len - 12))->nla_len = 64;
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	c = wait_one(f->ctx);
	assert_int_equal(c.res, -EINVAL);
	assert_int_equal(c.flags, AIONL_CQE_F_REJECTED);

	/*
	 * The message claims more bytes than the datagram holds. The engine
	 * answers with an error; the kernel's netlink core drops such a tail
	 * silently. Either way, the good request in the next datagram runs and
	 * nothing else arrives.
	 */
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x2002);
	mnl_attr_put_u64(nlh, 2, f->h);
	r.len = nlh->nlmsg_len - 8;
	raw_send(f->ctx, &r);
	nlh = raw_msg(&r, 8);
	mnl_attr_put_u64(nlh, 1, 0x2004);
	mnl_attr_put_u64(nlh, 2, f->h);
	raw_end(&r, nlh);
	raw_send(f->ctx, &r);
	{
		struct aionl_cqe cs[4];
		int n = aionl_reap(f->ctx, cs, 4, 4, &(struct timespec){ 0, 300000000 });
		int good = 0;

		assert_true(n >= 1 && n <= 2);
		for (int i = 0; i < n; i++) {
			if (cs[i].cookie == 0x2004) {
				assert_int_equal(cs[i].res, 0);
				good++;
			} else {
				assert_int_equal(cs[i].res, -EINVAL);
				assert_int_equal(cs[i].flags, AIONL_CQE_F_REJECTED);
			}
		}
		assert_int_equal(good, 1);
	}

	/* A message too short to hold a genlmsghdr. */
	nlh = mnl_nlmsg_put_header(r.buf);
	nlh->nlmsg_type = r.family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	r.len = nlh->nlmsg_len;
	raw_send(f->ctx, &r);
	c = wait_one(f->ctx);
	assert_int_equal(c.res, -EINVAL);

	aionl_req_read(&ok, f->h, buf, sizeof(buf), 100, 0x2003);
	assert_int_equal(run(f->ctx, &ok), sizeof(buf));
	assert_int_equal((unsigned char)buf[0], pattern(100));
}

static void test_flood_of_garbage_disturbs_nothing(void **state)
{
	struct fixture *f = *state;
	struct raw r = { .family = family_id(f->ctx) };
	unsigned int seed = 1, rejected = 0;
	struct aionl_cqe c[64];
	char buf[64];
	struct aionl_req ok;

	/*
	 * In bursts of 40, reaping in between: netlink itself may drop error
	 * acknowledgements that overflow a receive buffer, and this test is
	 * about the engine, not about that.
	 */
	for (int i = 0; i < 2000; i++) {
		/* Commands 0 to 10: never NOP, which succeeds with a bare cookie. */
		struct nlmsghdr *nlh = raw_msg(&r, (uint8_t)(rand_r(&seed) % 11));
		int nattr = rand_r(&seed) % 6;

		for (int k = 0; k < nattr; k++) {
			uint16_t type = (uint16_t)(rand_r(&seed) % 8);

			/* Type 1 of REGISTER is a descriptor number: keep it invalid. */
			if (rand_r(&seed) % 2)
				mnl_attr_put_u32(nlh, type, 0x40000000u | rand_r(&seed));
			else
				mnl_attr_put_u64(nlh, type, 0);
		}
		/* Never a valid handle, so nothing touches a file. */
		raw_end(&r, nlh);
		raw_send(f->ctx, &r);
		if (i % 40 != 39)
			continue;
		for (;;) {
			int n = aionl_reap(f->ctx, c, 64, 0, &(struct timespec){ 0, 50000000 });

			assert_true(n >= 0);
			if (n == 0)
				break;
			for (int j = 0; j < n; j++)
				assert_true(c[j].res < 0);
			rejected += n;
		}
	}
	/* GET_INFO (cmd 1) is valid without attributes and answers with a
	 * reply, not a completion; every other message answers once. */
	assert_true(rejected > 1800 && rejected <= 2000);
	aionl_req_read(&ok, f->h, buf, sizeof(buf), 200, 0x3001);
	assert_int_equal(run(f->ctx, &ok), sizeof(buf));
	assert_int_equal((unsigned char)buf[0], pattern(200));
}

/*
 * Regression: event loops and the Go runtime set O_NONBLOCK on descriptors
 * they poll; every blocking call then crashed on a NULL deadline. Blocking
 * calls still block, until their answer or their timeout.
 */
static void test_a_nonblocking_descriptor_keeps_blocking_calls_working(void **state)
{
	struct fixture *f = *state;
	int fd = aionl_ctx_fd(f->ctx), fl = fcntl(fd, F_GETFL);
	struct aionl_cqe c;
	struct aionl_req r;
	uint64_t h;

	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
	aionl_req_timer(&r, CLOCK_MONOTONIC, 30000000, 0, 0, 50);
	submit(f->ctx, &r, 1);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 1, NULL), 1);
	assert_true(c.cookie == 50);
	assert_int_equal(c.res, 1);
	aionl_req_timer(&r, CLOCK_MONOTONIC, 30000000, 0, 0, 51);
	submit(f->ctx, &r, 1);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 1, &(struct timespec){ 10, 0 }), 1);
	assert_true(c.cookie == 51);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 1, &(struct timespec){ 0, 20000000 }), 0);
	assert_int_equal(aionl_file_register(f->ctx, f->fd, &h), 0);
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	aionl_req_read(&r, f->h, &c, 1, 0, 52);
	assert_int_equal(run(f->ctx, &r), 1);
	assert_int_equal(fcntl(fd, F_SETFL, fl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_offsets_and_lengths_are_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_fail_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_refused_request_keeps_its_cookie, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed_messages_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejection_says_what_was_wrong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_message_is_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_of_garbage_disturbs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_nonblocking_descriptor_keeps_blocking_calls_working,
						setup, teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
