// SPDX-License-Identifier: MIT
/*
 * aionl bench: cost per op against registered files, and memory per
 * outstanding request.
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

void bench_run_scaling(const struct config *c, int fd, struct scaling *s)
{
	static const unsigned int counts[] = { 1, 10, 100, 1000, 10000, 100000 };
	static const char *const names[] = { "aionl user+uring", "aionl user+threads",
					     "aionl kernel", "aionl kernel-only" };
	struct rlimit rl;

	for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		const struct bench_contender *b = bench_contenders[bench_find_contender(names[j])];

		if (!aionl_probe(b->backend, b->executor))
			s->names[s->nnames++] = names[j];
	}
	/* Each backend holds a descriptor per registered file. */
	raise_nofile(100000 + 1024);
	getrlimit(RLIMIT_NOFILE, &rl);
	s->ran = true;
	printf("\ncost per op by registered files (%u-byte %s, qd 32, ops spread over the files):\n",
	       c->bs, bench_workload_name(c));
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
			int k = bench_find_contender(s->names[j]);
			int err = bench_run_slice(c, bench_contenders[k], fd, 32, 99, c->seconds, c->ops,
					    counts[i], &r);

			s->ns_per_op[s->nfiles][j] = err ? 0 : 1e9 / bench_iops(&r);
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

