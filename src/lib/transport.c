// SPDX-License-Identifier: MIT
/*
 * The socket itself: sending datagrams, and receiving them into the
 * completion queue or the control call waiting for a reply, with the bell
 * that keeps the descriptor readable while completions wait. The same for
 * both backends but for what backend_ops says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "lib.h"

/* ------------------------------------------------------------ sending */

int tx_send(struct aionl_ctx *ctx, const void *buf, size_t len, int fd)
{
	struct iovec iov = { (void *)buf, len };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		n = sendmsg(ctx->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* ------------------------------------------------------------ parsing */

static struct waiter *find_waiter(struct aionl_ctx *ctx, uint32_t seq)
{
	struct waiter *w;

	for (w = ctx->waiters; w; w = w->next)
		if (w->seq == seq && !w->done)
			return w;
	return NULL;
}

/* The largest errno, as the kernel's MAX_ERRNO. */
#define MAX_ERRNO 4095

/*
 * The result a server gave a control call: 0 or a negative errno, as the
 * protocol says; anything else breaks it, and callers return their result
 * as an errno and negate it for strerror().
 */
static int64_t server_res(int64_t res)
{
	return res <= 0 && res >= -MAX_ERRNO ? res : -EPROTO;
}

/*
 * The descriptors one datagram brought (SCM_RIGHTS, from the engine), taken
 * in message order: by the completions flagged AIONL_CQE_F_FD and by the
 * INSTALL replies that carry no number.
 */
struct rx_fds {
	int fds[AIONL_FDS_PER_DGRAM];
	int n, next;
	bool truncated;		/* MSG_CTRUNC: the kernel could not give us all */
};

/* The next descriptor of the datagram, in the high range, or -EMFILE if it was lost. */
static int rx_next_fd(struct rx_fds *fds)
{
	if (!fds || fds->next >= fds->n)
		return -EMFILE;	/* the receiving kernel found no room for it (MSG_CTRUNC) */
	return aionl__fd_high(fds->fds[fds->next++]);
}

static void cq_add(struct aionl_ctx *ctx, const struct aionl_completion *m, int fd)
{
	if (!(m->flags & AIONL_CQE_F_MORE)) {
		unsigned int cur = atomic_load_explicit(&ctx->via_socket, memory_order_relaxed);

		/* Raw traffic of tests completes what was not counted: never below 0. */
		while (cur && !atomic_compare_exchange_weak(&ctx->via_socket, &cur, cur - 1))
			;
	}
	/* Cannot hold it: make the loss loud rather than silent. */
	if (cq_push_fd(&ctx->cq, m, fd)) {
		ctx->rx_err = -ENOMEM;
		if (fd >= 0)
			close(fd);
	}
}

/*
 * An NLMSG_ERROR: the answer to a control call, or a refused request, which
 * completes with the error and the cookie recovered from the echo.
 */
static void rx_error_msg(struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *me = mnl_nlmsg_get_payload(nlh);
	const struct nlmsghdr *req = &me->msg;
	const struct nlattr *a;
	struct waiter *w;
	uint64_t cookie = 0;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*me))
		return;
	w = nlh->nlmsg_seq ? find_waiter(ctx, nlh->nlmsg_seq) : NULL;
	if (w) {
		w->res = server_res(me->error);
		w->done = true;
		return;
	}
	if (me->error == 0)
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && req->nlmsg_type == ctx->family &&
	    req->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
	    req->nlmsg_len <= nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int)) {
		aionl_attr_for_each(a, req) {
			if (mnl_attr_get_type(a) == AIONL_A_COOKIE &&
			    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
				cookie = mnl_attr_get_u64(a);
		}
	}
	cq_add(ctx, &(struct aionl_completion){ .cookie = cookie, .res = me->error,
						 .flags = AIONL_CQE_F_REJECTED }, -1);
}

/*
 * An INSTALL reply: its descriptor is its number in our table (the module),
 * or the datagram's next one (the engine). Nobody waiting for it (a caller
 * interrupted): it is closed, not leaked.
 */
