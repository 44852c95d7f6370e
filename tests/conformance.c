// SPDX-License-Identifier: MIT
/*
 * The conformance suite: file AIO semantics, written only against the public
 * API (and raw bytes sent to aionl_ctx_fd() for malformed messages). ctest
 * runs it once per backend and executor, chosen by AIONL_BACKEND and
 * AIONL_EXECUTOR; AIONL_TEST_EXPECT (e.g. "user+uring") makes sure the run
 * really got the backend it is named after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "aionl.h"
#include "testutil.h"

struct fixture {
	struct aionl_ctx *ctx;
	char path[256];
	int fd;			/* O_RDWR on path */
	uint64_t h;		/* its handle */
};

#define FILE_SIZE (1 << 20)

static unsigned char pattern(uint64_t off)
{
	return (unsigned char)(off * 131 + (off >> 12) * 7 + 1);
}

static struct aionl_ctx *open_ctx(unsigned int max_inflight)
{
	struct aionl_params p = { .max_inflight = max_inflight };

	/* The engine's own read path, which page-cache hits otherwise skip. */
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE;
	struct aionl_ctx *ctx = NULL;
	int err;

	err = aionl_ctx_open(&ctx, &p);
	if (err)
		fail_msg("aionl_ctx_open: %s", aionl_error_message());
	return ctx;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned char *buf = malloc(FILE_SIZE);

