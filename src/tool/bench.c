// SPDX-License-Identifier: MIT
/*
 * aionl bench: every contender on the same file, the same offsets, the same
 * queue depths, interleaved in rounds so that machine noise hits them alike.
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

#include "bench.h"

#define MAX_QDS 16
#define MAX_CONTENDERS 16
#define HBUCKETS (64 * 16)

struct result {
	bool ran;
	char err[160];
	uint64_t ops, bytes, ns;
	uint64_t hist[HBUCKETS];
};

struct config {
	const char *file;
	uint64_t size;
	unsigned int bs;
	bool rand, write, direct;
	unsigned int qds[MAX_QDS], nqds;
	unsigned int batch;
	double seconds;
	uint64_t ops;		/* per contender per depth, instead of seconds */
	unsigned int rounds;
	const char *only;	/* comma-separated substrings of contender names */
	const char *json, *plot;
	bool scaling;
	bool progress;
};

/* ------------------------------------------------------------ latency histogram */

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

static double percentile(const struct result *r, double p)
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
static int run_slice(const struct config *c, const struct bench_contender *k, int fd,
		     unsigned int qd, uint64_t seed, double seconds, uint64_t max_ops,
		     unsigned int nfiles, struct result *res)
{
	struct bench_run r = { .fd = fd, .qd = qd, .bs = c->bs, .write = c->write,
			       .backend = k->backend, .executor = k->executor, .flags = k->flags,
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

/* ------------------------------------------------------------ the test file */

static int prepare_file(const struct config *c)
{
	struct stat st;
	char *buf;
	uint64_t off;
	int fd;

	fd = open(c->file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "aionl bench: %s: %s\n", c->file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "aionl bench: %s: not a regular file\n", c->file);
		close(fd);
		return -1;
	}
	buf = malloc(1 << 20);
	if ((uint64_t)st.st_size < c->size) {
		for (off = 0; off < c->size; off += 1 << 20) {
			size_t n = c->size - off < (1 << 20) ? c->size - off : 1 << 20;

			for (size_t i = 0; i < n; i += 8)
				*(uint64_t *)(buf + i) = (off + i) * 0x9e3779b97f4a7c15ULL;
			if (pwrite(fd, buf, n, off) != (ssize_t)n) {
				fprintf(stderr, "\naionl bench: %s: %s\n", c->file,
					errno ? strerror(errno) : "short write");
				free(buf);
				close(fd);
				return -1;
			}
			if (c->progress && off % (64 << 20) == 0)
				fprintf(stderr, "\rcreating %s: %3d%%", c->file,
					(int)(100 * off / c->size));
		}
		if (c->progress)
			fprintf(stderr, "\rcreating %s: 100%%\n", c->file);
	} else if (!c->direct) {
		/* The default workload is page-cache reads: make it so. */
		for (off = 0; off < c->size; off += 1 << 20) {
			if (pread(fd, buf, 1 << 20, off) < 0)
				break;
			if (c->progress && off % (64 << 20) == 0)
				fprintf(stderr, "\rwarming the page cache: %3d%%",
					(int)(100 * off / c->size));
		}
		if (c->progress)
			fprintf(stderr, "\rwarming the page cache: 100%%\n");
	}
	free(buf);
	close(fd);
	return 0;
}

static int open_file(const struct config *c)
{
	int fd = open(c->file, (c->write ? O_RDWR : O_RDONLY) | O_CLOEXEC |
				       (c->direct ? O_DIRECT : 0));

	if (fd < 0)
		fprintf(stderr, "aionl bench: %s: %s%s\n", c->file, strerror(errno),
			c->direct && errno == EINVAL ? " (O_DIRECT unsupported here?)" : "");
	return fd;
}

/* ------------------------------------------------------------ reporting */

static bool selected(const struct config *c, const char *name)
{
	const char *p;
	size_t n;

	if (!c->only)
		return true;
	for (p = c->only; *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n && memmem(name, strlen(name), p, n))
			return true;
	}
	return false;
}

static double iops_of(const struct result *r)
{
	return r->ns ? r->ops * 1e9 / r->ns : 0;
}

static const char *workload_name(const struct config *c)
{
	return c->write ? (c->rand ? "randwrite" : "write") : (c->rand ? "randread" : "read");
}

static int find_contender(const char *name)
{
	for (int k = 0; bench_contenders[k].name; k++)
		if (strcmp(bench_contenders[k].name, name) == 0)
			return k;
	return -1;
}

