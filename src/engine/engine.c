// SPDX-License-Identifier: MIT
/*
 * The userspace engine's thread: it reads datagrams of requests from its
 * socket, hands each message to the handler of its command, and sends the
 * completions and replies its out queue collects.
 *
 * Nothing is ever dropped, and nothing grows without bound: completions and
 * replies the socket cannot take yet wait in the out queue; a request past
 * max_inflight is refused with -EBUSY, as the module refuses it
 * (aionl_admit_full); and while the messages waiting reach max_inflight the
 * engine stops reading, so a program that floods it without reading meets a
 * full socket. The library's own credit check (-EBUSY) comes long before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "engine.h"

/* Descriptors one datagram may pass: one per REGISTER it carries. */
#define MAX_FDS_PER_DGRAM 64
/*
 * Datagrams read in one turn of the loop before the completions they made
 * are sent: a flood of requests cannot hold back every completion.
 */
#define READ_BUDGET 16
/* Room for one completion: its attributes with a signal's siginfo. */
#define COMPLETION_ROOM 256

/* ------------------------------------------------------------ sending */

static struct outq_pos put_completion(struct aionl_engine *e, const struct aionl_completion *m)
{
	struct outq_pos pos = { 0 };
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	void *buf;

	if (e->peer_gone)
		return pos;
	buf = outq_reserve(&e->out, COMPLETION_ROOM);
	if (!buf) {
		/* Without memory the no-loss promise cannot be kept: end the session. */
		e->peer_gone = true;
		return pos;
	}
	e->work++;
	nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION,
			       AIONL_FAMILY_VERSION);
	aionl_completion_put(nlh, COMPLETION_ROOM, m);
	aionl_attr_for_each(a, nlh) {
		if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_RES)
			pos = outq_pos_of(&e->out, mnl_attr_get_payload(a));
	}
	outq_commit(&e->out, NLMSG_ALIGN(nlh->nlmsg_len));
	return pos;
}

/*
 * Queued first: an ordered request's end may cancel the rest of its chain,
 * whose completions come after its own (order.c).
 */
struct outq_pos engine_put_completion(struct aionl_engine *e, const struct aionl_completion *m)
{
	struct outq_pos pos = put_completion(e, m);

	order_note(e, m);
	return pos;
}

static int put_completion_fd(struct aionl_engine *e, const struct aionl_completion *m, int fd)
{
	struct nlmsghdr *nlh;
	void *buf;

	if (e->peer_gone) {
		close(fd);
		return 0;
	}
	buf = outq_reserve_fd(&e->out, COMPLETION_ROOM);
	if (!buf) {
		close(fd);
		e->peer_gone = true;
		return -ENOMEM;
	}
	e->work++;
	nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION,
			       AIONL_FAMILY_VERSION);
	aionl_completion_put(nlh, COMPLETION_ROOM, m);
	outq_commit_fd(&e->out, NLMSG_ALIGN(nlh->nlmsg_len), fd);
	return 0;
}

int engine_put_completion_fd(struct aionl_engine *e, const struct aionl_completion *m, int fd)
{
	int err = put_completion_fd(e, m, fd);

	order_note(e, m);
	return err;
}

void engine_complete_cookie(struct aionl_engine *e, uint64_t cookie, int64_t res)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK,
		.cookie = cookie,
		.res = res,
	};

	engine_put_completion(e, &m);
}

int aionl_engine_ring(struct aionl_engine *e)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };

	return send(e->sock, &nlh, sizeof(nlh), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(nlh);
}

/* ------------------------------------------------------------ the inline path */

void aionl_engine_inline_begin(struct aionl_engine *e)
{
	pthread_rwlock_rdlock(&e->files.lock);
}

void aionl_engine_inline_end(struct aionl_engine *e)
{
	pthread_rwlock_unlock(&e->files.lock);
}

int aionl_engine_try_read(struct aionl_engine *e, uint64_t handle, const struct iovec *iov,
			  unsigned int nr_iov, uint64_t offset, int64_t *res)
{
	struct eng_file *f = files_lookup(&e->files, handle);

	if (!f || !f->caps.readable || !f->caps.seekable ||
	    !atomic_load_explicit(&f->nowait_ok, memory_order_relaxed))
		return 0;
	return aionl__nowait_read(f->fd, iov, nr_iov, offset, res);
}

/* ------------------------------------------------------------ receiving */

typedef int (*handler_fn)(struct aionl_engine *e, const struct nlmsghdr *nlh,
			  struct aionl_parse_err *pe);

