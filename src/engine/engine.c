// SPDX-License-Identifier: MIT
/*
 * The userspace engine: parses the aionl protocol from its socket, keeps the
 * file table, and turns requests into executor work and executor results into
 * completion messages.
 *
 * Nothing is ever dropped: completions the socket cannot take yet wait in the
 * out queue, and while inflight + backlog reaches max_inflight the engine stops
 * reading requests, so a program that floods it meets a full socket, and the
 * library's own credit check (-EBUSY) long before that.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "engine.h"

#define MAX_FDS_PER_DGRAM 64
/* Echo at most this much of a rejected request in its NLMSG_ERROR. */
#define MAX_ECHO 4096
/* Room for the largest message the engine builds except an error echo. */
#define MAX_REPLY 512
#define MAX_FREE_CHUNKS 4

#define HANDLE_INDEX_BITS 20
#define HANDLE_GEN_MASK 0xfffu

/* ------------------------------------------------------------ out queue */

static struct out_chunk *out_new_chunk(struct aionl_engine *e)
{
	struct out_chunk *c = e->out_free;

	if (c) {
		e->out_free = c->next;
		e->nfree--;
	} else {
		c = malloc(sizeof(*c));
	}
	if (!c)
		return NULL;
	c->next = NULL;
	c->serial = ++e->next_serial;
	c->len = 0;
	c->count = 0;
	if (e->out_tail)
		e->out_tail->next = c;
	else
		e->out_head = c;
	e->out_tail = c;
	return c;
}

/*
 * A buffer of at least need bytes at the end of the out queue. Returns NULL
 * only when memory is exhausted, which the engine treats as fatal for the
 * session: it cannot keep its no-loss promise without memory.
 */
static char *out_reserve(struct aionl_engine *e, size_t need)
{
	struct out_chunk *c = e->out_tail;

	if (!c || sizeof(c->data) - c->len < need)
		c = out_new_chunk(e);
	if (!c) {
		e->peer_gone = true;
		return NULL;
	}
	return c->data + c->len;
}

static void out_commit(struct aionl_engine *e, const struct nlmsghdr *nlh, bool completion)
{
	e->out_tail->len += NLMSG_ALIGN(nlh->nlmsg_len);
	if (completion) {
		e->out_tail->count++;
		e->backlog++;
	}
}

static void out_drop_all(struct aionl_engine *e)
{
	struct out_chunk *c, *n;

	for (c = e->out_head; c; c = n) {
		n = c->next;
		free(c);
	}
	e->out_head = e->out_tail = NULL;
	e->backlog = 0;
}

static void out_flush(struct aionl_engine *e)
{
	while (e->out_head && e->out_head->len) {
		struct out_chunk *c = e->out_head;
		ssize_t n = send(e->sock, c->data, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			/* EPIPE, ECONNRESET: nobody is left to read them. */
			e->peer_gone = true;
			out_drop_all(e);
			return;
		}
		e->backlog -= c->count;
		e->out_head = c->next;
		if (!e->out_head)
			e->out_tail = NULL;
		if (e->nfree >= MAX_FREE_CHUNKS) {
			free(c);
			continue;
		}
		c->next = e->out_free;
		e->out_free = c;
		e->nfree++;
	}
}

int64_t *engine_put_completion(struct aionl_engine *e, const struct aionl_completion *m,
			       uint64_t *serial, uint32_t *off)
{
	char *buf = out_reserve(e, MAX_REPLY);
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	int64_t *res = NULL;

	if (!buf)
		return NULL;
	nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION,
			       AIONL_FAMILY_VERSION);
	aionl_completion_put(nlh, MAX_REPLY, m);
	if (serial) {
		mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
			if (mnl_attr_get_type(a) == AIONL_A_COMPLETION_RES) {
				res = mnl_attr_get_payload(a);
				*serial = e->out_tail->serial;
				*off = (uint32_t)((char *)res - e->out_tail->data);
			}
		}
	}
	out_commit(e, nlh, true);
	return res;
}

