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

#include "driver.h"

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

/* ------------------------------------------------------------ command line */

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: aionl bench [OPTIONS]\n"
		"  --rw MODE          randread (default), read, randwrite, write\n"
		"  -b, --bs SIZE      block size, 512 to 1m (default 4k)\n"
		"  -q, --qd LIST      queue depths, 1 to " BENCH_MAX_QD_STR " (default 1,32,128)\n"
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
		"      --nospin       also run the aionl user contenders with busy-polling off\n"
		"      --scaling      also measure cost per op against registered files,\n"
		"                     and memory per outstanding request\n"
		"      --copy         instead, copy the test file beside itself: aionl cp\n"
		"                     (COPY), aionl cp --no-copy, and copy_file_range(2) and\n"
		"                     read/write loops (--rounds, --size, -f apply)\n"
		"      --copy-size SIZE  aionl cp's COPY requests there (default 32m), and\n"
		"                     -q N how many in flight (default 2)\n");
	exit(2);
}

static void parse_qds(struct config *c, const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	c->nqds = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (*end || v < 1 || v > BENCH_MAX_QD || c->nqds == MAX_QDS) {
			fprintf(stderr, "aionl bench: queue depth '%s' is not 1 to " BENCH_MAX_QD_STR " (at most %d)\n",
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
		{ "copy", no_argument, NULL, 'c' },
		{ "copy-size", required_argument, NULL, 'C' },
		{ "nospin", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct config c = {
		.file = "/var/tmp/aionl-bench.dat", .size = 1ULL << 30, .bs = 4096, .rand = true,
		.qds = { 1, 32, 128 }, .nqds = 3, .seconds = 2, .rounds = 4,
		.copy_size = TOOL_CP_COPY_SIZE,
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
			uint64_t v = tool_parse_size(optarg);

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
			c.qd_given = true;
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
			c.size = tool_parse_size(optarg);
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
		case 'c':
			c.copy = true;
			break;
		case 'C':
			c.copy_size = tool_parse_size(optarg);
			if (c.copy_size < (1 << 20) || c.copy_size > (1ULL << 30)) {
				fprintf(stderr, "aionl bench: --copy-size '%s' is not 1m to 1g\n",
					optarg);
				return 1;
			}
			break;
		case 'N':
			c.nospin = true;
			break;
		default:
			bench_usage();
		}
	}
	if (optind != argc)
		bench_usage();
	c.progress = isatty(STDERR_FILENO);
	c.size -= c.size % c.bs;
	if (c.copy && (c.write || c.direct)) {
		fprintf(stderr, "aionl bench: --copy takes no --rw or --direct\n");
		return 1;
	}
	if (prepare_file(&c) < 0)
		return 1;
	if (c.copy)
		return bench_copy(&c);
	fd = open_file(&c);
	if (fd < 0)
		return 1;
	bool available[MAX_CONTENDERS];

	for (ncont = 0; bench_contenders[ncont]; ncont++) {
		const struct bench_contender *b = bench_contenders[ncont];

		/* The kernel backend is a contender only where the module is loaded. */
		available[ncont] = !b->is_aionl || !aionl_probe(b->backend, b->executor);
		if (!available[ncont] && selected(&c, b->name))
			fprintf(stderr, "aionl bench: leaving out %s: %s\n", b->name,
				aionl_error_message());
	}
	for (unsigned int q = 0; q < c.nqds; q++) {
		for (unsigned int round = 0; round < c.rounds; round++) {
			for (int k = 0; k < ncont; k++) {
				const struct bench_contender *b = bench_contenders[k];
				struct result *r = &res[q][k];

				if (!available[k] || !selected(&c, b->name) || (b->opt_in && !c.nospin) ||
				    (b->sync && c.qds[q] != 1) || r->err[0])
					continue;
				if (c.progress)
					fprintf(stderr, "\rqd %u round %u/%u: %-20s", c.qds[q], round + 1,
						c.rounds, b->name);
				r->ran = true;
				if (bench_run_slice(&c, b, fd, c.qds[q], round + 1, c.seconds / c.rounds,
					      c.ops ? c.ops / c.rounds : 0, 1, r))
					status = 1;
			}
		}
	}
	if (c.progress)
		fprintf(stderr, "\r%60s\r", "");
	bench_print_table(&c, res, ncont);
	if (c.scaling)
		bench_run_scaling(&c, fd, &sc);
	close(fd);
	if (c.json && bench_write_json(&c, res, ncont, &sc) < 0)
		status = 1;
	if (c.plot && bench_write_plot(&c, res, ncont) < 0)
		status = 1;
	return status;
}