/* Every command a program may send, by number. */
static const handler_fn handlers[AIONL_CMD_MAX + 1] = {
	[AIONL_CMD_GET_INFO] = eng_get_info,
	[AIONL_CMD_REGISTER] = eng_register,
	[AIONL_CMD_UNREGISTER] = eng_unregister,
	[AIONL_CMD_READ] = io_transfer,
	[AIONL_CMD_WRITE] = io_transfer,
	[AIONL_CMD_READV] = io_transfer_v,
	[AIONL_CMD_WRITEV] = io_transfer_v,
	[AIONL_CMD_FSYNC] = io_sync,
	[AIONL_CMD_FDATASYNC] = io_sync,
	[AIONL_CMD_NOP] = ev_nop,
	[AIONL_CMD_TIMER] = ev_timer,
	[AIONL_CMD_TIMER_UPDATE] = ev_timer_update,
	[AIONL_CMD_POLL] = ev_poll,
	[AIONL_CMD_SIGNAL] = ev_signal,
	[AIONL_CMD_CANCEL] = ev_cancel,
	[AIONL_CMD_OPEN] = eng_open,
	[AIONL_CMD_INSTALL] = eng_install,
	[AIONL_CMD_BIND] = eng_bind,
	[AIONL_CMD_FALLOCATE] = eng_fallocate,
	[AIONL_CMD_STATX] = eng_statx,
	[AIONL_CMD_COPY] = eng_copy,
};

/* GET_INFO's commands: what handlers[] holds, so that the answer cannot drift from it. */
uint64_t engine_commands(void)
{
	uint64_t cmds = 0;
	unsigned int cmd;

	for (cmd = 0; cmd <= AIONL_CMD_MAX; cmd++)
		if (handlers[cmd])
			cmds |= AIONL_CMD_BIT(cmd);
	return cmds;
}

/*
 * Messages waiting only because this batch has not been sent yet do not
 * count: those the socket cannot take do (a program that does not read).
 */
bool engine_full(struct aionl_engine *e, bool work, unsigned int more)
{
	uint32_t max = e->params.max_inflight;
	uint32_t at_work = e->inflight + e->order.nheld + more;

	if (!aionl_admit_full(work, at_work, e->nwatches, e->out.backlog, max))
		return false;
	if (outq_flush(&e->out, e->sock) < 0)
		e->peer_gone = true;
	return aionl_admit_full(work, at_work, e->nwatches, e->out.backlog, max);
}

int engine_dispatch(struct aionl_engine *e, uint8_t cmd, const struct nlmsghdr *nlh,
		    struct aionl_parse_err *pe)
{
	return handlers[cmd](e, nlh, pe);
}

/* rem: the bytes of the datagram from nlh on, for a chain that looks ahead. */
static void handle_msg(struct aionl_engine *e, const struct nlmsghdr *nlh, uint32_t rem)
{
	struct aionl_parse_err pe = { 0 };
	int err;

	/* As netlink_rcv_skb(): only requests are processed, others just acked. */
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		order_other_msg(e);
		if (nlh->nlmsg_flags & NLM_F_ACK)
			eng_put_error(e, nlh, nlh->nlmsg_len, 0, NULL);
		return;
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		order_other_msg(e);
		pe.msg = "message too short for a genlmsghdr";
		err = -EINVAL;
	} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
		order_other_msg(e);
		err = eng_nlctrl(e, nlh, &pe);
	} else if (nlh->nlmsg_type != AIONL_USER_FAMILY_ID) {
		order_other_msg(e);
		pe.msg = "unknown generic netlink family";
		err = -ENOENT;
	} else {
		uint8_t cmd = aionl__genl_hdr(nlh)->cmd;
		bool known = cmd <= AIONL_CMD_MAX && handlers[cmd];

		if (known && aionl_cmd_takes_req_flags(cmd)) {
			/* Admitted, started or held by its chain and the drains. */
			err = order_msg(e, nlh, rem, &pe);
			goto out;
		}
		order_other_msg(e);
		if (known && engine_full(e, aionl_cmd_adds_work(cmd), 0)) {
			pe.msg = "too many requests outstanding: reap completions first";
			err = -EBUSY;
		} else if (known) {
			err = handlers[cmd](e, nlh, &pe);
		} else {
			/* As genetlink answers a command the family has no op for. */
			pe.msg = AIONL_MSG_CMD_UNSUPPORTED;
			err = -EOPNOTSUPP;
		}
	}
out:
	if (err || (nlh->nlmsg_flags & NLM_F_ACK))
		eng_put_error(e, nlh, nlh->nlmsg_len, err, &pe);
}