/* The res of a completion queued earlier, if its chunk has not been sent. */
int64_t *engine_completion_res(struct aionl_engine *e, uint64_t serial, uint32_t off)
{
	struct out_chunk *c;

	for (c = e->out_head; c; c = c->next)
		if (c->serial == serial)
			return (int64_t *)(c->data + off);
	return NULL;
}

static void put_completion(struct aionl_engine *e, uint64_t cookie, int64_t res)
{
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK,
		.cookie = cookie,
		.res = res,
	};

	engine_put_completion(e, &m, NULL, NULL);
}

/* NLMSG_ERROR for req: as the kernel's netlink_ack() builds it with extended ACK. */
static void put_error(struct aionl_engine *e, const struct nlmsghdr *req, size_t req_len,
		      int err, const struct aionl_parse_err *pe)
{
	size_t echo = err ? req_len : sizeof(*req);
	bool capped = echo > MAX_ECHO;
	struct nlmsghdr *nlh;
	struct nlmsgerr *me;
	char *buf;

	if (capped)
		echo = sizeof(*req);
	buf = out_reserve(e, NLMSG_HDRLEN + sizeof(int) + NLMSG_ALIGN(echo) + MAX_REPLY);
	if (!buf)
		return;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	me = mnl_nlmsg_put_extra_header(nlh, sizeof(int) + NLMSG_ALIGN(echo));
	me->error = err;
	memcpy(&me->msg, req, echo);
	if (echo >= sizeof(*req))
		me->msg.nlmsg_len = req->nlmsg_len;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (err && pe && pe->msg) {
		size_t room = NLMSG_HDRLEN + sizeof(int) + NLMSG_ALIGN(echo) + MAX_REPLY;

		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz_check(nlh, room, NLMSGERR_ATTR_MSG, pe->msg);
		if (pe->offset)
			mnl_attr_put_u32_check(nlh, room, NLMSGERR_ATTR_OFFS, pe->offset);
		else if (pe->attr)
			mnl_attr_put_u32_check(nlh, room, NLMSGERR_ATTR_MISS_TYPE, pe->attr);
	}
	out_commit(e, nlh, false);
}

/* ------------------------------------------------------------ file table */

void engine_file_put(struct eng_file *f)
{
	if (--f->refs == 0) {
		close(f->fd);
		free(f);
	}
}

struct eng_file *engine_file_lookup(struct aionl_engine *e, uint64_t handle)
{
	uint32_t idx = handle & ((1u << HANDLE_INDEX_BITS) - 1);
	uint32_t gen = (handle >> HANDLE_INDEX_BITS) & HANDLE_GEN_MASK;

	if ((uint32_t)(handle >> 32) != e->tag || idx >= e->nslots)
		return NULL;
	if (!e->slots[idx].file || e->slots[idx].gen != gen)
		return NULL;
	return e->slots[idx].file;
}

static int file_add(struct aionl_engine *e, int fd, uint64_t *handle)
{
	struct eng_file *f;
	struct stat st;
	uint32_t idx;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (e->nfiles >= AIONL_MAX_FILES)
		return -EMFILE;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	pthread_rwlock_wrlock(&e->files_lock);
	if (e->free_head == UINT32_MAX && e->nslots == e->cap_slots) {
		uint32_t cap = e->cap_slots ? e->cap_slots * 2 : 64;
		struct eng_slot *s = realloc(e->slots, cap * sizeof(*s));

		if (!s) {
			pthread_rwlock_unlock(&e->files_lock);
			free(f);
			return -ENOMEM;
		}
		e->slots = s;
		e->cap_slots = cap;
	}
	f->fd = fd;
	f->refs = 1;
	f->readable = (fl & O_ACCMODE) != O_WRONLY && !(fl & O_PATH);
	f->writable = (fl & O_ACCMODE) != O_RDONLY && !(fl & O_PATH);
	/* Offsets mean nothing on pipes and sockets: refuse I/O there, as pread does. */
	f->seekable = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
	/*
	 * A non-blocking read of an O_DIRECT file still waits for the device:
	 * RWF_NOWAIT only refuses to wait for locks and page-cache misses. So
	 * such files never take the inline paths, which must not block.
	 */
	atomic_init(&f->nowait_ok, !(fl & O_DIRECT));
	if (e->free_head != UINT32_MAX) {
		idx = e->free_head;
		e->free_head = e->slots[idx].next_free;
	} else {
		idx = e->nslots++;
		e->slots[idx].gen = 0;
	}
	e->slots[idx].file = f;
	e->nfiles++;
	*handle = (uint64_t)e->tag << 32 | (uint64_t)e->slots[idx].gen << HANDLE_INDEX_BITS | idx;
	pthread_rwlock_unlock(&e->files_lock);
	return 0;
}

