"""gen/aionl-codec.[ch] and gen/aionl-req.[ch]: the userspace codec and the
library's request encoder."""

from .model import (UNSIGNED_MAX, banner_c, c_int, enum_mask_name, snake)


KIND_ENUM = {"u8": "AIONL_ATTR_U8", "u32": "AIONL_ATTR_U32", "s32": "AIONL_ATTR_S32",
             "u64": "AIONL_ATTR_U64", "s64": "AIONL_ATTR_S64",
             "string": "AIONL_ATTR_STRING", "binary": "AIONL_ATTR_BINARY"}


def gen_codec_h(p):
    o = ["/* SPDX-License-Identifier: MIT */\n", banner_c()]
    o.append("""
#ifndef AIONL_CODEC_H
#define AIONL_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/aionl.h>

#include "aionl-msg.h"

/*
 * Why a message failed to parse. msg is a static string; attr is the
 * attribute type at fault (0 if none) and offset its byte offset from the
 * start of the nlmsghdr, which is what an extended ACK reports.
 */
struct aionl_parse_err {
	const char *msg;
	uint16_t attr;
	uint32_t offset;
};

/*
 * Walk the attributes after a message's genlmsghdr, up to nlmsg_len exactly.
 * libmnl's mnl_attr_for_each() walks up to nlmsg_len rounded up to 4 bytes,
 * so it takes a last attribute that runs up to 3 bytes past the message, in
 * bytes that are not the message's (nor, at the end of a buffer, the
 * buffer's), where the kernel's nla_parse() refuses it.
 */
#define aionl_attr_for_each(a, nlh)                                                 \
	for ((a) = (void *)((char *)(nlh) + NLMSG_HDRLEN + GENL_HDRLEN);            \
	     mnl_attr_ok((a), (int)((const char *)(nlh) + (nlh)->nlmsg_len -       \
				    (const char *)(a)));                            \
	     (a) = mnl_attr_next(a))

/* Attribute kinds, for the descriptor table. */
enum aionl_attr_kind {
	AIONL_ATTR_U8, AIONL_ATTR_U32, AIONL_ATTR_S32, AIONL_ATTR_U64,
	AIONL_ATTR_S64, AIONL_ATTR_STRING, AIONL_ATTR_BINARY,
};

struct aionl_attr_desc {
	const char *name;
	uint16_t type;
	uint8_t kind;		/* enum aionl_attr_kind */
	uint8_t required;
	uint16_t offset;	/* of the value in the message struct */
	uint16_t len_offset;	/* of the length, for binary attributes */
	/*
	 * What a request's parser accepts: min..max (elements for arrays of
	 * elem_size bytes), the bits of mask if it is not 0, or one of the
	 * nvalues values.
	 */
	uint64_t min, max, mask;
	uint16_t elem_size;
	uint8_t nvalues;
	const uint32_t *values;
};

struct aionl_msg_desc {
	const char *name;	/* as in the IDL */
	uint8_t cmd;		/* the first command that carries it */
	uint8_t role;		/* 0 request, 1 reply, 2 notification */
	uint16_t nattrs;
	size_t size;		/* of the message struct */
	uint64_t required_mask;
	const struct aionl_attr_desc *attrs;
	int (*put)(struct nlmsghdr *nlh, size_t buflen, const void *m);
	int (*parse)(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err);
};

""")
    o.append("#define AIONL_MSG_DESC_COUNT %d\n" % len(p.msg_list))
    o.append("extern const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT];\n\n")
    o.append("/*\n * The name of every command of enums Cmd and Notify, by number: the IDL's\n"
             " * without CMD_, in lower case (\"get_info\", \"timer_update\"); NULL between.\n */\n")
    o.append("extern const char *const aionl_cmd_names[AIONL_CMD_MAX + 1];\n\n")
    known = 0
    for name, num, doc, role, base in p.commands:
        if role == "request":
            known |= 1 << num
    o.append("/* Every command of enum Cmd, which a program sends: bit n for command n. */\n")
    o.append("#define AIONL_CMDS_KNOWN 0x%xULL\n\n" % known)
    o.append("/*\n * Each message has a put function that appends the present attributes after\n"
             " * the genlmsghdr (0, or -EMSGSIZE if buflen is too small), and a parse\n"
             " * function that fills the struct from a message (0, or -EINVAL with *err\n"
             " * set). A request's parser refuses what the kernel's policy refuses: values\n"
             " * out of range, unknown bits, unknown enum values.\n */\n\n")
    for m in p.msg_list:
        o.append("/* %s: %s %s */\n" % (m.name, ", ".join(m.cmds), m.role))
        o.append("int aionl_%s_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_%s *m);\n"
                 % (m.snake, m.snake))
        o.append("int aionl_%s_parse(const struct nlmsghdr *nlh, struct aionl_%s *m,\n"
                 "\t\tstruct aionl_parse_err *err);\n\n" % (m.snake, m.snake))
    o.append("#endif /* AIONL_CODEC_H */\n")
    return "".join(o)