	for (int i = 0; i < FILE_SIZE; i++)
		buf[i] = pattern(i);
	/* AIONL_TEST_DIR picks the filesystem: the VM runs on tmpfs and on ext4. */
	snprintf(f->path, sizeof(f->path), "%s/aionl-conf-XXXXXX",
		 getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	assert_int_equal(pwrite(f->fd, buf, FILE_SIZE, 0), FILE_SIZE);
	free(buf);
	f->ctx = open_ctx(0);
	assert_int_equal(aionl_file_register(f->ctx, f->fd, &f->h), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	aionl_ctx_close(f->ctx);
	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

/* Submit all of reqs, failing the test on any error. */
static void submit(struct aionl_ctx *ctx, struct aionl_req *reqs, unsigned int nr)
{
	unsigned int done = 0;

	while (done < nr) {
		int n = aionl_submit(ctx, reqs + done, nr - done);

		if (n <= 0)
			fail_msg("aionl_submit: %d %s", n, aionl_error_message());
		done += n;
	}
}

static struct aionl_cqe wait_one(struct aionl_ctx *ctx)
{
	struct aionl_cqe c;
	int n = aionl_reap(ctx, &c, 1, 1, NULL);

	assert_int_equal(n, 1);
	return c;
}

/* Run one request to completion and return its result. */
static int64_t run(struct aionl_ctx *ctx, struct aionl_req *r)
{
	struct aionl_cqe c;

	submit(ctx, r, 1);
	c = wait_one(ctx);
	assert_true(c.cookie == r->cookie);
	return c.res;
}

/* ------------------------------------------------------------ backend */

static void test_backend_is_the_one_asked_for(void **state)
{
	struct fixture *f = *state;
	const char *expect = getenv("AIONL_TEST_EXPECT");
	struct aionl_info info;
	char got[64];

	assert_int_equal(aionl_ctx_info(f->ctx, &info), 0);
	snprintf(got, sizeof(got), "%s%s%s", aionl_backend_name(info.backend),
		 info.backend == AIONL_BACKEND_USER ? "+" : "",
		 info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	if (expect)
		assert_string_equal(got, expect);
	assert_int_equal(info.version, AIONL_FAMILY_VERSION);
	assert_true(info.max_inflight > 0 && info.max_iov >= 1 && info.max_io_len > 0);
}

static void test_bad_environment_value_is_an_error(void **state)
{
	struct aionl_ctx *ctx;
	char *old = getenv("AIONL_EXECUTOR") ? strdup(getenv("AIONL_EXECUTOR")) : NULL;

	(void)state;
	setenv("AIONL_EXECUTOR", "turbo", 1);
	assert_int_equal(aionl_ctx_open(&ctx, NULL), -EINVAL);
	assert_non_null(strstr(aionl_error_message(), "turbo"));
	if (old)
		setenv("AIONL_EXECUTOR", old, 1);
	else
		unsetenv("AIONL_EXECUTOR");
	free(old);
}

/* ------------------------------------------------------------ data paths */

static void test_read_returns_file_bytes(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[8192];
	struct aionl_req r;

	aionl_req_read(&r, f->h, buf, sizeof(buf), 12345, 0xfeedULL);
	assert_int_equal(run(f->ctx, &r), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], pattern(12345 + i));
}

static void test_write_then_read_back(void **state)
{
	struct fixture *f = *state;
	char out[5000], in[5000];
	struct aionl_req r;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	aionl_req_write(&r, f->h, out, sizeof(out), 777, 1);
	assert_int_equal(run(f->ctx, &r), sizeof(out));
	assert_int_equal(pread(f->fd, in, sizeof(in), 777), sizeof(in));
	assert_memory_equal(in, out, sizeof(out));
}

static void test_readv_and_writev(void **state)
{
	struct fixture *f = *state;
	char a[100], b[3000], c[1], x[3101];
	struct iovec iov[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct aionl_req r;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	c[0] = 'c';
	aionl_req_writev(&r, f->h, iov, 3, 4096, 2);
	assert_int_equal(run(f->ctx, &r), 3101);
	assert_int_equal(pread(f->fd, x, sizeof(x), 4096), sizeof(x));
	assert_int_equal(x[0], 'a');
	assert_int_equal(x[100], 'b');
	assert_int_equal(x[3100], 'c');

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	c[0] = 0;
	aionl_req_readv(&r, f->h, iov, 3, 4096, 3);
	assert_int_equal(run(f->ctx, &r), 3101);
	assert_int_equal(a[99], 'a');
	assert_int_equal(b[2999], 'b');
	assert_int_equal(c[0], 'c');
}

static void test_fsync_and_fdatasync(void **state)
{
	struct fixture *f = *state;
	struct aionl_req r;

	aionl_req_fsync(&r, f->h, 10);
	assert_int_equal(run(f->ctx, &r), 0);
	aionl_req_fdatasync(&r, f->h, 11);
	assert_int_equal(run(f->ctx, &r), 0);
}

static void test_offsets_beyond_4gib(void **state)
{
	struct fixture *f = *state;
	const uint64_t off = (5ULL << 30) + 3;
	char out[] = "far away", in[sizeof(out)];
	struct aionl_req r;

	aionl_req_write(&r, f->h, out, sizeof(out), off, 4);
	assert_int_equal(run(f->ctx, &r), sizeof(out));
	aionl_req_read(&r, f->h, in, sizeof(in), off, 5);
	assert_int_equal(run(f->ctx, &r), sizeof(in));
	assert_string_equal(in, out);
	assert_int_equal(pread(f->fd, in, sizeof(in), off), sizeof(in));
	assert_string_equal(in, out);
	assert_int_equal(ftruncate(f->fd, FILE_SIZE), 0);
}

static void test_read_at_end_of_file_is_short(void **state)
{
	struct fixture *f = *state;
	char buf[100];
	struct aionl_req r;

	aionl_req_read(&r, f->h, buf, sizeof(buf), FILE_SIZE - 40, 6);
	assert_int_equal(run(f->ctx, &r), 40);
	aionl_req_read(&r, f->h, buf, sizeof(buf), FILE_SIZE + 4096, 7);
	assert_int_equal(run(f->ctx, &r), 0);
}

static void test_cookies_come_back_unchanged(void **state)
{
	struct fixture *f = *state;
	static const uint64_t cookies[] = { 0, 1, UINT64_MAX, 0x8000000000000000ULL,
					    0xdeadbeefcafef00dULL };
	struct aionl_req r[5];
	struct aionl_cqe c[5];
	char buf[5][16];
	int seen = 0;

	for (int i = 0; i < 5; i++)
		aionl_req_read(&r[i], f->h, buf[i], 16, i * 16, cookies[i]);
	submit(f->ctx, r, 5);
	assert_int_equal(aionl_reap(f->ctx, c, 5, 5, NULL), 5);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			if (c[i].cookie == cookies[j]) {
				assert_int_equal(c[i].res, 16);
				seen |= 1 << j;
			}
	assert_int_equal(seen, 0x1f);
}

/* ------------------------------------------------------------ files */

static void test_fd_may_be_closed_after_register(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_RDONLY);
	uint64_t h;
	char buf[64];
	struct aionl_req r;

	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &h), 0);
	close(fd);
	aionl_req_read(&r, h, buf, sizeof(buf), 64, 8);
	assert_int_equal(run(f->ctx, &r), sizeof(buf));
	assert_int_equal((unsigned char)buf[0], pattern(64));
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
}

static void test_unregistered_handle_is_ebadf(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_RDONLY);
	uint64_t h;
	char buf[64];
	struct aionl_req r;

