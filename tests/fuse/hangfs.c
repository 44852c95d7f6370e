// SPDX-License-Identifier: MIT
/*
 * hangfs: a FUSE filesystem that hangs on demand (hangfs.h). libfuse's
 * low-level API, its multi-threaded loop on a thread of the test itself,
 * mounted on a fresh directory. A request that arrives while the gate is
 * shut is kept with its fuse_req_t and answered later, or never: the
 * kernel's caller waits as it would on a hung server, while the daemon's
 * threads stay free to answer LOOKUP, GETATTR, FLUSH and RELEASE (and so the
 * test's own set-up and tear-down never wait on the gate). Interrupts are
 * not answered, as a hung server would not: an interrupted caller waits on.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <fuse_lowlevel.h>

#include "hangfs.h"

#define FUSECTL_DIR "/sys/fs/fuse/connections"
#define FUSECTL_SUPER_MAGIC 0x65735543
/* What the kernel may cache of names and attributes: they never change. */
#define CACHE_SECONDS 3600.0

struct parked {
	struct parked *next;
	fuse_req_t req;
	struct hangfs_seen what;
	struct fuse_file_info fi;	/* OPEN: the answer it gets */
};

struct hangfs {
	struct fuse_session *se;
	struct fuse_loop_config *cfg;
	pthread_t loop;
	bool loop_running;
	char dir[PATH_MAX];
	unsigned int nfiles;
	size_t size;
	unsigned int conn;
	bool conn_known;
	int slot;			/* in live[], for hangfs_emergency_abort_all */

	pthread_mutex_t lock;
	pthread_cond_t cond;		/* something was parked or released */
	/* Under lock: */
	bool hold_opens, hold_reads;
	struct parked *head, *tail;
	unsigned int nparked, nparked_opens, parked_max;
	uint64_t changes;
	struct hangfs_seen *log;
	size_t nlog, caplog;
};

/*
 * The live mounts, for a watchdog that must act while the test's own
 * threads (and any lock they hold) are stuck: plain atomics only.
 */
#define LIVE_SLOTS 8
static struct {
	atomic_bool used;
	char abort_path[64];	/* written before used is set */
	char dir[PATH_MAX];
} live[LIVE_SLOTS];

/* ------------------------------------------------------------ content */

/* /f<i>'s index from its inode number, or -1 for anything else. */
static int file_index(const struct hangfs *fs, fuse_ino_t ino)
{
	if (ino < hangfs_ino(0) || ino >= hangfs_ino(fs->nfiles))
		return -1;
	return (int)(ino - hangfs_ino(0));
}

static void fill_attr(const struct hangfs *fs, fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)fs->size;
	}
}

static void answer_read(struct hangfs *fs, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off)
{
	int i = file_index(fs, ino);
	char *buf;

	if ((uint64_t)off >= fs->size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > fs->size - (uint64_t)off)
		size = fs->size - (uint64_t)off;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t k = 0; k < size; k++)
		buf[k] = (char)hangfs_byte((unsigned int)i, (uint64_t)off + k);
	fuse_reply_buf(req, buf, size);
	free(buf);
}

static void answer(struct hangfs *fs, struct parked *p)
{
	if (p->what.op == HANGFS_OPEN)
		fuse_reply_open(p->req, &p->fi);
	else
		answer_read(fs, p->req, p->what.ino, p->what.size, (off_t)p->what.off);
}

/* ------------------------------------------------------------ the gate */

/* Log what arrived; park it if the gate is shut for it: true if parked. */
static bool arrive(struct hangfs *fs, fuse_req_t req, enum hangfs_op op, fuse_ino_t ino,
		   off_t off, size_t size, const struct fuse_file_info *fi)
{
	struct hangfs_seen what = { op, ino, (uint64_t)off, size };
	struct parked *p = NULL;
	bool hold;

	pthread_mutex_lock(&fs->lock);
	if (fs->nlog == fs->caplog) {
		size_t cap = fs->caplog ? fs->caplog * 2 : 256;
		struct hangfs_seen *n = realloc(fs->log, cap * sizeof(*n));

		if (n) {
			fs->log = n;
			fs->caplog = cap;
		}
	}
	if (fs->nlog < fs->caplog)
		fs->log[fs->nlog++] = what;
	hold = op == HANGFS_OPEN ? fs->hold_opens : fs->hold_reads;
	if (hold)
		p = calloc(1, sizeof(*p));
	if (p) {
		p->req = req;
		p->what = what;
		if (fi)
			p->fi = *fi;
		if (fs->tail)
			fs->tail->next = p;
		else
			fs->head = p;
		fs->tail = p;
		fs->nparked++;
		if (op == HANGFS_OPEN)
			fs->nparked_opens++;
		if (fs->nparked > fs->parked_max)
			fs->parked_max = fs->nparked;
		fs->changes++;
		pthread_cond_broadcast(&fs->cond);
	}
	pthread_mutex_unlock(&fs->lock);
	if (hold && !p)
		fuse_reply_err(req, ENOMEM);
	return hold;
}

