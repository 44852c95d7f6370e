// SPDX-License-Identifier: MIT
/*
 * Control calls: requests answered by a reply with their sequence number,
 * which the calling thread waits for (finding the family, GET_INFO, REGISTER,
 * UNREGISTER, INSTALL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib.h"

/* Room for any control request the library sends. */
#define CTL_ROOM 256
/* The version of nlctrl the library speaks: the kernel's first. */
#define NLCTRL_VERSION 1

uint32_t ctl_next_seq(struct aionl_ctx *ctx)
{
	uint32_t s;

	/* 0 marks messages nobody waits for. */
	do {
		s = atomic_fetch_add(&ctx->seq, 1) + 1;
	} while (s == 0);
	return s;
}

static bool waiter_done(struct aionl_ctx *ctx, void *arg)
{
	(void)ctx;
	return ((struct waiter *)arg)->done;
}

int ctl_call(struct aionl_ctx *ctx, const struct nlmsghdr *req, int passfd, struct waiter *w)
{
	struct waiter **pp;
	int err;

	pthread_mutex_lock(&ctx->rx_lock);
	w->next = ctx->waiters;
	ctx->waiters = w;
	pthread_mutex_unlock(&ctx->rx_lock);

	pthread_mutex_lock(&ctx->tx_lock);
	err = tx_send(ctx, req, req->nlmsg_len, passfd);
	pthread_mutex_unlock(&ctx->tx_lock);

	pthread_mutex_lock(&ctx->rx_lock);
	/* rx_wait waits through signals for a control call: its reply is never lost. */
	if (!err)
		err = rx_wait(ctx, waiter_done, w, NULL);
	for (pp = &ctx->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&ctx->rx_lock);
	return err;
}

int ctl_resolve_family(struct aionl_ctx *ctx)
{
	char buf[CTL_ROOM];
	struct waiter w = { .seq = ctl_next_seq(ctx) };
	struct nlmsghdr *nlh = aionl__msg_start(buf, GENL_ID_CTRL, NLM_F_REQUEST, w.seq,
						CTRL_CMD_GETFAMILY, NLCTRL_VERSION);
	int err;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	err = ctl_call(ctx, nlh, -1, &w);
	if (!err)
		err = (int)w.res;
	if (!err)
		ctx->family = w.family;
	return err;
}

int ctl_get_info(struct aionl_ctx *ctx)
{
	char buf[CTL_ROOM];
	struct waiter w = { .seq = ctl_next_seq(ctx) };
	struct nlmsghdr *nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq,
						AIONL_CMD_GET_INFO, AIONL_FAMILY_VERSION);
	int err = ctl_call(ctx, nlh, -1, &w);

	if (!err)
		err = (int)w.res;
	if (err)
		return aionl__fail(err, "GET_INFO failed: %s", strerror(-err));
	if (w.info.version != AIONL_FAMILY_VERSION)
		return aionl__fail(-EPROTO, "the server speaks protocol version %u, the library %u",
				   w.info.version, AIONL_FAMILY_VERSION);
	if (w.info.max_msg_size > AIONL_MAX_MSG_SIZE)
		return aionl__fail(-EPROTO, "the server sends %u-byte messages, over the %u-byte buffer",
				   w.info.max_msg_size, AIONL_MAX_MSG_SIZE);
	ctx->info.version = w.info.version;
	ctx->info.executor = w.info.executor;
	ctx->info.max_inflight = w.info.max_inflight;
	ctx->info.max_files = w.info.max_files;
	ctx->info.max_iov = w.info.max_iov;
	ctx->info.max_io_len = w.info.max_io_len;
	ctx->info.max_msg_size = w.info.max_msg_size;
	ctx->info.workers = w.info.workers;
	ctx_set_commands(ctx, &w.info);
	return 0;
}

int ctl_bind(struct aionl_ctx *ctx, int fd, uint64_t *dev)
{
	char buf[CTL_ROOM];
	struct waiter w = { .seq = ctl_next_seq(ctx) };
	struct nlmsghdr *nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq,
						AIONL_CMD_BIND, AIONL_FAMILY_VERSION);
	struct aionl_bind m = { .present = AIONL_BIND_REQUIRED_MASK, .fd = fd };
	int err;

	aionl_bind_put(nlh, sizeof(buf), &m);
	err = ctl_call(ctx, nlh, ctx->ops->pass_fd ? fd : -1, &w);
	if (!err)
		err = (int)w.res;
	if (!err)
		*dev = w.handle;
	return err;
}

/* -EXDEV's message: which filesystem the file is on, and which the context takes. */
static int register_exdev(struct aionl_ctx *ctx, int fd)
{
	unsigned int mode;
	uint64_t dev = 0;

	aionl__fd_type(fd, &mode, NULL, &dev);
	return aionl__fail(-EXDEV, "aionl_file_register: fd %d is on filesystem %u:%u, and the "
			   "context is bound to %u:%u (%s)", fd, major(dev), minor(dev),
			   major(ctx->bound_dev), minor(ctx->bound_dev), ctx->bound_name);
}

