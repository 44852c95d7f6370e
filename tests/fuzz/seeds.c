// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpora of the fuzz targets, in each target's input format
 * (the comment at the top of tests/fuzz/<target>.c): the golden vectors of
 * the .hex files of tests/vectors, a well-formed message of every kind the IDL defines,
 * and for the engine, the library and aionl_submit a session that uses every
 * command once. The build runs it (CMake target fuzz_seeds); tools/fuzz.sh
 * and the ctest replays read its output.
 *
 * usage: fuzz_seeds VECTORS_DIR OUT_DIR
 *   writes OUT_DIR/{codec,engine,reply,submit}/<name>
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/netlink.h>

#include "internal.h"

static const char *out_dir;

/* ------------------------------------------------------------ writing inputs */

struct w {
	uint8_t b[1 << 18];
	size_t n;
};

static struct w *w_new(void)
{
	return calloc(1, sizeof(struct w));
}

static void w8(struct w *w, uint8_t v)
{
	if (w->n < sizeof(w->b))
		w->b[w->n++] = v;
}

static void w16(struct w *w, uint16_t v)
{
	w8(w, (uint8_t)v);
	w8(w, (uint8_t)(v >> 8));
}

static void w64(struct w *w, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		w8(w, (uint8_t)(v >> (8 * i)));
}

static void wbytes(struct w *w, const void *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		w8(w, ((const uint8_t *)p)[i]);
}

static void save(const char *target, const char *name, const struct w *w)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(w->b, 1, w->n, f) != w->n || fclose(f)) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ------------------------------------------------------------ messages */

/* A datagram of messages, each aligned as netlink lays them out. */
struct dgram {
	char b[65536];
	size_t n;
};

static struct nlmsghdr *dg_start(struct dgram *d, uint16_t type, uint16_t flags, uint32_t seq,
				 uint8_t cmd)
{
	return aionl__msg_start(d->b + d->n, type, flags, seq, cmd, AIONL_FAMILY_VERSION);
}

static void dg_end(struct dgram *d, const struct nlmsghdr *nlh)
{
	d->n += NLMSG_ALIGN(nlh->nlmsg_len);
}

#define ROOM(d) (sizeof((d)->b) - (d)->n)

/* A request of the family put by the codec's put function for m's type. */
#define DG_REQ(d, cmd, put, ...)                                                           \
	do {                                                                               \
		struct nlmsghdr *nlh_ = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 0, cmd); \
		put(nlh_, ROOM(d), &(__VA_ARGS__));                                        \
		dg_end(d, nlh_);                                                           \
	} while (0)

static void dg_transfer(struct dgram *d, uint8_t cmd, uint64_t cookie, uint64_t handle,
			uint64_t offset, uint64_t addr, uint64_t len, uint64_t timeout)
{
	DG_REQ(d, cmd, aionl_transfer_put, (struct aionl_transfer){
		.present = AIONL_TRANSFER_REQUIRED_MASK |
			   (timeout ? 1ULL << AIONL_A_TRANSFER_TIMEOUT_NS : 0),
		.cookie = cookie, .handle = handle, .offset = offset, .addr = addr, .len = len,
		.timeout_ns = timeout });
}

static void dg_transfer_v(struct dgram *d, uint8_t cmd, uint64_t cookie, uint64_t handle,
			  uint64_t offset)
{
	static const uint64_t iov[6] = { 0, 512, 4096, 1000, 20000, 3000 };

	DG_REQ(d, cmd, aionl_transfer_v_put, (struct aionl_transfer_v){
		.present = AIONL_TRANSFER_V_REQUIRED_MASK, .cookie = cookie, .handle = handle,
		.offset = offset, .iov = iov, .iov_len = sizeof(iov) });
}

static void dg_register(struct dgram *d, uint32_t seq)
{
	struct nlmsghdr *nlh = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, seq,
					AIONL_CMD_REGISTER);
	struct aionl_register m = { .present = AIONL_REGISTER_REQUIRED_MASK, .fd = 3 };

	aionl_register_put(nlh, ROOM(d), &m);
	dg_end(d, nlh);
}

static void dg_getfamily(struct dgram *d, uint32_t seq)
{
	struct nlmsghdr *nlh = aionl__msg_start(d->b + d->n, GENL_ID_CTRL, NLM_F_REQUEST, seq,
						CTRL_CMD_GETFAMILY, 1);

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	dg_end(d, nlh);
}

/* ------------------------------------------------------------ vectors */