	assert_int_equal(aionl_file_register(f->ctx, fd, &h), 0);
	close(fd);
	assert_int_equal(aionl_file_unregister(f->ctx, h), 0);
	assert_int_equal(aionl_file_unregister(f->ctx, h), -EBADF);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 9);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	/* A new file in the same slot must not answer to the old handle. */
	fd = open(f->path, O_RDONLY);
	assert_int_equal(aionl_file_register(f->ctx, fd, &r.handle), 0);
	close(fd);
	assert_true(r.handle != h);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 10);
	assert_int_equal(run(f->ctx, &r), -EBADF);
}

static void test_unknown_handle_is_ebadf(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	struct aionl_req r;

	aionl_req_read(&r, 0, buf, sizeof(buf), 0, 11);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, f->h ^ 0x12345, buf, sizeof(buf), 0, 12);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_fsync(&r, UINT64_MAX, 13);
	assert_int_equal(run(f->ctx, &r), -EBADF);
}

static void test_handle_of_another_socket_is_ebadf(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *other = open_ctx(0);
	uint64_t h;
	char buf[16];
	struct aionl_req r;

	assert_int_equal(aionl_file_register(other, f->fd, &h), 0);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 14);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 15);
	assert_int_equal(run(other, &r), -EBADF);
	aionl_ctx_close(other);
}

static void test_register_bad_fd_is_ebadf(void **state)
{
	struct fixture *f = *state;
	uint64_t h;
	int fd = dup(f->fd);

	close(fd);
	assert_int_equal(aionl_file_register(f->ctx, -1, &h), -EBADF);
	assert_int_equal(aionl_file_register(f->ctx, fd, &h), -EBADF);
	assert_non_null(strstr(aionl_error_message(), "fd"));
}

static void test_write_to_read_only_file_is_ebadf(void **state)
{
	struct fixture *f = *state;
	int ro = open(f->path, O_RDONLY), wo = open(f->path, O_WRONLY);
	uint64_t hro, hwo;
	char buf[16] = "x";
	struct iovec iov = { buf, sizeof(buf) };
	struct aionl_req r;

	assert_int_equal(aionl_file_register(f->ctx, ro, &hro), 0);
	assert_int_equal(aionl_file_register(f->ctx, wo, &hwo), 0);
	aionl_req_write(&r, hro, buf, sizeof(buf), 0, 16);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_writev(&r, hro, &iov, 1, 0, 17);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_read(&r, hwo, buf, sizeof(buf), 0, 18);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_readv(&r, hwo, &iov, 1, 0, 19);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	/* The file itself is untouched. */
	assert_int_equal(pread(f->fd, buf, 1, 0), 1);
	assert_int_equal((unsigned char)buf[0], pattern(0));
	close(ro);
	close(wo);
}

static void test_pipe_offsets_are_espipe(void **state)
{
	struct fixture *f = *state;
	int p[2];
	uint64_t h;
	char buf[8];
	struct aionl_req r;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(aionl_file_register(f->ctx, p[0], &h), 0);
	aionl_req_read(&r, h, buf, sizeof(buf), 0, 20);
	assert_int_equal(run(f->ctx, &r), -ESPIPE);
	close(p[0]);
	close(p[1]);
}

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

/* ------------------------------------------------------------ batching and reaping */

static void test_large_batch_completes_exactly_once(void **state)
{
	struct fixture *f = *state;
	enum { N = 3000 };
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *bufs = malloc(N * 64), *seen = calloc(N, 1);
	struct aionl_cqe c[256];
	int got = 0;

	for (int i = 0; i < N; i++)
		aionl_req_read(&r[i], f->h, bufs + i * 64, 64, (uint64_t)i * 64, i);
	submit(f->ctx, r, N);
	while (got < N) {
		int n = aionl_reap(f->ctx, c, 256, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < N);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_int_equal(c[i].res, 64);
			assert_int_equal(bufs[c[i].cookie * 64], pattern(c[i].cookie * 64));
		}
		got += n;
	}
	assert_int_equal(aionl_reap(f->ctx, c, 1, 0, NULL), 0);
	free(r);
	free(bufs);
	free(seen);
}

