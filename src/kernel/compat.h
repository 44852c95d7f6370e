/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels aionl.ko is built for: Debian 12's 6.1
 * and bookworm-backports' 6.12 (docs/kernel.md, "Supported kernels"). Every
 * LINUX_VERSION_CODE test of the module is here; the .c files call these
 * wrappers and stay the same on both.
 */
#ifndef _AIONL_COMPAT_H
#define _AIONL_COMPAT_H

#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/stat.h>
#include <linux/version.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

/*
 * Take the next signal of current outside *mask. The caller holds
 * current->sighand->siglock. dequeue_signal() lost its task argument, which
 * was always current ("signal: Remove task argument from dequeue_signal()"):
 * 6.12 has the new form, 6.8 still had the old.
 */
static inline int aionl_dequeue_signal(sigset_t *mask, kernel_siginfo_t *info,
				       enum pid_type *type)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	return dequeue_signal(mask, info, type);
#else
	return dequeue_signal(current, mask, info, type);
#endif
}

/*
 * A reference to the file that xa holds at index, or NULL; the caller is in
 * an RCU read-side section, and xa holds a reference of its own on each of
 * its files, dropped after the file leaves xa.
 *
 * 6.1 frees a file only after a grace period, so a file just loaded from xa
 * is still that file, and get_file_rcu(file) (a "not zero" increment) was all
 * it took. Since 6.7 files come from a SLAB_TYPESAFE_BY_RCU cache: a file
 * freed meanwhile may already be another open file, whose count the
 * increment would take. get_file_rcu() now takes the location the pointer
 * was read from and reads it again; an xarray slot is no such location, so
 * this does the same against the slot: the count, then the slot again, and
 * back with the count if the slot moved on.
 */
static inline struct file *aionl_xa_get_file_rcu(struct xarray *xa, unsigned long index)
{
	struct file *file;

	for (;;) {
		file = xa_load(xa, index);
		if (!file)
			return NULL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
		if (!atomic_long_inc_not_zero(&file->f_count))
			continue;	/* freed: the slot no longer holds it */
#else
		if (!get_file_rcu(file))
			continue;
#endif
		/* The increment is a full barrier: this load comes after it. */
		if (likely(xa_load(xa, index) == file))
			return file;
		fput(file);		/* a reused file, or one unregistered meanwhile */
	}
}

/*
 * vfs_iocb_iter_write() with the filesystem held against freezing, as
 * write(2) holds it. 6.8 moved that into vfs_iocb_iter_write() itself ("fs:
 * move kiocb_start_write() into vfs_iocb_iter_write()"); 6.1 leaves it to
 * the caller. Taking it on top of the kernel's would deadlock with a freeze:
 * the second sb_start_write() waits for the freezer, which waits for the
 * first. Since 6.8 the kernel's is a blocking one, so a write that must not
 * block (IOCB_NOWAIT, in the sender's context) first makes sure that no
 * freeze is under way; one that starts in the moment between can only make
 * it wait until the thaw, as write(2) would.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
static inline ssize_t aionl_iocb_iter_write(struct file *file, struct kiocb *kiocb,
					    struct iov_iter *iter)
{
	struct inode *inode = file_inode(file);

	if ((kiocb->ki_flags & IOCB_NOWAIT) && S_ISREG(inode->i_mode)) {
		if (!sb_start_write_trylock(inode->i_sb))
			return -EAGAIN;
		sb_end_write(inode->i_sb);	/* only a probe: the kernel takes its own */
	}
	return vfs_iocb_iter_write(file, kiocb, iter);
}
#else
static inline ssize_t aionl_iocb_iter_write(struct file *file, struct kiocb *kiocb,
					    struct iov_iter *iter)
{
	struct inode *inode = file_inode(file);
	ssize_t ret;

	if (S_ISREG(inode->i_mode)) {
		if (kiocb->ki_flags & IOCB_NOWAIT) {
			if (!sb_start_write_trylock(inode->i_sb))
				return -EAGAIN;
		} else {
			sb_start_write(inode->i_sb);
		}
	}
	ret = vfs_iocb_iter_write(file, kiocb, iter);
	if (S_ISREG(inode->i_mode))
		sb_end_write(inode->i_sb);
	return ret;
}
#endif

/*
 * Install file in current's descriptor table, as SCM_RIGHTS and io_uring's
 * FIXED_FD_INSTALL do: the LSM's file_receive hook, the lowest free number,
 * a reference of its own. 6.8 gave receive_fd() the user pointer of
 * __receive_fd() ("file: remove __receive_fd()"), NULL for none.
 */
static inline int aionl_receive_fd(struct file *file, unsigned int o_flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return receive_fd(file, NULL, o_flags);
#else
	return receive_fd(file, o_flags);
#endif
}

/*
 * The op a family's pre_doit is handed: 6.1's is the family's struct
 * genl_ops; since 6.2 genetlink splits every op into its do and dump
 * halves, and pre_doit gets the do half, a struct genl_split_ops.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
typedef struct genl_split_ops aionl_genl_pre_ops;
#else
typedef struct genl_ops aionl_genl_pre_ops;
#endif

/*
 * The fields of struct statx that kernels after 6.1 added, from the kstat a
 * filesystem's getattr filled, as the kernel's own cp_statx() copies them:
 * the subvolume (6.10, "statx: add subvolume id") and the atomic write
 * limits (6.11, "fs: Add initial atomic write support info to statx"). 6.1
 * has neither; a kernel in between would have the first.
 */
static inline void aionl_statx_fill_newer(struct statx *tmp, const struct kstat *stat)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	tmp->stx_subvol = stat->subvol;
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	tmp->stx_atomic_write_unit_min = stat->atomic_write_unit_min;
	tmp->stx_atomic_write_unit_max = stat->atomic_write_unit_max;
	tmp->stx_atomic_write_segments_max = stat->atomic_write_segments_max;
#endif
}

/*
 * STATX_CHANGE_COOKIE (6.3) is a request bit of the kernel's own: statx(2)
 * drops it from what programs ask and from what they are told.
 */
#ifdef STATX_CHANGE_COOKIE
#define AIONL_STATX_KERNEL_ONLY STATX_CHANGE_COOKIE
#else
#define AIONL_STATX_KERNEL_ONLY 0
#endif

#endif /* _AIONL_COMPAT_H */