static void rx_install_reply(struct aionl_ctx *ctx, const struct nlmsghdr *nlh,
			     struct waiter *w, struct rx_fds *fds)
{
	struct aionl_install_reply m;
	struct aionl_parse_err pe;
	int fd = -1;

	if (aionl_install_reply_parse(nlh, &m, &pe)) {
		if (w) {
			w->res = -EPROTO;
			w->done = true;
		}
		return;
	}
	if (m.res == 0)
		fd = m.present & (1ULL << AIONL_A_INSTALL_REPLY_FD) ? m.fd : rx_next_fd(fds);
	if (!w) {
		if (fd >= 0)
			close(fd);
		return;
	}
	w->res = m.res;
	if (m.res == 0 && fd < 0)
		w->res = fd;		/* lost on the way (-EMFILE) */
	w->fd = fd;
	w->done = true;
}

static void rx_reply(struct aionl_ctx *ctx, const struct nlmsghdr *nlh, uint8_t cmd,
		     struct rx_fds *fds)
{
	struct waiter *w = find_waiter(ctx, nlh->nlmsg_seq);
	struct aionl_parse_err pe;
	int err = 0;

	if (cmd == AIONL_CMD_INSTALL) {
		rx_install_reply(ctx, nlh, w, fds);
		return;
	}
	if (!w)
		return;
	switch (cmd) {
	case AIONL_CMD_GET_INFO:
		err = aionl_get_info_reply_parse(nlh, &w->info, &pe);
		w->res = 0;
		break;
	case AIONL_CMD_REGISTER: {
		struct aionl_register_reply m;

		err = aionl_register_reply_parse(nlh, &m, &pe);
		w->res = server_res(m.res);
		w->handle = m.handle;
		if (!err && !m.res && !(m.present & (1ULL << AIONL_A_REGISTER_REPLY_HANDLE)))
			err = -EPROTO;
		break;
	}
	case AIONL_CMD_UNREGISTER: {
		struct aionl_unregister_reply m;

		err = aionl_unregister_reply_parse(nlh, &m, &pe);
		w->res = server_res(m.res);
		break;
	}
	case AIONL_CMD_BIND: {
		struct aionl_bind_reply m;

		err = aionl_bind_reply_parse(nlh, &m, &pe);
		w->res = server_res(m.res);
		w->handle = m.dev;
		if (!err && !m.res && !(m.present & (1ULL << AIONL_A_BIND_REPLY_DEV)))
			err = -EPROTO;
		break;
	}
	default:
		return;
	}
	if (err)
		w->res = -EPROTO;
	w->done = true;
}

/* nlctrl's answer to CTRL_CMD_GETFAMILY. */
static void rx_ctrl(struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	struct waiter *w = find_waiter(ctx, nlh->nlmsg_seq);
	const struct nlattr *a;

	if (!w || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	w->res = -EPROTO;
	aionl_attr_for_each(a, nlh) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0) {
			w->family = mnl_attr_get_u16(a);
			w->res = 0;
		}
	}
	w->done = true;
}

/* With rx_lock held: sort one datagram into the queue and the waiters. */
static void rx_parse(struct aionl_ctx *ctx, const char *buf, size_t len, struct rx_fds *fds)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t rem = len;

	for (; aionl__nlmsg_ok(nlh, rem); nlh = aionl__nlmsg_next(nlh, &rem)) {
		if (ctx->bell && ctx->ops->is_bell(ctx, nlh)) {
			ctx->bell = false;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			rx_error_msg(ctx, nlh);
		} else if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
			continue;
		} else if (nlh->nlmsg_type == ctx->family && ctx->family) {
			uint8_t cmd = aionl__genl_hdr(nlh)->cmd;
			struct aionl_completion m;
			struct aionl_parse_err pe;

			if (cmd != AIONL_CMD_COMPLETION)
				rx_reply(ctx, nlh, cmd, fds);
			else if (AIONL_LIKELY(aionl_completion_parse(nlh, &m, &pe) == 0))
				cq_add(ctx, &m, AIONL_UNLIKELY(m.flags & AIONL_CQE_F_FD) &&
					   ctx->ops->pass_fd ? rx_next_fd(fds) : -1);
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			rx_ctrl(ctx, nlh);
		}
	}
}

