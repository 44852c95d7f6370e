// SPDX-License-Identifier: MIT
/*
 * aionl bench: one slice of one contender at one depth: offsets, the
 * queue kept full, and a latency histogram.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

static unsigned int hidx(uint64_t ns)
{
	int msb;

	if (ns < 16)
		return (unsigned int)ns;
	msb = 63 - __builtin_clzll(ns);
	return (unsigned int)((msb - 3) * 16 + ((ns >> (msb - 4)) & 15));
}

static double hval(unsigned int i)
{
	int msb;

	if (i < 16)
		return i;
	msb = (int)(i / 16) + 3;
	return (double)((16 + i % 16) * 2 + 1) / 2 * (double)(1ULL << (msb - 4));
}

double bench_percentile(const struct result *r, double p)
{
	uint64_t total = 0, want, acc = 0;
	unsigned int i;

	for (i = 0; i < HBUCKETS; i++)
		total += r->hist[i];
	if (!total)
		return 0;
	want = (uint64_t)(p * total);
	if (want >= total)
		want = total - 1;
	for (i = 0; i < HBUCKETS; i++) {
		acc += r->hist[i];
		if (acc > want)
			return hval(i);
	}
	return hval(HBUCKETS - 1);
}

/* ------------------------------------------------------------ offsets */

static uint64_t offset_at(const struct config *c, uint64_t seed, uint64_t i)
{
	uint64_t blocks = c->size / c->bs;

	if (!c->rand)
		return ((seed * 7919 + i) % blocks) * c->bs;
	/* splitmix64: the same sequence for every contender. */
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (z % blocks) * c->bs;
}

/* ------------------------------------------------------------ one slice */

/* Run contender k at depth qd for the slice; add to res. 0, or -errno. */
int bench_run_slice(const struct config *c, const struct bench_contender *k, int fd,
		     unsigned int qd, uint64_t seed, double seconds, uint64_t max_ops,
		     unsigned int nfiles, struct result *res)
{
	struct bench_run r = { .fd = fd, .qd = qd, .bs = c->bs, .write = c->write,
			       .backend = k->backend, .executor = k->executor, .flags = k->flags,
			       .spin_us = k->spin_us,
			       .nfiles = nfiles };
	struct bench_op **batch = calloc(qd, sizeof(*batch));
	struct bench_op **done = calloc(qd, sizeof(*done));
	unsigned int i, inflight = 0, nbatch = 0;
	unsigned int batch_max = c->batch && c->batch < qd ? c->batch : qd;
	uint64_t next = 0, t0, deadline, t;
	int err;

	r.ops = calloc(qd, sizeof(*r.ops));
	for (i = 0; i < qd; i++) {
		r.ops[i].idx = i;
		if (posix_memalign((void **)&r.ops[i].buf, 4096, c->bs))
			return -ENOMEM;
		memset(r.ops[i].buf, 0x5a, c->bs);
	}
	err = k->open(&r);
	if (err)
		goto out_free;
	t0 = bench_now_ns();
	deadline = t0 + (uint64_t)(seconds * 1e9);
	for (i = 0; i < qd; i++) {
		struct bench_op *op = &r.ops[i];

		op->off = offset_at(c, seed, next++);
		op->t_submit = bench_now_ns();
		batch[nbatch++] = op;
		if (nbatch == batch_max || i == qd - 1) {
			err = k->submit(&r, batch, nbatch);
			if (err)
				goto out_close;
			inflight += nbatch;
			nbatch = 0;
		}
	}
	for (;;) {
		int n = k->reap(&r, done, qd);

		if (n < 0) {
			err = n;
			break;
		}
		t = bench_now_ns();
		inflight -= n;
		for (i = 0; i < (unsigned int)n; i++) {
			struct bench_op *op = done[i];

			if (op->res != (int64_t)c->bs) {
				snprintf(res->err, sizeof(res->err), "op at %llu returned %lld",
					 (unsigned long long)op->off, (long long)op->res);
				err = op->res < 0 ? (int)op->res : -EIO;
				goto out_drain;
			}
			res->hist[hidx(t - op->t_submit)]++;
			res->ops++;
			res->bytes += c->bs;
			if (t < deadline && (!max_ops || next < max_ops)) {
				op->off = offset_at(c, seed, next++);
				op->t_submit = t;
				batch[nbatch++] = op;
				if (nbatch == batch_max) {
					err = k->submit(&r, batch, nbatch);
					if (err)
						goto out_drain;
					inflight += nbatch;
					nbatch = 0;
				}
			}
		}
		if (nbatch) {
			err = k->submit(&r, batch, nbatch);
			if (err)
				break;
			inflight += nbatch;
			nbatch = 0;
		}
		if (!inflight)
			break;
	}
	res->ns += bench_now_ns() - t0;
out_drain:
	while (inflight) {
		int n = k->reap(&r, done, qd);

		if (n <= 0)
			break;
		inflight -= n;
	}
out_close:
	k->close(&r);
out_free:
	for (i = 0; i < qd; i++)
		free(r.ops[i].buf);
	free(r.ops);
	free(batch);
	free(done);
	if (err && !res->err[0])
		snprintf(res->err, sizeof(res->err), "%s", strerror(-err));
	return err;
}

