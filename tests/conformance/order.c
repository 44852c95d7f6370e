// SPDX-License-Identifier: MIT
/*
 * Conformance: ordering inside a context, io_uring's two orderings
 * (aionl_req_set_flags(3)): chains of AIONL_REQ_LINK requests, which start
 * one after the other and break at the first failure, and AIONL_REQ_DRAIN,
 * which waits for everything before it and holds everything after it.
 * What each test checks is the documented contract: the order of effects on
 * the file, the order of completions, each completion exactly once, and
 * -ECANCELED for what a broken chain never started.
 */
#define _GNU_SOURCE
#include "common.h"

#define LINK AIONL_REQ_LINK
#define DRAIN AIONL_REQ_DRAIN

/* ------------------------------------------------------------ helpers */

static struct aionl_req *flagged(struct aionl_req *r, uint32_t flags)
{
	aionl_req_set_flags(r, flags);
	return r;
}

/* Nothing completes within ms milliseconds. */
static void reap_none(struct aionl_ctx *ctx, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	struct aionl_cqe c;
	int n = aionl_reap(ctx, &c, 1, 1, &ts);

	if (n != 0)
		fail_msg("cookie %llu completed (res %lld) while it had to wait",
			 (unsigned long long)c.cookie, (long long)c.res);
}

/* A pipe whose read end is registered: reads on it wait until the test writes. */
struct waiting_pipe {
	int rd, wr;
	uint64_t h;
};

static void pipe_open(struct aionl_ctx *ctx, struct waiting_pipe *p)
{
	int fds[2];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	p->rd = fds[0];
	p->wr = fds[1];
	assert_int_equal(aionl_file_register(ctx, p->rd, &p->h), 0);
}

static void pipe_close(struct aionl_ctx *ctx, struct waiting_pipe *p)
{
	aionl_file_unregister(ctx, p->h);
	close(p->rd);
	close(p->wr);
}

/* The file's bytes at off, read with pread(2), behind the context's back. */
static void file_bytes(int fd, void *buf, size_t len, off_t off)
{
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
}

/* ------------------------------------------------------------ chains */

/*
 * write A; fsync; write B over part of A: B lands on top of A only if it ran
 * after A. A is large (8 MiB) and B one byte, so that unordered, B would
 * usually finish first and A overwrite it.
 */
static void test_chain_write_fsync_write_lands_in_order(void **state)
{
	struct fixture *f = *state;
	size_t big = 8 << 20;
	unsigned char *a = malloc(big), b = 0xbb, back[3];
	struct aionl_req r[3];
	struct aionl_cqe c[3];

	for (int round = 0; round < 5; round++) {
		memset(a, 0xa0 + round, big);
		aionl_req_write(flagged(&r[0], 0), f->h, a, big, 0, 1);
		aionl_req_fsync(&r[1], f->h, 2);
		aionl_req_write(&r[2], f->h, &b, 1, 4096, 3);
		aionl_req_set_flags(&r[0], LINK);
		aionl_req_set_flags(&r[1], LINK);
		submit(f->ctx, r, 3);
		reap_n(f->ctx, c, 3);
		/* Each started once the one before it completed: they complete in order. */
		assert_true(c[0].cookie == 1 && c[1].cookie == 2 && c[2].cookie == 3);
		assert_int_equal(c[0].res, (int64_t)big);
		assert_int_equal(c[1].res, 0);
		assert_int_equal(c[2].res, 1);
		file_bytes(f->fd, back, 3, 4095);
		assert_int_equal(back[0], 0xa0 + round);
		assert_int_equal(back[1], 0xbb);
		assert_int_equal(back[2], 0xa0 + round);
	}
	free(a);
}

/*
 * 100 linked one-byte writes to an O_APPEND file: each lands at the end, so
 * the file says in which order they ran. Any two run out of order, or at
 * once, and the bytes are not 0, 1, ..., 99.
 */
static void test_chain_of_100_appends_runs_in_order(void **state)
{
	struct fixture *f = *state;
	char path[300];
	unsigned char bytes[100], back[100];
	struct aionl_req r[100];
	struct aionl_cqe c[100];
	uint64_t h;
	int fd;

	snprintf(path, sizeof(path), "%s.append", f->path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &h), 0);
	for (int i = 0; i < 100; i++) {
		bytes[i] = (unsigned char)i;
		aionl_req_write(&r[i], h, &bytes[i], 1, 0, 1000 + i);
		aionl_req_set_flags(&r[i], i < 99 ? LINK : 0);
	}
	submit(f->ctx, r, 100);
	reap_n(f->ctx, c, 100);
	for (int i = 0; i < 100; i++) {
		assert_true(c[i].cookie == (uint64_t)(1000 + i));
		assert_int_equal(c[i].res, 1);
	}
	assert_int_equal(lseek(fd, 0, SEEK_END), 100);
	file_bytes(fd, back, 100, 0);
	assert_memory_equal(back, bytes, 100);
	aionl_file_unregister(f->ctx, h);
	close(fd);
	unlink(path);
}

/*
 * A chain of 50 (write k; read it back): each read shows the value of the
 * write just before it, which it can only if it ran after that write and
 * before the next.
 */