/* The descriptors slot i brought, if any: NULL when there are none. */
static struct rx_fds *rx_slot_fds(struct aionl_ctx *ctx, int i, struct rx_fds *fds)
{
	struct msghdr *mh = &ctx->rxmsg[i].msg_hdr;
	struct cmsghdr *cm;

	if (!ctx->rxctl || (!mh->msg_controllen && !(mh->msg_flags & MSG_CTRUNC)))
		return NULL;
	fds->n = fds->next = 0;
	fds->truncated = mh->msg_flags & MSG_CTRUNC;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (fds->n < AIONL_FDS_PER_DGRAM)
				fds->fds[fds->n++] = fd;
			else
				close(fd);
		}
	}
	return fds;
}

void rx_parse_slots(struct aionl_ctx *ctx, int n)
{
	for (int i = 0; i < n; i++) {
		struct rx_fds fds, *f = rx_slot_fds(ctx, i, &fds);

		rx_parse(ctx, ctx->rxiov[i].iov_base, ctx->rxmsg[i].msg_len, f);
		/* None of the datagram's messages took these: the engine's error, not a leak of ours. */
		while (f && f->next < f->n)
			close(f->fds[f->next++]);
	}
}

/* ------------------------------------------------------------ receiving */

int rx_take(struct aionl_ctx *ctx, int flags)
{
	int n, i;

	if (ctx->rx_closed)
		return -EPIPE;
	for (i = 0; i < RX_SLOTS; i++) {
		ctx->rxmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &ctx->rxiov[i], .msg_iovlen = 1 };
		ctx->rxmsg[i].msg_len = 0;
		if (ctx->rxctl) {
			ctx->rxmsg[i].msg_hdr.msg_control = ctx->rxctl + (size_t)i * RX_CTL_SIZE;
			ctx->rxmsg[i].msg_hdr.msg_controllen = RX_CTL_SIZE;
		}
	}
	/* Descriptors the engine passes arrive close-on-exec, as every one of ours is. */
	if (ctx->rxctl)
		flags |= MSG_CMSG_CLOEXEC;
	do {
		n = recvmmsg(ctx->fd, ctx->rxmsg, RX_SLOTS, flags | MSG_WAITFORONE, NULL);
	} while (n < 0 && errno == EINTR && (flags & MSG_DONTWAIT));
	if (n < 0)
		return -errno;
	/*
	 * A datagram of length 0 on a SOCK_SEQPACKET pair is the peer's close.
	 * What this call took after it is gone with it: the close has to stay,
	 * or a caller would wait for ever for a reply that came and went.
	 */
	for (i = 0; i < n; i++) {
		if (!ctx->rxmsg[i].msg_len) {
			ctx->rx_closed = true;
			return i ? i : -EPIPE;
		}
	}
	return n;
}

static uint64_t mono_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + ts->tv_nsec;
}

/*
 * While requests are outstanding their completions are usually microseconds
 * away; polling for them costs less than sleeping and being woken, as long
 * as they do come within the spin (ctx->spin learns whether they do).
 */
static int rx_spin(struct aionl_ctx *ctx, const struct timespec *deadline)
{
	unsigned int outstanding = CREDIT_COUNT(atomic_load_explicit(&ctx->outstanding,
								     memory_order_relaxed));
	uint64_t start, t;
	int n;

	if (!ctx->spin_ns || !outstanding || outstanding > AIONL_SPIN_MAX_OUTSTANDING ||
	    !aionl_spin_pays(&ctx->spin))
		return -EAGAIN;
	/*
	 * On two CPUs, a completion the engine must be woken for needs the
	 * CPU this spin would take (O_DIRECT reads at queue depth 1 on
	 * io_uring: 0.70x io_uring spinning, 0.82x not, in one run); one a
	 * worker of the direct path or an inline read already made does not.
	 * The module has no thread of ours to wake (its completions come
	 * from the kernel's workers, or at once in the sender's call): on
	 * the kernel backend the reaper spins as it did.
	 */
	if (ctx->ops->kind == AIONL_BACKEND_USER && aionl__ncpus() <= 2 &&
	    atomic_load_explicit(&ctx->via_socket, memory_order_relaxed))
		return -EAGAIN;
	start = t = mono_ns();
	while (t - start < ctx->spin_ns) {
		n = rx_take(ctx, MSG_DONTWAIT);
		if (n != -EAGAIN && n != -ENOBUFS) {
			aionl_spin_done(&ctx->spin, true);
			return n;
		}
		t = mono_ns();
		/* The caller's deadline, not the spin's failure. */
		if (deadline && t >= ts_ns(deadline))
			return -EAGAIN;
	}
	aionl_spin_done(&ctx->spin, false);
	return -EAGAIN;
}

