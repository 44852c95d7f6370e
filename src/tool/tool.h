/* SPDX-License-Identifier: MIT */
/*
 * The aionl command: main.c dispatches to info.c, cp.c and bench/ (the
 * driver, and each contender in a file of its own).
 */
#ifndef AIONL_TOOL_H
#define AIONL_TOOL_H

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

int cmd_info(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* AIONL_TOOL_H */
