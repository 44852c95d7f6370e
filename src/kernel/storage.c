// SPDX-License-Identifier: GPL-2.0
/*
 * FALLOCATE, STATX and COPY: fallocate(2) on a registered file, statx(2) of
 * a registered file or of a path, and copy_file_range(2) between two
 * registered files. Each may block in the filesystem (a fallocate
 * allocates and zeroes, a lookup reads directories, a copy moves data, a
 * network filesystem asks its server), so none runs in the sender's context:
 * the doit checks what needs no filesystem, takes what the sender's own
 * call would use, and queues a work that runs as the sender, on the socket's
 * queue like every file request, where cancel finds it until it starts.
 *
 * A kworker is nobody in particular (open.c says what it lacks), so a
 * request carries, from the sender:
 *  - its credentials (override_creds): permission checks, LSM hooks, the
 *    user namespace a statx's owner is told in;
 *  - its memory cgroup (set_active_memcg), charged for what the filesystem
 *    allocates for it: a tmpfs fallocate allocates the file's pages, a
 *    lookup its dentries;
 *  - for FALLOCATE and COPY, its RLIMIT_FSIZE, which the filesystem and
 *    the VFS read from current (inode_newsize_ok(),
 *    generic_write_check_limits()), each under its own conditions: ext4
 *    only when the file grows, tmpfs with FALLOC_FL_KEEP_SIZE too. So the
 *    worker takes the sender's limit on for the call, its own one back
 *    after, rather than guessing each filesystem's rule; SIGXFSZ goes to
 *    the kworker, which ignores every signal, and the result says -EFBIG;
 *  - for FALLOCATE and COPY, its block cgroup (kthread_associate_blkcg),
 *    as a transfer's worker takes it: the I/O they cause counts against
 *    the sender's io.max;
 *  - for STATX, its root and working directory (or the directory handle),
 *    which the walk starts from as OPEN's does (open.c), and its address
 *    space, where the worker writes the struct statx as transfers write
 *    their buffers (kthread_use_mm): nothing is pinned.
 *
 * statx(2)'s own vfs_statx() is not exported. It is kern_path(), then
 * vfs_getattr(), which are, then the kstat written out as cp_statx() writes
 * it. What only the VFS's private struct mount knows, the mount's id, stays
 * out: stx_mask never has STATX_MNT_ID here. A block device's DIOALIGN
 * (bdev_statx_dioalign(), unexported) likewise.
 */
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/memcontrol.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

#include "internal.h"

/* The protocol's modes and flags are the kernel's (idl/aionl.proto). */
static_assert(AIONL_FALLOC_KEEP_SIZE == FALLOC_FL_KEEP_SIZE &&
	      AIONL_FALLOC_PUNCH_HOLE == FALLOC_FL_PUNCH_HOLE &&
	      AIONL_FALLOC_ZERO_RANGE == FALLOC_FL_ZERO_RANGE);
static_assert(AIONL_STATX_SYMLINK_NOFOLLOW == AT_SYMLINK_NOFOLLOW &&
	      AIONL_STATX_NO_AUTOMOUNT == AT_NO_AUTOMOUNT &&
	      AIONL_STATX_EMPTY_PATH == AT_EMPTY_PATH &&
	      AIONL_STATX_FORCE_SYNC == AT_STATX_FORCE_SYNC &&
	      AIONL_STATX_DONT_SYNC == AT_STATX_DONT_SYNC);
static_assert(AIONL_STATX_MASK_BITS == (u32)~STATX__RESERVED);

/* A FALLOCATE's or a STATX's state; freed by aionl_kreq_release_io(). */
struct aionl_storage_req {
	struct mem_cgroup *memcg;	/* the sender's */
	u32 mode;			/* FALLOCATE */
	/* STATX: */
	u32 flags, mask;
	u64 addr;			/* the struct statx, in r->mm */
	struct path root;		/* the sender's, with a path to walk */
	/* Without a handle, the sender's cwd: a relative path's start, or the file described. */
	struct path pwd;
	bool walk;			/* path names the file, not the handle or pwd */
	char path[];
};

void aionl_storage_free(struct aionl_storage_req *s)
{
	if (s->root.dentry)
		path_put(&s->root);
	if (s->pwd.dentry)
		path_put(&s->pwd);
	mem_cgroup_put(s->memcg);
	kfree(s);
	aionl_object_gone();
}

static struct aionl_storage_req *aionl_storage_new(size_t path_len)
{
	struct aionl_storage_req *s = kzalloc(struct_size(s, path, path_len), GFP_KERNEL_ACCOUNT);

	if (!s)
		return NULL;
	aionl_object_new();
	s->memcg = get_mem_cgroup_from_mm(current->mm);
	return s;
}

/* ------------------------------------------------------------ RLIMIT_FSIZE */