struct vector {
	char name[64];
	uint8_t b[4096];
	size_t n;
};

static int read_vectors(const char *dir, struct vector *v, int max)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), count = 0;

	if (n < 0) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		char path[1024], line[256];
		FILE *f;

		if (len < 5 || strcmp(nm + len - 4, ".hex") || count == max) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, nm);
		snprintf(v[count].name, sizeof(v[count].name), "%.*s", (int)(len - 4), nm);
		v[count].n = 0;
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			char *p = line;
			unsigned int b;
			int used;

			if (line[0] == '#')
				continue;
			while (sscanf(p, "%2x%n", &b, &used) == 1 && v[count].n < sizeof(v[count].b)) {
				v[count].b[v[count].n++] = (uint8_t)b;
				p += used;
			}
		}
		if (f)
			fclose(f);
		count++;
		free(names[i]);
	}
	free(names);
	return count;
}

/* The descriptor of a vector's message: by its header, as a receiver tells. */
static int desc_of(const uint8_t *b, size_t n)
{
	const struct nlmsghdr *nlh = (const void *)b;
	uint8_t cmd;
	int role;

	if (n < NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	cmd = aionl__genl_hdr(nlh)->cmd;
	role = nlh->nlmsg_flags & NLM_F_REQUEST ? 0 : cmd == AIONL_CMD_COMPLETION ? 2 : 1;
	/* Commands that share a message: the first names it in the table. */
	if (cmd == AIONL_CMD_WRITE || cmd == AIONL_CMD_WRITEV || cmd == AIONL_CMD_FDATASYNC)
		cmd--;
	for (int i = 0; i < AIONL_MSG_DESC_COUNT; i++)
		if (aionl_msg_descs[i].cmd == cmd && aionl_msg_descs[i].role == role)
			return i;
	return -1;
}

/* ------------------------------------------------------------ codec */

static void fill_valid(const struct aionl_msg_desc *d, void *m, uint64_t present,
		       char *strbuf)
{
	static const uint8_t iov[48] = { 1, 2, 3 };

	memset(m, 0, d->size);
	*(uint64_t *)m = present;
	for (unsigned int i = 0; i < d->nattrs; i++) {
		const struct aionl_attr_desc *a = &d->attrs[i];
		char *p = (char *)m + a->offset;
		uint64_t v = a->nvalues ? a->values[a->nvalues - 1] : a->mask ? a->mask : a->max / 3 + a->min;

		switch (a->kind) {
		case AIONL_ATTR_U8: *(uint8_t *)p = (uint8_t)v; break;
		case AIONL_ATTR_U32: case AIONL_ATTR_S32: *(uint32_t *)p = (uint32_t)v; break;
		case AIONL_ATTR_U64: case AIONL_ATTR_S64: *(uint64_t *)p = v; break;
		case AIONL_ATTR_STRING:
			strcpy(strbuf, a->name);
			*(const char **)p = strbuf;
			break;
		case AIONL_ATTR_BINARY:
			*(const void **)p = iov;
			*(uint32_t *)((char *)m + a->len_offset) = a->elem_size ? 3 * a->elem_size : 48;
			break;
		}
	}
}

static void codec_seeds(const struct vector *v, int nv)
{
	struct w *w = w_new();

	for (int i = 0; i < AIONL_MSG_DESC_COUNT; i++) {
		const struct aionl_msg_desc *d = &aionl_msg_descs[i];
		uint64_t all = 0;
		char buf[4096], strbuf[64], name[96];
		char m[512];

		for (unsigned int k = 0; k < d->nattrs; k++)
			all |= 1ULL << d->attrs[k].type;
		for (int full = 0; full < 2; full++) {
			struct nlmsghdr *nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID,
								d->role ? 0 : NLM_F_REQUEST, 1,
								d->cmd, AIONL_FAMILY_VERSION);

			fill_valid(d, m, full ? all : d->required_mask, strbuf);
			d->put(nlh, sizeof(buf), m);
			w->n = 0;
			w8(w, (uint8_t)i);
			wbytes(w, buf, nlh->nlmsg_len);
			snprintf(name, sizeof(name), "%s-%s", d->name, full ? "all" : "required");
			save("codec", name, w);
		}
	}
	for (int i = 0; i < nv; i++) {
		int d = desc_of(v[i].b, v[i].n);
		char name[96];

		if (d < 0)
			continue;
		w->n = 0;
		w8(w, (uint8_t)d);
		wbytes(w, v[i].b, v[i].n);
		snprintf(name, sizeof(name), "vector-%.60s", v[i].name);
		save("codec", name, w);
	}
	free(w);
}

