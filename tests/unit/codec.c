// SPDX-License-Identifier: MIT
/*
 * Codec tests: every IDL message round-trips through the generated netlink
 * codec, the codec agrees with protoc-c's view of the same IDL, malformed
 * attributes are refused, and golden byte vectors pin the wire format.
 *
 * Run with --write-vectors DIR to rewrite the vectors after an intended
 * protocol change (and bump FAMILY_VERSION if old peers would misread it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <protobuf-c/protobuf-c.h>

#include "internal.h"

static const char *vectors_dir = AIONL_VECTORS_DIR;
static int write_vectors;

#define BUFSZ 4096

/* A value within what a's parser accepts, varying with seed. */
static uint64_t valid_value(const struct aionl_attr_desc *a, unsigned int seed)
{
	uint64_t v = 0x0102030405060708ULL * (seed + a->type) ^ 0xa5a5a5a5a5a5a5a5ULL;

	if (a->nvalues)
		return a->values[v % a->nvalues];
	if (a->mask)
		return v & a->mask;
	if (a->max - a->min != UINT64_MAX)
		return a->min + v % (a->max - a->min + 1);
	return v;
}

static void fill_value(const struct aionl_msg_desc *d, const struct aionl_attr_desc *a, void *m,
		       unsigned int seed, char *strbuf)
{
	char *p = (char *)m + a->offset;
	uint64_t v = valid_value(a, seed);

	switch (a->kind) {
	case AIONL_ATTR_U8:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case AIONL_ATTR_U32:
	case AIONL_ATTR_S32:
		*(uint32_t *)p = (uint32_t)v;
		break;
	case AIONL_ATTR_U64:
	case AIONL_ATTR_S64:
		*(uint64_t *)p = v;
		break;
	case AIONL_ATTR_STRING:
		snprintf(strbuf, 32, "%s-%u", a->name, seed);
		*(const char **)p = strbuf;
		break;
	case AIONL_ATTR_BINARY:
		/* 48 bytes: also three elements of 16, within any array's bounds. */
		for (int i = 0; i < 48; i++)
			strbuf[i] = (char)(v >> (i % 8));
		*(const void **)p = strbuf;
		*(uint32_t *)((char *)m + a->len_offset) = 48;
		break;
	}
	(void)d;
}

static void assert_same_value(const struct aionl_attr_desc *a, const void *x, const void *y)
{
	const char *p = (const char *)x + a->offset, *q = (const char *)y + a->offset;

	switch (a->kind) {
	case AIONL_ATTR_U8:
		assert_int_equal(*(const uint8_t *)p, *(const uint8_t *)q);
		break;
	case AIONL_ATTR_U32:
	case AIONL_ATTR_S32:
		assert_int_equal(*(const uint32_t *)p, *(const uint32_t *)q);
		break;
	case AIONL_ATTR_U64:
	case AIONL_ATTR_S64:
		assert_true(*(const uint64_t *)p == *(const uint64_t *)q);
		break;
	case AIONL_ATTR_STRING:
		assert_string_equal(*(const char *const *)p, *(const char *const *)q);
		break;
	case AIONL_ATTR_BINARY: {
		uint32_t lx = *(const uint32_t *)((const char *)x + a->len_offset);
		uint32_t ly = *(const uint32_t *)((const char *)y + a->len_offset);

		assert_int_equal(lx, ly);
		assert_memory_equal(*(const void *const *)p, *(const void *const *)q, lx);
		break;
	}
	}
}

/* Build message d with every attribute set from seed; returns its length. */
static size_t build(const struct aionl_msg_desc *d, void *m, unsigned int seed, char *buf,
		    char strbufs[][64], uint64_t present)
{
	struct nlmsghdr *nlh;

	memset(m, 0, d->size);
	for (unsigned int i = 0; i < d->nattrs; i++)
		fill_value(d, &d->attrs[i], m, seed, strbufs[i]);
	*(uint64_t *)m = present;
	nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, seed, d->cmd,
			       AIONL_FAMILY_VERSION);
	assert_int_equal(d->put(nlh, BUFSZ, m), 0);
	return nlh->nlmsg_len;
}

