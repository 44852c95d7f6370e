// SPDX-License-Identifier: MIT
/*
 * Conformance: FALLOCATE and STATX (aionl_req_fallocate(3),
 * aionl_req_statx(3)). Each mode of fallocate(2) has its visible effect on
 * the file (its size, its blocks, zeros where the range was), and every
 * error is fallocate(2)'s: the tests ask fallocate(2) itself, on a twin
 * file or the same descriptor, and expect the same answer. A STATX fills
 * the caller's struct statx byte for byte as statx(2) does for the same
 * file, flags and mask (the kernel module leaves the mount's id out, as
 * documented), from a handle, from a directory handle and a path, or from
 * the working directory, with the caller's credentials.
 *
 * AIONL_TEST_DIR picks the filesystem (the VM runs the suite on tmpfs and
 * on ext4); a memfd is tmpfs wherever the suite runs, which lacks
 * FALLOC_FL_ZERO_RANGE.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include "common.h"

struct sfix {
	struct aionl_ctx *ctx;
	char dir[256];		/* a fresh directory on AIONL_TEST_DIR */
	char file[300];		/* dir/data, empty at first */
	int fd;			/* O_RDWR on file */
	int dirfd;
	uint64_t h, hdir;	/* file and dir, registered */
	bool kernel;		/* the kernel backend */
};

#define MIB (1024 * 1024)

/* What the kernel module cannot report (a mount's id): left out of stx_mask there. */
#define MNT_ID_BITS (STATX_MNT_ID | 0x4000U /* STATX_MNT_ID_UNIQUE, 6.8 */)

static int ssetup(void **state)
{
	struct sfix *s = calloc(1, sizeof(*s));
	struct aionl_info info;

	scratch_dir(s->dir, sizeof(s->dir), "aionl-storage");
	snprintf(s->file, sizeof(s->file), "%s/data", s->dir);
	s->fd = open(s->file, O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(s->fd >= 0);
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY);
	assert_true(s->dirfd >= 0);
	s->ctx = open_ctx(0);
	assert_int_equal(aionl_file_register(s->ctx, s->fd, &s->h), 0);
	assert_int_equal(aionl_file_register(s->ctx, s->dirfd, &s->hdir), 0);
	assert_int_equal(aionl_ctx_info(s->ctx, &info), 0);
	s->kernel = info.backend == AIONL_BACKEND_KERNEL;
	/* What the statx comparisons forgive the module, they forgive only on the module. */
	if (getenv("AIONL_TEST_EXPECT"))
		assert_int_equal(s->kernel, !strcmp(getenv("AIONL_TEST_EXPECT"), "kernel"));
	*state = s;
	return 0;
}

static int steardown(void **state)
{
	struct sfix *s = *state;

	aionl_ctx_close(s->ctx);
	close(s->fd);
	close(s->dirfd);
	scratch_dir_remove(s->dir);
	free(s);
	return 0;
}

static struct aionl_cqe falloc_cqe(struct aionl_ctx *ctx, uint64_t h, uint32_t mode,
				   uint64_t off, uint64_t len)
{
	struct aionl_req r;
	struct aionl_cqe c;

	aionl_req_fallocate(&r, h, mode, off, len, 0xfa11);
	submit(ctx, &r, 1);
	c = wait_one(ctx);
	assert_true(c.cookie == 0xfa11);
	return c;
}

static int64_t falloc(struct aionl_ctx *ctx, uint64_t h, uint32_t mode, uint64_t off,
		      uint64_t len)
{
	return falloc_cqe(ctx, h, mode, off, len).res;
}

/* fallocate(2)'s answer: 0 or -errno. */
static int sys_falloc(int fd, uint32_t mode, uint64_t off, uint64_t len)
{
	return fallocate(fd, (int)mode, (off_t)off, (off_t)len) ? -errno : 0;
}

static struct aionl_cqe statx_cqe(struct aionl_ctx *ctx, uint64_t h, const char *path,
				  uint32_t flags, uint32_t mask, struct statx *sx)
{
	struct aionl_req r;
	struct aionl_cqe c;

	aionl_req_statx(&r, h, path, flags, mask, sx, 0x57a7);
	submit(ctx, &r, 1);
	c = wait_one(ctx);
	assert_true(c.cookie == 0x57a7);
	return c;
}

static int64_t do_statx(struct aionl_ctx *ctx, uint64_t h, const char *path, uint32_t flags,
			uint32_t mask, struct statx *sx)
{
	return statx_cqe(ctx, h, path, flags, mask, sx).res;
}

/* statx(2)'s answer: 0 or -errno. */
static int sys_statx(int dfd, const char *path, uint32_t flags, uint32_t mask, struct statx *sx)
{
	return statx(dfd, path, (int)flags, mask, sx) ? -errno : 0;
}

static void fill_pattern(int fd, uint64_t len)
{
	unsigned char *buf = malloc(len);

	for (uint64_t i = 0; i < len; i++)
		buf[i] = pattern(i);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	free(buf);
}

/* [from, to) of fd holds zeros, and the rest of its first len bytes the pattern. */
static void assert_zeros_within(int fd, uint64_t len, uint64_t from, uint64_t to)
{
	unsigned char *buf = malloc(len);

	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	for (uint64_t i = 0; i < len; i++) {
		unsigned char want = i >= from && i < to ? 0 : pattern(i);

		if (buf[i] != want)
			fail_msg("byte %llu is %#x, not %#x", (unsigned long long)i, buf[i], want);
	}
	free(buf);
}

static struct stat fstat_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st;
}

/*
 * A STATX of (h, path) fills the buffer as statx(2) of (dfd, path) does,
 * every byte of it; NULL as path is statx(2)'s empty path with
 * AT_EMPTY_PATH. The kernel module reports no mount id (aionl_req_statx(3)).
 */