/* ------------------------------------------------------------ operations */

static void hfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct hangfs *fs = fuse_req_userdata(req);
	struct fuse_entry_param e = { .attr_timeout = CACHE_SECONDS,
				      .entry_timeout = CACHE_SECONDS };
	char *end;
	unsigned long i;

	if (parent != FUSE_ROOT_ID || name[0] != 'f' || !name[1]) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	errno = 0;
	i = strtoul(name + 1, &end, 10);
	if (*end || errno || i >= fs->nfiles || (name[1] == '0' && name[2])) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = hangfs_ino((unsigned int)i);
	fill_attr(fs, e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void hfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hangfs *fs = fuse_req_userdata(req);
	struct stat st;

	(void)fi;
	if (ino != FUSE_ROOT_ID && file_index(fs, ino) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(fs, ino, &st);
	fuse_reply_attr(req, &st, CACHE_SECONDS);
}

static void hfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct hangfs *fs = fuse_req_userdata(req);

	if (file_index(fs, ino) < 0) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	/*
	 * Every read reaches the daemon, one FUSE_READ per request: no page
	 * cache to serve it and no readahead to merge or multiply it.
	 */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (!arrive(fs, req, HANGFS_OPEN, ino, 0, 0, fi))
		fuse_reply_open(req, fi);
}

static void hfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct hangfs *fs = fuse_req_userdata(req);

	(void)fi;
	if (!arrive(fs, req, HANGFS_READ, ino, off, size, NULL))
		answer_read(fs, req, ino, size, off);
}

static void hfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void hfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops hangfs_ops = {
	.lookup = hfs_lookup,
	.getattr = hfs_getattr,
	.open = hfs_open,
	.read = hfs_read,
	.flush = hfs_flush,
	.release = hfs_release,
};

/* ------------------------------------------------------------ the daemon */

static void *loop_main(void *arg)
{
	struct hangfs *fs = arg;

	/* Returns once the connection is aborted or unmounted (ENODEV). */
	fuse_session_loop_mt(fs->se, fs->cfg);
	return NULL;
}

static void timespec_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void abort_path(char *path, size_t len, unsigned int conn)
{
	snprintf(path, len, FUSECTL_DIR "/%u/abort", conn);
}

/* Only system calls: hangfs_emergency_abort_all calls it from a signal handler. */
static int write_abort_path(const char *path)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

static int write_abort(unsigned int conn)
{
	char path[64];

	abort_path(path, sizeof(path), conn);
	return write_abort_path(path);
}

int hangfs_fusectl_ready(char *err, size_t errlen)
{
	struct statfs sfs;

	if (statfs(FUSECTL_DIR, &sfs) == 0 && sfs.f_type == FUSECTL_SUPER_MAGIC)
		return 0;
	if (mount("fusectl", FUSECTL_DIR, "fusectl", 0, NULL) == 0)
		return 0;
	snprintf(err, errlen, "fusectl is not mounted at " FUSECTL_DIR
		 " and mounting it failed: %s", strerror(errno));
	return -errno;
}