static void handle_datagram(struct aionl_engine *e, char *buf, size_t len, bool truncated)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	struct aionl_parse_err pe = { 0 };
	size_t rem = len;

	if (truncated) {
		pe.msg = "datagram larger than the engine's maximum message size";
		eng_put_error(e, nlh, sizeof(*nlh), -EMSGSIZE, &pe);
		rem = 0;
	}
	while (rem) {
		if (rem < sizeof(*nlh) || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem) {
			struct nlmsghdr hdr = { 0 };

			memcpy(&hdr, nlh, rem < sizeof(hdr) ? rem : sizeof(hdr));
			pe.msg = "truncated message";
			eng_put_error(e, &hdr, sizeof(hdr), -EINVAL, &pe);
			break;
		}
		handle_msg(e, nlh, rem);
		/* What the message finished may start the next of its chain, in order. */
		order_run(e);
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= rem)
			break;
		rem -= NLMSG_ALIGN(nlh->nlmsg_len);
		nlh = (const struct nlmsghdr *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	}
	order_datagram_end(e);
	/* Descriptors no REGISTER took. */
	while (e->dgram.next < e->dgram.nfds)
		close(e->dgram.fds[e->dgram.next++]);
}

static bool can_accept(const struct aionl_engine *e)
{
	return !e->peer_gone && e->out.backlog < e->params.max_inflight;
}

static void read_requests(struct aionl_engine *e)
{
	int budget = READ_BUDGET;

	while (budget-- && can_accept(e)) {
		char cbuf[CMSG_SPACE(MAX_FDS_PER_DGRAM * sizeof(int))];
		struct iovec iov = { e->rxbuf, AIONL_MAX_MSG_SIZE };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		int fds[MAX_FDS_PER_DGRAM], nfds = 0;
		struct cmsghdr *cm;
		ssize_t n;

		n = recvmsg(e->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				e->peer_gone = true;
			return;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				int k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				memcpy(fds + nfds, CMSG_DATA(cm), k * sizeof(int));
				nfds += k;
			}
		}
		if (n == 0 && !(mh.msg_flags & MSG_TRUNC)) {
			/* An empty datagram is legal; EOF shows as POLLHUP too. */
			struct pollfd p = { e->sock, POLLIN, 0 };

			while (nfds)
				close(fds[--nfds]);
			if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) {
				e->peer_gone = true;
				outq_drop_all(&e->out);
				return;
			}
			continue;
		}
		e->dgram = (struct eng_dgram){ fds, nfds, 0 };
		handle_datagram(e, e->rxbuf, n, mh.msg_flags & MSG_TRUNC);
		e->dgram = (struct eng_dgram){ 0 };
		e->work++;
	}
}

/* ------------------------------------------------------------ the loop */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *engine_main(void *arg)
{
	struct aionl_engine *e = arg;
	uint64_t last_work = 0, seen = 0;
	bool cancelled_all = false, spinning = false, may_spin = false;
	/*
	 * While a request is at work in a thread (a worker of ours or of
	 * io_uring), that thread and the program's, which may be polling for
	 * the completion, need a CPU each: the engine's spin would take a third.
	 */
	bool spin_beside_work = aionl__ncpus() > 2;
	/*
	 * On two CPUs or fewer the engine never spins: the program's thread,
	 * the engine and whatever completes the I/O (io_uring's task work, a
	 * device interrupt) share them, and a spin there cost O_DIRECT reads
	 * at queue depth 1 on io_uring 15% in one run (0.60x io_uring spinning,
	 * 0.69x not). The program's own spin, for what a worker completes
	 * straight into its queue, is the library's (transport.c).
	 */
	bool may_spin_here = aionl__ncpus() > 2;

	for (;;) {
		bool want_in, want_out, spin;
		uint64_t t = 0;
		int rev;

		if (atomic_load_explicit(&e->park_asked, memory_order_relaxed))
			fork_park(e);
		if (outq_flush(&e->out, e->sock))
			e->peer_gone = true;
		if (e->peer_gone && !cancelled_all) {
			/* Closing a context cancels everything it holds. */
			events_cancel_everything(e);
			cancelled_all = true;
		}
		if (e->peer_gone && e->inflight == 0)
			break;
		want_in = can_accept(e);
		want_out = !e->peer_gone && outq_pending(&e->out);
		/*
		 * Right after work, more usually follows within microseconds:
		 * polling for it then costs less than a sleep and a wake-up, as
		 * long as it does come within the spin (e->spin learns whether).
		 */
		if (e->params.spin_ns) {
			t = now_ns();
			if (e->work != seen) {
				seen = e->work;
				last_work = t;
				if (spinning)
					aionl_spin_done(&e->spin, true);
				spinning = false;
				may_spin = aionl_spin_pays(&e->spin);
			}
		}
		spin = may_spin_here && e->params.spin_ns && may_spin && t - last_work < e->params.spin_ns &&
		       e->inflight <= AIONL_SPIN_MAX_OUTSTANDING &&
		       (e->inflight == 0 || spin_beside_work);
		if (spin) {
			spinning = true;
		} else if (spinning) {
			/* The spin ran out, or work began that it must not take the CPU from. */
			if (t - last_work >= e->params.spin_ns)
				aionl_spin_done(&e->spin, false);
			spinning = false;
			may_spin = false;
		}
		e->events_ready = false;
		rev = e->exec->wait(e, want_in, want_out, !spin);
		if (e->events_ready)
			events_dispatch(e);
		/* Completions may have made the turn of held requests come. */
		order_run(e);
		if (rev & (POLLIN | POLLHUP | POLLERR))
			read_requests(e);
	}
	fork_engine_exits(e);
	return NULL;
}