static void test_reap_timeouts(void **state)
{
	struct fixture *f = *state;
	struct aionl_cqe c[2];
	struct timespec t0, t1, tmo = { 0, 50000000 };
	struct aionl_req r;

	assert_int_equal(aionl_reap(f->ctx, c, 2, 0, NULL), 0);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 1, &(struct timespec){ 0, 0 }), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 1, &tmo), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* It did wait: it did not return before the timeout. */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec >= 50000000LL);
	/* One completion but min_nr 2: the timeout returns the one. */
	aionl_req_fsync(&r, f->h, 40);
	submit(f->ctx, &r, 1);
	assert_int_equal(aionl_reap(f->ctx, c, 2, 2, &tmo), 1);
	assert_int_equal(aionl_reap(f->ctx, c, 1, 2, NULL), -EINVAL);
}

static void test_fd_polls_readable_on_completion(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	struct aionl_req r;
	struct aionl_cqe c;
	char buf[32];

	assert_int_equal(poll(&p, 1, 0), 0);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 41);
	submit(f->ctx, &r, 1);
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_true(p.revents & POLLIN);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 1);
	assert_true(c.cookie == 41);
}

/*
 * Caught by the bench: a reap took one datagram, so a batch once split by a
 * slow read stayed split for the rest of the run. Completions already on
 * the socket come out in one reap, however many datagrams carried them.
 */
static void test_reap_takes_completions_sent_separately(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	struct aionl_cqe c[8];
	struct aionl_req r;
	int i, n;

	for (i = 0; i < 4; i++) {
		aionl_req_nop(&r, 100 + i);
		submit(f->ctx, &r, 1);
		assert_int_equal(poll(&p, 1, 10000), 1);
		/* Each completion is sent before the next request exists. */
		usleep(20000);
	}
	n = aionl_reap(f->ctx, c, 8, 1, NULL);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_true(c[i].cookie == (uint64_t)(100 + i));
}

/*
 * A reap that takes fewer completions than arrived together leaves the rest
 * queued in the library: the descriptor must still poll readable for them,
 * or a poll()-driven program would sleep on completions it holds.
 */
static void test_fd_stays_readable_while_completions_wait(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	struct aionl_req r[3];
	struct aionl_cqe c;
	char buf[3][32];
	int i;

	for (i = 0; i < 3; i++)
		aionl_req_read(&r[i], f->h, buf[i], sizeof(buf[i]), 4096 * i, 50 + i);
	submit(f->ctx, r, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(poll(&p, 1, 10000), 1);
		assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 1);
	}
	/* Nothing left: after a non-blocking reap, no spurious wake-up either. */
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(aionl_reap(f->ctx, &c, 1, 0, NULL), 0);
}

struct blocked_reap {
	struct aionl_ctx *ctx;
	struct aionl_cqe c;
	int n;
};

static void *reap_one_blocking(void *arg)
{
	struct blocked_reap *b = arg;
	struct timespec ten = { 10, 0 };

	b->n = aionl_reap(b->ctx, &b->c, 1, 1, &ten);
	return NULL;
}

/*
 * Reads served inside aionl_submit queue their completions in the library,
 * not on the socket: a thread already asleep in aionl_reap must still wake.
 */
static void test_blocked_reaper_wakes_for_reads_served_at_submit(void **state)
{
	struct fixture *f = *state;
	struct blocked_reap b = { .ctx = f->ctx };
	struct aionl_req r;
	pthread_t t;
	char buf[64];

	for (int round = 0; round < 20; round++) {
		b.n = -1;
		assert_int_equal(pthread_create(&t, NULL, reap_one_blocking, &b), 0);
		usleep(round % 2 ? 20000 : 0);
		aionl_req_read(&r, f->h, buf, sizeof(buf), 8192, 60 + round);
		submit(f->ctx, &r, 1);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_int_equal(b.n, 1);
		assert_true(b.c.cookie == (uint64_t)(60 + round));
		assert_int_equal(b.c.res, sizeof(buf));
		for (unsigned int i = 0; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], pattern(8192 + i));
	}
}

struct trickle {
	struct fixture *f;
	unsigned int n;
};

static void *submit_one_at_a_time(void *arg)
{
	struct trickle *t = arg;
	static char buf[16];
	struct aionl_req r;

	for (unsigned int i = 0; i < t->n; i++) {
		/* Page-cache hits: served inline, announced only by the bell. */
		aionl_req_read(&r, t->f->h, buf, sizeof(buf), (i * 4096ULL) % FILE_SIZE, i);
		while (aionl_submit(t->f->ctx, &r, 1) == -EBUSY)
			usleep(100);
	}
	return NULL;
}

/*
 * A poll()-driven reaper against a thread that submits: every completion
 * must make the descriptor readable, whichever way it arrives, and none may
 * come twice. A completion left without readiness shows as a poll timeout.
 */
