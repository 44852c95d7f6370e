// SPDX-License-Identifier: MIT
/* The engine's table of registered files: see files.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "internal.h"

#define SLOT_NONE UINT32_MAX
/* Slots of the first table; it doubles from there. */
#define FIRST_SLOTS 64

int files_init(struct eng_files *t)
{
	*t = (struct eng_files){ .free_head = SLOT_NONE };
	while (!t->tag) {
		if (getrandom(&t->tag, sizeof(t->tag), 0) != sizeof(t->tag))
			t->tag = (uint32_t)(uintptr_t)t ^ (uint32_t)getpid();
	}
	return -pthread_rwlock_init(&t->lock, NULL);
}

void file_free(struct eng_file *f)
{
	close(f->fd);
	free(f);
}

void file_put(struct eng_file *f)
{
	if (file_unref(f))
		file_free(f);
}

/*
 * Both ends of every engine's socket in the process. A socket's
 * inode number names it for as long as it is open, and these stay open
 * until their engine's files_fini.
 */
static pthread_mutex_t aio_socks_lock = PTHREAD_MUTEX_INITIALIZER;
static ino_t *aio_socks;
static size_t naio_socks, aio_socks_cap;

/*
 * A fork in another thread's critical section must not leave the list half
 * changed in the child. If the lock cannot be had in time (a fork from a
 * signal handler that interrupted its holder), the child starts a new list:
 * its copies of the parent's engines never run again, and a half-changed
 * copy is nothing to walk.
 */
static bool aio_socks_taken;

static void aio_socks_lock_take(void)
{
	aio_socks_taken = aionl__fork_lock(&aio_socks_lock);
}

static void aio_socks_lock_parent(void)
{
	if (aio_socks_taken)
		pthread_mutex_unlock(&aio_socks_lock);
}

static void aio_socks_lock_child(void)
{
	if (!aio_socks_taken) {
		aio_socks = NULL;
		naio_socks = aio_socks_cap = 0;
	}
	pthread_mutex_init(&aio_socks_lock, NULL);
}

static void aio_socks_atfork(void)
{
	pthread_atfork(aio_socks_lock_take, aio_socks_lock_parent, aio_socks_lock_child);
}

int files_set_socket(struct eng_files *t, int peer, int own)
{
	static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
	int fds[2] = { peer, own };
	struct stat st[2];
	int err = 0;

	pthread_once(&atfork_once, aio_socks_atfork);
	for (int i = 0; i < 2; i++)
		if (fstat(fds[i], &st[i]) < 0)
			return -errno;
	pthread_mutex_lock(&aio_socks_lock);
	if (naio_socks + 2 > aio_socks_cap) {
		size_t cap = aio_socks_cap ? aio_socks_cap * 2 : 8;
		ino_t *n = realloc(aio_socks, cap * sizeof(*n));

		if (n) {
			aio_socks = n;
			aio_socks_cap = cap;
		} else {
			err = -ENOMEM;
		}
	}
	for (int i = 0; i < 2 && !err; i++) {
		aio_socks[naio_socks++] = st[i].st_ino;
		t->sock_ino[i] = st[i].st_ino;
	}
	pthread_mutex_unlock(&aio_socks_lock);
	return err;
}

static void aio_socket_forget(ino_t ino)
{
	pthread_mutex_lock(&aio_socks_lock);
	for (size_t i = 0; i < naio_socks; i++) {
		if (aio_socks[i] == ino) {
			aio_socks[i] = aio_socks[--naio_socks];
			break;
		}
	}
	pthread_mutex_unlock(&aio_socks_lock);
}

/*
 * An AIO socket: an engine's, or a netlink socket. A generic netlink one is
 * or may become one of the kernel backend's, and aionl.ko refuses every
 * netlink socket (src/kernel/control.c says why): the same rule here.
 */
static bool is_aio_socket(int fd, unsigned int mode, uint64_t ino)
{
	int domain = 0;
	socklen_t len = sizeof(int);
	bool found = false;

	if (!S_ISSOCK(mode))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_NETLINK)
		return true;
	pthread_mutex_lock(&aio_socks_lock);
	for (size_t i = 0; i < naio_socks && !found; i++)
		found = aio_socks[i] == ino;
	pthread_mutex_unlock(&aio_socks_lock);
	return found;
}

int files_bind(struct eng_files *t, int fd, uint64_t *dev)
{
	unsigned int mode;
	int err = aionl__fd_type(fd, &mode, NULL, dev);

	if (err)
		return err;
	pthread_rwlock_wrlock(&t->lock);
	if (t->bound)
		err = t->bound_dev == *dev ? 0 : -EINVAL;
	else if (t->nfiles)
		err = -EBUSY;
	else {
		t->bound_dev = *dev;
		t->bound = true;
	}
	pthread_rwlock_unlock(&t->lock);
	return err;
}

