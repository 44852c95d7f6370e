// SPDX-License-Identifier: MIT
/*
 * Conformance: one AIO socket per filesystem (aionl_params.bind_path and
 * bind_fd, CMD_BIND). A bound context takes files of its filesystem only:
 * another's get -EXDEV from aionl_file_register, with a message naming both,
 * and as an OPEN's completion; an unbound context takes any. The protocol's
 * rules (bind once, before any file; again to the same filesystem is 0) are
 * checked with raw BIND messages.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include "common.h"
#include "../testutil.h"

static char dir_a[256], dir_b[256];

/* Two writable directories on different filesystems: A the test's, B another. */
static int find_dirs(void **state)
{
	static const char *const candidates[] = { "/dev/shm", "/run", "/tmp", "/var/tmp", "/mnt",
						  "/root" };
	struct stat a, b;

	(void)state;
	snprintf(dir_a, sizeof(dir_a), "%s",
		 getenv("AIONL_TEST_DIR") ? getenv("AIONL_TEST_DIR") : "/tmp");
	assert_int_equal(stat(dir_a, &a), 0);
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (stat(candidates[i], &b) == 0 && S_ISDIR(b.st_mode) && b.st_dev != a.st_dev &&
		    access(candidates[i], W_OK) == 0) {
			snprintf(dir_b, sizeof(dir_b), "%s", candidates[i]);
			return 0;
		}
	}
	fprintf(stderr, "no writable directory on another filesystem than %s\n", dir_a);
	exit(77);
}

static struct aionl_ctx *open_bound(const char *path, int fd)
{
	struct aionl_params p = { .bind_path = path, .bind_fd = fd };
	struct aionl_ctx *ctx = NULL;

	if (!path)
		p.flags |= AIONL_PARAMS_BIND_FD;
	if (getenv("AIONL_TEST_NO_INLINE"))
		p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
	if (aionl_ctx_open(&ctx, &p))
		fail_msg("aionl_ctx_open bound to %s: %s", path ? path : "a descriptor",
			 aionl_error_message());
	return ctx;
}

/* A new file in dir, open O_RDWR, unlinked at once; its path in path. */
static int temp_file(const char *dir, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/aionl-bind-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

static struct aionl_cqe open_path(struct aionl_ctx *ctx, const char *path, int flags)
{
	struct aionl_req r;

	aionl_req_open(&r, AIONL_AT_CWD, path, flags, 0600, 0, 77);
	submit(ctx, &r, 1);
	return wait_one(ctx);
}

static void test_a_bound_context_takes_files_of_its_filesystem_only(void **state)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	struct aionl_ctx *ctx = open_bound(dir_a, -1);
	struct aionl_info info;
	int fa = temp_file(dir_a, pa, sizeof(pa)), fb = temp_file(dir_b, pb, sizeof(pb));
	struct aionl_cqe c;
	uint64_t h;

	(void)state;
	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	assert_non_null(strstr(info.reason, "bound to filesystem"));
	assert_int_equal(aionl_file_register(ctx, fa, &h), 0);
	assert_int_equal(aionl_file_unregister(ctx, h), 0);
	assert_int_equal(aionl_file_register(ctx, fb, &h), -EXDEV);
	assert_non_null(strstr(aionl_error_message(), "bound to"));
	assert_non_null(strstr(aionl_error_message(), dir_a));
	/* OPEN: on its filesystem a handle; on another -EXDEV, and nothing registered. */
	c = open_path(ctx, pa, O_RDONLY);
	assert_int_equal(c.res, 0);
	assert_int_equal(aionl_file_unregister(ctx, c.open.handle), 0);
	c = open_path(ctx, pb, O_RDONLY);
	assert_int_equal(c.res, -EXDEV);
	/* The context goes on. */
	assert_int_equal(aionl_file_register(ctx, fa, &h), 0);
	aionl_ctx_close(ctx);
	unlink(pa);
	unlink(pb);
	close(fa);
	close(fb);
}

/*
 * Regression: the filesystem was checked only once the open was done, so an
 * OPEN refused with -EXDEV had already emptied the file (O_TRUNC) or made
 * it (O_CREAT). Now such an OPEN looks first, and leaves the other
 * filesystem untouched; on its own filesystem it creates and truncates.
 */