static void print_table(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont)
{
	int uring = find_contender("io_uring");

	printf("\n%u-byte %s, %s, %s (%llu MiB), %s, %u interleaved rounds\n", c->bs,
	       workload_name(c), c->direct ? "O_DIRECT" : "page cache", c->file,
	       (unsigned long long)(c->size >> 20),
	       c->ops ? "fixed op count" : "fixed time", c->rounds);
	printf("%4s  %-20s %10s %9s %9s %9s %9s %12s %14s\n", "qd", "contender", "IOPS", "MB/s",
	       "p50 us", "p99 us", "p99.9 us", "vs io_uring", "vs best other");
	for (unsigned int q = 0; q < c->nqds; q++) {
		double best_other = 0;
		const char *best_name = "-";

		for (int k = 0; k < ncont; k++) {
			if (res[q][k].ran && !res[q][k].err[0] && !bench_contenders[k].is_aionl &&
			    iops_of(&res[q][k]) > best_other) {
				best_other = iops_of(&res[q][k]);
				best_name = bench_contenders[k].name;
			}
		}
		for (int k = 0; k < ncont; k++) {
			const struct result *r = &res[q][k];

			if (!r->ran)
				continue;
			if (r->err[0]) {
				printf("%4u  %-20s failed: %s\n", c->qds[q], bench_contenders[k].name,
				       r->err);
				continue;
			}
			printf("%4u  %-20s %10.0f %9.1f %9.1f %9.1f %9.1f", c->qds[q],
			       bench_contenders[k].name, iops_of(r),
			       r->ns ? r->bytes * 1e3 / r->ns : 0, percentile(r, 0.5) / 1e3,
			       percentile(r, 0.99) / 1e3, percentile(r, 0.999) / 1e3);
			if (bench_contenders[k].is_aionl) {
				const struct result *u = uring >= 0 ? &res[q][uring] : NULL;

				if (u && u->ran && !u->err[0])
					printf(" %11.2fx", iops_of(r) / iops_of(u));
				else
					printf(" %12s", "-");
				if (best_other > 0)
					printf(" %7.2fx %s", iops_of(r) / best_other, best_name);
			}
			printf("\n");
		}
	}
}

static void json_result(FILE *f, const struct config *c, unsigned int q, int k,
			const struct result *r, bool *first)
{
	fprintf(f, "%s\n    {\"qd\": %u, \"contender\": \"%s\", ", *first ? "" : ",", c->qds[q],
		bench_contenders[k].name);
	*first = false;
	if (r->err[0]) {
		fprintf(f, "\"error\": \"%s\"}", r->err);
		return;
	}
	fprintf(f, "\"ops\": %llu, \"iops\": %.0f, \"mb_per_s\": %.1f, \"p50_us\": %.2f, "
		   "\"p99_us\": %.2f, \"p999_us\": %.2f}",
		(unsigned long long)r->ops, iops_of(r), r->ns ? r->bytes * 1e3 / r->ns : 0,
		percentile(r, 0.5) / 1e3, percentile(r, 0.99) / 1e3, percentile(r, 0.999) / 1e3);
}

#define SCALING_MAX 4

struct scaling {
	bool ran;
	const char *names[SCALING_MAX];	/* the libaionl contenders measured */
	int nnames;
	unsigned int files[8];
	double ns_per_op[8][SCALING_MAX];	/* per file count, per contender */
	int nfiles;
	double bytes_per_req[3];
	long peak_rss_kib[3];
	unsigned int mem_reqs;
};

