// SPDX-License-Identifier: MIT
/*
 * Conformance: opening through the socket (OPEN, INSTALL). An OPEN resolves
 * its path as openat(2) would, from a registered directory or the working
 * directory, with the submitter's credentials and umask, and completes with
 * the new file's handle, already registered; AIONL_OPEN_FD gives the program
 * the descriptor too, at the library's high range. Waiting OPENs cancel with
 * -ECANCELED exactly once, and nothing leaks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "common.h"

struct dirfix {
	struct aionl_ctx *ctx;
	char dir[256];		/* a fresh directory on AIONL_TEST_DIR */
	char file[300];		/* dir/data, FILE_DATA in it */
	int dirfd;
	uint64_t hdir;		/* dir, registered */
};

#define FILE_DATA "the quick brown fox"

static int dsetup(void **state)
{
	struct dirfix *d = calloc(1, sizeof(*d));
	int fd;

	snprintf(d->dir, sizeof(d->dir), "%s/aionl-open-XXXXXX", test_dir());
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->file, sizeof(d->file), "%s/data", d->dir);
	fd = open(d->file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, FILE_DATA, strlen(FILE_DATA)), strlen(FILE_DATA));
	close(fd);
	d->ctx = open_ctx(0);
	d->dirfd = open(d->dir, O_RDONLY | O_DIRECTORY);
	assert_true(d->dirfd >= 0);
	assert_int_equal(aionl_file_register(d->ctx, d->dirfd, &d->hdir), 0);
	*state = d;
	return 0;
}

static int dteardown(void **state)
{
	struct dirfix *d = *state;
	char cmd[400];

	aionl_ctx_close(d->ctx);
	close(d->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	assert_int_equal(system(cmd), 0);
	free(d);
	return 0;
}

/* Open descriptors of the process (those below limit; INT_MAX: all). */
static int count_fds(int limit)
{
	DIR *dh = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(dh);
	while ((de = readdir(dh)))
		if (de->d_name[0] != '.' && atoi(de->d_name) < limit &&
		    atoi(de->d_name) != dirfd(dh))
			n++;
	closedir(dh);
	return n;
}

/* The floor of the library's high range, as fds.c documents it. */
static int fd_floor(void)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 2 * (rlim_t)FD_SETSIZE)
		return (int)(rl.rlim_cur / 2);
	return FD_SETSIZE;
}

/* Run one OPEN to its completion. */
static struct aionl_cqe open_one(struct aionl_ctx *ctx, uint64_t dir, const char *path,
				 int flags, uint32_t mode, uint32_t options)
{
	struct aionl_req r;
	struct aionl_cqe c;

	aionl_req_open(&r, dir, path, flags, mode, options, 0x0fe4);
	submit(ctx, &r, 1);
	c = wait_one(ctx);
	assert_true(c.cookie == 0x0fe4);
	if (c.res == 0)
		assert_true(c.open.handle != 0);
	return c;
}

/* Read the whole of FILE_DATA through handle h. */
static void assert_reads_data(struct aionl_ctx *ctx, uint64_t h)
{
	char buf[64] = "";
	struct aionl_req r;

	aionl_req_read(&r, h, buf, sizeof(buf), 0, 77);
	assert_int_equal(run(ctx, &r), strlen(FILE_DATA));
	assert_memory_equal(buf, FILE_DATA, strlen(FILE_DATA));
}

/* ------------------------------------------------------------ paths */

static void test_relative_to_a_directory_handle(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, "data", O_RDONLY, 0, 0);

	assert_int_equal(c.res, 0);
	assert_false(c.flags & AIONL_CQE_F_FD);
	assert_reads_data(d->ctx, c.open.handle);
	assert_int_equal(aionl_file_unregister(d->ctx, c.open.handle), 0);
}

static void test_absolute_path(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, AIONL_AT_CWD, d->file, O_RDONLY, 0, 0);

	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
	assert_int_equal(aionl_file_unregister(d->ctx, c.open.handle), 0);
	/* As openat(2): an absolute path ignores the directory. */
	c = open_one(d->ctx, d->hdir, d->file, O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
}

static void test_relative_to_the_working_directory(void **state)
{
	struct dirfix *d = *state;
	char old[PATH_MAX];
	struct aionl_cqe c;

	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(d->dir), 0);
	c = open_one(d->ctx, AIONL_AT_CWD, "data", O_RDONLY, 0, 0);
	assert_int_equal(chdir(old), 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
}