static void test_poll_driven_reaper_sees_every_completion(void **state)
{
	struct fixture *f = *state;
	struct trickle t = { f, 20000 };
	struct pollfd p = { aionl_ctx_fd(f->ctx), POLLIN, 0 };
	unsigned char *seen = calloc(t.n, 1);
	struct aionl_cqe c[64];
	unsigned int got = 0, spurious = 0;
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, submit_one_at_a_time, &t), 0);
	while (got < t.n) {
		int n;

		assert_int_equal(poll(&p, 1, 10000), 1);
		n = aionl_reap(f->ctx, c, 64, 0, NULL);
		assert_true(n >= 0);
		spurious += n == 0;
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie < t.n);
			assert_int_equal(c[i].res, 16);
			assert_int_equal(seen[c[i].cookie]++, 0);
		}
		got += (unsigned int)n;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	/* A wake-up with nothing to reap may happen, but not as a habit. */
	assert_true(spurious < t.n / 10);
	free(seen);
}

/* ------------------------------------------------------------ back-pressure */

static void reap_all_once(struct aionl_ctx *ctx, unsigned char *seen, unsigned int n)
{
	struct aionl_cqe c[512];
	unsigned int got = 0;

	while (got < n) {
		int k = aionl_reap(ctx, c, 512, 1, NULL);

		assert_true(k > 0);
		for (int i = 0; i < k; i++) {
			assert_true(c[i].cookie < n);
			assert_int_equal(seen[c[i].cookie]++, 0);
			assert_true(c[i].res == 16);
		}
		got += k;
	}
	assert_int_equal(aionl_reap(ctx, c, 1, 0, NULL), 0);
}

/* Stop reaping while the limit is reached: -EBUSY, nothing lost. */
static void test_full_context_reports_ebusy_and_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx = open_ctx(1000);
	enum { N = 1000 };
	static char buf[16];
	struct aionl_req r[100];
	unsigned char *seen = calloc(N + 1, 1);
	uint64_t h;
	unsigned int sent = 0;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	while (sent < N) {
		for (int i = 0; i < 100; i++)
			aionl_req_read(&r[i], h, buf, sizeof(buf), 0, sent + i);
		int n = aionl_submit(ctx, r, 100);

		assert_true(n > 0);
		sent += n;
	}
	aionl_req_read(&r[0], h, buf, sizeof(buf), 0, N);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	usleep(100000);
	assert_int_equal(aionl_submit(ctx, r, 1), -EBUSY);
	reap_all_once(ctx, seen, N);
	/* Reaping returned the credit. */
	assert_int_equal(aionl_submit(ctx, r, 1), 1);
	assert_true(wait_one(ctx).cookie == N);
	free(seen);
	aionl_ctx_close(ctx);
}

/* Tens of thousands submitted with no reaping; the engine holds them all. */
static void test_unreaped_flood_is_held_and_reaped_once(void **state)
{
	struct fixture *f = *state;
	enum { N = 50000 };
	struct aionl_ctx *ctx = open_ctx(N);
	static char buf[16];
	struct aionl_req *r = calloc(N, sizeof(*r));
	unsigned char *seen = calloc(N, 1);
	uint64_t h;

	assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
	for (unsigned int i = 0; i < N; i++)
		aionl_req_read(&r[i], h, buf, sizeof(buf), i % 4096, i);
	submit(ctx, r, N);
	/* Let the engine finish everything while nobody reaps. */
	usleep(300000);
	reap_all_once(ctx, seen, N);
	free(r);
	free(seen);
	aionl_ctx_close(ctx);
}

/* ------------------------------------------------------------ threads */

struct thr {
	struct fixture *f;
	unsigned int id;
	unsigned int n;
	unsigned char *seen;	/* shared; cookie = id << 24 | i */
	pthread_mutex_t *lock;
	unsigned int *reaped;
};

/* Threads submit and reap on one context at once; any thread may reap any
 * completion, and each arrives once. */
