// SPDX-License-Identifier: MIT
/*
 * What FFIs and binding generators see of <aionl.h> (since 0.3): the request
 * builders exported from the shared library as real symbols, found by name
 * as ctypes or cffi would find them, filling requests byte for byte as the
 * inline builders do; the named argument structs of struct aionl_req; and a
 * layout that did not move when they got their names.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "aionl.h"

/*
 * The exported builder called name, looked up at run time in the shared
 * library (AIONL_SHARED_LIBRARY, its path in the build) as ctypes.CDLL does.
 */
static void *sym(const char *name)
{
	static void *lib;
	void *p;

	if (!lib)
		lib = dlopen(AIONL_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		fail_msg("dlopen %s: %s", AIONL_SHARED_LIBRARY, dlerror());
	p = dlsym(lib, name);

	if (!p)
		fail_msg("%s is not exported: %s", name, dlerror());
	return p;
}

/* Fill a and b with different garbage first: the builders must set every byte. */
static void garbage(struct aionl_req *a, struct aionl_req *b)
{
	memset(a, 0xa5, sizeof(*a));
	memset(b, 0x5a, sizeof(*b));
}

#define assert_same(a, b) assert_memory_equal(&(a), &(b), sizeof(a))

static void test_exported_builders_fill_what_the_inline_ones_fill(void **state)
{
	struct aionl_req a, b;
	struct iovec iov[2] = { { (void *)0x1000, 10 }, { (void *)0x2000, 20 } };
	sigset_t set;
	char buf[16];

	(void)state;
	garbage(&a, &b);
	aionl_req_read(&a, 7, buf, sizeof(buf), 4096, 99);
	((void (*)(struct aionl_req *, uint64_t, void *, size_t, uint64_t, uint64_t))
		 sym("aionl_req_read"))(&b, 7, buf, sizeof(buf), 4096, 99);
	assert_same(a, b);
	assert_int_equal(b.op, AIONL_OP_READ);
	assert_ptr_equal(b.buf, buf);

	garbage(&a, &b);
	aionl_req_write(&a, 8, buf, 5, AIONL_OFFSET_STREAM, 98);
	((void (*)(struct aionl_req *, uint64_t, const void *, size_t, uint64_t, uint64_t))
		 sym("aionl_req_write"))(&b, 8, buf, 5, AIONL_OFFSET_STREAM, 98);
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_readv(&a, 9, iov, 2, 0, 97);
	((void (*)(struct aionl_req *, uint64_t, const struct iovec *, unsigned int, uint64_t,
		   uint64_t))sym("aionl_req_readv"))(&b, 9, iov, 2, 0, 97);
	assert_same(a, b);
	assert_int_equal(b.nr_iov, 2);

	garbage(&a, &b);
	aionl_req_writev(&a, 9, iov, 1, 512, 96);
	((void (*)(struct aionl_req *, uint64_t, const struct iovec *, unsigned int, uint64_t,
		   uint64_t))sym("aionl_req_writev"))(&b, 9, iov, 1, 512, 96);
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_fsync(&a, 3, 95);
	((void (*)(struct aionl_req *, uint64_t, uint64_t))sym("aionl_req_fsync"))(&b, 3, 95);
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_fdatasync(&a, 3, 94);
	((void (*)(struct aionl_req *, uint64_t, uint64_t))sym("aionl_req_fdatasync"))(&b, 3, 94);
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_nop(&a, 93);
	((void (*)(struct aionl_req *, uint64_t))sym("aionl_req_nop"))(&b, 93);
	assert_same(a, b);

	/* set_timeout changes one field of a filled request and nothing else. */
	aionl_req_read(&a, 7, buf, sizeof(buf), 0, 1);
	b = a;
	aionl_req_set_timeout(&a, 5000000);
	((void (*)(struct aionl_req *, uint64_t))sym("aionl_req_set_timeout"))(&b, 5000000);
	assert_same(a, b);
	assert_int_equal(b.timeout_ns, 5000000);

	/* set_flags likewise (since 0.4), in the byte that was reserved. */
	aionl_req_write(&a, 7, buf, sizeof(buf), 0, 1);
	b = a;
	aionl_req_set_flags(&a, AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	((void (*)(struct aionl_req *, uint32_t))sym("aionl_req_set_flags"))(&b,
		AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	assert_same(a, b);
	assert_int_equal(b.flags, AIONL_REQ_LINK | AIONL_REQ_DRAIN);
	assert_int_equal(offsetof(struct aionl_req, flags), 1);
	assert_int_equal(offsetof(struct aionl_req, nr_iov), 4);

	garbage(&a, &b);
	aionl_req_timer(&a, CLOCK_BOOTTIME, 1000, 2000, AIONL_TIMER_ABS, 92);
	((void (*)(struct aionl_req *, int, uint64_t, uint64_t, uint32_t, uint64_t))
		 sym("aionl_req_timer"))(&b, CLOCK_BOOTTIME, 1000, 2000, AIONL_TIMER_ABS, 92);
	assert_same(a, b);
	assert_int_equal(b.timer.clock, CLOCK_BOOTTIME);
	assert_int_equal(b.timer.interval_ns, 2000);

	garbage(&a, &b);
	aionl_req_timer_update(&a, 92, 10, 20, 0, 91);
	((void (*)(struct aionl_req *, uint64_t, uint64_t, uint64_t, uint32_t, uint64_t))
		 sym("aionl_req_timer_update"))(&b, 92, 10, 20, 0, 91);
	assert_same(a, b);
	assert_int_equal(b.timer.target, 92);

	garbage(&a, &b);
	aionl_req_poll(&a, 4, AIONL_POLL_IN | AIONL_POLL_OUT, AIONL_POLL_MULTISHOT, 90);
	((void (*)(struct aionl_req *, uint64_t, uint32_t, uint32_t, uint64_t))
		 sym("aionl_req_poll"))(&b, 4, AIONL_POLL_IN | AIONL_POLL_OUT, AIONL_POLL_MULTISHOT,
					90);
	assert_same(a, b);
	assert_int_equal(b.poll.flags, AIONL_POLL_MULTISHOT);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGRTMIN + 1);
	garbage(&a, &b);
	aionl_req_signal(&a, &set, 89);
	((void (*)(struct aionl_req *, const sigset_t *, uint64_t))sym("aionl_req_signal"))(&b, &set,
											      89);
	assert_same(a, b);
	assert_true(b.sigmask == (1ULL << (SIGINT - 1) | 1ULL << (SIGRTMIN + 1 - 1)));

	garbage(&a, &b);
	aionl_req_open(&a, AIONL_AT_CWD, "some/path", 0x42, 0640, AIONL_OPEN_FD, 87);
	((void (*)(struct aionl_req *, uint64_t, const char *, int, uint32_t, uint32_t, uint64_t))
		 sym("aionl_req_open"))(&b, AIONL_AT_CWD, "some/path", 0x42, 0640, AIONL_OPEN_FD, 87);
	assert_int_equal(b.op, AIONL_OP_OPEN);
	assert_int_equal(b.open.mode, 0640);
	assert_string_equal(b.open.path, "some/path");
	assert_int_equal(b.open.options, AIONL_OPEN_FD);
	/* The strings' addresses may differ between the two copies of the literal. */
	a.open.path = b.open.path;
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_cancel(&a, 5, AIONL_CANCEL_HANDLE, 88);
	((void (*)(struct aionl_req *, uint64_t, uint32_t, uint64_t))sym("aionl_req_cancel"))(
		&b, 5, AIONL_CANCEL_HANDLE, 88);
	assert_same(a, b);
	assert_int_equal(b.cancel.flags, AIONL_CANCEL_HANDLE);

	/* Since 0.4. */
	garbage(&a, &b);
	aionl_req_fallocate(&a, 6, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE, 4096, 8192, 86);
	((void (*)(struct aionl_req *, uint64_t, uint32_t, uint64_t, uint64_t, uint64_t))
		 sym("aionl_req_fallocate"))(&b, 6, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
					     4096, 8192, 86);
	assert_same(a, b);
	assert_int_equal(b.op, AIONL_OP_FALLOCATE);
	assert_int_equal(b.offset, 4096);
	assert_int_equal(b.len, 8192);
	assert_int_equal(b.fallocate.mode, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE);

	garbage(&a, &b);
	aionl_req_statx(&a, 5, "a/b", AIONL_STATX_SYMLINK_NOFOLLOW, 0x7ff, (struct statx *)buf, 85);
	((void (*)(struct aionl_req *, uint64_t, const char *, uint32_t, uint32_t, struct statx *,
		   uint64_t))sym("aionl_req_statx"))(&b, 5, "a/b", AIONL_STATX_SYMLINK_NOFOLLOW, 0x7ff,
						    (struct statx *)buf, 85);
	assert_int_equal(b.op, AIONL_OP_STATX);
	assert_int_equal(b.handle, 5);
	assert_ptr_equal(b.buf, buf);
	assert_string_equal(b.statx.path, "a/b");
	assert_int_equal(b.statx.flags, AIONL_STATX_SYMLINK_NOFOLLOW);
	assert_int_equal(b.statx.mask, 0x7ff);
	a.statx.path = b.statx.path;
	assert_same(a, b);

	garbage(&a, &b);
	aionl_req_copy(&a, 7, 4096, 8, 1 << 20, 65536, 87);
	((void (*)(struct aionl_req *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
		   uint64_t))sym("aionl_req_copy"))(&b, 7, 4096, 8, 1 << 20, 65536, 87);
	assert_same(a, b);
	assert_int_equal(b.op, AIONL_OP_COPY);
	assert_int_equal(b.handle, 7);
	assert_int_equal(b.offset, 4096);
	assert_int_equal(b.copy.dst_handle, 8);
	assert_int_equal(b.copy.dst_offset, 1 << 20);
	assert_int_equal(b.len, 65536);
	assert_int_equal(b.cookie, 87);
}

/*
 * Naming the argument structs moved nothing, nor did OPEN's members: these
 * are the offsets of 0.2, which programs built against it depend on.
 */
static void test_request_layout_is_the_one_of_0_2(void **state)
{
	struct aionl_timer_args t = { .value_ns = 1, .interval_ns = 2, .clock = 3, .flags = 4,
				      .target = 5 };
	struct aionl_poll_args p = { .events = 1, .flags = 2 };
	struct aionl_cancel_args c = { .target = 1, .flags = 2 };
	struct aionl_req r;

	(void)state;
	assert_int_equal(sizeof(struct aionl_req), 88);
	assert_int_equal(offsetof(struct aionl_req, op), 0);
	assert_int_equal(offsetof(struct aionl_req, nr_iov), 4);
	assert_int_equal(offsetof(struct aionl_req, handle), 8);
	assert_int_equal(offsetof(struct aionl_req, offset), 16);
	assert_int_equal(offsetof(struct aionl_req, buf), 24);
	assert_int_equal(offsetof(struct aionl_req, iov), 24);
	assert_int_equal(offsetof(struct aionl_req, len), 32);
	assert_int_equal(offsetof(struct aionl_req, cookie), 40);
	assert_int_equal(offsetof(struct aionl_req, timeout_ns), 48);
	assert_int_equal(offsetof(struct aionl_req, timer.value_ns), 56);
	assert_int_equal(offsetof(struct aionl_req, timer.interval_ns), 64);
	assert_int_equal(offsetof(struct aionl_req, timer.clock), 72);
	assert_int_equal(offsetof(struct aionl_req, timer.flags), 76);
	assert_int_equal(offsetof(struct aionl_req, timer.target), 80);
	assert_int_equal(offsetof(struct aionl_req, poll.events), 56);
	assert_int_equal(offsetof(struct aionl_req, poll.flags), 60);
	assert_int_equal(offsetof(struct aionl_req, sigmask), 56);
	assert_int_equal(offsetof(struct aionl_req, cancel.target), 56);
	assert_int_equal(offsetof(struct aionl_req, cancel.flags), 64);
	assert_int_equal(offsetof(struct aionl_req, open.path), 56);
	/* 0.4's members fit in the union as it was. */
	assert_int_equal(offsetof(struct aionl_req, fallocate.mode), 56);
	assert_int_equal(offsetof(struct aionl_req, statx.path), 56);
	assert_int_equal(offsetof(struct aionl_req, statx.flags), 64);
	assert_int_equal(offsetof(struct aionl_req, statx.mask), 68);
	assert_int_equal(offsetof(struct aionl_req, copy.dst_handle), 56);
	assert_int_equal(offsetof(struct aionl_req, copy.dst_offset), 64);
	assert_int_equal(sizeof(struct aionl_cqe), 80);
	assert_int_equal(offsetof(struct aionl_cqe, si), 24);
	assert_int_equal(offsetof(struct aionl_cqe, open.handle), 24);

	/* The members are values of the named types, assignable as a whole. */
	memset(&r, 0, sizeof(r));
	r.timer = t;
	assert_int_equal(r.timer.target, 5);
	r.poll = p;
	assert_int_equal(r.poll.flags, 2);
	r.cancel = c;
	assert_int_equal(r.cancel.flags, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exported_builders_fill_what_the_inline_ones_fill),
		cmocka_unit_test(test_request_layout_is_the_one_of_0_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