static void assert_statx_as_syscall(struct sfix *s, uint64_t h, int dfd, const char *path,
				    uint32_t flags, uint32_t mask)
{
	struct statx got, want;
	int64_t res;
	int sres;

	memset(&got, 0xa5, sizeof(got));
	memset(&want, 0x5a, sizeof(want));
	res = do_statx(s->ctx, h, path, flags, mask, &got);
	sres = sys_statx(dfd, path ? path : "", flags | (path ? 0 : AT_EMPTY_PATH), mask, &want);
	assert_int_equal(res, sres);
	if (res)
		return;
	if (s->kernel) {
		assert_int_equal(got.stx_mask & MNT_ID_BITS, 0);
		assert_int_equal(got.stx_mnt_id, 0);
		want.stx_mask &= ~MNT_ID_BITS;
		want.stx_mnt_id = 0;
	}
	if (memcmp(&got, &want, sizeof(got)))
		fail_msg("statx of %s (flags %#x, mask %#x) differs from statx(2)'s: mask %#x/%#x "
			 "size %llu/%llu ino %llu/%llu mode %o/%o blocks %llu/%llu attr %#llx/%#llx",
			 path ? path : "(the handle)", flags, mask, got.stx_mask, want.stx_mask,
			 (unsigned long long)got.stx_size, (unsigned long long)want.stx_size,
			 (unsigned long long)got.stx_ino, (unsigned long long)want.stx_ino,
			 got.stx_mode, want.stx_mode, (unsigned long long)got.stx_blocks,
			 (unsigned long long)want.stx_blocks,
			 (unsigned long long)got.stx_attributes,
			 (unsigned long long)want.stx_attributes);
}

/* ------------------------------------------------------------ fallocate: modes */

static void test_fallocate_allocates_and_grows_the_file(void **state)
{
	struct sfix *s = *state;
	struct stat st;

	assert_int_equal(falloc(s->ctx, s->h, 0, 0, MIB), 0);
	st = fstat_of(s->fd);
	assert_int_equal(st.st_size, MIB);
	assert_true(st.st_blocks * 512 >= MIB);
	/* Allocated, never written: zeros. */
	assert_zeros_within(s->fd, MIB, 0, MIB);
	/* A range inside the file changes no size. */
	assert_int_equal(falloc(s->ctx, s->h, 0, 4096, 8192), 0);
	assert_int_equal(fstat_of(s->fd).st_size, MIB);
}

static void test_fallocate_keep_size_allocates_past_the_end_without_growing(void **state)
{
	struct sfix *s = *state;
	struct stat before, after;

	fill_pattern(s->fd, 4096);
	assert_int_equal(fsync(s->fd), 0);
	before = fstat_of(s->fd);
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_KEEP_SIZE, 0, MIB), 0);
	after = fstat_of(s->fd);
	assert_int_equal(after.st_size, 4096);
	assert_true(after.st_blocks * 512 >= MIB);
	assert_true(after.st_blocks > before.st_blocks);
	assert_zeros_within(s->fd, 4096, 0, 0);
}

static void test_punch_hole_reads_back_zeros_and_frees_blocks(void **state)
{
	struct sfix *s = *state;
	struct stat before, after;

	fill_pattern(s->fd, MIB);
	assert_int_equal(fsync(s->fd), 0);
	before = fstat_of(s->fd);
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
				256 * 1024, 512 * 1024), 0);
	after = fstat_of(s->fd);
	assert_int_equal(after.st_size, MIB);
	/* 512 KiB freed, 1,024 sectors: at least half of them, whatever the metadata does. */
	assert_true(before.st_blocks - after.st_blocks >= 512);
	assert_zeros_within(s->fd, MIB, 256 * 1024, 768 * 1024);
	/* An unaligned hole zeros its partial blocks too. */
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
				1000, 3000), 0);
	{
		unsigned char buf[5000];

		assert_int_equal(pread(s->fd, buf, sizeof(buf), 0), sizeof(buf));
		for (int i = 0; i < 5000; i++)
			assert_int_equal(buf[i], i >= 1000 && i < 4000 ? 0 : pattern(i));
	}
	/* Past the end: nothing to free, and the size stays. */
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE,
				2 * MIB, 4096), 0);
	assert_int_equal(fstat_of(s->fd).st_size, MIB);
}

/*
 * Where the filesystem has FALLOC_FL_ZERO_RANGE (ext4), the range reads back
 * as zeros, and the file grows unless KEEP_SIZE; where it has not (tmpfs),
 * the request says what fallocate(2) says.
 */
static void test_zero_range_zeros_in_place_where_the_filesystem_has_it(void **state)
{
	struct sfix *s = *state;
	char twin[400];
	int tfd, probe;

	snprintf(twin, sizeof(twin), "%s/twin", s->dir);
	tfd = open(twin, O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(tfd >= 0);
	probe = sys_falloc(tfd, AIONL_FALLOC_ZERO_RANGE, 0, 4096);
	close(tfd);
	fill_pattern(s->fd, MIB);
	if (probe) {
		assert_int_equal(probe, -EOPNOTSUPP);
		assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_ZERO_RANGE, 1000, 9000),
				 -EOPNOTSUPP);
		assert_zeros_within(s->fd, MIB, 0, 0);
		return;
	}
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_ZERO_RANGE, 1000, 9000), 0);
	assert_int_equal(fstat_of(s->fd).st_size, MIB);
	assert_zeros_within(s->fd, MIB, 1000, 10000);
	fill_pattern(s->fd, MIB);
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE,
				MIB - 4096, 2 * MIB), 0);
	assert_int_equal(fstat_of(s->fd).st_size, MIB);
	assert_zeros_within(s->fd, MIB, MIB - 4096, MIB);
	assert_int_equal(falloc(s->ctx, s->h, AIONL_FALLOC_ZERO_RANGE, MIB, MIB), 0);
	assert_int_equal(fstat_of(s->fd).st_size, 2 * MIB);
}

