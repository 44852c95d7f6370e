// SPDX-License-Identifier: GPL-2.0
/*
 * Opening through the socket: OPEN opens a file on the sender's behalf in a
 * worker and registers it; INSTALL puts a registered file into the sender's
 * descriptor table, in its context, as io_uring's FIXED_FD_INSTALL does.
 *
 * An OPEN is resolved as the sender's openat(2) would be. A kworker has
 * init's root and working directory, its umask, its limits and its
 * credentials, so the request carries the sender's, taken at submission:
 * its credentials (override_creds), its root, and its working directory or
 * the directory handle's path, its umask and its RLIMIT_NOFILE (which
 * bounds the files its socket holds, as for REGISTER) and its memory
 * cgroup. The worker runs the open with a private fs_struct holding that
 * root and start directory in place of its own, as io_uring's workers did
 * before they became threads of the submitting process (io_wq_switch_fs,
 * 5.6 to 5.11): so ".." climbs up to the sender's root and an absolute path
 * or symlink starts there, exactly as openat(2), which file_open_root()
 * would not do (it takes its start as the root).
 *
 * Each socket runs at most AIONL_MAX_OPENS_RUNNING OPENs at once, on a
 * workqueue of its own with that max_active: the others wait, queued but
 * inactive, where a cancel (events.c, which finds them on the socket's
 * async list like every workqueue request) takes them off with -ECANCELED.
 * One that runs completes with its result. The socket's release interrupts
 * the ones that wait in the filesystem where a signal would (a FIFO's open
 * waiting for its other end), so that a process killed with such an OPEN
 * does not hang in its exit: the worker gets TIF_NOTIFY_SIGNAL, as io_uring
 * sends its workers for a cancel, and clears it before it leaves the work.
 */
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/fs_struct.h>
#include <linux/memcontrol.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "internal.h"

/* An OPEN's state, from submission to completion; freed by aionl_kreq_release_io(). */
struct aionl_open_req {
	struct path root;		/* the sender's root */
	struct path pwd;		/* its working directory, without a directory handle */
	struct mem_cgroup *memcg;	/* charged for the file the open allocates */
	unsigned long nofile;		/* its RLIMIT_NOFILE */
	int umask;
	int flags;
	umode_t mode;
	u32 options;
	/* Under aionl_sock.lock: */
	struct task_struct *task;	/* the worker, while it opens */
	bool interrupted;		/* the socket is going: stop waiting */
	char path[];
};

/* The protocol's open(2) flags are the machine's (idl/aionl.proto, enum OpenFlag). */
static_assert(AIONL_OPEN_WRONLY == O_WRONLY && AIONL_OPEN_RDWR == O_RDWR &&
	      AIONL_OPEN_CREAT == O_CREAT && AIONL_OPEN_EXCL == O_EXCL &&
	      AIONL_OPEN_NOCTTY == O_NOCTTY && AIONL_OPEN_TRUNC == O_TRUNC &&
	      AIONL_OPEN_APPEND == O_APPEND && AIONL_OPEN_NONBLOCK == O_NONBLOCK &&
	      AIONL_OPEN_DSYNC == O_DSYNC && AIONL_OPEN_DIRECT == O_DIRECT &&
	      AIONL_OPEN_LARGEFILE == O_LARGEFILE && AIONL_OPEN_DIRECTORY == O_DIRECTORY &&
	      AIONL_OPEN_NOFOLLOW == O_NOFOLLOW && AIONL_OPEN_NOATIME == O_NOATIME &&
	      AIONL_OPEN_CLOEXEC == O_CLOEXEC && AIONL_OPEN_SYNC_BIT == __O_SYNC &&
	      AIONL_OPEN_PATH == O_PATH && AIONL_OPEN_TMPFILE_BIT == __O_TMPFILE);

void aionl_open_free(struct aionl_open_req *o)
{
	path_put(&o->root);
	if (o->pwd.dentry)
		path_put(&o->pwd);
	mem_cgroup_put(o->memcg);
	kfree(o);
	aionl_object_gone();
}