static uint64_t all_attrs(const struct aionl_msg_desc *d)
{
	uint64_t mask = 0;

	for (unsigned int i = 0; i < d->nattrs; i++)
		mask |= 1ULL << d->attrs[i].type;
	return mask;
}

static void test_every_message_round_trips(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < AIONL_MSG_DESC_COUNT; k++) {
		const struct aionl_msg_desc *d = &aionl_msg_descs[k];
		char buf[BUFSZ], strbufs[64][64];
		char in[512], out[512];
		struct aionl_parse_err pe = { 0 };

		for (unsigned int seed = 1; seed < 20; seed++) {
			uint64_t mask = all_attrs(d);

			build(d, in, seed, buf, strbufs, mask);
			assert_int_equal(d->parse((struct nlmsghdr *)buf, out, &pe), 0);
			assert_true(*(uint64_t *)out == mask);
			for (unsigned int i = 0; i < d->nattrs; i++)
				assert_same_value(&d->attrs[i], in, out);
		}
	}
}

static void test_missing_required_attribute_is_named(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < AIONL_MSG_DESC_COUNT; k++) {
		const struct aionl_msg_desc *d = &aionl_msg_descs[k];

		for (unsigned int i = 0; i < d->nattrs; i++) {
			char buf[BUFSZ], strbufs[64][64], in[512], out[512];
			struct aionl_parse_err pe = { 0 };

			if (!d->attrs[i].required)
				continue;
			build(d, in, 3, buf, strbufs, all_attrs(d) & ~(1ULL << d->attrs[i].type));
			assert_int_equal(d->parse((struct nlmsghdr *)buf, out, &pe), -EINVAL);
			assert_int_equal(pe.attr, d->attrs[i].type);
			assert_non_null(strstr(pe.msg, d->attrs[i].name));
		}
	}
}

static void test_malformed_attributes_are_refused(void **state)
{
	const struct aionl_msg_desc *d = NULL;
	char buf[BUFSZ], strbufs[64][64], in[512], out[512];
	struct aionl_parse_err pe;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *a;

	(void)state;
	for (unsigned int k = 0; k < AIONL_MSG_DESC_COUNT; k++)
		if (aionl_msg_descs[k].cmd == AIONL_CMD_READ && aionl_msg_descs[k].role == 0)
			d = &aionl_msg_descs[k];
	assert_string_equal(d->name, "Transfer");
	assert_non_null(d);

	/* A u64 attribute four bytes long. */
	build(d, in, 1, buf, strbufs, all_attrs(d));
	a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	a->nla_len = 8;
	memmove((char *)a + 8, (char *)a + 12, nlh->nlmsg_len - ((char *)a + 12 - buf));
	nlh->nlmsg_len -= 4;
	pe = (struct aionl_parse_err){ 0 };
	assert_int_equal(d->parse(nlh, out, &pe), -EINVAL);
	assert_non_null(strstr(pe.msg, "length"));
	assert_int_equal(pe.offset, NLMSG_HDRLEN + GENL_HDRLEN);

	/* An attribute type the command does not have. */
	build(d, in, 1, buf, strbufs, all_attrs(d));
	mnl_attr_put_u32(nlh, 60, 7);
	pe = (struct aionl_parse_err){ 0 };
	assert_int_equal(d->parse(nlh, out, &pe), -EINVAL);
	assert_string_equal(pe.msg, "unknown attribute type");
	assert_int_equal(pe.attr, 60);

	/* The last attribute runs past the end of the message. */
	build(d, in, 1, buf, strbufs, all_attrs(d));
	nlh->nlmsg_len -= 4;
	pe = (struct aionl_parse_err){ 0 };
	assert_int_equal(d->parse(nlh, out, &pe), -EINVAL);
	assert_string_equal(pe.msg, "truncated attribute");

	/* Past the end by less than the alignment: into bytes that are not the message's. */
	for (unsigned int cut = 1; cut < NLA_ALIGNTO; cut++) {
		build(d, in, 1, buf, strbufs, all_attrs(d));
		nlh->nlmsg_len -= cut;
		pe = (struct aionl_parse_err){ 0 };
		assert_int_equal(d->parse(nlh, out, &pe), -EINVAL);
		assert_string_equal(pe.msg, "truncated attribute");
	}

	/* An attribute header whose length is below its own size. */
	build(d, in, 1, buf, strbufs, all_attrs(d));
	a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	a->nla_len = 2;
	pe = (struct aionl_parse_err){ 0 };
	assert_int_equal(d->parse(nlh, out, &pe), -EINVAL);
}

