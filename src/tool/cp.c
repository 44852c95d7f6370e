// SPDX-License-Identifier: MIT
/*
 * aionl cp: an asynchronous copy, with --verify and a progress bar. Where the
 * server serves COPY and the kernel copies between the two files, the file
 * goes by COPY requests (copy_file_range(2): the filesystem may share the
 * blocks or copy on its server, and no byte passes through this process);
 * elsewhere (another filesystem, a special file, a server without COPY),
 * and with --no-copy, by a pipeline of reads and writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

struct cp_slot {
	char *buf;
	uint64_t off;		/* of the chunk in the files */
	uint64_t len;		/* of the chunk */
	uint64_t done;		/* bytes of the current phase finished */
	int phase;		/* 0 idle, 1 reading, 2 writing / reading the copy */
	char *buf2;		/* --verify: the copy's bytes */
	uint64_t done2;
};

struct cp {
	struct aionl_ctx *ctx;
	const char *src, *dst;
	uint64_t hsrc, hdst;
	uint64_t size, bs, next_off, finished;
	unsigned int qd;
	struct tool_cp *o;
	struct cp_slot *slots;
	struct aionl_req *reqs;
	unsigned int nreqs;
	bool progress;
	double t0, last_draw;
	const char *what;
};

static void cp_progress(struct cp *c, bool final)
{
	double t = tool_now_sec(), el = t - c->t0;
	int width = 30, fill;
	double frac;

	if (!c->progress || (!final && t - c->last_draw < 0.1))
		return;
	c->last_draw = t;
	frac = c->size ? (double)c->finished / c->size : 1.0;
	fill = (int)(frac * width);
	printf("\r%-7s [%.*s%*s] %3d%% %8.1f MiB/s", c->what, fill,
	       "##############################", width - fill, "", (int)(frac * 100),
	       el > 0 ? c->finished / el / 1048576.0 : 0.0);
	if (final)
		putchar('\n');
	fflush(stdout);
}

static void queue_io(struct cp *c, uint8_t op, uint64_t h, char *buf, uint64_t len,
		     uint64_t off, uint64_t cookie)
{
	struct aionl_req *r = &c->reqs[c->nreqs++];

	if (op == AIONL_OP_READ)
		aionl_req_read(r, h, buf, len, off, cookie);
	else
		aionl_req_write(r, h, buf, len, off, cookie);
}

static void submit_all(struct cp *c)
{
	unsigned int done = 0;

	while (done < c->nreqs) {
		int n = aionl_submit(c->ctx, c->reqs + done, c->nreqs - done);

		if (n < 0)
			tool_die("submitting I/O: %s", aionl_error_message());
		done += n;
	}
	c->nreqs = 0;
}

/* Cookie: slot index in the low 32 bits, which file in bit 32. */
#define COOKIE_DST (1ULL << 32)

static void cp_start_chunk(struct cp *c, unsigned int i, bool verify)
{
	struct cp_slot *s = &c->slots[i];

	s->off = c->next_off;
	s->len = c->size - s->off < c->bs ? c->size - s->off : c->bs;
	s->done = s->done2 = 0;
	s->phase = 1;
	c->next_off += s->len;
	queue_io(c, AIONL_OP_READ, c->hsrc, s->buf, s->len, s->off, i);
	if (verify)
		queue_io(c, AIONL_OP_READ, c->hdst, s->buf2, s->len, s->off, i | COOKIE_DST);
}

static void io_fail(const char *file, const char *what, int64_t res)
{
	if (res < 0)
		tool_die("%s: %s: %s", file, what, strerror((int)-res));
	tool_die("%s: %s: unexpected end of file (did it change during the copy?)", file, what);
}