static int file_remove(struct aionl_engine *e, uint64_t handle)
{
	struct eng_file *f = engine_file_lookup(e, handle);
	uint32_t idx = handle & ((1u << HANDLE_INDEX_BITS) - 1);

	if (!f)
		return -EBADF;
	pthread_rwlock_wrlock(&e->files_lock);
	e->slots[idx].file = NULL;
	e->slots[idx].gen = (e->slots[idx].gen + 1) & HANDLE_GEN_MASK;
	e->slots[idx].next_free = e->free_head;
	e->free_head = idx;
	e->nfiles--;
	engine_file_put(f);	/* may close: no inline reader can hold f now */
	pthread_rwlock_unlock(&e->files_lock);
	return 0;
}

void aionl_engine_inline_begin(struct aionl_engine *e)
{
	pthread_rwlock_rdlock(&e->files_lock);
}

void aionl_engine_inline_end(struct aionl_engine *e)
{
	pthread_rwlock_unlock(&e->files_lock);
}

int aionl_engine_try_read(struct aionl_engine *e, uint64_t handle, const struct iovec *iov,
			  unsigned int nr_iov, uint64_t offset, int64_t *res)
{
	struct eng_file *f = engine_file_lookup(e, handle);

	if (!f || !f->readable || !f->seekable ||
	    !atomic_load_explicit(&f->nowait_ok, memory_order_relaxed))
		return 0;
	return aionl__nowait_read(f->fd, iov, nr_iov, offset, res);
}

int aionl_engine_socket(const struct aionl_engine *e)
{
	return e->sock;
}

/* ------------------------------------------------------------ requests */

static struct eng_req *req_alloc(struct aionl_engine *e)
{
	struct eng_req *r = e->req_free;

	if (r)
		e->req_free = r->next;
	else
		r = malloc(sizeof(*r));
	return r;
}

void engine_complete(struct aionl_engine *e, struct eng_req *r, int64_t res)
{
	e->work++;
	if (r->deadline.heap_idx != EV_NOT_ARMED)
		events_deadline_disarm(e, r);
	if (r->timed_out && (res == -ECANCELED || res == -EINTR))
		res = -ETIMEDOUT;
	if (r->aprev)
		r->aprev->anext = r->anext;
	else
		e->active = r->anext;
	if (r->anext)
		r->anext->aprev = r->aprev;
	if (!e->peer_gone)
		put_completion(e, r->cookie, res);
	engine_file_put(r->file);
	if (r->iov != r->iov_inline)
		free(r->iov);
	e->inflight--;
	r->next = e->req_free;
	e->req_free = r;
}

/*
 * Check an I/O request against its file and the limits, as the kernel's
 * rw_verify_area() would; on failure the request completes with the error.
 */
