// SPDX-License-Identifier: MIT
/*
 * Conformance: COPY (aionl_req_copy(3)), copy_file_range(2) between two
 * registered files. Written from the contract in idl/aionl.proto (message
 * Copy): the bytes land where asked and nowhere else, neither file's
 * position moves, a copy is short at the end of the source and 0 past it,
 * and every error is copy_file_range(2)'s own: the tests ask the system
 * call itself, on the same descriptors or on a twin file, and expect the
 * same answer, and they also check the answer the contract names (-EBADF,
 * -EINVAL, -EXDEV...), so that a server that merely agreed with a wrong
 * kernel would not pass.
 *
 * AIONL_TEST_DIR picks the filesystem (the VM runs the suite on tmpfs and
 * on ext4); the cross-filesystem test looks for another one among
 * /dev/shm, /var/tmp, /tmp and /run, and skips where there is none.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "common.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define LINK AIONL_REQ_LINK

struct cfix {
	struct aionl_ctx *ctx;
	char dir[256];		/* a fresh directory on AIONL_TEST_DIR */
	int src, dst;		/* O_RDWR: dir/src, filled; dir/dst, empty */
	uint64_t hs, hd;	/* both, registered */
};

/* A pattern that differs with the seed and the offset. */
static unsigned char byte_at(unsigned int seed, uint64_t off)
{
	return (unsigned char)(pattern(off) ^ (seed * 37 + 11));
}

static void fill(int fd, unsigned int seed, uint64_t off, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);

	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = byte_at(seed, off + i);
	assert_int_equal(pwrite(fd, b, len, (off_t)off), (ssize_t)len);
	free(b);
}

/* Whether fd holds at off the len bytes the pattern of seed has at from. */
static void expect_bytes(int fd, uint64_t off, unsigned int seed, uint64_t from, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);

	assert_non_null(b);
	assert_int_equal(pread(fd, b, len, (off_t)off), (ssize_t)len);
	for (size_t i = 0; i < len; i++) {
		if (b[i] != byte_at(seed, from + i))
			fail_msg("byte %llu: 0x%02x, not 0x%02x", (unsigned long long)(off + i),
				 b[i], byte_at(seed, from + i));
	}
	free(b);
}

/* Whether fd holds len bytes of value c at off. */
static void expect_fill(int fd, uint64_t off, unsigned char c, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);

	assert_non_null(b);
	assert_int_equal(pread(fd, b, len, (off_t)off), (ssize_t)len);
	for (size_t i = 0; i < len; i++) {
		if (b[i] != c)
			fail_msg("byte %llu: 0x%02x, not 0x%02x", (unsigned long long)(off + i),
				 b[i], c);
	}
	free(b);
}