static int write_json(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont,
		      const struct scaling *s)
{
	FILE *f = strcmp(c->json, "-") ? fopen(c->json, "w") : stdout;
	bool first = true;

	if (!f) {
		fprintf(stderr, "aionl bench: %s: %s\n", c->json, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"workload\": {\"rw\": \"%s\", \"bs\": %u, \"direct\": %s, \"file\": \"%s\", "
		   "\"size\": %llu, \"rounds\": %u, \"seconds\": %.2f, \"ops\": %llu},\n  \"results\": [",
		workload_name(c), c->bs, c->direct ? "true" : "false", c->file,
		(unsigned long long)c->size, c->rounds, c->seconds, (unsigned long long)c->ops);
	for (unsigned int q = 0; q < c->nqds; q++)
		for (int k = 0; k < ncont; k++)
			if (res[q][k].ran)
				json_result(f, c, q, k, &res[q][k], &first);
	fprintf(f, "\n  ]");
	if (s && s->ran) {
		fprintf(f, ",\n  \"files_scaling\": [");
		for (int i = 0; i < s->nfiles; i++) {
			fprintf(f, "%s\n    {\"files\": %u", i ? "," : "", s->files[i]);
			for (int j = 0; j < s->nnames; j++)
				fprintf(f, ", \"%s_ns_per_op\": %.1f", s->names[j] + 6,
					s->ns_per_op[i][j]);
			fprintf(f, "}");
		}
		fprintf(f, "\n  ],\n  \"memory\": {\"outstanding\": %u, "
			   "\"user+uring_bytes_per_request\": %.1f, \"user+threads_bytes_per_request\": %.1f, "
			   "\"user+uring_peak_rss_kib\": %ld, \"user+threads_peak_rss_kib\": %ld}",
			s->mem_reqs, s->bytes_per_req[0], s->bytes_per_req[1], s->peak_rss_kib[0],
			s->peak_rss_kib[1]);
	}
	fprintf(f, "\n}\n");
	if (f != stdout)
		fclose(f);
	return 0;
}

static int write_plot(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont)
{
	char dat[512], cmd[1200];
	FILE *f;
	int col = 2, err;

	snprintf(dat, sizeof(dat), "%s.dat", c->plot);
	f = fopen(dat, "w");
	if (!f) {
		fprintf(stderr, "aionl bench: %s: %s\n", dat, strerror(errno));
		return -1;
	}
	fprintf(f, "# qd");
	for (int k = 0; k < ncont; k++)
		fprintf(f, "\t\"%s\"", bench_contenders[k].name);
	fprintf(f, "\n");
	for (unsigned int q = 0; q < c->nqds; q++) {
		fprintf(f, "%u", c->qds[q]);
		for (int k = 0; k < ncont; k++) {
			const struct result *r = &res[q][k];

			fprintf(f, "\t%s", r->ran && !r->err[0] ? "" : "NaN");
			if (r->ran && !r->err[0])
				fprintf(f, "%.0f", iops_of(r));
		}
		fprintf(f, "\n");
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s.gp", c->plot);
	f = fopen(cmd, "w");
	if (!f)
		return -1;
	fprintf(f, "set terminal pngcairo size 900,560 noenhanced\nset output '%s'\n"
		   "set title '%u-byte %s, %s: IOPS by queue depth'\n"
		   "set logscale x 2\nset xlabel 'queue depth'\nset ylabel 'IOPS'\n"
		   "set key outside right\nset grid\nset datafile missing 'NaN'\nplot ",
		c->plot, c->bs, workload_name(c), c->direct ? "O_DIRECT" : "page cache");
	for (int k = 0, drawn = 0; k < ncont; k++, col++) {
		bool any = false;

		for (unsigned int q = 0; q < c->nqds; q++)
			any |= res[q][k].ran && !res[q][k].err[0];
		if (!any)
			continue;
		fprintf(f, "%s'%s' using 1:%d with linespoints title '%s'", drawn++ ? ", " : "",
			dat, col, bench_contenders[k].name);
	}
	fprintf(f, "\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s.gp'", c->plot);
	err = system(cmd);
	if (err) {
		fprintf(stderr, "aionl bench: gnuplot failed (is gnuplot installed?); data in %s\n", dat);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "%s.gp", c->plot);
	unlink(cmd);
	unlink(dat);
	printf("plot written to %s\n", c->plot);
	return 0;
}

/* ------------------------------------------------------------ scaling figures */

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Memory per outstanding request: RSS growth with n submitted, none reaped. */
static double measure_memory(enum aionl_executor x, int fd, unsigned int n, long *peak)
{
	struct aionl_params p = { .backend = AIONL_BACKEND_USER, .executor = x, .max_inflight = n };
	struct aionl_req *reqs = calloc(n, sizeof(*reqs));
	struct aionl_cqe *cqes = calloc(4096, sizeof(*cqes));
	static char buf[512];
	struct aionl_ctx *ctx;
	unsigned int sent = 0, got = 0;
	long before, after;
	uint64_t h;

	if (aionl_ctx_open(&ctx, &p) || aionl_file_register(ctx, fd, &h)) {
		fprintf(stderr, "aionl bench: %s\n", aionl_error_message());
		free(reqs);
		free(cqes);
		return -1;
	}
	for (unsigned int i = 0; i < n; i++)
		aionl_req_read(&reqs[i], h, buf, sizeof(buf), (uint64_t)(i % 1024) * 512, i);
	before = rss_kib();
	while (sent < n) {
		int k = aionl_submit(ctx, reqs + sent, n - sent);

		if (k <= 0)
			break;
		sent += k;
	}
	usleep(500000);	/* let the engine finish and queue every completion */
	after = rss_kib();
	while (got < sent) {
		int k = aionl_reap(ctx, cqes, 4096, 1, NULL);

		if (k <= 0)
			break;
		got += k;
	}
	*peak = after;
	aionl_ctx_close(ctx);
	free(reqs);
	free(cqes);
	return (after - before) * 1024.0 / n;
}

static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		if (rl.rlim_max < want)
			rl.rlim_max = want;	/* root may raise it up to fs.nr_open */
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
}

static void run_scaling(const struct config *c, int fd, struct scaling *s)
{
	static const unsigned int counts[] = { 1, 10, 100, 1000, 10000, 100000 };
	static const char *const names[] = { "aionl user+uring", "aionl user+threads",
					     "aionl kernel", "aionl kernel-only" };
	struct rlimit rl;

	for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		const struct bench_contender *b = &bench_contenders[find_contender(names[j])];

		if (!aionl_probe(b->backend, b->executor))
			s->names[s->nnames++] = names[j];
	}
	/* Each backend holds a descriptor per registered file. */
	raise_nofile(100000 + 1024);
	getrlimit(RLIMIT_NOFILE, &rl);
	s->ran = true;
	printf("\ncost per op by registered files (%u-byte %s, qd 32, ops spread over the files):\n",
	       c->bs, workload_name(c));
	printf("%8s", "files");
	for (int j = 0; j < s->nnames; j++)
		printf(" %18s ns/op", s->names[j] + 6);
	printf("\n");
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (counts[i] + 64 > rl.rlim_cur) {
			printf("%8u skipped: RLIMIT_NOFILE is %llu\n", counts[i],
			       (unsigned long long)rl.rlim_cur);
			continue;
		}
		s->files[s->nfiles] = counts[i];
		printf("%8u", counts[i]);
		for (int j = 0; j < s->nnames; j++) {
			struct result r = { .ran = true };
			int k = find_contender(s->names[j]);
			int err = run_slice(c, &bench_contenders[k], fd, 32, 99, c->seconds, c->ops,
					    counts[i], &r);

			s->ns_per_op[s->nfiles][j] = err ? 0 : 1e9 / iops_of(&r);
			printf(" %24.1f", s->ns_per_op[s->nfiles][j]);
			fflush(stdout);
		}
		printf("\n");
		s->nfiles++;
	}
	s->mem_reqs = 100000;
	printf("\nmemory with %u requests outstanding (submitted, none reaped):\n", s->mem_reqs);
	for (int j = 0; j < 2; j++) {
		s->bytes_per_req[j] = measure_memory(j ? AIONL_EXEC_THREADS : AIONL_EXEC_URING, fd,
						     s->mem_reqs, &s->peak_rss_kib[j]);
		printf("  %-14s %6.1f bytes per request, RSS %ld KiB at the peak\n", names[j] + 6,
		       s->bytes_per_req[j], s->peak_rss_kib[j]);
	}
}