/* tmpfs lacks FALLOC_FL_ZERO_RANGE: a memfd is tmpfs wherever this runs. */
static void test_zero_range_is_eopnotsupp_where_the_filesystem_lacks_it(void **state)
{
	struct sfix *s = *state;
	int mfd = memfd_create("aionl-storage", MFD_CLOEXEC);
	uint64_t h;
	int probe;

	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 65536), 0);
	probe = sys_falloc(mfd, AIONL_FALLOC_ZERO_RANGE, 0, 4096);
	if (probe != -EOPNOTSUPP) {
		close(mfd);
		skip();	/* this kernel's tmpfs has it: no filesystem at hand lacks it */
	}
	assert_int_equal(aionl_file_register(s->ctx, mfd, &h), 0);
	assert_int_equal(falloc(s->ctx, h, AIONL_FALLOC_ZERO_RANGE, 0, 4096), -EOPNOTSUPP);
	assert_int_equal(sys_falloc(mfd, AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE, 0, 4096),
			 -EOPNOTSUPP);
	assert_int_equal(falloc(s->ctx, h, AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE, 0,
				4096), -EOPNOTSUPP);
	/* The modes it has work on it. */
	assert_int_equal(falloc(s->ctx, h, 0, 0, 131072), 0);
	assert_int_equal(fstat_of(mfd).st_size, 131072);
	assert_int_equal(aionl_file_unregister(s->ctx, h), 0);
	close(mfd);
}

/*
 * The combinations fallocate(2) refuses, it refuses through the socket
 * alike: PUNCH_HOLE without KEEP_SIZE, PUNCH_HOLE with ZERO_RANGE. The mode
 * is fallocate(2)'s, and so is the answer, -EOPNOTSUPP.
 */
static void test_mode_combinations_fallocate_refuses_are_refused_alike(void **state)
{
	struct sfix *s = *state;
	static const uint32_t modes[] = {
		AIONL_FALLOC_PUNCH_HOLE,
		AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_ZERO_RANGE,
		AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE,
	};

	fill_pattern(s->fd, 65536);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(sys_falloc(s->fd, modes[i], 0, 4096), -EOPNOTSUPP);
		assert_int_equal(falloc(s->ctx, s->h, modes[i], 0, 4096), -EOPNOTSUPP);
	}
	assert_zeros_within(s->fd, 65536, 0, 0);
}

/* ------------------------------------------------------------ fallocate: errors */

