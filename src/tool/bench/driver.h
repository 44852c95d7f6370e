/* SPDX-License-Identifier: MIT */
/*
 * The bench driver's own parts: bench.c (the command line and the test
 * file), measure.c, report.c, scaling.c, copy.c.
 */
#ifndef AIONL_BENCH_DRIVER_H
#define AIONL_BENCH_DRIVER_H

#include <stdio.h>

#include "bench.h"

/*
 * The deepest queue measured: libaio's io_setup and io_uring's rings take
 * this many without raising limits, and deeper depths show nothing new on
 * page-cache reads.
 */
#define BENCH_MAX_QD 1024
#define BENCH_MAX_QD_STR "1024"
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
	bool nospin;		/* also the aionl contenders with spinning off */
	bool progress;
	bool copy;		/* --copy: copies of the file instead (copy.c) */
	uint64_t copy_size;	/* aionl cp's COPY requests there */
	bool qd_given;		/* -q: there, aionl cp's COPYs in flight (the first depth) */
};

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

/* measure.c */
double bench_percentile(const struct result *r, double p);
/* One slice: contender k at depth qd for seconds (or max_ops ops); 0 or -errno. */
int bench_run_slice(const struct config *c, const struct bench_contender *k, int fd,
		    unsigned int qd, uint64_t seed, double seconds, uint64_t max_ops,
		    unsigned int nfiles, struct result *res);

/* report.c */
double bench_iops(const struct result *r);
const char *bench_workload_name(const struct config *c);
int bench_find_contender(const char *name);
void bench_print_table(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont);
int bench_write_json(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont,
		     const struct scaling *s);
int bench_write_plot(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont);

/* copy.c: --copy, copying the test file by aionl cp and by plain loops. */
int bench_copy(const struct config *c);

/* scaling.c */
void bench_run_scaling(const struct config *c, int fd, struct scaling *s);

#endif /* AIONL_BENCH_DRIVER_H */
