/* SPDX-License-Identifier: MIT */
/*
 * The engine's table of registered files. A handle is
 * tag << 32 | generation << 20 | index: a handle of another socket (another
 * tag) or of a slot reused since (another generation) finds nothing.
 *
 * Only the engine thread changes the table, under lock held for writing;
 * submitting threads read it under lock for the inline reads.
 */
#ifndef AIONL_FILES_H
#define AIONL_FILES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "aionl-rules.h"

/* A registered file. Freed when unregistered and no request holds it. */
struct eng_file {
	int fd;
	/*
	 * 1 for the table slot + 1 per request in flight. Atomic: a request
	 * started straight from a submitting thread (direct.c) is dropped by
	 * the worker that ran it.
	 */
	atomic_uint refs;
	struct aionl_file_caps caps;
	bool odirect;		/* opened O_DIRECT */
	bool regular;		/* a regular file */
	/* A worker of the pool runs a buffered write to it (pool.c); under the pool's lock. */
	bool wbusy;
	/* RWF_NOWAIT not refused yet: cleared by the engine, read by submitters. */
	atomic_bool nowait_ok;
	/*
	 * Whether the kernel takes RWF_NOWAIT on this file at all (the file
	 * has FMODE_NOWAIT): 0 not known yet, 1 it does, -1 it refuses it.
	 * The io_uring executor's, on the engine thread (exec_uring.c).
	 */
	int8_t kernel_nowait;
};

struct eng_files {
	pthread_rwlock_t lock;
	uint32_t tag;		/* random, never 0 */
	struct eng_slot {
		struct eng_file *file;
		uint32_t gen;
		uint32_t next_free;
	} *slots;
	uint32_t nslots, cap, free_head, nfiles;
	ino_t sock_ino[2];	/* both ends of this engine's socket, or 0 */
	/* BIND: the one filesystem (st_dev) whose files it takes; under lock. */
	bool bound;
	uint64_t bound_dev;
};

int files_init(struct eng_files *t);
/*
 * Name both ends of the engine's socket, the program's and the engine's
 * own (only inspected, never kept): until files_fini, files_add of this
 * table or any other in the process refuses them.
 */
int files_set_socket(struct eng_files *t, int peer, int own);
/*
 * Take only files of the filesystem fd is on (fd is only inspected) from now
 * on: 0 and its st_dev in *dev; -EBUSY if files are registered already,
 * -EINVAL if bound to another filesystem (0 for the same one).
 */
int files_bind(struct eng_files *t, int fd, uint64_t *dev);
/* Drop every file still registered and free the table. */
void files_fini(struct eng_files *t);
/*
 * Register fd, which the table owns from then on (it is closed on failure
 * too): 0 with *handle set, or -EMFILE past AIONL_MAX_FILES, -ENOMEM, the
 * -errno of inspecting fd, or -EBADF for an AIO socket: an engine holding
 * its own socket (or two engines each other's) would never see it close,
 * so the kernel backend refuses them too.
 */
int files_add(struct eng_files *t, int fd, uint64_t *handle);
/* The file of handle, or NULL. Engine thread, or with lock held. */
struct eng_file *files_lookup(const struct eng_files *t, uint64_t handle);
/* Unregister handle: 0, or -EBADF. Requests in flight keep the file. */
int files_remove(struct eng_files *t, uint64_t handle);
/* Take and drop a request's reference. */
static inline void file_get(struct eng_file *f)
{
	atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
}
void file_put(struct eng_file *f);
/*
 * file_put in two steps, for a caller holding a lock that close(2) must not
 * be made under (a FUSE or NFS close waits for the server's FLUSH): whether
 * that was the last reference, and then, if so, file_free off the lock.
 */
static inline bool file_unref(struct eng_file *f)
{
	return atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1;
}
void file_free(struct eng_file *f);

#endif /* AIONL_FILES_H */