def put_stmt(m, f):
    a = m.attr(f)
    v = "m->" + f.name
    if f.kind == "u8":
        return "mnl_attr_put_u8_check(nlh, buflen, %s, %s)" % (a, v)
    if f.kind in ("u32", "s32"):
        return "mnl_attr_put_u32_check(nlh, buflen, %s, (uint32_t)%s)" % (a, v)
    if f.kind in ("u64", "s64"):
        return "mnl_attr_put_u64_check(nlh, buflen, %s, (uint64_t)%s)" % (a, v)
    if f.kind == "string":
        return "mnl_attr_put_strz_check(nlh, buflen, %s, %s)" % (a, v)
    return "mnl_attr_put_check(nlh, buflen, %s, %s_len, %s)" % (a, v, v)


def get_stmt(f):
    v = "m->" + f.name
    if f.kind == "u8":
        return "%s = mnl_attr_get_u8(a);" % v
    if f.kind == "u32":
        return "%s = mnl_attr_get_u32(a);" % v
    if f.kind == "s32":
        return "%s = (int32_t)mnl_attr_get_u32(a);" % v
    if f.kind == "u64":
        return "%s = mnl_attr_get_u64(a);" % v
    if f.kind == "s64":
        return "%s = (int64_t)mnl_attr_get_u64(a);" % v
    if f.kind == "string":
        return "%s = mnl_attr_get_str(a);" % v
    return "%s = mnl_attr_get_payload(a);\n\t\t\t%s_len = len;" % (v, v)


def check_stmt(f):
    if f.size is not None:
        return ("if (len != %d)\n\t\t\t\treturn aionl__bad_attr(err, nlh, a, \"%s: wrong attribute length\");"
                % (f.size, f.name))
    if f.kind == "string":
        return ("if (len == 0 || ((const char *)mnl_attr_get_payload(a))[len - 1] != '\\0')\n"
                "\t\t\t\treturn aionl__bad_attr(err, nlh, a, \"%s: string is not NUL-terminated\");"
                % f.name)
    return None