/* ------------------------------------------------------------ start and end */

/*
 * forget: in a child after fork (aionl_engine_forget), where only closing
 * and freeing is safe; the requests and watches hold files, so they go first.
 */
static void engine_free(struct aionl_engine *e, bool forget)
{
	fork_fini(e, forget);
	if (forget) {
		io_forget_active(e);
		events_forget(e);
	} else {
		events_fini(e);
	}
	order_fini(e);
	files_fini(&e->files);
	outq_fini(&e->out);
	io_free_recycled(e);
	free(e->rxbuf);
	close(e->sock);
	free(e);
}

int aionl_engine_start(struct aionl_engine **ep, int sock,
		       const struct aionl_engine_params *params)
{
	struct aionl_engine *e = calloc(1, sizeof(*e));
	sigset_t all, old;
	int err;

	if (!e) {
		close(sock);
		return aionl__fail(-ENOMEM, "out of memory for the engine");
	}
	e->sock = sock;
	e->kickfd = -1;
	pthread_mutex_init(&e->park_lock, NULL);
	pthread_cond_init(&e->park_cond, NULL);
	e->params = *params;
	aionl_spin_init(&e->spin);
	e->exec = params->executor == AIONL_EXEC_URING ? &aionl_exec_uring : &aionl_exec_threads;
	/* Both first, so that engine_free() may undo a start that fails anywhere. */
	err = files_init(&e->files);
	if (!err && params->peer >= 0)
		err = files_set_socket(&e->files, params->peer, sock);
	if (!err)
		err = events_init(e);
	if (!err)
		err = fork_init(e);
	e->rxbuf = malloc(AIONL_MAX_MSG_SIZE);
	if (err || !e->rxbuf) {
		engine_free(e, false);
		return aionl__fail(err ? err : -ENOMEM, "cannot set up the engine: %s",
				   strerror(err ? -err : ENOMEM));
	}
	/* Signals are the program's: none is ever delivered to engine threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = e->exec->init(e);
	if (err) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		engine_free(e, false);
		return err;
	}
	e->running = true;
	err = pthread_create(&e->thread, NULL, engine_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		e->exec->fini(e);
		engine_free(e, false);
		return aionl__fail(-err, "cannot start the engine thread");
	}
	fork_track(e);
	*ep = e;
	return 0;
}

void aionl_engine_join(struct aionl_engine *e)
{
	fork_untrack(e);
	pthread_join(e->thread, NULL);
	e->exec->fini(e);
	engine_free(e, false);
}

/*
 * Every descriptor here shares its open file with the parent's engine:
 * epoll_ctl, timerfd_settime or a signalfd mask change through the child's
 * copy would change the parent's engine, and its threads' locks may be
 * frozen held. So only close and free. The lists walked are whole: the
 * engine was parked at the top of its loop while the process forked
 * (fork.c). One that could not park in time (a fork from a signal handler)
 * may have been in the middle of a change: then only the descriptors the
 * engine made for itself are closed, and the rest, all close-on-exec, is
 * left to the child's exec or exit.
 */
void aionl_engine_forget(struct aionl_engine *e)
{
	fork_untrack(e);
	e->exec->forget(e);
	if (e->fork_parked) {
		engine_free(e, true);
		return;
	}
	fork_fini(e, true);
	events_close_own(e);
	close(e->sock);
}
