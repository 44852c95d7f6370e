// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the user engine's request handling (src/engine), fed whole
 * datagrams, with or without descriptors attached, on its SOCK_SEQPACKET
 * socket, as the library would send them.
 *
 * Each input starts an engine of its own (aionl_engine_start, as the user
 * backend does), sends it the datagrams, drains and checks what comes back,
 * closes the program's end and joins the engine. It must never crash or
 * hang, every datagram it sends must be well formed, and once joined it must
 * have left no descriptor open (LeakSanitizer sees to its memory).
 *
 * Input:
 *   config byte: bit 0 the threads executor (else io_uring); bits 1-2
 *     max_inflight 4, 16, 64 or 4096; bit 3 put 512 bytes in the pipe
 *     first; bit 4 close without waiting for the engine to go through
 *     everything; bit 5 one worker (else 2); bit 6 the engine busy-polls.
 *   then datagrams, each:
 *     spec byte: bits 0-2 how many descriptors ride along as SCM_RIGHTS;
 *       bit 3 also 70 of /dev/null, more than the engine takes; bit 4 pad
 *       the datagram past AIONL_MAX_MSG_SIZE with zeros; after sending it,
 *       bit 5 read nothing for 5 ms, so the engine's socket may fill and
 *       its out queue hold completions; bit 6 write 256 bytes into the pipe
 *       and the socket; bit 7 read what they hold, as another reader of
 *       them would;
 *     one byte per descriptor, its kind (enum fd_kind, modulo 8);
 *     u16 length, then that many bytes (fewer if the input ends).
 *
 * Addresses and handles are the program's own, which an input cannot know,
 * so before a datagram goes out every buffer address of a READ, WRITE,
 * READV, WRITEV or STATX is folded into the scratch buffer (fuzz.h), and
 * every handle whose top 32 bits are 0 gets this engine's tag there: the Nth
 * file a fresh engine registers is handle N. A FALLOCATE's range, and a
 * COPY's offsets, are folded into the first MiB of the file, so that no
 * input fills the disk (a COPY then moves at most what its source holds).
 * Nothing else is changed.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "engine.h"

enum fd_kind {
	FD_TMP_RW,	/* a regular file, read-write */
	FD_TMP_RO,	/* the same file, read-only */
	FD_PIPE_R,	/* this input's pipe: its read end */
	FD_PIPE_W,	/* and its write end */
	FD_DEVNULL,	/* /dev/null, read-write */
	FD_SOCK,	/* a connected AF_UNIX stream socket */
	FD_OPATH,	/* an O_PATH descriptor of the file */
	FD_PEER,	/* the program's end of the engine's own socket */
	FD_KINDS
};

#define MAX_FDS 7
#define MANY_FDS 70
#define SENTINEL_COOKIE 0x5e27196e15e27196ULL
#define SENTINEL_SEQ 0x5e27196eU

static struct {
	int tmp_rw, tmp_ro, devnull, opath;
	char *rxbuf;
	char filedata[8192];
} g;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[512];

	(void)argc;
	(void)argv;
	g.tmp_rw = fz_tmpfile(path, sizeof(path));
	g.tmp_ro = open(path, O_RDONLY | O_CLOEXEC);
	g.opath = open(path, O_PATH | O_CLOEXEC);
	unlink(path);
	g.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (g.tmp_ro < 0 || g.opath < 0 || g.devnull < 0)
		fz_fail("cannot open the test files: %s", strerror(errno));
	/* One byte more than the engine may send, to see if it does. */
	g.rxbuf = malloc(AIONL_MAX_MSG_SIZE + 1);
	for (size_t i = 0; i < sizeof(g.filedata); i++)
		g.filedata[i] = (char)(i * 131 + 7);
	fz_scratch();
	return 0;
}

/* ------------------------------------------------------------ fix-ups */

static void fix_handle(struct nlattr *a, uint32_t tag)
{
	uint64_t v;

	if (mnl_attr_get_payload_len(a) != sizeof(v))
		return;
	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	if (v >> 32)
		return;
	v |= (uint64_t)tag << 32;
	memcpy(mnl_attr_get_payload(a), &v, sizeof(v));
}

static void fix_addr(void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	v = fz_fold_addr(v);
	memcpy(p, &v, sizeof(v));
}

/*
 * A FALLOCATE's offset or length, or a COPY's offsets, into the first MiB;
 * 0 and past AIONL_MAX_OFFSET stay invalid.
 */