static int io_start(struct aionl_engine *e, uint8_t op, uint64_t cookie, uint64_t handle,
		    uint64_t offset, const struct iovec *iov, uint32_t nr_iov, uint64_t timeout_ns)
{
	struct eng_file *f = engine_file_lookup(e, handle);
	bool is_read = op == AIONL_OP_READ || op == AIONL_OP_READV;
	bool is_rw = op != AIONL_OP_FSYNC && op != AIONL_OP_FDATASYNC;
	uint64_t total = 0;
	struct eng_req *r;
	uint32_t i;
	int err = 0;

	if (!f) {
		err = -EBADF;
	} else if (is_rw) {
		for (i = 0; i < nr_iov; i++) {
			if (iov[i].iov_len > AIONL_MAX_IO_LEN)
				total = UINT64_MAX;
			else
				total += iov[i].iov_len;
		}
		bool stream = offset == AIONL_OFFSET_STREAM;

		if (is_read ? !f->readable : !f->writable)
			err = -EBADF;
		else if (!f->seekable && !stream)
			err = -ESPIPE;
		else if (nr_iov == 0 || nr_iov > AIONL_MAX_IOV || total > AIONL_MAX_IO_LEN ||
			 (stream ? f->seekable : offset > (uint64_t)INT64_MAX ||
				   total > (uint64_t)INT64_MAX - offset))
			err = -EINVAL;
		else if (stream)
			/* Pipes and sockets: the engine waits for readiness itself. */
			err = events_stream_start(e, op, cookie, f, iov, nr_iov, timeout_ns);
		if (stream && !err)
			return 0;
	}
	if (!err && !(r = req_alloc(e)))
		err = -ENOMEM;
	if (err) {
		put_completion(e, cookie, err);
		return 0;
	}
	r->cookie = cookie;
	r->file = f;
	f->refs++;
	r->offset = offset;
	r->op = op;
	r->nr_iov = is_rw ? nr_iov : 0;
	r->iov = r->iov_inline;
	if (nr_iov > 1) {
		r->iov = malloc(nr_iov * sizeof(*iov));
		if (!r->iov) {
			r->iov = r->iov_inline;
			r->next = e->req_free;
			e->req_free = r;
			engine_file_put(f);
			put_completion(e, cookie, -ENOMEM);
			return 0;
		}
	}
	if (is_rw)
		memcpy(r->iov, iov, nr_iov * sizeof(*iov));
	r->timed_out = false;
	r->deadline.heap_idx = EV_NOT_ARMED;
	r->aprev = NULL;
	r->anext = e->active;
	if (e->active)
		e->active->aprev = r;
	e->active = r;
	if (timeout_ns && is_rw)
		events_deadline_arm(e, r, timeout_ns);
	e->inflight++;
	e->exec->queue(e, r);
	return 0;
}

/* The wire's iovec layout is {u64 base, u64 len}: struct iovec on LP64. */
_Static_assert(sizeof(struct iovec) == 16, "iovec is not {u64, u64}");

static int do_io(struct aionl_engine *e, const struct nlmsghdr *nlh, uint8_t cmd,
		 struct aionl_parse_err *pe)
{
	union {
		struct aionl_read rd;
		struct aionl_write wr;
		struct aionl_readv rv;
		struct aionl_writev wv;
		struct aionl_fsync fs;
		struct aionl_fdatasync fds;
	} m;
	struct iovec one;
	int err;

	switch (cmd) {
	case AIONL_CMD_READ:
		if ((err = aionl_read_parse(nlh, &m.rd, pe)))
			return err;
		one = (struct iovec){ (void *)(uintptr_t)m.rd.addr, m.rd.len };
		if (m.rd.len > AIONL_MAX_IO_LEN)
			one.iov_len = SIZE_MAX;
		return io_start(e, AIONL_OP_READ, m.rd.cookie, m.rd.handle, m.rd.offset, &one, 1,
				m.rd.timeout_ns);
	case AIONL_CMD_WRITE:
		if ((err = aionl_write_parse(nlh, &m.wr, pe)))
			return err;
		one = (struct iovec){ (void *)(uintptr_t)m.wr.addr, m.wr.len };
		if (m.wr.len > AIONL_MAX_IO_LEN)
			one.iov_len = SIZE_MAX;
		return io_start(e, AIONL_OP_WRITE, m.wr.cookie, m.wr.handle, m.wr.offset, &one, 1,
				m.wr.timeout_ns);
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV: {
		/* Readv and Writev share one layout; parse as the command says. */
		struct aionl_readv *v = &m.rv;
		uint32_t nr;

		err = cmd == AIONL_CMD_READV ? aionl_readv_parse(nlh, &m.rv, pe)
					     : aionl_writev_parse(nlh, &m.wv, pe);
		if (err)
			return err;
		if (cmd == AIONL_CMD_WRITEV)
			v = (struct aionl_readv *)&m.wv;
		nr = v->iov_len % sizeof(struct iovec) ? 0 : v->iov_len / sizeof(struct iovec);
		if (nr > AIONL_MAX_IOV)
			nr = 0;
		{
			/* Copy out: the attribute payload is only 4-byte aligned. */
			struct iovec iov[nr ? nr : 1];

			memcpy(iov, v->iov, nr * sizeof(struct iovec));
			return io_start(e, cmd == AIONL_CMD_READV ? AIONL_OP_READV : AIONL_OP_WRITEV,
					v->cookie, v->handle, v->offset, iov, nr, v->timeout_ns);
		}
	}
	case AIONL_CMD_FSYNC:
		if ((err = aionl_fsync_parse(nlh, &m.fs, pe)))
			return err;
		return io_start(e, AIONL_OP_FSYNC, m.fs.cookie, m.fs.handle, 0, NULL, 0, 0);
	case AIONL_CMD_FDATASYNC:
		if ((err = aionl_fdatasync_parse(nlh, &m.fds, pe)))
			return err;
		return io_start(e, AIONL_OP_FDATASYNC, m.fds.cookie, m.fds.handle, 0, NULL, 0, 0);
	}
	return -EOPNOTSUPP;
}

