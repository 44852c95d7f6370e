/* SPDX-License-Identifier: MIT */
/*
 * The engine's out queue: completions and replies encoded and waiting for
 * room on the socket, one datagram per chunk. Nothing in it is ever dropped
 * while the peer is there; the engine stops reading requests instead.
 */
#ifndef AIONL_OUTQ_H
#define AIONL_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/aionl.h>

#include "internal.h"

/* Descriptors one datagram carries at most (SCM_RIGHTS): an OPEN's or an INSTALL's each. */
#define OUTQ_MAX_FDS AIONL_FDS_PER_DGRAM

/* A chunk of encoded messages waiting to be sent: one datagram. */
struct out_chunk {
	struct out_chunk *next;
	uint64_t serial;	/* chunks are sent in serial order */
	uint32_t len;
	uint32_t count;		/* messages in it */
	/* Descriptors that travel with it, owned by the chunk, in message order. */
	uint32_t nfds;
	int fds[OUTQ_MAX_FDS];
	char data[AIONL_MAX_MSG_SIZE];
};

/*
 * Where a queued message's bytes lie, for as long as its chunk is unsent:
 * timers add later expirations to a completion still waiting.
 */
struct outq_pos {
	uint64_t serial;	/* 0: nowhere */
	uint32_t off;
};

struct outq {
	struct out_chunk *head, *tail;
	struct out_chunk *free;	/* sent chunks kept for reuse */
	unsigned int nfree;
	/* Messages (completions and replies) queued and not yet sent: max_inflight bounds them. */
	unsigned int backlog;
	uint64_t next_serial;
};

/*
 * Room for need bytes (at most AIONL_MAX_MSG_SIZE) at the end of the queue,
 * or NULL when memory is exhausted.
 */
void *outq_reserve(struct outq *q, size_t need);
/*
 * As outq_reserve, in a chunk that can carry one more descriptor: for a
 * message that takes one (outq_commit_fd).
 */
void *outq_reserve_fd(struct outq *q, size_t need);
/* Take the len bytes of one message written at the last reserve. */
void outq_commit(struct outq *q, size_t len);
/*
 * outq_commit, for a message reserved with outq_reserve_fd that takes fd
 * along (the queue owns it from then on, and closes it once sent or dropped).
 */
void outq_commit_fd(struct outq *q, size_t len, int fd);
/* Where p, inside the last reserve, lies. */
struct outq_pos outq_pos_of(const struct outq *q, const void *p);
/* The bytes at pos if its chunk is still queued, else NULL. */
void *outq_at(const struct outq *q, struct outq_pos pos);
/* Whether anything waits to be sent. */
bool outq_pending(const struct outq *q);
/*
 * Send what waits on sock without blocking: 0 when all went or the socket
 * is full, -EPIPE when the peer is gone (everything queued is dropped then:
 * nobody is left to read it).
 */
int outq_flush(struct outq *q, int sock);
/* Drop everything queued. */
void outq_drop_all(struct outq *q);
/* Free everything, queued and kept. */
void outq_fini(struct outq *q);

#endif /* AIONL_OUTQ_H */