static void fix_range(struct nlattr *a)
{
	uint64_t v;

	if (mnl_attr_get_payload_len(a) != sizeof(v))
		return;
	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	if (v && v <= AIONL_MAX_OFFSET)
		v %= 1 << 20;
	memcpy(mnl_attr_get_payload(a), &v, sizeof(v));
}

static void fix_msg(struct nlmsghdr *nlh, uint32_t tag)
{
	uint8_t cmd = aionl__genl_hdr(nlh)->cmd;
	bool by_handle = false;
	struct nlattr *a;

	if (cmd == AIONL_CMD_CANCEL) {
		aionl_attr_for_each(a, nlh)
			if (mnl_attr_get_type(a) == AIONL_A_CANCEL_FLAGS &&
			    mnl_attr_get_payload_len(a) == 4)
				by_handle = mnl_attr_get_u32(a) & AIONL_CANCEL_HANDLE;
	}
	aionl_attr_for_each(a, nlh) {
		uint16_t type = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);

		switch (cmd) {
		case AIONL_CMD_READ:
		case AIONL_CMD_WRITE:
			if (type == AIONL_A_TRANSFER_ADDR && len == 8)
				fix_addr(mnl_attr_get_payload(a));
			else if (type == AIONL_A_TRANSFER_HANDLE)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_READV:
		case AIONL_CMD_WRITEV:
			if (type == AIONL_A_TRANSFER_V_IOV) {
				for (uint16_t off = 0; off + 16 <= len; off += 16)
					fix_addr((char *)mnl_attr_get_payload(a) + off);
			} else if (type == AIONL_A_TRANSFER_V_HANDLE) {
				fix_handle(a, tag);
			}
			break;
		case AIONL_CMD_FSYNC:
		case AIONL_CMD_FDATASYNC:
			if (type == AIONL_A_SYNC_HANDLE)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_POLL:
			if (type == AIONL_A_POLL_HANDLE)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_UNREGISTER:
			if (type == AIONL_A_UNREGISTER_HANDLE)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_CANCEL:
			if (type == AIONL_A_CANCEL_TARGET && by_handle)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_FALLOCATE:
			if (type == AIONL_A_FALLOCATE_HANDLE)
				fix_handle(a, tag);
			else if (type == AIONL_A_FALLOCATE_OFFSET || type == AIONL_A_FALLOCATE_LEN)
				fix_range(a);
			break;
		case AIONL_CMD_STATX:
			if (type == AIONL_A_STATX_ADDR && len == 8)
				fix_addr(mnl_attr_get_payload(a));
			else if (type == AIONL_A_STATX_HANDLE)
				fix_handle(a, tag);
			break;
		case AIONL_CMD_COPY:
			if (type == AIONL_A_COPY_HANDLE || type == AIONL_A_COPY_DST_HANDLE)
				fix_handle(a, tag);
			else if (type == AIONL_A_COPY_OFFSET || type == AIONL_A_COPY_DST_OFFSET)
				fix_range(a);
			break;
		}
	}
}

/* Walk the datagram's messages as the engine's handle_datagram() does. */
static void fixup(char *buf, size_t len, uint32_t tag)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t rem = len;

	while (rem >= sizeof(*nlh) && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= rem) {
		if (nlh->nlmsg_type == AIONL_USER_FAMILY_ID &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN)
			fix_msg(nlh, tag);
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= rem)
			break;
		rem -= NLMSG_ALIGN(nlh->nlmsg_len);
		nlh = (struct nlmsghdr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	}
}

/* ------------------------------------------------------------ what comes back */

struct session {
	int sock;		/* the program's end */
	bool sentinel_seen;
	uint64_t deadline;
};