static char *reply_start(struct aionl_engine *e, const struct nlmsghdr *req, uint8_t cmd,
			 struct nlmsghdr **nlhp)
{
	char *buf = out_reserve(e, MAX_REPLY);

	if (buf)
		*nlhp = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, req->nlmsg_seq, cmd,
					 AIONL_FAMILY_VERSION);
	return buf;
}

static int do_get_info(struct aionl_engine *e, const struct nlmsghdr *nlh,
		       struct aionl_parse_err *pe)
{
	struct aionl_get_info req;
	struct aionl_get_info_reply m = {
		.present = AIONL_GET_INFO_REPLY_REQUIRED_MASK,
		.version = AIONL_FAMILY_VERSION,
		.backend = "user",
		.executor = e->exec == &aionl_exec_uring ? AIONL_EXECUTOR_URING : AIONL_EXECUTOR_THREADS,
		.max_inflight = e->params.max_inflight,
		.max_files = AIONL_MAX_FILES,
		.max_io_len = AIONL_MAX_IO_LEN,
		.max_iov = AIONL_MAX_IOV,
		.max_msg_size = AIONL_MAX_MSG_SIZE,
	};
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_get_info_parse(nlh, &req, pe)))
		return err;
	if (e->exec == &aionl_exec_threads) {
		m.present |= 1ULL << AIONL_A_GET_INFO_REPLY_WORKERS;
		m.workers = e->params.workers;
	}
	if (!reply_start(e, nlh, AIONL_CMD_GET_INFO, &out))
		return -ENOMEM;
	aionl_get_info_reply_put(out, MAX_REPLY, &m);
	out_commit(e, out, false);
	return 0;
}

static int do_register(struct aionl_engine *e, const struct nlmsghdr *nlh,
		       struct aionl_parse_err *pe, int *fds, int nfds, int *next_fd)
{
	struct aionl_register req;
	struct aionl_register_reply m = { .present = 1ULL << AIONL_A_REGISTER_REPLY_RES };
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_register_parse(nlh, &req, pe)))
		return err;
	if (*next_fd >= nfds) {
		m.res = -EBADF;		/* no descriptor came with this REGISTER */
	} else {
		int fd = fds[(*next_fd)++];

		m.res = file_add(e, fd, &m.handle);
		if (m.res)
			close(fd);
		else
			m.present |= 1ULL << AIONL_A_REGISTER_REPLY_HANDLE;
	}
	if (!reply_start(e, nlh, AIONL_CMD_REGISTER, &out))
		return -ENOMEM;
	aionl_register_reply_put(out, MAX_REPLY, &m);
	out_commit(e, out, false);
	return 0;
}

static int do_unregister(struct aionl_engine *e, const struct nlmsghdr *nlh,
			 struct aionl_parse_err *pe)
{
	struct aionl_unregister req;
	struct aionl_unregister_reply m = { .present = AIONL_UNREGISTER_REPLY_REQUIRED_MASK };
	struct nlmsghdr *out;
	int err;

