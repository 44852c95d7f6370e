// SPDX-License-Identifier: MIT
/*
 * Copy one file to another filesystem with one AIO socket per filesystem,
 * as the original design has it: a context bound to the source's filesystem
 * and one bound to the destination's (aionl_params.bind_fd), each with
 * execution resources of its own and taking files of its filesystem only.
 * Both files are opened through their sockets (OPEN requests), so the
 * opens run in the engines or the module, not in this thread; the copy keeps
 * a few chunks in flight, and one select() on the two contexts' descriptors
 * is the only wait for I/O. (Binding looks the paths up here, O_PATH, and
 * the same-file check and the truncation use installed descriptors here:
 * small synchronous steps an example may take.)
 *
 * usage: fs_copy SRC DST
 * DST is created (0666 before the umask) or truncated, only once SRC is
 * open, readable as a file, and not DST itself, which is refused as cp
 * refuses it. On success it prints
 * "fs_copy: N bytes from SRC to DST" and exits 0; on any error it names the
 * file and the reason on stderr and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <aionl.h>

/* Cookies: the kind in the top byte, a slot below. */
enum { K_OPEN_SRC = 1, K_OPEN_DST, K_READ, K_WRITE, K_FSYNC };
#define COOKIE(kind, i) ((uint64_t)(kind) << 56 | (uint64_t)(i))
#define KIND(c) ((int)((c) >> 56))
#define INDEX(c) ((unsigned int)((c) & 0xffffffffu))

/*
 * Four chunks of 256 KiB: enough that a read of the next chunk overlaps the
 * write of the last one on each filesystem, few enough to read at a glance.
 */
#define SLOTS 4
#define CHUNK (256 * 1024)
#define NO_EOF UINT64_MAX

enum slot_state { IDLE, READING, WRITING };

struct slot {
	enum slot_state state;
	uint64_t off;		/* of the chunk in both files */
	uint64_t have;		/* bytes of the chunk read so far */
	uint64_t written;	/* of those, bytes written so far */
	char *buf;
};

struct copy {
	const char *src, *dst;
	struct aionl_ctx *sctx, *dctx;	/* the source's and the destination's */
	uint64_t shandle, dhandle;
	uint64_t next_off;		/* the next chunk to read */
	uint64_t eof;			/* the source's size, once a read found it */
	uint64_t copied;		/* bytes read and written in full */
	bool syncing, done;
	struct slot slots[SLOTS];
};

static void fail_call(const char *what)
{
	fprintf(stderr, "fs_copy: %s: %s\n", what, aionl_error_message());
	exit(1);
}

/*
 * A context bound to the filesystem path is on, path naming file in
 * messages. The path is opened O_PATH only, which reads nothing, and the
 * descriptor binds the context (AIONL_PARAMS_BIND_FD).
 */
static struct aionl_ctx *open_bound(const char *path, const char *file)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	struct aionl_params p = { .flags = AIONL_PARAMS_BIND_FD, .bind_fd = fd };
	struct aionl_ctx *ctx;

	if (fd < 0) {
		fprintf(stderr, "fs_copy: open %s: %s\n", file, strerror(errno));
		exit(1);
	}
	if (aionl_ctx_open(&ctx, &p))
		fail_call("opening a context");
	close(fd);
	return ctx;
}

/* The directory DST is made in: what the new file's filesystem is. */
static char *parent_of(const char *path)
{
	char *dir = strdup(path), *slash;

	if (!dir) {
		fprintf(stderr, "fs_copy: out of memory\n");
		exit(1);
	}
	slash = strrchr(dir, '/');
	if (!slash)
		return strcpy(dir, ".");
	if (slash == dir)
		slash[1] = '\0';	/* "/x": the root */
	else
		*slash = '\0';
	return dir;
}

/* A completion's res: the I/O's own -errno, not a failed call's. */
static void fail_io(const char *what, const char *path, int64_t res, uint32_t flags)
{
	fprintf(stderr, "fs_copy: %s %s: %s%s\n", what, path, strerror((int)-res),
		flags & AIONL_CQE_F_REJECTED ? " (request refused by validation)" : "");
	exit(1);
}

static void submit(struct aionl_ctx *ctx, const struct aionl_req *r)
{
	int n = aionl_submit(ctx, r, 1);

	/*
	 * At most SLOTS + 1 requests are ever outstanding, far under
	 * max_inflight: -EBUSY here would be a bug, not back-pressure.
	 */
	if (n != 1)
		fail_call("submit");
}

static void slot_read(struct copy *c, unsigned int i)
{
	struct slot *s = &c->slots[i];
	struct aionl_req r;

	s->state = READING;
	aionl_req_read(&r, c->shandle, s->buf + s->have, CHUNK - s->have, s->off + s->have,
		       COOKIE(K_READ, i));
	submit(c->sctx, &r);
}

