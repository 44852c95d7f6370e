// SPDX-License-Identifier: MIT
/*
 * The engine's out queue (src/engine/outq.c): messages leave in order, one
 * datagram per chunk; a full socket keeps them; a gone peer drops them; a
 * queued message can be found again until its chunk is sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "outq.h"

/* Queue one message of len bytes, each byte seq's low bits. */
static void put(struct outq *q, size_t len, uint8_t seq)
{
	char *p = outq_reserve(q, len);

	assert_non_null(p);
	memset(p, seq, len);
	outq_commit(q, len);
}

static void test_messages_leave_in_order_a_chunk_a_datagram(void **state)
{
	struct outq q = { 0 };
	char buf[AIONL_MAX_MSG_SIZE];
	int sv[2], seq = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	/* 40,000-byte messages: one to a chunk, as two do not fit in 64 KiB. */
	put(&q, 40000, 1);
	put(&q, 40000, 2);
	put(&q, 100, 3);
	/* Replies and completions alike: every message waiting counts. */
	assert_int_equal(q.backlog, 3);
	assert_true(outq_pending(&q));
	assert_int_equal(outq_flush(&q, sv[0]), 0);
	assert_false(outq_pending(&q));
	assert_int_equal(q.backlog, 0);
	n = recv(sv[1], buf, sizeof(buf), 0);
	assert_int_equal(n, 40000);
	assert_int_equal((uint8_t)buf[0], 1);
	n = recv(sv[1], buf, sizeof(buf), 0);
	assert_int_equal(n, 40100);
	assert_int_equal((uint8_t)buf[0], 2);
	assert_int_equal((uint8_t)buf[40099], 3);
	(void)seq;
	outq_fini(&q);
	close(sv[0]);
	close(sv[1]);
}

static void test_a_full_socket_keeps_what_waits(void **state)
{
	struct outq q = { 0 };
	char buf[AIONL_MAX_MSG_SIZE];
	int sv[2], sent = 0, got = 0;

	(void)state;
	/* 200 datagrams of 64 KiB: far more than a socket's default buffer holds. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (int i = 0; i < 200; i++)
		put(&q, AIONL_MAX_MSG_SIZE - 100, (uint8_t)i);
	assert_int_equal(q.backlog, 200);
	while (outq_pending(&q)) {
		assert_int_equal(outq_flush(&q, sv[0]), 0);
		while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0) {
			assert_int_equal((uint8_t)buf[0], (uint8_t)got);
			got++;
		}
		sent++;
	}
	while (recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	assert_int_equal(got, 200);
	assert_true(sent > 1);	/* the socket was full at least once */
	/* Sent chunks are kept for reuse, a few. */
	assert_true(q.nfree <= 4);
	outq_fini(&q);
	close(sv[0]);
	close(sv[1]);
}

static void test_a_gone_peer_drops_everything(void **state)
{
	struct outq q = { 0 };
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	close(sv[1]);
	put(&q, 64, 1);
	assert_int_equal(outq_flush(&q, sv[0]), -EPIPE);
	assert_false(outq_pending(&q));
	assert_int_equal(q.backlog, 0);
	outq_fini(&q);
	close(sv[0]);
}

static void test_a_queued_message_is_found_until_sent(void **state)
{
	struct outq q = { 0 };
	struct outq_pos pos;
	char buf[128];
	int64_t v = 5, w;
	int sv[2];
	char *p;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put(&q, 32, 0);
	p = outq_reserve(&q, 16);
	memcpy(p + 8, &v, sizeof(v));
	pos = outq_pos_of(&q, p + 8);
	outq_commit(&q, 16);
	put(&q, 32, 0);
	p = outq_at(&q, pos);
	assert_non_null(p);
	memcpy(&w, p, sizeof(w));
	assert_true(w == 5);
	w = 9;
	memcpy(p, &w, sizeof(w));
	assert_int_equal(outq_flush(&q, sv[0]), 0);
	assert_null(outq_at(&q, pos));
	assert_int_equal(recv(sv[1], buf, sizeof(buf), 0), 80);
	memcpy(&w, buf + 40, sizeof(w));
	assert_true(w == 9);
	assert_null(outq_at(&q, (struct outq_pos){ 0 }));
	outq_fini(&q);
	close(sv[0]);
	close(sv[1]);
}

static void test_an_oversized_reserve_is_refused(void **state)
{
	struct outq q = { 0 };

	(void)state;
	assert_null(outq_reserve(&q, AIONL_MAX_MSG_SIZE + 1));
	assert_non_null(outq_reserve(&q, AIONL_MAX_MSG_SIZE));
	outq_fini(&q);
}

/* An open descriptor of ours, distinct each time. */
static int some_fd(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

/*
 * Descriptors travel with their chunk, in message order, at most
 * OUTQ_MAX_FDS to a datagram; sent, or dropped with a gone peer, they are
 * closed: the queue owned them.
 */
static void test_descriptors_travel_with_their_chunk(void **state)
{
	enum { N = OUTQ_MAX_FDS + 3 };
	struct outq q = { 0 };
	char buf[AIONL_MAX_MSG_SIZE];
	union {
		char b[CMSG_SPACE(OUTQ_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cm;
	int sv[2], fds[N], got = 0, datagrams = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (int i = 0; i < N; i++) {
		char *p = outq_reserve_fd(&q, 16);

		assert_non_null(p);
		memset(p, i, 16);
		fds[i] = some_fd();
		outq_commit_fd(&q, 16, fds[i]);
	}
	assert_int_equal(outq_flush(&q, sv[0]), 0);
	/* Sent: the queue's own are closed. */
	for (int i = 0; i < N; i++)
		assert_int_equal(fcntl(fds[i], F_GETFD), -1);
	while (got < N) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
				     .msg_controllen = sizeof(cm.b) };
		struct cmsghdr *h;
		ssize_t n = recvmsg(sv[1], &mh, MSG_DONTWAIT);
		int k;

		assert_true(n > 0);
		assert_false(mh.msg_flags & MSG_CTRUNC);
		h = CMSG_FIRSTHDR(&mh);
		assert_non_null(h);
		k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		/* One message per descriptor, in order. */
		assert_int_equal(n, k * 16);
		for (int j = 0; j < k; j++) {
			int fd;

			assert_int_equal((unsigned char)buf[j * 16], got + j);
			memcpy(&fd, CMSG_DATA(h) + j * sizeof(int), sizeof(int));
			close(fd);
		}
		got += k;
		datagrams++;
	}
	assert_int_equal(datagrams, 2);
	/* Dropped with the peer: closed too. */
	fds[0] = some_fd();
	assert_non_null(outq_reserve_fd(&q, 16));
	outq_commit_fd(&q, 16, fds[0]);
	close(sv[1]);
	assert_int_equal(outq_flush(&q, sv[0]), -EPIPE);
	assert_int_equal(fcntl(fds[0], F_GETFD), -1);
	close(sv[0]);
	outq_fini(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_leave_in_order_a_chunk_a_datagram),
		cmocka_unit_test(test_a_full_socket_keeps_what_waits),
		cmocka_unit_test(test_a_gone_peer_drops_everything),
		cmocka_unit_test(test_a_queued_message_is_found_until_sent),
		cmocka_unit_test(test_an_oversized_reserve_is_refused),
		cmocka_unit_test(test_descriptors_travel_with_their_chunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
