// SPDX-License-Identifier: MIT
/*
 * The context: one AIO socket, to the kernel family or to the embedded
 * engine, and the program-side half of the protocol.
 *
 * Receiving is shared by every thread that waits (reap, and the control
 * calls that wait for their reply): whichever thread finds nobody receiving
 * becomes the receiver, parses what arrives into the completion queue or the
 * waiting control call, and wakes the others. So a reply is never stolen by a
 * reaper, and a completion is never lost to a control call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "internal.h"

#define TIMER_SLOTS 16

/* A control call waiting for its reply. Lives on the caller's stack. */
struct waiter {
	struct waiter *next;
	uint32_t seq;
	bool done;
	int64_t res;
	uint64_t handle;
	uint16_t family;
	struct aionl_get_info_reply info;
	char backend[16];
};

#define RX_SLOTS 8

struct aionl_ctx {
	int fd;
	uint16_t family;
	struct aionl_engine *engine;
	struct aionl_info info;
	unsigned int max_inflight;
	uint64_t spin_ns;	/* busy-poll in rx_recv while completions are due */
	/* Requests submitted and not yet reaped: the credit that backs -EBUSY. */
	atomic_uint outstanding;
	atomic_uint seq;

	/* tx_lock serializes use of txbuf and keeps a datagram whole. */
	pthread_mutex_t tx_lock;
	char *txbuf;
	bool inline_reads;	/* serve page-cache hits in aionl_submit */
	struct aionl_inline_files *kfiles;	/* kernel backend: what inline reads use */

	/* rx_lock protects everything below. */
	pthread_mutex_t rx_lock;
	pthread_cond_t rx_cond;
	bool receiving;		/* one thread is in recv(); rxbuf is its own */
	int rx_err;		/* sticky: the socket is unusable */
	struct aionl_cqe *cq;	/* ring of completions received, not reaped */
	unsigned int cq_head, cq_len, cq_cap;
	uint64_t cq_taken;	/* completions reaped so far: cq_head's absolute index */
	uint64_t timer_pos[TIMER_SLOTS];	/* absolute index of a periodic timer's cqe */
	bool cq_has_ticks;	/* a periodic timer's cqe arrived: more may be on the socket */
	/*
	 * The bell: one small datagram on the socket that keeps the descriptor
	 * readable while cq holds completions no datagram announces (reads
	 * served inline, or the rest of a datagram a short reap left). At most
	 * one is on the socket; a blocking reaper leaves it there, so a busy
	 * submit/reap loop makes no socket call at all.
	 */
	bool bell;
	uint32_t bell_seq;	/* kernel backend: the acknowledgement that is the bell */
	struct waiter *waiters;
	/*
	 * One slot per datagram of a recvmmsg(): a reap takes every completion
	 * already waiting, so batches split by a few slow requests join again
	 * instead of staying split. Untouched slots cost address space only.
	 */
	char *rxbuf;
	struct mmsghdr rxmsg[RX_SLOTS];
	struct iovec rxiov[RX_SLOTS];
};

/* ------------------------------------------------------------ errors */

static __thread char errbuf[256];

int aionl__fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err;
}

AIONL_EXPORT const char *aionl_error_message(void)
{
	return errbuf[0] ? errbuf : "no error";
}

AIONL_EXPORT const char *aionl_backend_name(enum aionl_backend backend)
{
	switch (backend) {
	case AIONL_BACKEND_KERNEL:
		return "kernel";
	case AIONL_BACKEND_USER:
		return "user";
	default:
		return "auto";
	}
}

AIONL_EXPORT const char *aionl_executor_name(enum aionl_executor executor)
{
	switch (executor) {
	case AIONL_EXEC_URING:
		return "uring";
	case AIONL_EXEC_THREADS:
		return "threads";
	default:
		return "auto";
	}
}

/* ------------------------------------------------------------ receiving */

/*
 * A periodic timer's completion still unreaped absorbs the next one, so a
 * slow reaper sees one completion counting every expiry, as timerfd does.
 */
static bool cq_merge_timer(struct aionl_ctx *ctx, const struct aionl_completion *m)
{
	unsigned int slot = (unsigned int)(m->cookie % TIMER_SLOTS);
	uint64_t pos = ctx->timer_pos[slot];
	struct aionl_cqe *c;

	if (pos < ctx->cq_taken || pos >= ctx->cq_taken + ctx->cq_len)
		return false;
	c = &ctx->cq[(ctx->cq_head + (pos - ctx->cq_taken)) & (ctx->cq_cap - 1)];
	if (c->cookie != m->cookie || (c->flags & (AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE)) !=
					      (AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE))
		return false;
	c->res += m->res;
	return true;
}

static void cq_push(struct aionl_ctx *ctx, const struct aionl_completion *m)
{
	struct aionl_cqe *c;
	bool periodic = (m->flags & (AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE)) ==
			(AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);

	if (periodic && cq_merge_timer(ctx, m)) {
		ctx->cq_has_ticks = true;
		return;
	}
	if (ctx->cq_len == ctx->cq_cap) {
		unsigned int cap = ctx->cq_cap ? ctx->cq_cap * 2 : 1024, i;
		struct aionl_cqe *n = malloc(cap * sizeof(*n));

		if (!n) {
			/* Cannot hold it: make the loss loud rather than silent. */
			ctx->rx_err = -ENOMEM;
			return;
		}
		for (i = 0; i < ctx->cq_len; i++)
			n[i] = ctx->cq[(ctx->cq_head + i) & (ctx->cq_cap - 1)];
		free(ctx->cq);
		ctx->cq = n;
		ctx->cq_cap = cap;
		ctx->cq_head = 0;
	}
	if (periodic) {
		ctx->timer_pos[m->cookie % TIMER_SLOTS] = ctx->cq_taken + ctx->cq_len;
		ctx->cq_has_ticks = true;
	}
	c = &ctx->cq[(ctx->cq_head + ctx->cq_len++) & (ctx->cq_cap - 1)];
	c->cookie = m->cookie;
	c->res = m->res;
	c->flags = m->flags;
	c->reserved = 0;
	if (m->flags & AIONL_CQE_F_SIGNAL) {
		c->si = (struct aionl_siginfo){
			.signo = (int32_t)m->ssi_signo, .code = m->ssi_code, .errno_ = m->ssi_errno,
			.status = m->ssi_status, .pid = m->ssi_pid, .uid = m->ssi_uid,
			.fd = m->ssi_fd, .overrun = m->ssi_overrun, .band = m->ssi_band,
			.value = m->ssi_value, .addr = m->ssi_addr,
		};
	} else {
		memset(&c->si, 0, sizeof(c->si));
	}
}