/* ------------------------------------------------------------ engine */

enum { K_TMP_RW, K_TMP_RO, K_PIPE_R, K_PIPE_W, K_DEVNULL, K_SOCK, K_OPATH, K_PEER };

static void engine_record(struct w *w, uint8_t flags, const uint8_t *kinds, int nkinds,
			  const struct dgram *d)
{
	w8(w, (uint8_t)(nkinds | flags));
	for (int i = 0; i < nkinds; i++)
		w8(w, kinds[i]);
	w16(w, (uint16_t)d->n);
	wbytes(w, d->b, d->n);
}

static void engine_session(struct w *w, uint8_t cfg)
{
	static const uint8_t kinds[] = { K_TMP_RW, K_TMP_RO, K_PIPE_R, K_PIPE_W, K_DEVNULL, K_SOCK };
	struct dgram *d = calloc(1, sizeof(*d));
	uint32_t seq = 1;

	w->n = 0;
	w8(w, cfg);
	/* Find the family, ask for the limits, register a file of every kind. */
	dg_getfamily(d, seq++);
	{
		struct nlmsghdr *nlh = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, seq++,
						AIONL_CMD_GET_INFO);
		dg_end(d, nlh);
	}
	for (size_t i = 0; i < sizeof(kinds); i++)
		dg_register(d, seq++);
	engine_record(w, 0, kinds, sizeof(kinds), d);

	/* Handles 0..5 are those files, in that order. */
	d->n = 0;
	dg_transfer(d, AIONL_CMD_READ, 1, 0, 0, 0, 4096, 0);
	dg_transfer(d, AIONL_CMD_WRITE, 2, 0, 4096, 8192, 100, 0);
	dg_transfer_v(d, AIONL_CMD_READV, 3, 0, 512);
	dg_transfer_v(d, AIONL_CMD_WRITEV, 4, 0, 9000);
	DG_REQ(d, AIONL_CMD_FSYNC, aionl_sync_put,
	       (struct aionl_sync){ .present = AIONL_SYNC_REQUIRED_MASK, .cookie = 5 });
	DG_REQ(d, AIONL_CMD_FDATASYNC, aionl_sync_put,
	       (struct aionl_sync){ .present = AIONL_SYNC_REQUIRED_MASK, .cookie = 6 });
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put,
	       (struct aionl_nop){ .present = AIONL_NOP_REQUIRED_MASK, .cookie = 7 });
	DG_REQ(d, AIONL_CMD_TIMER, aionl_timer_put, (struct aionl_timer){
		.present = AIONL_TIMER_REQUIRED_MASK, .cookie = 8, .clock = CLOCK_MONOTONIC,
		.value_ns = 1000 });
	DG_REQ(d, AIONL_CMD_TIMER, aionl_timer_put, (struct aionl_timer){
		.present = AIONL_TIMER_REQUIRED_MASK | 1ULL << AIONL_A_TIMER_INTERVAL_NS,
		.cookie = 9, .clock = CLOCK_BOOTTIME, .value_ns = 100, .interval_ns = 50000 });
	DG_REQ(d, AIONL_CMD_TIMER_UPDATE, aionl_timer_update_put, (struct aionl_timer_update){
		.present = AIONL_TIMER_UPDATE_REQUIRED_MASK | 1ULL << AIONL_A_TIMER_UPDATE_FLAGS,
		.cookie = 10, .target = 9, .value_ns = 0, .flags = AIONL_TIMER_ABS });
	DG_REQ(d, AIONL_CMD_POLL, aionl_poll_put, (struct aionl_poll){
		.present = AIONL_POLL_REQUIRED_MASK, .cookie = 11, .handle = 2,
		.events = AIONL_POLL_IN });
	DG_REQ(d, AIONL_CMD_POLL, aionl_poll_put, (struct aionl_poll){
		.present = AIONL_POLL_REQUIRED_MASK | 1ULL << AIONL_A_POLL_FLAGS, .cookie = 12,
		.handle = 3, .events = AIONL_POLL_OUT, .flags = AIONL_POLL_MULTISHOT });
	DG_REQ(d, AIONL_CMD_SIGNAL, aionl_signal_put, (struct aionl_signal){
		.present = AIONL_SIGNAL_REQUIRED_MASK, .cookie = 13, .mask = 1ULL << (23 - 1) });
	dg_transfer(d, AIONL_CMD_READ, 14, 2, AIONL_OFFSET_STREAM, 0, 100, 0);
	dg_transfer(d, AIONL_CMD_WRITE, 15, 3, AIONL_OFFSET_STREAM, 0, 10, 0);
	dg_transfer(d, AIONL_CMD_READ, 16, 5, AIONL_OFFSET_STREAM, 0, 10, 1000000);
	dg_transfer(d, AIONL_CMD_READ, 17, 4, 0, 0, 10, 0);
	DG_REQ(d, AIONL_CMD_CANCEL, aionl_cancel_put, (struct aionl_cancel){
		.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_TARGET,
		.cookie = 18, .target = 9 });
	DG_REQ(d, AIONL_CMD_CANCEL, aionl_cancel_put, (struct aionl_cancel){
		.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_TARGET |
			   1ULL << AIONL_A_CANCEL_FLAGS,
		.cookie = 19, .target = 5, .flags = AIONL_CANCEL_HANDLE });
	DG_REQ(d, AIONL_CMD_FALLOCATE, aionl_fallocate_put, (struct aionl_fallocate){
		.present = AIONL_FALLOCATE_REQUIRED_MASK | 1ULL << AIONL_A_FALLOCATE_MODE,
		.cookie = 22, .handle = 0, .offset = 8192, .len = 65536,
		.mode = AIONL_FALLOC_KEEP_SIZE });
	DG_REQ(d, AIONL_CMD_FALLOCATE, aionl_fallocate_put, (struct aionl_fallocate){
		.present = AIONL_FALLOCATE_REQUIRED_MASK, .cookie = 23, .handle = 1, .offset = 0,
		.len = 4096 });
	DG_REQ(d, AIONL_CMD_STATX, aionl_statx_put, (struct aionl_statx){
		.present = AIONL_STATX_REQUIRED_MASK | 1ULL << AIONL_A_STATX_HANDLE, .cookie = 24,
		.handle = 0, .mask = 0x7ff, .addr = 256 });
	DG_REQ(d, AIONL_CMD_STATX, aionl_statx_put, (struct aionl_statx){
		.present = AIONL_STATX_REQUIRED_MASK | 1ULL << AIONL_A_STATX_PATH |
			   1ULL << AIONL_A_STATX_FLAGS,
		.cookie = 25, .path = "/", .flags = AIONL_STATX_SYMLINK_NOFOLLOW, .mask = 0x7ff,
		.addr = 1024 });
	DG_REQ(d, AIONL_CMD_COPY, aionl_copy_put, (struct aionl_copy){
		.present = AIONL_COPY_REQUIRED_MASK, .cookie = 26, .handle = 0, .offset = 0,
		.dst_handle = 0, .dst_offset = 4096, .len = 8192 });
	DG_REQ(d, AIONL_CMD_COPY, aionl_copy_put, (struct aionl_copy){
		.present = AIONL_COPY_REQUIRED_MASK | 1ULL << AIONL_A_COPY_REQ_FLAGS, .cookie = 27,
		.handle = 0, .offset = 0, .dst_handle = 1, .dst_offset = 65536, .len = 4096,
		.req_flags = AIONL_REQ_LINK });
	DG_REQ(d, AIONL_CMD_UNREGISTER, aionl_unregister_put, (struct aionl_unregister){
		.present = AIONL_UNREGISTER_REQUIRED_MASK, .handle = 1 });
	engine_record(w, 0, NULL, 0, d);
	d->n = 0;
	DG_REQ(d, AIONL_CMD_CANCEL, aionl_cancel_put, (struct aionl_cancel){
		.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_FLAGS,
		.cookie = 20, .flags = AIONL_CANCEL_ALL });
	engine_record(w, 0, NULL, 0, d);

	/* An acknowledged NOP, a message that is not a request, one cut short. */
	d->n = 0;
	{
		struct nlmsghdr *nlh = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_REQUEST | NLM_F_ACK,
						77, AIONL_CMD_NOP);
		struct aionl_nop m = { .present = AIONL_NOP_REQUIRED_MASK, .cookie = 21 };

		aionl_nop_put(nlh, ROOM(d), &m);
		dg_end(d, nlh);
		nlh = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_ACK, 78, AIONL_CMD_NOP);
		dg_end(d, nlh);
		nlh = dg_start(d, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 79, AIONL_CMD_READ);
		nlh->nlmsg_len += 64;	/* past the datagram's end */
		d->n += NLMSG_HDRLEN + GENL_HDRLEN;
	}
	engine_record(w, 0, NULL, 0, d);
	free(d);
}

