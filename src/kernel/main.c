// SPDX-License-Identifier: GPL-2.0
/*
 * aionl: asynchronous file I/O through a generic netlink socket.
 *
 * A program's netlink socket is its AIO socket. Requests arrive through
 * genl doit handlers, which run in the sender's context: files are looked up
 * in its file table, page-cache hits are served there and then (IOCB_NOWAIT),
 * and everything else is handed to a workqueue, which runs it in the caller's
 * address space.
 * See internal.h for the parts and docs/kernel.md for the design.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "internal.h"

unsigned int aionl_max_inflight = 65536;
module_param_named(max_inflight, aionl_max_inflight, uint, 0644);
MODULE_PARM_DESC(max_inflight, "Requests outstanding per socket before -EBUSY");

unsigned int aionl_debug_delay_at, aionl_debug_delay_ms;
module_param_named(debug_delay_at, aionl_debug_delay_at, uint, 0600);
MODULE_PARM_DESC(debug_delay_at, "Testing only: where to stall (AIONL_DELAY_* bits)");
module_param_named(debug_delay_ms, aionl_debug_delay_ms, uint, 0600);
MODULE_PARM_DESC(debug_delay_ms, "Testing only: how long to stall, in ms");

/*
 * Who may use the family, as kernel.io_uring_disabled and io_uring_group say
 * who may use io_uring: 0 every user, 1 only CAP_SYS_ADMIN and members of
 * the group allowed_gid (-1: none), 2 nobody. Checked at every request, so
 * a change applies to sockets already open too.
 */
unsigned int aionl_disabled;
module_param_named(disabled, aionl_disabled, uint, 0644);
MODULE_PARM_DESC(disabled, "0: any user may use aionl; 1: only CAP_SYS_ADMIN and allowed_gid; 2: nobody");
int aionl_allowed_gid = -1;
/* users.c: workqueues of a user's sockets at once (each may hold kworkers). */
unsigned int aionl_max_user_queues = 128;
module_param_named(max_user_queues, aionl_max_user_queues, uint, 0644);
MODULE_PARM_DESC(max_user_queues, "Workqueues of one user's sockets at once: OPEN queues and bound sockets' I/O queues");
module_param_named(allowed_gid, aionl_allowed_gid, int, 0644);
MODULE_PARM_DESC(allowed_gid, "With disabled=1, the group whose members may use aionl (-1: none)");

struct kmem_cache *aionl_kreq_cache;
atomic_long_t aionl_objects = ATOMIC_LONG_INIT(0);
/* Its own cache: the VM test's leak check (tests/vm/run-vm.sh) sees what outlives rmmod. */
struct kmem_cache *aionl_watch_cache;
/* The unbound workqueues (internal.h says which runs what). */
struct workqueue_struct *aionl_wq;
struct workqueue_struct *aionl_ev_wq;
struct workqueue_struct *aionl_release_wq;

static int __init aionl_init(void)
{
	int err;

	/* The protocol's limit is the kernel's own. */
	BUILD_BUG_ON(AIONL_MAX_IO_LEN > MAX_RW_COUNT);
	BUILD_BUG_ON(AIONL_MAX_IOV > UIO_MAXIOV);
	BUILD_BUG_ON(AIONL_KMSG_SIZE > AIONL_MAX_MSG_SIZE);
	aionl_kreq_cache = KMEM_CACHE(aionl_kreq, SLAB_ACCOUNT);
	if (!aionl_kreq_cache)
		return -ENOMEM;
	aionl_watch_cache = KMEM_CACHE(aionl_watch, SLAB_ACCOUNT);
	if (!aionl_watch_cache) {
		err = -ENOMEM;
		goto err_cache;
	}
	aionl_wq = alloc_workqueue("aionl", WQ_UNBOUND, 0);
	aionl_ev_wq = alloc_workqueue("aionl-events", WQ_UNBOUND, 0);
	aionl_release_wq = alloc_workqueue("aionl-release", WQ_UNBOUND, 0);
	if (!aionl_wq || !aionl_ev_wq || !aionl_release_wq) {
		err = -ENOMEM;
		goto err_wq;
	}
	err = aionl_signals_init();
	if (err)
		goto err_wq;
	err = netlink_register_notifier(&aionl_netlink_notifier);
	if (err)
		goto err_signals;
	err = genl_register_family(&aionl_nl_family);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	netlink_unregister_notifier(&aionl_netlink_notifier);
err_signals:
	aionl_signals_exit();
err_wq:
	if (aionl_release_wq)
		destroy_workqueue(aionl_release_wq);
	if (aionl_ev_wq)
		destroy_workqueue(aionl_ev_wq);
	if (aionl_wq)
		destroy_workqueue(aionl_wq);
	kmem_cache_destroy(aionl_watch_cache);
err_cache:
	kmem_cache_destroy(aionl_kreq_cache);
	return err;
}

static void __exit aionl_exit(void)
{
	genl_unregister_family(&aionl_nl_family);
	netlink_unregister_notifier(&aionl_netlink_notifier);
	/* No request can arrive any more; releases under way end first. */
	destroy_workqueue(aionl_release_wq);
	/* Then what sockets not yet released still hold. */
	aionl_socks_release_all();
	aionl_signals_exit();
	destroy_workqueue(aionl_ev_wq);
	destroy_workqueue(aionl_wq);
	kmem_cache_destroy(aionl_watch_cache);
	kmem_cache_destroy(aionl_kreq_cache);
	WARN(atomic_long_read(&aionl_objects), "aionl: %ld objects outlived their sockets\n",
	     atomic_long_read(&aionl_objects));
}

module_init(aionl_init);
module_exit(aionl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Asynchronous file I/O through a generic netlink socket");
MODULE_ALIAS_GENL_FAMILY(AIONL_FAMILY_NAME);
