// SPDX-License-Identifier: MIT
/*
 * aionl info [PATH]: the backends and executors available and the commands
 * each serves, the one chosen and why, the limits; with PATH, the filesystem it is on and what a context
 * bound to it (aionl_params.bind_path) gets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

/* Where dev is mounted, and as what, from mountinfo: the first mount of it. */
static void print_mount(dev_t dev)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		char root[1024], point[1024], type[64];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*u %*u %u:%u %1023s %1023s", &maj, &min, root, point) != 4 ||
		    sscanf(sep + 3, "%63s", type) != 1 || makedev(maj, min) != dev)
			continue;
		printf("  type               %s\n  mounted at         %s\n", type, point);
		break;
	}
	if (f)
		fclose(f);
}

static int info_path(const char *path)
{
	struct aionl_params p = { .bind_path = path };
	struct aionl_info info;
	struct aionl_ctx *ctx;
	struct stat st;

	if (stat(path, &st) < 0)
		tool_die("%s: %s", path, strerror(errno));
	printf("filesystem of %s:\n", path);
	printf("  device             %u:%u\n", major(st.st_dev), minor(st.st_dev));
	print_mount(st.st_dev);
	if (aionl_ctx_open(&ctx, &p))
		tool_die("cannot open an AIO socket bound to %s: %s", path, aionl_error_message());
	aionl_ctx_info(ctx, &info);
	printf("a context bound to it:\n");
	printf("  backend            %s%s%s\n", aionl_backend_name(info.backend),
	       info.backend == AIONL_BACKEND_USER ? "+" : "",
	       info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	printf("  why                %s\n", info.reason);
	printf("  takes              files of this filesystem only: -EXDEV for others\n");
	if (info.backend == AIONL_BACKEND_KERNEL)
		printf("  runs               its file requests on a queue of its own, %u at once;\n"
		       "                     the rest wait in order\n", AIONL_MAX_BOUND_IO_RUNNING);
	else if (info.workers)
		printf("  runs               its requests on an engine of its own, %u workers\n",
		       info.workers);
	else
		printf("  runs               its requests on an engine and io_uring of its own\n");
	printf("  opens at once      %u OPENs\n", AIONL_MAX_OPENS_RUNNING);
	printf("  max in flight      %u\n", info.max_inflight);
	aionl_ctx_close(ctx);
	return 0;
}

/* Append name to list, wrapping at the width of a terminal, under a label of 12 columns. */
static void list_add(char *list, size_t size, size_t *col, const char *name)
{
	size_t len = strlen(list), n = strlen(name);

	if (*col && *col + 1 + n > 78) {
		snprintf(list + len, size - len, "\n%12s", "");
		len = strlen(list);
		*col = 12;
	} else if (*col) {
		snprintf(list + len, size - len, " ");
		len++;
		(*col)++;
	} else {
		*col = 12;
	}
	snprintf(list + len, size - len, "%s", name);
	*col += n;
}

/*
 * The commands a context of backend and executor is served (GET_INFO's
 * commands), and those this library knows that its server lacks: the
 * library and aionl.ko are built and upgraded apart, and hide_cmds hides;
 * and the orderings it honours (order_flags; hide_req_flags hides).
 */
static void print_commands(enum aionl_backend b, enum aionl_executor x)
{
	struct aionl_params p = { .backend = b, .executor = x };
	char serves[1024] = "", lacks[1024] = "";
	size_t scol = 0, lcol = 0;
	struct aionl_ctx *ctx;
	unsigned int cmd;
	int flags;

	if (aionl_ctx_open(&ctx, &p))
		return;
	for (cmd = 0; cmd < 64; cmd++) {
		const char *name = aionl_cmd_name(cmd);

		if (!name || cmd == AIONL_CMD_COMPLETION)
			continue;	/* no command, or one only servers send */
		if (aionl_ctx_supports(ctx, cmd) == 1)
			list_add(serves, sizeof(serves), &scol, name);
		else
			list_add(lacks, sizeof(lacks), &lcol, name);
	}
	flags = aionl_ctx_req_flags(ctx);
	aionl_ctx_close(ctx);
	printf("    serves: %s\n", serves);
	if (*lacks)
		printf("    lacks:  %s\n", lacks);
	printf("    orders: %s\n", flags <= 0 ? "nothing (no link, no drain)" :
	       flags == (AIONL_REQ_LINK | AIONL_REQ_DRAIN) ? "link, drain" :
	       flags == AIONL_REQ_LINK ? "link (no drain)" : "drain (no link)");
}

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
	struct rlimit rl;
	char nofile[32] = "unlimited";
	struct aionl_ctx *ctx;
	size_t i;

	if (argc > 2)
		tool_die("info takes at most one argument, a path");
	if (argc == 2)
		return info_path(argv[1]);
	printf("backends:\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int err = aionl_probe(rows[i].b, rows[i].x);

		printf("  %-13s %s%s%s\n", rows[i].label, err ? "unavailable" : "available",
		       err ? ": " : "", err ? aionl_error_message() : "");
		if (!err)
			print_commands(rows[i].b, rows[i].x);
	}
	ctx = tool_open_ctx();
	aionl_ctx_info(ctx, &info);
	printf("chosen: %s%s%s\n", aionl_backend_name(info.backend),
	       info.backend == AIONL_BACKEND_USER ? "+" : "",
	       info.backend == AIONL_BACKEND_USER ? aionl_executor_name(info.executor) : "");
	printf("  why: %s\n", info.reason);
	/* Each limit with what counts against it and the errno past it. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(nofile, sizeof(nofile), "%llu here", (unsigned long long)rl.rlim_cur);
	printf("limits:\n");
	printf("  protocol version   %u\n", info.version);
	printf("  max in flight      %-10u requests, armed watches and timers, and replies\n"
	       "                                waiting to be read, together: -EBUSY past it\n",
	       info.max_inflight);
	printf("  max files          %-10u registered files, and at most RLIMIT_NOFILE (%s):\n"
	       "                                -EMFILE past it\n",
	       info.max_files, nofile);
	printf("  max I/O length     %-10llu bytes of one request: -EINVAL past it\n",
	       (unsigned long long)info.max_io_len);
	printf("  max iovecs         %-10u of one READV or WRITEV: -EINVAL past it\n", info.max_iov);
	printf("  max message size   %-10u bytes of one sendmsg or recvmsg of the socket\n",
	       info.max_msg_size);
	printf("  opens at once      %-10u OPENs of one socket running; the rest wait in order\n",
	       AIONL_MAX_OPENS_RUNNING);
	printf("  max path           %-10u bytes of an OPEN's path with its NUL: -EINVAL past it\n",
	       AIONL_MAX_PATH);
	if (info.backend == AIONL_BACKEND_KERNEL)
		printf("  watch completions  merged while unread: timer expirations add up, poll\n"
	       "                                events are or'ed, a standard signal merges as the\n"
	       "                                kernel's pending set does; queued real-time\n"
	       "                                signals count as in flight, and past the limit\n"
	       "                                the watch ends with -EOVERFLOW\n");
	if (info.workers)
		printf("  worker threads     %u\n", info.workers);
	aionl_ctx_close(ctx);
	return 0;
}