static void test_chain_of_writes_and_reads_sees_each_write(void **state)
{
	struct fixture *f = *state;
	uint32_t val[50], seen[50];
	struct aionl_req r[100];
	struct aionl_cqe c[100];

	for (int k = 0; k < 50; k++) {
		val[k] = 0x5e000000u + k;
		seen[k] = 0;
		aionl_req_write(&r[2 * k], f->h, &val[k], 4, 8192, 2 * k + 1);
		aionl_req_read(&r[2 * k + 1], f->h, &seen[k], 4, 8192, 2 * k + 2);
		aionl_req_set_flags(&r[2 * k], LINK);
		aionl_req_set_flags(&r[2 * k + 1], k < 49 ? LINK : 0);
	}
	submit(f->ctx, r, 100);
	reap_n(f->ctx, c, 100);
	for (int i = 0; i < 100; i++) {
		assert_true(c[i].cookie == (uint64_t)(i + 1));
		assert_int_equal(c[i].res, 4);
	}
	for (int k = 0; k < 50; k++)
		assert_int_equal(seen[k], val[k]);
}

/*
 * A failing request breaks its chain: the ones after it complete with
 * -ECANCELED, each once, and none of them ran (the writes left the file as
 * it was). A request of the chain before it ran as usual.
 */
static void test_a_failing_link_cancels_the_rest_of_its_chain(void **state)
{
	struct fixture *f = *state;
	unsigned char x = 0x77, back;
	struct aionl_req r[6];
	struct aionl_cqe c[6];
	uint64_t ro;
	int fd;

	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &ro), 0);
	close(fd);
	aionl_req_nop(&r[0], 1);
	aionl_req_write(&r[1], ro, &x, 1, 100, 2);		/* read-only: -EBADF */
	aionl_req_write(&r[2], f->h, &x, 1, 100, 3);
	aionl_req_fsync(&r[3], f->h, 4);
	aionl_req_write(&r[4], f->h, &x, 1, 101, 5);		/* the chain's last */
	aionl_req_nop(&r[5], 6);				/* not in the chain */
	for (int i = 0; i < 4; i++)
		aionl_req_set_flags(&r[i], LINK);
	submit(f->ctx, r, 6);
	reap_n(f->ctx, c, 6);
	assert_int_equal(res_of(c, 6, 1), 0);
	assert_int_equal(res_of(c, 6, 2), -EBADF);
	assert_int_equal(res_of(c, 6, 3), -ECANCELED);
	assert_int_equal(res_of(c, 6, 4), -ECANCELED);
	assert_int_equal(res_of(c, 6, 5), -ECANCELED);
	assert_int_equal(res_of(c, 6, 6), 0);
	/* In chain order: the failure before what it cancelled. */
	assert_true(once(c, 6, 2) < once(c, 6, 3) && once(c, 6, 3) < once(c, 6, 4) &&
		    once(c, 6, 4) < once(c, 6, 5));
	file_bytes(f->fd, &back, 1, 100);
	assert_int_equal(back, pattern(100));
	file_bytes(f->fd, &back, 1, 101);
	assert_int_equal(back, pattern(101));
	reap_none(f->ctx, 50);
	aionl_file_unregister(f->ctx, ro);
}

