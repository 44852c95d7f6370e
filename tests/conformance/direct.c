// SPDX-License-Identifier: MIT
/*
 * Conformance: reads and writes that must block, which the user backend
 * hands from aionl_submit straight to a worker (AIONL_PARAMS_NO_DIRECT says
 * which). Whichever thread runs a request, cancel finds it, a drain waits
 * for it, close ends it and gives back its file, and a worker takes none of
 * the program's signals. Written from the contract, so every backend runs
 * it; the .engine_reads runs (AIONL_TEST_NO_INLINE) send the same requests
 * through the socket.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/mman.h>
#include "common.h"

#define BIG (32u << 20)

/* A buffer of n bytes of value c, from mmap: large, and never in the cache's way. */
static unsigned char *filled(size_t n, int c)
{
	unsigned char *b = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(b != MAP_FAILED);
	memset(b, c, n);
	return b;
}

/*
 * One write, and its completion: on io_uring the workers for buffered
 * writes are made at the first one, so the requests after it may go to them.
 */
static void warm_up(struct fixture *f)
{
	static const char one = 1;
	struct aionl_req r;

	aionl_req_write(&r, f->h, &one, 1, FILE_SIZE, 99);
	assert_int_equal(run(f->ctx, &r), 1);
}

/*
 * A cancel that does not find a write comes after the write's completion;
 * one that finds it counts it, and the write then ends once, with its whole
 * length (it ran) or -ECANCELED (it had not started). A write that a worker
 * runs outside the engine's view would be missed while it runs: the cancel
 * would say -ENOENT before the write completes.
 */
static void test_a_cancel_finds_a_running_write(void **state)
{
	struct fixture *f = *state;
	unsigned char *big = filled(BIG, 0x5a);
	struct aionl_req r[2];
	struct aionl_cqe c[2];
	unsigned int w, k;

	warm_up(f);
	for (int round = 0; round < 8; round++) {
		aionl_req_write(&r[0], f->h, big, BIG, 0, 1);
		aionl_req_cancel(&r[1], 1, 0, 2);
		submit(f->ctx, r, 2);
		reap_n(f->ctx, c, 2);
		w = once(c, 2, 1);
		k = once(c, 2, 2);
		if (c[k].res == -ENOENT) {
			assert_true(w < k);
			assert_int_equal(c[w].res, BIG);
		} else {
			assert_int_equal(c[k].res, 1);
			assert_true(c[w].res == BIG || c[w].res == -ECANCELED);
		}
	}
	munmap(big, BIG);
}

/*
 * A drain waits for every request submitted before it, wherever it runs:
 * the drained reads see the big writes of an earlier call, whole.
 */
static void test_a_drain_waits_for_writes_of_an_earlier_call(void **state)
{
	struct fixture *f = *state;
	unsigned char *big = filled(BIG, 0xc3), got[4][4096];
	struct aionl_req r[4];
	struct aionl_cqe c[8];
	unsigned int last_write = 0;

	warm_up(f);
	for (int i = 0; i < 4; i++)
		aionl_req_write(&r[i], f->h, big, BIG / 4, (uint64_t)i * (BIG / 4), (uint64_t)i);
	submit(f->ctx, r, 4);
	for (int i = 0; i < 4; i++) {
		/* The last page of each write: the part written last. */
		aionl_req_read(&r[i], f->h, got[i], sizeof(got[i]),
			       (uint64_t)(i + 1) * (BIG / 4) - sizeof(got[i]), 10 + (uint64_t)i);
		aionl_req_set_flags(&r[i], AIONL_REQ_DRAIN);
	}
	submit(f->ctx, r, 4);
	reap_n(f->ctx, c, 8);
	for (int i = 0; i < 4; i++) {
		unsigned int at = once(c, 8, (uint64_t)i);

		assert_int_equal(c[at].res, BIG / 4);
		last_write = at > last_write ? at : last_write;
	}
	for (int i = 0; i < 4; i++) {
		unsigned int at = once(c, 8, 10 + (uint64_t)i);

		if (at < last_write)
			fail_msg("drained read %d completed before a write submitted earlier", i);
		assert_int_equal(c[at].res, sizeof(got[i]));
		for (size_t j = 0; j < sizeof(got[i]); j++)
			if (got[i][j] != 0xc3)
				fail_msg("drained read %d saw byte %zu as %#x: it ran before the write",
					 i, j, got[i][j]);
	}
	munmap(big, BIG);
}

