// SPDX-License-Identifier: MIT
/*
 * Opening through the socket: OPEN opens a file on the program's behalf, off
 * its path, and registers it; INSTALL hands a registered file's descriptor
 * back over SCM_RIGHTS, the "fd open server" of the original design.
 *
 * An OPEN runs on the executor (io_uring's IORING_OP_OPENAT, or openat(2) in
 * a worker), as a thread of the program's own process: its credentials, its
 * root and working directory, its umask, its RLIMIT_NOFILE. At most
 * AIONL_MAX_OPENS_RUNNING of a context are given to the executor at once;
 * the others wait here, in order, where a cancel ends them with -ECANCELED.
 * One given to the executor is stopped by a cancel only if it has not
 * started (a threads worker has not taken it); one that runs completes with
 * its result. Closing the context interrupts those io_uring runs (its
 * workers take a cancel as a signal: a FIFO's open stops waiting); a threads
 * worker's open(2) cannot be interrupted, and close waits for it, as for any
 * I/O in flight.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

/* Room for an OPEN's completion: cookie, res, flags, handle. */
#define OPEN_COMPLETION_ROOM 128
#define INSTALL_REPLY_ROOM 128

/* The protocol's open(2) flags are the machine's (idl/aionl.proto, enum OpenFlag). */
_Static_assert(AIONL_OPEN_WRONLY == O_WRONLY && AIONL_OPEN_RDWR == O_RDWR &&
	       AIONL_OPEN_CREAT == O_CREAT && AIONL_OPEN_EXCL == O_EXCL &&
	       AIONL_OPEN_NOCTTY == O_NOCTTY && AIONL_OPEN_TRUNC == O_TRUNC &&
	       AIONL_OPEN_APPEND == O_APPEND && AIONL_OPEN_NONBLOCK == O_NONBLOCK &&
	       AIONL_OPEN_DSYNC == O_DSYNC && AIONL_OPEN_DIRECT == O_DIRECT &&
	       AIONL_OPEN_DIRECTORY == O_DIRECTORY && AIONL_OPEN_NOFOLLOW == O_NOFOLLOW &&
	       AIONL_OPEN_NOATIME == O_NOATIME && AIONL_OPEN_CLOEXEC == O_CLOEXEC &&
	       (AIONL_OPEN_SYNC_BIT | AIONL_OPEN_DSYNC) == O_SYNC &&
	       AIONL_OPEN_PATH == O_PATH &&
	       (AIONL_OPEN_TMPFILE_BIT | AIONL_OPEN_DIRECTORY) == O_TMPFILE,
	       "the protocol's open(2) flags differ from this machine's");

/*
 * A bound socket refuses a file of another filesystem (BIND), but the check
 * of the file the open made comes after the open, when O_CREAT has created
 * it and O_TRUNC emptied it. So such an OPEN first opens, O_PATH (nothing
 * is read, no open method runs), what it would land on: the file itself, or
 * with O_CREAT and no file yet its directory; one on another filesystem
 * ends with -EXDEV before the real open. Each probe runs on the executor,
 * as the open does, since a lookup can wait on a hung filesystem.
 */
enum { OPEN_PROBE_FILE = 1, OPEN_PROBE_DIR };

static bool open_needs_probe(const struct aionl_engine *e, uint32_t oflags)
{
	return e->files.bound && (oflags & (O_CREAT | O_TRUNC | O_TMPFILE));
}

static void open_probe_file(struct eng_req *r)
{
	r->open_probe = OPEN_PROBE_FILE;
	r->open_oflags = r->oflags;
	r->oflags = (r->oflags & (O_NOFOLLOW | O_DIRECTORY)) | O_PATH | O_CLOEXEC;
}

/* The directory path's last component is in; 0, or -ENOMEM. */
static int open_probe_dir(struct eng_req *r)
{
	const char *slash = strrchr(r->path, '/');
	char *dir = !slash ? strdup(".") : slash == r->path ? strdup("/") :
		    strndup(r->path, (size_t)(slash - r->path));

	if (!dir)
		return -ENOMEM;
	r->open_probe = OPEN_PROBE_DIR;
	r->open_path = r->path;
	r->path = dir;
	r->oflags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	return 0;
}