/* ".." climbs from the directory as openat(2)'s does: the handle is no chroot. */
static void test_dotdot_climbs_from_the_directory(void **state)
{
	struct dirfix *d = *state;
	char sub[300], path[600];
	int sfd;
	uint64_t hs;
	struct aionl_cqe c;

	snprintf(sub, sizeof(sub), "%s/sub", d->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	sfd = open(sub, O_PATH | O_DIRECTORY);
	assert_true(sfd >= 0);
	assert_int_equal(aionl_file_register(d->ctx, sfd, &hs), 0);
	close(sfd);
	c = open_one(d->ctx, hs, "../data", O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
	/* All the way up, and down again. */
	snprintf(path, sizeof(path), "../../../../../../../../../../..%s", d->file);
	c = open_one(d->ctx, hs, path, O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
}

/*
 * An absolute symlink in the directory leads from the root, as openat(2)'s
 * walk follows it (a walk rooted at the directory would look under it).
 */
static void test_absolute_symlink_starts_at_the_root(void **state)
{
	struct dirfix *d = *state;
	char link[400];
	struct aionl_cqe c;

	snprintf(link, sizeof(link), "%s/abs", d->dir);
	assert_int_equal(symlink(d->file, link), 0);
	c = open_one(d->ctx, d->hdir, "abs", O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
	assert_int_equal(open_one(d->ctx, d->hdir, "abs", O_RDONLY | O_NOFOLLOW, 0, 0).res, -ELOOP);
}

/* A directory opened through the socket (O_PATH) serves as the next one's start. */
static void test_an_opened_directory_is_a_directory_handle(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, AIONL_AT_CWD, d->dir, O_PATH | O_DIRECTORY, 0, 0);
	char buf[8];
	struct aionl_req r;

	assert_int_equal(c.res, 0);
	/* An O_PATH file does no I/O: -EBADF, as read(2), fsync(2) and poll say. */
	aionl_req_read(&r, c.open.handle, buf, sizeof(buf), 0, 5);
	assert_int_equal(run(d->ctx, &r), -EBADF);
	aionl_req_fsync(&r, c.open.handle, 6);
	assert_int_equal(run(d->ctx, &r), -EBADF);
	aionl_req_poll(&r, c.open.handle, AIONL_POLL_IN, 0, 7);
	assert_int_equal(run(d->ctx, &r), -EBADF);
	c = open_one(d->ctx, c.open.handle, "data", O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_reads_data(d->ctx, c.open.handle);
}

/* ------------------------------------------------------------ creating */

static void test_creat_applies_mode_and_umask(void **state)
{
	struct dirfix *d = *state;
	static const struct { mode_t umask, mode; } cases[] = {
		{ 022, 0666 }, { 027, 0777 }, { 0, 0640 }, { 077, 0666 },
	};
	char path[400];
	struct stat st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mode_t old = umask(cases[i].umask);
		struct aionl_cqe c;

		snprintf(path, sizeof(path), "new-%zu", i);
		c = open_one(d->ctx, d->hdir, path, O_RDWR | O_CREAT | O_EXCL, cases[i].mode, 0);
		umask(old);
		assert_int_equal(c.res, 0);
		snprintf(path, sizeof(path), "%s/new-%zu", d->dir, i);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, cases[i].mode & ~cases[i].umask);
		assert_int_equal(st.st_uid, geteuid());
		assert_int_equal(aionl_file_unregister(d->ctx, c.open.handle), 0);
	}
}

static void test_returned_handle_writes_and_reads(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, "rw", O_RDWR | O_CREAT | O_TRUNC, 0600, 0);
	char out[4096], in[4096], path[400];
	struct aionl_req r;
	int fd;

	assert_int_equal(c.res, 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 3);
	aionl_req_write(&r, c.open.handle, out, sizeof(out), 4096, 1);
	assert_int_equal(run(d->ctx, &r), sizeof(out));
	aionl_req_fsync(&r, c.open.handle, 2);
	assert_int_equal(run(d->ctx, &r), 0);
	aionl_req_read(&r, c.open.handle, in, sizeof(in), 4096, 3);
	assert_int_equal(run(d->ctx, &r), sizeof(in));
	assert_memory_equal(in, out, sizeof(in));
	/* The same bytes through the file system. */
	snprintf(path, sizeof(path), "%s/rw", d->dir);
	fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, in, sizeof(in), 4096), sizeof(in));
	assert_memory_equal(in, out, sizeof(in));
	close(fd);
}

