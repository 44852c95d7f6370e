// SPDX-License-Identifier: MIT
/*
 * FALLOCATE, STATX and COPY: fallocate(2) on a registered file, statx(2) of
 * a registered file or of a path, and copy_file_range(2) between two
 * registered files. Each may block in the filesystem, so each runs on the
 * executor, never on the engine thread: io_uring's IORING_OP_FALLOCATE and
 * IORING_OP_STATX, which io_uring always hands to its workers, or the
 * system calls in a worker thread; io_uring has no copy_file_range, so its
 * executor hands a COPY to helper threads of its own (pool.c). All of those
 * are threads of the program's own process: its credentials, root and
 * working directory, its RLIMIT_FSIZE, and the program's own memory for the
 * struct statx.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/falloc.h>

#include "engine.h"

/* The protocol's modes and flags are the machine's (idl/aionl.proto). */
_Static_assert(AIONL_FALLOC_KEEP_SIZE == FALLOC_FL_KEEP_SIZE &&
	       AIONL_FALLOC_PUNCH_HOLE == FALLOC_FL_PUNCH_HOLE &&
	       AIONL_FALLOC_ZERO_RANGE == FALLOC_FL_ZERO_RANGE,
	       "the protocol's fallocate modes differ from this machine's");
_Static_assert(AIONL_STATX_SYMLINK_NOFOLLOW == AT_SYMLINK_NOFOLLOW &&
	       AIONL_STATX_NO_AUTOMOUNT == AT_NO_AUTOMOUNT &&
	       AIONL_STATX_EMPTY_PATH == AT_EMPTY_PATH &&
	       AIONL_STATX_FORCE_SYNC == AT_STATX_FORCE_SYNC &&
	       AIONL_STATX_DONT_SYNC == AT_STATX_DONT_SYNC,
	       "the protocol's statx flags differ from this machine's");
_Static_assert(AIONL_STATX_MASK_BITS == (uint32_t)~STATX__RESERVED,
	       "the protocol's statx mask is not statx(2)'s");

int eng_fallocate(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_fallocate m;
	struct eng_file *f;
	struct eng_req *r;
	int err;

	if ((err = aionl_fallocate_parse(nlh, &m, pe)))
		return err;
	f = order_lookup(e, m.handle);
	if (!f) {
		engine_complete_cookie(e, m.cookie, -EBADF);
		return 0;
	}
	err = aionl_fallocate_check(m.offset, m.len);
	if (err) {
		engine_complete_cookie(e, m.cookie, err);
		return 0;
	}
	r = io_req_new(e, AIONL_CMD_FALLOCATE, m.cookie, f);
	if (!r) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	r->offset = m.offset;
	r->flen = m.len;
	r->fmode = m.mode;
	e->exec->queue(e, r);
	return 0;
}

int eng_statx(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	bool has_path;
	struct eng_file *f = NULL;
	struct aionl_statx m;
	struct eng_req *r;
	int err;

	if ((err = aionl_statx_parse(nlh, &m, pe)))
		return err;
	/* statx(2) looks at its flags before its descriptor. */
	err = aionl_statx_check(m.flags);
	if (err) {
		engine_complete_cookie(e, m.cookie, err);
		return 0;
	}
	has_path = m.present & (1ULL << AIONL_A_STATX_PATH);
	/* statx(2)'s getname() refuses an empty path before the descriptor is looked at. */
	if (has_path && !m.path[0] && !(m.flags & AT_EMPTY_PATH)) {
		engine_complete_cookie(e, m.cookie, -ENOENT);
		return 0;
	}
	if (m.present & (1ULL << AIONL_A_STATX_HANDLE)) {
		f = order_lookup(e, m.handle);
		if (!f) {
			engine_complete_cookie(e, m.cookie, -EBADF);
			return 0;
		}
		/* As the module checks it: a relative path cannot start from a file. */
		if (has_path && m.path[0] && m.path[0] != '/' && !f->caps.directory) {
			engine_complete_cookie(e, m.cookie, -ENOTDIR);
			return 0;
		}
	}
	r = io_req_new(e, AIONL_CMD_STATX, m.cookie, f);
	if (!r) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	/* No path: the handle's file (or the working directory) itself, as statx(2) names it. */
	r->path = strdup(has_path ? m.path : "");
	if (!r->path) {
		engine_complete(e, r, -ENOMEM);
		return 0;
	}
	r->sx_flags = m.flags | (has_path ? 0 : AT_EMPTY_PATH);
	r->sx_mask = m.mask;
	r->sx_buf = (void *)(uintptr_t)m.addr;
	e->exec->queue(e, r);
	return 0;
}

/*
 * A file a COPY may name: one registered, and not O_PATH (neither readable
 * nor writable), which copy_file_range(2)'s fdget() refuses before
 * anything else, as the module's lookup does.
 */
static struct eng_file *copy_lookup(struct aionl_engine *e, uint64_t handle)
{
	struct eng_file *f = order_lookup(e, handle);

	return f && (f->caps.readable || f->caps.writable) ? f : NULL;
}

/*
 * copy_file_range(2)'s own order: the source's descriptor, the
 * destination's, then (after the range's rule, aionl_copy_check) all the
 * rest in the system call itself, which the executor makes with both
 * offsets given.
 */
int eng_copy(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct eng_file *src, *dst;
	struct aionl_copy m;
	struct eng_req *r;
	int err;

	if ((err = aionl_copy_parse(nlh, &m, pe)))
		return err;
	src = copy_lookup(e, m.handle);
	dst = src ? copy_lookup(e, m.dst_handle) : NULL;
	if (!dst) {
		engine_complete_cookie(e, m.cookie, -EBADF);
		return 0;
	}
	err = aionl_copy_check(m.offset, m.dst_offset, m.len);
	if (err) {
		engine_complete_cookie(e, m.cookie, err);
		return 0;
	}
	r = io_req_new(e, AIONL_CMD_COPY, m.cookie, src);
	if (!r) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	r->offset = m.offset;
	r->dst = dst;
	file_get(dst);
	r->dst_offset = m.dst_offset;
	r->flen = m.len;
	e->exec->queue(e, r);
	return 0;
}