/*
 * The socket's workqueue for OPENs, made by its first and charged to its
 * sender (users.c); past the user's limit, the shared one, which bounds
 * everyone's together.
 */
static struct workqueue_struct *aionl_open_wq(struct aionl_sock *as)
{
	struct workqueue_struct *wq = READ_ONCE(as->open_wq), *old;
	kuid_t uid = current_uid();

	if (wq)
		return wq;
	if (!aionl_user_queue_get(uid))
		return aionl_wq;
	wq = alloc_workqueue("aionl-open", WQ_UNBOUND, AIONL_MAX_OPENS_RUNNING);
	if (!wq) {
		aionl_user_queue_put(uid);
		return NULL;
	}
	spin_lock(&as->lock);
	old = as->open_wq;
	if (!old) {
		as->open_wq_user = uid;
		WRITE_ONCE(as->open_wq, wq);
	}
	spin_unlock(&as->lock);
	if (old) {
		destroy_workqueue(wq);	/* another thread of the socket made it first */
		aionl_user_queue_put(uid);
		return old;
	}
	return wq;
}

/* Errnos a signal leaves in the kernel are not for user space to see. */
static s64 aionl_open_errno(const struct aionl_open_req *o, long err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
	case -EINTR:
		return READ_ONCE(o->interrupted) ? -ECANCELED : -EINTR;
	}
	return err;
}

/*
 * On a bound socket, an open that may create or truncate first looks, O_PATH
 * (nothing read, no open method), at where it would land: the file, or with
 * O_CREAT and no file yet its directory. aionl_file_add() refuses a file of
 * another filesystem only after the open, when O_CREAT has made it and
 * O_TRUNC emptied it. 0, or the errno to end with (-EXDEV among them).
 * Runs as the sender, with its root and working directory in place.
 */
static int aionl_open_probe(struct aionl_sock *as, const struct aionl_open_req *o)
{
	struct file *f;
	const char *slash;
	char *dir;
	int err = 0;

	if (!READ_ONCE(as->bound) || !(o->flags & (O_CREAT | O_TRUNC | __O_TMPFILE)))
		return 0;
	f = filp_open(o->path, O_PATH | (o->flags & (O_NOFOLLOW | O_DIRECTORY)), 0);
	if (IS_ERR(f) && PTR_ERR(f) == -ENOENT && (o->flags & O_CREAT)) {
		slash = strrchr(o->path, '/');
		dir = !slash ? kstrdup(".", GFP_KERNEL_ACCOUNT) : slash == o->path ?
		      kstrdup("/", GFP_KERNEL_ACCOUNT) :
		      kstrndup(o->path, slash - o->path, GFP_KERNEL_ACCOUNT);
		if (!dir)
			return -ENOMEM;
		f = filp_open(dir, O_PATH | O_DIRECTORY, 0);
		kfree(dir);
	}
	if (IS_ERR(f))
		return PTR_ERR(f);	/* the open itself would fail the same way */
	if (file_inode(f)->i_sb->s_dev != as->bound_dev)
		err = -EXDEV;
	fput(f);
	return err;
}

/*
 * Make fs, on the caller's stack, current's fs_struct, with root, pwd and
 * umask (the sender's, as the request holds them: the walk takes references
 * of its own), until aionl_fs_swap_out(), which takes the returned one.
 */
struct fs_struct *aionl_fs_swap_in(struct fs_struct *fs, const struct path *root,
				   const struct path *pwd, int umask)
{
	struct fs_struct *old;

	memset(fs, 0, sizeof(*fs));
	fs->users = 1;
	spin_lock_init(&fs->lock);
	seqcount_spinlock_init(&fs->seq, &fs->lock);
	fs->umask = umask;
	fs->root = *root;
	fs->pwd = *pwd;
	/* Under task_lock, as /proc's readers of a task's fs look at it. */
	task_lock(current);
	old = current->fs;
	current->fs = fs;
	task_unlock(current);
	return old;
}

