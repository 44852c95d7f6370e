// SPDX-License-Identifier: MIT
/*
 * aionl bench --copy: copying the test file to a new file beside it, on the
 * same filesystem, by
 *  - aionl cp (tool_cp, as the command runs it: COPY requests, or reads and
 *    writes where COPY does not work here),
 *  - aionl cp --no-copy (its pipeline of reads and writes),
 *  - a copy_file_range(2) loop as coreutils' cp makes it (one thread, each
 *    call asking for all that is left, which the kernel cuts to 2 GiB),
 *  - a read(2)/write(2) loop with coreutils' 128 KiB buffer,
 * interleaved in rounds. Each copy is timed to its last byte, and again to
 * the end of an fsync of the new file, as aionl cp --fsync makes it: where
 * the page cache absorbs the copy the first figure flatters the loops, and
 * the second compares what a durable copy costs. The source stays in the
 * page cache for all of them; each copy writes a new file, after the last
 * one's removal was written back (sync(2)).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver.h"

#define LOOP_BUF (128 << 10)
#define MAX_ROUNDS 64

struct copy_contender {
	const char *name;
	/* Copy c->file to dst; the copy's and the fsync's seconds, or die. */
	void (*run)(const struct config *c, const char *dst, double *copy_sec, double *sync_sec);
};

static void die_errno(const char *what, const char *file)
{
	tool_die("bench --copy: %s: %s: %s", file, what, strerror(errno));
}

static void aionl_cp_run(const struct config *c, const char *dst, bool no_copy, double *copy_sec,
			 double *sync_sec)
{
	struct tool_cp o = { .qd = 32, .bs = 128 << 10, .copy_size = c->copy_size,
			     .copy_qd = c->qd_given ? c->qds[0] : TOOL_CP_COPY_QD,
			     .no_copy = no_copy, .fsync = true };

	tool_cp(c->file, dst, &o);
	if (!no_copy && !o.used_copy && c->progress)
		fprintf(stderr, "\raionl cp fell back to reads and writes here (%s)\n",
			o.unserved ? "the server does not serve COPY" : strerror(-o.fallback));
	*copy_sec = o.copy_sec;
	*sync_sec = o.sync_sec;
}

static void run_aionl_cp(const struct config *c, const char *dst, double *copy_sec,
			 double *sync_sec)
{
	aionl_cp_run(c, dst, false, copy_sec, sync_sec);
}

static void run_aionl_cp_rw(const struct config *c, const char *dst, double *copy_sec,
			    double *sync_sec)
{
	aionl_cp_run(c, dst, true, copy_sec, sync_sec);
}

/* The loops' common frame: open both, copy, time, fsync, time. */
static void run_loop(const struct config *c, const char *dst, bool cfr, double *copy_sec,
		     double *sync_sec)
{
	int in = open(c->file, O_RDONLY | O_CLOEXEC), out;
	char *buf = NULL;
	double t;

	if (in < 0)
		die_errno("open", c->file);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die_errno("open", dst);
	if (!cfr && !(buf = malloc(LOOP_BUF)))
		tool_die("out of memory");
	t = tool_now_sec();
	for (;;) {
		ssize_t n;

		if (cfr) {
			n = syscall(SYS_copy_file_range, in, NULL, out, NULL, (size_t)SSIZE_MAX, 0u);
		} else {
			n = read(in, buf, LOOP_BUF);
			for (ssize_t w = 0, k; n > 0 && w < n; w += k)
				if ((k = write(out, buf + w, n - w)) < 0)
					die_errno("write", dst);
		}
		if (n < 0)
			die_errno(cfr ? "copy_file_range" : "read", c->file);
		if (n == 0)
			break;
	}
	*copy_sec = tool_now_sec() - t;
	t = tool_now_sec();
	if (fsync(out))
		die_errno("fsync", dst);
	*sync_sec = tool_now_sec() - t;
	free(buf);
	close(in);
	close(out);
}

static void run_cfr_loop(const struct config *c, const char *dst, double *copy_sec,
			 double *sync_sec)
{
	run_loop(c, dst, true, copy_sec, sync_sec);
}

static void run_rw_loop(const struct config *c, const char *dst, double *copy_sec,
			double *sync_sec)
{
	run_loop(c, dst, false, copy_sec, sync_sec);
}

static const struct copy_contender contenders[] = {
	{ "aionl cp", run_aionl_cp },
	{ "aionl cp --no-copy", run_aionl_cp_rw },
	{ "copy_file_range loop", run_cfr_loop },
	{ "read/write loop", run_rw_loop },
};
#define NCONT (sizeof(contenders) / sizeof(contenders[0]))
#define BASELINE 2	/* what coreutils' cp does on one filesystem */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_copy(const struct config *c)
{
	static double copy_sec[NCONT][MAX_ROUNDS], total_sec[NCONT][MAX_ROUNDS];
	unsigned int rounds = c->rounds > MAX_ROUNDS ? MAX_ROUNDS : c->rounds;
	double mb = c->size / 1e6, med_copy[NCONT], med_total[NCONT];
	char dst[PATH_MAX];

	snprintf(dst, sizeof(dst), "%s.copy", c->file);
	for (unsigned int round = 0; round < rounds; round++) {
		for (size_t k = 0; k < NCONT; k++) {
			double cs, ss;

			if (c->progress)
				fprintf(stderr, "\rround %u/%u: %-24s", round + 1, rounds,
					contenders[k].name);
			/*
			 * The last copy's removal written back first, so that its
			 * freeing does not run into the next contender's time.
			 */
			unlink(dst);
			sync();
			contenders[k].run(c, dst, &cs, &ss);
			copy_sec[k][round] = cs;
			total_sec[k][round] = cs + ss;
		}
	}
	unlink(dst);
	if (c->progress)
		fprintf(stderr, "\r%60s\r", "");
	for (size_t k = 0; k < NCONT; k++) {
		med_copy[k] = median(copy_sec[k], rounds);
		med_total[k] = median(total_sec[k], rounds);
	}
	printf("\ncopying %s (%llu MiB) to a new file beside it, median of %u interleaved "
	       "rounds\n", c->file, (unsigned long long)(c->size >> 20), rounds);
	printf("%-22s %12s %16s %14s %20s\n", "contender", "copy MB/s", "copy+fsync MB/s",
	       "vs cfr loop", "vs cfr loop, fsync");
	for (size_t k = 0; k < NCONT; k++)
		printf("%-22s %12.0f %16.0f %13.2fx %19.2fx\n", contenders[k].name,
		       mb / med_copy[k], mb / med_total[k], med_copy[BASELINE] / med_copy[k],
		       med_total[BASELINE] / med_total[k]);
	return 0;
}