/* The wire's completion flags are the API's. */
_Static_assert(AIONL_COMPLETION_F_REJECTED == AIONL_CQE_F_REJECTED &&
	       AIONL_COMPLETION_F_MORE == AIONL_CQE_F_MORE &&
	       AIONL_COMPLETION_F_TIMER == AIONL_CQE_F_TIMER &&
	       AIONL_COMPLETION_F_SIGNAL == AIONL_CQE_F_SIGNAL, "completion flags differ");

static struct waiter *find_waiter(struct aionl_ctx *ctx, uint32_t seq)
{
	struct waiter *w;

	for (w = ctx->waiters; w; w = w->next)
		if (w->seq == seq && !w->done)
			return w;
	return NULL;
}

/* Every request carries its cookie as attribute 1. */
_Static_assert(AIONL_A_READ_COOKIE == 1 && AIONL_A_WRITE_COOKIE == 1 &&
	       AIONL_A_READV_COOKIE == 1 && AIONL_A_WRITEV_COOKIE == 1 &&
	       AIONL_A_FSYNC_COOKIE == 1 && AIONL_A_FDATASYNC_COOKIE == 1,
	       "cookie attribute moved");

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
		w->res = me->error;
		w->done = true;
		return;
	}
	if (me->error == 0)
		return;
	/* A rejected I/O request: recover its cookie from the echo. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && req->nlmsg_type == ctx->family &&
	    req->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
	    req->nlmsg_len <= nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int)) {
		mnl_attr_for_each(a, req, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) == AIONL_A_READ_COOKIE &&
			    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
				cookie = mnl_attr_get_u64(a);
		}
	}
	cq_push(ctx, &(struct aionl_completion){ .cookie = cookie, .res = me->error,
						  .flags = AIONL_CQE_F_REJECTED });
}

static void rx_reply(struct aionl_ctx *ctx, const struct nlmsghdr *nlh, uint8_t cmd)
{
	struct waiter *w = find_waiter(ctx, nlh->nlmsg_seq);
	struct aionl_parse_err pe;
	int err = 0;

	if (!w)
		return;
	switch (cmd) {
	case AIONL_CMD_GET_INFO:
		err = aionl_get_info_reply_parse(nlh, &w->info, &pe);
		if (!err) {
			snprintf(w->backend, sizeof(w->backend), "%s", w->info.backend);
			w->info.backend = w->backend;
		}
		w->res = err;
		break;
	case AIONL_CMD_REGISTER: {
		struct aionl_register_reply m;

		err = aionl_register_reply_parse(nlh, &m, &pe);
		w->res = err ? err : m.res;
		w->handle = m.handle;
		if (!err && !m.res && !(m.present & (1ULL << AIONL_A_REGISTER_REPLY_HANDLE)))
			w->res = -EPROTO;
		break;
	}
	case AIONL_CMD_UNREGISTER: {
		struct aionl_unregister_reply m;

		err = aionl_unregister_reply_parse(nlh, &m, &pe);
		w->res = err ? err : m.res;
		break;
	}
	default:
		return;
	}
	if (err)
		w->res = -EPROTO;
	w->done = true;
}

static void rx_ctrl(struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	struct waiter *w = find_waiter(ctx, nlh->nlmsg_seq);
	const struct nlattr *a;

	if (!w || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	w->res = -EPROTO;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0) {
			w->family = mnl_attr_get_u16(a);
			w->res = 0;
		}
	}
	w->done = true;
}

/* Called with rx_lock held: sort one datagram into the queue and waiters. */
static void rx_parse(struct aionl_ctx *ctx, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_type == NLMSG_NOOP) {
			ctx->bell = false;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (ctx->bell && nlh->nlmsg_seq == ctx->bell_seq)
				ctx->bell = false;	/* the kernel backend's bell */
			else
				rx_error_msg(ctx, nlh);
		} else if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
			continue;
		} else if (nlh->nlmsg_type == ctx->family && ctx->family) {
			uint8_t cmd = aionl__genl_hdr(nlh)->cmd;
			struct aionl_completion m;
			struct aionl_parse_err pe;

			if (cmd != AIONL_CMD_COMPLETION) {
				rx_reply(ctx, nlh, cmd);
			} else if (AIONL_LIKELY(aionl_completion_parse(nlh, &m, &pe) == 0)) {
				cq_push(ctx, &m);
			}
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			rx_ctrl(ctx, nlh);
		}
	}
}

static int64_t ns_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000000000LL + deadline->tv_nsec - now.tv_nsec;
}

static uint64_t spin_ns_of(const struct aionl_params *p)
{
	if (p->spin_us < 0)
		return 0;
	return (uint64_t)(p->spin_us ? (unsigned int)p->spin_us : AIONL_DEFAULT_SPIN_US) * 1000;
}

/*
 * One recvmmsg(): the first datagram as flags say, then all that are already
 * waiting. Returns how many, -EPIPE at end of stream, or -errno.
 */
static int rx_take(struct aionl_ctx *ctx, int flags)
{
	int n, i;

	for (i = 0; i < RX_SLOTS; i++) {
		ctx->rxmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &ctx->rxiov[i], .msg_iovlen = 1 };
		ctx->rxmsg[i].msg_len = 0;
	}
	do {
		n = recvmmsg(ctx->fd, ctx->rxmsg, RX_SLOTS, flags | MSG_WAITFORONE, NULL);
	} while (n < 0 && errno == EINTR && (flags & MSG_DONTWAIT));
	if (n < 0)
		return -errno;
	/* A datagram of length 0 on a SOCK_SEQPACKET pair is the peer's close. */
	for (i = 0; i < n; i++)
		if (!ctx->rxmsg[i].msg_len)
			return i ? i : -EPIPE;
	return n;
}

/*
 * While requests are outstanding their completions are usually microseconds
 * away; polling for them costs less than sleeping and being woken.
 */
static int rx_spin(struct aionl_ctx *ctx, const struct timespec *deadline)
{
	unsigned int outstanding = atomic_load_explicit(&ctx->outstanding, memory_order_relaxed);
	struct timespec now;
	uint64_t start, t;
	int n;

	if (!ctx->spin_ns || !outstanding || outstanding > AIONL_SPIN_MAX_OUTSTANDING)
		return -EAGAIN;
	clock_gettime(CLOCK_MONOTONIC, &now);
	start = t = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
	while (t - start < ctx->spin_ns) {
		n = rx_take(ctx, MSG_DONTWAIT);
		if (n != -EAGAIN && n != -ENOBUFS)
			return n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
		if (deadline && (now.tv_sec > deadline->tv_sec ||
				 (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec)))
			break;
	}
	return -EAGAIN;
}

