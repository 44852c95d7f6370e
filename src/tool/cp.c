// SPDX-License-Identifier: MIT
/* aionl cp: a pipelined asynchronous copy, with --verify and a progress bar. */
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

static void cp_usage(void)
{
	fprintf(stderr,
		"usage: aionl cp [-q DEPTH] [-b SIZE] [--verify] [--no-progress] SRC DST\n"
		"  -q, --queue-depth N   chunks in flight (default 32)\n"
		"  -b, --block-size N    chunk size, with k/m/g suffix (default 128k)\n"
		"      --verify          read both files back and compare\n"
		"      --no-progress     no progress bar even on a terminal\n");
	exit(2);
}

int cmd_cp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queue-depth", required_argument, NULL, 'q' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cp c = { .qd = 32, .bs = 128 << 10 };
	bool verify = false, progress = true;
	struct stat st, dst;
	int opt, sfd, dfd;
	unsigned int i;

	while ((opt = getopt_long(argc, argv, "q:b:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'q': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 4096)
				tool_die("cp: queue depth '%s' is not a number from 1 to 4096", optarg);
			c.qd = (unsigned int)v;
			break;
		}
		case 'b':
			c.bs = tool_parse_size(optarg);
			if (c.bs < 512 || c.bs > (1ULL << 30))
				tool_die("cp: block size '%s' is not a size from 512 to 1g", optarg);
			break;
		case 'V':
			verify = true;
			break;
		case 'P':
			progress = false;
			break;
		default:
			cp_usage();
		}
	}
	if (argc - optind != 2)
		cp_usage();
	c.src = argv[optind];
	c.dst = argv[optind + 1];
	sfd = open(c.src, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		tool_die("%s: %s", c.src, strerror(errno));
	if (fstat(sfd, &st) < 0)
		tool_die("%s: %s", c.src, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		tool_die("%s: not a regular file or block device", c.src);
	c.size = st.st_size;
	/* Truncated only once known not to be the source, by another name or link. */
	dfd = open(c.dst, (verify ? O_RDWR : O_WRONLY) | O_CREAT | O_CLOEXEC, st.st_mode & 0777);
	if (dfd < 0 || fstat(dfd, &dst) < 0)
		tool_die("%s: %s", c.dst, strerror(errno));
	if (dst.st_dev == st.st_dev && dst.st_ino == st.st_ino)
		tool_die("'%s' and '%s' are the same file", c.src, c.dst);
	if (S_ISREG(dst.st_mode) && ftruncate(dfd, 0) < 0)
		tool_die("%s: %s", c.dst, strerror(errno));
	c.ctx = tool_open_ctx();
	if (aionl_file_register(c.ctx, sfd, &c.hsrc) || aionl_file_register(c.ctx, dfd, &c.hdst))
		tool_die("registering files: %s", aionl_error_message());
	close(sfd);
	close(dfd);
	c.slots = calloc(c.qd, sizeof(*c.slots));
	c.reqs = calloc(c.qd * 2, sizeof(*c.reqs));
	if (!c.slots || !c.reqs)
		tool_die("out of memory");
	for (i = 0; i < c.qd; i++) {
		if (posix_memalign((void **)&c.slots[i].buf, 4096, c.bs) ||
		    (verify && posix_memalign((void **)&c.slots[i].buf2, 4096, c.bs)))
			tool_die("out of memory for %u buffers of %llu bytes", c.qd,
			    (unsigned long long)c.bs);
	}
	c.progress = progress && isatty(STDOUT_FILENO);
	cp_pass(&c, false);
	cp_fsync(&c);
	if (verify) {
		cp_pass(&c, true);
		if (!c.progress)
			printf("verified %llu bytes: %s matches %s\n", (unsigned long long)c.size,
			       c.dst, c.src);
	}
	for (i = 0; i < c.qd; i++) {
		free(c.slots[i].buf);
		free(c.slots[i].buf2);
	}
	free(c.slots);
	free(c.reqs);
	aionl_ctx_close(c.ctx);
	return 0;
}

