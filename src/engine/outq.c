// SPDX-License-Identifier: MIT
/* The engine's out queue: see outq.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "outq.h"

/*
 * Sent chunks kept for reuse: enough for a burst of datagrams in flight
 * without a malloc each, few enough not to hold memory after a flood.
 */
#define OUTQ_KEEP_CHUNKS 4

static struct out_chunk *outq_new_chunk(struct outq *q)
{
	struct out_chunk *c = q->free;

	if (c) {
		q->free = c->next;
		q->nfree--;
	} else {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
	}
	c->next = NULL;
	c->serial = ++q->next_serial;
	c->len = 0;
	c->count = 0;
	c->nfds = 0;
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	return c;
}

void *outq_reserve(struct outq *q, size_t need)
{
	struct out_chunk *c = q->tail;

	if (need > sizeof(c->data))
		return NULL;
	if (!c || sizeof(c->data) - c->len < need)
		c = outq_new_chunk(q);
	return c ? c->data + c->len : NULL;
}

void *outq_reserve_fd(struct outq *q, size_t need)
{
	struct out_chunk *c = q->tail;

	if (need > sizeof(c->data))
		return NULL;
	if (!c || sizeof(c->data) - c->len < need || c->nfds == OUTQ_MAX_FDS)
		c = outq_new_chunk(q);
	return c ? c->data + c->len : NULL;
}

void outq_commit(struct outq *q, size_t len)
{
	q->tail->len += (uint32_t)len;
	q->tail->count++;
	q->backlog++;
}

void outq_commit_fd(struct outq *q, size_t len, int fd)
{
	q->tail->fds[q->tail->nfds++] = fd;
	outq_commit(q, len);
}

static void chunk_close_fds(struct out_chunk *c)
{
	while (c->nfds)
		close(c->fds[--c->nfds]);
}

struct outq_pos outq_pos_of(const struct outq *q, const void *p)
{
	return (struct outq_pos){ q->tail->serial, (uint32_t)((const char *)p - q->tail->data) };
}

void *outq_at(const struct outq *q, struct outq_pos pos)
{
	struct out_chunk *c;

	/* Sent already, or (the usual case) in the chunk still filling. */
	if (!pos.serial || !q->head || pos.serial < q->head->serial)
		return NULL;
	if (pos.serial == q->tail->serial)
		return q->tail->data + pos.off;
	for (c = q->head; c; c = c->next)
		if (c->serial == pos.serial)
			return c->data + pos.off;
	return NULL;
}

bool outq_pending(const struct outq *q)
{
	return q->head && q->head->len;
}

void outq_drop_all(struct outq *q)
{
	struct out_chunk *c, *n;

	for (c = q->head; c; c = n) {
		n = c->next;
		chunk_close_fds(c);
		free(c);
	}
	q->head = q->tail = NULL;
	q->backlog = 0;
}

int outq_flush(struct outq *q, int sock)
{
	while (outq_pending(q)) {
		struct out_chunk *c = q->head;
		struct iovec iov = { c->data, c->len };
		union {
			char buf[CMSG_SPACE(sizeof(c->fds))];
			struct cmsghdr align;
		} cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (c->nfds) {
			struct cmsghdr *h;

			mh.msg_control = cm.buf;
			mh.msg_controllen = CMSG_SPACE(c->nfds * sizeof(int));
			h = CMSG_FIRSTHDR(&mh);
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			h->cmsg_len = CMSG_LEN(c->nfds * sizeof(int));
			memcpy(CMSG_DATA(h), c->fds, c->nfds * sizeof(int));
		}
		n = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/*
			 * ETOOMANYREFS: the descriptors in flight on unix
			 * sockets reached the sender's RLIMIT_NOFILE; they
			 * leave as the program receives, so try again then.
			 */
			if (errno == EAGAIN || errno == ETOOMANYREFS)
				return 0;
			/* EPIPE, ECONNRESET: nobody is left to read them. */
			outq_drop_all(q);
			return -EPIPE;
		}
		/* The peer holds its own references now. */
		chunk_close_fds(c);
		q->backlog -= c->count;
		q->head = c->next;
		if (!q->head)
			q->tail = NULL;
		if (q->nfree >= OUTQ_KEEP_CHUNKS) {
			free(c);
			continue;
		}
		c->next = q->free;
		q->free = c;
		q->nfree++;
	}
	return 0;
}

void outq_fini(struct outq *q)
{
	struct out_chunk *c;

	outq_drop_all(q);
	while ((c = q->free)) {
		q->free = c->next;
		free(c);
	}
	q->nfree = 0;
}