static void slot_write(struct copy *c, unsigned int i)
{
	struct slot *s = &c->slots[i];
	struct aionl_req r;

	s->state = WRITING;
	aionl_req_write(&r, c->dhandle, s->buf + s->written, s->have - s->written,
			s->off + s->written, COOKIE(K_WRITE, i));
	submit(c->dctx, &r);
}

/* Give an idle slot the next chunk; once none is left and all are idle, fsync. */
static void slot_next(struct copy *c, unsigned int i)
{
	struct slot *s = &c->slots[i];
	struct aionl_req r;

	s->state = IDLE;
	if (c->next_off < c->eof) {
		*s = (struct slot){ .state = IDLE, .off = c->next_off, .buf = s->buf };
		c->next_off += CHUNK;
		slot_read(c, i);
		return;
	}
	for (unsigned int k = 0; k < SLOTS; k++)
		if (c->slots[k].state != IDLE)
			return;
	if (c->syncing)
		return;
	/*
	 * A write's completion means the page cache has the bytes; the
	 * filesystem may still fail to store them. fsync reports that here,
	 * before we say the copy is done.
	 */
	c->syncing = true;
	aionl_req_fsync(&r, c->dhandle, COOKIE(K_FSYNC, 0));
	submit(c->dctx, &r);
}

static void start(struct copy *c)
{
	for (unsigned int i = 0; i < SLOTS; i++)
		slot_next(c, i);
}

static void on_read(struct copy *c, unsigned int i, const struct aionl_cqe *cqe)
{
	struct slot *s = &c->slots[i];

	if (cqe->res < 0)
		fail_io("read", c->src, cqe->res, cqe->flags);
	if (cqe->res == 0) {
		/*
		 * End of file: nothing at or past off + have. Reads of later
		 * chunks still in flight find nothing either, and no new
		 * ones start.
		 */
		if (s->off + s->have < c->eof)
			c->eof = s->off + s->have;
		if (s->have)
			slot_write(c, i);
		else
			slot_next(c, i);
		return;
	}
	s->have += (uint64_t)cqe->res;
	/*
	 * A short read is not taken for the end of the file: the rest of the
	 * chunk is asked for, and only a read that returns 0 says where the
	 * file ends. That costs one read per file, and never truncates a copy.
	 */
	if (s->have < CHUNK)
		slot_read(c, i);
	else
		slot_write(c, i);
}

static void on_write(struct copy *c, unsigned int i, const struct aionl_cqe *cqe)
{
	struct slot *s = &c->slots[i];

	if (cqe->res < 0)
		fail_io("write", c->dst, cqe->res, cqe->flags);
	/* write(2) of a non-empty buffer to a regular file never returns 0. */
	if (cqe->res == 0)
		fail_io("write", c->dst, -EIO, 0);
	s->written += (uint64_t)cqe->res;
	if (s->written < s->have) {
		slot_write(c, i);	/* a short write: the rest of the chunk */
		return;
	}
	c->copied += s->have;
	slot_next(c, i);
}

