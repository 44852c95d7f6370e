// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the generated codec's parse functions (gen/aionl-codec.c),
 * for every message of the IDL.
 *
 * Input: one byte that picks the message (its index in aionl_msg_descs,
 * modulo their number), then the bytes of one netlink message: nlmsghdr,
 * genlmsghdr, attributes. Its nlmsg_len is set to the length given, as the
 * engine and the library check it before they parse.
 *
 * Beyond not crashing, what the parser says must hold:
 *  - a refusal is -EINVAL with a reason, naming an offset inside the message;
 *  - an accepted message has every required attribute, and for a request
 *    every value within the IDL's range, bits and enum values;
 *  - what it accepted, put again and parsed again, reads back the same.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#define HDRS (NLMSG_HDRLEN + GENL_HDRLEN)

static uint64_t value_of(const struct aionl_attr_desc *a, const void *m)
{
	const char *p = (const char *)m + a->offset;

	switch (a->kind) {
	case AIONL_ATTR_U8:
		return *(const uint8_t *)p;
	case AIONL_ATTR_U32:
	case AIONL_ATTR_S32:
		return *(const uint32_t *)p;
	case AIONL_ATTR_U64:
	case AIONL_ATTR_S64:
		return *(const uint64_t *)p;
	}
	return 0;
}

static uint32_t binary_len(const struct aionl_attr_desc *a, const void *m)
{
	return *(const uint32_t *)((const char *)m + a->len_offset);
}

static const void *pointer_of(const struct aionl_attr_desc *a, const void *m)
{
	return *(const void *const *)((const char *)m + a->offset);
}

/* What the struct points at lies in the message's own bytes. */
static void check_inside(const struct aionl_msg_desc *d, const struct aionl_attr_desc *a,
			 const void *m, const struct nlmsghdr *nlh)
{
	const char *p = pointer_of(a, m), *end = (const char *)nlh + nlh->nlmsg_len;
	size_t len;

	if (p < (const char *)nlh + HDRS || p > end)
		fz_fail("%s.%s: at offset %td of a %u-byte message", d->name, a->name,
			p - (const char *)nlh, nlh->nlmsg_len);
	len = a->kind == AIONL_ATTR_BINARY ? binary_len(a, m) : strnlen(p, end - p) + 1;
	if (len > (size_t)(end - p))
		fz_fail("%s.%s: %zu bytes at offset %td, past the %u-byte message", d->name,
			a->name, len, p - (const char *)nlh, nlh->nlmsg_len);
}

/* The IDL's bounds on a request's attribute, which its parser promises. */
static void check_bounds(const struct aionl_msg_desc *d, const struct aionl_attr_desc *a,
			 const void *m)
{
	uint64_t v;

	if (a->kind == AIONL_ATTR_BINARY) {
		uint32_t len = binary_len(a, m);

		if (a->elem_size && (len % a->elem_size || len / a->elem_size < a->min ||
				     len / a->elem_size > a->max))
			fz_fail("%s.%s: accepted %u bytes, not %llu..%llu elements of %u", d->name,
				a->name, len, (unsigned long long)a->min,
				(unsigned long long)a->max, a->elem_size);
		return;
	}
	if (a->kind == AIONL_ATTR_STRING || a->kind == AIONL_ATTR_S32 || a->kind == AIONL_ATTR_S64)
		return;
	v = value_of(a, m);
	if (v < a->min || v > a->max)
		fz_fail("%s.%s: accepted %llu outside %llu..%llu", d->name, a->name,
			(unsigned long long)v, (unsigned long long)a->min, (unsigned long long)a->max);
	if (a->mask && (v & ~a->mask))
		fz_fail("%s.%s: accepted bits %#llx outside %#llx", d->name, a->name,
			(unsigned long long)v, (unsigned long long)a->mask);
	if (a->nvalues) {
		unsigned int i;

		for (i = 0; i < a->nvalues && a->values[i] != v; i++)
			;
		if (i == a->nvalues)
			fz_fail("%s.%s: accepted %llu, none of its enum's values", d->name, a->name,
				(unsigned long long)v);
	}
}

