// SPDX-License-Identifier: MIT
/*
 * The kernel backend: a generic netlink socket to aionl.ko. The module looks
 * files up in the sender's own table; the library keeps a duplicate of each
 * registered file for the reads it serves inline (inline_files.c); netlink
 * itself rings the bell, acknowledging an NLMSG_NOOP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "lib.h"
#include "inline_files.h"

/*
 * Receive buffer asked for: room for many completions spares the module's
 * resends when the program reaps late. Root may go past net.core.rmem_max.
 */
#define KERNEL_RCVBUF (4 << 20)

static int kernel_open(struct aionl_ctx *ctx, const struct aionl_params *p, enum aionl_executor x,
		       char *why, size_t why_len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, rcvbuf = KERNEL_RCVBUF;

	(void)x;
	(void)why;
	(void)why_len;
	ctx->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (ctx->fd < 0)
		return aionl__fail(-errno, "generic netlink socket: %s", strerror(errno));
	setsockopt(ctx->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/*
	 * The module never drops a completion: when the receive buffer is
	 * full it keeps them and sends again. So the overrun netlink reports
	 * then is no loss, and ENOBUFS would only be noise.
	 */
	setsockopt(ctx->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(ctx->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(ctx->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(ctx->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(ctx->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return aionl__fail(-errno, "generic netlink socket: %s", strerror(errno));
	if (!(p->flags & AIONL_PARAMS_NO_INLINE))
		ctx->backend = aionl__inline_files_new();
	return 0;
}

static void kernel_close(struct aionl_ctx *ctx)
{
	aionl__inline_files_free(ctx->backend);
	ctx->backend = NULL;
}

static void kernel_inline_begin(struct aionl_ctx *ctx)
{
	aionl__inline_files_begin(ctx->backend);
}

static int kernel_inline_read(struct aionl_ctx *ctx, uint64_t handle, const struct iovec *iov,
			      unsigned int nr_iov, uint64_t offset, int64_t *res)
{
	return aionl__inline_files_try_read(ctx->backend, handle, iov, nr_iov, offset, res);
}

static void kernel_inline_end(struct aionl_ctx *ctx)
{
	aionl__inline_files_end(ctx->backend);
}

static void kernel_registered(struct aionl_ctx *ctx, uint64_t handle, int fd)
{
	if (ctx->backend)
		aionl__inline_files_add(ctx->backend, handle, fd);
}

static void kernel_unregistering(struct aionl_ctx *ctx, uint64_t handle)
{
	if (ctx->backend)
		aionl__inline_files_remove(ctx->backend, handle);
}

/* netlink acknowledges a control message itself: the bell costs the module nothing. */
static bool kernel_ring(struct aionl_ctx *ctx)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				.nlmsg_seq = ctl_next_seq(ctx) };

	ctx->bell_seq = nlh.nlmsg_seq;
	return send(ctx->fd, &nlh, sizeof(nlh), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(nlh);
}

static bool kernel_is_bell(const struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == ctx->bell_seq;
}

const struct backend_ops aionl__backend_kernel = {
	.kind = AIONL_BACKEND_KERNEL,
	.open = kernel_open,
	.close = kernel_close,
	/* Only the inline table's descriptors: the socket is the parent's too. */
	.forget = kernel_close,
	.pass_fd = false,
	.inline_begin = kernel_inline_begin,
	.inline_read = kernel_inline_read,
	.inline_end = kernel_inline_end,
	.registered = kernel_registered,
	.unregistering = kernel_unregistering,
	.ring = kernel_ring,
	.is_bell = kernel_is_bell,
};