/* st of a handle's file, through a descriptor the socket hands back. */
static void stat_handle(struct aionl_ctx *ctx, uint64_t handle, const char *path, struct stat *st)
{
	int fd = aionl_file_install(ctx, handle, 0);

	if (fd < 0)
		fail_call("install");
	if (fstat(fd, st) < 0) {
		fprintf(stderr, "fs_copy: fstat %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/*
 * DST is opened only once SRC is, and without O_TRUNC: nothing of it
 * changes before SRC is known to be a file to read and not DST itself (cp
 * refuses "are the same file"; a truncating open had already emptied it).
 * Then it is emptied, through its own descriptor.
 */
static void on_open(struct copy *c, bool src, const struct aionl_cqe *cqe)
{
	struct aionl_req r;
	struct stat ss, ds;
	int fd;

	if (cqe->res < 0)
		fail_io("open", src ? c->src : c->dst, cqe->res, cqe->flags);
	if (src) {
		c->shandle = cqe->open.handle;
		stat_handle(c->sctx, c->shandle, c->src, &ss);
		if (S_ISDIR(ss.st_mode)) {
			fprintf(stderr, "fs_copy: read %s: %s\n", c->src, strerror(EISDIR));
			exit(1);
		}
		aionl_req_open(&r, AIONL_AT_CWD, c->dst, O_WRONLY | O_CREAT, 0666, 0,
			       COOKIE(K_OPEN_DST, 0));
		submit(c->dctx, &r);
		return;
	}
	c->dhandle = cqe->open.handle;
	stat_handle(c->sctx, c->shandle, c->src, &ss);
	stat_handle(c->dctx, c->dhandle, c->dst, &ds);
	if (ss.st_dev == ds.st_dev && ss.st_ino == ds.st_ino) {
		fprintf(stderr, "fs_copy: %s and %s are the same file\n", c->src, c->dst);
		exit(1);
	}
	fd = aionl_file_install(c->dctx, c->dhandle, 0);
	if (fd < 0)
		fail_call("install");
	if (ftruncate(fd, 0) < 0) {
		fprintf(stderr, "fs_copy: truncate %s: %s\n", c->dst, strerror(errno));
		exit(1);
	}
	close(fd);
	start(c);
}

static void handle(struct copy *c, const struct aionl_cqe *cqe)
{
	unsigned int i = INDEX(cqe->cookie);

	switch (KIND(cqe->cookie)) {
	case K_OPEN_SRC:
		on_open(c, true, cqe);
		break;
	case K_OPEN_DST:
		on_open(c, false, cqe);
		break;
	case K_READ:
		on_read(c, i, cqe);
		break;
	case K_WRITE:
		on_write(c, i, cqe);
		break;
	case K_FSYNC:
		if (cqe->res < 0)
			fail_io("fsync", c->dst, cqe->res, cqe->flags);
		c->done = true;
		break;
	default:
		fprintf(stderr, "fs_copy: unexpected completion %#" PRIx64 "\n", cqe->cookie);
		exit(1);
	}
}

/* Reap everything a context holds, without blocking: select() said it is readable. */
static void reap_all(struct copy *c, struct aionl_ctx *ctx)
{
	struct aionl_cqe cqes[16];
	int n;

	while ((n = aionl_reap(ctx, cqes, 16, 0, NULL)) > 0)
		for (int k = 0; k < n; k++)
			handle(c, &cqes[k]);
	if (n < 0)
		fail_call("reap");
}

/*
 * The bytes counted are the bytes that reached the destination; check that
 * they are the whole source and that the destination holds exactly them,
 * through a descriptor of the destination the socket hands back.
 */
static void verify(struct copy *c)
{
	struct stat st;
	int fd;

	if (c->copied != c->eof) {
		fprintf(stderr, "fs_copy: %s: copied %" PRIu64 " bytes of %" PRIu64
			" (did it change during the copy?)\n", c->src, c->copied, c->eof);
		exit(1);
	}
	fd = aionl_file_install(c->dctx, c->dhandle, 0);
	if (fd < 0)
		fail_call("install");
	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "fs_copy: fstat %s: %s\n", c->dst, strerror(errno));
		exit(1);
	}
	close(fd);
	if ((uint64_t)st.st_size != c->copied) {
		fprintf(stderr, "fs_copy: %s holds %lld bytes, not %" PRIu64 "\n", c->dst,
			(long long)st.st_size, c->copied);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static struct copy c = { .eof = NO_EOF };
	struct aionl_req r;
	char *dst_dir;

	if (argc != 3) {
		fprintf(stderr, "usage: fs_copy SRC DST\n");
		return 2;
	}
	c.src = argv[1];
	c.dst = argv[2];
	for (unsigned int i = 0; i < SLOTS; i++) {
		c.slots[i].buf = malloc(CHUNK);
		if (!c.slots[i].buf) {
			fprintf(stderr, "fs_copy: out of memory\n");
			return 1;
		}
	}

	/*
	 * One context per filesystem, bound to it: a filesystem that stalls
	 * holds only its own socket's requests, and a file of the wrong one
	 * would be refused (-EXDEV) rather than share a socket.
	 */
	dst_dir = parent_of(c.dst);
	c.sctx = open_bound(c.src, c.src);
	c.dctx = open_bound(dst_dir, c.dst);
	free(dst_dir);

	/*
	 * select() takes descriptors below FD_SETSIZE only. The library keeps
	 * its own descriptors above that range so the contexts' stay low;
	 * check rather than corrupt the stack if a program used them all up.
	 */
	if (aionl_ctx_fd(c.sctx) >= FD_SETSIZE || aionl_ctx_fd(c.dctx) >= FD_SETSIZE) {
		fprintf(stderr, "fs_copy: a context's descriptor is past FD_SETSIZE\n");
		return 1;
	}

	/* The opens run in the engine or the module, each against its own filesystem. */
	/* DST follows once SRC is open (on_open). */
	aionl_req_open(&r, AIONL_AT_CWD, c.src, O_RDONLY, 0, 0, COOKIE(K_OPEN_SRC, 0));
	submit(c.sctx, &r);

	while (!c.done) {
		int sfd = aionl_ctx_fd(c.sctx), dfd = aionl_ctx_fd(c.dctx);
		fd_set rfds;

		FD_ZERO(&rfds);
		FD_SET(sfd, &rfds);
		FD_SET(dfd, &rfds);
		if (select((sfd > dfd ? sfd : dfd) + 1, &rfds, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			perror("fs_copy: select");
			return 1;
		}
		if (FD_ISSET(sfd, &rfds))
			reap_all(&c, c.sctx);
		if (FD_ISSET(dfd, &rfds))
			reap_all(&c, c.dctx);
	}
	verify(&c);
	printf("fs_copy: %" PRIu64 " bytes from %s to %s\n", c.copied, c.src, c.dst);

	/* Closing unregisters, and closes, both files. */
	aionl_ctx_close(c.sctx);
	aionl_ctx_close(c.dctx);
	for (unsigned int i = 0; i < SLOTS; i++)
		free(c.slots[i].buf);
	return 0;
}