/* A bad handle fails as a read-only one does. */
static void test_a_bad_handle_breaks_a_chain(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	struct aionl_req r[3];
	struct aionl_cqe c[3];

	aionl_req_read(&r[0], f->h ^ 0x40000000ULL, buf, sizeof(buf), 0, 1);
	aionl_req_read(&r[1], f->h, buf, sizeof(buf), 0, 2);
	aionl_req_nop(&r[2], 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_set_flags(&r[1], LINK);
	submit(f->ctx, r, 3);
	reap_n(f->ctx, c, 3);
	assert_int_equal(res_of(c, 3, 1), -EBADF);
	assert_int_equal(res_of(c, 3, 2), -ECANCELED);
	assert_int_equal(res_of(c, 3, 3), -ECANCELED);
}

/*
 * A short read breaks a chain, as in io_uring: what follows may depend on
 * every byte. A read at the end of the file moves fewer bytes than it asked.
 */
static void test_a_short_read_breaks_a_chain(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	struct aionl_req r[2];
	struct aionl_cqe c[2];

	aionl_req_read(&r[0], f->h, buf, sizeof(buf), FILE_SIZE - 10, 1);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_nop(&r[1], 2);
	submit(f->ctx, r, 2);
	reap_n(f->ctx, c, 2);
	assert_int_equal(res_of(c, 2, 1), 10);
	assert_int_equal(res_of(c, 2, 2), -ECANCELED);
	/* The whole of what it asked for is a success. */
	aionl_req_read(&r[0], f->h, buf, 10, FILE_SIZE - 10, 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_nop(&r[1], 4);
	submit(f->ctx, r, 2);
	reap_n(f->ctx, c, 2);
	assert_int_equal(res_of(c, 2, 3), 10);
	assert_int_equal(res_of(c, 2, 4), 0);
}

/*
 * The link on the last request of a call is ignored: a chain never crosses
 * calls. The next call's request runs whatever the first one's result.
 */
static void test_a_link_on_the_last_request_is_ignored(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	struct aionl_req r;

	aionl_req_read(&r, f->h ^ 0x40000000ULL, buf, sizeof(buf), 0, 1);
	aionl_req_set_flags(&r, LINK);
	assert_int_equal(run(f->ctx, &r), -EBADF);
	aionl_req_nop(&r, 2);
	assert_int_equal(run(f->ctx, &r), 0);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 3);
	aionl_req_set_flags(&r, LINK);
	assert_int_equal(run(f->ctx, &r), sizeof(buf));
}

/*
 * An OPEN in a chain: the write after it waits for it (a failing OPEN
 * cancels it); an fsync after a write through a handle opened before.
 */
static void test_open_takes_part_in_chains(void **state)
{
	struct fixture *f = *state;
	char path[300];
	struct aionl_req r[3];
	struct aionl_cqe c[3];

	snprintf(path, sizeof(path), "%s.missing/none", f->path);
	aionl_req_open(&r[0], AIONL_AT_CWD, path, O_RDONLY, 0, 0, 1);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_nop(&r[1], 2);
	submit(f->ctx, r, 2);
	reap_n(f->ctx, c, 2);
	assert_int_equal(res_of(c, 2, 1), -ENOENT);
	assert_int_equal(res_of(c, 2, 2), -ECANCELED);

	aionl_req_open(&r[0], AIONL_AT_CWD, f->path, O_RDONLY, 0, 0, 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_nop(&r[1], 4);
	aionl_req_set_flags(&r[1], LINK);
	aionl_req_fsync(&r[2], f->h, 5);
	submit(f->ctx, r, 3);
	reap_n(f->ctx, c, 3);
	assert_true(c[0].cookie == 3 && c[1].cookie == 4 && c[2].cookie == 5);
	assert_int_equal(c[0].res, 0);
	assert_int_equal(c[1].res, 0);
	assert_int_equal(c[2].res, 0);
	assert_int_equal(aionl_file_unregister(f->ctx, c[0].open.handle), 0);
}

/*
 * A deadline runs from the request's start: a read held behind a pipe read
 * that waits 300 ms does not time out with its 50 ms deadline, since its
 * turn comes only then.
 */
static void test_a_held_requests_deadline_runs_from_its_start(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	char in[8], buf[8];
	struct aionl_req r[2];
	struct aionl_cqe c[2];

	pipe_open(f->ctx, &p);
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_read(&r[1], f->h, buf, sizeof(buf), 0, 2);
	aionl_req_set_timeout(&r[1], 50 * 1000000ULL);
	submit(f->ctx, r, 2);
	reap_none(f->ctx, 300);
	assert_int_equal(write(p.wr, "12345678", 8), 8);
	reap_n(f->ctx, c, 2);
	assert_true(c[0].cookie == 1 && c[1].cookie == 2);
	assert_int_equal(c[0].res, 8);
	assert_int_equal(c[1].res, sizeof(buf));
	pipe_close(f->ctx, &p);
}

/*
 * Regression (the module, 6.12's VM run): a stream read whose turn came in
 * a worker (behind an fsync) and that could not wait (/dev/null has no
 * poll) posted its completion as if in the sender, for a flush on the
 * worker's return to user space, which a kworker never makes: the
 * completion never came, and rmmod failed. It completes, in its turn.
 */
static void test_a_stream_that_cannot_wait_fails_in_its_turn(void **state)
{
	struct fixture *f = *state;
	struct aionl_req r[2];
	struct aionl_cqe c[2];
	char buf[8];
	uint64_t null;
	int fd;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &null), 0);
	close(fd);
	for (int round = 0; round < 3; round++) {
		aionl_req_fsync(&r[0], f->h, 1);
		aionl_req_set_flags(&r[0], LINK);
		aionl_req_read(&r[1], null, buf, sizeof(buf), AIONL_OFFSET_STREAM, 2);
		submit(f->ctx, r, 2);
		reap_n(f->ctx, c, 2);
		assert_true(c[0].cookie == 1 && c[0].res == 0);
		assert_true(c[1].cookie == 2);
		assert_true(c[1].res < 0);
	}
	aionl_file_unregister(f->ctx, null);
}

/* ------------------------------------------------------------ cancel */

/*
 * Cancelling a request of a chain ends it and the rest of its chain with
 * -ECANCELED, each once, and none of those ran: the one cancelled is the
 * running head, or a request held behind it.
 */
static void test_cancelling_a_chain_member_cancels_its_followers(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	unsigned char x = 0x55, back;
	char in[4];
	struct aionl_req r[4], cancel;
	struct aionl_cqe c[4];

	pipe_open(f->ctx, &p);
	/* The head, which waits on the pipe. */
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	aionl_req_write(&r[1], f->h, &x, 1, 200, 2);
	aionl_req_nop(&r[2], 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_set_flags(&r[1], LINK);
	submit(f->ctx, r, 3);
	reap_none(f->ctx, 50);
	aionl_req_cancel(&cancel, 1, 0, 9);
	submit(f->ctx, &cancel, 1);
	reap_n(f->ctx, c, 4);
	assert_int_equal(res_of(c, 4, 9), 1);
	assert_int_equal(res_of(c, 4, 1), -ECANCELED);
	assert_int_equal(res_of(c, 4, 2), -ECANCELED);
	assert_int_equal(res_of(c, 4, 3), -ECANCELED);
	file_bytes(f->fd, &back, 1, 200);
	assert_int_equal(back, pattern(200));

	/* A held one: it and what follows it end; the head goes on. */
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 11);
	aionl_req_nop(&r[1], 12);
	aionl_req_write(&r[2], f->h, &x, 1, 201, 13);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_set_flags(&r[1], LINK);
	submit(f->ctx, r, 3);
	aionl_req_cancel(&cancel, 12, 0, 19);
	submit(f->ctx, &cancel, 1);
	reap_n(f->ctx, c, 3);
	assert_int_equal(res_of(c, 3, 19), 1);
	assert_int_equal(res_of(c, 3, 12), -ECANCELED);
	assert_int_equal(res_of(c, 3, 13), -ECANCELED);
	reap_none(f->ctx, 50);
	assert_int_equal(write(p.wr, "abcd", 4), 4);
	reap_n(f->ctx, c, 1);
	assert_true(c[0].cookie == 11);
	assert_int_equal(c[0].res, 4);
	file_bytes(f->fd, &back, 1, 201);
	assert_int_equal(back, pattern(201));
	pipe_close(f->ctx, &p);
}