static void test_tmpfile(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, ".", O_TMPFILE | O_RDWR, 0600, 0);
	char buf[6] = "";
	struct aionl_req r;

	if (c.res == -EOPNOTSUPP)
		skip();	/* a filesystem without O_TMPFILE */
	assert_int_equal(c.res, 0);
	aionl_req_write(&r, c.open.handle, "hello", 5, 0, 1);
	assert_int_equal(run(d->ctx, &r), 5);
	aionl_req_read(&r, c.open.handle, buf, 5, 0, 2);
	assert_int_equal(run(d->ctx, &r), 5);
	assert_string_equal(buf, "hello");
}

/* ------------------------------------------------------------ errors */

static void test_errors_are_open_s(void **state)
{
	struct dirfix *d = *state;

	assert_int_equal(open_one(d->ctx, d->hdir, "missing", O_RDONLY, 0, 0).res, -ENOENT);
	assert_int_equal(open_one(d->ctx, AIONL_AT_CWD, "/nonexistent/aionl/x", O_RDONLY, 0, 0).res,
			 -ENOENT);
	assert_int_equal(open_one(d->ctx, d->hdir, "data", O_RDWR | O_CREAT | O_EXCL, 0600, 0).res,
			 -EEXIST);
	assert_int_equal(open_one(d->ctx, d->hdir, "data", O_RDONLY | O_DIRECTORY, 0, 0).res,
			 -ENOTDIR);
	assert_int_equal(open_one(d->ctx, d->hdir, "data/x", O_RDONLY, 0, 0).res, -ENOTDIR);
	assert_int_equal(open_one(d->ctx, d->hdir, ".", O_RDWR, 0, 0).res, -EISDIR);
}

/* A relative path from a handle that is not a directory: -ENOTDIR, as openat(2). */
static void test_relative_to_a_file_handle_is_enotdir(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, "data", O_RDONLY, 0, 0);

	assert_int_equal(c.res, 0);
	assert_int_equal(open_one(d->ctx, c.open.handle, "x", O_RDONLY, 0, 0).res, -ENOTDIR);
	/* An absolute one does not start there at all. */
	assert_int_equal(open_one(d->ctx, c.open.handle, d->file, O_RDONLY, 0, 0).res, 0);
}

static void test_directory_handle_of_another_socket_is_ebadf(void **state)
{
	struct dirfix *d = *state;
	struct aionl_ctx *other = open_ctx(0);
	uint64_t h;
	struct aionl_cqe c;

	assert_int_equal(aionl_file_register(other, d->dirfd, &h), 0);
	assert_int_equal(open_one(d->ctx, h, "data", O_RDONLY, 0, 0).res, -EBADF);
	/* ... and one unregistered since. */
	c = open_one(other, h, "data", O_RDONLY, 0, 0);
	assert_int_equal(c.res, 0);
	assert_int_equal(aionl_file_unregister(other, h), 0);
	assert_int_equal(open_one(other, h, "data", O_RDONLY, 0, 0).res, -EBADF);
	aionl_ctx_close(other);
}

/* The request's bounds: refused by the protocol, naming the attribute. */
static void test_flags_and_mode_outside_their_range_are_refused(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c;

	c = open_one(d->ctx, d->hdir, "data", O_RDONLY | O_ASYNC, 0, 0);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = open_one(d->ctx, d->hdir, "x", O_RDWR | O_CREAT, 010000, 0);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
	c = open_one(d->ctx, d->hdir, "data", O_RDONLY, 0, 0x100);
	assert_int_equal(c.res, -EINVAL);
	assert_true(c.flags & AIONL_CQE_F_REJECTED);
}

static void test_path_bounds(void **state)
{
	struct dirfix *d = *state;
	char *path = malloc(AIONL_MAX_PATH + 1);
	struct aionl_req r;

	/* AIONL_MAX_PATH bytes with the NUL is the most; the library refuses more. */
	memset(path, 'a', AIONL_MAX_PATH);
	path[AIONL_MAX_PATH] = '\0';
	aionl_req_open(&r, d->hdir, path, O_RDONLY, 0, 0, 1);
	assert_int_equal(aionl_submit(d->ctx, &r, 1), -ENAMETOOLONG);
	/* One fewer travels, and the kernel's open(2) judges it. */
	path[AIONL_MAX_PATH - 1] = '\0';
	assert_int_equal(open_one(d->ctx, d->hdir, path, O_RDONLY, 0, 0).res, -ENAMETOOLONG);
	aionl_req_open(&r, d->hdir, NULL, O_RDONLY, 0, 0, 1);
	assert_int_equal(aionl_submit(d->ctx, &r, 1), -EINVAL);
	free(path);
}