int hangfs_mount(struct hangfs **fsp, const char *parent, unsigned int nfiles, size_t size,
		 char *err, size_t errlen)
{
	char *argv[] = { "hangfs", "-o", "fsname=hangfs,subtype=hangfs", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct hangfs *fs = calloc(1, sizeof(*fs));
	pthread_condattr_t ca;
	sigset_t all, old;
	struct stat st;
	char path[PATH_MAX + 32];
	int fd, rc;

	*fsp = NULL;
	if (!fs)
		return -ENOMEM;
	fs->nfiles = nfiles;
	fs->size = size;
	fs->slot = -1;
	pthread_mutex_init(&fs->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fs->cond, &ca);
	pthread_condattr_destroy(&ca);
	/* The usual reasons FUSE is unavailable, named before libfuse tries. */
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -ENODEV;
		snprintf(err, errlen, "cannot open /dev/fuse: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	snprintf(fs->dir, sizeof(fs->dir), "%s/aionl-hangfs-XXXXXX", parent);
	if (!mkdtemp(fs->dir)) {
		rc = -errno;
		snprintf(err, errlen, "mkdtemp under %s: %s", parent, strerror(errno));
		fs->dir[0] = '\0';
		goto fail;
	}
	fs->se = fuse_session_new(&args, &hangfs_ops, sizeof(hangfs_ops), fs);
	/* Parsing may have made args its own copy. */
	fuse_opt_free_args(&args);
	if (!fs->se) {
		rc = -ENOMEM;
		snprintf(err, errlen, "fuse_session_new failed");
		goto fail;
	}
	if (fuse_session_mount(fs->se, fs->dir) != 0) {
		rc = -ENODEV;
		snprintf(err, errlen, "cannot mount a FUSE filesystem on %s (libfuse said why above)",
			 fs->dir);
		fuse_session_destroy(fs->se);
		fs->se = NULL;
		goto fail;
	}
	fs->cfg = fuse_loop_cfg_create();
	if (!fs->cfg) {
		rc = -ENOMEM;
		snprintf(err, errlen, "fuse_loop_cfg_create failed");
		goto fail_mounted;
	}
	/* Signals are the test's: none goes to a daemon thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&fs->loop, NULL, loop_main, fs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the daemon's thread");
		goto fail_mounted;
	}
	fs->loop_running = true;
	/* Answered by the daemon (INIT, then GETATTR): nothing is held yet. */
	if (stat(fs->dir, &st) < 0) {
		rc = errno == ENODEV ? -EIO : -errno;
		snprintf(err, errlen, "stat %s: %s", fs->dir, strerror(errno));
		goto fail_mounted;
	}
	/* fusectl names a connection by the kernel's dev_t of the mount. */
	fs->conn = (major(st.st_dev) << 20) | minor(st.st_dev);
	fs->conn_known = true;
	abort_path(path, sizeof(path), fs->conn);
	if (access(path, W_OK) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail_mounted;
	}
	for (int i = 0; i < LIVE_SLOTS; i++) {
		bool expected = false;

		if (atomic_compare_exchange_strong(&live[i].used, &expected, true)) {
			snprintf(live[i].dir, sizeof(live[i].dir), "%s", fs->dir);
			abort_path(live[i].abort_path, sizeof(live[i].abort_path), fs->conn);
			fs->slot = i;
			break;
		}
	}
	*fsp = fs;
	return 0;

fail_mounted:
	hangfs_unmount(fs);
	return rc;
fail:
	if (fs->dir[0])
		rmdir(fs->dir);
	pthread_mutex_destroy(&fs->lock);
	pthread_cond_destroy(&fs->cond);
	free(fs);
	return rc;
}

const char *hangfs_mountpoint(const struct hangfs *fs)
{
	return fs->dir;
}

unsigned int hangfs_connection(const struct hangfs *fs)
{
	return fs->conn;
}

void hangfs_hold(struct hangfs *fs, bool opens, bool reads)
{
	pthread_mutex_lock(&fs->lock);
	fs->hold_opens = opens;
	fs->hold_reads = reads;
	pthread_mutex_unlock(&fs->lock);
}

void hangfs_log_reset(struct hangfs *fs)
{
	pthread_mutex_lock(&fs->lock);
	fs->nlog = 0;
	fs->parked_max = fs->nparked;
	pthread_mutex_unlock(&fs->lock);
}

unsigned int hangfs_parked(struct hangfs *fs, unsigned int *opens, unsigned int *reads)
{
	unsigned int n;

	pthread_mutex_lock(&fs->lock);
	n = fs->nparked;
	if (opens)
		*opens = fs->nparked_opens;
	if (reads)
		*reads = fs->nparked - fs->nparked_opens;
	pthread_mutex_unlock(&fs->lock);
	return n;
}

unsigned int hangfs_parked_max(struct hangfs *fs)
{
	unsigned int n;

	pthread_mutex_lock(&fs->lock);
	n = fs->parked_max;
	pthread_mutex_unlock(&fs->lock);
	return n;
}

unsigned int hangfs_wait_parked(struct hangfs *fs, unsigned int n, int timeout_ms)
{
	struct timespec deadline;
	unsigned int got;

	timespec_after(&deadline, timeout_ms);
	pthread_mutex_lock(&fs->lock);
	while (fs->nparked < n &&
	       pthread_cond_timedwait(&fs->cond, &fs->lock, &deadline) != ETIMEDOUT)
		;
	got = fs->nparked;
	pthread_mutex_unlock(&fs->lock);
	return got;
}

unsigned int hangfs_wait_settled(struct hangfs *fs, int quiet_ms, int timeout_ms)
{
	struct timespec deadline, quiet;
	unsigned int got;

	timespec_after(&deadline, timeout_ms);
	pthread_mutex_lock(&fs->lock);
	for (;;) {
		uint64_t changes = fs->changes;
		bool last;
		int rc = 0;

		timespec_after(&quiet, quiet_ms);
		last = quiet.tv_sec > deadline.tv_sec ||
		       (quiet.tv_sec == deadline.tv_sec && quiet.tv_nsec >= deadline.tv_nsec);
		if (last)
			quiet = deadline;
		while (fs->changes == changes && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&fs->cond, &fs->lock, &quiet);
		if (fs->changes == changes || last)
			break;		/* quiet for quiet_ms, or out of time */
	}
	got = fs->nparked;
	pthread_mutex_unlock(&fs->lock);
	return got;
}

unsigned int hangfs_release(struct hangfs *fs, unsigned int n, struct hangfs_seen *out)
{
	struct parked *list = NULL, **tail = &list, *p;
	unsigned int k = 0;

	pthread_mutex_lock(&fs->lock);
	while (k < n && fs->head) {
		p = fs->head;
		fs->head = p->next;
		if (!fs->head)
			fs->tail = NULL;
		p->next = NULL;
		*tail = p;
		tail = &p->next;
		fs->nparked--;
		if (p->what.op == HANGFS_OPEN)
			fs->nparked_opens--;
		if (out)
			out[k] = p->what;
		k++;
	}
	fs->changes++;
	pthread_cond_broadcast(&fs->cond);
	pthread_mutex_unlock(&fs->lock);
	/* Answered outside the lock: a reply may wait for the kernel. */
	while ((p = list)) {
		list = p->next;
		answer(fs, p);
		free(p);
	}
	return k;
}

bool hangfs_was_seen(struct hangfs *fs, enum hangfs_op op, uint64_t ino, uint64_t off)
{
	bool seen = false;

	pthread_mutex_lock(&fs->lock);
	for (size_t i = 0; i < fs->nlog && !seen; i++)
		seen = fs->log[i].op == op && fs->log[i].ino == ino &&
		       (op == HANGFS_OPEN || fs->log[i].off == off);
	pthread_mutex_unlock(&fs->lock);
	return seen;
}

int hangfs_abort(struct hangfs *fs)
{
	return write_abort(fs->conn);
}

void hangfs_unmount(struct hangfs *fs)
{
	struct parked *p;

	if (!fs)
		return;
	/*
	 * Abort first: whatever waits on the daemon (our contexts' requests, a
	 * close's FLUSH) fails at once, and the daemon's loop ends (ENODEV).
	 * Unmounting alone would not end it while files on the mount are
	 * open: a detached superblock lives on, and so would its connection.
	 */
	if ((!fs->conn_known || hangfs_abort(fs) < 0) && fs->loop_running) {
		/* Without the abort: a lazy unmount, and the loop ends with the last file. */
		fuse_session_exit(fs->se);
		umount2(fs->dir, MNT_DETACH);
	}
	if (fs->loop_running) {
		struct timespec deadline;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 30;
		if (pthread_timedjoin_np(fs->loop, NULL, &deadline) != 0) {
			/* Leave the session to the stuck thread rather than free it under it. */
			fprintf(stderr, "hangfs: the daemon of %s did not stop\n", fs->dir);
			umount2(fs->dir, MNT_DETACH);
			return;
		}
		fs->loop_running = false;
	}
	/* Never answered: after the abort the kernel has forgotten them. */
	while ((p = fs->head)) {
		fs->head = p->next;
		fuse_reply_none(p->req);
		free(p);
	}
	fs->tail = NULL;
	fs->nparked = fs->nparked_opens = 0;
	if (fs->se) {
		/* libfuse skips the unmount of an aborted connection: detach it here. */
		fuse_session_unmount(fs->se);
		umount2(fs->dir, MNT_DETACH);
		fuse_session_destroy(fs->se);
	}
	if (fs->cfg)
		fuse_loop_cfg_destroy(fs->cfg);
	if (fs->slot >= 0)
		atomic_store(&live[fs->slot].used, false);
	rmdir(fs->dir);
	free(fs->log);
	pthread_mutex_destroy(&fs->lock);
	pthread_cond_destroy(&fs->cond);
	free(fs);
}

void hangfs_emergency_abort_all(void)
{
	for (int i = 0; i < LIVE_SLOTS; i++) {
		if (!atomic_load(&live[i].used))
			continue;
		write_abort_path(live[i].abort_path);
		umount2(live[i].dir, MNT_DETACH);
		rmdir(live[i].dir);
	}
}