/*
 * Put limit, the sender's RLIMIT_FSIZE, on current for a call that reads it
 * from there, under the lock prlimit(2) takes to set one; returns current's
 * own, for aionl_fsize_put_back(). The kworker's own signal_struct is its
 * alone (kthreads are no thread group), and the work has the kworker to
 * itself until it returns.
 */
static unsigned long aionl_fsize_take_on(unsigned long limit)
{
	struct rlimit *lim = &current->signal->rlim[RLIMIT_FSIZE];
	unsigned long own;

	task_lock(current->group_leader);
	own = lim->rlim_cur;
	lim->rlim_cur = limit;
	task_unlock(current->group_leader);
	return own;
}

static void aionl_fsize_put_back(unsigned long own)
{
	task_lock(current->group_leader);
	current->signal->rlim[RLIMIT_FSIZE].rlim_cur = own;
	task_unlock(current->group_leader);
}

/*
 * A FALLOCATE's or a COPY's call (a COPY has a destination, file2), in the
 * worker, as the sender: its block cgroup (the I/O it causes counts against
 * the sender's io.max, as a transfer's worker's does), memory cgroup,
 * credentials and RLIMIT_FSIZE.
 *
 * A COPY is vfs_copy_file_range(), what copy_file_range(2) calls once it
 * has the files and offsets: every check of the system call's (the files'
 * types and modes, O_APPEND, the filesystems, an overlap within one file,
 * the limit), the freeze protection (file_start_write), and the choice
 * between the filesystem's own copy, a reflink and a splice through the
 * worker's own pipe, are the kernel's, so both servers answer alike.
 */
static void aionl_as_sender_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	struct mem_cgroup *old_memcg;
	const struct cred *old;
	unsigned long own;
	long ret;

	aionl_debug_delay(AIONL_DELAY_IO, true);
#ifdef CONFIG_BLK_CGROUP
	kthread_associate_blkcg(r->blkcg);
#endif
	old_memcg = set_active_memcg(r->storage->memcg);
	old = override_creds(r->cred);
	own = aionl_fsize_take_on(r->fsize_limit);
	if (r->file2)
		ret = vfs_copy_file_range(r->file, r->pos, r->file2, r->pos2, r->len, 0);
	else
		ret = vfs_fallocate(r->file, r->storage->mode, r->pos, r->len);
	aionl_fsize_put_back(own);
	revert_creds(old);
	set_active_memcg(old_memcg);
#ifdef CONFIG_BLK_CGROUP
	kthread_associate_blkcg(NULL);
#endif
	aionl_io_done(r, ret);
}

/* ------------------------------------------------------------ FALLOCATE */

/*
 * The range's rule first (aionl-rules.h), after the handle; the mode goes
 * to vfs_fallocate() as it is, which refuses what fallocate(2) refuses. An
 * O_PATH handle does no I/O: -EBADF, as fallocate(2) on its descriptor.
 */
/* Hand r to a worker to run fn as its submitter: now, or, ordered, in its turn. */
static int aionl_storage_queue(struct aionl_sock *as, struct aionl_ord *ord, struct aionl_kreq *r,
			       work_func_t fn)
{
	if (!ord) {
		aionl_queue_work(as, r, 0, fn);
		return 0;
	}
	aionl_kreq_as_submitter(r);
	INIT_WORK(&r->work, fn);
	return aionl_order_queue(as, ord, r, NULL, 0);
}

int aionl_nl_fallocate_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_storage_req *s;
	struct aionl_fallocate m;
	struct aionl_ord *ord;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	int err;

	err = aionl_nl_fallocate_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	/* Held by a chain or a drain (chain.c)? Its results then come in its turn. */
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, 0, false, &ord);
	if (err)
		return err;
	file = aionl_file_lookup(as, m.handle);
	if (!file)
		return aionl_order_now(as, ord, m.cookie, -EBADF);
	err = aionl_fallocate_check(m.offset, m.len);
	if (err) {
		fput(file);
		return aionl_order_now(as, ord, m.cookie, err);
	}
	s = aionl_storage_new(0);
	r = s ? aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0) : NULL;
	if (!r) {
		if (s)
			aionl_storage_free(s);
		fput(file);
		return aionl_order_now(as, ord, m.cookie, -ENOMEM);
	}
	s->mode = m.mode;
	r->cookie = m.cookie;
	r->file = file;
	r->pos = m.offset;
	r->len = m.len;
	r->storage = s;
	return aionl_storage_queue(as, ord, r, aionl_as_sender_work);
}

/* ------------------------------------------------------------ STATX */

/* statx(2)'s lookup flags for its AT_ flags (getname_statx_lookup_flags()). */
static unsigned int aionl_statx_lookup_flags(u32 flags)
{
	unsigned int lookup = 0;

	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lookup |= LOOKUP_FOLLOW;
	if (!(flags & AT_NO_AUTOMOUNT))
		lookup |= LOOKUP_AUTOMOUNT;
	return lookup;
}

