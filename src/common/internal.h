/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the library (src/lib) and the userspace engine
 * (src/engine). Nothing here is public.
 */
#ifndef AIONL_INTERNAL_H
#define AIONL_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "aionl.h"
#include "aionl-codec.h"

/* Marks the definitions that make up the ABI; everything else stays hidden. */
#define AIONL_EXPORT __attribute__((visibility("default")))

#define AIONL_LIKELY(x) __builtin_expect(!!(x), 1)
#define AIONL_UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * The userspace engine answers CTRL_CMD_GETFAMILY for "aionl" with this id,
 * so the program resolves the family the same way on both backends.
 */
#define AIONL_USER_FAMILY_ID 0x40

/* Largest datagram either side sends on the userspace engine's socket. */
#define AIONL_MAX_MSG_SIZE (64 * 1024)

/* Same cap as the kernel's MAX_RW_COUNT: INT_MAX rounded down to a page. */
#define AIONL_MAX_IO_LEN 0x7ffff000ULL
#define AIONL_MAX_IOV 1024u
#define AIONL_DEFAULT_MAX_INFLIGHT 4096u
#define AIONL_MAX_FILES (1u << 20)
#define AIONL_DEFAULT_WORKERS 4u
#define AIONL_DEFAULT_SPIN_US 50u
/*
 * Busy-poll only while at most this many requests are outstanding. With few,
 * each completion would pay a wake-up of its own; with more, one wake-up
 * serves a batch, and on few CPUs the spinning would take the time of the
 * threads doing the work (io_uring's workers for buffered writes measured
 * 0.70x io_uring at QD32 with spinning, 1.64x without).
 */
#define AIONL_SPIN_MAX_OUTSTANDING 4

/* Record why the current call fails; returns err (a negative errno). */
int aionl__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Start a generic netlink message at buf: nlmsghdr then genlmsghdr. */
static inline struct nlmsghdr *aionl__msg_start(void *buf, uint16_t type, uint16_t flags,
						uint32_t seq, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static inline const struct genlmsghdr *aionl__genl_hdr(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

/* The engine, created by the library for the user backend. */
struct aionl_engine;

struct aionl_engine_params {
	enum aionl_executor executor;	/* URING or THREADS, never AUTO */
	unsigned int max_inflight;
	unsigned int workers;
	uint64_t spin_ns;		/* busy-poll this long after work before sleeping */
};

/*
 * Start an engine serving sock (one end of a SOCK_SEQPACKET socketpair, owned
 * by the engine from then on, even on failure). The executor is set up before
 * this returns, so an unavailable executor is reported here.
 */
int aionl_engine_start(struct aionl_engine **ep, int sock,
		       const struct aionl_engine_params *params);

/* Wait for the engine to finish (after the peer socket closed) and free it. */
void aionl_engine_join(struct aionl_engine *e);

/*
 * The inline fast path, for submitting threads: try a read of the registered
 * file without blocking, straight into the caller's buffers. Returns 1 with
 * *res set when it moved every byte, else 0: the engine must do it. Only
 * between aionl_engine_inline_begin and _end, which hold the file table
 * against unregistering for a run of reads at the price of one lock.
 */
void aionl_engine_inline_begin(struct aionl_engine *e);
int aionl_engine_try_read(struct aionl_engine *e, uint64_t handle, const struct iovec *iov,
			  unsigned int nr_iov, uint64_t offset, int64_t *res);
void aionl_engine_inline_end(struct aionl_engine *e);

/*
 * Read at offset with RWF_NOWAIT: 1 with *res set if every byte moved, else
 * 0 and the backend must do it (cache miss, short read, bad request).
 */
int aionl__nowait_read(int fd, const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
		       int64_t *res);

/*
 * The kernel backend's inline file table: a duplicate descriptor per
 * registered file, by the module's handle. Adding is best effort (a file
 * it cannot hold is simply served by the module); reads go between begin
 * and end, which hold the table against add and remove.
 */
struct aionl_inline_files;
struct aionl_inline_files *aionl__inline_files_new(void);
void aionl__inline_files_free(struct aionl_inline_files *t);
void aionl__inline_files_add(struct aionl_inline_files *t, uint64_t handle, int fd);
void aionl__inline_files_remove(struct aionl_inline_files *t, uint64_t handle);
void aionl__inline_files_begin(struct aionl_inline_files *t);
int aionl__inline_files_try_read(struct aionl_inline_files *t, uint64_t handle,
				 const struct iovec *iov, unsigned int nr_iov, uint64_t offset,
				 int64_t *res);
void aionl__inline_files_end(struct aionl_inline_files *t);

/* The engine's end of the socketpair: the bell is sent from it. */
int aionl_engine_socket(const struct aionl_engine *e);

/* 0 if io_uring can run the engine's operations here, else -errno. */
int aionl_uring_probe(void);

#endif /* AIONL_INTERNAL_H */