/* CANCEL_ALL and CANCEL_HANDLE reach held requests too. */
static void test_cancel_all_and_by_handle_reach_held_requests(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	char in[4], buf[4];
	struct aionl_req r[4], cancel;
	struct aionl_cqe c[5];

	pipe_open(f->ctx, &p);
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	aionl_req_read(&r[1], f->h, buf, sizeof(buf), 0, 2);
	aionl_req_fsync(&r[2], f->h, 3);
	aionl_req_nop(&r[3], 4);
	for (int i = 0; i < 3; i++)
		aionl_req_set_flags(&r[i], LINK);
	submit(f->ctx, r, 4);
	aionl_req_cancel(&cancel, 0, AIONL_CANCEL_ALL, 9);
	submit(f->ctx, &cancel, 1);
	reap_n(f->ctx, c, 5);
	assert_true(res_of(c, 5, 9) >= 1);
	for (uint64_t k = 1; k <= 4; k++)
		assert_int_equal(res_of(c, 5, k), -ECANCELED);

	/* By handle: the held read of the file, and what follows it. */
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 11);
	aionl_req_read(&r[1], f->h, buf, sizeof(buf), 0, 12);
	aionl_req_nop(&r[2], 13);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_set_flags(&r[1], LINK);
	submit(f->ctx, r, 3);
	aionl_req_cancel(&cancel, f->h, AIONL_CANCEL_HANDLE, 19);
	submit(f->ctx, &cancel, 1);
	reap_n(f->ctx, c, 3);
	assert_int_equal(res_of(c, 3, 19), 1);
	assert_int_equal(res_of(c, 3, 12), -ECANCELED);
	assert_int_equal(res_of(c, 3, 13), -ECANCELED);
	assert_int_equal(write(p.wr, "abcd", 4), 4);
	reap_n(f->ctx, c, 1);
	assert_true(c[0].cookie == 11 && c[0].res == 4);
	pipe_close(f->ctx, &p);
}

/* ------------------------------------------------------------ drains */

/*
 * A drain waits for everything before it: behind a read of an empty pipe,
 * a drained NOP does not complete, nor the file read and fsync submitted
 * after it (the read is one the page cache would serve at once), until the
 * pipe read completes; then they do, in that order.
 */