static void engine_seeds(const struct vector *v, int nv)
{
	static const uint8_t tmp[] = { K_TMP_RW }, odd[] = { K_PEER, K_OPATH, K_DEVNULL };
	struct dgram *d = calloc(1, sizeof(*d));
	struct w *w = w_new();

	engine_session(w, 0x08);
	save("engine", "session-uring", w);
	engine_session(w, 0x09);
	save("engine", "session-threads", w);
	engine_session(w, 0x09 | 0x10 | 0x20);
	save("engine", "session-threads-close-early", w);

	/* The program's own socket, an O_PATH file, and more descriptors than taken. */
	w->n = 0;
	w8(w, 0x01);
	for (int i = 0; i < 3; i++)
		dg_register(d, (uint32_t)i + 1);
	engine_record(w, 0x08, odd, 3, d);
	save("engine", "odd-descriptors", w);

	/*
	 * A timer every microsecond while nothing is read: the socket fills, and
	 * expiries fold into the completion waiting in the out queue.
	 */
	w->n = 0;
	w8(w, 0x02);
	d->n = 0;
	DG_REQ(d, AIONL_CMD_TIMER, aionl_timer_put, (struct aionl_timer){
		.present = AIONL_TIMER_REQUIRED_MASK | 1ULL << AIONL_A_TIMER_INTERVAL_NS,
		.cookie = 1, .clock = CLOCK_MONOTONIC, .value_ns = 1000, .interval_ns = 1000 });
	engine_record(w, 0x20, NULL, 0, d);
	d->n = 0;
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put,
	       (struct aionl_nop){ .present = AIONL_NOP_REQUIRED_MASK, .cookie = 2 });
	engine_record(w, 0x20, NULL, 0, d);
	engine_record(w, 0, NULL, 0, d);
	save("engine", "timer-flood-slow-reader", w);

	/* A read waiting on the pipe, the pipe fed, and another reader first. */
	w->n = 0;
	w8(w, 0x01);
	d->n = 0;
	dg_register(d, 1);
	dg_transfer(d, AIONL_CMD_READ, 1, 0, AIONL_OFFSET_STREAM, 0, 100, 0);
	DG_REQ(d, AIONL_CMD_POLL, aionl_poll_put, (struct aionl_poll){
		.present = AIONL_POLL_REQUIRED_MASK | 1ULL << AIONL_A_POLL_FLAGS, .cookie = 2,
		.handle = 0, .events = AIONL_POLL_IN, .flags = AIONL_POLL_MULTISHOT });
	engine_record(w, 0x40 | 0x80, (const uint8_t[]){ K_PIPE_R }, 1, d);
	d->n = 0;
	dg_transfer(d, AIONL_CMD_READ, 3, 0, AIONL_OFFSET_STREAM, 0, 100, 0);
	engine_record(w, 0x40, NULL, 0, d);
	save("engine", "stream-and-another-reader", w);

	/*
	 * Ordering (order.c): a chain that breaks at a write to the read-only
	 * file, a chain behind a read of the empty pipe and a drain behind it,
	 * a refused message inside a chain, a cancel of a held request, and
	 * the files unregistered while requests wait.
	 */
	w->n = 0;
	w8(w, 0x09);
	d->n = 0;
	for (uint32_t i = 0; i < 3; i++)
		dg_register(d, i + 1);
	engine_record(w, 0, (const uint8_t[]){ K_TMP_RW, K_TMP_RO, K_PIPE_R }, 3, d);
	d->n = 0;
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put, (struct aionl_nop){
		.present = AIONL_NOP_REQUIRED_MASK | 1ULL << AIONL_A_NOP_REQ_FLAGS, .cookie = 1,
		.req_flags = AIONL_REQ_LINK });
	DG_REQ(d, AIONL_CMD_WRITE, aionl_transfer_put, (struct aionl_transfer){
		.present = AIONL_TRANSFER_REQUIRED_MASK | 1ULL << AIONL_A_TRANSFER_REQ_FLAGS,
		.cookie = 2, .handle = 1, .len = 1, .req_flags = AIONL_REQ_LINK });
	DG_REQ(d, AIONL_CMD_FSYNC, aionl_sync_put, (struct aionl_sync){
		.present = AIONL_SYNC_REQUIRED_MASK | 1ULL << AIONL_A_SYNC_REQ_FLAGS, .cookie = 3,
		.req_flags = AIONL_REQ_LINK });
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put,
	       (struct aionl_nop){ .present = AIONL_NOP_REQUIRED_MASK, .cookie = 4 });
	DG_REQ(d, AIONL_CMD_READ, aionl_transfer_put, (struct aionl_transfer){
		.present = AIONL_TRANSFER_REQUIRED_MASK | 1ULL << AIONL_A_TRANSFER_REQ_FLAGS,
		.cookie = 5, .handle = 2, .offset = AIONL_OFFSET_STREAM, .len = 10,
		.req_flags = AIONL_REQ_LINK });
	dg_transfer_v(d, AIONL_CMD_READV, 6, 0, 0);
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put, (struct aionl_nop){
		.present = AIONL_NOP_REQUIRED_MASK | 1ULL << AIONL_A_NOP_REQ_FLAGS, .cookie = 7,
		.req_flags = AIONL_REQ_DRAIN | AIONL_REQ_LINK });
	DG_REQ(d, AIONL_CMD_NOP, aionl_nop_put, (struct aionl_nop){
		.present = AIONL_NOP_REQUIRED_MASK | 1ULL << AIONL_A_NOP_REQ_FLAGS, .cookie = 8,
		.req_flags = 0x40 });
	dg_transfer(d, AIONL_CMD_WRITE, 9, 0, 0, 0, 10, 1000);
	DG_REQ(d, AIONL_CMD_CANCEL, aionl_cancel_put, (struct aionl_cancel){
		.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_TARGET,
		.cookie = 10, .target = 9 });
	DG_REQ(d, AIONL_CMD_UNREGISTER, aionl_unregister_put, (struct aionl_unregister){
		.present = AIONL_UNREGISTER_REQUIRED_MASK, .handle = 0 });
	engine_record(w, 0, NULL, 0, d);
	d->n = 0;
	DG_REQ(d, AIONL_CMD_CANCEL, aionl_cancel_put, (struct aionl_cancel){
		.present = AIONL_CANCEL_REQUIRED_MASK | 1ULL << AIONL_A_CANCEL_FLAGS,
		.cookie = 11, .flags = AIONL_CANCEL_ALL });
	engine_record(w, 0, NULL, 0, d);
	save("engine", "ordering", w);

	/* A datagram past the largest the engine reads. */
	w->n = 0;
	w8(w, 0);
	d->n = 0;
	dg_register(d, 1);
	engine_record(w, 0x10, tmp, 1, d);
	save("engine", "oversized-datagram", w);

	/* Each golden request vector, with the file registered before it. */
	for (int i = 0; i < nv; i++) {
		char name[96];
		int k = desc_of(v[i].b, v[i].n);

		if (k < 0 || aionl_msg_descs[k].role != 0)
			continue;
		w->n = 0;
		w8(w, 0);
		d->n = 0;
		dg_register(d, 1);
		memcpy(d->b + d->n, v[i].b, v[i].n);
		d->n += NLMSG_ALIGN(v[i].n);
		engine_record(w, 0, tmp, 1, d);
		snprintf(name, sizeof(name), "vector-%.60s", v[i].name);
		save("engine", name, w);
	}
	free(d);
	free(w);
}