void files_fini(struct eng_files *t)
{
	for (int i = 0; i < 2; i++)
		if (t->sock_ino[i])
			aio_socket_forget(t->sock_ino[i]);
	for (uint32_t i = 0; i < t->nslots; i++)
		if (t->slots[i].file)
			file_put(t->slots[i].file);
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->cap = t->nfiles = 0;
	pthread_rwlock_destroy(&t->lock);
}

struct eng_file *files_lookup(const struct eng_files *t, uint64_t handle)
{
	uint32_t idx = aionl_handle_slot(handle);

	if (aionl_handle_tag(handle) != t->tag || idx >= t->nslots)
		return NULL;
	if (!t->slots[idx].file || t->slots[idx].gen != aionl_handle_gen(handle))
		return NULL;
	return t->slots[idx].file;
}

static struct eng_file *file_open(int fd, uint64_t *dev, int *err)
{
	struct eng_file *f;
	unsigned int mode;
	uint64_t ino;
	int fl;

	/*
	 * What REGISTER waits for: nothing that asks the file's filesystem
	 * (aionl__fd_type reads the type the kernel holds), so that a hung one
	 * never holds the program's aionl_file_register.
	 */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0) {
		*err = -errno;
		return NULL;
	}
	*err = aionl__fd_type(fd, &mode, &ino, dev);
	if (*err)
		return NULL;
	if (is_aio_socket(fd, mode, ino)) {
		*err = -EBADF;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->fd = fd;
	atomic_init(&f->refs, 1);
	f->caps.readable = (fl & O_ACCMODE) != O_WRONLY && !(fl & O_PATH);
	f->caps.writable = (fl & O_ACCMODE) != O_RDONLY && !(fl & O_PATH);
	f->caps.seekable = aionl_mode_seekable(mode);
	f->caps.directory = S_ISDIR(mode);
	f->odirect = fl & O_DIRECT;
	f->regular = S_ISREG(mode);
	/*
	 * A non-blocking read of an O_DIRECT file still waits for the device:
	 * RWF_NOWAIT only refuses to wait for locks and page-cache misses. So
	 * such files never take the inline paths, which must not block.
	 */
	atomic_init(&f->nowait_ok, !(fl & O_DIRECT));
	return f;
}

int files_add(struct eng_files *t, int fd, uint64_t *handle)
{
	struct eng_file *f;
	uint64_t dev;
	uint32_t idx;
	int err = 0;

	if (t->nfiles >= AIONL_MAX_FILES) {
		close(fd);
		return -EMFILE;
	}
	/* Received at the lowest free number: kept in the high range (fds.c). */
	fd = aionl__fd_high(fd);
	f = file_open(fd, &dev, &err);
	if (!f) {
		close(fd);
		return err;
	}
	pthread_rwlock_wrlock(&t->lock);
	if (t->bound && dev != t->bound_dev) {
		pthread_rwlock_unlock(&t->lock);
		file_put(f);
		return -EXDEV;
	}
	if (t->free_head == SLOT_NONE && t->nslots == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : FIRST_SLOTS;
		struct eng_slot *s = realloc(t->slots, cap * sizeof(*s));

		if (!s) {
			pthread_rwlock_unlock(&t->lock);
			file_put(f);
			return -ENOMEM;
		}
		t->slots = s;
		t->cap = cap;
	}
	if (t->free_head != SLOT_NONE) {
		idx = t->free_head;
		t->free_head = t->slots[idx].next_free;
	} else {
		idx = t->nslots++;
		t->slots[idx].gen = 0;
	}
	t->slots[idx].file = f;
	t->nfiles++;
	*handle = aionl_handle_make(t->tag, t->slots[idx].gen, idx);
	pthread_rwlock_unlock(&t->lock);
	return 0;
}

int files_remove(struct eng_files *t, uint64_t handle)
{
	struct eng_file *f = files_lookup(t, handle);
	uint32_t idx = aionl_handle_slot(handle);

	if (!f)
		return -EBADF;
	pthread_rwlock_wrlock(&t->lock);
	t->slots[idx].file = NULL;
	t->slots[idx].gen = (t->slots[idx].gen + 1) & AIONL_HANDLE_GEN_MASK;
	t->slots[idx].next_free = t->free_head;
	t->free_head = idx;
	t->nfiles--;
	file_put(f);	/* may close: no inline reader can hold f now */
	pthread_rwlock_unlock(&t->lock);
	return 0;
}