static void test_a_drain_waits_for_what_came_before(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	char in[3], buf[16];
	struct aionl_req r;
	struct aionl_cqe c[4];

	pipe_open(f->ctx, &p);
	/* Warm the page cache for the read below. */
	file_bytes(f->fd, buf, sizeof(buf), 0);
	aionl_req_read(&r, p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	submit(f->ctx, &r, 1);
	aionl_req_nop(&r, 2);
	aionl_req_set_flags(&r, DRAIN);
	submit(f->ctx, &r, 1);
	aionl_req_read(&r, f->h, buf, sizeof(buf), 0, 3);
	submit(f->ctx, &r, 1);
	aionl_req_fsync(&r, f->h, 4);
	submit(f->ctx, &r, 1);
	reap_none(f->ctx, 200);
	assert_int_equal(write(p.wr, "xyz", 3), 3);
	reap_n(f->ctx, c, 4);
	assert_true(c[0].cookie == 1 && c[0].res == 3);
	assert_true(c[1].cookie == 2 && c[1].res == 0);
	/* The read and the fsync, after the drain, in either order. */
	assert_int_equal(res_of(c + 2, 2, 3), sizeof(buf));
	assert_int_equal(res_of(c + 2, 2, 4), 0);
	assert_int_equal((unsigned char)buf[0], pattern(0));
	pipe_close(f->ctx, &p);
}

/*
 * What comes after a drain waits until the drain itself completed: a
 * drained pipe read holds the NOP and the write behind it.
 */
static void test_what_follows_a_drain_waits_for_it(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	unsigned char x = 0x66, back;
	char in[2];
	struct aionl_req r[3];
	struct aionl_cqe c[3];

	pipe_open(f->ctx, &p);
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	aionl_req_set_flags(&r[0], DRAIN);
	aionl_req_nop(&r[1], 2);
	aionl_req_set_flags(&r[1], LINK);	/* a chain behind the drain */
	aionl_req_write(&r[2], f->h, &x, 1, 300, 3);
	submit(f->ctx, r, 3);
	reap_none(f->ctx, 150);
	file_bytes(f->fd, &back, 1, 300);
	assert_int_equal(back, pattern(300));
	assert_int_equal(write(p.wr, "ok", 2), 2);
	reap_n(f->ctx, c, 3);
	assert_true(c[0].cookie == 1 && c[0].res == 2);
	assert_true(c[1].cookie == 2 && c[1].res == 0);
	assert_true(c[2].cookie == 3 && c[2].res == 1);
	file_bytes(f->fd, &back, 1, 300);
	assert_int_equal(back, 0x66);
	pipe_close(f->ctx, &p);
}

/* A wake-up (aionl_wake, a NOP without flags) is never held behind a drain. */
static void test_a_wake_is_not_held_by_a_drain(void **state)
{
	struct fixture *f = *state;
	struct waiting_pipe p;
	char in[1];
	struct aionl_req r[2];
	struct aionl_cqe c[2];

	pipe_open(f->ctx, &p);
	aionl_req_read(&r[0], p.h, in, sizeof(in), AIONL_OFFSET_STREAM, 1);
	aionl_req_nop(&r[1], 2);
	aionl_req_set_flags(&r[1], DRAIN);
	submit(f->ctx, r, 2);
	assert_int_equal(aionl_wake(f->ctx, 3), 0);
	reap_n(f->ctx, c, 1);
	assert_true(c[0].cookie == 3 && c[0].res == 0);
	assert_int_equal(write(p.wr, "!", 1), 1);
	reap_n(f->ctx, c, 2);
	assert_true(c[0].cookie == 1 && c[1].cookie == 2);
	pipe_close(f->ctx, &p);
}

/* ------------------------------------------------------------ admission */

/*
 * A chain is accepted whole or not at all: with 3 credits free, a chain of 4
 * is refused with -EBUSY and nothing of it runs; a NOP and a chain of 3
 * after it stop before the chain; a chain of 3 alone is accepted.
 */
static void test_a_chain_larger_than_the_free_credits_is_refused_whole(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *ctx = open_ctx(8);
	struct waiting_pipe p;
	char in[5][1];
	struct aionl_req r[5];
	struct aionl_cqe c[8];

	(void)f;
	pipe_open(ctx, &p);
	for (int i = 0; i < 5; i++)
		aionl_req_read(&r[i], p.h, in[i], 1, AIONL_OFFSET_STREAM, 100 + i);
	submit(ctx, r, 5);				/* 3 credits left */
	for (int i = 0; i < 4; i++) {
		aionl_req_nop(&r[i], 1 + i);
		aionl_req_set_flags(&r[i], i < 3 ? LINK : 0);
	}
	assert_int_equal(aionl_submit(ctx, r, 4), -EBUSY);
	reap_none(ctx, 50);
	/* A NOP, then a chain of 3: only the NOP fits with it. */
	aionl_req_nop(&r[0], 11);
	for (int i = 1; i < 4; i++) {
		aionl_req_nop(&r[i], 11 + i);
		aionl_req_set_flags(&r[i], i < 3 ? LINK : 0);
	}
	assert_int_equal(aionl_submit(ctx, r, 4), 1);
	reap_n(ctx, c, 1);
	assert_true(c[0].cookie == 11);
	/* The chain of 3 alone fits. */
	assert_int_equal(aionl_submit(ctx, r + 1, 3), 3);
	reap_n(ctx, c, 3);
	assert_true(c[0].cookie == 12 && c[1].cookie == 13 && c[2].cookie == 14);
	assert_int_equal(write(p.wr, "12345", 5), 5);
	reap_n(ctx, c, 5);
	pipe_close(ctx, &p);
	aionl_ctx_close(ctx);
}

/* Flags on what takes none, and bits that are none, are refused. */
static void test_flags_are_refused_where_they_mean_nothing(void **state)
{
	struct fixture *f = *state;
	struct aionl_req r[2];

	aionl_req_timer(&r[0], CLOCK_MONOTONIC, 1000, 0, 0, 1);
	aionl_req_set_flags(&r[0], LINK);
	assert_int_equal(aionl_submit(f->ctx, r, 1), -EINVAL);
	aionl_req_nop(&r[0], 2);
	aionl_req_set_flags(&r[0], 0x80);
	assert_int_equal(aionl_submit(f->ctx, r, 1), -EINVAL);
	/* A bad request in a chain stops the call before the chain. */
	aionl_req_nop(&r[0], 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_cancel(&r[1], 1, 0, 4);
	aionl_req_set_flags(&r[1], DRAIN);
	assert_int_equal(aionl_submit(f->ctx, r, 2), -EINVAL);
	reap_none(f->ctx, 30);
}

/* ------------------------------------------------------------ FALLOCATE, STATX */

/*
 * write 8 MiB; punch a hole in it; statx: the hole is there, and the statx,
 * behind both, sees the file's final size. Unordered, the punch (quick)
 * would usually run before the big write fills the range again, and the
 * statx before the write grows the file.
 */
static void test_fallocate_and_statx_take_their_turn_in_a_chain(void **state)
{
	struct fixture *f = *state;
	size_t big = 8 << 20;
	unsigned char *a = malloc(big), back[3];
	struct statx stx;
	struct aionl_req r[3];
	struct aionl_cqe c[3];

	assert_non_null(a);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(ftruncate(f->fd, 0), 0);
		memset(a, 0xa0 + round, big);
		memset(&stx, 0, sizeof(stx));
		aionl_req_write(&r[0], f->h, a, big, 0, 1);
		aionl_req_fallocate(&r[1], f->h, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
				    4096, 4096, 2);
		aionl_req_statx(&r[2], f->h, NULL, AIONL_STATX_EMPTY_PATH, STATX_SIZE, &stx, 3);
		aionl_req_set_flags(&r[0], LINK);
		aionl_req_set_flags(&r[1], LINK);
		submit(f->ctx, r, 3);
		reap_n(f->ctx, c, 3);
		assert_true(c[0].cookie == 1 && c[1].cookie == 2 && c[2].cookie == 3);
		assert_int_equal(c[0].res, (int64_t)big);
		if (c[1].res == -EOPNOTSUPP) {
			/* A filesystem without holes: the chain broke there. */
			assert_int_equal(c[2].res, -ECANCELED);
			continue;
		}
		assert_int_equal(c[1].res, 0);
		assert_int_equal(c[2].res, 0);
		assert_true(stx.stx_size == big);
		file_bytes(f->fd, back, 3, 4095);
		assert_int_equal(back[0], 0xa0 + round);
		assert_int_equal(back[1], 0);
		assert_int_equal(back[2], 0);
		file_bytes(f->fd, back, 1, 8192);
		assert_int_equal(back[0], 0xa0 + round);
	}
	free(a);
}

/*
 * A FALLOCATE that fails (a read-only file: -EBADF, as fallocate(2) says)
 * breaks its chain: the write and the STATX after it never run.
 */
static void test_a_failing_fallocate_cancels_its_followers(void **state)
{
	struct fixture *f = *state;
	unsigned char x = 0x55, back;
	struct statx stx;
	struct aionl_req r[3];
	struct aionl_cqe c[3];
	uint64_t ro;
	int fd;

	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(aionl_file_register(f->ctx, fd, &ro), 0);
	close(fd);
	aionl_req_fallocate(&r[0], ro, 0, 0, 4096, 1);
	aionl_req_write(&r[1], f->h, &x, 1, 10, 2);
	aionl_req_statx(&r[2], f->h, NULL, AIONL_STATX_EMPTY_PATH, STATX_SIZE, &stx, 3);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_set_flags(&r[1], LINK);
	submit(f->ctx, r, 3);
	reap_n(f->ctx, c, 3);
	assert_int_equal(res_of(c, 3, 1), -EBADF);
	assert_int_equal(res_of(c, 3, 2), -ECANCELED);
	assert_int_equal(res_of(c, 3, 3), -ECANCELED);
	file_bytes(f->fd, &back, 1, 10);
	assert_int_equal(back, pattern(10));
	reap_none(f->ctx, 50);
	aionl_file_unregister(f->ctx, ro);
}

/*
 * A drained STATX sees every write submitted before it, and the write
 * submitted after it waits for it: the size it reports is the four writes'
 * and not the fifth's, which grows the file further.
 */
static void test_a_drained_statx_sees_the_writes_before_it(void **state)
{
	struct fixture *f = *state;
	size_t big = 4 << 20;
	unsigned char *a = malloc(big);
	struct statx stx;
	struct aionl_req r[6];
	struct aionl_cqe c[6];

	assert_non_null(a);
	memset(a, 0x5a, big);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(ftruncate(f->fd, 0), 0);
		memset(&stx, 0, sizeof(stx));
		for (int i = 0; i < 4; i++)
			aionl_req_write(&r[i], f->h, a, big, (uint64_t)i * big, 1 + i);
		aionl_req_statx(&r[4], f->h, NULL, AIONL_STATX_EMPTY_PATH, STATX_SIZE, &stx, 5);
		aionl_req_set_flags(&r[4], DRAIN);
		aionl_req_write(&r[5], f->h, a, 1, 8 * big, 6);
		submit(f->ctx, r, 6);
		reap_n(f->ctx, c, 6);
		assert_int_equal(res_of(c, 6, 5), 0);
		/* After the four, before the sixth. */
		for (int i = 1; i <= 4; i++)
			assert_true(once(c, 6, i) < once(c, 6, 5));
		assert_true(once(c, 6, 5) < once(c, 6, 6));
		assert_true(stx.stx_size == 4 * big);
	}
	free(a);
}