	if ((err = aionl_unregister_parse(nlh, &req, pe)))
		return err;
	m.res = file_remove(e, req.handle);
	if (!reply_start(e, nlh, AIONL_CMD_UNREGISTER, &out))
		return -ENOMEM;
	aionl_unregister_reply_put(out, MAX_REPLY, &m);
	out_commit(e, out, false);
	return 0;
}

/* The part of nlctrl the library uses: CTRL_CMD_GETFAMILY by name. */
static int do_ctrl(struct aionl_engine *e, const struct nlmsghdr *nlh,
		   struct aionl_parse_err *pe)
{
	const struct genlmsghdr *g = aionl__genl_hdr(nlh);
	const struct nlattr *a, *name = NULL;
	struct nlmsghdr *out;
	char *buf;

	if (g->cmd != CTRL_CMD_GETFAMILY)
		return -EOPNOTSUPP;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			name = a;
	}
	if (!name) {
		pe->msg = "missing attribute CTRL_ATTR_FAMILY_NAME";
		pe->attr = CTRL_ATTR_FAMILY_NAME;
		return -EINVAL;
	}
	if (mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0 ||
	    strcmp(mnl_attr_get_str(name), AIONL_FAMILY_NAME) != 0)
		return -ENOENT;
	buf = out_reserve(e, MAX_REPLY);
	if (!buf)
		return -ENOMEM;
	out = aionl__msg_start(buf, GENL_ID_CTRL, 0, nlh->nlmsg_seq, CTRL_CMD_NEWFAMILY, 2);
	mnl_attr_put_strz(out, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	mnl_attr_put_u16(out, CTRL_ATTR_FAMILY_ID, AIONL_USER_FAMILY_ID);
	mnl_attr_put_u32(out, CTRL_ATTR_VERSION, AIONL_FAMILY_VERSION);
	mnl_attr_put_u32(out, CTRL_ATTR_HDRSIZE, 0);
	mnl_attr_put_u32(out, CTRL_ATTR_MAXATTR, 0);
	out_commit(e, out, false);
	return 0;
}

static void handle_msg(struct aionl_engine *e, const struct nlmsghdr *nlh, int *fds, int nfds,
		       int *next_fd)
{
	struct aionl_parse_err pe = { 0 };
	int err;

	/* As netlink_rcv_skb(): only requests are processed, others just acked. */
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		if (nlh->nlmsg_flags & NLM_F_ACK)
			put_error(e, nlh, nlh->nlmsg_len, 0, NULL);
		return;
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		pe.msg = "message too short for a genlmsghdr";
		err = -EINVAL;
	} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
		err = do_ctrl(e, nlh, &pe);
	} else if (nlh->nlmsg_type != AIONL_USER_FAMILY_ID) {
		pe.msg = "unknown generic netlink family";
		err = -ENOENT;
	} else {
		uint8_t cmd = aionl__genl_hdr(nlh)->cmd;

		switch (cmd) {
		case AIONL_CMD_GET_INFO:
			err = do_get_info(e, nlh, &pe);
			break;
		case AIONL_CMD_REGISTER:
			err = do_register(e, nlh, &pe, fds, nfds, next_fd);
			break;
		case AIONL_CMD_UNREGISTER:
			err = do_unregister(e, nlh, &pe);
			break;
		case AIONL_CMD_READ ... AIONL_CMD_FDATASYNC:
			err = do_io(e, nlh, cmd, &pe);
			break;
		case AIONL_CMD_NOP ... AIONL_CMD_CANCEL:
			err = events_request(e, nlh, cmd, &pe);
			break;
		default:
			pe.msg = "unknown command";
			err = -EOPNOTSUPP;
		}
	}
	if (err || (nlh->nlmsg_flags & NLM_F_ACK))
		put_error(e, nlh, nlh->nlmsg_len, err, &pe);
}