/* Everything the engine sends is a well-formed message the library can read. */
static void check_reply(const char *buf, size_t len, struct session *s)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t rem = len;

	for (; aionl__nlmsg_ok(nlh, rem); nlh = aionl__nlmsg_next(nlh, &rem)) {
		struct aionl_parse_err pe = { 0 };
		union {
			struct aionl_completion c;
			struct aionl_get_info_reply gi;
			struct aionl_register_reply r;
			struct aionl_unregister_reply u;
			struct aionl_install_reply i;
		} m;
		int err = 0;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
				fz_fail("engine sent a %u-byte NLMSG_ERROR", nlh->nlmsg_len);
			/*
			 * A full engine refuses the sentinel (-EBUSY, max_inflight
			 * reached by armed watches): answered all the same, so
			 * everything before it was handled.
			 */
			if (nlh->nlmsg_seq == SENTINEL_SEQ)
				s->sentinel_seen = true;
			if (fz_verbose())
				fprintf(stderr, "engine: error %d, seq %u\n",
					((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error,
					nlh->nlmsg_seq);
			continue;
		}
		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			fz_fail("engine sent a %u-byte message of type %u", nlh->nlmsg_len,
				nlh->nlmsg_type);
		if (nlh->nlmsg_type == GENL_ID_CTRL)
			continue;
		if (nlh->nlmsg_type != AIONL_USER_FAMILY_ID)
			fz_fail("engine sent a message of type %u", nlh->nlmsg_type);
		switch (aionl__genl_hdr(nlh)->cmd) {
		case AIONL_CMD_COMPLETION:
			err = aionl_completion_parse(nlh, &m.c, &pe);
			if (!err && m.c.cookie == SENTINEL_COOKIE)
				s->sentinel_seen = true;
			break;
		case AIONL_CMD_GET_INFO:
			err = aionl_get_info_reply_parse(nlh, &m.gi, &pe);
			break;
		case AIONL_CMD_REGISTER:
			err = aionl_register_reply_parse(nlh, &m.r, &pe);
			break;
		case AIONL_CMD_UNREGISTER:
			err = aionl_unregister_reply_parse(nlh, &m.u, &pe);
			break;
		case AIONL_CMD_INSTALL:
			err = aionl_install_reply_parse(nlh, &m.i, &pe);
			break;
		default:
			fz_fail("engine sent command %u", aionl__genl_hdr(nlh)->cmd);
		}
		if (err)
			fz_fail("engine sent a command %u the library cannot parse: %s",
				aionl__genl_hdr(nlh)->cmd, pe.msg);
		if (fz_verbose() && aionl__genl_hdr(nlh)->cmd == AIONL_CMD_COMPLETION)
			fprintf(stderr, "engine: completion %#llx res %lld flags %#x\n",
				(unsigned long long)m.c.cookie, (long long)m.c.res, m.c.flags);
		else if (fz_verbose())
			fprintf(stderr, "engine: reply to command %u, seq %u\n",
				aionl__genl_hdr(nlh)->cmd, nlh->nlmsg_seq);
	}
	if (rem)
		fz_fail("engine sent %zu bytes that are no message", rem);
}

/* Take and check whatever the engine sent, without waiting. */
static void drain(struct session *s)
{
	for (;;) {
		ssize_t n = recv(s->sock, g.rxbuf, AIONL_MAX_MSG_SIZE + 1, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			fz_fail("recv from the engine: %s", strerror(errno));
		}
		if (n == 0)
			fz_fail("the engine closed its socket, or sent nothing");
		if (n > AIONL_MAX_MSG_SIZE)
			fz_fail("engine sent a %zd-byte datagram, over AIONL_MAX_MSG_SIZE", n);
		check_reply(g.rxbuf, (size_t)n, s);
	}
}

/* Wait until the socket is ready for events or the engine looks stuck. */
static void wait_for(struct session *s, short events, const char *what)
{
	struct pollfd p = { s->sock, events, 0 };

	if (fz_now_ns() > s->deadline)
		fz_fail("the engine is stuck: %s", what);
	poll(&p, 1, 10);
}