/*
 * The submitter's credentials, not the server's: the module's workers run as
 * root. Root drops to nobody in a child, which opens a context of its own.
 */
static void test_eacces_as_an_unprivileged_user(void **state)
{
	struct dirfix *d = *state;
	char secret[400];
	pid_t pid;
	int fd, status;

	snprintf(secret, sizeof(secret), "%s/secret", d->dir);
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	if (geteuid() != 0) {
		/* Not root: a file of our own that we may not read. */
		assert_int_equal(chmod(secret, 0), 0);
		assert_int_equal(open_one(d->ctx, d->hdir, "secret", O_RDONLY, 0, 0).res, -EACCES);
		return;
	}
	/* The child, nobody, may search the directory but not read the file. */
	assert_int_equal(chmod(d->dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aionl_params p = { 0 };
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;
		int code = 0;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (access(secret, R_OK) == 0 || errno != EACCES)
			_exit(11);	/* the test's premise */
		if (getenv("AIONL_TEST_NO_INLINE"))
			p.flags |= AIONL_PARAMS_NO_INLINE | AIONL_PARAMS_NO_DIRECT;
		if (aionl_ctx_open(&ctx, &p))
			_exit(12);
		aionl_req_open(&r, AIONL_AT_CWD, secret, O_RDONLY, 0, 0, 1);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
			_exit(13);
		if (c.res != -EACCES)
			code = 14;
		/* Nor may nobody create where only root writes. */
		aionl_req_open(&r, AIONL_AT_CWD, "/aionl-open-test-must-not-exist", O_WRONLY | O_CREAT,
			       0600, 0, 2);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
			_exit(15);
		if (c.res != -EACCES && !code)
			code = 16;
		/* The file nobody may read: through the socket, as through open(2). */
		aionl_req_open(&r, AIONL_AT_CWD, d->file, O_RDONLY, 0, 0, 3);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
			_exit(17);
		if (c.res != 0 && !code)
			code = 18;
		aionl_ctx_close(ctx);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access("/aionl-open-test-must-not-exist", F_OK), -1);
}

/*
 * The submitter's RLIMIT_NOFILE bounds the files its socket holds, as it
 * bounds its own table: a child with a small limit opens until -EMFILE.
 */
static void test_rlimit_nofile_bounds_what_opens_register(void **state)
{
	struct dirfix *d = *state;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 64, 64 };
		struct aionl_params p = { 0 };
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;
		int ok = 0, emfile = 0;

		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(10);
		if (aionl_ctx_open(&ctx, &p))
			_exit(11);
		for (int i = 0; i < 100; i++) {
			aionl_req_open(&r, AIONL_AT_CWD, d->file, O_RDONLY, 0, 0, i);
			if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1)
				_exit(12);
			if (c.res == 0)
				ok++;
			else if (c.res == -EMFILE)
				emfile++;
			else
				_exit(13);
		}
		aionl_ctx_close(ctx);
		_exit(ok > 0 && ok <= 64 && emfile == 100 - ok ? 0 : 14);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ------------------------------------------------------------ cancel */

/*
 * The OPENs of a FIFO without a writer wait in open(2). Past
 * AIONL_MAX_OPENS_RUNNING the next waits its turn, not started: a cancel ends
 * it with -ECANCELED, exactly once. The running ones complete with their
 * result once a writer comes, and nothing leaks.
 */