/* vfs_statx()'s attributes of one path, but the mount's id. */
static int aionl_statx_getattr(const struct path *p, const struct aionl_storage_req *s,
			       struct kstat *stat)
{
	int err = vfs_getattr(p, stat, s->mask, s->flags & AT_STATX_SYNC_TYPE);

	if (p->mnt->mnt_root == p->dentry)
		stat->attributes |= STATX_ATTR_MOUNT_ROOT;
	stat->attributes_mask |= STATX_ATTR_MOUNT_ROOT;
	return err;
}

/*
 * In a kworker /proc/self and /proc/thread-self name the kworker, and its
 * /proc/self/ns/ the initial namespaces (open.c, which refuses such files
 * to an OPEN for the same reason): a walk that ends on procfs or nsfs
 * describes nothing, whatever path led there, rather than the worker.
 */
static bool aionl_statx_names_the_worker(const struct path *p)
{
	unsigned long magic = p->dentry->d_sb->s_magic;

	return magic == PROC_SUPER_MAGIC || magic == NSFS_MAGIC;
}

/* The path's walk as statx(2)'s, from the sender's root and start, then its attributes. */
static int aionl_statx_walk(struct aionl_kreq *r, struct kstat *stat)
{
	struct aionl_storage_req *s = r->storage;
	unsigned int lookup = aionl_statx_lookup_flags(s->flags);
	struct fs_struct fs, *old_fs;
	struct path p;
	int err;

	/* A lookup creates nothing: no umask to carry. */
	old_fs = aionl_fs_swap_in(&fs, &s->root, r->file ? &r->file->f_path : &s->pwd, 0);
retry:
	err = kern_path(s->path, lookup, &p);
	if (!err) {
		err = aionl_statx_names_the_worker(&p) ? -EPERM : aionl_statx_getattr(&p, s, stat);
		path_put(&p);
	}
	if (retry_estale(err, lookup)) {
		lookup |= LOOKUP_REVAL;
		goto retry;
	}
	aionl_fs_swap_out(old_fs);
	return err;
}

/*
 * stat as cp_statx() writes it, to the sender's buffer, from its address
 * space: a program that exited or exec'd meanwhile gets -EFAULT, which
 * nobody reads. The owner is told in the sender's user namespace (the
 * credentials are the sender's here).
 */
static int aionl_statx_copy_out(struct aionl_kreq *r, const struct kstat *stat)
{
	struct statx tmp;
	int err;

	memset(&tmp, 0, sizeof(tmp));
	tmp.stx_mask = stat->result_mask & ~AIONL_STATX_KERNEL_ONLY;
	tmp.stx_blksize = stat->blksize;
	tmp.stx_attributes = stat->attributes;
	tmp.stx_nlink = stat->nlink;
	tmp.stx_uid = from_kuid_munged(current_user_ns(), stat->uid);
	tmp.stx_gid = from_kgid_munged(current_user_ns(), stat->gid);
	tmp.stx_mode = stat->mode;
	tmp.stx_ino = stat->ino;
	tmp.stx_size = stat->size;
	tmp.stx_blocks = stat->blocks;
	tmp.stx_attributes_mask = stat->attributes_mask;
	tmp.stx_atime.tv_sec = stat->atime.tv_sec;
	tmp.stx_atime.tv_nsec = stat->atime.tv_nsec;
	tmp.stx_btime.tv_sec = stat->btime.tv_sec;
	tmp.stx_btime.tv_nsec = stat->btime.tv_nsec;
	tmp.stx_ctime.tv_sec = stat->ctime.tv_sec;
	tmp.stx_ctime.tv_nsec = stat->ctime.tv_nsec;
	tmp.stx_mtime.tv_sec = stat->mtime.tv_sec;
	tmp.stx_mtime.tv_nsec = stat->mtime.tv_nsec;
	tmp.stx_rdev_major = MAJOR(stat->rdev);
	tmp.stx_rdev_minor = MINOR(stat->rdev);
	tmp.stx_dev_major = MAJOR(stat->dev);
	tmp.stx_dev_minor = MINOR(stat->dev);
	tmp.stx_dio_mem_align = stat->dio_mem_align;
	tmp.stx_dio_offset_align = stat->dio_offset_align;
	aionl_statx_fill_newer(&tmp, stat);

	if (!mmget_not_zero(r->mm))
		return -EFAULT;
	kthread_use_mm(r->mm);
	err = copy_to_user(u64_to_user_ptr(r->storage->addr), &tmp, sizeof(tmp)) ? -EFAULT : 0;
	kthread_unuse_mm(r->mm);
	mmput(r->mm);
	return err;
}

