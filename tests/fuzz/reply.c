// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the library's receiving side (src/lib/transport.c, reap.c,
 * cq.c, control.c): arbitrary datagrams arrive as if from the backend, while
 * the program reaps and makes control calls.
 *
 * The fuzzer plays the server: a context is made as aionl_ctx_open makes one
 * (aionl__ctx_alloc), but its socket is one end of a SOCK_SEQPACKET pair
 * whose other end the input writes to, and its backend_ops are this file's.
 *
 * Input:
 *   config byte: bit 0 REGISTER passes no descriptor (as on the kernel
 *     backend); bit 1 the family is the next u16 (else the user engine's);
 *     bit 2 a bell is rung already; bit 3 reaping busy-polls; bits 4-5
 *     max_inflight 2, 16, 256 or 4096;
 *   then records, each a tag byte:
 *     below 0x80: a datagram follows, u16 length and that many bytes, sent
 *       to the library's socket (dropped if it is full);
 *     else an operation, (tag - 0x80) modulo OPS (enum op), with its
 *       arguments from the input.
 *
 * The control calls wait for the reply with their sequence number, which
 * the library numbers 1, 2, 3... so an input can answer them; in case it
 * does not, a plain acknowledgement with that number follows what the
 * input sent (a late one is ignored, as for any reply nobody waits for).
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lib.h"

enum op {
	OP_REAP_NOWAIT,		/* u8 max */
	OP_REAP_ZERO_TIMEOUT,	/* u8 min_nr */
	OP_REAP_1MS,		/* u8 min_nr */
	OP_REAP_BLOCK,		/* u8 min_nr: without a timeout once the input sent EOF */
	OP_REGISTER,
	OP_UNREGISTER,		/* u64 handle */
	OP_GET_INFO,
	OP_RESOLVE_FAMILY,
	OP_WAKE,		/* u64 cookie */
	OP_EOF,			/* the server shuts its end for writing */
	OPS
};

#define MAX_CQES 64

static int server = -1;		/* the fuzzer's end */
static bool server_eof;		/* the fuzzer's end is shut for writing */
static int devnull = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		fz_fail("/dev/null: %s", strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ the backend */

static void fake_close(struct aionl_ctx *ctx)
{
	(void)ctx;
}

/* As the user engine rings: one NLMSG_NOOP from the server's end. */
static bool fake_ring(struct aionl_ctx *ctx)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };

	(void)ctx;
	return send(server, &nlh, sizeof(nlh), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(nlh);
}

static bool fake_is_bell(const struct aionl_ctx *ctx, const struct nlmsghdr *nlh)
{
	(void)ctx;
	return nlh->nlmsg_type == NLMSG_NOOP;
}

static const struct backend_ops ops_pass_fd = {
	.kind = AIONL_BACKEND_USER, .close = fake_close, .pass_fd = true,
	.ring = fake_ring, .is_bell = fake_is_bell,
};

static const struct backend_ops ops_no_fd = {
	.kind = AIONL_BACKEND_USER, .close = fake_close, .pass_fd = false,
	.ring = fake_ring, .is_bell = fake_is_bell,
};

/* Read and drop what the library sent, closing the descriptors it passed. */
static void server_drain(void)
{
	static char buf[AIONL_MAX_MSG_SIZE];

	for (;;) {
		union {
			char buf[CMSG_SPACE(16 * sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;

		if (recvmsg(server, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				close(fd);
			}
		}
	}
}

/* The sequence number the library's next control call takes (ctl_next_seq). */
static uint32_t next_seq(struct aionl_ctx *ctx)
{
	uint32_t s = atomic_load(&ctx->seq) + 1;

	return s ? s : 1;
}

/*
 * Make sure the next control call gets an answer: an acknowledgement with
 * its number after whatever the input sent. False if it cannot be sent (the
 * socket is full or shut), when the call must not be made: it would wait
 * for ever.
 */
static bool answer_next_call(struct aionl_ctx *ctx, bool eof)
{
	struct {
		struct nlmsghdr nlh;
		struct nlmsgerr err;
	} ack = {
		.nlh = { .nlmsg_len = sizeof(ack), .nlmsg_type = NLMSG_ERROR,
			 .nlmsg_seq = next_seq(ctx) },
	};

	if (eof)
		return true;	/* the end of the stream answers every call */
	return send(server, &ack, sizeof(ack), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(ack);
}

/*
 * On a backend that passes no descriptor (the kernel's), a reap that hands
 * out an OPEN's completion installs its file with a control call of its own,
 * INSTALL, which the module always answers. While such a reap runs, this
 * thread answers it as the server: an acknowledgement with the call's
 * number, which carries no descriptor (the library then reports -EPROTO
 * for that completion). Without it the reap waited for ever: the first
 * hour-long run of this target stopped there, on a timeout.
 */
struct responder {
	pthread_t thread;
	atomic_bool stop;
	uint16_t family;
};

static void *respond(void *arg)
{
	struct responder *r = arg;
	static char buf[AIONL_MAX_MSG_SIZE];

	while (!atomic_load(&r->stop)) {
		struct pollfd p = { server, POLLIN, 0 };
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		ssize_t n;
		int len;

		if (poll(&p, 1, 2) != 1)
			continue;
		n = recv(server, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		for (len = (int)n; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
			struct {
				struct nlmsghdr nlh;
				struct nlmsgerr err;
			} ack = {
				.nlh = { .nlmsg_len = sizeof(ack), .nlmsg_type = NLMSG_ERROR,
					 .nlmsg_seq = nlh->nlmsg_seq },
			};

			if (nlh->nlmsg_type != r->family || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
			    g->cmd != AIONL_CMD_INSTALL)
				continue;
			/* The reaper reads meanwhile: a full socket empties. */
			while (send(server, &ack, sizeof(ack), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
			       errno == EAGAIN && !atomic_load(&r->stop))
				poll(NULL, 0, 1);
		}
	}
	return NULL;
}

static bool responder_start(struct responder *r, const struct aionl_ctx *ctx)
{
	int err;

	if (ctx->ops->pass_fd || server_eof)
		return false;	/* descriptors come with completions, or the end answers */
	atomic_init(&r->stop, false);
	r->family = ctx->family;
	err = pthread_create(&r->thread, NULL, respond, r);
	if (err)
		fz_fail("pthread_create: %s", strerror(err));
	return true;
}

static void responder_stop(struct responder *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
}

/* ------------------------------------------------------------ the checks */

/* What the API promises a call returns: 0 or a count, or a negative errno. */
static int check_result(const char *call, int r)
{
	if (r < -4095)
		fz_fail("%s returned %d, no errno", call, r);
	return r;
}

/* A control call: 0 or a negative errno, never a count. */
static void check_control(const char *call, int r)
{
	if (check_result(call, r) > 0)
		fz_fail("%s returned %d", call, r);
}

static void check_cqes(const struct aionl_cqe *c, int n, unsigned int max)
{
	if (n < 0)
		return;
	if ((unsigned int)n > max)
		fz_fail("aionl_reap returned %d completions for %u slots", n, max);
	for (int i = 0; i < n && fz_verbose(); i++)
		fprintf(stderr, "reply: completion %#llx res %lld flags %#x\n",
			(unsigned long long)c[i].cookie, (long long)c[i].res, c[i].flags);
	for (int i = 0; i < n; i++)
		if (c[i].reserved)
			fz_fail("a completion's reserved field is %u", c[i].reserved);
}

static void reap(struct aionl_ctx *ctx, unsigned int max, unsigned int min_nr,
		 const struct timespec *timeout)
{
	struct aionl_cqe cqes[MAX_CQES];
	struct responder r;
	bool responding = responder_start(&r, ctx);
	int n;

	if (min_nr > max)
		min_nr = max;
	n = check_result("aionl_reap", aionl_reap(ctx, cqes, max, min_nr, timeout));
	if (responding)
		responder_stop(&r);
	check_cqes(cqes, n, max);
}

/* ------------------------------------------------------------ one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int inflight[] = { 2, 16, 256, 4096 };
	struct fz in = { data, size };
	uint8_t cfg = fz_u8(&in);
	int fds_before = fz_count_fds();
	struct aionl_ctx *ctx;
	bool eof = false;
	int sv[2];

	server_eof = false;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fz_fail("socketpair: %s", strerror(errno));
	ctx = aionl__ctx_alloc();
	if (!ctx)
		fz_fail("aionl__ctx_alloc: no memory");
	server = sv[1];
	ctx->fd = sv[0];
	ctx->ops = cfg & 1 ? &ops_no_fd : &ops_pass_fd;
	ctx->family = cfg & 2 ? fz_u16(&in) : AIONL_USER_FAMILY_ID;
	ctx->bell = cfg & 4;
	ctx->spin_ns = cfg & 8 ? 20000 : 0;
	ctx->max_inflight = inflight[cfg >> 4 & 3];
	ctx->info.backend = AIONL_BACKEND_USER;
	ctx->info.max_iov = AIONL_MAX_IOV;
	ctx->info.max_inflight = ctx->max_inflight;

	while (in.n) {
		uint8_t tag = fz_u8(&in);
		struct timespec zero = { 0, 0 }, ms = { 0, 1000000 };
		uint64_t handle;

		if (tag < 0x80) {
			const uint8_t *bytes;
			size_t len = fz_bytes(&in, fz_u16(&in), &bytes);
			ssize_t n = send(server, bytes, len, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (fz_verbose())
				fprintf(stderr, "reply: datagram of %zu bytes: %zd\n", len, n);
			continue;
		}
		if (fz_verbose())
			fprintf(stderr, "reply: op %d, next seq %u\n", (tag - 0x80) % OPS,
				next_seq(ctx));
		switch ((tag - 0x80) % OPS) {
		case OP_REAP_NOWAIT:
			reap(ctx, fz_u8(&in) % (MAX_CQES + 1), 0, NULL);
			break;
		case OP_REAP_ZERO_TIMEOUT:
			reap(ctx, MAX_CQES, fz_u8(&in) % 9, &zero);
			break;
		case OP_REAP_1MS:
			reap(ctx, MAX_CQES, fz_u8(&in) % 9, &ms);
			break;
		case OP_REAP_BLOCK:
			reap(ctx, MAX_CQES, fz_u8(&in) % 9, eof ? NULL : &ms);
			break;
		case OP_REGISTER:
			if (answer_next_call(ctx, eof))
				check_control("aionl_file_register",
					      aionl_file_register(ctx, devnull, &handle));
			break;
		case OP_UNREGISTER:
			handle = fz_u64(&in);
			if (answer_next_call(ctx, eof))
				check_control("aionl_file_unregister",
					      aionl_file_unregister(ctx, handle));
			break;
		case OP_GET_INFO:
			if (answer_next_call(ctx, eof))
				check_control("GET_INFO", ctl_get_info(ctx));
			break;
		case OP_RESOLVE_FAMILY:
			if (answer_next_call(ctx, eof))
				check_control("resolving the family", ctl_resolve_family(ctx));
			break;
		case OP_WAKE:
			check_result("aionl_wake", aionl_wake(ctx, fz_u64(&in)));
			break;
		case OP_EOF:
			shutdown(server, SHUT_WR);
			eof = server_eof = true;
			break;
		}
		server_drain();
	}
	/* What is left, then the end of the stream. */
	reap(ctx, MAX_CQES, 0, NULL);
	shutdown(server, SHUT_WR);
	server_eof = true;
	reap(ctx, MAX_CQES, MAX_CQES, NULL);
	server_drain();
	aionl__ctx_free(ctx);
	close(sv[1]);
	server = -1;
	if (fz_count_fds() != fds_before)
		fz_fail("%d descriptors open before, %d after", fds_before, fz_count_fds());
	return 0;
}