/*
 * Receive the datagrams waiting into the rx slots, waiting until deadline
 * (NULL: forever) for the first. Returns how many, or -errno.
 */
static int rx_recv(struct aionl_ctx *ctx, const struct timespec *deadline)
{
	int spun = rx_spin(ctx, deadline);

	if (spun != -EAGAIN)
		return spun;
	for (;;) {
		int n = rx_take(ctx, deadline ? MSG_DONTWAIT : 0);

		if (n == -ENOBUFS)	/* an overrun the module recovers from */
			continue;
		if (n != -EAGAIN)
			return n;
		{
			int64_t ns = ns_until(deadline);
			struct timespec ts;
			struct pollfd p = { ctx->fd, POLLIN, 0 };

			if (ns <= 0)
				return -ETIMEDOUT;
			ts.tv_sec = ns / 1000000000LL;
			ts.tv_nsec = ns % 1000000000LL;
			n = ppoll(&p, 1, &ts, NULL);
			if (n < 0)
				return -errno;
			if (n == 0)
				return -ETIMEDOUT;
		}
	}
}

/* Called with rx_lock held: parse the n datagrams rx_recv() took. */
static void rx_parse_slots(struct aionl_ctx *ctx, int n)
{
	for (int i = 0; i < n; i++)
		rx_parse(ctx, ctx->rxiov[i].iov_base, ctx->rxmsg[i].msg_len);
}

static bool cq_ready(struct aionl_ctx *ctx, void *arg);
static void ring_bell(struct aionl_ctx *ctx);

/*
 * Called with rx_lock held. Wait until ready() holds, receiving or letting
 * another thread receive. Returns 0, -ETIMEDOUT, -EINTR or the sticky error.
 */
static int rx_wait(struct aionl_ctx *ctx, bool (*ready)(struct aionl_ctx *, void *), void *arg,
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
			if (ready != cq_ready)
				ring_bell(ctx);
			pthread_cond_broadcast(&ctx->rx_cond);
			if (n == -ETIMEDOUT || n == -EINTR)
				return ready(ctx, arg) ? 0 : (int)n;
			if (n < 0 && n != -EAGAIN)
				ctx->rx_err = (int)n;
		} else if (deadline) {
			if (pthread_cond_timedwait(&ctx->rx_cond, &ctx->rx_lock, deadline) == ETIMEDOUT)
				return ready(ctx, arg) ? 0 : -ETIMEDOUT;
		} else {
			pthread_cond_wait(&ctx->rx_cond, &ctx->rx_lock);
		}
	}
	return 0;
}

static bool waiter_done(struct aionl_ctx *ctx, void *arg)
{
	(void)ctx;
	return ((struct waiter *)arg)->done;
}

/* ------------------------------------------------------------ sending */