static off_t size_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static int make(struct cfix *c, const char *name, int flags)
{
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	fd = open(path, flags | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	return fd;
}

static uint64_t reg(struct aionl_ctx *ctx, int fd)
{
	uint64_t h;

	assert_int_equal(aionl_file_register(ctx, fd, &h), 0);
	return h;
}

static int csetup(void **state)
{
	struct cfix *c = calloc(1, sizeof(*c));

	scratch_dir(c->dir, sizeof(c->dir), "aionl-copy");
	c->src = make(c, "src", O_RDWR | O_EXCL);
	c->dst = make(c, "dst", O_RDWR | O_EXCL);
	c->ctx = open_ctx(0);
	c->hs = reg(c->ctx, c->src);
	c->hd = reg(c->ctx, c->dst);
	*state = c;
	return 0;
}

static int cteardown(void **state)
{
	struct cfix *c = *state;

	aionl_ctx_close(c->ctx);
	close(c->src);
	close(c->dst);
	scratch_dir_remove(c->dir);
	free(c);
	return 0;
}

static struct aionl_cqe copy_cqe(struct aionl_ctx *ctx, uint64_t hs, uint64_t so, uint64_t hd,
				 uint64_t dof, uint64_t len)
{
	struct aionl_req r;
	struct aionl_cqe cq;

	aionl_req_copy(&r, hs, so, hd, dof, len, 0xc0b1);
	submit(ctx, &r, 1);
	cq = wait_one(ctx);
	assert_true(cq.cookie == 0xc0b1);
	return cq;
}

static int64_t copy(struct aionl_ctx *ctx, uint64_t hs, uint64_t so, uint64_t hd, uint64_t dof,
		    uint64_t len)
{
	struct aionl_cqe cq = copy_cqe(ctx, hs, so, hd, dof, len);

	assert_false(cq.flags & AIONL_CQE_F_REJECTED);
	return cq.res;
}

/* copy_file_range(2)'s answer, the system call itself, with both offsets given. */
static int64_t sys_copy(int in, uint64_t so, int out, uint64_t dof, size_t len)
{
	loff_t a = (loff_t)so, b = (loff_t)dof;
	long n = syscall(SYS_copy_file_range, in, &a, out, &b, len, 0u);

	return n < 0 ? -errno : n;
}

/* ------------------------------------------------------------ copies */

/*
 * A whole file, in as few COPYs as the server takes (one, on tmpfs and
 * ext4): every byte lands, and neither file's position moves.
 */
static void test_copy_copies_a_whole_file_and_moves_no_position(void **state)
{
	struct cfix *c = *state;
	const uint64_t size = 4 * MIB + 123;
	uint64_t done = 0;
	int rounds = 0;

	fill(c->src, 1, 0, size);
	assert_int_equal(lseek(c->src, 17, SEEK_SET), 17);
	assert_int_equal(lseek(c->dst, 29, SEEK_SET), 29);
	while (done < size) {
		int64_t n = copy(c->ctx, c->hs, done, c->hd, done, size - done);

		if (n <= 0)
			fail_msg("copy at %llu: %lld", (unsigned long long)done, (long long)n);
		done += (uint64_t)n;
		assert_true(++rounds < 64);
	}
	assert_true(done == size);
	assert_int_equal(size_of(c->dst), size);
	expect_bytes(c->dst, 0, 1, 0, size);
	assert_int_equal(lseek(c->src, 0, SEEK_CUR), 17);
	assert_int_equal(lseek(c->dst, 0, SEEK_CUR), 29);
}

/*
 * A range into the middle of another file lands there and changes nothing
 * around it; one past the destination's end grows it, with a hole of zeros
 * before it.
 */
static void test_copy_at_offsets_writes_that_range_only(void **state)
{
	struct cfix *c = *state;

	fill(c->src, 2, 0, 64 * KIB);
	expect_fill(c->src, 0, 0, 0);
	{
		unsigned char *e = malloc(64 * KIB);

		memset(e, 0xee, 64 * KIB);
		assert_int_equal(pwrite(c->dst, e, 64 * KIB, 0), 64 * KIB);
		free(e);
	}
	assert_int_equal(copy(c->ctx, c->hs, 1000, c->hd, 20000, 5000), 5000);
	expect_fill(c->dst, 0, 0xee, 20000);
	expect_bytes(c->dst, 20000, 2, 1000, 5000);
	expect_fill(c->dst, 25000, 0xee, 64 * KIB - 25000);
	assert_int_equal(size_of(c->dst), 64 * KIB);

	assert_int_equal(copy(c->ctx, c->hs, 7, c->hd, 64 * KIB + 100, 300), 300);
	assert_int_equal(size_of(c->dst), 64 * KIB + 400);
	expect_fill(c->dst, 64 * KIB, 0, 100);
	expect_bytes(c->dst, 64 * KIB + 100, 2, 7, 300);
	/* The source is untouched. */
	expect_bytes(c->src, 0, 2, 0, 64 * KIB);
}

/* At the end of the source a copy is short: what is left, then 0 at and past the end. */
static void test_copy_is_short_at_the_end_of_the_source(void **state)
{
	struct cfix *c = *state;

	fill(c->src, 3, 0, 10000);
	assert_int_equal(copy(c->ctx, c->hs, 8000, c->hd, 0, 5000), 2000);
	assert_int_equal(size_of(c->dst), 2000);
	expect_bytes(c->dst, 0, 3, 8000, 2000);
	assert_int_equal(copy(c->ctx, c->hs, 10000, c->hd, 0, 5000), 0);
	assert_int_equal(copy(c->ctx, c->hs, 20000, c->hd, 0, 1), 0);
	assert_int_equal(size_of(c->dst), 2000);
	/* An empty source has nothing to give. */
	assert_int_equal(ftruncate(c->src, 0), 0);
	assert_int_equal(copy(c->ctx, c->hs, 0, c->hd, 0, MIB), 0);
	assert_int_equal(size_of(c->dst), 2000);
}

/*
 * Within one file: ranges that overlap are -EINVAL, as copy_file_range(2)
 * answers, whether through one handle or two of the same file, and nothing
 * changes; the overlap counts after the source's end cuts len. Ranges that
 * do not overlap copy.
 */
static void test_overlapping_ranges_of_one_file_are_einval(void **state)
{
	struct cfix *c = *state;
	int other = make(c, "src", O_RDWR);
	uint64_t ho = reg(c->ctx, other);
	static const struct {
		uint64_t so, dof, len;
	} overlap[] = {
		{ 0, 4096, 8192 },	/* forward */
		{ 4096, 0, 8192 },	/* backward */
		{ 0, 0, 4096 },		/* onto itself */
		{ 100, 101, 1 + 4096 },
	};

	fill(c->src, 4, 0, 16 * KIB);
	for (size_t i = 0; i < sizeof(overlap) / sizeof(overlap[0]); i++) {
		assert_int_equal(sys_copy(c->src, overlap[i].so, c->src, overlap[i].dof,
					  overlap[i].len), -EINVAL);
		assert_int_equal(copy(c->ctx, c->hs, overlap[i].so, c->hs, overlap[i].dof,
				      overlap[i].len), -EINVAL);
		/* Another descriptor of the same file is the same file. */
		assert_int_equal(copy(c->ctx, c->hs, overlap[i].so, ho, overlap[i].dof,
				      overlap[i].len), -EINVAL);
	}
	expect_bytes(c->src, 0, 4, 0, 16 * KIB);
	assert_int_equal(size_of(c->src), 16 * KIB);

	/* len reaches past the end, but what is copied ends where the target starts. */
	assert_int_equal(sys_copy(c->src, 12 * KIB, c->src, 16 * KIB, 8 * KIB), 4 * KIB);
	assert_int_equal(ftruncate(c->src, 16 * KIB), 0);
	assert_int_equal(copy(c->ctx, c->hs, 12 * KIB, c->hs, 16 * KIB, 8 * KIB), 4 * KIB);
	assert_int_equal(size_of(c->src), 20 * KIB);
	expect_bytes(c->src, 16 * KIB, 4, 12 * KIB, 4 * KIB);
	close(other);
}

/* Ranges of one file that do not overlap copy, through one handle. */
static void test_same_file_ranges_that_do_not_overlap_copy(void **state)
{
	struct cfix *c = *state;

	fill(c->src, 5, 0, 32 * KIB);
	assert_int_equal(copy(c->ctx, c->hs, 0, c->hs, 8 * KIB, 8 * KIB), 8 * KIB);
	assert_int_equal(copy(c->ctx, c->hs, 24 * KIB, c->hs, 4 * KIB, 4 * KIB), 4 * KIB);
	expect_bytes(c->src, 0, 5, 0, 4 * KIB);
	expect_bytes(c->src, 4 * KIB, 5, 24 * KIB, 4 * KIB);
	expect_bytes(c->src, 8 * KIB, 5, 0, 8 * KIB);
	expect_bytes(c->src, 16 * KIB, 5, 16 * KIB, 16 * KIB);
	assert_int_equal(size_of(c->src), 32 * KIB);
}

/* ------------------------------------------------------------ across filesystems */

static bool a_local_filesystem(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf))
		return false;
	/* tmpfs, ext2/3/4, XFS, Btrfs: no copy method across their mounts. */
	return sf.f_type == 0x01021994 || sf.f_type == 0xEF53 || sf.f_type == 0x58465342 ||
	       sf.f_type == (typeof(sf.f_type))0x9123683E;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	assert_int_equal(uname(&u), 0);
	assert_true(sscanf(u.release, "%d.%d", &ma, &mi) == 2);
	return ma > major || (ma == major && mi >= minor);
}

