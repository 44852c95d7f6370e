// SPDX-License-Identifier: MIT
/*
 * The engine's table of registered files (src/engine/files.c): handles find
 * their file, and only theirs: not after unregistering, not once the slot is
 * reused, not on another table. A file outlives its handle while requests
 * hold it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "files.h"

static int tmpfile_fd(int flags)
{
	char path[] = "/tmp/aionl-files-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	if (flags != O_RDWR) {
		char proc[64];
		int fd2;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		fd2 = open(proc, flags);
		close(fd);
		fd = fd2;
	}
	assert_true(fd >= 0);
	return fd;
}

static void test_a_handle_finds_its_file_with_its_modes(void **state)
{
	struct eng_files t;
	uint64_t hr, hw, hp;
	int p[2];

	(void)state;
	assert_int_equal(files_init(&t), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(files_add(&t, tmpfile_fd(O_RDONLY), &hr), 0);
	assert_int_equal(files_add(&t, tmpfile_fd(O_WRONLY), &hw), 0);
	assert_int_equal(files_add(&t, p[0], &hp), 0);
	close(p[1]);
	assert_true(files_lookup(&t, hr)->caps.readable);
	assert_false(files_lookup(&t, hr)->caps.writable);
	assert_true(files_lookup(&t, hr)->caps.seekable);
	assert_false(files_lookup(&t, hw)->caps.readable);
	assert_true(files_lookup(&t, hw)->caps.writable);
	assert_false(files_lookup(&t, hp)->caps.seekable);
	assert_true((uint32_t)(hr >> 32) == t.tag);
	files_fini(&t);
}

static void test_stale_and_foreign_handles_find_nothing(void **state)
{
	struct eng_files t, other;
	uint64_t h, h2, h3;

	(void)state;
	assert_int_equal(files_init(&t), 0);
	assert_int_equal(files_init(&other), 0);
	assert_int_equal(files_add(&t, tmpfile_fd(O_RDWR), &h), 0);
	assert_int_equal(files_add(&other, tmpfile_fd(O_RDWR), &h3), 0);
	assert_null(files_lookup(&other, h));
	assert_null(files_lookup(&t, h ^ (1ULL << 32)));
	assert_null(files_lookup(&t, h + 1));
	assert_int_equal(files_remove(&t, h), 0);
	assert_null(files_lookup(&t, h));
	assert_int_equal(files_remove(&t, h), -EBADF);
	/* The slot is reused, with another generation: the old handle stays dead. */
	assert_int_equal(files_add(&t, tmpfile_fd(O_RDWR), &h2), 0);
	assert_true((h2 & 0xfffff) == (h & 0xfffff));
	assert_true(h2 != h);
	assert_null(files_lookup(&t, h));
	assert_non_null(files_lookup(&t, h2));
	if (t.tag != other.tag)
		assert_null(files_lookup(&t, h3));
	files_fini(&t);
	files_fini(&other);
}

static void test_a_file_held_by_a_request_outlives_its_handle(void **state)
{
	struct eng_files t;
	struct eng_file *f;
	uint64_t h;
	int fd;

	(void)state;
	assert_int_equal(files_init(&t), 0);
	fd = tmpfile_fd(O_RDWR);
	assert_int_equal(files_add(&t, fd, &h), 0);
	f = files_lookup(&t, h);
	fd = f->fd;		/* files_add may have moved it to the high range */
	file_get(f);		/* a request in flight */
	assert_int_equal(files_remove(&t, h), 0);
	assert_true(fcntl(fd, F_GETFD) >= 0);	/* still open */
	file_put(f);
	assert_true(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	files_fini(&t);
}

static void test_a_bad_descriptor_is_refused(void **state)
{
	struct eng_files t;
	uint64_t h;

	(void)state;
	assert_int_equal(files_init(&t), 0);
	assert_int_equal(files_add(&t, 1000000, &h), -EBADF);
	assert_int_equal(t.nfiles, 0);
	files_fini(&t);
}

/*
 * Both ends of an engine's socket are refused, by every table in the
 * process: the program's end (a context holding itself never closes) and the
 * engine's own, which only the program's end was checked against before.
 */
static void test_both_ends_of_an_engine_socket_are_refused(void **state)
{
	struct eng_files t, other;
	uint64_t h;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(files_init(&t), 0);
	assert_int_equal(files_init(&other), 0);
	assert_int_equal(files_set_socket(&t, sv[0], sv[1]), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(files_add(&t, dup(sv[i]), &h), -EBADF);
		assert_int_equal(files_add(&other, dup(sv[i]), &h), -EBADF);
	}
	assert_int_equal(t.nfiles + other.nfiles, 0);
	files_fini(&t);
	/* Once its engine is gone, a socket is just a socket. */
	assert_int_equal(files_add(&other, dup(sv[1]), &h), 0);
	files_fini(&other);
	close(sv[0]);
	close(sv[1]);
}

static void test_thousands_of_files_come_and_go(void **state)
{
	enum { N = 3000 };
	struct eng_files t;
	uint64_t *h = calloc(N, sizeof(*h));
	int base = tmpfile_fd(O_RDWR);

	(void)state;
	assert_int_equal(files_init(&t), 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++)
			assert_int_equal(files_add(&t, dup(base), &h[i]), 0);
		assert_int_equal(t.nfiles, N);
		for (int i = 0; i < N; i++)
			assert_non_null(files_lookup(&t, h[i]));
		for (int i = 0; i < N; i += 2)
			assert_int_equal(files_remove(&t, h[i]), 0);
		for (int i = 1; i < N; i += 2)
			assert_int_equal(files_remove(&t, h[i]), 0);
		assert_int_equal(t.nfiles, 0);
	}
	/* Slots are reused: the table did not grow past one round's worth. */
	assert_true(t.nslots <= N);
	close(base);
	free(h);
	files_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_handle_finds_its_file_with_its_modes),
		cmocka_unit_test(test_stale_and_foreign_handles_find_nothing),
		cmocka_unit_test(test_a_file_held_by_a_request_outlives_its_handle),
		cmocka_unit_test(test_a_bad_descriptor_is_refused),
		cmocka_unit_test(test_both_ends_of_an_engine_socket_are_refused),
		cmocka_unit_test(test_thousands_of_files_come_and_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