/* Every server of this release honours both flags. */
static void test_the_server_honours_both_flags(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(aionl_ctx_req_flags(f->ctx), LINK | DRAIN);
	assert_int_equal(aionl_ctx_req_flags(NULL), -EINVAL);
}

/* ------------------------------------------------------------ raw messages */

struct raw {
	char buf[4096];
	size_t len;
	uint16_t family;
};

static struct nlmsghdr *raw_nop(struct raw *r, uint64_t cookie, uint32_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf + r->len);
	struct genlmsghdr *g;

	nlh->nlmsg_type = r->family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = AIONL_CMD_NOP;
	g->version = AIONL_FAMILY_VERSION;
	mnl_attr_put_u64(nlh, AIONL_A_NOP_COOKIE, cookie);
	if (flags)
		mnl_attr_put_u32(nlh, AIONL_A_NOP_REQ_FLAGS, flags);
	r->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

static void raw_send(struct aionl_ctx *ctx, struct raw *r)
{
	assert_int_equal(send(aionl_ctx_fd(ctx), r->buf, r->len, 0), (ssize_t)r->len);
	r->len = 0;
}

/*
 * A message the server refuses breaks the chain that reaches it: it gets
 * its NLMSG_ERROR (a rejected completion), and the chain's requests after
 * it, up to the first without LINK after it, complete with -ECANCELED. What
 * follows the chain runs.
 */