static void check_same(const struct aionl_msg_desc *d, const void *x, const void *y)
{
	if (*(const uint64_t *)x != *(const uint64_t *)y)
		fz_fail("%s: present %#llx read back as %#llx", d->name,
			(unsigned long long)*(const uint64_t *)x,
			(unsigned long long)*(const uint64_t *)y);
	for (unsigned int i = 0; i < d->nattrs; i++) {
		const struct aionl_attr_desc *a = &d->attrs[i];

		if (!(*(const uint64_t *)x & 1ULL << a->type))
			continue;
		if (a->kind == AIONL_ATTR_STRING) {
			if (strcmp(pointer_of(a, x), pointer_of(a, y)))
				fz_fail("%s.%s: string read back differently", d->name, a->name);
		} else if (a->kind == AIONL_ATTR_BINARY) {
			if (binary_len(a, x) != binary_len(a, y) ||
			    memcmp(pointer_of(a, x), pointer_of(a, y), binary_len(a, x)))
				fz_fail("%s.%s: bytes read back differently", d->name, a->name);
		} else if (value_of(a, x) != value_of(a, y)) {
			fz_fail("%s.%s: %llu read back as %llu", d->name, a->name,
				(unsigned long long)value_of(a, x), (unsigned long long)value_of(a, y));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aionl_msg_desc *d;
	struct aionl_parse_err pe = { 0 };
	struct nlmsghdr *nlh, *again;
	void *m, *m2;
	size_t len, room;
	int err;

	if (size < 1 + HDRS || size - 1 > UINT32_MAX)
		return -1;	/* not even the headers: nobody parses that */
	d = &aionl_msg_descs[data[0] % AIONL_MSG_DESC_COUNT];
	len = size - 1;
	/* Exactly the message's bytes on the heap, so ASan sees any read past them. */
	nlh = malloc(len);
	m = malloc(d->size);
	m2 = malloc(d->size);
	memcpy(nlh, data + 1, len);
	nlh->nlmsg_len = (uint32_t)len;

	err = d->parse(nlh, m, &pe);
	if (err) {
		if (err != -EINVAL || !pe.msg)
			fz_fail("%s: refused with %d and no reason", d->name, err);
		if (pe.offset && (pe.offset < HDRS || pe.offset >= len))
			fz_fail("%s: refused at offset %u of a %zu-byte message", d->name, pe.offset,
				len);
		goto out;
	}
	if ((*(uint64_t *)m & d->required_mask) != d->required_mask)
		fz_fail("%s: accepted without required attributes (present %#llx)", d->name,
			(unsigned long long)*(uint64_t *)m);
	for (unsigned int i = 0; i < d->nattrs; i++) {
		const struct aionl_attr_desc *a = &d->attrs[i];

		if (!(*(uint64_t *)m & 1ULL << a->type))
			continue;
		if (a->kind == AIONL_ATTR_BINARY || a->kind == AIONL_ATTR_STRING)
			check_inside(d, a, m, nlh);
		if (d->role == 0)
			check_bounds(d, a, m);
	}

	/* Put what was read, and read it again: the same message. */
	room = len + HDRS + 64;
	again = malloc(room);
	aionl__msg_start(again, nlh->nlmsg_type, nlh->nlmsg_flags, nlh->nlmsg_seq,
			 aionl__genl_hdr(nlh)->cmd, aionl__genl_hdr(nlh)->version);
	if (d->put(again, room, m))
		fz_fail("%s: a message of %zu bytes does not put again in %zu", d->name, len, room);
	if (d->parse(again, m2, &pe))
		fz_fail("%s: put again, it does not parse: %s", d->name, pe.msg);
	check_same(d, m, m2);
	free(again);
out:
	free(m2);
	free(m);
	free(nlh);
	return 0;
}