/* One pass: copy (verify false) or compare (verify true), qd chunks in flight. */
static void cp_pass(struct cp *c, bool verify)
{
	struct aionl_cqe cqes[256];
	unsigned int i, busy = 0;

	c->next_off = 0;
	c->finished = 0;
	c->t0 = tool_now_sec();
	c->what = verify ? "verify" : "copy";
	for (;;) {
		for (i = 0; i < c->qd && c->next_off < c->size; i++) {
			if (c->slots[i].phase == 0) {
				cp_start_chunk(c, i, verify);
				busy++;
			}
		}
		submit_all(c);
		if (!busy)
			break;
		int n = aionl_reap(c->ctx, cqes, 256, 1, NULL);

		if (n < 0)
			tool_die("reaping completions: %s", aionl_error_message());
		for (int k = 0; k < n; k++) {
			bool is_dst = cqes[k].cookie & COOKIE_DST;
			struct cp_slot *s = &c->slots[(uint32_t)cqes[k].cookie];
			int64_t res = cqes[k].res;
			uint64_t *done = is_dst ? &s->done2 : &s->done;
			char *buf = is_dst ? s->buf2 : s->buf;
			uint64_t h = is_dst ? c->hdst : c->hsrc;
			const char *file = is_dst ? c->dst : c->src;

			if (res <= 0)
				io_fail(file, s->phase == 2 && !verify ? "write" : "read", res);
			*done += res;
			if (*done < s->len) {
				/* Short transfer: continue where it stopped. */
				queue_io(c, s->phase == 2 && !verify ? AIONL_OP_WRITE : AIONL_OP_READ,
					 s->phase == 2 && !verify ? c->hdst : h, buf + *done,
					 s->len - *done, s->off + *done, cqes[k].cookie);
				continue;
			}
			if (verify) {
				if (s->done < s->len || s->done2 < s->len)
					continue;
				if (memcmp(s->buf, s->buf2, s->len) != 0) {
					uint64_t j = 0;

					while (s->buf[j] == s->buf2[j])
						j++;
					tool_die("verify: %s and %s differ at byte %llu", c->src, c->dst,
					    (unsigned long long)(s->off + j));
				}
			} else if (s->phase == 1) {
				s->phase = 2;
				s->done = 0;
				queue_io(c, AIONL_OP_WRITE, c->hdst, s->buf, s->len, s->off,
					 cqes[k].cookie);
				continue;
			}
			c->finished += s->len;
			s->phase = 0;
			busy--;
		}
		cp_progress(c, false);
	}
	cp_progress(c, true);
}

static void cp_fsync(struct cp *c)
{
	struct aionl_cqe cqe;
	struct aionl_req r;

	aionl_req_fsync(&r, c->hdst, 0);
	if (aionl_submit(c->ctx, &r, 1) != 1)
		tool_die("%s: fsync: %s", c->dst, aionl_error_message());
	if (aionl_reap(c->ctx, &cqe, 1, 1, NULL) != 1)
		tool_die("%s: fsync: %s", c->dst, aionl_error_message());
	if (cqe.res < 0)
		tool_die("%s: fsync: %s", c->dst, strerror((int)-cqe.res));
}

/*
 * What copy_file_range(2) answers where it cannot copy between these two
 * files and reads and writes can: another filesystem (EXDEV), a filesystem
 * or server without it (EOPNOTSUPP, ENOSYS), a special file (EINVAL), and
 * the answers coreutils' cp falls back on for the same reasons (EBADF,
 * ETXTBSY, EPERM from filesystems that refuse it so). A server without COPY
 * is known before anything is sent (aionl_ctx_supports).
 */
static bool copy_falls_back(int64_t res)
{
	return res == -EXDEV || res == -EOPNOTSUPP || res == -ENOSYS || res == -EINVAL ||
	       res == -EBADF || res == -ETXTBSY || res == -EPERM;
}

static void queue_copy(struct cp *c, uint64_t off, uint64_t len, uint64_t cookie)
{
	aionl_req_copy(&c->reqs[c->nreqs++], c->hsrc, off, c->hdst, off, len, cookie);
}

/*
 * The whole file by COPY requests of o->copy_size bytes, o->copy_qd in
 * flight; a short one goes on where it stopped. false, with o->fallback set,
 * once one is answered with what means "not between these files": the
 * read/write pass then copies the whole file, what COPY wrote again too
 * (the same bytes), which is simpler than tracking ranges for what is, in
 * practice, always the first requests.
 */
