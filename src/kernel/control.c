// SPDX-License-Identifier: GPL-2.0
/*
 * Control requests, answered with a reply that carries their nlmsg_seq:
 * GET_INFO, REGISTER and UNREGISTER. Also what every request does first,
 * admission, and the lookup of a registered file.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <net/genetlink.h>

#include "internal.h"

static bool aionl_full(struct aionl_sock *as, struct genl_info *info)
{
	if (atomic_read(&as->inflight) + READ_ONCE(as->nbacklog) + READ_ONCE(as->nquick) +
	    READ_ONCE(as->nwatches) < READ_ONCE(aionl_max_inflight))
		return false;
	GENL_SET_ERR_MSG(info, "too many requests outstanding: reap completions first");
	return true;
}

/*
 * What every request does after its attributes are checked: find the
 * socket's state, and (for requests that add work) refuse with -EBUSY past
 * max_inflight. Returns the state, or NULL with *err set.
 */
struct aionl_sock *aionl_request_begin(struct sk_buff *skb, struct genl_info *info, bool admit,
				       int *err)
{
	struct aionl_sock *as = aionl_sock_get(skb, info);

	if (!as) {
		*err = -ENOMEM;
		return NULL;
	}
	if (admit && aionl_full(as, info)) {
		*err = -EBUSY;
		return NULL;
	}
	return as;
}

struct file *aionl_file_lookup(struct aionl_sock *as, u64 handle)
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

void aionl_file_caps(const struct file *file, struct aionl_file_caps *caps)
{
	caps->readable = file->f_mode & FMODE_READ;
	caps->writable = file->f_mode & FMODE_WRITE;
	caps->seekable = aionl_mode_seekable(file_inode(file)->i_mode);
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
	as = aionl_request_begin(skb, info, false, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_GET_INFO, info->snd_seq);
	if (!r)
		return -ENOMEM;
	aionl_post(as, r, true);
	return 0;
}

int aionl_nl_register_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aionl_register m;
	struct aionl_sock *as;
	struct aionl_kreq *r;
	struct file *file;
	u32 id;
	int err;

	err = aionl_nl_register_parse(info, &m);
	if (err)
		return err;
	as = aionl_request_begin(skb, info, false, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_REGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	/* The sender's file table: doit runs in its context. */
	file = fget(m.fd);
	if (!file) {
		r->res = -EBADF;
	} else {
		/* Cyclic: a slot comes back into use as late as it can. */
		err = xa_alloc_cyclic(&as->files, &id, file, XA_LIMIT(0, AIONL_MAX_FILES - 1),
				      &as->next_id, GFP_KERNEL);
		if (err < 0) {
			fput(file);
			r->res = err == -EBUSY ? -EMFILE : err;
		} else {
			r->handle = aionl_handle_make(as->tag, 0, id);
		}
	}
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
	as = aionl_request_begin(skb, info, false, &err);
	if (!as)
		return err;
	r = aionl_kreq_new(as, AIONL_CMD_UNREGISTER, info->snd_seq);
	if (!r)
		return -ENOMEM;
	if (aionl_handle_tag(m.handle) == as->tag && !aionl_handle_gen(m.handle))
		file = xa_erase(&as->files, aionl_handle_slot(m.handle));
	r->res = file ? 0 : -EBADF;
	if (file)
		fput(file);	/* requests in flight hold their own reference */
	aionl_post(as, r, true);
	return 0;
}
