// SPDX-License-Identifier: MIT
/*
 * FALLOCATE and STATX: fallocate(2) on a registered file, and statx(2) of a
 * registered file or of a path. Both may block in the filesystem, so both
 * run on the executor (io_uring's IORING_OP_FALLOCATE and IORING_OP_STATX,
 * which io_uring always hands to its workers, or the syscalls in a worker
 * thread), never on the engine thread. Those are threads of the program's
 * own process: its credentials, root and working directory, its
 * RLIMIT_FSIZE, and the program's own memory for the struct statx.
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