/* Store v into attribute a of message struct m, at a's width. */
static void set_value(const struct aionl_attr_desc *a, void *m, uint64_t v)
{
	char *p = (char *)m + a->offset;

	if (a->kind == AIONL_ATTR_U8)
		*(uint8_t *)p = (uint8_t)v;
	else if (a->kind == AIONL_ATTR_U32 || a->kind == AIONL_ATTR_S32)
		*(uint32_t *)p = (uint32_t)v;
	else
		*(uint64_t *)p = v;
}

static uint64_t kind_max(const struct aionl_attr_desc *a)
{
	return a->kind == AIONL_ATTR_U8 ? 0xff : a->kind == AIONL_ATTR_U32 ? 0xffffffff : UINT64_MAX;
}

/* Build d with attribute a set to v (or, for arrays, v bytes long) and parse it. */
static void assert_refused(const struct aionl_msg_desc *d, const struct aionl_attr_desc *a,
			   uint64_t v)
{
	char buf[2 * BUFSZ], strbufs[64][64], in[512], out[512];
	static char longstr[2 * BUFSZ];
	struct aionl_parse_err pe = { 0 };
	struct nlmsghdr *nlh;
	uint64_t mask = all_attrs(d);

	memset(in, 0, d->size);
	for (unsigned int i = 0; i < d->nattrs; i++)
		fill_value(d, &d->attrs[i], in, 5, strbufs[i]);
	*(uint64_t *)in = mask;
	if (a->kind == AIONL_ATTR_BINARY) {
		*(uint32_t *)(in + a->len_offset) = (uint32_t)v;
	} else if (a->kind == AIONL_ATTR_STRING) {
		/* A string of v bytes before its NUL. */
		assert_true(v < sizeof(longstr));
		memset(longstr, 'x', v);
		longstr[v] = '\0';
		*(const char **)(in + a->offset) = longstr;
	} else {
		set_value(a, in, v);
	}
	nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 1, d->cmd,
			       AIONL_FAMILY_VERSION);
	assert_int_equal(d->put(nlh, sizeof(buf), in), 0);
	if (d->parse(nlh, out, &pe) != -EINVAL)
		fail_msg("%s.%s = %#llx was accepted", d->name, a->name, (unsigned long long)v);
	assert_int_equal(pe.attr, a->type);
	assert_non_null(strstr(pe.msg, a->name));
	assert_true(pe.offset > 0);
}

/*
 * A request's parser refuses what the IDL's ranges, masks and enums exclude,
 * naming the attribute, as the kernel's policies do.
 */
static void test_out_of_range_values_are_refused(void **state)
{
	unsigned int checked = 0;

	(void)state;
	for (unsigned int k = 0; k < AIONL_MSG_DESC_COUNT; k++) {
		const struct aionl_msg_desc *d = &aionl_msg_descs[k];

		if (d->role != 0)
			continue;
		for (unsigned int i = 0; i < d->nattrs; i++) {
			const struct aionl_attr_desc *a = &d->attrs[i];

			if (a->kind == AIONL_ATTR_STRING) {
				/* max counts the NUL: a string of max bytes before it is too long. */
				if (a->max < UINT64_MAX) {
					assert_refused(d, a, a->max);
					checked++;
				}
				continue;
			}
			if (a->elem_size) {
				assert_refused(d, a, a->elem_size + 1);
				assert_refused(d, a, (a->min ? a->min - 1 : 0) * a->elem_size);
				checked++;
				continue;
			}
			if (a->nvalues) {
				uint64_t bad = 0;

				for (unsigned int j = 0; j < a->nvalues; j++)
					if (a->values[j] >= bad)
						bad = a->values[j] + 1;
				assert_refused(d, a, bad);
				checked++;
			}
			if (a->mask) {
				assert_refused(d, a, ~a->mask & kind_max(a));
				checked++;
			}
			if (a->max < kind_max(a) && a->kind != AIONL_ATTR_S32 &&
			    a->kind != AIONL_ATTR_S64) {
				assert_refused(d, a, a->max + 1);
				assert_refused(d, a, kind_max(a));
				checked++;
			}
			if (a->min > 0) {
				assert_refused(d, a, a->min - 1);
				checked++;
			}
		}
	}
	/* The IDL bounds at least lengths, iovecs, timers, clocks, flags and signal sets. */
	assert_true(checked >= 15);
}