void aionl_fs_swap_out(struct fs_struct *old)
{
	task_lock(current);
	current->fs = old;
	task_unlock(current);
}

/* The open itself, in a kworker, as the sender. */
static struct file *aionl_open_as_sender(struct aionl_kreq *r)
{
	struct aionl_open_req *o = r->open;
	struct fs_struct fs, *old_fs;
	struct mem_cgroup *old_memcg;
	const struct cred *old_cred;
	struct file *file;
	int err;

	old_memcg = set_active_memcg(o->memcg);
	old_cred = override_creds(r->cred);
	old_fs = aionl_fs_swap_in(&fs, &o->root, r->file ? &r->file->f_path : &o->pwd, o->umask);
	err = aionl_open_probe(r->as, o);
	file = err ? ERR_PTR(err) : filp_open(o->path, o->flags, o->mode);
	aionl_fs_swap_out(old_fs);
	revert_creds(old_cred);
	set_active_memcg(old_memcg);
	return file;
}

/*
 * In a kworker, /proc/self and /proc/thread-self name the kworker: its
 * namespaces (/proc/self/ns/ are the initial ones, handed out since the
 * worker is its own thread group), its LSM attributes, its status. No file
 * of procfs or nsfs comes out of an OPEN, whatever path led there; the
 * program opens those itself, and they never hang.
 */
static bool aionl_open_names_the_worker(const struct file *file)
{
	unsigned long magic = file->f_path.dentry->d_sb->s_magic;

	return magic == PROC_SUPER_MAGIC || magic == NSFS_MAGIC;
}

static void aionl_open_work(struct work_struct *work)
{
	struct aionl_kreq *r = container_of(work, struct aionl_kreq, work);
	struct aionl_open_req *o = r->open;
	struct aionl_sock *as = r->as;
	struct file *file;
	bool stop;
	s64 res;

	spin_lock(&as->lock);
	stop = o->interrupted;
	if (!stop)
		o->task = current;
	spin_unlock(&as->lock);
	if (stop) {
		aionl_io_done(r, -ECANCELED);
		return;
	}
	file = aionl_open_as_sender(r);
	/*
	 * From here the release finds no task to interrupt, so the flag it
	 * may have set is cleared for good: the kworker goes on to other work.
	 */
	spin_lock(&as->lock);
	o->task = NULL;
	spin_unlock(&as->lock);
	clear_tsk_thread_flag(current, TIF_NOTIFY_SIGNAL);
	if (IS_ERR(file)) {
		res = aionl_open_errno(o, PTR_ERR(file));
	} else if (aionl_open_names_the_worker(file)) {
		fput(file);
		res = -EPERM;
	} else {
		res = aionl_file_add(as, file, o->nofile, &r->handle);
		if (!res) {
			r->has_handle = true;
			if (o->options & AIONL_OPEN_FD)
				r->flags |= AIONL_CQE_F_FD;
		}
	}
	aionl_io_done(r, res);
}

