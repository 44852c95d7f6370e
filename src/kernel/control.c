// SPDX-License-Identifier: GPL-2.0
/*
 * Control requests, answered with a reply that carries their nlmsg_seq:
 * GET_INFO, REGISTER and UNREGISTER. Also what every request does first,
 * admission, and the lookup of a registered file.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <net/sock.h>
#include <net/genetlink.h>

#include "internal.h"

/*
 * Everything a socket holds counts against max_inflight: requests at work,
 * armed watches, and entries waiting for the receive buffer. A request that
 * adds only a reply (GET_INFO, REGISTER, CANCEL...) is refused only when
 * what waits to be sent fills the limit, so that a socket full of armed
 * watches can still cancel them: its memory stays under twice the limit.
 */
bool aionl_sock_full(struct aionl_sock *as, enum aionl_admit admit)
{
	unsigned int held = atomic_read(&as->inflight) + READ_ONCE(as->nbacklog) +
			    READ_ONCE(as->nquick);

	if (admit == AIONL_ADMIT_WORK)
		held += READ_ONCE(as->nwatches);
	return held >= READ_ONCE(aionl_max_inflight);
}

/*
 * What every request does after its attributes are checked: find the
 * socket's state, and refuse with -EBUSY past max_inflight. Returns the
 * state, or NULL with *err set.
 */
/* The module parameter disabled (main.c), as io_uring_allowed() reads io_uring's. */
bool aionl_allowed(void)
{
	unsigned int disabled = READ_ONCE(aionl_disabled);
	int gid = READ_ONCE(aionl_allowed_gid);

	if (likely(!disabled))
		return true;
	if (disabled > 1)
		return false;
	if (gid >= 0) {
		kgid_t kgid = make_kgid(&init_user_ns, gid);

		if (gid_valid(kgid) && in_group_p(kgid))
			return true;
	}
	return capable(CAP_SYS_ADMIN);
}

struct aionl_sock *aionl_request_begin(struct sk_buff *skb, struct genl_info *info,
				       enum aionl_admit admit, int *err)
{
	struct aionl_sock *as;

	if (!aionl_allowed()) {
		GENL_SET_ERR_MSG(info, "aionl is disabled for this user (the module's disabled parameter)");
		*err = -EPERM;
		return NULL;
	}
	as = aionl_sock_get(skb, info);
	if (!as) {
		*err = -ENOMEM;
		goto refused;
	}
	/* A chain is admitted whole, at its first request (chain.c). */
	if (aionl_sock_full(as, admit) && !aionl_order_admitted(as, skb, info)) {
		GENL_SET_ERR_MSG(info, "too many requests outstanding: reap completions first");
		*err = -EBUSY;
		goto refused;
	}
	return as;
refused:
	/* An orderable request refused here must not let its chain's rest run. */
	if (aionl_cmd_takes_req_flags(info->genlhdr->cmd))
		*err = aionl_order_refused(skb, info, *err);
	return NULL;
}

struct file *aionl_file_lookup_any(struct aionl_sock *as, u64 handle)
{
	struct file *file;

	/* The module's handles have generation 0: cyclic slots stand in for it. */
	if (aionl_handle_tag(handle) != as->tag || aionl_handle_gen(handle))
		return NULL;
	rcu_read_lock();
	file = aionl_xa_get_file_rcu(&as->files, aionl_handle_slot(handle));
	rcu_read_unlock();
	return file;
}

/*
 * The file of handle for I/O, or NULL: an O_PATH file (a directory handle
 * for OPEN) does no I/O, and every request on it completes with -EBADF, as
 * read(2), fsync(2) and poll's on such a descriptor say, and as the engine
 * says.
 */
struct file *aionl_file_lookup(struct aionl_sock *as, u64 handle)
{
	struct file *file = aionl_file_lookup_any(as, handle);

	if (file && (file->f_mode & FMODE_PATH)) {
		fput(file);
		return NULL;
	}
	return file;
}

void aionl_file_caps(const struct file *file, struct aionl_file_caps *caps)
{
	caps->readable = file->f_mode & FMODE_READ;
	caps->writable = file->f_mode & FMODE_WRITE;
	caps->seekable = aionl_mode_seekable(file_inode(file)->i_mode);
	caps->directory = S_ISDIR(file_inode(file)->i_mode);
}

int aionl_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_get_info m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	int err;

	err = aionl_nl_get_info_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_GET_INFO, info->snd_seq);
	if (!r)
		return -ENOMEM;
	aionl_post(as, r, true);
	return 0;
}

/*
 * No netlink socket is taken. A generic netlink one may be an AIO socket,
 * now or later: registered with one, it could come to hold itself (or two
 * sockets each other), and nothing would ever release them; io_uring
 * refuses its own files for the same reason. And a transfer on any netlink
 * socket runs that protocol's handlers in the transfer's context, which for
 * the inline attempt is a doit holding genetlink's cb_lock: rtnetlink's
 * RTM_NEWLINK may request_module() a module whose init registers a genetlink
 * family, waiting for that lock behind us, and every genetlink user on the
 * machine with it.
 */