static void test_cancel_of_a_pending_open(void **state)
{
	struct dirfix *d = *state;
	enum { N = AIONL_MAX_OPENS_RUNNING + 1 };
	char fifo[400];
	struct aionl_req r[N], cancel;
	struct aionl_cqe c[N + 4];
	unsigned int seen[N] = { 0 }, cancel_seen = 0;
	uint64_t handles[N];
	int nh = 0, wfd, before_low, before_all, got = 0;
	struct timespec ten_ms = { 0, 10000000 };

	snprintf(fifo, sizeof(fifo), "%s/fifo", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	before_low = count_fds(FD_SETSIZE);
	before_all = count_fds(INT_MAX);
	for (int i = 0; i < N; i++)
		aionl_req_open(&r[i], d->hdir, "fifo", O_RDONLY, 0, 0, 100 + i);
	submit(d->ctx, r, N);
	/* Nothing completes: every one waits for a writer, or for its turn. */
	assert_int_equal(aionl_reap(d->ctx, c, N, 1, &(struct timespec){ 0, 200000000 }), 0);
	aionl_req_cancel(&cancel, 100 + N - 1, 0, 999);
	submit(d->ctx, &cancel, 1);
	while (got < 2) {
		int n = aionl_reap(d->ctx, c, 2, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			if (c[i].cookie == 999) {
				assert_int_equal(c[i].res, 1);
				cancel_seen++;
			} else {
				assert_true(c[i].cookie == 100 + N - 1);
				assert_int_equal(c[i].res, -ECANCELED);
				seen[N - 1]++;
			}
		}
		got += n;
	}
	assert_int_equal(cancel_seen, 1);
	assert_int_equal(seen[N - 1], 1);
	/* A writer: the others open, each once, with a handle. */
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(wfd >= 0);
	got = 0;
	while (got < N - 1) {
		int n = aionl_reap(d->ctx, c, N + 4, 1, NULL);

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			int k = (int)(c[i].cookie - 100);

			assert_true(k >= 0 && k < N - 1);
			assert_int_equal(c[i].res, 0);
			seen[k]++;
			handles[nh++] = c[i].open.handle;
		}
		got += n;
	}
	for (int k = 0; k < N; k++)
		assert_int_equal(seen[k], 1);
	/* No completion more. */
	assert_int_equal(aionl_reap(d->ctx, c, N + 4, 1, &ten_ms), 0);
	/* The files opened are the FIFO's readers: what is written, one of them reads. */
	assert_int_equal(write(wfd, "x", 1), 1);
	for (int i = 0; i < nh; i++)
		assert_int_equal(aionl_file_unregister(d->ctx, handles[i]), 0);
	close(wfd);
	assert_int_equal(count_fds(FD_SETSIZE), before_low);
	assert_int_equal(count_fds(INT_MAX), before_all);
}

/* Threads of this process blocked in openat(2) now (/proc/self/task/<tid>/syscall). */
static int threads_in_openat(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[300], buf[64];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && atoi(buf) == SYS_openat)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * As many blocking OPENs as may run (AIONL_MAX_OPENS_RUNNING) do run at
 * once: on the threads executor, each in a worker of its own, the pool
 * growing past the 4 it keeps (it ran 4 of them at a time before). Then a
 * writer comes and every one completes, once.
 */