static void test_a_refused_message_breaks_its_chain(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *c2 = open_ctx(0);
	struct raw r = { .family = test_family_id(c2) };
	struct aionl_cqe c[5];

	aionl_ctx_close(c2);
	raw_nop(&r, 1, LINK);
	raw_nop(&r, 2, LINK | 0x40);	/* a flag that is none: refused, and it links */
	raw_nop(&r, 3, LINK);
	raw_nop(&r, 4, 0);		/* the chain's last */
	raw_nop(&r, 5, 0);		/* after it */
	raw_send(f->ctx, &r);
	reap_n(f->ctx, c, 5);
	assert_int_equal(res_of(c, 5, 1), 0);
	assert_int_equal(res_of(c, 5, 2), -EINVAL);
	assert_int_equal(c[once(c, 5, 2)].flags, AIONL_CQE_F_REJECTED);
	assert_int_equal(res_of(c, 5, 3), -ECANCELED);
	assert_int_equal(res_of(c, 5, 4), -ECANCELED);
	assert_int_equal(res_of(c, 5, 5), 0);
}

/*
 * A refused message without LINK ends the chain that reaches it: what
 * follows in the datagram is no request of that chain, and runs.
 */
static void test_a_refused_message_without_link_ends_its_chain(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *c2 = open_ctx(0);
	struct raw r = { .family = test_family_id(c2) };
	struct aionl_cqe c[4];

	aionl_ctx_close(c2);
	raw_nop(&r, 1, LINK);
	raw_nop(&r, 2, 0x40);		/* refused, and it does not link */
	raw_nop(&r, 3, 0);		/* no request of the chain */
	raw_nop(&r, 4, LINK);		/* a chain of its own, to the end */
	raw_send(f->ctx, &r);
	reap_n(f->ctx, c, 4);
	assert_int_equal(res_of(c, 4, 1), 0);
	assert_int_equal(res_of(c, 4, 2), -EINVAL);
	assert_int_equal(res_of(c, 4, 3), 0);
	assert_int_equal(res_of(c, 4, 4), 0);
	reap_none(f->ctx, 30);
}

/* A raw READ of handle h, at most len bytes into buf. */
static struct nlmsghdr *raw_read(struct raw *r, uint64_t cookie, uint64_t h, void *buf,
				 uint64_t len, uint32_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf + r->len);
	struct genlmsghdr *g;

	nlh->nlmsg_type = r->family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = AIONL_CMD_READ;
	g->version = AIONL_FAMILY_VERSION;
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_COOKIE, cookie);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_HANDLE, h);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_OFFSET, 0);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_ADDR, (uint64_t)(uintptr_t)buf);
	mnl_attr_put_u64(nlh, AIONL_A_TRANSFER_LEN, len);
	if (flags)
		mnl_attr_put_u32(nlh, AIONL_A_TRANSFER_REQ_FLAGS, flags);
	r->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

/*
 * The server ignores LINK on the last message of a datagram: a READ that
 * fails (a bad handle) with LINK, alone in its datagram, breaks nothing in
 * the next one.
 */
static void test_a_chain_never_crosses_datagrams(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *c2 = open_ctx(0);
	struct raw r = { .family = test_family_id(c2) };
	struct aionl_cqe c[2];
	char buf[16];

	aionl_ctx_close(c2);
	raw_read(&r, 1, f->h + 12345, buf, sizeof(buf), LINK);	/* -EBADF */
	raw_send(f->ctx, &r);
	raw_nop(&r, 2, 0);
	raw_send(f->ctx, &r);
	reap_n(f->ctx, c, 2);
	assert_int_equal(res_of(c, 2, 1), -EBADF);
	assert_int_equal(res_of(c, 2, 2), 0);
}

/*
 * A chain whose first message the server refuses (a READ longer than
 * MAX_IO_LEN: a range its parser checks) never runs: the rest of it
 * completes with -ECANCELED, and what follows the chain runs.
 */
static void test_a_chain_whose_first_message_is_refused_never_runs(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *c2 = open_ctx(0);
	struct raw r = { .family = test_family_id(c2) };
	struct aionl_cqe c[4];
	char buf[16];

	aionl_ctx_close(c2);
	raw_read(&r, 1, f->h, buf, (uint64_t)AIONL_MAX_IO_LEN + 1, LINK);
	raw_nop(&r, 2, LINK);
	raw_nop(&r, 3, 0);		/* the chain's last */
	raw_nop(&r, 4, 0);		/* after it */
	raw_send(f->ctx, &r);
	reap_n(f->ctx, c, 4);
	assert_int_equal(res_of(c, 4, 1), -EINVAL);
	assert_int_equal(c[once(c, 4, 1)].flags, AIONL_CQE_F_REJECTED);
	assert_int_equal(res_of(c, 4, 2), -ECANCELED);
	assert_int_equal(res_of(c, 4, 3), -ECANCELED);
	assert_int_equal(res_of(c, 4, 4), 0);
	reap_none(f->ctx, 30);
}

