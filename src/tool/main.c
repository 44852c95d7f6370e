// SPDX-License-Identifier: MIT
/* The aionl command: info, cp, bench. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

static const char *prog = "aionl";

void tool_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double tool_now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t tool_parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	return *end ? 0 : v;
}

struct aionl_ctx *tool_open_ctx(void)
{
	struct aionl_ctx *ctx;
	int err = aionl_ctx_open(&ctx, NULL);

	if (err)
		tool_die("cannot open an AIO socket: %s", aionl_error_message());
	return ctx;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s COMMAND [ARGS]\n"
		"  info [PATH]          backends available, the one chosen and why, limits;\n"
		"                       with PATH, its filesystem and a context bound to it\n"
		"  cp [OPTIONS] SRC DST asynchronous pipelined copy (cp --help)\n"
		"  bench [OPTIONS]      libaionl against io_uring, libaio, POSIX AIO, libuv\n"
		"                       and pread, in one run (bench --help)\n"
		"Environment: AIONL_BACKEND=auto|kernel|user, AIONL_EXECUTOR=auto|uring|threads\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "cp") == 0)
		return cmd_cp(argc - 1, argv + 1);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage();
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage();
}
