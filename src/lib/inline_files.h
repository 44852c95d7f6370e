/* SPDX-License-Identifier: MIT */
/*
 * The kernel backend's inline file table: a duplicate descriptor per
 * registered file, by the module's handle. Adding is best effort (a file it
 * cannot hold is simply served by the module); reads go between begin and
 * end, which hold the table against add and remove.
 */
#ifndef AIONL_INLINE_FILES_H
#define AIONL_INLINE_FILES_H

#include <stdint.h>
#include <sys/uio.h>

struct aionl_inline_files;

struct aionl_inline_files *aionl__inline_files_new(void);
void aionl__inline_files_free(struct aionl_inline_files *t);
void aionl__inline_files_add(struct aionl_inline_files *t, uint64_t handle, int fd);
void aionl__inline_files_remove(struct aionl_inline_files *t, uint64_t handle);
void aionl__inline_files_begin(struct aionl_inline_files *t);
int aionl__inline_files_try_read(struct aionl_inline_files *t, uint64_t handle,
				 const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
				 int64_t *res);
void aionl__inline_files_end(struct aionl_inline_files *t);
/* Around a fork (fork.c): held across it, then new in the child. */
/* false: not taken in time (AIONL_FORK_WAIT_NS), and the child's copy is not whole. */
bool aionl__inline_files_fork_prepare(struct aionl_inline_files *t);
void aionl__inline_files_fork_parent(struct aionl_inline_files *t);
void aionl__inline_files_fork_child(struct aionl_inline_files *t);

#endif /* AIONL_INLINE_FILES_H */
