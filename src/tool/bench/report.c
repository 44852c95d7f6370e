// SPDX-License-Identifier: MIT
/*
 * aionl bench: the results as a table with ratios, as JSON, and as a plot.
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

double bench_iops(const struct result *r)
{
	return r->ns ? r->ops * 1e9 / r->ns : 0;
}

const char *bench_workload_name(const struct config *c)
{
	return c->write ? (c->rand ? "randwrite" : "write") : (c->rand ? "randread" : "read");
}

int bench_find_contender(const char *name)
{
	for (int k = 0; bench_contenders[k]; k++)
		if (strcmp(bench_contenders[k]->name, name) == 0)
			return k;
	return -1;
}

void bench_print_table(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont)
{
	int uring = bench_find_contender("io_uring");

	printf("\n%u-byte %s, %s, %s (%llu MiB), %s, %u interleaved rounds\n", c->bs,
	       bench_workload_name(c), c->direct ? "O_DIRECT" : "page cache", c->file,
	       (unsigned long long)(c->size >> 20),
	       c->ops ? "fixed op count" : "fixed time", c->rounds);
	printf("%4s  %-25s %10s %9s %9s %9s %9s %12s %14s\n", "qd", "contender", "IOPS", "MB/s",
	       "p50 us", "p99 us", "p99.9 us", "vs io_uring", "vs best other");
	for (unsigned int q = 0; q < c->nqds; q++) {
		double best_other = 0;
		const char *best_name = "-";

		for (int k = 0; k < ncont; k++) {
			if (res[q][k].ran && !res[q][k].err[0] && !bench_contenders[k]->is_aionl &&
			    bench_iops(&res[q][k]) > best_other) {
				best_other = bench_iops(&res[q][k]);
				best_name = bench_contenders[k]->name;
			}
		}
		for (int k = 0; k < ncont; k++) {
			const struct result *r = &res[q][k];

			if (!r->ran)
				continue;
			if (r->err[0]) {
				printf("%4u  %-25s failed: %s\n", c->qds[q], bench_contenders[k]->name,
				       r->err);
				continue;
			}
			printf("%4u  %-25s %10.0f %9.1f %9.1f %9.1f %9.1f", c->qds[q],
			       bench_contenders[k]->name, bench_iops(r),
			       r->ns ? r->bytes * 1e3 / r->ns : 0, bench_percentile(r, 0.5) / 1e3,
			       bench_percentile(r, 0.99) / 1e3, bench_percentile(r, 0.999) / 1e3);
			if (bench_contenders[k]->is_aionl) {
				const struct result *u = uring >= 0 ? &res[q][uring] : NULL;

				if (u && u->ran && !u->err[0])
					printf(" %11.2fx", bench_iops(r) / bench_iops(u));
				else
					printf(" %12s", "-");
				if (best_other > 0)
					printf(" %7.2fx %s", bench_iops(r) / best_other, best_name);
			}
			printf("\n");
		}
	}
}

static void json_result(FILE *f, const struct config *c, unsigned int q, int k,
			const struct result *r, bool *first)
{
	fprintf(f, "%s\n    {\"qd\": %u, \"contender\": \"%s\", ", *first ? "" : ",", c->qds[q],
		bench_contenders[k]->name);
	*first = false;
	if (r->err[0]) {
		fprintf(f, "\"error\": \"%s\"}", r->err);
		return;
	}
	fprintf(f, "\"ops\": %llu, \"iops\": %.0f, \"mb_per_s\": %.1f, \"p50_us\": %.2f, "
		   "\"p99_us\": %.2f, \"p999_us\": %.2f}",
		(unsigned long long)r->ops, bench_iops(r), r->ns ? r->bytes * 1e3 / r->ns : 0,
		bench_percentile(r, 0.5) / 1e3, bench_percentile(r, 0.99) / 1e3, bench_percentile(r, 0.999) / 1e3);
}

int bench_write_json(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont,
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
		bench_workload_name(c), c->bs, c->direct ? "true" : "false", c->file,
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

int bench_write_plot(const struct config *c, struct result res[][MAX_CONTENDERS], int ncont)
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
		fprintf(f, "\t\"%s\"", bench_contenders[k]->name);
	fprintf(f, "\n");
	for (unsigned int q = 0; q < c->nqds; q++) {
		fprintf(f, "%u", c->qds[q]);
		for (int k = 0; k < ncont; k++) {
			const struct result *r = &res[q][k];

			fprintf(f, "\t%s", r->ran && !r->err[0] ? "" : "NaN");
			if (r->ran && !r->err[0])
				fprintf(f, "%.0f", bench_iops(r));
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
		c->plot, c->bs, bench_workload_name(c), c->direct ? "O_DIRECT" : "page cache");
	for (int k = 0, drawn = 0; k < ncont; k++, col++) {
		bool any = false;

		for (unsigned int q = 0; q < c->nqds; q++)
			any |= res[q][k].ran && !res[q][k].err[0];
		if (!any)
			continue;
		fprintf(f, "%s'%s' using 1:%d with linespoints title '%s'", drawn++ ? ", " : "",
			dat, col, bench_contenders[k]->name);
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