static bool cp_copy_pass(struct cp *c)
{
	struct aionl_cqe cqes[64];
	unsigned int i, busy = 0;

	c->next_off = 0;
	c->finished = 0;
	c->t0 = tool_now_sec();
	c->what = "copy";
	for (;;) {
		for (i = 0; i < c->o->copy_qd && c->next_off < c->size && !c->o->fallback; i++) {
			struct cp_slot *s = &c->slots[i];

			if (s->phase)
				continue;
			s->off = c->next_off;
			s->len = c->size - s->off < c->o->copy_size ? c->size - s->off
								  : c->o->copy_size;
			s->done = 0;
			s->phase = 1;
			c->next_off += s->len;
			queue_copy(c, s->off, s->len, i);
			busy++;
		}
		submit_all(c);
		if (!busy)
			break;
		int n = aionl_reap(c->ctx, cqes, 64, 1, NULL);

		if (n < 0)
			tool_die("reaping completions: %s", aionl_error_message());
		for (int k = 0; k < n; k++) {
			struct cp_slot *s = &c->slots[(uint32_t)cqes[k].cookie];
			int64_t res = cqes[k].res;

			if (res < 0 && copy_falls_back(res)) {
				if (!c->o->fallback)
					c->o->fallback = (int)res;
				s->phase = 0;
				busy--;
				continue;
			}
			if (res < 0)
				tool_die("%s -> %s: copy: %s", c->src, c->dst, strerror((int)-res));
			if (res == 0)
				io_fail(c->src, "copy", 0);
			s->done += res;
			c->finished += res;
			if (s->done < s->len) {
				queue_copy(c, s->off + s->done, s->len - s->done, cqes[k].cookie);
				continue;
			}
			s->phase = 0;
			busy--;
		}
		cp_progress(c, false);
	}
	if (c->o->fallback)
		return false;
	cp_progress(c, true);
	return true;
}

