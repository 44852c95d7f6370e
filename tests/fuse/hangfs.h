/* SPDX-License-Identifier: MIT */
/*
 * hangfs: a FUSE filesystem, served by threads of the test's own process,
 * that can hang. It holds /f0 .. /f<n-1>, regular files of known content
 * (hangfs_byte), read-only. While its gate is shut, each OPEN or READ that
 * reaches it is parked: the daemon answers nothing, and the caller waits in
 * the kernel as it would on a hung server. The test counts what is parked,
 * answers some of it (hangfs_release), or aborts the connection through
 * fusectl (hangfs_abort), which fails everything in flight at once.
 *
 * Parking keeps no daemon thread busy (the low-level API answers a request
 * whenever it likes), so the number of requests the kernel can have
 * outstanding is not bounded by the daemon's threads: what the test counts
 * is what the callers managed to send.
 */
#ifndef AIONL_TEST_HANGFS_H
#define AIONL_TEST_HANGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hangfs;

enum hangfs_op { HANGFS_OPEN, HANGFS_READ };

/* One request that reached the daemon: OPEN of ino, or READ of ino at off. */
struct hangfs_seen {
	enum hangfs_op op;
	uint64_t ino;
	uint64_t off;
	uint64_t size;
};

/* The inode number of /f<i>. */
static inline uint64_t hangfs_ino(unsigned int i)
{
	return 2 + (uint64_t)i;	/* 1 is the root */
}

/* Byte off of /f<i>. */
static inline unsigned char hangfs_byte(unsigned int i, uint64_t off)
{
	return (unsigned char)(off * 131 + (off >> 12) * 7 + i * 29 + 1);
}

/*
 * Create a fresh directory under parent, mount hangfs with nfiles files of
 * size bytes there, and start its daemon threads. 0, or -errno with a
 * message in err: -ENODEV only when FUSE cannot be used here (/dev/fuse
 * does not open, or the mount is refused).
 */
int hangfs_mount(struct hangfs **fsp, const char *parent, unsigned int nfiles, size_t size,
		 char *err, size_t errlen);
const char *hangfs_mountpoint(const struct hangfs *fs);
/* The connection's number under /sys/fs/fuse/connections. */
unsigned int hangfs_connection(const struct hangfs *fs);

/* Shut (true) or open the gate: what arrives while it is shut is parked. */
void hangfs_hold(struct hangfs *fs, bool opens, bool reads);
/* Forget what was seen so far (hangfs_seen_*). */
void hangfs_log_reset(struct hangfs *fs);
/* Requests parked now, and the most ever parked at once since the last reset. */
unsigned int hangfs_parked(struct hangfs *fs, unsigned int *opens, unsigned int *reads);
unsigned int hangfs_parked_max(struct hangfs *fs);
/*
 * Wait until at least n requests are parked, or timeout_ms passed: the
 * number parked then.
 */
unsigned int hangfs_wait_parked(struct hangfs *fs, unsigned int n, int timeout_ms);
/*
 * Wait until the number parked has not changed for quiet_ms (at most
 * timeout_ms): the number parked then.
 */
unsigned int hangfs_wait_settled(struct hangfs *fs, int quiet_ms, int timeout_ms);
/*
 * Answer the n oldest parked requests (their real answers: the open, or the
 * bytes), and tell which they were in out (room for n). Returns how many.
 */
unsigned int hangfs_release(struct hangfs *fs, unsigned int n, struct hangfs_seen *out);
/* Whether the daemon ever received op on ino (at off, for READ) since the last reset. */
bool hangfs_was_seen(struct hangfs *fs, enum hangfs_op op, uint64_t ino, uint64_t off);
/*
 * Abort the connection (/sys/fs/fuse/connections/N/abort): every request in
 * flight fails with -ECONNABORTED, every later one with -ENOTCONN. 0 or -errno.
 */
int hangfs_abort(struct hangfs *fs);
/*
 * Abort, stop the daemon, unmount (MNT_DETACH), remove the directory, free.
 * Safe on any path, whatever is hung. NULL is a no-op.
 */
void hangfs_unmount(struct hangfs *fs);
/*
 * For a watchdog in another thread, or a signal handler, when everything
 * else is stuck: abort every live hangfs connection and detach its mount,
 * with system calls only, touching no lock.
 */
void hangfs_emergency_abort_all(void);

/*
 * fusectl at /sys/fs/fuse/connections, mounted if it is not: 0, or -errno
 * with a message in err.
 */
int hangfs_fusectl_ready(char *err, size_t errlen);

#endif /* AIONL_TEST_HANGFS_H */