/* A directory on another filesystem than dir, where files can be made; or NULL. */
static const char *other_filesystem(const char *dir, char *made, size_t size)
{
	static const char *const candidates[] = { "/dev/shm", "/var/tmp", "/tmp", "/run" };
	struct stat a, b;

	assert_int_equal(stat(dir, &a), 0);
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (stat(candidates[i], &b) || b.st_dev == a.st_dev)
			continue;
		snprintf(made, size, "%s/aionl-copy-other-XXXXXX", candidates[i]);
		if (mkdtemp(made))
			return made;
	}
	return NULL;
}

/*
 * Files of two filesystems: the running kernel's copy_file_range(2) decides
 * (the contract says so, per backend), and since Linux 5.19 it refuses
 * local filesystems without a copy method of their own with -EXDEV, on
 * both backends; the destination is then untouched.
 */
static void test_a_copy_across_filesystems_is_what_the_kernel_says(void **state)
{
	struct cfix *c = *state;
	char other[300], path[400], twin[400];
	int fd, tfd;
	uint64_t h;
	int64_t want, got;

	if (!other_filesystem(c->dir, other, sizeof(other)))
		skip();
	snprintf(path, sizeof(path), "%s/dst", other);
	snprintf(twin, sizeof(twin), "%s/twin", other);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	tfd = open(twin, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0 && tfd >= 0);
	h = reg(c->ctx, fd);
	fill(c->src, 6, 0, 256 * KIB);

	want = sys_copy(c->src, 0, tfd, 0, 256 * KIB);
	got = copy(c->ctx, c->hs, 0, h, 0, 256 * KIB);
	if (got != want)
		fail_msg("%s to %s: %lld, copy_file_range(2) %lld", c->dir, other,
			 (long long)got, (long long)want);
	if (kernel_at_least(5, 19) && a_local_filesystem(c->dir) && a_local_filesystem(other))
		assert_int_equal(got, -EXDEV);
	if (got < 0) {
		assert_int_equal(size_of(fd), 0);
	} else {
		assert_int_equal(size_of(fd), got);
		expect_bytes(fd, 0, 6, 0, (size_t)got);
	}
	/* And the other way. */
	fill(fd, 7, 0, 4096);
	fill(tfd, 7, 0, 4096);
	want = sys_copy(tfd, 0, c->dst, 0, 4096);
	assert_int_equal(ftruncate(c->dst, 0), 0);
	assert_int_equal(copy(c->ctx, h, 0, c->hd, 0, 4096), want);
	assert_int_equal(size_of(c->dst), want < 0 ? 0 : want);

	assert_int_equal(aionl_file_unregister(c->ctx, h), 0);
	close(fd);
	close(tfd);
	unlink(path);
	unlink(twin);
	rmdir(other);
}