static void test_fallocate_on_files_it_cannot_change_fails_as_fallocate_does(void **state)
{
	struct sfix *s = *state;
	int ro = open(s->file, O_RDONLY), opath = open(s->file, O_PATH), p[2], sv[2];
	struct {
		int fd;
		int expect;
		const char *what;
	} cases[4];
	uint64_t h;

	assert_true(ro >= 0 && opath >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cases[0] = (typeof(cases[0])){ ro, -EBADF, "a read-only file" };
	/* A directory is never open for writing. */
	cases[1] = (typeof(cases[0])){ s->dirfd, -EBADF, "a directory" };
	cases[2] = (typeof(cases[0])){ p[1], -ESPIPE, "a pipe" };
	cases[3] = (typeof(cases[0])){ sv[0], -ENODEV, "a socket" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t res;

		assert_int_equal(sys_falloc(cases[i].fd, 0, 0, 4096), cases[i].expect);
		assert_int_equal(aionl_file_register(s->ctx, cases[i].fd, &h), 0);
		res = falloc(s->ctx, h, 0, 0, 4096);
		if (res != cases[i].expect)
			fail_msg("%s: %lld, not %d", cases[i].what, (long long)res, cases[i].expect);
		assert_int_equal(aionl_file_unregister(s->ctx, h), 0);
	}
	/* An O_PATH descriptor does no I/O. */
	assert_int_equal(sys_falloc(opath, 0, 0, 4096), -EBADF);
	assert_int_equal(aionl_file_register(s->ctx, opath, &h), 0);
	assert_int_equal(falloc(s->ctx, h, 0, 0, 4096), -EBADF);
	assert_int_equal(fstat_of(s->fd).st_size, 0);
	close(ro);
	close(opath);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_fallocate_of_an_unknown_handle_is_ebadf(void **state)
{
	struct sfix *s = *state;
	struct aionl_ctx *other = open_ctx(0);
	uint64_t h;

	assert_int_equal(falloc(s->ctx, 0, 0, 0, 4096), -EBADF);
	assert_int_equal(aionl_file_register(other, s->fd, &h), 0);
	assert_int_equal(falloc(s->ctx, h, 0, 0, 4096), -EBADF);
	assert_int_equal(falloc(other, h, 0, 0, 4096), 0);
	assert_int_equal(aionl_file_unregister(other, h), 0);
	assert_int_equal(falloc(other, h, 0, 0, 4096), -EBADF);
	aionl_ctx_close(other);
}

/*
 * The protocol's ranges: len at least 1 and offset at most AIONL_MAX_OFFSET
 * are the IDL's (refused, naming the attribute); offset + len past
 * AIONL_MAX_OFFSET is the rule's, -EINVAL, as for a transfer; a mode bit
 * outside AIONL_FALLOC_MODE_MASK is refused.
 */
static void test_fallocate_ranges_and_modes_outside_the_protocol_are_einval(void **state)
{
	struct sfix *s = *state;
	struct aionl_cqe c;

	c = falloc_cqe(s->ctx, s->h, 0, 0, 0);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = falloc_cqe(s->ctx, s->h, 0, AIONL_MAX_OFFSET + 1, 1);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = falloc_cqe(s->ctx, s->h, 0, 0, AIONL_MAX_OFFSET + 1);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = falloc_cqe(s->ctx, s->h, 0, AIONL_MAX_OFFSET - 4095, 4097);
	assert_int_equal(c.res, -EINVAL);
	assert_false(c.flags & AIONL_CQE_F_REJECTED);
	c = falloc_cqe(s->ctx, s->h, AIONL_FALLOC_KEEP_SIZE, AIONL_MAX_OFFSET / 2 + 1,
		       AIONL_MAX_OFFSET / 2 + 1);
	assert_int_equal(c.res, -EINVAL);
	assert_false(c.flags & AIONL_CQE_F_REJECTED);
	/* FALLOC_FL_NO_HIDE_STALE, COLLAPSE_RANGE, INSERT_RANGE, UNSHARE_RANGE: not the protocol's. */
	for (uint32_t bit = 4; bit <= 64; bit <<= 1) {
		if (bit == AIONL_FALLOC_ZERO_RANGE)
			continue;
		c = falloc_cqe(s->ctx, s->h, bit, 0, 4096);
		assert_int_equal(c.res, -EINVAL);
		assert_true(c.flags & AIONL_CQE_F_REJECTED);
	}
	assert_int_equal(fstat_of(s->fd).st_size, 0);
}

/*
 * The submitter's RLIMIT_FSIZE applies, as fallocate(2) applies it: a child
 * with SIGXFSZ ignored and a 64 KiB limit gets -EFBIG for a range that would
 * grow its file past the limit, and for each other request what
 * fallocate(2) answers on a twin file (tmpfs checks the limit with
 * KEEP_SIZE too, ext4 does not).
 */
static void test_fallocate_past_rlimit_fsize_is_efbig(void **state)
{
	struct sfix *s = *state;
	char twin[400];
	pid_t pid;
	int status;

	SKIP_UNDER_TSAN();
	snprintf(twin, sizeof(twin), "%s/twin", s->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const struct {
			uint32_t mode;
			uint64_t off, len;
		} reqs[] = {
			{ 0, 0, MIB },
			{ 0, 0, 32768 },
			{ 0, 60000, 10000 },
			{ AIONL_FALLOC_KEEP_SIZE, 0, MIB },
			{ AIONL_FALLOC_ZERO_RANGE, 0, MIB },
			{ AIONL_FALLOC_ZERO_RANGE | AIONL_FALLOC_KEEP_SIZE, 0, MIB },
			{ AIONL_FALLOC_PUNCH_HOLE | AIONL_FALLOC_KEEP_SIZE, 0, MIB },
			{ 0, 0, 65536 },
		};
		struct aionl_ctx *ctx = child_ctx_under_fsize(65536);
		struct aionl_req r;
		struct aionl_cqe c;
		uint64_t h;
		int fd, tfd;

		fd = open(s->file, O_RDWR);
		tfd = open(twin, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || tfd < 0 || aionl_file_register(ctx, fd, &h))
			_exit(13);
		for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
			int want = sys_falloc(tfd, reqs[i].mode, reqs[i].off, reqs[i].len);

			aionl_req_fallocate(&r, h, reqs[i].mode, reqs[i].off, reqs[i].len, i);
			if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
				_exit(14);
			if (c.res != want) {
				fprintf(stderr, "request %zu: %lld, fallocate(2) %d\n", i,
					(long long)c.res, want);
				_exit(20 + (int)i);
			}
			/* The premise: growing past the limit is refused, on any filesystem. */
			if (i == 0 && want != -EFBIG)
				_exit(15);
			if (fstat_of(fd).st_size != fstat_of(tfd).st_size)
				_exit(16);
		}
		if (fstat_of(fd).st_size != 65536)
			_exit(17);
		aionl_ctx_close(ctx);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The limit was the child's: here the file grows as far as asked. */
	assert_int_equal(falloc(s->ctx, s->h, 0, 0, MIB), 0);
	assert_int_equal(fstat_of(s->fd).st_size, MIB);
}

/* ------------------------------------------------------------ fallocate: many */

/* A batch of FALLOCATEs, with a cancel of them all: each completes exactly once. */
static void test_fallocates_complete_once_when_cancelled(void **state)
{
	struct sfix *s = *state;
	enum { N = 64 };
	struct aionl_req r[N + 1];
	struct aionl_cqe c[N + 1];
	unsigned int seen[N] = { 0 }, got = 0, cancels = 0;

	for (int i = 0; i < N; i++)
		aionl_req_fallocate(&r[i], s->h, AIONL_FALLOC_KEEP_SIZE, (uint64_t)i * 65536, 65536,
				    i);
	aionl_req_cancel(&r[N], s->h, AIONL_CANCEL_HANDLE, 1000);
	submit(s->ctx, r, N + 1);
	while (got < N + 1) {
		int n = aionl_reap(s->ctx, c, N + 1, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			if (c[i].cookie == 1000) {
				/* How many it found: none, if all had finished. */
				cancels++;
				assert_true((c[i].res > 0 && c[i].res <= N) || c[i].res == -ENOENT);
				continue;
			}
			assert_true(c[i].cookie < N);
			seen[c[i].cookie]++;
			/* Its result, or cancelled; io_uring may interrupt a running one. */
			if (c[i].res != 0 && c[i].res != -ECANCELED && c[i].res != -EINTR)
				fail_msg("fallocate %llu: %lld", (unsigned long long)c[i].cookie,
					 (long long)c[i].res);
		}
		got += n;
	}
	assert_int_equal(cancels, 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(aionl_reap(s->ctx, c, N + 1, 1, &(struct timespec){ 0, 20000000 }), 0);
	assert_int_equal(fstat_of(s->fd).st_size, 0);
}

/* ------------------------------------------------------------ statx */

static const uint32_t masks[] = {
	0, STATX_TYPE, STATX_SIZE | STATX_MODE, STATX_BASIC_STATS, STATX_BTIME,
	STATX_BASIC_STATS | STATX_BTIME, STATX_BASIC_STATS | STATX_BTIME | STATX_DIOALIGN,
	AIONL_STATX_MASK_BITS,
};
#define NMASKS (sizeof(masks) / sizeof(masks[0]))

static void test_statx_of_a_handle_is_statx_s_of_its_descriptor(void **state)
{
	struct sfix *s = *state;
	int opath = open(s->file, O_PATH);
	uint64_t hpath;

	fill_pattern(s->fd, 12345);
	assert_int_equal(fsync(s->fd), 0);
	for (size_t i = 0; i < NMASKS; i++) {
		assert_statx_as_syscall(s, s->h, s->fd, NULL, 0, masks[i]);
		assert_statx_as_syscall(s, s->hdir, s->dirfd, NULL, 0, masks[i]);
		/* An empty path with STATX_EMPTY_PATH is the same. */
		assert_statx_as_syscall(s, s->h, s->fd, "", AIONL_STATX_EMPTY_PATH, masks[i]);
	}
	/* Any descriptor, O_PATH ones too, as statx(2) takes them. */
	assert_true(opath >= 0);
	assert_int_equal(aionl_file_register(s->ctx, opath, &hpath), 0);
	assert_statx_as_syscall(s, hpath, opath, NULL, 0, STATX_BASIC_STATS);
	close(opath);
}

/* Each field programs read most, spelled out: what the buffer says is the file's. */
static void test_statx_of_a_handle_tells_the_file_s_size_mode_inode_and_times(void **state)
{
	struct sfix *s = *state;
	struct statx sx;
	struct stat st;

	fill_pattern(s->fd, 5000);
	assert_int_equal(fchmod(s->fd, 0640), 0);
	memset(&sx, 0xff, sizeof(sx));
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, &sx), 0);
	st = fstat_of(s->fd);
	assert_true((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	assert_int_equal(sx.stx_size, 5000);
	assert_int_equal(sx.stx_mode, S_IFREG | 0640);
	assert_int_equal(sx.stx_ino, st.st_ino);
	assert_int_equal(sx.stx_nlink, 1);
	assert_int_equal(sx.stx_uid, st.st_uid);
	assert_int_equal(sx.stx_gid, st.st_gid);
	assert_int_equal(sx.stx_blocks, st.st_blocks);
	assert_int_equal(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	assert_int_equal(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	assert_int_equal(sx.stx_ctime.tv_sec, st.st_ctim.tv_sec);
	assert_int_equal(makedev(sx.stx_dev_major, sx.stx_dev_minor), st.st_dev);
	/* A change shows in the next one. */
	assert_int_equal(falloc(s->ctx, s->h, 0, 0, 65536), 0);
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_SIZE, &sx), 0);
	assert_int_equal(sx.stx_size, 65536);
}

static void test_statx_of_a_path_from_a_directory_handle(void **state)
{
	struct sfix *s = *state;
	char sub[400];
	struct statx sx;

	fill_pattern(s->fd, 777);
	snprintf(sub, sizeof(sub), "%s/sub", s->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	for (size_t i = 0; i < NMASKS; i++) {
		assert_statx_as_syscall(s, s->hdir, s->dirfd, "data", 0, masks[i]);
		assert_statx_as_syscall(s, s->hdir, s->dirfd, "sub", 0, masks[i]);
	}
	assert_statx_as_syscall(s, s->hdir, s->dirfd, ".", 0, STATX_BASIC_STATS);
	/*
	 * ".." climbs out of a directory, as statx(2)'s walk does: out of sub,
	 * into this test's own directory (the handle's own parent is /tmp,
	 * whose times other tests change between the two calls).
	 */
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "sub/..", 0, STATX_BASIC_STATS);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "sub/../data", 0, STATX_BASIC_STATS);
	assert_int_equal(do_statx(s->ctx, s->hdir, "data", 0, STATX_SIZE, &sx), 0);
	assert_int_equal(sx.stx_size, 777);
}

static void test_statx_of_an_absolute_path_and_from_the_working_directory(void **state)
{
	struct sfix *s = *state;
	char old[PATH_MAX];
	struct statx sx;

	fill_pattern(s->fd, 4242);
	/* An absolute path ignores the handle, as statx(2) ignores dirfd. */
	assert_statx_as_syscall(s, AIONL_AT_CWD, AT_FDCWD, s->file, 0, STATX_BASIC_STATS);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, s->file, 0, STATX_BASIC_STATS);
	assert_statx_as_syscall(s, s->h, s->fd, s->file, 0, STATX_BASIC_STATS);
	assert_statx_as_syscall(s, AIONL_AT_CWD, AT_FDCWD, "/", 0, STATX_BASIC_STATS);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(s->dir), 0);
	assert_statx_as_syscall(s, AIONL_AT_CWD, AT_FDCWD, "data", 0, STATX_BASIC_STATS);
	/* No handle and no path: the working directory itself. */
	assert_statx_as_syscall(s, AIONL_AT_CWD, AT_FDCWD, NULL, 0, STATX_BASIC_STATS);
	assert_int_equal(do_statx(s->ctx, AIONL_AT_CWD, "data", 0, STATX_SIZE, &sx), 0);
	assert_int_equal(chdir(old), 0);
	assert_int_equal(sx.stx_size, 4242);
}

