/* SPDX-License-Identifier: MIT */
/*
 * The aionl command: main.c dispatches to info.c, cp.c and bench/ (the
 * driver, and each contender in a file of its own).
 */
#ifndef AIONL_TOOL_H
#define AIONL_TOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "aionl.h"

/* Print "aionl: " and the message to stderr, and exit with status 1. */
void tool_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Seconds on CLOCK_MONOTONIC. */
double tool_now_sec(void);
/* "4096", "128k", "1M", "2g", "4KiB" -> bytes; 0 for a malformed size. */
uint64_t tool_parse_size(const char *s);
/* An AIO socket with the default parameters, or die saying why not. */
struct aionl_ctx *tool_open_ctx(void);

/*
 * aionl cp's COPY requests: their size, and how many in flight at most. Few
 * and large: where the kernel copies by splicing (ext4, tmpfs), every write
 * into the destination takes its inode's lock, so more copies at once only
 * contend for it; two keep a request at work while the other's completion
 * travels. Measured with aionl bench --copy (1 GiB on ext4, 2 cores,
 * medians of 7 to 11 rounds): 32 MiB x 2 at 1.06x a copy_file_range(2)
 * loop, twice; 16 MiB x 4 at 0.89x to 1.03x; one 1 GiB request at 0.90x.
 * The machine's noise is about that wide.
 */
#define TOOL_CP_COPY_SIZE (32ULL << 20)
#define TOOL_CP_COPY_QD 2u

/* What aionl cp does, and how it went. */
struct tool_cp {
	unsigned int qd;	/* reads and writes: chunks in flight */
	uint64_t bs;		/* and their size */
	uint64_t copy_size;	/* COPY requests' size */
	unsigned int copy_qd;	/* and how many in flight */
	bool no_copy;		/* reads and writes only */
	bool verify;		/* read both back and compare */
	bool fsync;		/* make the copy durable before returning, as cp does not */
	bool progress;		/* draw a progress bar on stdout */
	/* Out: */
	uint64_t size;		/* bytes copied */
	bool used_copy;		/* all of them by COPY */
	bool unserved;		/* else why not: the server does not serve COPY, */
	int fallback;		/* or COPY's -errno (0: no_copy) */
	double copy_sec;	/* the copy's time, without the fsync */
	double sync_sec;	/* the fsync's */
};

/*
 * Copy src to dst as aionl cp does, with o's options: by COPY where the
 * server and the kernel copy between the files, else by reads and writes,
 * then fsync dst (and with o->verify, compare). Dies, naming the file and
 * the reason, on any error.
 */
void tool_cp(const char *src, const char *dst, struct tool_cp *o);

int cmd_info(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* AIONL_TOOL_H */