int aionl_nl_open_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct workqueue_struct *wq;
	struct aionl_open_req *o;
	struct file *dir = NULL;
	struct aionl_ord *ord;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct aionl_open m;
	size_t len;
	int err;

	err = aionl_nl_open_parse(info, &m);
	if (err)
		return aionl_order_refused(skb, info, err);
	as = aionl_request_begin(skb, info, AIONL_ADMIT_WORK, &err);
	if (!as)
		return err;
	/* Held by a chain or a drain (chain.c)? Its results then come in its turn. */
	err = aionl_order_begin(as, skb, info, m.cookie, m.req_flags, 0, false, &ord);
	if (err)
		return err;
	if (m.present & (1ULL << AIONL_A_OPEN_DIR)) {
		dir = aionl_file_lookup_any(as, m.dir);
		if (!dir)
			return aionl_order_now(as, ord, m.cookie, -EBADF);
		/* openat(2)'s check: a relative path cannot start from a file. */
		if (m.path[0] != '/' && !S_ISDIR(file_inode(dir)->i_mode)) {
			fput(dir);
			return aionl_order_now(as, ord, m.cookie, -ENOTDIR);
		}
	}
	wq = aionl_open_wq(as);
	len = strlen(m.path) + 1;	/* the policy bounds it by AIONL_MAX_PATH */
	o = wq ? kzalloc(struct_size(o, path, len), GFP_KERNEL_ACCOUNT) : NULL;
	if (o)
		aionl_object_new();
	r = o ? aionl_kreq_new(as, AIONL_CMD_COMPLETION, 0) : NULL;
	if (!r) {
		if (o) {
			kfree(o);
			aionl_object_gone();
		}
		if (dir)
			fput(dir);
		return aionl_order_now(as, ord, m.cookie, -ENOMEM);
	}
	memcpy(o->path, m.path, len);
	o->flags = m.flags;
	/* As open(2) on a 64-bit kernel: filp_open() leaves it to its callers. */
	if (force_o_largefile())
		o->flags |= O_LARGEFILE;
	o->mode = m.mode;
	o->options = m.options;
	/* The sender's, now: the worker has init's. */
	get_fs_root(current->fs, &o->root);
	if (!dir)
		get_fs_pwd(current->fs, &o->pwd);
	o->umask = current_umask();
	o->nofile = rlimit(RLIMIT_NOFILE);
	o->memcg = get_mem_cgroup_from_mm(current->mm);
	r->cookie = m.cookie;
	r->file = dir;
	r->open = o;
	r->cred = get_current_cred();

	INIT_WORK(&r->work, aionl_open_work);
	if (ord)
		return aionl_order_queue(as, ord, r, wq, 0);
	atomic_inc(&as->inflight);
	/* Queued under as->lock, where cancel looks for it (rw.c, aionl_queue_io). */
	spin_lock(&as->lock);
	list_add_tail(&r->async_node, &as->async);
	r->in_async = true;
	queue_work(wq, &r->work);
	spin_unlock(&as->lock);
	return 0;
}

/*
 * The socket is being released and its waiting OPENs were cancelled: stop
 * the ones that run where they wait for a signal, since nobody will read
 * what they find (the file, if they got it, is registered and then dropped
 * with the socket's files).
 */
void aionl_open_release(struct aionl_sock *as)
{
	struct aionl_kreq *r;

	spin_lock(&as->lock);
	list_for_each_entry(r, &as->async, async_node) {
		if (!r->open)
			continue;
		r->open->interrupted = true;
		if (r->open->task) {
			set_tsk_thread_flag(r->open->task, TIF_NOTIFY_SIGNAL);
			wake_up_process(r->open->task);
		}
	}
	spin_unlock(&as->lock);
}

/* After the release waited for every request: the workqueue goes too. */
void aionl_open_release_done(struct aionl_sock *as)
{
	if (as->open_wq) {
		destroy_workqueue(as->open_wq);
		aionl_user_queue_put(as->open_wq_user);
	}
	as->open_wq = NULL;
}

/*
 * INSTALL, in the sender's context: receive_fd() checks the LSM's
 * file_receive hook and takes the lowest free descriptor within the
 * sender's RLIMIT_NOFILE, as FIXED_FD_INSTALL and SCM_RIGHTS do. The
 * library moves it to its high range.
 */
int aionl_nl_install_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_install m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	int err, fd;

	err = aionl_nl_install_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_INSTALL, info->snd_seq);
	if (!r)
		return -ENOMEM;
	file = aionl_file_lookup_any(as, m.handle);
	if (!file) {
		r->res = -EBADF;
	} else {
		fd = aionl_receive_fd(file, m.flags & AIONL_INSTALL_NO_CLOEXEC ? 0 : O_CLOEXEC);
		fput(file);
		r->res = fd < 0 ? fd : 0;
		r->fd = fd;
	}
	aionl_post(as, r, true);
	return 0;
}