/*
 * Receive the datagrams waiting into the rx slots, waiting until deadline
 * (NULL: forever) for the first. Returns how many, or -errno.
 */
static int rx_recv(struct aionl_ctx *ctx, const struct timespec *deadline)
{
	int n = rx_spin(ctx, deadline);

	if (n != -EAGAIN)
		return n;
	for (;;) {
		struct pollfd p = { ctx->fd, POLLIN, 0 };
		struct timespec ts;
		uint64_t now, end;

		n = rx_take(ctx, deadline ? MSG_DONTWAIT : 0);
		if (n == -ENOBUFS)	/* an overrun the module recovers from */
			continue;
		if (n != -EAGAIN)
			return n;
		/*
		 * Wait in ppoll: for a deadline, or because an event loop made
		 * the descriptor non-blocking, so recvmmsg did not sleep.
		 */
		if (deadline) {
			now = mono_ns();
			end = ts_ns(deadline);
			if (now >= end)
				return -ETIMEDOUT;
			ts.tv_sec = (end - now) / 1000000000ULL;
			ts.tv_nsec = (end - now) % 1000000000ULL;
		}
		n = ppoll(&p, 1, deadline ? &ts : NULL, NULL);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
	}
}

void rx_deliver(struct aionl_ctx *ctx, const struct aionl_completion *m, unsigned int n)
{
	pthread_mutex_lock(&ctx->rx_lock);
	for (unsigned int i = 0; i < n; i++)
		if (cq_push(&ctx->cq, &m[i]))
			ctx->rx_err = -ENOMEM;
	rx_ring_bell(ctx);
	pthread_cond_broadcast(&ctx->rx_cond);
	pthread_mutex_unlock(&ctx->rx_lock);
}

bool rx_cq_ready(struct aionl_ctx *ctx, void *arg)
{
	return ctx->cq.len >= *(unsigned int *)arg;
}

int rx_wait(struct aionl_ctx *ctx, bool (*ready)(struct aionl_ctx *, void *), void *arg,
	    const struct timespec *deadline)
{
	while (!ready(ctx, arg)) {
		if (ctx->rx_err)
			return ctx->rx_err;
		if (!ctx->receiving) {
			int n;

			ctx->receiving = true;
			pthread_mutex_unlock(&ctx->rx_lock);
			n = rx_recv(ctx, deadline);
			pthread_mutex_lock(&ctx->rx_lock);
			ctx->receiving = false;
			if (n > 0)
				rx_parse_slots(ctx, n);
			/* Completions this thread will not hand out: ring for them. */
			if (ready != rx_cq_ready)
				rx_ring_bell(ctx);
			pthread_cond_broadcast(&ctx->rx_cond);
			/*
			 * A signal ends a reaper's wait, as it ends a system
			 * call's; a control call's request is sent, and it
			 * waits for the reply whatever the program catches.
			 */
			if (n == -EINTR && ready != rx_cq_ready)
				continue;
			if (n == -ETIMEDOUT || n == -EINTR)
				return ready(ctx, arg) ? 0 : n;
			if (n < 0 && n != -EAGAIN)
				ctx->rx_err = n;
		} else if (deadline) {
			if (pthread_cond_timedwait(&ctx->rx_cond, &ctx->rx_lock, deadline) == ETIMEDOUT)
				return ready(ctx, arg) ? 0 : -ETIMEDOUT;
		} else {
			pthread_cond_wait(&ctx->rx_cond, &ctx->rx_lock);
		}
	}
	return 0;
}