static void test_statx_of_a_symlink_follows_it_unless_nofollow(void **state)
{
	struct sfix *s = *state;
	char link[400], dangling[400], here[400];
	struct statx sx;

	snprintf(link, sizeof(link), "%s/link", s->dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling", s->dir);
	snprintf(here, sizeof(here), "%s/here", s->dir);
	assert_int_equal(symlink("data", link), 0);
	assert_int_equal(symlink("nowhere", dangling), 0);
	fill_pattern(s->fd, 100);
	assert_int_equal(do_statx(s->ctx, s->hdir, "link", 0, STATX_BASIC_STATS, &sx), 0);
	assert_true(S_ISREG(sx.stx_mode));
	assert_int_equal(sx.stx_size, 100);
	assert_int_equal(sx.stx_ino, fstat_of(s->fd).st_ino);
	assert_int_equal(do_statx(s->ctx, s->hdir, "link", AIONL_STATX_SYMLINK_NOFOLLOW,
				  STATX_BASIC_STATS, &sx), 0);
	assert_true(S_ISLNK(sx.stx_mode));
	assert_int_equal(sx.stx_size, strlen("data"));
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "link", 0, STATX_BASIC_STATS);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "link", AT_SYMLINK_NOFOLLOW,
				STATX_BASIC_STATS);
	/* A dangling link: nothing to follow, but itself. */
	assert_int_equal(do_statx(s->ctx, s->hdir, "dangling", 0, STATX_BASIC_STATS, &sx), -ENOENT);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "dangling", AT_SYMLINK_NOFOLLOW,
				STATX_BASIC_STATS);
	/* A link in the middle of a path is followed either way. */
	assert_int_equal(symlink(".", here), 0);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "here/link", AT_SYMLINK_NOFOLLOW,
				STATX_BASIC_STATS);
	/* The sync flags change nothing on a local filesystem. */
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "link", AT_STATX_FORCE_SYNC,
				STATX_BASIC_STATS);
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "link", AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT,
				STATX_BASIC_STATS);
}