/*
 * The library refuses a chain the server would cut: one holding a request
 * the server would refuse, one linking to a request that takes no flags,
 * one longer than max_inflight. The call stops before the chain; nothing
 * of it is sent.
 */
static void test_the_library_refuses_chains_a_server_would_cut(void **state)
{
	struct fixture *f = *state;
	struct aionl_ctx *small = open_ctx(8);
	struct aionl_req r[12];
	struct aionl_cqe c[2];
	char buf[16];

	aionl_req_nop(&r[0], 1);
	aionl_req_fallocate(&r[1], f->h, 0, 0, 0, 2);		/* length 0: refused */
	aionl_req_set_flags(&r[1], LINK);
	aionl_req_write(&r[2], f->h, buf, sizeof(buf), 0, 3);
	assert_int_equal(aionl_submit(f->ctx, r, 3), 1);	/* the NOP only */
	reap_n(f->ctx, c, 1);
	assert_int_equal(aionl_submit(f->ctx, &r[1], 2), -EINVAL);
	assert_non_null(strstr(aionl_error_message(), "would be refused"));
	/*
	 * An offset over MAX_OFFSET, the same (one within it whose range ends
	 * past it is no refusal: it fails, -EINVAL in its completion, and
	 * breaks its chain as any failure does).
	 */
	aionl_req_fallocate(&r[1], f->h, 0, (uint64_t)AIONL_MAX_OFFSET + 1, 1, 2);
	aionl_req_set_flags(&r[1], LINK);
	assert_int_equal(aionl_submit(f->ctx, &r[1], 2), -EINVAL);
	/* A link to a timer, which takes no flags. */
	aionl_req_fsync(&r[0], f->h, 4);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_timer(&r[1], CLOCK_MONOTONIC, 1000, 0, 0, 5);
	assert_int_equal(aionl_submit(f->ctx, r, 2), -EINVAL);
	/* A chain of 12 on a context of 8: reaping could never make room. */
	for (int i = 0; i < 12; i++) {
		aionl_req_nop(&r[i], 10 + i);
		aionl_req_set_flags(&r[i], i < 11 ? LINK : 0);
	}
	assert_int_equal(aionl_submit(small, r, 12), -EINVAL);
	assert_int_equal(aionl_submit(small, r + 4, 8), 8);	/* 8 fit */
	for (int got = 0; got < 8; got += 2)
		reap_n(small, c, 2);
	/* A value the flags byte cannot hold is refused, not truncated to nothing. */
	aionl_req_nop(&r[0], 30);
	aionl_req_set_flags(&r[0], 0x100);
	assert_int_equal(aionl_submit(f->ctx, r, 1), -EINVAL);
	reap_none(f->ctx, 30);
	aionl_ctx_close(small);
}

/*
 * The server too takes a chain whole: on the user backend, whose limit is
 * the context's, a raw chain of 12 NOPs to a context of 8 is refused, every
 * message with -EBUSY. The module's limit (65,536 by default) is more than
 * a datagram holds.
 */
static void test_the_server_refuses_a_chain_that_does_not_fit_whole(void **state)
{
	struct aionl_ctx *ctx = open_ctx(8);
	struct aionl_info info;
	struct raw r;
	struct aionl_cqe c[13];

	(void)state;
	assert_int_equal(aionl_ctx_info(ctx, &info), 0);
	if (info.backend != AIONL_BACKEND_USER) {
		aionl_ctx_close(ctx);
		skip();
	}
	r = (struct raw){ .family = test_family_id(ctx) };
	for (int i = 0; i < 12; i++)
		raw_nop(&r, 1 + i, i < 11 ? LINK : 0);
	raw_nop(&r, 13, 0);
	raw_send(ctx, &r);
	reap_n(ctx, c, 13);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(res_of(c, 13, 1 + i), -EBUSY);
		assert_int_equal(c[once(c, 13, 1 + i)].flags, AIONL_CQE_F_REJECTED);
	}
	assert_int_equal(res_of(c, 13, 13), 0);
	aionl_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_write_fsync_write_lands_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_of_100_appends_runs_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chain_of_writes_and_reads_sees_each_write,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failing_link_cancels_the_rest_of_its_chain,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_bad_handle_breaks_a_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_short_read_breaks_a_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_link_on_the_last_request_is_ignored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_takes_part_in_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_held_requests_deadline_runs_from_its_start,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_stream_that_cannot_wait_fails_in_its_turn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelling_a_chain_member_cancels_its_followers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_all_and_by_handle_reach_held_requests,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_drain_waits_for_what_came_before, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_what_follows_a_drain_waits_for_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_wake_is_not_held_by_a_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_chain_larger_than_the_free_credits_is_refused_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_are_refused_where_they_mean_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallocate_and_statx_take_their_turn_in_a_chain,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failing_fallocate_cancels_its_followers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_drained_statx_sees_the_writes_before_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_the_server_honours_both_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_message_without_link_ends_its_chain,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refused_message_breaks_its_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_chain_whose_first_message_is_refused_never_runs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_library_refuses_chains_a_server_would_cut,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_chain_never_crosses_datagrams, setup,
						teardown),
		cmocka_unit_test(test_the_server_refuses_a_chain_that_does_not_fit_whole),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