/* ------------------------------------------------------------ errors */

/*
 * A destination not open for writing, or open with O_APPEND, and a source
 * not open for reading: -EBADF, as copy_file_range(2) says, and nothing is
 * written.
 */
static void test_files_opened_the_wrong_way_are_ebadf(void **state)
{
	struct cfix *c = *state;
	int ro = make(c, "dst", O_RDONLY), app = make(c, "dst", O_WRONLY | O_APPEND);
	int wo = make(c, "src", O_WRONLY);
	uint64_t hro = reg(c->ctx, ro), happ = reg(c->ctx, app), hwo = reg(c->ctx, wo);

	fill(c->src, 8, 0, 8192);
	assert_int_equal(sys_copy(c->src, 0, ro, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, hro, 0, 4096), -EBADF);
	assert_int_equal(sys_copy(c->src, 0, app, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, happ, 0, 4096), -EBADF);
	assert_int_equal(sys_copy(wo, 0, c->dst, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, hwo, 0, c->hd, 0, 4096), -EBADF);
	assert_int_equal(size_of(c->dst), 0);
	/* The same files the right way round copy. */
	assert_int_equal(copy(c->ctx, c->hs, 0, c->hd, 0, 4096), 4096);
	close(ro);
	close(app);
	close(wo);
}