static void test_put_reports_a_full_buffer(void **state)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 1, AIONL_CMD_READ, 1);
	struct aionl_transfer m = { .present = AIONL_TRANSFER_REQUIRED_MASK, .cookie = 1,
				    .handle = 2, .offset = 3, .addr = 4, .len = 5 };

	(void)state;
	assert_int_equal(aionl_transfer_put(nlh, NLMSG_HDRLEN + GENL_HDRLEN + 30, &m), -EMSGSIZE);
}

/* The generated netlink codec and protoc-c must describe the same IDL. */
static void test_codec_agrees_with_protoc_c(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < AIONL_MSG_DESC_COUNT; k++) {
		const struct aionl_msg_desc *d = &aionl_msg_descs[k];
		const ProtobufCMessageDescriptor *pd;
		char sym[128], snake[64];
		unsigned int j = 0;

		for (const char *p = d->name; *p; p++) {
			if (*p >= 'A' && *p <= 'Z') {
				if (p != d->name)
					snake[j++] = '_';
				snake[j++] = (char)(*p - 'A' + 'a');
			} else {
				snake[j++] = *p;
			}
		}
		snake[j] = 0;
		snprintf(sym, sizeof(sym), "aionl__%s__descriptor", snake);
		pd = dlsym(RTLD_DEFAULT, sym);
		assert_non_null(pd);
		assert_string_equal(pd->short_name, d->name);
		assert_int_equal(pd->n_fields, d->nattrs);
		for (unsigned int i = 0; i < d->nattrs; i++) {
			const ProtobufCFieldDescriptor *f =
				protobuf_c_message_descriptor_get_field(pd, d->attrs[i].type);
			static const int kinds[] = {
				[PROTOBUF_C_TYPE_BOOL] = AIONL_ATTR_U8,
				[PROTOBUF_C_TYPE_UINT32] = AIONL_ATTR_U32,
				[PROTOBUF_C_TYPE_ENUM] = AIONL_ATTR_U32,
				[PROTOBUF_C_TYPE_INT32] = AIONL_ATTR_S32,
				[PROTOBUF_C_TYPE_UINT64] = AIONL_ATTR_U64,
				[PROTOBUF_C_TYPE_INT64] = AIONL_ATTR_S64,
				[PROTOBUF_C_TYPE_STRING] = AIONL_ATTR_STRING,
				[PROTOBUF_C_TYPE_BYTES] = AIONL_ATTR_BINARY,
			};

			assert_non_null(f);
			assert_string_equal(f->name, d->attrs[i].name);
			assert_int_equal(kinds[f->type], d->attrs[i].kind);
			assert_int_equal(f->label == PROTOBUF_C_LABEL_REQUIRED, d->attrs[i].required);
		}
	}
}

/* ------------------------------------------------------------ golden vectors */