/* Back to the request's own path and flags, for the open itself. */
static void open_probe_end(struct eng_req *r)
{
	if (r->open_path) {
		free(r->path);
		r->path = r->open_path;
		r->open_path = NULL;
	}
	r->oflags = r->open_oflags;
	r->open_probe = 0;
}

/*
 * A probe's result: true if r went back to the executor (the next probe,
 * or the open itself), false if it ends with *res.
 */
static bool open_probe_done(struct aionl_engine *e, struct eng_req *r, int64_t *res)
{
	unsigned int mode;
	uint64_t dev = 0;
	int err;

	if (*res < 0) {
		/* Nothing there yet: where O_CREAT would make it. */
		if (*res == -ENOENT && r->open_probe == OPEN_PROBE_FILE &&
		    (r->open_oflags & O_CREAT)) {
			*res = open_probe_dir(r);
			if (*res)
				return false;
			e->exec->queue(e, r);
			return true;
		}
		return false;	/* the open itself would fail the same way */
	}
	err = aionl__fd_type((int)*res, &mode, NULL, &dev);
	close((int)*res);
	if (err || dev != e->files.bound_dev) {
		*res = err ? err : -EXDEV;
		return false;
	}
	open_probe_end(r);
	e->exec->queue(e, r);
	return true;
}

static void open_run(struct aionl_engine *e, struct eng_req *r)
{
	r->waiting = false;
	e->opens_running++;
	e->exec->queue(e, r);
}

int eng_open(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct eng_file *dir = NULL;
	struct aionl_open m;
	struct eng_req *r;
	int err;

	if ((err = aionl_open_parse(nlh, &m, pe)))
		return err;
	if (m.present & (1ULL << AIONL_A_OPEN_DIR)) {
		dir = order_lookup(e, m.dir);
		if (!dir) {
			engine_complete_cookie(e, m.cookie, -EBADF);
			return 0;
		}
		/* openat(2)'s check, which starting from a descriptor makes. */
		if (m.path[0] != '/' && !dir->caps.directory) {
			engine_complete_cookie(e, m.cookie, -ENOTDIR);
			return 0;
		}
	}
	r = io_req_new(e, AIONL_CMD_OPEN, m.cookie, dir);
	if (!r) {
		engine_complete_cookie(e, m.cookie, -ENOMEM);
		return 0;
	}
	/* Not the executor's until open_run(): a cancel finds it here. */
	r->waiting = true;
	r->next = NULL;
	r->path = strdup(m.path);
	if (!r->path) {
		engine_complete(e, r, -ENOMEM);
		return 0;
	}
	/* The engine's own descriptor never leaks into an exec. */
	r->oflags = m.flags | O_CLOEXEC;
	r->mode = m.mode;
	r->options = m.options;
	if (open_needs_probe(e, r->oflags))
		open_probe_file(r);
	if (e->opens_running < AIONL_MAX_OPENS_RUNNING && !e->open_wait_head) {
		open_run(e, r);
	} else {
		if (e->open_wait_tail)
			e->open_wait_tail->next = r;
		else
			e->open_wait_head = r;
		e->open_wait_tail = r;
	}
	return 0;
}

/* Take r off the queue of OPENs waiting their turn. */
static void open_unwait(struct aionl_engine *e, struct eng_req *r)
{
	struct eng_req **pp, *prev = NULL;

	for (pp = &e->open_wait_head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			if (e->open_wait_tail == r)
				e->open_wait_tail = prev;
			break;
		}
	}
	r->waiting = false;
}

/*
 * Register the descriptor an OPEN got, and complete it with its handle (and,
 * with AIONL_OPEN_FD, a descriptor of the file for the program).
 */