static int send_all(struct aionl_ctx *ctx, const void *buf, size_t len, int passfd)
{
	struct iovec iov = { (void *)buf, len };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	do {
		n = sendmsg(ctx->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return 0;
}

/*
 * Send one control request (built in buf with sequence number w->seq) and
 * wait for its reply or NLMSG_ERROR.
 */
static int ctl_call(struct aionl_ctx *ctx, const struct nlmsghdr *req, int passfd, struct waiter *w)
{
	struct waiter **pp;
	int err;

	pthread_mutex_lock(&ctx->rx_lock);
	w->next = ctx->waiters;
	ctx->waiters = w;
	pthread_mutex_unlock(&ctx->rx_lock);

	pthread_mutex_lock(&ctx->tx_lock);
	err = send_all(ctx, req, req->nlmsg_len, passfd);
	pthread_mutex_unlock(&ctx->tx_lock);

	pthread_mutex_lock(&ctx->rx_lock);
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

static uint32_t next_seq(struct aionl_ctx *ctx)
{
	uint32_t s;

	do {
		s = atomic_fetch_add(&ctx->seq, 1) + 1;
	} while (s == 0);
	return s;
}

/*
 * Called with rx_lock held. Put the bell on the socket if cq holds
 * completions and no bell is there yet. The user engine's end of the pair
 * takes a bare NLMSG_NOOP; with the kernel backend, netlink answers an
 * NLMSG_NOOP that asks for an acknowledgement, and the sequence number
 * marks the acknowledgement as the bell. If the socket is full it is readable
 * anyway, and the reap that empties it rings again.
 */
static void ring_bell(struct aionl_ctx *ctx)
{
	ssize_t n, len;

	if (ctx->bell || !ctx->cq_len)
		return;
	if (ctx->engine) {
		struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };

		len = sizeof(nlh);
		n = send(aionl_engine_socket(ctx->engine), &nlh, sizeof(nlh),
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	} else {
		/* netlink acknowledges a control message itself: no module work. */
		struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
					.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
					.nlmsg_seq = next_seq(ctx) };

		len = sizeof(nlh);
		n = send(ctx->fd, &nlh, sizeof(nlh), MSG_DONTWAIT | MSG_NOSIGNAL);
		ctx->bell_seq = nlh.nlmsg_seq;
	}
	ctx->bell = n == len;
}

/* ------------------------------------------------------------ opening */

static int resolve_family(struct aionl_ctx *ctx)
{
	char buf[256];
	struct waiter w = { .seq = next_seq(ctx) };
	struct nlmsghdr *nlh = aionl__msg_start(buf, GENL_ID_CTRL, NLM_F_REQUEST, w.seq,
						CTRL_CMD_GETFAMILY, 1);
	int err;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	err = ctl_call(ctx, nlh, -1, &w);
	if (!err)
		err = (int)w.res;
	if (!err)
		ctx->family = w.family;
	return err;
}

static int get_info(struct aionl_ctx *ctx)
{
	char buf[64];
	struct waiter w = { .seq = next_seq(ctx) };
	struct nlmsghdr *nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq,
						AIONL_CMD_GET_INFO, AIONL_FAMILY_VERSION);
	int err = ctl_call(ctx, nlh, -1, &w);

	if (!err)
		err = (int)w.res;
	if (err)
		return aionl__fail(err, "GET_INFO failed: %s", strerror(-err));
	if (w.info.version != AIONL_FAMILY_VERSION)
		return aionl__fail(-EPROTO, "engine speaks protocol version %u, library %u",
				   w.info.version, AIONL_FAMILY_VERSION);
	ctx->info.version = w.info.version;
	ctx->info.max_inflight = w.info.max_inflight;
	ctx->info.max_files = w.info.max_files;
	ctx->info.max_iov = w.info.max_iov;
	ctx->info.max_io_len = w.info.max_io_len;
	ctx->info.max_msg_size = w.info.max_msg_size;
	ctx->info.workers = w.info.workers;
	switch (w.info.executor) {
	case AIONL_EXECUTOR_URING:
		ctx->info.executor = AIONL_EXEC_URING;
		break;
	case AIONL_EXECUTOR_THREADS:
		ctx->info.executor = AIONL_EXEC_THREADS;
		break;
	default:
		ctx->info.executor = AIONL_EXEC_AUTO;
	}
	if (w.info.max_msg_size > AIONL_MAX_MSG_SIZE)
		return aionl__fail(-EPROTO, "engine sends %u-byte messages, over the %u-byte buffer",
				   w.info.max_msg_size, AIONL_MAX_MSG_SIZE);
	return 0;
}

static int parse_env(const char *name, const char *const *names, int n, int *out)
{
	const char *v = getenv(name);
	int i;

	*out = 0;
	if (!v || !*v)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return aionl__fail(-EINVAL, "%s=%s is not one of %s|%s|%s", name, v, names[0], names[1],
			   names[2]);
}

static const char *const backend_names[] = { "auto", "kernel", "user" };
static const char *const executor_names[] = { "auto", "uring", "threads" };

struct choice {
	enum aionl_backend backend;
	enum aionl_executor executor;
	const char *backend_why;
	const char *executor_why;
};

static int choose(const struct aionl_params *p, struct choice *c)
{
	int b = p->backend, x = p->executor, err;

	c->backend_why = "asked for by aionl_params";
	c->executor_why = "asked for by aionl_params";
	if ((unsigned int)b > AIONL_BACKEND_USER || (unsigned int)x > AIONL_EXEC_THREADS)
		return aionl__fail(-EINVAL, "aionl_params: unknown backend %d or executor %d", b, x);
	if (b == AIONL_BACKEND_AUTO) {
		if ((err = parse_env("AIONL_BACKEND", backend_names, 3, &b)))
			return err;
		c->backend_why = "AIONL_BACKEND";
	}
	if (x == AIONL_EXEC_AUTO) {
		if ((err = parse_env("AIONL_EXECUTOR", executor_names, 3, &x)))
			return err;
		c->executor_why = "AIONL_EXECUTOR";
	}
	if (b == AIONL_BACKEND_KERNEL && x != AIONL_EXEC_AUTO)
		return aionl__fail(-EINVAL, "executor %s belongs to the user backend, but the kernel "
				   "backend was asked for", executor_names[x]);
	/* Only the user engine has executors: naming one picks it. */
	if (b == AIONL_BACKEND_AUTO && x != AIONL_EXEC_AUTO) {
		b = AIONL_BACKEND_USER;
		c->backend_why = "an executor was named";
	}
	c->backend = b;
	c->executor = x;
	return 0;
}

static void ctx_free(struct aionl_ctx *ctx)
{
	if (ctx->fd >= 0)
		close(ctx->fd);
	if (ctx->engine)
		aionl_engine_join(ctx->engine);
	aionl__inline_files_free(ctx->kfiles);
	pthread_mutex_destroy(&ctx->tx_lock);
	pthread_mutex_destroy(&ctx->rx_lock);
	pthread_cond_destroy(&ctx->rx_cond);
	free(ctx->cq);
	free(ctx->txbuf);
	free(ctx->rxbuf);
	free(ctx);
}

static struct aionl_ctx *ctx_alloc(void)
{
	struct aionl_ctx *ctx = calloc(1, sizeof(*ctx));
	pthread_condattr_t ca;

	if (!ctx)
		return NULL;
	ctx->fd = -1;
	pthread_mutex_init(&ctx->tx_lock, NULL);
	pthread_mutex_init(&ctx->rx_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->rx_cond, &ca);
	pthread_condattr_destroy(&ca);
	ctx->txbuf = malloc(AIONL_MAX_MSG_SIZE);
	ctx->rxbuf = malloc((size_t)RX_SLOTS * AIONL_MAX_MSG_SIZE);
	if (!ctx->txbuf || !ctx->rxbuf) {
		ctx_free(ctx);
		return NULL;
	}
	for (int i = 0; i < RX_SLOTS; i++)
		ctx->rxiov[i] = (struct iovec){ ctx->rxbuf + (size_t)i * AIONL_MAX_MSG_SIZE,
						AIONL_MAX_MSG_SIZE };
	return ctx;
}

/* Open a generic netlink socket and find the family: -ENOENT if absent. */
static int open_kernel(struct aionl_ctx *ctx)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, rcvbuf = 4 << 20, err;

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
	/* Room for many completions avoids those resends; root may go past rmem_max. */
	if (setsockopt(ctx->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(ctx->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(ctx->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(ctx->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return aionl__fail(-errno, "generic netlink socket: %s", strerror(errno));
	err = resolve_family(ctx);
	if (err == -ENOENT)
		return aionl__fail(-ENOENT, "the generic netlink family \"aionl\" is not registered "
				   "(aionl.ko is not loaded)");
	if (err)
		return aionl__fail(err, "resolving the aionl family: %s", strerror(-err));
	return 0;
}

static int open_user_with(struct aionl_ctx *ctx, const struct aionl_params *p,
			  enum aionl_executor x)
{
	struct aionl_engine_params ep = {
		.executor = x,
		.max_inflight = p->max_inflight ? p->max_inflight : AIONL_DEFAULT_MAX_INFLIGHT,
		.workers = p->workers ? p->workers : AIONL_DEFAULT_WORKERS,
		.spin_ns = spin_ns_of(p),
	};
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return aionl__fail(-errno, "socketpair: %s", strerror(errno));
	err = aionl_engine_start(&ctx->engine, sv[1], &ep);
	if (err) {
		close(sv[0]);
		return err;
	}
	ctx->fd = sv[0];
	err = resolve_family(ctx);
	if (err)
		return aionl__fail(err, "engine did not resolve the family: %s", strerror(-err));
	return 0;
}

/* Start the engine; with AUTO, io_uring first and the worker pool if it fails. */
static int open_user(struct aionl_ctx *ctx, const struct aionl_params *p, enum aionl_executor x,
		     char *why_uring, size_t why_len)
{
	int err;

	if (x != AIONL_EXEC_AUTO)
		return open_user_with(ctx, p, x);
	err = open_user_with(ctx, p, AIONL_EXEC_URING);
	if (!err || ctx->engine)
		return err;
	snprintf(why_uring, why_len, "%s", aionl_error_message());
	return open_user_with(ctx, p, AIONL_EXEC_THREADS);
}

AIONL_EXPORT int aionl_ctx_open(struct aionl_ctx **ctxp, const struct aionl_params *params)
{
	static const struct aionl_params defaults;
	const struct aionl_params *p = params ? params : &defaults;
	struct aionl_ctx *ctx;
	struct choice c = { 0 };
	char why_kernel[96] = "";
	char why_uring[96] = "";
	int err;

	if (!ctxp)
		return aionl__fail(-EINVAL, "aionl_ctx_open: ctxp is NULL");
	err = choose(p, &c);
	if (err)
		return err;
	ctx = ctx_alloc();
	if (!ctx)
		return aionl__fail(-ENOMEM, "out of memory for the context");

	if (c.backend != AIONL_BACKEND_USER) {
		err = open_kernel(ctx);
		if (!err) {
			ctx->info.backend = AIONL_BACKEND_KERNEL;
		} else if (c.backend == AIONL_BACKEND_KERNEL) {
			goto fail;
		} else {
			snprintf(why_kernel, sizeof(why_kernel), "%s", aionl_error_message());
			close(ctx->fd);
			ctx->fd = -1;
			ctx->family = 0;
		}
	}
	if (!ctx->info.backend) {
		ctx->info.backend = AIONL_BACKEND_USER;
		err = open_user(ctx, p, c.executor, why_uring, sizeof(why_uring));
		if (err)
			goto fail;
	}
	err = get_info(ctx);
	if (err)
		goto fail;
	ctx->max_inflight = p->max_inflight ? p->max_inflight : AIONL_DEFAULT_MAX_INFLIGHT;
	if (ctx->max_inflight > ctx->info.max_inflight)
		ctx->max_inflight = ctx->info.max_inflight;
	ctx->info.max_inflight = ctx->max_inflight;
	ctx->spin_ns = spin_ns_of(p);
	if (!ctx->engine && !(p->flags & AIONL_PARAMS_NO_INLINE))
		ctx->kfiles = aionl__inline_files_new();
	ctx->inline_reads = (ctx->engine || ctx->kfiles) && !(p->flags & AIONL_PARAMS_NO_INLINE);
	if (ctx->info.backend == AIONL_BACKEND_KERNEL)
		snprintf(ctx->info.reason, sizeof(ctx->info.reason), "kernel: %s",
			 c.backend == AIONL_BACKEND_KERNEL ? c.backend_why : "the aionl family is registered");
	else
		snprintf(ctx->info.reason, sizeof(ctx->info.reason), "user: %s; %s: %s",
			 c.backend == AIONL_BACKEND_USER ? c.backend_why : why_kernel,
			 aionl_executor_name(ctx->info.executor),
			 c.executor != AIONL_EXEC_AUTO ? c.executor_why :
			 why_uring[0] ? why_uring : "io_uring is available");
	*ctxp = ctx;
	return 0;
fail:
	ctx_free(ctx);
	return err;
}

AIONL_EXPORT void aionl_ctx_close(struct aionl_ctx *ctx)
{
	if (ctx)
		ctx_free(ctx);
}

AIONL_EXPORT int aionl_ctx_fd(const struct aionl_ctx *ctx)
{
	return ctx ? ctx->fd : -EINVAL;
}

AIONL_EXPORT int aionl_ctx_info(struct aionl_ctx *ctx, struct aionl_info *info)
{
	if (!ctx || !info)
		return aionl__fail(-EINVAL, "aionl_ctx_info: NULL argument");
	*info = ctx->info;
	return 0;
}

AIONL_EXPORT int aionl_probe(enum aionl_backend backend, enum aionl_executor executor)
{
	struct aionl_params p = { .backend = backend, .executor = executor };
	struct aionl_ctx *ctx;
	int err;

	if (backend == AIONL_BACKEND_USER && executor == AIONL_EXEC_URING)
		return aionl_uring_probe();
	if (backend == AIONL_BACKEND_USER && executor == AIONL_EXEC_THREADS)
		return 0;
	err = aionl_ctx_open(&ctx, &p);
	if (!err)
		aionl_ctx_close(ctx);
	return err;
}

/* ------------------------------------------------------------ files */

AIONL_EXPORT int aionl_file_register(struct aionl_ctx *ctx, int fd, uint64_t *handle)
{
	char buf[64];
	struct waiter w;
	struct nlmsghdr *nlh;
	struct aionl_register m = { .present = AIONL_REGISTER_REQUIRED_MASK, .fd = fd };
	int err;

	if (!ctx || !handle)
		return aionl__fail(-EINVAL, "aionl_file_register: NULL argument");
	if (fd < 0)
		return aionl__fail(-EBADF, "aionl_file_register: fd %d is not a descriptor", fd);
	w = (struct waiter){ .seq = next_seq(ctx) };
	nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq, AIONL_CMD_REGISTER,
			       AIONL_FAMILY_VERSION);
	aionl_register_put(nlh, sizeof(buf), &m);
	err = ctl_call(ctx, nlh, ctx->engine ? fd : -1, &w);
	if (err == -EBADF && ctx->engine)
		return aionl__fail(-EBADF, "aionl_file_register: fd %d is not open", fd);
	if (!err)
		err = (int)w.res;
	if (err)
		return aionl__fail(err, "aionl_file_register: fd %d: %s", fd, strerror(-err));
	*handle = w.handle;
	if (ctx->kfiles)
		aionl__inline_files_add(ctx->kfiles, w.handle, fd);
	return 0;
}

AIONL_EXPORT int aionl_file_unregister(struct aionl_ctx *ctx, uint64_t handle)
{
	char buf[64];
	struct waiter w;
	struct nlmsghdr *nlh;
	struct aionl_unregister m = { .present = AIONL_UNREGISTER_REQUIRED_MASK, .handle = handle };
	int err;

	if (!ctx)
		return aionl__fail(-EINVAL, "aionl_file_unregister: NULL context");
	w = (struct waiter){ .seq = next_seq(ctx) };
	nlh = aionl__msg_start(buf, ctx->family, NLM_F_REQUEST, w.seq, AIONL_CMD_UNREGISTER,
			       AIONL_FAMILY_VERSION);
	aionl_unregister_put(nlh, sizeof(buf), &m);
	/* Waits for inline reads of the file: none starts after this. */
	if (ctx->kfiles)
		aionl__inline_files_remove(ctx->kfiles, handle);
	err = ctl_call(ctx, nlh, -1, &w);
	if (!err)
		err = (int)w.res;
	if (err)
		return aionl__fail(err, "aionl_file_unregister: handle %#llx: %s",
				   (unsigned long long)handle, strerror(-err));
	return 0;
}

/* ------------------------------------------------------------ I/O */

/* Encode r at nlh with room bytes; returns -EMSGSIZE if it does not fit. */
static int encode_req(const struct aionl_ctx *ctx, const struct aionl_req *r,
		      struct nlmsghdr *nlh, size_t room)
{
	static const uint8_t cmds[] = {
		[AIONL_OP_READ] = AIONL_CMD_READ,	[AIONL_OP_WRITE] = AIONL_CMD_WRITE,
		[AIONL_OP_READV] = AIONL_CMD_READV,	[AIONL_OP_WRITEV] = AIONL_CMD_WRITEV,
		[AIONL_OP_FSYNC] = AIONL_CMD_FSYNC,	[AIONL_OP_FDATASYNC] = AIONL_CMD_FDATASYNC,
		[AIONL_OP_NOP] = AIONL_CMD_NOP,		[AIONL_OP_TIMER] = AIONL_CMD_TIMER,
		[AIONL_OP_TIMER_UPDATE] = AIONL_CMD_TIMER_UPDATE,
		[AIONL_OP_POLL] = AIONL_CMD_POLL,	[AIONL_OP_SIGNAL] = AIONL_CMD_SIGNAL,
		[AIONL_OP_CANCEL] = AIONL_CMD_CANCEL,
	};
	uint64_t addr = (uintptr_t)r->buf;
	uint64_t tmo = r->timeout_ns ? 1ULL << AIONL_A_READ_TIMEOUT_NS : 0;

	if (room < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EMSGSIZE;
	aionl__msg_start(nlh, ctx->family, NLM_F_REQUEST, 0, cmds[r->op], AIONL_FAMILY_VERSION);
	switch (r->op) {
	case AIONL_OP_READ: {
		struct aionl_read m = { .present = AIONL_READ_REQUIRED_MASK | tmo, .cookie = r->cookie,
					.handle = r->handle, .offset = r->offset, .addr = addr,
					.len = r->len, .timeout_ns = r->timeout_ns };
		return aionl_read_put(nlh, room, &m);
	}
	case AIONL_OP_WRITE: {
		struct aionl_write m = { .present = AIONL_WRITE_REQUIRED_MASK | tmo, .cookie = r->cookie,
					 .handle = r->handle, .offset = r->offset, .addr = addr,
					 .len = r->len, .timeout_ns = r->timeout_ns };
		return aionl_write_put(nlh, room, &m);
	}
	case AIONL_OP_READV: {
		struct aionl_readv m = { .present = AIONL_READV_REQUIRED_MASK | tmo, .cookie = r->cookie,
					 .handle = r->handle, .offset = r->offset, .iov = r->iov,
					 .iov_len = r->nr_iov * (uint32_t)sizeof(struct iovec),
					 .timeout_ns = r->timeout_ns };
		return aionl_readv_put(nlh, room, &m);
	}
	case AIONL_OP_WRITEV: {
		struct aionl_writev m = { .present = AIONL_WRITEV_REQUIRED_MASK | tmo, .cookie = r->cookie,
					  .handle = r->handle, .offset = r->offset, .iov = r->iov,
					  .iov_len = r->nr_iov * (uint32_t)sizeof(struct iovec),
					  .timeout_ns = r->timeout_ns };
		return aionl_writev_put(nlh, room, &m);
	}
	case AIONL_OP_FSYNC: {
		struct aionl_fsync m = { .present = AIONL_FSYNC_REQUIRED_MASK, .cookie = r->cookie,
					 .handle = r->handle };
		return aionl_fsync_put(nlh, room, &m);
	}
	case AIONL_OP_FDATASYNC: {
		struct aionl_fdatasync m = { .present = AIONL_FDATASYNC_REQUIRED_MASK,
					     .cookie = r->cookie, .handle = r->handle };
		return aionl_fdatasync_put(nlh, room, &m);
	}
	case AIONL_OP_NOP: {
		struct aionl_nop m = { .present = AIONL_NOP_REQUIRED_MASK, .cookie = r->cookie };
		return aionl_nop_put(nlh, room, &m);
	}
	case AIONL_OP_TIMER: {
		struct aionl_timer m = {
			.present = AIONL_TIMER_REQUIRED_MASK | 1ULL << AIONL_A_TIMER_INTERVAL_NS |
				   1ULL << AIONL_A_TIMER_FLAGS,
			.cookie = r->cookie, .clock = r->timer.clock, .value_ns = r->timer.value_ns,
			.interval_ns = r->timer.interval_ns, .flags = r->timer.flags,
		};
		return aionl_timer_put(nlh, room, &m);
	}
	case AIONL_OP_TIMER_UPDATE: {
		struct aionl_timer_update m = {
			.present = AIONL_TIMER_UPDATE_REQUIRED_MASK |
				   1ULL << AIONL_A_TIMER_UPDATE_INTERVAL_NS |
				   1ULL << AIONL_A_TIMER_UPDATE_FLAGS,
			.cookie = r->cookie, .target = r->cancel.target, .value_ns = r->timer.value_ns,
			.interval_ns = r->timer.interval_ns, .flags = r->timer.flags,
		};
		return aionl_timer_update_put(nlh, room, &m);
	}
	case AIONL_OP_POLL: {
		struct aionl_poll m = {
			.present = AIONL_POLL_REQUIRED_MASK | 1ULL << AIONL_A_POLL_FLAGS,
			.cookie = r->cookie, .handle = r->handle, .events = r->poll.events,
			.flags = r->poll.flags,
		};
		return aionl_poll_put(nlh, room, &m);
	}
	case AIONL_OP_SIGNAL: {
		struct aionl_signal m = { .present = AIONL_SIGNAL_REQUIRED_MASK, .cookie = r->cookie,
					  .mask = r->sigmask };
		return aionl_signal_put(nlh, room, &m);
	}
	default: {
		struct aionl_cancel m = {
			.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_TARGET |
				   1ULL << AIONL_A_CANCEL_FLAGS,
			.cookie = r->cookie, .target = r->cancel.target, .flags = r->cancel.flags,
		};
		return aionl_cancel_put(nlh, room, &m);
	}
	}
}

/* The wire carries the API's values for these. */
_Static_assert(AIONL_TIMER_F_ABS == AIONL_TIMER_ABS && AIONL_POLL_EV_IN == AIONL_POLL_IN &&
	       AIONL_POLL_EV_OUT == AIONL_POLL_OUT && AIONL_POLL_EV_ERR == AIONL_POLL_ERR &&
	       AIONL_POLL_EV_HUP == AIONL_POLL_HUP && AIONL_POLL_F_MULTISHOT == AIONL_POLL_MULTISHOT &&
	       AIONL_CANCEL_F_HANDLE == AIONL_CANCEL_HANDLE && AIONL_CANCEL_F_ALL == AIONL_CANCEL_ALL &&
	       AIONL_TIMER_CLOCK_MONOTONIC == CLOCK_MONOTONIC &&
	       AIONL_TIMER_CLOCK_REALTIME == CLOCK_REALTIME &&
	       AIONL_TIMER_CLOCK_BOOTTIME == CLOCK_BOOTTIME, "wire and API values differ");
_Static_assert((int)AIONL_A_READ_TIMEOUT_NS == (int)AIONL_A_WRITE_TIMEOUT_NS &&
	       (int)AIONL_A_READ_TIMEOUT_NS == (int)AIONL_A_READV_TIMEOUT_NS &&
	       (int)AIONL_A_READ_TIMEOUT_NS == (int)AIONL_A_WRITEV_TIMEOUT_NS, "timeout attribute moved");

static int check_req(const struct aionl_ctx *ctx, const struct aionl_req *r, unsigned int i)
{
	if (r->op < AIONL_OP_READ || r->op > AIONL_OP_CANCEL)
		return aionl__fail(-EINVAL, "aionl_submit: request %u has unknown op %u", i, r->op);
	if ((r->op == AIONL_OP_READV || r->op == AIONL_OP_WRITEV) &&
	    (r->nr_iov > ctx->info.max_iov || (r->nr_iov && !r->iov)))
		return aionl__fail(-EINVAL, "aionl_submit: request %u has %u iovecs (max %u)", i,
				   r->nr_iov, ctx->info.max_iov);
	return 0;
}

/* Completions of reads served inline, gathered on the submitter's stack. */
struct inline_batch {
	unsigned int n;
	struct aionl_completion m[64];
};

/*
 * Queue completions of reads served inline straight into cq: no datagram
 * carries them, the bell makes the descriptor readable for them, and a
 * thread blocked receiving wakes on the bell.
 */
static void deliver_inline(struct aionl_ctx *ctx, struct inline_batch *b)
{
	unsigned int i;

	if (!b->n)
		return;
	pthread_mutex_lock(&ctx->rx_lock);
	for (i = 0; i < b->n; i++)
		cq_push(ctx, &b->m[i]);
	ring_bell(ctx);
	pthread_cond_broadcast(&ctx->rx_cond);
	pthread_mutex_unlock(&ctx->rx_lock);
	b->n = 0;
}

/* The inline reads' file table: the engine's, or the kernel backend's own. */
static void inline_begin(struct aionl_ctx *ctx)
{
	if (ctx->engine)
		aionl_engine_inline_begin(ctx->engine);
	else
		aionl__inline_files_begin(ctx->kfiles);
}

static void inline_end(struct aionl_ctx *ctx)
{
	if (ctx->engine)
		aionl_engine_inline_end(ctx->engine);
	else
		aionl__inline_files_end(ctx->kfiles);
}

static int inline_read(struct aionl_ctx *ctx, uint64_t handle, const struct iovec *iov,
		       unsigned int nr_iov, uint64_t offset, int64_t *res)
{
	if (ctx->engine)
		return aionl_engine_try_read(ctx->engine, handle, iov, nr_iov, offset, res);
	return aionl__inline_files_try_read(ctx->kfiles, handle, iov, nr_iov, offset, res);
}

/*
 * Serve r from the page cache now, if it is a read that can be, with no
 * lock of the context held: submitting threads copy in parallel.
 */
static bool try_inline(struct aionl_ctx *ctx, const struct aionl_req *r, struct inline_batch *b)
{
	struct iovec one = { r->buf, r->len };
	int64_t res;

	if (r->timeout_ns || r->offset == AIONL_OFFSET_STREAM)
		return false;	/* deadlines and streams are the engine's */
	if (r->op == AIONL_OP_READ) {
		if (r->len > AIONL_MAX_IO_LEN ||
		    !inline_read(ctx, r->handle, &one, 1, r->offset, &res))
			return false;
	} else if (r->op != AIONL_OP_READV ||
		   !inline_read(ctx, r->handle, r->iov, r->nr_iov, r->offset, &res)) {
		return false;
	}
	if (b->n == sizeof(b->m) / sizeof(b->m[0])) {
		/* Let register and unregister in between long batches. */
		inline_end(ctx);
		deliver_inline(ctx, b);
		inline_begin(ctx);
	}
	b->m[b->n++] = (struct aionl_completion){ .cookie = r->cookie, .res = res };
	return true;
}

/*
 * A watched signal is caught as a completion only while it is blocked: the
 * calling thread blocks it here, and threads it creates later inherit that.
 */
static void block_watched_signals(const struct aionl_req *reqs, unsigned int nr)
{
	sigset_t set;
	bool any = false;
	unsigned int i;
	int sig;

	sigemptyset(&set);
	for (i = 0; i < nr; i++) {
		if (reqs[i].op != AIONL_OP_SIGNAL)
			continue;
		for (sig = 1; sig <= 64; sig++) {
			if ((reqs[i].sigmask >> (sig - 1) & 1) && sig != SIGKILL && sig != SIGSTOP &&
			    sigaddset(&set, sig) == 0)
				any = true;
		}
	}
	if (any)
		pthread_sigmask(SIG_BLOCK, &set, NULL);
}

AIONL_EXPORT int aionl_wake(struct aionl_ctx *ctx, uint64_t cookie)
{
	struct aionl_req r;
	int n;

	aionl_req_nop(&r, cookie);
	n = aionl_submit(ctx, &r, 1);
	return n == 1 ? 0 : n;
}

AIONL_EXPORT int aionl_submit(struct aionl_ctx *ctx, const struct aionl_req *reqs, unsigned int nr)
{
	unsigned int cur, take, i, sent = 0, batched = 0, ninline = 0;
	struct inline_batch ib;
	uint64_t done_inline[64];	/* bitmap of the first 4096 requests */
	size_t pos = 0;
	int err = 0;

	if (!ctx || (!reqs && nr))
		return aionl__fail(-EINVAL, "aionl_submit: NULL argument");
	if (!nr)
		return 0;
	/* A bad request ends the batch before it, before anything is done. */
	for (i = 0; i < nr; i++) {
		err = check_req(ctx, &reqs[i], i);
		if (err) {
			if (!i)
				return err;
			nr = i;
			break;
		}
	}
	cur = atomic_load_explicit(&ctx->outstanding, memory_order_relaxed);
	do {
		if (cur >= ctx->max_inflight)
			return aionl__fail(-EBUSY, "aionl_submit: %u requests outstanding; reap first",
					   cur);
		take = ctx->max_inflight - cur < nr ? ctx->max_inflight - cur : nr;
	} while (!atomic_compare_exchange_weak(&ctx->outstanding, &cur, cur + take));
	block_watched_signals(reqs, take);

	/*
	 * Page-cache hits are served here and now, as io_uring serves them in
	 * io_uring_enter; only the rest travels to the engine. Splitting a batch
	 * between this thread and the engine measured slower: the fast half then
	 * waits for the slow half.
	 */
	ib.n = 0;
	memset(done_inline, 0, sizeof(done_inline));
	if (ctx->inline_reads) {
		inline_begin(ctx);
		for (i = 0; i < take && i < 64 * 64; i++) {
			if (try_inline(ctx, &reqs[i], &ib)) {
				done_inline[i / 64] |= 1ULL << (i % 64);
				ninline++;
			}
		}
		inline_end(ctx);
		deliver_inline(ctx, &ib);
	}
	if (ninline < take) {
		pthread_mutex_lock(&ctx->tx_lock);
		for (i = 0; i < take; i++) {
			struct nlmsghdr *nlh;

			if (i < 64 * 64 && (done_inline[i / 64] >> (i % 64) & 1))
				continue;
			nlh = (struct nlmsghdr *)(ctx->txbuf + pos);
			err = encode_req(ctx, &reqs[i], nlh, AIONL_MAX_MSG_SIZE - pos);
			if (err == -EMSGSIZE && pos) {
				err = send_all(ctx, ctx->txbuf, pos, -1);
				if (err)
					break;
				sent += batched;
				batched = 0;
				pos = 0;
				nlh = (struct nlmsghdr *)ctx->txbuf;
				err = encode_req(ctx, &reqs[i], nlh, AIONL_MAX_MSG_SIZE);
			}
			if (err)
				break;
			pos += NLMSG_ALIGN(nlh->nlmsg_len);
			batched++;
		}
		if (pos && err != -EPIPE) {
			int serr = send_all(ctx, ctx->txbuf, pos, -1);

			if (serr)
				err = serr;
			else
				sent += batched;
		}
		pthread_mutex_unlock(&ctx->tx_lock);
	}
	sent += ninline;

	if (sent < take)
		atomic_fetch_sub(&ctx->outstanding, take - sent);
	if (sent)
		return (int)sent;
	if (err == -EPIPE || err == -ECONNRESET)
		return aionl__fail(-EPIPE, "aionl_submit: the engine is gone");
	if (err == -EMSGSIZE)
		return aionl__fail(-EINVAL, "aionl_submit: request does not fit in one message");
	if (err && err != -EINVAL)
		return aionl__fail(err, "aionl_submit: sending: %s", strerror(-err));
	return err;
}

struct reap_want {
	unsigned int min_nr;
};

static bool cq_ready(struct aionl_ctx *ctx, void *arg)
{
	return ctx->cq_len >= ((struct reap_want *)arg)->min_nr;
}

AIONL_EXPORT int aionl_reap(struct aionl_ctx *ctx, struct aionl_cqe *cqes, unsigned int max,
			    unsigned int min_nr, const struct timespec *timeout)
{
	struct reap_want want = { min_nr ? min_nr : 1 };
	struct timespec deadline, *dl = NULL;
	unsigned int n, i, finals = 0;
	int err;

	if (!ctx || (!cqes && max))
		return aionl__fail(-EINVAL, "aionl_reap: NULL argument");
	if (min_nr > max)
		return aionl__fail(-EINVAL, "aionl_reap: min_nr %u > max %u", min_nr, max);
	if (!max)
		return 0;
	if (timeout || !min_nr) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		if (timeout) {
			deadline.tv_sec += timeout->tv_sec;
			deadline.tv_nsec += timeout->tv_nsec;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		}
		dl = &deadline;
	}
	pthread_mutex_lock(&ctx->rx_lock);
	/*
	 * A non-blocking reap is what a poll()-driven program makes: take the
	 * bell with whatever else waits, so the descriptor does not stay
	 * readable once everything is handed out.
	 */
	if ((!min_nr || (timeout && !timeout->tv_sec && !timeout->tv_nsec)) && ctx->bell &&
	    !ctx->receiving) {
		int k;

		do {
			k = rx_take(ctx, MSG_DONTWAIT);
			if (k > 0)
				rx_parse_slots(ctx, k);
		} while (k == RX_SLOTS);
	}
	err = rx_wait(ctx, cq_ready, &want, dl);
	/*
	 * Periodic timers' ticks that wait on the socket fold into the one
	 * already queued: take them in before handing anything out.
	 */
	while (!err && ctx->cq_has_ticks && !ctx->receiving && ctx->cq_len < max) {
		int k = rx_take(ctx, MSG_DONTWAIT);

		if (k <= 0)
			break;
		rx_parse_slots(ctx, k);
	}
	ctx->cq_has_ticks = false;
	n = ctx->cq_len < max ? ctx->cq_len : max;
	for (i = 0; i < n; i++) {
		cqes[i] = ctx->cq[(ctx->cq_head + i) & (ctx->cq_cap - 1)];
		finals += !(cqes[i].flags & AIONL_CQE_F_MORE);
	}
	if (n) {
		ctx->cq_head = (ctx->cq_head + n) & (ctx->cq_cap - 1);
		ctx->cq_len -= n;
		ctx->cq_taken += n;
	}
	ring_bell(ctx);
	pthread_mutex_unlock(&ctx->rx_lock);
	if (n) {
		unsigned int cur = atomic_load(&ctx->outstanding);

		/*
		 * A request's credit returns with its last completion: armed
		 * timers, polls and signal watches keep theirs. Raw test traffic
		 * completes without a credit: never underflow.
		 */
		while (finals && !atomic_compare_exchange_weak(&ctx->outstanding, &cur,
							       cur > finals ? cur - finals : 0))
			;
		return (int)n;
	}
	if (err == -ETIMEDOUT)
		return 0;
	if (err == -EPIPE)
		return aionl__fail(-EPIPE, "aionl_reap: the engine is gone");
	if (err)
		return aionl__fail(err, "aionl_reap: %s", strerror(-err));
	return 0;
}