static void handle_datagram(struct aionl_engine *e, char *buf, size_t len, bool truncated,
			    int *fds, int nfds)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	struct aionl_parse_err pe = { 0 };
	size_t rem = len;
	int next_fd = 0;

	if (truncated) {
		pe.msg = "datagram larger than the engine's maximum message size";
		put_error(e, nlh, sizeof(*nlh), -EMSGSIZE, &pe);
		rem = 0;
	}
	while (rem) {
		if (rem < sizeof(*nlh) || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem) {
			struct nlmsghdr hdr = { 0 };

			memcpy(&hdr, nlh, rem < sizeof(hdr) ? rem : sizeof(hdr));
			pe.msg = "truncated message";
			put_error(e, &hdr, sizeof(hdr), -EINVAL, &pe);
			break;
		}
		handle_msg(e, nlh, fds, nfds, &next_fd);
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= rem)
			break;
		rem -= NLMSG_ALIGN(nlh->nlmsg_len);
		nlh = (const struct nlmsghdr *)((const char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	}
	while (next_fd < nfds)
		close(fds[next_fd++]);
}

static bool can_accept(const struct aionl_engine *e)
{
	return !e->peer_gone && e->inflight + e->backlog < e->params.max_inflight;
}

static void read_requests(struct aionl_engine *e)
{
	int budget = 16;

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
				out_drop_all(e);
				return;
			}
			continue;
		}
		handle_datagram(e, e->rxbuf, n, mh.msg_flags & MSG_TRUNC, fds, nfds);
		e->work++;
	}
}

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
	bool cancelled_all = false;

	for (;;) {
		bool want_in, want_out, spin;
		uint64_t t = 0;
		int rev;

		out_flush(e);
		if (e->peer_gone && !cancelled_all) {
			/* Closing a context cancels everything it holds. */
			events_cancel_everything(e);
			cancelled_all = true;
		}
		if (e->peer_gone && e->inflight == 0)
			break;
		want_in = can_accept(e);
		want_out = !e->peer_gone && e->out_head && e->out_head->len;
		/*
		 * Right after work, more usually follows within microseconds:
		 * polling for it then costs less than a sleep and a wake-up.
		 */
		if (e->params.spin_ns) {
			t = now_ns();
			if (e->work != seen) {
				seen = e->work;
				last_work = t;
			}
		}
		spin = e->params.spin_ns && t - last_work < e->params.spin_ns &&
		       e->inflight <= AIONL_SPIN_MAX_OUTSTANDING;
		e->events_ready = false;
		rev = e->exec->wait(e, want_in, want_out, !spin);
		if (e->events_ready)
			events_dispatch(e);
		if (rev & (POLLIN | POLLHUP | POLLERR))
			read_requests(e);
	}
	return NULL;
}

static void engine_free(struct aionl_engine *e)
{
	struct out_chunk *c;
	struct eng_req *r;
	uint32_t i;

	events_fini(e);
	for (i = 0; i < e->nslots; i++)
		if (e->slots[i].file)
			engine_file_put(e->slots[i].file);
	free(e->slots);
	out_drop_all(e);
	while ((c = e->out_free)) {
		e->out_free = c->next;
		free(c);
	}
	while ((r = e->req_free)) {
		e->req_free = r->next;
		free(r);
	}
	free(e->rxbuf);
	close(e->sock);
	pthread_rwlock_destroy(&e->files_lock);
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
	e->params = *params;
	e->free_head = UINT32_MAX;
	pthread_rwlock_init(&e->files_lock, NULL);
	e->rxbuf = malloc(AIONL_MAX_MSG_SIZE);
	while (!e->tag) {
		if (getrandom(&e->tag, sizeof(e->tag), 0) != sizeof(e->tag))
			e->tag = (uint32_t)(uintptr_t)e ^ (uint32_t)getpid();
	}
	e->exec = params->executor == AIONL_EXEC_URING ? &aionl_exec_uring : &aionl_exec_threads;
	if (!e->rxbuf || events_init(e)) {
		engine_free(e);
		return aionl__fail(-ENOMEM, "out of memory for the engine");
	}
	/* Signals are the program's: none is ever delivered to engine threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = e->exec->init(e);
	if (err) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		engine_free(e);
		return err;
	}
	err = pthread_create(&e->thread, NULL, engine_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		e->exec->fini(e);
		engine_free(e);
		return aionl__fail(-err, "cannot start the engine thread");
	}
	*ep = e;
	return 0;
}

void aionl_engine_join(struct aionl_engine *e)
{
	pthread_join(e->thread, NULL);
	e->exec->fini(e);
	engine_free(e);
}