/* ------------------------------------------------------------ command line */

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: aionl bench [OPTIONS]\n"
		"  --rw MODE          randread (default), read, randwrite, write\n"
		"  -b, --bs SIZE      block size, 512 to 1m (default 4k)\n"
		"  -q, --qd LIST      queue depths, 1 to 1024 (default 1,32,128)\n"
		"      --batch N      submit at most N at once (default: all that are free)\n"
		"      --direct       O_DIRECT instead of the page cache\n"
		"  -t, --time SEC     per contender per depth (default 2)\n"
		"      --ops N        per contender per depth, instead of --time\n"
		"      --rounds N     interleaved rounds (default 4)\n"
		"  -f, --file PATH    test file, made if absent (default /var/tmp/aionl-bench.dat)\n"
		"      --size SIZE    of the test file (default 1g)\n"
		"      --only LIST    contenders whose names contain one of these words\n"
		"      --json FILE    write the results as JSON (- for stdout)\n"
		"      --plot FILE    draw IOPS against queue depth into a PNG (gnuplot)\n"
		"      --scaling      also measure cost per op against registered files,\n"
		"                     and memory per outstanding request\n");
	exit(2);
}

static void parse_qds(struct config *c, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	c->nqds = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (*end || v < 1 || v > 1024 || c->nqds == MAX_QDS) {
			fprintf(stderr, "aionl bench: queue depth '%s' is not 1 to 1024 (at most %d)\n",
				tok, MAX_QDS);
			exit(1);
		}
		c->qds[c->nqds++] = (unsigned int)v;
	}
	free(copy);
	if (!c->nqds)
		bench_usage();
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rw", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 'b' },
		{ "qd", required_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'B' },
		{ "direct", no_argument, NULL, 'D' },
		{ "time", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "file", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'O' },
		{ "json", required_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "scaling", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct config c = {
		.file = "/var/tmp/aionl-bench.dat", .size = 1ULL << 30, .bs = 4096, .rand = true,
		.qds = { 1, 32, 128 }, .nqds = 3, .seconds = 2, .rounds = 4,
	};
	static struct result res[MAX_QDS][MAX_CONTENDERS];
	struct scaling sc = { 0 };
	int opt, ncont, fd, status = 0;

	while ((opt = getopt_long(argc, argv, "b:q:t:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (!strcmp(optarg, "randread") || !strcmp(optarg, "read") ||
			    !strcmp(optarg, "randwrite") || !strcmp(optarg, "write")) {
				c.rand = !strncmp(optarg, "rand", 4);
				c.write = strstr(optarg, "write") != NULL;
			} else {
				fprintf(stderr, "aionl bench: --rw '%s' is not randread, read, randwrite or write\n",
					optarg);
				return 1;
			}
			break;
		case 'b': {
			uint64_t v = aionl_parse_size(optarg);

			if (v < 512 || v > (1 << 20) || v % 512) {
				fprintf(stderr, "aionl bench: block size '%s' is not a multiple of 512 from 512 to 1m\n",
					optarg);
				return 1;
			}
			c.bs = (unsigned int)v;
			break;
		}
		case 'q':
			parse_qds(&c, optarg);
			break;
		case 'B':
			c.batch = (unsigned int)atoi(optarg);
			break;
		case 'D':
			c.direct = true;
			break;
		case 't':
			c.seconds = atof(optarg);
			if (c.seconds <= 0) {
				fprintf(stderr, "aionl bench: --time '%s' is not a positive number\n", optarg);
				return 1;
			}
			break;
		case 'o':
			c.ops = strtoull(optarg, NULL, 10);
			if (!c.ops) {
				fprintf(stderr, "aionl bench: --ops '%s' is not a positive count\n", optarg);
				return 1;
			}
			c.seconds = 3600;
			break;
		case 'R':
			c.rounds = (unsigned int)atoi(optarg);
			if (c.rounds < 1)
				c.rounds = 1;
			break;
		case 'f':
			c.file = optarg;
			break;
		case 's':
			c.size = aionl_parse_size(optarg);
			if (c.size < (1 << 20)) {
				fprintf(stderr, "aionl bench: --size '%s' is below 1m\n", optarg);
				return 1;
			}
			break;
		case 'O':
			c.only = optarg;
			break;
		case 'j':
			c.json = optarg;
			break;
		case 'p':
			c.plot = optarg;
			break;
		case 'S':
			c.scaling = true;
			break;
		default:
			bench_usage();
		}
	}
	if (optind != argc)
		bench_usage();
	c.progress = isatty(STDERR_FILENO);
	c.size -= c.size % c.bs;
	if (prepare_file(&c) < 0)
		return 1;
	fd = open_file(&c);
	if (fd < 0)
		return 1;
	bool available[MAX_CONTENDERS];

	for (ncont = 0; bench_contenders[ncont].name; ncont++) {
		const struct bench_contender *b = &bench_contenders[ncont];

		/* The kernel backend is a contender only where the module is loaded. */
		available[ncont] = !b->is_aionl || !aionl_probe(b->backend, b->executor);
		if (!available[ncont] && selected(&c, b->name))
			fprintf(stderr, "aionl bench: leaving out %s: %s\n", b->name,
				aionl_error_message());
	}
	for (unsigned int q = 0; q < c.nqds; q++) {
		for (unsigned int round = 0; round < c.rounds; round++) {
			for (int k = 0; k < ncont; k++) {
				const struct bench_contender *b = &bench_contenders[k];
				struct result *r = &res[q][k];

				if (!available[k] || !selected(&c, b->name) ||
				    (b->sync && c.qds[q] != 1) || r->err[0])
					continue;
				if (c.progress)
					fprintf(stderr, "\rqd %u round %u/%u: %-20s", c.qds[q], round + 1,
						c.rounds, b->name);
				r->ran = true;
				if (run_slice(&c, b, fd, c.qds[q], round + 1, c.seconds / c.rounds,
					      c.ops ? c.ops / c.rounds : 0, 1, r))
					status = 1;
			}
		}
	}
	if (c.progress)
		fprintf(stderr, "\r%60s\r", "");
	print_table(&c, res, ncont);
	if (c.scaling)
		run_scaling(&c, fd, &sc);
	close(fd);
	if (c.json && write_json(&c, res, ncont, &sc) < 0)
		status = 1;
	if (c.plot && write_plot(&c, res, ncont) < 0)
		status = 1;
	return status;
}