/* A handle of no file of this context's, unregistered, or O_PATH: -EBADF. */
static void test_an_unknown_handle_is_ebadf(void **state)
{
	struct cfix *c = *state;
	struct aionl_ctx *other = open_ctx(0);
	int opath = open(c->dir, O_PATH | O_CLOEXEC);
	uint64_t ho, hp, hgone;

	fill(c->src, 9, 0, 4096);
	ho = reg(other, c->dst);
	hp = reg(c->ctx, opath);
	hgone = reg(c->ctx, c->dst);
	assert_int_equal(aionl_file_unregister(c->ctx, hgone), 0);
	assert_int_equal(copy(c->ctx, 0, 0, c->hd, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, 0, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, ho, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, ho, 0, c->hd, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, hgone, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, hp, 0, c->hd, 0, 4096), -EBADF);
	assert_int_equal(copy(c->ctx, c->hs, 0, hp, 0, 4096), -EBADF);
	/* Even with a range the protocol's rule refuses: the handles come first. */
	assert_int_equal(copy(c->ctx, c->hs, AIONL_MAX_OFFSET, 0, 0, 4096), -EBADF);
	assert_int_equal(size_of(c->dst), 0);
	/* The other context's handle is good there. */
	{
		uint64_t hs2 = reg(other, c->src);

		assert_int_equal(copy(other, hs2, 0, ho, 0, 4096), 4096);
	}
	aionl_ctx_close(other);
	close(opath);
}

/* A directory is -EISDIR; a pipe or a socket, no regular file, -EINVAL: copy_file_range(2)'s. */
static void test_directories_and_special_files_are_refused_as_the_kernel_does(void **state)
{
	struct cfix *c = *state;
	int dir = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), p[2], sv[2];
	uint64_t hdir, hpr, hpw, hsock;

	assert_true(dir >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	hdir = reg(c->ctx, dir);
	hpr = reg(c->ctx, p[0]);
	hpw = reg(c->ctx, p[1]);
	hsock = reg(c->ctx, sv[0]);
	fill(c->src, 10, 0, 4096);
	assert_int_equal(write(p[1], "x", 1), 1);

	assert_int_equal(sys_copy(dir, 0, c->dst, 0, 4096), -EISDIR);
	assert_int_equal(copy(c->ctx, hdir, 0, c->hd, 0, 4096), -EISDIR);
	assert_int_equal(sys_copy(p[0], 0, c->dst, 0, 1), -EINVAL);
	assert_int_equal(copy(c->ctx, hpr, 0, c->hd, 0, 1), -EINVAL);
	assert_int_equal(sys_copy(c->src, 0, p[1], 0, 4096), -EINVAL);
	assert_int_equal(copy(c->ctx, c->hs, 0, hpw, 0, 4096), -EINVAL);
	assert_int_equal(sys_copy(c->src, 0, sv[0], 0, 4096), -EINVAL);
	assert_int_equal(copy(c->ctx, c->hs, 0, hsock, 0, 4096), -EINVAL);
	assert_int_equal(size_of(c->dst), 0);
	/* The byte is still in the pipe. */
	{
		char x;

		assert_int_equal(read(p[0], &x, 1), 1);
	}
	close(dir);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The protocol's ranges: len 0 or past AIONL_MAX_IO_LEN and offsets past
 * AIONL_MAX_OFFSET are the IDL's (refused, naming the attribute); a range
 * whose end passes AIONL_MAX_OFFSET is the rule's, -EINVAL, not refused.
 */
static void test_lengths_and_offsets_outside_the_protocol_are_refused(void **state)
{
	struct cfix *c = *state;
	struct aionl_cqe q;
	static const struct {
		uint64_t so, dof, len;
	} refused[] = {
		{ 0, 0, 0 },
		{ 0, 0, AIONL_MAX_IO_LEN + 1 },
		{ AIONL_MAX_OFFSET + 1, 0, 1 },
		{ 0, AIONL_MAX_OFFSET + 1, 1 },
		{ UINT64_MAX, 0, 1 },
	}, rule[] = {
		{ AIONL_MAX_OFFSET - 10, 0, 100 },
		{ 0, AIONL_MAX_OFFSET - 10, 100 },
		{ AIONL_MAX_OFFSET, 0, 1 },
	};

	fill(c->src, 11, 0, 4096);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		q = copy_cqe(c->ctx, c->hs, refused[i].so, c->hd, refused[i].dof, refused[i].len);
		assert_int_equal(q.res, -EINVAL);
		assert_true(q.flags & AIONL_CQE_F_REJECTED);
	}
	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		q = copy_cqe(c->ctx, c->hs, rule[i].so, c->hd, rule[i].dof, rule[i].len);
		assert_int_equal(q.res, -EINVAL);
		assert_false(q.flags & AIONL_CQE_F_REJECTED);
	}
	/* The largest length is served (and short: the source has 4 KiB). */
	assert_int_equal(copy(c->ctx, c->hs, 0, c->hd, 0, AIONL_MAX_IO_LEN), 4096);
	expect_bytes(c->dst, 0, 11, 0, 4096);
}