/* Descriptors at FD_SETSIZE and up (the library's) that name path. */
static int library_fds_on(const char *path)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char target[512] = "";
		int fd = atoi(de->d_name);

		if (fd < FD_SETSIZE || fd == dirfd(d))
			continue;
		if (readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1) > 0 &&
		    !strcmp(target, path))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Closing with writes at work ends them (each runs or is cancelled) before
 * aionl_ctx_close returns, and the context's copy of the file goes with it:
 * a request that kept its file after close would keep the descriptor.
 */
static void test_close_with_writes_at_work_gives_back_the_file(void **state)
{
	struct fixture *f = *state;
	unsigned char *big = filled(BIG, 0x77);
	struct aionl_req r[8];

	for (int round = 0; round < 4; round++) {
		struct aionl_ctx *ctx = open_ctx(0);
		uint64_t h;

		assert_int_equal(aionl_file_register(ctx, f->fd, &h), 0);
		{
			/* On io_uring the first buffered write makes the workers. */
			static const char one = 1;
			struct aionl_req w;

			aionl_req_write(&w, h, &one, 1, FILE_SIZE, 99);
			assert_int_equal(run(ctx, &w), 1);
		}
		for (int i = 0; i < 8; i++)
			aionl_req_write(&r[i], h, big, BIG / 8, (uint64_t)i * (BIG / 8), (uint64_t)i);
		submit(ctx, r, 8);
		aionl_ctx_close(ctx);
		/* The fixture's context holds one copy, and only that one may be left. */
		assert_true(library_fds_on(f->path) <= 1);
	}
	munmap(big, BIG);
}

/*
 * The blocked set of thread tid (/proc), as the SigBlk line's bits; true if
 * it could be read.
 */
static bool blocked_of(const char *tid, unsigned long long *mask)
{
	char path[320], line[256];
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "SigBlk: %llx", mask) == 1)
			found = true;
	fclose(fp);
	return found;
}

/*
 * The threads the library starts (the engine, its workers, however many
 * demand starts and from whichever thread) take none of the program's
 * signals: each blocks every one it can. Here the program blocks nothing,
 * and the writes come from a thread that blocks nothing either.
 */
static void test_no_library_thread_takes_the_programs_signals(void **state)
{
	struct fixture *f = *state;
	unsigned char *big = filled(BIG, 0x11);
	unsigned long long want = 0, mask;
	struct aionl_req r[32];
	struct aionl_cqe c[32];
	sigset_t none, saved;
	char self[32];
	struct dirent *de;
	DIR *d;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, &saved);
	for (int i = 0; i < 32; i++)
		aionl_req_write(&r[i], f->h, big, BIG / 32, (uint64_t)i * (BIG / 32), (uint64_t)i);
	submit(f->ctx, r, 32);
	reap_n(f->ctx, c, 32);
	/* The signals a thread can block: all but SIGKILL and SIGSTOP. */
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			want |= 1ULL << (sig - 1);
	snprintf(self, sizeof(self), "%d", (int)gettid());
	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, self))
			continue;
		if (!blocked_of(de->d_name, &mask))
			continue;	/* gone meanwhile */
		/* glibc keeps its two internal signals (32 and 33) out of any mask. */
		mask |= 3ULL << 31;
		if ((mask & want) != want)
			fail_msg("thread %s blocks only %#llx: it could take the program's signals",
				 de->d_name, mask);
	}
	closedir(d);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	munmap(big, BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_cancel_finds_a_running_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_drain_waits_for_writes_of_an_earlier_call,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_with_writes_at_work_gives_back_the_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_library_thread_takes_the_programs_signals,
						setup, teardown),
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