static void send_dgram(struct session *s, const void *buf, size_t len, const int *fds, int nfds)
{
	struct iovec iov = { (void *)buf, len };
	union {
		char buf[CMSG_SPACE((MAX_FDS + MANY_FDS) * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *cm;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	for (;;) {
		if (sendmsg(s->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return;
		if (errno != EAGAIN && errno != EINTR)
			fz_fail("sendmsg to the engine: %s", strerror(errno));
		/* Full: the engine reads again once its completions are taken. */
		drain(s);
		wait_for(s, POLLIN | POLLOUT, "it reads no more requests");
	}
}

/* A NOP after everything: once it completes, every datagram was handled. */
static void send_sentinel(struct session *s)
{
	char buf[128];
	struct nlmsghdr *nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST,
						SENTINEL_SEQ, AIONL_CMD_NOP, AIONL_FAMILY_VERSION);
	struct aionl_nop m = { .present = AIONL_NOP_REQUIRED_MASK, .cookie = SENTINEL_COOKIE };

	aionl_nop_put(nlh, sizeof(buf), &m);
	send_dgram(s, buf, nlh->nlmsg_len, NULL, 0);
	for (;;) {
		drain(s);
		if (s->sentinel_seen)
			return;
		wait_for(s, POLLIN, "a NOP never completes");
	}
}

/* ------------------------------------------------------------ one input */

static int start_engine(struct aionl_engine **e, int sv[2], uint8_t cfg)
{
	static const unsigned int inflight[] = { 4, 16, 64, 4096 };
	struct aionl_engine_params p = {
		.executor = cfg & 1 ? AIONL_EXEC_THREADS : AIONL_EXEC_URING,
		.max_inflight = inflight[cfg >> 1 & 3],
		.workers = cfg & 0x20 ? 1 : 2,
		.spin_ns = cfg & 0x40 ? 20000 : 0,
	};
	int err;

	for (;;) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			fz_fail("socketpair: %s", strerror(errno));
		p.peer = sv[0];
		err = aionl_engine_start(e, sv[1], &p);	/* takes sv[1], even on failure */
		if (!err)
			return 0;
		close(sv[0]);
		/* Where io_uring is not allowed, the worker pool. */
		if (p.executor != AIONL_EXEC_URING)
			fz_fail("aionl_engine_start: %s", aionl_error_message());
		p.executor = AIONL_EXEC_THREADS;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t cfg = fz_u8(&in);
	int fds_before = fz_count_fds();
	struct session s = { .deadline = fz_now_ns() + FZ_STUCK_NS };
	struct aionl_engine *e;
	int pipefd[2], us[2], sv[2];
	char sink[8192];

	/* The file starts each input the same: 8 KiB of a pattern. */
	if (ftruncate(g.tmp_rw, 0) || pwrite(g.tmp_rw, g.filedata, sizeof(g.filedata), 0) < 0)
		fz_fail("resetting the file: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, us))
		fz_fail("pipe or socketpair: %s", strerror(errno));
	if (cfg & 8 && write(pipefd[1], g.filedata, 512) != 512)
		fz_fail("filling the pipe: %s", strerror(errno));
	start_engine(&e, sv, cfg);
	s.sock = sv[0];

	while (in.n) {
		uint8_t spec = fz_u8(&in);
		int nfds = spec & 7, fds[MAX_FDS + MANY_FDS];
		const uint8_t *bytes;
		size_t len, total;
		char *buf;

		for (int i = 0; i < nfds; i++) {
			switch (fz_u8(&in) % FD_KINDS) {
			case FD_TMP_RW: fds[i] = g.tmp_rw; break;
			case FD_TMP_RO: fds[i] = g.tmp_ro; break;
			case FD_PIPE_R: fds[i] = pipefd[0]; break;
			case FD_PIPE_W: fds[i] = pipefd[1]; break;
			case FD_DEVNULL: fds[i] = g.devnull; break;
			case FD_SOCK: fds[i] = us[0]; break;
			case FD_OPATH: fds[i] = g.opath; break;
			default: fds[i] = sv[0]; break;
			}
		}
		if (spec & 8)
			while (nfds < MAX_FDS + MANY_FDS)
				fds[nfds++] = g.devnull;
		len = fz_bytes(&in, fz_u16(&in), &bytes);
		total = len + (spec & 0x10 ? AIONL_MAX_MSG_SIZE : 0);
		buf = calloc(1, total ? total : 1);
		memcpy(buf, bytes, len);
		fixup(buf, len, e->files.tag);
		send_dgram(&s, buf, total, fds, nfds);
		free(buf);
		if (spec & 0x40) {
			if (write(pipefd[1], g.filedata, 256) < 0 && errno != EAGAIN)
				fz_fail("writing the pipe: %s", strerror(errno));
			if (send(us[1], g.filedata, 256, MSG_DONTWAIT) < 0 && errno != EAGAIN)
				fz_fail("writing the socket: %s", strerror(errno));
		}
		if (spec & 0x80) {
			while (read(pipefd[0], sink, sizeof(sink)) > 0)
				;
			while (recv(us[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
				;
		}
		if (spec & 0x20)
			poll(NULL, 0, 5);
		else
			drain(&s);
	}
	if (!(cfg & 0x10))
		send_sentinel(&s);

	/* The program closes: the engine cancels what it holds and ends. */
	close(sv[0]);
	aionl_engine_join(e);
	close(pipefd[0]);
	close(pipefd[1]);
	close(us[0]);
	close(us[1]);
	if (fz_count_fds() != fds_before)
		fz_fail("%d descriptors open before, %d after", fds_before, fz_count_fds());
	return 0;
}