static void check_vector(const char *name, const void *bytes, size_t len)
{
	char path[512], line[256];
	unsigned char want[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.hex", vectors_dir, name);
	if (write_vectors) {
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "# %s: %zu bytes, written by tests/codec --write-vectors\n", name, len);
		for (size_t i = 0; i < len; i++)
			fprintf(f, "%02x%s", ((const unsigned char *)bytes)[i],
				(i % 16 == 15 || i == len - 1) ? "\n" : " ");
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("missing golden vector %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		unsigned int b;
		int used;

		if (line[0] == '#')
			continue;
		while (sscanf(p, "%2x%n", &b, &used) == 1 && n < sizeof(want)) {
			want[n++] = (unsigned char)b;
			p += used;
		}
	}
	fclose(f);
	if (n != len || memcmp(want, bytes, len) != 0)
		fail_msg("%s: encoding differs from %s (%zu bytes, vector has %zu)", name, path,
			 len, n);
}

static void test_golden_vectors(void **state)
{
	char buf[BUFSZ];
	struct nlmsghdr *nlh;

	(void)state;
	{
		struct aionl_transfer m = { .present = AIONL_TRANSFER_REQUIRED_MASK,
					    .cookie = 0x1122334455667788ULL,
					    .handle = 0xabcd000000100001ULL, .offset = 1ULL << 33,
					    .addr = 0x7f0000001000ULL, .len = 4096 };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 7, AIONL_CMD_READ, 1);
		assert_int_equal(aionl_transfer_put(nlh, BUFSZ, &m), 0);
		check_vector("read", nlh, nlh->nlmsg_len);
	}
	{
		uint64_t iov[4] = { 0x7f0000001000ULL, 512, 0x7f0000002000ULL, 1024 };
		struct aionl_transfer_v m = { .present = AIONL_TRANSFER_V_REQUIRED_MASK, .cookie = 42,
					      .handle = 0xabcd000000100002ULL, .offset = 4096,
					      .iov = iov, .iov_len = sizeof(iov) };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 8, AIONL_CMD_WRITEV,
				       1);
		assert_int_equal(aionl_transfer_v_put(nlh, BUFSZ, &m), 0);
		check_vector("writev", nlh, nlh->nlmsg_len);
	}
	{
		struct aionl_sync m = { .present = AIONL_SYNC_REQUIRED_MASK, .cookie = 9,
					.handle = 0xabcd000000100003ULL };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 9, AIONL_CMD_FSYNC, 1);
		assert_int_equal(aionl_sync_put(nlh, BUFSZ, &m), 0);
		check_vector("fsync", nlh, nlh->nlmsg_len);
	}
	{
		struct aionl_register m = { AIONL_REGISTER_REQUIRED_MASK, 5 };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, NLM_F_REQUEST, 10,
				       AIONL_CMD_REGISTER, 1);
		assert_int_equal(aionl_register_put(nlh, BUFSZ, &m), 0);
		check_vector("register", nlh, nlh->nlmsg_len);
	}
	{
		struct aionl_register_reply m = { (1ULL << 1) | (1ULL << 2), 0, 0xabcd000000100001ULL };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 10, AIONL_CMD_REGISTER, 1);
		assert_int_equal(aionl_register_reply_put(nlh, BUFSZ, &m), 0);
		check_vector("register_reply", nlh, nlh->nlmsg_len);
	}
	{
		struct aionl_completion m = { .present = (1ULL << 1) | (1ULL << 2) | (1ULL << 3),
					      .cookie = 0x1122334455667788ULL, .res = -EBADF,
					      .flags = 1 };

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 0, AIONL_CMD_COMPLETION, 1);
		assert_int_equal(aionl_completion_put(nlh, BUFSZ, &m), 0);
		check_vector("completion", nlh, nlh->nlmsg_len);
	}
	{
		/* Without commands: the reply of a server older than the attribute. */
		struct aionl_get_info_reply m = {
			AIONL_GET_INFO_REPLY_REQUIRED_MASK | (1ULL << 9), 2, AIONL_BACKEND_USER,
			AIONL_EXEC_THREADS, 4096, 1u << 20, 0x7ffff000ULL, 1024, 65536, 4, 0, 0,
		};

		nlh = aionl__msg_start(buf, AIONL_USER_FAMILY_ID, 0, 3, AIONL_CMD_GET_INFO, 2);
		assert_int_equal(aionl_get_info_reply_put(nlh, BUFSZ, &m), 0);
		check_vector("get_info_reply", nlh, nlh->nlmsg_len);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_message_round_trips),
		cmocka_unit_test(test_missing_required_attribute_is_named),
		cmocka_unit_test(test_malformed_attributes_are_refused),
		cmocka_unit_test(test_out_of_range_values_are_refused),
		cmocka_unit_test(test_put_reports_a_full_buffer),
		cmocka_unit_test(test_codec_agrees_with_protoc_c),
		cmocka_unit_test(test_golden_vectors),
	};

	if (argc == 3 && strcmp(argv[1], "--write-vectors") == 0) {
		vectors_dir = argv[2];
		write_vectors = 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