void tool_cp(const char *src, const char *dst, struct tool_cp *o)
{
	struct cp c = { .qd = o->qd, .bs = o->bs, .src = src, .dst = dst, .o = o };
	unsigned int i, nslots;
	struct stat st, dst_st;
	int sfd, dfd;
	double t;

	o->used_copy = o->unserved = false;
	o->fallback = 0;
	sfd = open(c.src, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		tool_die("%s: %s", c.src, strerror(errno));
	if (fstat(sfd, &st) < 0)
		tool_die("%s: %s", c.src, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		tool_die("%s: not a regular file or block device", c.src);
	c.size = o->size = st.st_size;
	/* Truncated only once known not to be the source, by another name or link. */
	dfd = open(c.dst, (o->verify ? O_RDWR : O_WRONLY) | O_CREAT | O_CLOEXEC, st.st_mode & 0777);
	if (dfd < 0 || fstat(dfd, &dst_st) < 0)
		tool_die("%s: %s", c.dst, strerror(errno));
	if (dst_st.st_dev == st.st_dev && dst_st.st_ino == st.st_ino)
		tool_die("'%s' and '%s' are the same file", c.src, c.dst);
	/*
	 * Only what has data: ext4 takes the truncation of a file to 0 as a
	 * file being replaced (auto_da_alloc) and writes its new data back at
	 * the last close, which cost a new 1 GiB copy 0.38 s in close(2).
	 * cp(1) creates a new file without truncating it, too.
	 */
	if (S_ISREG(dst_st.st_mode) && dst_st.st_size > 0 && ftruncate(dfd, 0) < 0)
		tool_die("%s: %s", c.dst, strerror(errno));
	c.ctx = tool_open_ctx();
	if (aionl_file_register(c.ctx, sfd, &c.hsrc) || aionl_file_register(c.ctx, dfd, &c.hdst))
		tool_die("registering files: %s", aionl_error_message());
	close(sfd);
	close(dfd);
	nslots = c.qd > o->copy_qd ? c.qd : o->copy_qd;
	c.slots = calloc(nslots, sizeof(*c.slots));
	c.reqs = calloc(nslots * 2, sizeof(*c.reqs));
	if (!c.slots || !c.reqs)
		tool_die("out of memory");
	c.progress = o->progress;
	t = tool_now_sec();
	/* copy_file_range(2) takes regular files only: a block device goes by reads and writes. */
	if (o->no_copy)
		o->fallback = 0;
	else if (!aionl_ctx_supports(c.ctx, AIONL_OP_COPY))
		o->unserved = true;
	else if (!S_ISREG(st.st_mode) || !S_ISREG(dst_st.st_mode))
		o->fallback = -EINVAL;
	else
		o->used_copy = cp_copy_pass(&c);
	if (!o->used_copy) {
		for (i = 0; i < c.qd; i++) {
			if (posix_memalign((void **)&c.slots[i].buf, 4096, c.bs) ||
			    (o->verify && posix_memalign((void **)&c.slots[i].buf2, 4096, c.bs)))
				tool_die("out of memory for %u buffers of %llu bytes", c.qd,
					 (unsigned long long)c.bs);
		}
		cp_pass(&c, false);
	}
	o->copy_sec = tool_now_sec() - t;
	t = tool_now_sec();
	if (o->fsync)
		cp_fsync(&c);
	o->sync_sec = tool_now_sec() - t;
	if (o->verify) {
		for (i = 0; i < c.qd; i++) {
			if ((!c.slots[i].buf && posix_memalign((void **)&c.slots[i].buf, 4096, c.bs)) ||
			    (!c.slots[i].buf2 &&
			     posix_memalign((void **)&c.slots[i].buf2, 4096, c.bs)))
				tool_die("out of memory for %u buffers of %llu bytes", c.qd,
					 (unsigned long long)c.bs);
		}
		cp_pass(&c, true);
	}
	for (i = 0; i < nslots; i++) {
		free(c.slots[i].buf);
		free(c.slots[i].buf2);
	}
	free(c.slots);
	free(c.reqs);
	aionl_ctx_close(c.ctx);
}

static void cp_usage(void)
{
	fprintf(stderr,
		"usage: aionl cp [-q DEPTH] [-b SIZE] [--copy-size SIZE] [--no-copy] [--fsync]\n"
		"                [--verify] [--no-progress] [-v] SRC DST\n"
		"  -q, --queue-depth N   chunks in flight (default 32; COPYs: at most %u)\n"
		"  -b, --block-size N    chunk size of reads and writes, with k/m/g suffix\n"
		"                        (default 128k)\n"
		"      --copy-size N     size of one COPY request, 1m to 1g (default 32m)\n"
		"      --no-copy         reads and writes only, never COPY (copy_file_range)\n"
		"      --fsync           fsync the copy before exiting (cp(1) does not)\n"
		"      --verify          read both files back and compare\n"
		"      --no-progress     no progress bar even on a terminal\n"
		"  -v, --verbose         say how the file was copied\n",
		TOOL_CP_COPY_QD);
	exit(2);
}

int cmd_cp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queue-depth", required_argument, NULL, 'q' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "copy-size", required_argument, NULL, 'C' },
		{ "no-copy", no_argument, NULL, 'N' },
		{ "verify", no_argument, NULL, 'V' },
		{ "fsync", no_argument, NULL, 'F' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tool_cp o = { .qd = 32, .bs = 128 << 10, .copy_size = TOOL_CP_COPY_SIZE,
			     .copy_qd = TOOL_CP_COPY_QD };
	bool progress = true, verbose = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "q:b:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 4096)
				tool_die("cp: queue depth '%s' is not a number from 1 to 4096", optarg);
			o.qd = (unsigned int)v;
			break;
		}
		case 'b':
			o.bs = tool_parse_size(optarg);
			if (o.bs < 512 || o.bs > (1ULL << 30))
				tool_die("cp: block size '%s' is not a size from 512 to 1g", optarg);
			break;
		case 'C':
			o.copy_size = tool_parse_size(optarg);
			if (o.copy_size < (1 << 20) || o.copy_size > (1ULL << 30))
				tool_die("cp: copy size '%s' is not a size from 1m to 1g", optarg);
			break;
		case 'N':
			o.no_copy = true;
			break;
		case 'V':
			o.verify = true;
			break;
		case 'F':
			o.fsync = true;
			break;
		case 'P':
			progress = false;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			cp_usage();
		}
	}
	if (argc - optind != 2)
		cp_usage();
	if (o.copy_qd > o.qd)
		o.copy_qd = o.qd;
	o.progress = progress && isatty(STDOUT_FILENO);
	tool_cp(argv[optind], argv[optind + 1], &o);
	if (o.verify && !o.progress)
		printf("verified %llu bytes: %s matches %s\n", (unsigned long long)o.size,
		       argv[optind + 1], argv[optind]);
	if (verbose) {
		if (o.used_copy)
			fprintf(stderr, "aionl cp: %llu bytes by COPY (copy_file_range)\n",
				(unsigned long long)o.size);
		else if (o.no_copy)
			fprintf(stderr, "aionl cp: %llu bytes by reads and writes (--no-copy)\n",
				(unsigned long long)o.size);
		else
			fprintf(stderr, "aionl cp: %llu bytes by reads and writes (COPY: %s)\n",
				(unsigned long long)o.size,
				o.unserved ? "the server does not serve it" : strerror(-o.fallback));
	}
	return 0;
}