static void *submitter(void *arg)
{
	struct thr *t = arg;
	char buf[32];
	unsigned int i = 0;

	while (i < t->n) {
		struct aionl_req r[16];
		struct aionl_cqe c[16];
		unsigned int k = t->n - i < 16 ? t->n - i : 16, j;
		int n;

		for (j = 0; j < k; j++)
			aionl_req_read(&r[j], t->f->h, buf, sizeof(buf), (i + j) * 32,
				       (uint64_t)t->id << 24 | (i + j));
		n = aionl_submit(t->f->ctx, r, k);
		if (n == -EBUSY)
			n = 0;
		assert_true(n >= 0);
		i += n;
		n = aionl_reap(t->f->ctx, c, 16, 0, NULL);
		assert_true(n >= 0);
		pthread_mutex_lock(t->lock);
		for (j = 0; j < (unsigned int)n; j++) {
			uint64_t ck = c[j].cookie;

			assert_int_equal(c[j].res, 32);
			assert_int_equal(t->seen[(ck >> 24) * t->n + (ck & 0xffffff)]++, 0);
		}
		*t->reaped += n;
		pthread_mutex_unlock(t->lock);
	}
	return NULL;
}

static void *registrar(void *arg)
{
	struct thr *t = arg;

	for (unsigned int i = 0; i < 300; i++) {
		uint64_t h;

		assert_int_equal(aionl_file_register(t->f->ctx, t->f->fd, &h), 0);
		assert_int_equal(aionl_file_unregister(t->f->ctx, h), 0);
	}
	return NULL;
}

static void test_threads_share_a_context(void **state)
{
	struct fixture *f = *state;
	enum { T = 4, N = 5000 };
	pthread_t th[T + 1];
	struct thr t[T + 1];
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned char *seen = calloc(T * N, 1);
	unsigned int reaped = 0;
	struct aionl_cqe c[256];

	for (int i = 0; i <= T; i++) {
		t[i] = (struct thr){ f, i, N, seen, &lock, &reaped };
		pthread_create(&th[i], NULL, i < T ? submitter : registrar, &t[i]);
	}
	for (int i = 0; i <= T; i++)
		pthread_join(th[i], NULL);
	while (reaped < T * N) {
		int n = aionl_reap(f->ctx, c, 256, 1, NULL);

		assert_true(n > 0);
		for (int j = 0; j < n; j++) {
			uint64_t ck = c[j].cookie;

			assert_int_equal(seen[(ck >> 24) * N + (ck & 0xffffff)]++, 0);
		}
		reaped += n;
	}
	for (int i = 0; i < T * N; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
}

static void *blocking_reaper(void *arg)
{
	struct aionl_ctx *ctx = arg;
	struct aionl_cqe c;

	return (void *)(intptr_t)(aionl_reap(ctx, &c, 1, 1, NULL) == 1 && c.cookie == 77);
}

/* A control call made while another thread blocks in reap gets its reply,
 * and the reaper gets its completion. */
static void test_register_while_another_thread_reaps(void **state)
{
	struct fixture *f = *state;
	pthread_t th;
	void *ok;
	uint64_t h;
	struct aionl_req r;

	pthread_create(&th, NULL, blocking_reaper, f->ctx);
	usleep(50000);
	assert_int_equal(aionl_file_register(f->ctx, f->fd, &h), 0);
	aionl_req_fsync(&r, h, 77);
	submit(f->ctx, &r, 1);
	pthread_join(th, &ok);
	assert_true(ok != NULL);
}

/* ------------------------------------------------------------ teardown paths */

static void test_close_with_io_in_flight(void **state)
{
	struct fixture *f = *state;

	for (int round = 0; round < 20; round++) {
		struct aionl_ctx *ctx = open_ctx(0);
		struct aionl_req r[256];
		static char bufs[256][4096];
		uint64_t h;

		assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
		for (int i = 0; i < 256; i++)
			aionl_req_read(&r[i], h, bufs[i], 4096, (uint64_t)i * 4096, i);
		submit(ctx, r, 256);
		aionl_ctx_close(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_is_the_one_asked_for, setup, teardown),
		cmocka_unit_test(test_bad_environment_value_is_an_error),
		cmocka_unit_test_setup_teardown(test_read_returns_file_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readv_and_writev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_and_fdatasync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offsets_beyond_4gib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_at_end_of_file_is_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cookies_come_back_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_may_be_closed_after_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregistered_handle_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_handle_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_of_another_socket_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_fd_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_to_read_only_file_is_ebadf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_offsets_are_espipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_offsets_and_lengths_are_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_fail_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_messages_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejection_says_what_was_wrong, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_message_is_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_of_garbage_disturbs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_batch_completes_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_polls_readable_on_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_takes_completions_sent_separately, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fd_stays_readable_while_completions_wait, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blocked_reaper_wakes_for_reads_served_at_submit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_driven_reaper_sees_every_completion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_context_reports_ebusy_and_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreaped_flood_is_held_and_reaped_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share_a_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_while_another_thread_reaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_with_io_in_flight, setup, teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