static bool aionl_file_may_hold_us(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	return sock && sock->sk && sock->sk->sk_family == AF_NETLINK;
}

/*
 * Register file (a reference the socket keeps, or NULL) as a handle. A
 * socket holds at most as many files as the registering process may have
 * open (its RLIMIT_NOFILE, nofile: an OPEN's worker passes the sender's),
 * and never past AIONL_MAX_FILES.
 */
s64 aionl_file_add(struct aionl_sock *as, struct file *file, unsigned long nofile, u64 *handle)
{
	u32 id;
	int err;

	if (!file)
		return -EBADF;
	if (aionl_file_may_hold_us(file)) {
		fput(file);
		return -EBADF;
	}
	xa_lock(&as->files);
	if (as->bound && file_inode(file)->i_sb->s_dev != as->bound_dev) {
		xa_unlock(&as->files);
		fput(file);
		return -EXDEV;
	}
	if (as->nfiles >= nofile) {
		xa_unlock(&as->files);
		fput(file);
		return -EMFILE;
	}
	as->nfiles++;
	xa_unlock(&as->files);
	/* Cyclic: a slot comes back into use as late as it can. */
	err = xa_alloc_cyclic(&as->files, &id, file, XA_LIMIT(0, AIONL_MAX_FILES - 1),
			      &as->next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		xa_lock(&as->files);
		as->nfiles--;
		xa_unlock(&as->files);
		fput(file);
		return err == -EBUSY ? -EMFILE : err;
	}
	*handle = aionl_handle_make(as->tag, 0, id);
	return 0;
}

int aionl_nl_register_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_register m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	int err;

	err = aionl_nl_register_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_REGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	/*
	 * The sender's file table: doit runs in its context. O_PATH files too
	 * (fget_raw), as SCM_RIGHTS takes them to the engine: a directory
	 * opened O_PATH is a fine start for OPEN.
	 */
	r->res = aionl_file_add(as, fget_raw(m.fd), rlimit(RLIMIT_NOFILE), &r->handle);
	aionl_post(as, r, true);
	return 0;
}

/*
 * Bind the socket to the filesystem of a descriptor of the sender's: from
 * then on aionl_file_add() takes only its files (REGISTER, and the files
 * OPENs open), and file requests run on the socket's own workqueue.
 */
int aionl_nl_bind_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct workqueue_struct *wq = NULL;
	kuid_t uid = current_uid();
	bool charged = false;
	struct aionl_bind m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	dev_t dev;
	int err;

	err = aionl_nl_bind_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_BIND, info->snd_seq);
	if (!r)
		return -ENOMEM;
	file = fget_raw(m.fd);
	if (!file) {
		r->res = -EBADF;
		goto out;
	}
	dev = file_inode(file)->i_sb->s_dev;
	fput(file);
	/* Its own queue, charged to the sender (users.c): -EAGAIN past the limit. */
	if (!READ_ONCE(as->bound)) {
		charged = aionl_user_queue_get(uid);
		if (charged)
			wq = alloc_workqueue("aionl-io", WQ_UNBOUND, AIONL_MAX_BOUND_IO_RUNNING);
	}
	xa_lock(&as->files);
	if (as->bound) {
		r->res = as->bound_dev == dev ? 0 : -EINVAL;
	} else if (as->nfiles) {
		r->res = -EBUSY;
	} else if (!charged) {
		r->res = -EAGAIN;
	} else if (!wq) {
		r->res = -ENOMEM;
	} else {
		as->bound_dev = dev;
		as->io_wq = wq;
		as->io_wq_user = uid;
		WRITE_ONCE(as->bound, true);
		wq = NULL;
		charged = false;
		r->res = 0;
	}
	xa_unlock(&as->files);
	if (wq)
		destroy_workqueue(wq);
	if (charged)
		aionl_user_queue_put(uid);
	r->handle = huge_encode_dev(dev);
out:
	aionl_post(as, r, true);
	return 0;
}

int aionl_nl_unregister_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_unregister m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file = NULL;
	int err;

	err = aionl_nl_unregister_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, AIONL_ADMIT_REPLY, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_UNREGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	if (aionl_handle_tag(m.handle) == as->tag && !aionl_handle_gen(m.handle)) {
		xa_lock(&as->files);
		file = __xa_erase(&as->files, aionl_handle_slot(m.handle));
		if (file)
			as->nfiles--;
		xa_unlock(&as->files);
	}
	r->res = file ? 0 : -EBADF;
	if (file)
		fput(file);	/* requests in flight hold their own reference */
	aionl_post(as, r, true);
	return 0;
}