/*
 * The mask is statx(2)'s: what is asked beyond the basic fields comes when
 * the filesystem has it, and stx_mask says so, exactly as statx(2) says.
 * ext4 and tmpfs give a birth time only when asked for one.
 */
static void test_statx_mask_is_honoured_as_statx_honours_it(void **state)
{
	struct sfix *s = *state;
	struct statx without, with, sys;

	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, &without), 0);
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS | STATX_BTIME, &with), 0);
	assert_int_equal(sys_statx(s->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sys), 0);
	assert_int_equal(without.stx_mask & STATX_BTIME, sys.stx_mask & STATX_BTIME);
	assert_int_equal(sys_statx(s->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sys),
			 0);
	assert_int_equal(with.stx_mask & STATX_BTIME, sys.stx_mask & STATX_BTIME);
	if (with.stx_mask & STATX_BTIME)
		assert_int_equal(with.stx_btime.tv_sec, sys.stx_btime.tv_sec);
	for (size_t i = 0; i < NMASKS; i++)
		assert_statx_as_syscall(s, s->hdir, s->dirfd, "data", 0, masks[i]);
}

/* ------------------------------------------------------------ statx: errors */

static void test_statx_errors_are_statx_s(void **state)
{
	struct sfix *s = *state;
	char loop[400], longname[NAME_MAX + 2];
	struct statx sx;

	snprintf(loop, sizeof(loop), "%s/loop", s->dir);
	assert_int_equal(symlink("loop", loop), 0);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	{
		static const struct {
			const char *path;
			uint32_t flags;
			int expect;
		} cases[] = {
			{ "missing", 0, -ENOENT },
			{ "missing/x", 0, -ENOENT },
			{ "data/x", 0, -ENOTDIR },
			{ "loop", 0, -ELOOP },
			/* Without STATX_EMPTY_PATH an empty path names nothing. */
			{ "", 0, -ENOENT },
			{ "", AIONL_STATX_SYMLINK_NOFOLLOW, -ENOENT },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int64_t res = do_statx(s->ctx, s->hdir, cases[i].path, cases[i].flags,
					       STATX_BASIC_STATS, &sx);

			assert_int_equal(sys_statx(s->dirfd, cases[i].path, cases[i].flags,
						   STATX_BASIC_STATS, &sx), cases[i].expect);
			if (res != cases[i].expect)
				fail_msg("\"%s\": %lld, not %d", cases[i].path, (long long)res,
					 cases[i].expect);
		}
	}
	assert_int_equal(do_statx(s->ctx, s->hdir, longname, 0, STATX_BASIC_STATS, &sx),
			 -ENAMETOOLONG);
	assert_int_equal(do_statx(s->ctx, s->hdir, "loop", AIONL_STATX_SYMLINK_NOFOLLOW,
				  STATX_BASIC_STATS, &sx), 0);
	assert_true(S_ISLNK(sx.stx_mode));
	/* STATX_EMPTY_PATH with an empty path: the directory itself. */
	assert_statx_as_syscall(s, s->hdir, s->dirfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS);
	/* Both sync flags at once: -EINVAL, before anything else is looked at. */
	assert_int_equal(sys_statx(-1, "missing", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
				   STATX_BASIC_STATS, &sx), -EINVAL);
	assert_int_equal(do_statx(s->ctx, 0x7777, "missing",
				  AIONL_STATX_FORCE_SYNC | AIONL_STATX_DONT_SYNC, STATX_BASIC_STATS,
				  &sx), -EINVAL);
}

/* A relative path from a file: -ENOTDIR, as statx(2) from its descriptor. */
static void test_statx_of_a_relative_path_from_a_file_handle_is_enotdir(void **state)
{
	struct sfix *s = *state;
	struct statx sx;

	assert_int_equal(sys_statx(s->fd, "x", 0, STATX_BASIC_STATS, &sx), -ENOTDIR);
	assert_int_equal(do_statx(s->ctx, s->h, "x", 0, STATX_BASIC_STATS, &sx), -ENOTDIR);
	/* An absolute one does not start there at all; no path is the file itself. */
	assert_int_equal(do_statx(s->ctx, s->h, s->dir, 0, STATX_BASIC_STATS, &sx), 0);
	assert_true(S_ISDIR(sx.stx_mode));
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, &sx), 0);
	assert_true(S_ISREG(sx.stx_mode));
}