static void test_blocking_opens_each_get_a_worker(void **state)
{
	struct dirfix *d = *state;
	enum { N = AIONL_MAX_OPENS_RUNNING };
	struct aionl_info info;
	struct aionl_req r[N];
	struct aionl_cqe c[N];
	uint64_t handles[N];
	int wfd, got = 0, blocked = 0;
	char fifo[400];

	assert_int_equal(aionl_ctx_info(d->ctx, &info), 0);
	snprintf(fifo, sizeof(fifo), "%s/fifo", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (int i = 0; i < N; i++)
		aionl_req_open(&r[i], d->hdir, "fifo", O_RDONLY, 0, 0, 300 + i);
	submit(d->ctx, r, N);
	/* Checked at the end: a failure here would leave the OPENs, and close, waiting. */
	if (info.backend == AIONL_BACKEND_USER && info.executor == AIONL_EXEC_THREADS)
		for (int t = 0; t < 500 && (blocked = threads_in_openat()) < N; t++)
			usleep(10000);
	else
		blocked = N;
	/* ENXIO while no OPEN has reached the FIFO yet. */
	for (int t = 0; (wfd = open(fifo, O_WRONLY | O_NONBLOCK)) < 0 && t < 500; t++)
		usleep(10000);
	assert_true(wfd >= 0);
	while (got < N) {
		int n = aionl_reap(d->ctx, c, N, 1, &(struct timespec){ 10, 0 });

		assert_true(n > 0);
		for (int i = 0; i < n; i++) {
			assert_true(c[i].cookie >= 300 && c[i].cookie < 300 + N);
			assert_int_equal(c[i].res, 0);
			handles[got + i] = c[i].open.handle;
		}
		got += n;
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(aionl_file_unregister(d->ctx, handles[i]), 0);
	close(wfd);
	assert_int_equal(blocked, N);
}

/*
 * A cancel of an OPEN that may be running: it completes exactly once,
 * -ECANCELED if it had not started, else with its result.
 */
static void test_cancel_of_a_running_open_completes_once(void **state)
{
	struct dirfix *d = *state;
	char fifo[400];
	struct aionl_req r, cancel;
	struct aionl_cqe c[4];
	int wfd, got = 0, mine = 0;
	int64_t res = 1;
	uint64_t h = 0;

	snprintf(fifo, sizeof(fifo), "%s/fifo1", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	aionl_req_open(&r, d->hdir, "fifo1", O_RDONLY, 0, 0, 5);
	submit(d->ctx, &r, 1);
	usleep(100000);
	aionl_req_cancel(&cancel, 5, 0, 6);
	submit(d->ctx, &cancel, 1);
	/* The cancel's own completion comes at once; a running open's waits for a writer. */
	do {
		int n = aionl_reap(d->ctx, c, 4, 1, NULL);

		for (int i = 0; i < n; i++) {
			if (c[i].cookie == 6) {
				assert_int_equal(c[i].res, 1);
			} else {
				assert_true(c[i].cookie == 5);
				res = c[i].res;
				h = c[i].open.handle;
				mine++;
			}
		}
		got += n;
	} while (got < 1);
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	if (mine == 0) {
		/* It was running: a writer lets it finish, with its handle. */
		assert_true(wfd >= 0);
		assert_int_equal(aionl_reap(d->ctx, c, 4, 1, NULL), 1);
		assert_true(c[0].cookie == 5);
		res = c[0].res;
		h = c[0].open.handle;
		mine++;
	}
	assert_true(res == 0 || res == -ECANCELED);
	if (res == 0)
		assert_int_equal(aionl_file_unregister(d->ctx, h), 0);
	assert_int_equal(aionl_reap(d->ctx, c, 4, 1, &(struct timespec){ 0, 20000000 }), 0);
	assert_int_equal(mine, 1);
	if (wfd >= 0)
		close(wfd);
}

/*
 * A context closed with OPENs waiting their turn: they end there, those
 * that ran keep nothing open, and nothing leaks. (The running ones get a
 * writer first: close waits for I/O in flight, and a threads worker's
 * open(2) of a FIFO cannot be interrupted.)
 */
static void test_close_with_waiting_opens(void **state)
{
	struct dirfix *d = *state;
	enum { N = AIONL_MAX_OPENS_RUNNING + 8 };
	int before = count_fds(INT_MAX), wfd;
	struct aionl_ctx *ctx = open_ctx(0);
	char fifo[400];
	struct aionl_req r[N];
	struct aionl_cqe c[N];
	uint64_t h;

	snprintf(fifo, sizeof(fifo), "%s/fifo2", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(aionl_file_register(ctx, d->dirfd, &h), 0);
	for (int i = 0; i < N; i++)
		aionl_req_open(&r[i], h, "fifo2", O_RDONLY, 0, i % 2 ? AIONL_OPEN_FD : 0, i);
	submit(ctx, r, N);
	assert_int_equal(aionl_reap(ctx, c, N, 1, &(struct timespec){ 0, 100000000 }), 0);
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(wfd >= 0);
	aionl_ctx_close(ctx);
	close(wfd);
	assert_int_equal(count_fds(INT_MAX), before);
}

/* Wait for pid at most seconds: its exit status, or -1 after killing it. */
static int wait_bounded(pid_t pid, int seconds)
{
	int status;

	for (int i = 0; i < seconds * 100; i++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * A process that exits with an OPEN waiting for a FIFO's writer: its exit
 * does not wait for one (the module's release interrupts the open; the
 * engine's threads go with the process).
 */
static void test_exit_with_a_running_fifo_open(void **state)
{
	struct dirfix *d = *state;
	char fifo[400];
	pid_t pid;

	snprintf(fifo, sizeof(fifo), "%s/fifo3", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;

		if (aionl_ctx_open(&ctx, NULL))
			_exit(10);
		aionl_req_open(&r, AIONL_AT_CWD, fifo, O_RDONLY, 0, 0, 1);
		if (aionl_submit(ctx, &r, 1) != 1)
			_exit(11);
		/* It waits: nothing completes. */
		if (aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 0, 200000000 }) != 0)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(wait_bounded(pid, 20), 0);
}

/*
 * Closing a context interrupts an OPEN that waits for a FIFO's writer, where
 * the server can interrupt it: the module, and io_uring's workers. (A threads
 * worker's open(2) cannot be: close waits for it, as for I/O in flight.)
 */
static void test_close_interrupts_a_running_fifo_open(void **state)
{
	struct dirfix *d = *state;
	struct aionl_info info;
	char fifo[400];
	pid_t pid;

	assert_int_equal(aionl_ctx_info(d->ctx, &info), 0);
	if (info.executor == AIONL_EXEC_THREADS)
		skip();
	snprintf(fifo, sizeof(fifo), "%s/fifo4", d->dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* In a child, so that a close that hangs fails the test instead of hanging it. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aionl_params p = { 0 };
		struct aionl_ctx *ctx;
		struct aionl_req r[3];
		struct aionl_cqe c;
		int before = count_fds(INT_MAX);

		if (aionl_ctx_open(&ctx, &p))
			_exit(10);
		for (int i = 0; i < 3; i++)
			aionl_req_open(&r[i], AIONL_AT_CWD, fifo, O_RDONLY, 0, i % 2 ? AIONL_OPEN_FD : 0, i);
		if (aionl_submit(ctx, r, 3) != 3)
			_exit(11);
		if (aionl_reap(ctx, &c, 1, 1, &(struct timespec){ 0, 200000000 }) != 0)
			_exit(12);
		aionl_ctx_close(ctx);
		_exit(count_fds(INT_MAX) == before ? 0 : 13);
	}
	assert_int_equal(wait_bounded(pid, 20), 0);
}

/* ------------------------------------------------------------ registering */

/*
 * Registering never asks the file's filesystem (an fstat() could wait on a
 * hung FUSE or NFS server): with fstat and newfstatat failing in every thread
 * of the process (the engine's too), registering works all the same.
 */
static void test_register_makes_no_fstat(void **state)
{
	struct dirfix *d = *state;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fstat, 2, 0),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_newfstatat, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO),
		};
		struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
		struct aionl_params p = { 0 };
		struct aionl_ctx *ctx;
		struct aionl_req r;
		struct aionl_cqe c;
		struct stat st;
		char buf[64];
		uint64_t h;
		int fd = open(d->file, O_RDONLY);

		if (fd < 0 || aionl_ctx_open(&ctx, &p))
			_exit(10);
		/* Every thread, the engine's included. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog))
			_exit(11);
		if (fstat(fd, &st) == 0 || errno != EIO)
			_exit(12);	/* the premise */
		if (aionl_file_register(ctx, fd, &h))
			_exit(13);
		aionl_req_read(&r, h, buf, sizeof(buf), 0, 1);
		if (aionl_submit(ctx, &r, 1) != 1 || aionl_reap(ctx, &c, 1, 1, NULL) != 1 ||
		    c.res != (int64_t)strlen(FILE_DATA))
			_exit(14);
		_exit(0);
	}
	assert_int_equal(wait_bounded(pid, 20), 0);
}

/* ------------------------------------------------------------ descriptors */

static void assert_same_file(int fd, const char *path)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static void test_open_fd_gives_a_working_descriptor_above_the_floor(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, "data", O_RDONLY, 0, AIONL_OPEN_FD);
	char buf[64] = "";

	assert_int_equal(c.res, 0);
	assert_true(c.flags & AIONL_CQE_F_FD);
	assert_true(c.open.fd >= fd_floor());
	assert_true(fcntl(c.open.fd, F_GETFD) & FD_CLOEXEC);
	assert_same_file(c.open.fd, d->file);
	assert_int_equal(pread(c.open.fd, buf, sizeof(buf), 0), strlen(FILE_DATA));
	assert_string_equal(buf, FILE_DATA);
	/* The program's own: closing it leaves the handle working. */
	close(c.open.fd);
	assert_reads_data(d->ctx, c.open.handle);
	assert_int_equal(aionl_file_unregister(d->ctx, c.open.handle), 0);
}

/* Many at once, some failing: each success has its own descriptor, the failures none. */
static void test_open_fd_in_a_batch(void **state)
{
	struct dirfix *d = *state;
	enum { N = 40 };
	struct aionl_req r[N];
	struct aionl_cqe c[N];
	int got = 0, before = count_fds(INT_MAX);

	for (int i = 0; i < N; i++)
		aionl_req_open(&r[i], d->hdir, i % 3 ? "data" : "missing", O_RDONLY, 0,
			       AIONL_OPEN_FD, i);
	submit(d->ctx, r, N);
	while (got < N) {
		int n = aionl_reap(d->ctx, c + got, N - got, 1, NULL);

		assert_true(n > 0);
		got += n;
	}
	for (int i = 0; i < N; i++) {
		if (c[i].cookie % 3 == 0) {
			assert_int_equal(c[i].res, -ENOENT);
			assert_false(c[i].flags & AIONL_CQE_F_FD);
			continue;
		}
		assert_int_equal(c[i].res, 0);
		assert_true(c[i].flags & AIONL_CQE_F_FD);
		assert_true(c[i].open.fd >= fd_floor());
		assert_same_file(c[i].open.fd, d->file);
		for (int j = 0; j < i; j++)
			if (c[j].res == 0)
				assert_int_not_equal(c[j].open.fd, c[i].open.fd);
	}
	for (int i = 0; i < N; i++) {
		if (c[i].res == 0) {
			close(c[i].open.fd);
			assert_int_equal(aionl_file_unregister(d->ctx, c[i].open.handle), 0);
		}
	}
	assert_int_equal(count_fds(INT_MAX), before);
}

/* A completion with a descriptor that nobody reaps: closing the context closes it. */
static void test_unreaped_descriptors_go_with_the_context(void **state)
{
	struct dirfix *d = *state;
	int before = count_fds(INT_MAX);
	struct aionl_ctx *ctx = open_ctx(0);
	uint64_t h;
	struct aionl_req r[8];
	struct aionl_req nop;

	assert_int_equal(aionl_file_register(ctx, d->dirfd, &h), 0);
	for (int i = 0; i < 8; i++)
		aionl_req_open(&r[i], h, "data", O_RDONLY, 0, AIONL_OPEN_FD, i);
	submit(ctx, r, 8);
	/* A NOP behind them: once it is here, they all are, or are on their way. */
	aionl_req_nop(&nop, 100);
	submit(ctx, &nop, 1);
	usleep(200000);
	aionl_ctx_close(ctx);
	assert_int_equal(count_fds(INT_MAX), before);
}

static void test_file_install(void **state)
{
	struct dirfix *d = *state;
	struct aionl_cqe c = open_one(d->ctx, d->hdir, "data", O_RDONLY, 0, 0);
	int fd, fd2;
	char buf[64] = "";

	assert_int_equal(c.res, 0);
	fd = aionl_file_install(d->ctx, c.open.handle, 0);
	assert_true(fd >= fd_floor());
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_same_file(fd, d->file);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), strlen(FILE_DATA));
	fd2 = aionl_file_install(d->ctx, c.open.handle, AIONL_INSTALL_NO_CLOEXEC);
	assert_true(fd2 >= fd_floor() && fd2 != fd);
	assert_false(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	/* The same open file: one offset between them. */
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	assert_int_equal(lseek(fd2, 0, SEEK_CUR), 3);
	close(fd);
	close(fd2);
	/* Any handle: a registered directory too. */
	fd = aionl_file_install(d->ctx, d->hdir, 0);
	assert_true(fd >= 0);
	assert_same_file(fd, d->dir);
	close(fd);
	assert_int_equal(aionl_file_install(d->ctx, c.open.handle, 0x80), -EINVAL);
	assert_int_equal(aionl_file_unregister(d->ctx, c.open.handle), 0);
	assert_int_equal(aionl_file_install(d->ctx, c.open.handle, 0), -EBADF);
	assert_int_equal(aionl_file_install(d->ctx, 0, 0), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, dsetup, dteardown)
		T(test_relative_to_a_directory_handle),
		T(test_absolute_path),
		T(test_relative_to_the_working_directory),
		T(test_dotdot_climbs_from_the_directory),
		T(test_absolute_symlink_starts_at_the_root),
		T(test_an_opened_directory_is_a_directory_handle),
		T(test_creat_applies_mode_and_umask),
		T(test_returned_handle_writes_and_reads),
		T(test_tmpfile),
		T(test_errors_are_open_s),
		T(test_relative_to_a_file_handle_is_enotdir),
		T(test_directory_handle_of_another_socket_is_ebadf),
		T(test_flags_and_mode_outside_their_range_are_refused),
		T(test_path_bounds),
		T(test_eacces_as_an_unprivileged_user),
		T(test_rlimit_nofile_bounds_what_opens_register),
		T(test_cancel_of_a_pending_open),
		T(test_cancel_of_a_running_open_completes_once),
		T(test_blocking_opens_each_get_a_worker),
		T(test_close_with_waiting_opens),
		T(test_exit_with_a_running_fifo_open),
		T(test_close_interrupts_a_running_fifo_open),
		T(test_register_makes_no_fstat),
		T(test_open_fd_gives_a_working_descriptor_above_the_floor),
		T(test_open_fd_in_a_batch),
		T(test_unreaped_descriptors_go_with_the_context),
		T(test_file_install),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