/*
 * The submitter's RLIMIT_FSIZE applies, as copy_file_range(2) applies it: a
 * child with SIGXFSZ ignored and a 64 KiB limit gets a copy cut at the
 * limit, and -EFBIG for one that starts at or past it, each what the system
 * call answers on a twin file; with SIGXFSZ's default action, it gets
 * -EFBIG and no signal. The limit is the child's alone.
 */
static void test_copies_past_rlimit_fsize_are_cut_or_efbig(void **state)
{
	struct cfix *c = *state;
	char twin[400];
	pid_t pid;
	int status;

	SKIP_UNDER_TSAN();
	snprintf(twin, sizeof(twin), "%s/twin", c->dir);
	fill(c->src, 12, 0, MIB);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const struct {
			uint64_t dof, len;
			int64_t expect;
		} reqs[] = {
			{ 0, MIB, 65536 },
			{ 65536, 4096, -EFBIG },
			{ 60000, 10000, 5536 },
			{ 70000, 1, -EFBIG },
			{ 0, 1000, 1000 },
		};
		struct aionl_ctx *ctx = child_ctx_under_fsize(65536);
		uint64_t hs, hd;
		int sfd, dfd, tfd;

		sfd = dup(c->src);
		dfd = dup(c->dst);
		tfd = open(twin, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (sfd < 0 || dfd < 0 || tfd < 0 || aionl_file_register(ctx, sfd, &hs) ||
		    aionl_file_register(ctx, dfd, &hd))
			_exit(13);
		for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
			int64_t want = sys_copy(sfd, 0, tfd, reqs[i].dof, reqs[i].len);
			struct aionl_req r;
			struct aionl_cqe q;

			aionl_req_copy(&r, hs, 0, hd, reqs[i].dof, reqs[i].len, i);
			if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &q, 1, 1, NULL) != 1)
				_exit(14);
			if (q.res != want || q.res != reqs[i].expect) {
				fprintf(stderr, "request %zu: %lld, copy_file_range(2) %lld, "
					"contract %lld\n", i, (long long)q.res, (long long)want,
					(long long)reqs[i].expect);
				_exit(20 + (int)i);
			}
		}
		/*
		 * No SIGXFSZ reaches the program: its default action would
		 * end the child, which must live to report -EFBIG.
		 */
		signal(SIGXFSZ, SIG_DFL);
		{
			struct aionl_req r;
			struct aionl_cqe q;

			aionl_req_copy(&r, hs, 0, hd, 65536, 4096, 99);
			if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &q, 1, 1, NULL) != 1)
				_exit(14);
			if (q.res != -EFBIG)
				_exit(15);
		}
		aionl_ctx_close(ctx);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child died of signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(size_of(c->dst), 65536);
	expect_bytes(c->dst, 0, 12, 0, 60000);
	expect_bytes(c->dst, 60000, 12, 0, 5536);
	/* Here, without the child's limit, the whole MiB goes. */
	assert_int_equal(copy(c->ctx, c->hs, 0, c->hd, 0, MIB), MIB);
	assert_int_equal(size_of(c->dst), MIB);
}

/* ------------------------------------------------------------ ordering */

/*
 * COPY, then FSYNC of the destination, then a READ of it: each starts when
 * the one before it succeeded, so the read sees what the copy wrote, in
 * every round (the destination holds the last round's bytes before it).
 */