static void test_statx_of_an_unknown_handle_is_ebadf(void **state)
{
	struct sfix *s = *state;
	struct aionl_ctx *other = open_ctx(0);
	struct statx sx;
	uint64_t h;

	assert_int_equal(aionl_file_register(other, s->dirfd, &h), 0);
	assert_int_equal(do_statx(s->ctx, h, NULL, 0, STATX_BASIC_STATS, &sx), -EBADF);
	assert_int_equal(do_statx(s->ctx, h, "data", 0, STATX_BASIC_STATS, &sx), -EBADF);
	assert_int_equal(do_statx(other, h, "data", 0, STATX_BASIC_STATS, &sx), 0);
	assert_int_equal(aionl_file_unregister(other, h), 0);
	assert_int_equal(do_statx(other, h, "data", 0, STATX_BASIC_STATS, &sx), -EBADF);
	assert_int_equal(do_statx(other, h, NULL, 0, STATX_BASIC_STATS, &sx), -EBADF);
	aionl_ctx_close(other);
}

/* Flags and mask bits outside the protocol's are refused; paths past AIONL_MAX_PATH never leave. */
static void test_statx_bounds_are_refused(void **state)
{
	struct sfix *s = *state;
	char *path = malloc(AIONL_MAX_PATH + 1);
	struct aionl_req r;
	struct aionl_cqe c;
	struct statx sx;

	c = statx_cqe(s->ctx, s->h, NULL, AT_REMOVEDIR, STATX_BASIC_STATS, &sx);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = statx_cqe(s->ctx, s->h, NULL, 0, STATX__RESERVED, &sx);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	assert_int_equal(sys_statx(s->fd, "", AT_EMPTY_PATH, STATX__RESERVED, &sx), -EINVAL);
	memset(path, 'a', AIONL_MAX_PATH);
	path[AIONL_MAX_PATH] = '\0';
	aionl_req_statx(&r, s->hdir, path, 0, STATX_BASIC_STATS, &sx, 1);
	assert_int_equal(aionl_submit(s->ctx, &r, 1), -ENAMETOOLONG);
	/* One fewer travels, and the walk judges it. */
	path[AIONL_MAX_PATH - 1] = '\0';
	assert_int_equal(do_statx(s->ctx, s->hdir, path, 0, STATX_BASIC_STATS, &sx), -ENAMETOOLONG);
	free(path);
}

/* A buffer the caller cannot write: -EFAULT, as statx(2)'s. */
static void test_statx_into_a_buffer_it_cannot_write_is_efault(void **state)
{
	struct sfix *s = *state;
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct statx *ro, *none, *straddle;

	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, page, PROT_READ), 0);
	assert_int_equal(mprotect(map + 2 * page, page, PROT_NONE), 0);
	ro = (struct statx *)(map + page);
	none = (struct statx *)(map + 2 * page);
	straddle = (struct statx *)(map + page - 64);
	assert_int_equal(sys_statx(s->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, ro), -EFAULT);
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, ro), -EFAULT);
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, none), -EFAULT);
	assert_int_equal(do_statx(s->ctx, s->hdir, "data", 0, STATX_BASIC_STATS, straddle), -EFAULT);
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, NULL), -EFAULT);
	/* The context goes on. */
	assert_int_equal(do_statx(s->ctx, s->h, NULL, 0, STATX_BASIC_STATS, (struct statx *)map), 0);
	munmap(map, 3 * page);
}

/*
 * The submitter's credentials, not the server's: the module's workers run as
 * root. Root drops to nobody in a child, which may not search a directory
 * only root may: -EACCES for what is inside, as statx(2) answers it.
 */