AIONL_EXPORT int aionl_file_register(struct aionl_ctx *ctx, int fd, uint64_t *handle)
{
	char buf[CTL_ROOM];
	struct waiter w;
	struct nlmsghdr *nlh;
	struct aionl_register m = { .present = AIONL_REGISTER_REQUIRED_MASK, .fd = fd };
	int err;

	if ((err = ctx_check(ctx, "aionl_file_register")))
		return err;
	if (!handle)
		return aionl__fail(-EINVAL, "aionl_file_register: NULL argument");
	if (fd < 0)
		return aionl__fail(-EBADF, "aionl_file_register: fd %d is not a descriptor", fd);
	w = (struct waiter){ .seq = ctl_next_seq(ctx) };
	nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq, AIONL_CMD_REGISTER,
			       AIONL_FAMILY_VERSION);
	aionl_register_put(nlh, sizeof(buf), &m);
	err = ctl_call(ctx, nlh, ctx->ops->pass_fd ? fd : -1, &w);
	/* sendmsg refuses to pass a descriptor that is not open. */
	if (err == -EBADF && ctx->ops->pass_fd)
		return aionl__fail(-EBADF, "aionl_file_register: fd %d is not open", fd);
	if (!err)
		err = (int)w.res;
	if (err == -EXDEV && ctx->bound)
		return register_exdev(ctx, fd);
	if (err)
		return aionl__fail(err, "aionl_file_register: fd %d: %s", fd, strerror(-err));
	*handle = w.handle;
	if (ctx->ops->registered)
		ctx->ops->registered(ctx, w.handle, fd);
	return 0;
}

AIONL_EXPORT int aionl_file_unregister(struct aionl_ctx *ctx, uint64_t handle)
{
	char buf[CTL_ROOM];
	struct waiter w;
	struct nlmsghdr *nlh;
	struct aionl_unregister m = { .present = AIONL_UNREGISTER_REQUIRED_MASK, .handle = handle };
	int err;

	if ((err = ctx_check(ctx, "aionl_file_unregister")))
		return err;
	w = (struct waiter){ .seq = ctl_next_seq(ctx) };
	nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq, AIONL_CMD_UNREGISTER,
			       AIONL_FAMILY_VERSION);
	aionl_unregister_put(nlh, sizeof(buf), &m);
	/* Waits for inline reads of the file: none starts after this. */
	if (ctx->ops->unregistering)
		ctx->ops->unregistering(ctx, handle);
	err = ctl_call(ctx, nlh, -1, &w);
	if (!err)
		err = (int)w.res;
	if (err)
		return aionl__fail(err, "aionl_file_unregister: handle %#llx: %s",
				   (unsigned long long)handle, strerror(-err));
	return 0;
}

int ctl_install(struct aionl_ctx *ctx, uint64_t handle, unsigned int flags)
{
	char buf[CTL_ROOM];
	struct waiter w = { .seq = ctl_next_seq(ctx), .fd = -1 };
	struct nlmsghdr *nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq,
						AIONL_CMD_INSTALL, AIONL_FAMILY_VERSION);
	struct aionl_install m = { .present = AIONL_INSTALL_REQUIRED_MASK, .handle = handle };
	int err, fd;

	if (flags) {
		m.present |= 1ULL << AIONL_A_INSTALL_FLAGS;
		m.flags = flags;
	}
	aionl_install_put(nlh, sizeof(buf), &m);
	err = ctl_call(ctx, nlh, -1, &w);
	if (!err)
		err = (int)w.res;
	if (err) {
		if (w.fd >= 0)
			close(w.fd);
		return err;
	}
	if (w.fd < 0)
		return -EPROTO;
	/*
	 * The module installs at the lowest free number, as open(2) and
	 * FIXED_FD_INSTALL do; the engine's arrives there too. Up it goes,
	 * into the high range (fds.c), close-on-exec on the way.
	 */
	fd = aionl__fd_high(w.fd);
	if (fd == w.fd && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		err = -errno;
	if (!err && (flags & AIONL_INSTALL_NO_CLOEXEC) && fcntl(fd, F_SETFD, 0) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

AIONL_EXPORT int aionl_file_install(struct aionl_ctx *ctx, uint64_t handle, unsigned int flags)
{
	int fd, err;

	if ((err = ctx_check(ctx, "aionl_file_install")))
		return err;
	if (flags & ~AIONL_INSTALL_FLAG_MASK)
		return aionl__fail(-EINVAL, "aionl_file_install: unknown flags %#x",
				   flags & ~AIONL_INSTALL_FLAG_MASK);
	if ((err = ctx_need_cmd(ctx, AIONL_CMD_INSTALL, "aionl_file_install")))
		return err;
	fd = ctl_install(ctx, handle, flags);
	if (fd < 0)
		return aionl__fail(fd, "aionl_file_install: handle %#llx: %s",
				   (unsigned long long)handle, strerror(-fd));
	return fd;
}