static void open_complete(struct aionl_engine *e, struct eng_req *r, int64_t res)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK, .cookie = r->cookie, .res = res,
	};
	struct eng_file *f;
	uint64_t handle;
	int err, dup;

	if (res < 0) {
		engine_put_completion(e, &m);
		return;
	}
	/* files_add owns the descriptor from here, and keeps it in the high range. */
	err = files_add(&e->files, (int)res, &handle);
	if (err) {
		m.res = err;
		engine_put_completion(e, &m);
		return;
	}
	m.res = 0;
	m.handle = handle;
	m.present |= 1ULL << AIONL_A_COMPLETION_HANDLE;
	if (!(r->options & AIONL_OPEN_FD)) {
		engine_put_completion(e, &m);
		return;
	}
	/*
	 * The out queue's own duplicate: the program may unregister the handle
	 * before the completion leaves. Without one, the OPEN fails whole:
	 * CQE_F_FD promises a descriptor in the datagram.
	 */
	f = files_lookup(&e->files, handle);
	dup = aionl__dup_high(f->fd);
	if (dup < 0) {
		files_remove(&e->files, handle);
		m.res = dup;
		m.present &= ~(1ULL << AIONL_A_COMPLETION_HANDLE);
		engine_put_completion(e, &m);
		return;
	}
	m.present |= 1ULL << AIONL_A_COMPLETION_FLAGS;
	m.flags = AIONL_CQE_F_FD;
	if (engine_put_completion_fd(e, &m, dup))
		files_remove(&e->files, handle);	/* the session is ending: no memory */
}

bool open_done(struct aionl_engine *e, struct eng_req *r, int64_t res)
{
	bool ran = !r->waiting;

	if (ran && r->open_probe && open_probe_done(e, r, &res))
		return false;
	if (r->waiting)
		open_unwait(e, r);
	open_complete(e, r, res);
	if (!ran)
		return true;
	e->opens_running--;
	while (e->opens_running < AIONL_MAX_OPENS_RUNNING && e->open_wait_head) {
		struct eng_req *next = e->open_wait_head;

		open_unwait(e, next);
		open_run(e, next);
	}
	return true;
}

void open_cancel(struct aionl_engine *e, struct eng_req *r, bool interrupt)
{
	if (r->waiting) {
		engine_complete(e, r, -ECANCELED);
		return;
	}
	if (!e->exec->cancel_interrupts || interrupt)
		e->exec->cancel(e, r);
}

/*
 * The file of a handle, for the program: a duplicate travels with the reply
 * as SCM_RIGHTS, and the receiving kernel gives it a number in the program's
 * table.
 */
int eng_install(struct aionl_engine *e, const struct nlmsghdr *nlh, struct aionl_parse_err *pe)
{
	struct aionl_install req;
	struct aionl_install_reply m = { .present = AIONL_INSTALL_REPLY_REQUIRED_MASK };
	struct nlmsghdr *out;
	struct eng_file *f;
	int err, dup = -1;
	void *buf;

	if ((err = aionl_install_parse(nlh, &req, pe)))
		return err;
	f = files_lookup(&e->files, req.handle);
	if (!f) {
		m.res = -EBADF;
	} else {
		dup = aionl__dup_high(f->fd);
		m.res = dup < 0 ? dup : 0;
	}
	buf = dup >= 0 ? outq_reserve_fd(&e->out, INSTALL_REPLY_ROOM)
		       : outq_reserve(&e->out, INSTALL_REPLY_ROOM);
	if (!buf) {
		if (dup >= 0)
			close(dup);
		e->peer_gone = true;
		return -ENOMEM;
	}
	out = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, nlh->nlmsg_seq, AIONL_CMD_INSTALL,
			       AIONL_FAMILY_VERSION);
	aionl_install_reply_put(out, INSTALL_REPLY_ROOM, &m);
	if (dup >= 0)
		outq_commit_fd(&e->out, NLMSG_ALIGN(out->nlmsg_len), dup);
	else
		outq_commit(&e->out, NLMSG_ALIGN(out->nlmsg_len));
	return 0;
}