static void test_statx_of_a_path_as_an_unprivileged_user_is_eacces(void **state)
{
	struct sfix *s = *state;
	char priv[400], inside[500];
	pid_t pid;
	int fd, status;

	snprintf(priv, sizeof(priv), "%s/private", s->dir);
	snprintf(inside, sizeof(inside), "%s/file", priv);
	assert_int_equal(mkdir(priv, 0700), 0);
	fd = open(inside, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
	if (geteuid() != 0) {
		struct statx sx;

		/* Not root: a directory of our own that we may not search. */
		assert_int_equal(chmod(priv, 0), 0);
		assert_int_equal(sys_statx(AT_FDCWD, inside, 0, STATX_BASIC_STATS, &sx), -EACCES);
		assert_int_equal(do_statx(s->ctx, AIONL_AT_CWD, inside, 0, STATX_BASIC_STATS, &sx),
				 -EACCES);
		assert_int_equal(chmod(priv, 0700), 0);
		return;
	}
	assert_int_equal(chmod(s->dir, 0755), 0);
	SKIP_UNDER_TSAN();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aionl_params p = { 0 };
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;
		struct statx sx;
		int code = 0;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (sys_statx(AT_FDCWD, inside, 0, STATX_BASIC_STATS, &sx) != -EACCES)
			_exit(11);	/* the test's premise */
		if (getenv("AIONL_TEST_NO_INLINE"))
			p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
		if (aionl_ctx_open(&ctx, &p))
			_exit(12);
		aionl_req_statx(&r, AIONL_AT_CWD, inside, 0, STATX_BASIC_STATS, &sx, 1);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
			_exit(13);
		if (c.res != -EACCES)
			code = 14;
		/* The directory itself, which nobody may look up. */
		aionl_req_statx(&r, AIONL_AT_CWD, priv, 0, STATX_BASIC_STATS, &sx, 2);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
			_exit(15);
		if ((c.res != 0 || sx.stx_uid != 0 || (sx.stx_mode & 07777) != 0700) && !code)
			code = 16;
		aionl_ctx_close(ctx);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * /proc/self names whoever looks: the program itself on the user engine (a
 * thread of it), but a kernel worker on the module, which describes no file
 * of procfs or nsfs found by a path (-EPERM, as an OPEN of one), rather than
 * its own (its namespaces, its credentials).
 */
/*
 * procfs makes an inode anew, stamped with the time, whenever its dentry was
 * dropped in between: two statx calls of the same /proc file agree on what
 * it is (device, inode, type, owner), not always on its times or size.
 */
static void assert_proc_statx_as_syscall(struct sfix *s, uint64_t h, int dfd, const char *path)
{
	struct statx got, want;
	int64_t res = do_statx(s->ctx, h, path, 0, STATX_BASIC_STATS, &got);

	assert_int_equal(res, sys_statx(dfd, path ? path : "", path ? 0 : AT_EMPTY_PATH,
					STATX_BASIC_STATS, &want));
	if (res)
		return;
	assert_int_equal(got.stx_ino, want.stx_ino);
	assert_int_equal(got.stx_mode, want.stx_mode);
	assert_int_equal(got.stx_uid, want.stx_uid);
	assert_int_equal(got.stx_gid, want.stx_gid);
	assert_int_equal(got.stx_dev_major, want.stx_dev_major);
	assert_int_equal(got.stx_dev_minor, want.stx_dev_minor);
}

static void test_statx_of_proc_self_never_describes_a_kernel_worker(void **state)
{
	struct sfix *s = *state;
	static const char *const paths[] = { "/proc/self/status", "/proc/self/ns/net",
					     "/proc/thread-self", "/proc" };
	struct statx sx;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (s->kernel)
			assert_int_equal(do_statx(s->ctx, AIONL_AT_CWD, paths[i], 0,
						  STATX_BASIC_STATS, &sx), -EPERM);
		else if (strstr(paths[i], "thread-self"))	/* the engine's thread, not this one */
			assert_int_equal(do_statx(s->ctx, AIONL_AT_CWD, paths[i], 0,
						  STATX_BASIC_STATS, &sx), 0);
		else
			assert_proc_statx_as_syscall(s, AIONL_AT_CWD, AT_FDCWD, paths[i]);
	}
	/* A file of procfs the program registered itself is its own: described as statx(2) does. */
	{
		int fd = open("/proc/self/status", O_RDONLY);
		uint64_t h;

		assert_true(fd >= 0);
		assert_int_equal(aionl_file_register(s->ctx, fd, &h), 0);
		assert_proc_statx_as_syscall(s, h, fd, NULL);
		close(fd);
	}
}

/* Many at once, of every kind: each completes once, each buffer filled as statx(2) fills it. */
static void test_many_statx_at_once_fill_their_own_buffers(void **state)
{
	struct sfix *s = *state;
	enum { N = 96 };
	struct aionl_req r[N];
	struct aionl_cqe c[N];
	struct statx *sx = calloc(N, sizeof(*sx)), want[3];
	unsigned int seen[N] = { 0 }, got = 0;

	fill_pattern(s->fd, 3333);
	assert_int_equal(sys_statx(s->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &want[0]), 0);
	assert_int_equal(sys_statx(s->dirfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &want[1]), 0);
	for (int i = 0; i < N; i++) {
		switch (i % 3) {
		case 0: aionl_req_statx(&r[i], s->h, NULL, 0, STATX_BASIC_STATS, &sx[i], i); break;
		case 1: aionl_req_statx(&r[i], s->hdir, NULL, 0, STATX_BASIC_STATS, &sx[i], i); break;
		default:
			aionl_req_statx(&r[i], s->hdir, "missing", 0, STATX_BASIC_STATS, &sx[i], i);
		}
	}
	submit(s->ctx, r, N);
	while (got < N) {
		int n = aionl_reap(s->ctx, c, N, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			int k = (int)c[i].cookie;

			assert_true(k >= 0 && k < N);
			seen[k]++;
			assert_int_equal(c[i].res, k % 3 == 2 ? -ENOENT : 0);
		}
		got += n;
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(seen[i], 1);
		if (i % 3 == 2)
			continue;
		assert_int_equal(sx[i].stx_ino, want[i % 3].stx_ino);
		assert_int_equal(sx[i].stx_size, want[i % 3].stx_size);
		assert_int_equal(sx[i].stx_mode, want[i % 3].stx_mode);
	}
	free(sx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, ssetup, steardown)
		T(test_fallocate_allocates_and_grows_the_file),
		T(test_fallocate_keep_size_allocates_past_the_end_without_growing),
		T(test_punch_hole_reads_back_zeros_and_frees_blocks),
		T(test_zero_range_zeros_in_place_where_the_filesystem_has_it),
		T(test_zero_range_is_eopnotsupp_where_the_filesystem_lacks_it),
		T(test_mode_combinations_fallocate_refuses_are_refused_alike),
		T(test_fallocate_on_files_it_cannot_change_fails_as_fallocate_does),
		T(test_fallocate_of_an_unknown_handle_is_ebadf),
		T(test_fallocate_ranges_and_modes_outside_the_protocol_are_einval),
		T(test_fallocate_past_rlimit_fsize_is_efbig),
		T(test_fallocates_complete_once_when_cancelled),
		T(test_statx_of_a_handle_is_statx_s_of_its_descriptor),
		T(test_statx_of_a_handle_tells_the_file_s_size_mode_inode_and_times),
		T(test_statx_of_a_path_from_a_directory_handle),
		T(test_statx_of_an_absolute_path_and_from_the_working_directory),
		T(test_statx_of_a_symlink_follows_it_unless_nofollow),
		T(test_statx_mask_is_honoured_as_statx_honours_it),
		T(test_statx_errors_are_statx_s),
		T(test_statx_of_a_relative_path_from_a_file_handle_is_enotdir),
		T(test_statx_of_an_unknown_handle_is_ebadf),
		T(test_statx_bounds_are_refused),
		T(test_statx_into_a_buffer_it_cannot_write_is_efault),
		T(test_statx_of_a_path_as_an_unprivileged_user_is_eacces),
		T(test_statx_of_proc_self_never_describes_a_kernel_worker),
		T(test_many_statx_at_once_fill_their_own_buffers),
#undef T
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
