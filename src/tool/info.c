// SPDX-License-Identifier: MIT
/* aionl info: the backends and executors available, the one chosen and why, the limits. */
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

int cmd_info(int argc, char **argv)
{
	static const struct {
		enum aionl_backend b;
		enum aionl_executor x;
		const char *label;
	} rows[] = {
		{ AIONL_BACKEND_KERNEL, AIONL_EXEC_AUTO, "kernel" },
		{ AIONL_BACKEND_USER, AIONL_EXEC_URING, "user+uring" },
		{ AIONL_BACKEND_USER, AIONL_EXEC_THREADS, "user+threads" },
	};
	struct aionl_info info;
	struct aionl_ctx *ctx;
	size_t i;

	if (argc > 1)
		tool_die("info takes no arguments");
	printf("backends:\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int err = aionl_probe(rows[i].b, rows[i].x);

		printf("  %-13s %s%s%s\n", rows[i].label, err ? "unavailable" : "available",
		       err ? ": " : "", err ? aionl_error_message() : "");
	}
	ctx = tool_open_ctx();
	aionl_ctx_info(ctx, &info);
	printf("chosen: %s%s%s\n", aionl_backend_name(info.backend),
	       info.backend == AIONL_BACKEND_USER ? "+" : "",
	       info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	printf("  why: %s\n", info.reason);
	printf("limits:\n");
	printf("  protocol version   %u\n", info.version);
	printf("  max in flight      %u\n", info.max_inflight);
	printf("  max files          %u\n", info.max_files);
	printf("  max I/O length     %llu\n", (unsigned long long)info.max_io_len);
	printf("  max iovecs         %u\n", info.max_iov);
	printf("  max message size   %u\n", info.max_msg_size);
	if (info.workers)
		printf("  worker threads     %u\n", info.workers);
	aionl_ctx_close(ctx);
	return 0;
}

