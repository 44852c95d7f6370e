/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine: one thread that serves the aionl protocol on its end
 * of a SOCK_SEQPACKET socketpair and hands I/O to an executor.
 *
 * All engine state below is owned by the engine thread; executors that use
 * their own threads (exec_threads.c) keep their shared state in their own
 * struct, behind their own lock.
 */
#ifndef AIONL_ENGINE_H
#define AIONL_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "internal.h"

struct aionl_engine;

/* A registered file. Freed when unregistered and no request holds it. */
struct eng_file {
	int fd;
	uint32_t refs;		/* 1 for the table slot + 1 per request in flight */
	bool readable;
	bool writable;
	bool seekable;
	bool nowait_ok;		/* RWF_NOWAIT not refused yet */
};

/* One request in flight. */
struct eng_req {
	struct eng_req *next;	/* executor queues */
	uint64_t cookie;
	struct eng_file *file;
	uint64_t offset;
	int64_t res;
	struct iovec *iov;	/* iov_inline, or malloc'ed for more than one */
	uint32_t nr_iov;
	uint8_t op;		/* enum aionl_op */
	struct iovec iov_inline[1];
};

struct exec_ops {
	const char *name;
	int (*init)(struct aionl_engine *e);
	void (*fini)(struct aionl_engine *e);
	/* Start r; its result arrives later through engine_complete(). */
	void (*queue)(struct aionl_engine *e, struct eng_req *r);
	/*
	 * Start what was queued, then (if block) sleep until the socket is
	 * ready for what is asked or some I/O finished, calling
	 * engine_complete() for each request done. Returns the socket's poll
	 * revents; without block, it claims POLLIN/POLLOUT as asked so that
	 * the caller simply tries.
	 */
	int (*wait)(struct aionl_engine *e, bool want_in, bool want_out, bool block);
};

extern const struct exec_ops aionl_exec_uring;
extern const struct exec_ops aionl_exec_threads;

/* A chunk of encoded completions waiting to be sent: one datagram. */
struct out_chunk {
	struct out_chunk *next;
	uint32_t len;
	uint32_t count;		/* completions in it */
	char data[AIONL_MAX_MSG_SIZE];
};

struct aionl_engine {
	int sock;
	pthread_t thread;
	const struct exec_ops *exec;
	void *exec_priv;
	struct aionl_engine_params params;

	/* Requests started and not yet completed. */
	unsigned int inflight;
	/* Datagrams read plus completions made: progress, for busy-polling. */
	uint64_t work;
	/* Completions encoded but not yet sent, and the chunks they fill. */
	unsigned int backlog;
	struct out_chunk *out_head, *out_tail, *out_free;
	unsigned int nfree;		/* chunks kept on out_free */
	bool peer_gone;

	/*
	 * The file table: handle = tag << 32 | gen << 20 | index. Only the
	 * engine thread changes it, under files_lock held for writing;
	 * submitting threads read it under files_lock for the inline path.
	 */
	pthread_rwlock_t files_lock;
	uint32_t tag;
	struct eng_slot {
		struct eng_file *file;
		uint32_t gen;
		uint32_t next_free;
	} *slots;
	uint32_t nslots, cap_slots, free_head, nfiles;

	struct eng_req *req_free;	/* recycled requests */
	char *rxbuf;
};

/* Report r's result: encodes the completion, drops the file, frees r. */
void engine_complete(struct aionl_engine *e, struct eng_req *r, int64_t res);

#endif /* AIONL_ENGINE_H */