static void test_a_copy_takes_its_turn_in_a_chain(void **state)
{
	struct cfix *c = *state;
	const size_t n = 2 * MIB;
	unsigned char *back = malloc(n);
	struct aionl_req r[3];
	struct aionl_cqe q[3];

	assert_non_null(back);
	for (unsigned int round = 0; round < 4; round++) {
		fill(c->src, 20 + round, 0, n);
		memset(back, 0, n);
		aionl_req_copy(&r[0], c->hs, 0, c->hd, 0, n, 1);
		aionl_req_set_flags(&r[0], LINK);
		aionl_req_fsync(&r[1], c->hd, 2);
		aionl_req_set_flags(&r[1], LINK);
		aionl_req_read(&r[2], c->hd, back, n, 0, 3);
		submit(c->ctx, r, 3);
		reap_n(c->ctx, q, 3);
		assert_true(q[0].cookie == 1 && q[1].cookie == 2 && q[2].cookie == 3);
		assert_int_equal(q[0].res, (int64_t)n);
		assert_int_equal(q[1].res, 0);
		assert_int_equal(q[2].res, (int64_t)n);
		for (size_t i = 0; i < n; i++)
			if (back[i] != byte_at(20 + round, i))
				fail_msg("round %u, byte %zu: the read ran before the copy", round, i);
	}
	free(back);
}

/*
 * A COPY that fails (a read-only destination: -EBADF) breaks its chain, and
 * so does a short one (the source ends first): the requests after it
 * complete with -ECANCELED, each once, none run.
 */
static void test_a_failing_or_short_copy_cancels_its_followers(void **state)
{
	struct cfix *c = *state;
	int ro = make(c, "dst", O_RDONLY);
	uint64_t hro = reg(c->ctx, ro);
	unsigned char x = 0x55;
	struct aionl_req r[3];
	struct aionl_cqe q[3];

	fill(c->src, 30, 0, 8192);
	aionl_req_copy(&r[0], c->hs, 0, hro, 0, 4096, 1);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_fsync(&r[1], c->hd, 2);
	aionl_req_set_flags(&r[1], LINK);
	aionl_req_write(&r[2], c->hd, &x, 1, 0, 3);
	submit(c->ctx, r, 3);
	reap_n(c->ctx, q, 3);
	assert_int_equal(res_of(q, 3, 1), -EBADF);
	assert_int_equal(res_of(q, 3, 2), -ECANCELED);
	assert_int_equal(res_of(q, 3, 3), -ECANCELED);
	assert_int_equal(size_of(c->dst), 0);

	/* 8 KiB asked from 4 KiB before the end: 4 KiB, short, and the write never runs. */
	aionl_req_copy(&r[0], c->hs, 4096, c->hd, 0, 8192, 4);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_write(&r[1], c->hd, &x, 1, 0, 5);
	submit(c->ctx, r, 2);
	reap_n(c->ctx, q, 2);
	assert_int_equal(res_of(q, 2, 4), 4096);
	assert_int_equal(res_of(q, 2, 5), -ECANCELED);
	expect_bytes(c->dst, 0, 30, 4096, 4096);

	/* The whole length asked: the chain goes on. */
	aionl_req_copy(&r[0], c->hs, 4096, c->hd, 0, 4096, 6);
	aionl_req_set_flags(&r[0], LINK);
	aionl_req_write(&r[1], c->hd, &x, 1, 0, 7);
	submit(c->ctx, r, 2);
	reap_n(c->ctx, q, 2);
	assert_int_equal(res_of(q, 2, 6), 4096);
	assert_int_equal(res_of(q, 2, 7), 1);
	expect_fill(c->dst, 0, 0x55, 1);
	close(ro);
}

/*
 * A COPY held by its chain (behind a read of an empty pipe, which waits) is
 * found by a cancel of either of its handles, the source's or the
 * destination's, and completes once with -ECANCELED, never run.
 */