static void aionl_statx_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	struct aionl_storage_req *s = r->storage;
	struct mem_cgroup *old_memcg;
	const struct cred *old;
	struct kstat stat;
	int err;

	aionl_debug_delay(AIONL_DELAY_IO, true);
	old_memcg = set_active_memcg(s->memcg);
	old = override_creds(r->cred);
	if (s->walk)
		err = aionl_statx_walk(r, &stat);
	else
		err = aionl_statx_getattr(r->file ? &r->file->f_path : &s->pwd, s, &stat);
	if (!err)
		err = aionl_statx_copy_out(r, &stat);
	revert_creds(old);
	set_active_memcg(old_memcg);
	aionl_io_done(r, err);
}

/*
 * In statx(2)'s order: the flags (-EINVAL), an empty path without
 * AT_EMPTY_PATH (-ENOENT, as getname() answers), the handle (-EBADF; any
 * registered file, O_PATH ones too, as statx(2) takes any descriptor), and
 * a relative path from a handle that is no directory (-ENOTDIR, as OPEN).
 */
int aionl_nl_statx_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_storage_req *s;
	struct file *dir = NULL;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct aionl_statx m;
	struct aionl_ord *ord;
	bool walk;
	int err;

	err = aionl_nl_statx_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, 0, false, &ord);
	if (err)
		return err;
	err = aionl_statx_check(m.flags);
	if (err)
		return aionl_order_now(as, ord, m.cookie, err);
	walk = (m.present & (1ULL << AIONL_A_STATX_PATH)) && m.path[0];
	if ((m.present & (1ULL << AIONL_A_STATX_PATH)) && !walk && !(m.flags & AT_EMPTY_PATH))
		return aionl_order_now(as, ord, m.cookie, -ENOENT);
	if (m.present & (1ULL << AIONL_A_STATX_HANDLE)) {
		dir = aionl_file_lookup_any(as, m.handle);
		if (!dir)
			return aionl_order_now(as, ord, m.cookie, -EBADF);
		if (walk && m.path[0] != '/' && !S_ISDIR(file_inode(dir)->i_mode)) {
			fput(dir);
			return aionl_order_now(as, ord, m.cookie, -ENOTDIR);
		}
	}
	/* The policy bounds the path by AIONL_MAX_PATH. */
	s = aionl_storage_new(walk ? strlen(m.path) + 1 : 0);
	r = s ? aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0) : NULL;
	if (!r) {
		if (s)
			aionl_storage_free(s);
		if (dir)
			fput(dir);
		return aionl_order_now(as, ord, m.cookie, -ENOMEM);
	}
	s->walk = walk;
	if (walk) {
		strcpy(s->path, m.path);
		get_fs_root(current->fs, &s->root);
	}
	/* The sender's, now: the worker has init's. */
	if (!dir)
		get_fs_pwd(current->fs, &s->pwd);
	s->flags = m.flags;
	s->mask = m.mask & ~AIONL_STATX_KERNEL_ONLY;
	s->addr = m.addr;
	r->cookie = m.cookie;
	r->file = dir;
	r->storage = s;
	r->mm = current->mm;
	mmgrab(r->mm);
	return aionl_storage_queue(as, ord, r, aionl_statx_work);
}

/* ------------------------------------------------------------ COPY */

/*
 * In copy_file_range(2)'s order: the source's handle, the destination's
 * (-EBADF; an O_PATH one too, as the system call's fdget() refuses its
 * descriptor), then the protocol's rule for both ranges (-EINVAL); the rest
 * is vfs_copy_file_range()'s, in the worker.
 */
int aionl_nl_copy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_storage_req *s;
	struct file *src, *dst;
	struct aionl_ord *ord;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct aionl_copy m;
	int err;

	err = aionl_nl_copy_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	/* A short copy breaks its chain, as a short transfer does: it expects m.len. */
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, m.len, false, &ord);
	if (err)
		return err;
	src = aionl_file_lookup(as, m.handle);
	if (!src)
		return aionl_order_now(as, ord, m.cookie, -EBADF);
	dst = aionl_file_lookup(as, m.dst_handle);
	if (!dst) {
		fput(src);
		return aionl_order_now(as, ord, m.cookie, -EBADF);
	}
	err = aionl_copy_check(m.offset, m.dst_offset, m.len);
	s = err ? NULL : aionl_storage_new(0);
	r = s ? aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0) : NULL;
	if (!r) {
		if (s)
			aionl_storage_free(s);
		fput(src);
		fput(dst);
		return aionl_order_now(as, ord, m.cookie, err ?: -ENOMEM);
	}
	r->cookie = m.cookie;
	r->file = src;
	r->pos = m.offset;
	r->file2 = dst;
	r->pos2 = m.dst_offset;
	r->len = m.len;
	r->storage = s;
	return aionl_storage_queue(as, ord, r, aionl_as_sender_work);
}