def value_checks(p, f):
    """The policy of a request attribute, as C statements on m->field."""
    v = "m->" + f.name
    bad = lambda why: "\t\t\t\treturn aionl__bad_attr(err, nlh, a, \"%s: %s\");\n" % (f.name, why)
    out = []
    if f.kind == "string":
        # As the kernel's NLA_NUL_STRING with .len = max - 1: a NUL within
        # the first max bytes (check_stmt has seen the last byte is one).
        lim = "AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max)
        return ("\t\t\tif (strnlen(%s, %s) == %s)\n%s"
                % (v, lim, lim, bad("longer than %s bytes with its NUL" % f.max_s)))
    if f.enum:
        out.append("\t\t\tswitch (%s) {\n" % v)
        for n, _, _ in p.enums[f.enum]:
            out.append("\t\t\tcase AIONL_%s:\n" % n)
        out.append("\t\t\t\tbreak;\n\t\t\tdefault:\n%s\t\t\t}\n" % bad("not a value of " + f.enum))
    if f.elem_size:
        lo = f.min if f.min is not None else 0
        out.append("\t\t\tif (len %% %d || len < %d * %d || len > %s * %d)\n%s"
                   % (f.elem_size, lo, f.elem_size,
                      "AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max), f.elem_size,
                      bad("not an array of %d to %s %d-byte elements"
                          % (lo, f.max_s, f.elem_size))))
        return "".join(out)
    if f.mask is not None:
        cname = enum_mask_name(f.flags) if f.flags in p.enums else "AIONL_" + f.flags
        out.append("\t\t\tif (%s & ~(uint64_t)%s)\n%s" % (v, cname, bad("unknown bits set")))
    conds = []
    if f.min is not None and f.min > 0:
        conds.append("%s < %s" % (v, c_int(f.min, f.kind)))
    if f.max is not None:
        conds.append("%s > %s" % (v, "AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max, f.kind)))
    if conds:
        out.append("\t\t\tif (%s)\n%s" % (" || ".join(conds), bad("out of range")))
    return "".join(out)


def gen_codec_c(p):
    o = ["// SPDX-License-Identifier: MIT\n", banner_c()]
    o.append("""
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "aionl-codec.h"

static int aionl__bad_attr(struct aionl_parse_err *err, const struct nlmsghdr *nlh,
			   const struct nlattr *a, const char *msg)
{
	err->msg = msg;
	err->attr = a ? mnl_attr_get_type(a) : 0;
	err->offset = a ? (uint32_t)((const char *)a - (const char *)nlh) : 0;
	return -EINVAL;
}

static int aionl__missing(struct aionl_parse_err *err, uint64_t missing,
			  const char *const *names)
{
	int type = __builtin_ctzll(missing);

	err->msg = names[type];
	err->attr = (uint16_t)type;
	err->offset = 0;
	return -EINVAL;
}

/* The attributes start after the genlmsghdr; the caller checked it is there. */
static int aionl__trailing(struct aionl_parse_err *err, const struct nlmsghdr *nlh,
			   const struct nlattr *a)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	if ((const char *)a < end)
		return aionl__bad_attr(err, nlh, a, "truncated attribute");
	return 0;
}

""")
    for m in p.msg_list:
        o.append("int aionl_%s_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_%s *m)\n{\n"
                 % (m.snake, m.snake))
        if not m.fields:
            o.append("\t(void)nlh;\n\t(void)buflen;\n\t(void)m;\n")
        for f in m.fields:
            o.append("\tif ((m->present & (1ULL << %s)) &&\n\t    !%s)\n\t\treturn -EMSGSIZE;\n"
                     % (m.attr(f), put_stmt(m, f)))
        o.append("\treturn 0;\n}\n\n")
        o.append("static const char *const aionl__%s_missing[64] = {\n" % m.snake)
        for f in m.fields:
            if f.required:
                o.append("\t[%s] = \"missing attribute %s\",\n" % (m.attr(f), f.name))
        o.append("};\n\n")
        o.append("int aionl_%s_parse(const struct nlmsghdr *nlh, struct aionl_%s *m,\n"
                 "\t\tstruct aionl_parse_err *err)\n{\n" % (m.snake, m.snake))
        o.append("\tconst struct nlattr *a;\n\tuint64_t missing;\n\n\tmemset(m, 0, sizeof(*m));\n")
        o.append("\taionl_attr_for_each(a, nlh) {\n")
        o.append("\t\tuint16_t type = mnl_attr_get_type(a);\n")
        o.append("\t\tuint16_t len = mnl_attr_get_payload_len(a);\n\n")
        o.append("\t\t(void)len;\n\t\tswitch (type) {\n")
        for f in m.fields:
            o.append("\t\tcase %s:\n" % m.attr(f))
            c = check_stmt(f)
            if c:
                o.append("\t\t\t%s\n" % c)
            o.append("\t\t\t%s\n" % get_stmt(f))
            if m.role == "request" and f.checked:
                o.append(value_checks(p, f))
            o.append("\t\t\tbreak;\n")
        o.append("\t\tdefault:\n\t\t\treturn aionl__bad_attr(err, nlh, a, \"unknown attribute type\");\n")
        o.append("\t\t}\n\t\tm->present |= 1ULL << type;\n\t}\n")
        o.append("\tif (aionl__trailing(err, nlh, a))\n\t\treturn -EINVAL;\n")
        o.append("\tmissing = AIONL_%s_REQUIRED_MASK & ~m->present;\n" % m.upper)
        o.append("\tif (missing)\n\t\treturn aionl__missing(err, missing, aionl__%s_missing);\n" % m.snake)
        o.append("\treturn 0;\n}\n\n")
    # descriptor table
    done_values = set()
    for m in p.msg_list:
        for f in m.fields:
            if f.enum and f.enum not in done_values:
                done_values.add(f.enum)
                o.append("static const uint32_t aionl__%s_values[] = AIONL_%s_VALUES;\n\n"
                         % (snake(f.enum), snake(f.enum).upper()))
    for m in p.msg_list:
        o.append("static const struct aionl_attr_desc aionl__%s_attrs[] = {\n" % m.snake)
        for f in m.fields:
            lo = ("offsetof(struct aionl_%s, %s_len)" % (m.snake, f.name)) if f.kind == "binary" else "0"
            rmin = f.min if f.min is not None else 0
            rmax = f.max if f.max is not None else UNSIGNED_MAX.get(f.kind, 0xffffffffffffffff)
            if f.kind in ("s32", "s64") and f.max is None:
                rmax = 0xffffffffffffffff
            vals = ("%d, aionl__%s_values" % (len(p.enums[f.enum]), snake(f.enum))) if f.enum else "0, NULL"
            o.append("\t{ \"%s\", %s, %s, %d, offsetof(struct aionl_%s, %s), %s,\n"
                     "\t  %s, %s, %s, %d, %s },\n"
                     % (f.name, m.attr(f), KIND_ENUM[f.kind], int(f.required), m.snake, f.name, lo,
                        c_int(rmin), c_int(rmax), c_int(f.mask or 0), f.elem_size or 0, vals))
        if not m.fields:
            o.append("\t{ NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },\n")
        o.append("};\n\n")
        o.append("static int aionl__%s_put(struct nlmsghdr *nlh, size_t buflen, const void *m)\n"
                 "{\n\treturn aionl_%s_put(nlh, buflen, m);\n}\n\n" % (m.snake, m.snake))
        o.append("static int aionl__%s_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)\n"
                 "{\n\treturn aionl_%s_parse(nlh, m, err);\n}\n\n" % (m.snake, m.snake))
    o.append("const char *const aionl_cmd_names[AIONL_CMD_MAX + 1] = {\n")
    for name, num, doc, role, base in p.commands:
        o.append("\t[AIONL_%s] = \"%s\",\n" % (name, name[4:].lower()))
    o.append("};\n\n")
    o.append("const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT] = {\n")
    roles = {"request": 0, "reply": 1, "notify": 2}
    for m in p.msg_list:
        o.append("\t{ \"%s\", %s, %d, %d, sizeof(struct aionl_%s), AIONL_%s_REQUIRED_MASK,\n"
                 "\t  aionl__%s_attrs, aionl__%s_put, aionl__%s_parse },\n"
                 % (m.name, m.cmd, roles[m.role], len(m.fields), m.snake, m.upper,
                    m.snake, m.snake, m.snake))
    o.append("};\n")
    return "".join(o)


def gen_req_c(p):
    o = ["// SPDX-License-Identifier: MIT\n", banner_c()]
    o.append("""
/*
 * The library's encoder: one struct aionl_req as the message of its command.
 * An op is its command's number, so the op picks the message directly.
 */
#include <errno.h>
#include <stdint.h>

#include "aionl.h"
#include "aionl-codec.h"
#include "aionl-req.h"

int aionl__req_op_valid(unsigned int op)
{
	switch (op) {
""")
    enc = [m for m in p.requests() if m.encodable]
    for m in enc:
        for c in m.cmds:
            o.append("\tcase %s:\n" % c)
    o.append("\t\treturn 1;\n\t}\n\treturn 0;\n}\n\n")
    o.append("""int aionl__req_encode(struct nlmsghdr *nlh, size_t room, uint16_t family,
		      const struct aionl_req *r)
{
	struct genlmsghdr *g;

	if (room < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EMSGSIZE;
	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = r->op;
	g->version = AIONL_FAMILY_VERSION;
	switch (r->op) {
""")
    for m in enc:
        for c in m.cmds:
            o.append("\tcase %s:\n" % c)
        o.append("\t{\n\t\tstruct aionl_%s m = {\n" % m.snake)
        opt = [f for f in m.fields if not f.required]
        pres = ["AIONL_%s_REQUIRED_MASK" % m.upper]
        for f in opt:
            src = "r->" + (f.req or f.req_addr)
            pres.append("(%s ? 1ULL << %s : 0)" % (src, m.attr(f)))
        o.append("\t\t\t.present = %s,\n" % " |\n\t\t\t\t   ".join(pres))
        for f in m.fields:
            if f.req_count:
                o.append("\t\t\t.%s = r->%s,\n\t\t\t.%s_len = r->%s * %d,\n"
                         % (f.name, f.req_addr, f.name, f.req_count, f.elem_size))
            elif f.req_addr:
                o.append("\t\t\t.%s = (uintptr_t)r->%s,\n" % (f.name, f.req_addr))
            else:
                o.append("\t\t\t.%s = r->%s,\n" % (f.name, f.req))
        o.append("\t\t};\n\n\t\treturn aionl_%s_put(nlh, room, &m);\n\t}\n" % m.snake)
    o.append("\t}\n\treturn -EINVAL;\n}\n")
    return "".join(o)


def gen_req_h(p):
    o = ["/* SPDX-License-Identifier: MIT */\n", banner_c()]
    o.append("""
#ifndef AIONL_REQ_H
#define AIONL_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct aionl_req;

/* 1 if op is an op struct aionl_req may carry, else 0. */
int aionl__req_op_valid(unsigned int op);

/*
 * Write r at nlh as a request of family, in at most room bytes: 0, -EMSGSIZE
 * if it does not fit, or -EINVAL for an unknown op.
 */
int aionl__req_encode(struct nlmsghdr *nlh, size_t room, uint16_t family,
		      const struct aionl_req *r);

#endif /* AIONL_REQ_H */
""")
    return "".join(o)


