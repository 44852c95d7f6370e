// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounting of the sockets' own workqueues.
 *
 * Each socket may have workqueues of its own (its OPENs', and a bound
 * socket's I/O queue), and each of their works may hold a kworker, a kernel
 * thread counted against no user's RLIMIT_NPROC or pids cgroup, for as long
 * as a filesystem keeps it. Sockets are cheap, so without a count a user
 * could make kernel threads without bound. A user's sockets may have at most
 * max_user_queues workqueues of their own at once (main.c): past it an OPEN
 * runs on the shared workqueue, bounded for everyone together, and a BIND
 * is refused with -EAGAIN.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include "internal.h"

struct aionl_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int queues;	/* workqueues of the user's sockets, under aionl_users_lock */
};

#define AIONL_USERS_BITS 6
static DEFINE_HASHTABLE(aionl_users, AIONL_USERS_BITS);
static DEFINE_SPINLOCK(aionl_users_lock);

static struct aionl_user *aionl_user_find(kuid_t uid)
{
	struct aionl_user *u;

	hash_for_each_possible(aionl_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

bool aionl_user_queue_get(kuid_t uid)
{
	struct aionl_user *u, *fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	bool ok = false;

	spin_lock(&aionl_users_lock);
	u = aionl_user_find(uid);
	if (!u && fresh) {
		u = fresh;
		fresh = NULL;
		u->uid = uid;
		hash_add(aionl_users, &u->node, __kuid_val(uid));
		aionl_object_new();
	}
	if (u && u->queues < READ_ONCE(aionl_max_user_queues)) {
		u->queues++;
		ok = true;
	}
	if (u && !u->queues) {
		hash_del(&u->node);
		kfree(u);
		aionl_object_gone();
	}
	spin_unlock(&aionl_users_lock);
	kfree(fresh);
	return ok;
}

void aionl_user_queue_put(kuid_t uid)
{
	struct aionl_user *u;

	spin_lock(&aionl_users_lock);
	u = aionl_user_find(uid);
	if (!WARN_ON_ONCE(!u || !u->queues) && !--u->queues) {
		hash_del(&u->node);
		kfree(u);
		aionl_object_gone();
	}
	spin_unlock(&aionl_users_lock);
}