/* ------------------------------------------------------------ reply */

enum { R_REAP_NOWAIT = 0x80, R_REAP_ZERO, R_REAP_1MS, R_REAP_BLOCK, R_REGISTER, R_UNREGISTER,
       R_GET_INFO, R_FAMILY, R_WAKE, R_EOF };

static void reply_dgram(struct w *w, const void *b, size_t n)
{
	w8(w, 0);
	w16(w, (uint16_t)n);
	wbytes(w, b, n);
}

static void put_completion(struct dgram *d, uint64_t cookie, int64_t res, uint32_t flags)
{
	struct nlmsghdr *nlh = dg_start(d, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION);
	struct aionl_completion m = {
		.present = AIONL_COMPLETION_REQUIRED_MASK | (flags ? 1ULL << AIONL_A_COMPLETION_FLAGS : 0),
		.cookie = cookie, .res = res, .flags = flags,
	};

	aionl_completion_put(nlh, ROOM(d), &m);
	dg_end(d, nlh);
}

static void reply_seeds(const struct vector *v, int nv)
{
	struct dgram *d = calloc(1, sizeof(*d));
	struct w *w = w_new();
	struct nlmsghdr *nlh;

	w8(w, 0);
	/* seq 1: the family. */
	nlh = aionl__msg_start(d->b, GENL_ID_CTRL, 0, 1, CTRL_CMD_NEWFAMILY, 2);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIONL_FAMILY_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, AIONL_USER_FAMILY_ID);
	reply_dgram(w, d->b, nlh->nlmsg_len);
	w8(w, R_FAMILY);
	/* seq 2: GET_INFO. */
	nlh = aionl__msg_start(d->b, AIONL_USER_FAMILY_ID, 0, 2, AIONL_CMD_GET_INFO, 2);
	aionl_get_info_reply_put(nlh, sizeof(d->b), &(struct aionl_get_info_reply){
		.present = AIONL_GET_INFO_REPLY_REQUIRED_MASK, .version = AIONL_FAMILY_VERSION,
		.backend = AIONL_BACKEND_USER, .executor = AIONL_EXEC_URING, .max_inflight = 64,
		.max_files = 16, .max_io_len = AIONL_MAX_IO_LEN, .max_iov = 8,
		.max_msg_size = AIONL_MAX_MSG_SIZE });
	reply_dgram(w, d->b, nlh->nlmsg_len);
	w8(w, R_GET_INFO);
	/* seq 3: REGISTER; seq 4: UNREGISTER, refused. */
	nlh = aionl__msg_start(d->b, AIONL_USER_FAMILY_ID, 0, 3, AIONL_CMD_REGISTER, 2);
	aionl_register_reply_put(nlh, sizeof(d->b), &(struct aionl_register_reply){
		.present = 6, .res = 0, .handle = 0x1234000000000001ULL });
	reply_dgram(w, d->b, nlh->nlmsg_len);
	w8(w, R_REGISTER);
	nlh = aionl__msg_start(d->b, AIONL_USER_FAMILY_ID, 0, 4, AIONL_CMD_UNREGISTER, 2);
	aionl_unregister_reply_put(nlh, sizeof(d->b), &(struct aionl_unregister_reply){
		.present = 2, .res = -EBADF });
	reply_dgram(w, d->b, nlh->nlmsg_len);
	w8(w, R_UNREGISTER);
	w64(w, 0x1234000000000002ULL);

	/* Completions: plain, a timer's ticks to fold, a signal, a bell. */
	d->n = 0;
	put_completion(d, 1, 4096, 0);
	put_completion(d, 2, 1, AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
	put_completion(d, 3, -EIO, 0);
	put_completion(d, 2, 2, AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
	nlh = dg_start(d, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION);
	{
		struct aionl_completion m = { 0 };
		struct aionl_siginfo_raw si = { .signo = 23, .code = -6, .pid = 1, .value = 5 };

		m.cookie = 4;
		aionl_completion_set_signal(&m, &si);
		aionl_completion_put(nlh, ROOM(d), &m);
	}
	dg_end(d, nlh);
	nlh = (struct nlmsghdr *)(d->b + d->n);
	*nlh = (struct nlmsghdr){ .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };
	d->n += NLMSG_HDRLEN;
	reply_dgram(w, d->b, d->n);
	w8(w, R_REAP_ZERO);
	w8(w, 2);
	d->n = 0;
	put_completion(d, 2, 5, AIONL_CQE_F_TIMER | AIONL_CQE_F_MORE);
	put_completion(d, 2, -ECANCELED, AIONL_CQE_F_TIMER);
	reply_dgram(w, d->b, d->n);
	w8(w, R_REAP_NOWAIT);
	w8(w, 64);

	/* A refused request: an NLMSG_ERROR echoing it, with its cookie. */
	d->n = 0;
	nlh = mnl_nlmsg_put_header(d->b);
	nlh->nlmsg_type = NLMSG_ERROR;
	{
		struct nlmsgerr *me = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
		struct nlmsghdr *req = (struct nlmsghdr *)(d->b + nlh->nlmsg_len);
		struct aionl_nop m = { .present = AIONL_NOP_REQUIRED_MASK, .cookie = 42 };

		me->error = -EINVAL;
		aionl__msg_start(req, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 0, AIONL_CMD_NOP,
				 AIONL_FAMILY_VERSION);
		aionl_nop_put(req, 1024, &m);
		nlh->nlmsg_len += NLMSG_ALIGN(req->nlmsg_len);
	}
	reply_dgram(w, d->b, nlh->nlmsg_len);
	w8(w, R_WAKE);
	w64(w, 99);
	d->n = 0;
	put_completion(d, 99, 0, 0);
	reply_dgram(w, d->b, d->n);
	w8(w, R_REAP_1MS);
	w8(w, 1);
	w8(w, R_EOF);
	w8(w, R_REAP_BLOCK);
	w8(w, 8);
	save("reply", "session", w);

	/* Each golden reply vector, answering the call it is the reply to. */
	for (int i = 0; i < nv; i++) {
		int k = desc_of(v[i].b, v[i].n);
		uint8_t b[4096];
		char name[96];

		if (k < 0 || aionl_msg_descs[k].role == 0)
			continue;
		memcpy(b, v[i].b, v[i].n);
		((struct nlmsghdr *)b)->nlmsg_seq = 1;
		w->n = 0;
		w8(w, 0);
		reply_dgram(w, b, v[i].n);
		switch (aionl_msg_descs[k].cmd) {
		case AIONL_CMD_GET_INFO: w8(w, R_GET_INFO); break;
		case AIONL_CMD_REGISTER: w8(w, R_REGISTER); break;
		case AIONL_CMD_UNREGISTER: w8(w, R_UNREGISTER); w64(w, 1); break;
		default: w8(w, R_REAP_NOWAIT); w8(w, 16); break;
		}
		snprintf(name, sizeof(name), "vector-%.60s", v[i].name);
		save("reply", name, w);
	}
	free(d);
	free(w);
}

/* ------------------------------------------------------------ submit */

/* The fields make_req() in submit.c reads, op by op, with simple choices. */
static void submit_req(struct w *w, uint8_t op_index, uint8_t cookie)
{
	w8(w, op_index);
	w8(w, cookie);
	switch (op_index) {
	case 0: case 1:			/* READ, WRITE: the file, offset 0, 4 KiB */
		w8(w, 0); w8(w, 0); w16(w, 0); w16(w, 0); w8(w, 0); w16(w, 4096); w8(w, 0);
		break;
	case 2: case 3:			/* READV, WRITEV: two buffers */
		w8(w, 2);
		for (int i = 0; i < 2; i++) {
			w16(w, (uint16_t)(i * 8192));
			w8(w, 0);
			w16(w, 512);
		}
		w8(w, 0); w8(w, 0); w16(w, 4096); w8(w, 0);
		break;
	case 4: case 5:			/* FSYNC, FDATASYNC of the file */
		w8(w, 0);
		break;
	case 6:				/* NOP */
		break;
	case 7: case 8:			/* TIMER, TIMER_UPDATE (of cookie 8): 1 us, every 50 us */
		w8(w, 0); w8(w, 1); w16(w, 1000); w8(w, 2); w16(w, 50); w8(w, 8);
		break;
	case 9:				/* POLL of the pipe's read end, multishot */
		w8(w, 2); w8(w, AIONL_POLL_IN); w8(w, AIONL_POLL_MULTISHOT);
		break;
	case 10:			/* SIGNAL: SIGURG */
		w8(w, 0);
		break;
	case 11:			/* CANCEL the timer (cookie 8) */
		w8(w, 0); w8(w, 8);
		break;
	}
}

static void submit_seeds(void)
{
	struct w *w = w_new();
	char name[64];

	for (uint8_t op = 0; op < 12; op++) {
		w->n = 0;
		w8(w, 0x10);
		w8(w, 0);	/* one request */
		w8(w, 0x07);
		submit_req(w, op, (uint8_t)(op + 1));
		snprintf(name, sizeof(name), "op-%u", op);
		save("submit", name, w);
	}
	for (uint8_t cfg = 0x10; cfg <= 0x13; cfg++) {
		w->n = 0;
		w8(w, cfg);
		w8(w, 11);	/* twelve requests */
		w8(w, 0x04);
		for (uint8_t op = 0; op < 12; op++)
			submit_req(w, op, (uint8_t)(op + 1));
		w8(w, 0);
		w8(w, 0x07);
		submit_req(w, 11, 20);
		snprintf(name, sizeof(name), "all-ops-%s%s", cfg & 1 ? "threads" : "uring",
			 cfg & 2 ? "-no-inline" : "");
		save("submit", name, w);
	}
	free(w);
}

int main(int argc, char **argv)
{
	static struct vector v[64];
	int nv;

	if (argc != 3) {
		fprintf(stderr, "usage: %s VECTORS_DIR OUT_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[2];
	mkdir(out_dir, 0777);
	nv = read_vectors(argv[1], v, 64);
	codec_seeds(v, nv);
	engine_seeds(v, nv);
	reply_seeds(v, nv);
	submit_seeds();
	return 0;
}