static void test_a_held_copy_is_cancelled_by_either_handle(void **state)
{
	struct cfix *c = *state;
	int p[2];
	uint64_t hp;
	char b;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	hp = reg(c->ctx, p[0]);
	fill(c->src, 31, 0, 4096);
	for (int which = 0; which < 2; which++) {
		struct aionl_req r[3];
		struct aionl_cqe q[2];

		aionl_req_read(&r[0], hp, &b, 1, AIONL_OFFSET_STREAM, 10);
		aionl_req_set_flags(&r[0], LINK);
		aionl_req_copy(&r[1], c->hs, 0, c->hd, 0, 4096, 11);
		submit(c->ctx, r, 2);
		aionl_req_cancel(&r[2], which ? c->hd : c->hs, AIONL_CANCEL_HANDLE, 12);
		submit(c->ctx, &r[2], 1);
		reap_n(c->ctx, q, 2);
		assert_int_equal(res_of(q, 2, 11), -ECANCELED);
		/* Only the copy is on that file. */
		assert_int_equal(res_of(q, 2, 12), 1);
		aionl_req_cancel(&r[2], 10, 0, 13);
		submit(c->ctx, &r[2], 1);
		reap_n(c->ctx, q, 2);
		assert_int_equal(res_of(q, 2, 10), -ECANCELED);
		assert_int_equal(res_of(q, 2, 13), 1);
	}
	assert_int_equal(size_of(c->dst), 0);
	close(p[0]);
	close(p[1]);
}

/* Many COPYs and a cancel of them all by the destination's handle: each completes exactly once. */
static void test_copies_complete_once_when_cancelled(void **state)
{
	struct cfix *c = *state;
	enum { N = 64 };
	struct aionl_req r[N + 1];
	struct aionl_cqe q[N + 1];
	unsigned int seen[N] = { 0 }, got = 0, cancels = 0;

	fill(c->src, 32, 0, N * 64 * KIB);
	for (int i = 0; i < N; i++)
		aionl_req_copy(&r[i], c->hs, (uint64_t)i * 64 * KIB, c->hd, (uint64_t)i * 64 * KIB,
			       64 * KIB, i);
	aionl_req_cancel(&r[N], c->hd, AIONL_CANCEL_HANDLE, 1000);
	submit(c->ctx, r, N + 1);
	while (got < N + 1) {
		int n = aionl_reap(c->ctx, q, N + 1, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			if (q[i].cookie == 1000) {
				cancels++;
				assert_true((q[i].res > 0 && q[i].res <= N) || q[i].res == -ENOENT);
				continue;
			}
			assert_true(q[i].cookie < N);
			seen[q[i].cookie]++;
			if (q[i].res != 64 * KIB && q[i].res != -ECANCELED)
				fail_msg("copy %llu: %lld", (unsigned long long)q[i].cookie,
					 (long long)q[i].res);
			if (q[i].res > 0)
				expect_bytes(c->dst, q[i].cookie * 64 * KIB, 32,
					     q[i].cookie * 64 * KIB, 64 * KIB);
		}
		got += n;
	}
	assert_int_equal(cancels, 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(aionl_reap(c->ctx, q, N + 1, 1, &(struct timespec){ 0, 20000000 }), 0);
}

/* Every server this suite runs on serves COPY, and says so. */
static void test_the_server_says_it_serves_copy(void **state)
{
	struct cfix *c = *state;

	assert_true(aionl_ctx_supports(c->ctx, AIONL_OP_COPY));
	assert_string_equal(aionl_cmd_name(AIONL_CMD_COPY), "copy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, csetup, cteardown)
		T(test_copy_copies_a_whole_file_and_moves_no_position),
		T(test_copy_at_offsets_writes_that_range_only),
		T(test_copy_is_short_at_the_end_of_the_source),
		T(test_overlapping_ranges_of_one_file_are_einval),
		T(test_same_file_ranges_that_do_not_overlap_copy),
		T(test_a_copy_across_filesystems_is_what_the_kernel_says),
		T(test_files_opened_the_wrong_way_are_ebadf),
		T(test_an_unknown_handle_is_ebadf),
		T(test_directories_and_special_files_are_refused_as_the_kernel_does),
		T(test_lengths_and_offsets_outside_the_protocol_are_refused),
		T(test_copies_past_rlimit_fsize_are_cut_or_efbig),
		T(test_a_copy_takes_its_turn_in_a_chain),
		T(test_a_failing_or_short_copy_cancels_its_followers),
		T(test_a_held_copy_is_cancelled_by_either_handle),
		T(test_copies_complete_once_when_cancelled),
		T(test_the_server_says_it_serves_copy),
#undef T
	};

	if (getenv("AIONL_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AIONL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