static void test_an_open_refused_for_another_filesystem_changes_nothing(void **state)
{
	char pa[PATH_MAX], pb[PATH_MAX], nb[PATH_MAX + 8], na[PATH_MAX + 8];
	struct aionl_ctx *ctx = open_bound(dir_a, -1);
	int fa = temp_file(dir_a, pa, sizeof(pa)), fb = temp_file(dir_b, pb, sizeof(pb));
	struct aionl_cqe c;
	struct stat st;

	(void)state;
	assert_int_equal(write(fb, "precious", 8), 8);
	assert_int_equal(write(fa, "scratch", 7), 7);
	c = open_path(ctx, pb, O_WRONLY | O_TRUNC);
	assert_int_equal(c.res, -EXDEV);
	assert_int_equal(fstat(fb, &st), 0);
	assert_int_equal(st.st_size, 8);
	snprintf(nb, sizeof(nb), "%s.new", pb);
	c = open_path(ctx, nb, O_WRONLY | O_CREAT);
	assert_int_equal(c.res, -EXDEV);
	assert_int_equal(access(nb, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	/* On its own filesystem both happen. */
	c = open_path(ctx, pa, O_WRONLY | O_TRUNC);
	assert_int_equal(c.res, 0);
	assert_int_equal(fstat(fa, &st), 0);
	assert_int_equal(st.st_size, 0);
	snprintf(na, sizeof(na), "%s.new", pa);
	c = open_path(ctx, na, O_WRONLY | O_CREAT | O_EXCL);
	assert_int_equal(c.res, 0);
	assert_int_equal(access(na, F_OK), 0);
	aionl_ctx_close(ctx);
	unlink(na);
	unlink(pa);
	unlink(pb);
	close(fa);
	close(fb);
}

static void test_a_context_binds_by_descriptor(void **state)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	int dir = open(dir_b, O_PATH | O_CLOEXEC);
	struct aionl_ctx *ctx = open_bound(NULL, dir);
	int fa = temp_file(dir_a, pa, sizeof(pa)), fb = temp_file(dir_b, pb, sizeof(pb));
	uint64_t h;

	(void)state;
	/* The descriptor stays the program's. */
	assert_true(fcntl(dir, F_GETFD) >= 0);
	assert_int_equal(aionl_file_register(ctx, fb, &h), 0);
	assert_int_equal(aionl_file_register(ctx, fa, &h), -EXDEV);
	aionl_ctx_close(ctx);
	close(dir);
	unlink(pa);
	unlink(pb);
	close(fa);
	close(fb);
}

static void test_an_unbound_context_takes_any_filesystem(void **state)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	struct aionl_ctx *ctx = open_ctx(0);
	struct aionl_info info;
	int fa = temp_file(dir_a, pa, sizeof(pa)), fb = temp_file(dir_b, pb, sizeof(pb));
	uint64_t h;

	(void)state;
	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	assert_null(strstr(info.reason, "bound to"));
	assert_int_equal(aionl_file_register(ctx, fa, &h), 0);
	assert_int_equal(aionl_file_register(ctx, fb, &h), 0);
	aionl_ctx_close(ctx);
	unlink(pa);
	unlink(pb);
	close(fa);
	close(fb);
}

static void test_bad_bind_parameters_are_refused(void **state)
{
	struct aionl_params p = { .bind_path = "/nonexistent/aionl-bind" };
	struct aionl_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(aionl_ctx_open(&ctx, &p), -ENOENT);
	assert_non_null(strstr(aionl_error_message(), "/nonexistent/aionl-bind"));
	p = (struct aionl_params){ .bind_path = "/tmp", .flags = AIONL_PARAMS_BIND_FD };
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EINVAL);
	p = (struct aionl_params){ .bind_fd = -1, .flags = AIONL_PARAMS_BIND_FD };
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EBADF);
	p = (struct aionl_params){ .bind_fd = 1000000, .flags = AIONL_PARAMS_BIND_FD };
	assert_int_equal(aionl_ctx_open(&ctx, &p), -EBADF);
	assert_null(ctx);
}

/*
 * A raw BIND on ctx's socket: the descriptor's number, and on the userspace
 * engine the descriptor itself (SCM_RIGHTS); the reply's res.
 */
static int64_t raw_bind(struct aionl_ctx *ctx, uint16_t family, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct aionl_info info;
	const struct nlattr *a;
	int64_t res = INT64_MIN;
	ssize_t n;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 777;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = AIONL_CMD_BIND;
	g->version = 2;
	mnl_attr_put_u32(nlh, AIONL_A_BIND_FD, (uint32_t)fd);
	iov = (struct iovec){ buf, nlh->nlmsg_len };
	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	if (info.backend == AIONL_BACKEND_USER) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(aionl_ctx_fd(ctx), &mh, 0), (ssize_t)iov.iov_len);
	for (;;) {
		n = recv(aionl_ctx_fd(ctx), buf, sizeof(buf), 0);
		assert_true(n > 0);
		nlh = (struct nlmsghdr *)buf;
		if (nlh->nlmsg_seq == 777 && nlh->nlmsg_type == family)
			break;
	}
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == AIONL_A_BIND_REPLY_RES)
			res = (int64_t)mnl_attr_get_u64(a);
	return res;
}

static void test_a_socket_binds_once_and_before_any_file(void **state)
{
	struct aionl_ctx *c2 = open_ctx(0);
	uint16_t family = test_family_id(c2);
	struct aionl_ctx *ctx = open_bound(dir_a, -1);
	int da = open(dir_a, O_PATH | O_CLOEXEC), db = open(dir_b, O_PATH | O_CLOEXEC);
	char pa[PATH_MAX];
	int fa = temp_file(dir_a, pa, sizeof(pa));
	uint64_t h;

	(void)state;
	aionl_ctx_close(c2);
	/* Bound already: the same filesystem again is 0, another -EINVAL. */
	assert_int_equal(raw_bind(ctx, family, da), 0);
	assert_int_equal(raw_bind(ctx, family, db), -EINVAL);
	aionl_ctx_close(ctx);
	/* Unbound, with a file registered: -EBUSY. */
	ctx = open_ctx(0);
	assert_int_equal(aionl_file_register(ctx, fa, &h), 0);
	assert_int_equal(raw_bind(ctx, family, db), -EBUSY);
	assert_int_equal(aionl_file_unregister(ctx, h), 0);
	/* Once the files are gone it may bind, and then keeps to it. */
	assert_int_equal(raw_bind(ctx, family, db), 0);
	assert_int_equal(aionl_file_register(ctx, fa, &h), -EXDEV);
	aionl_ctx_close(ctx);
	close(da);
	close(db);
	close(fa);
	unlink(pa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_bound_context_takes_files_of_its_filesystem_only),
		cmocka_unit_test(test_an_open_refused_for_another_filesystem_changes_nothing),
		cmocka_unit_test(test_a_context_binds_by_descriptor),
		cmocka_unit_test(test_an_unbound_context_takes_any_filesystem),
		cmocka_unit_test(test_bad_bind_parameters_are_refused),
		cmocka_unit_test(test_a_socket_binds_once_and_before_any_file),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, find_dirs, NULL);
}
