#!/usr/bin/python3
"""Generate the netlink side of the aionl protocol from idl/aionl.proto.

Input is the FileDescriptorSet that `protoc-c --include_source_info
--descriptor_set_out` writes for the IDL. Output, all from that one file:

  gen/uapi/linux/aionl.h       family, command and attribute enums, shared by
                               userspace and the kernel module
  gen/kernel/aionl-nl-gen.h/.c nla_policy tables and the genl_ops table
  gen/aionl-codec.h/.c         userspace structs, libmnl put/parse functions
                               and a descriptor table of every message
  docs/protocol.md             the protocol reference

The conventions it enforces are described at the top of idl/aionl.proto.
Run it through `cmake --build build --target gen`, never by hand-editing output.
"""

import argparse
import os
import re
import sys

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto

BANNER_SRC = "idl/aionl.proto"
REGEN = "cmake --build build --target gen"


def banner_c():
    return ("/* Do not edit: generated from %s by tools/aionlgen.py.\n"
            " * Regenerate with: %s\n */\n" % (BANNER_SRC, REGEN))


class GenError(Exception):
    pass


# proto scalar type -> (kind, C type, kernel policy type, wire size or None)
SCALARS = {
    FDP.TYPE_UINT32: ("u32", "uint32_t", "NLA_U32", 4),
    FDP.TYPE_ENUM: ("u32", "uint32_t", "NLA_U32", 4),
    FDP.TYPE_INT32: ("s32", "int32_t", "NLA_S32", 4),
    FDP.TYPE_UINT64: ("u64", "uint64_t", "NLA_U64", 8),
    FDP.TYPE_INT64: ("s64", "int64_t", "NLA_S64", 8),
    FDP.TYPE_BOOL: ("u8", "uint8_t", "NLA_U8", 1),
    FDP.TYPE_STRING: ("string", "const char *", "NLA_NUL_STRING", None),
    FDP.TYPE_BYTES: ("binary", "const void *", "NLA_BINARY", None),
}


def snake(camel):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def camel(upper_snake):
    return "".join(w.capitalize() for w in upper_snake.lower().split("_"))


def comment_text(s):
    lines = [l.strip() for l in (s or "").strip().splitlines()]
    return " ".join(l for l in lines if l)


class Field:
    def __init__(self, fd, doc):
        if fd.label == FDP.LABEL_REPEATED:
            raise GenError("field %s: repeated fields are not supported" % fd.name)
        if fd.type not in SCALARS:
            raise GenError("field %s: type %d has no netlink mapping" % (fd.name, fd.type))
        if not 1 <= fd.number <= 63:
            raise GenError("field %s: number %d is outside 1..63" % (fd.name, fd.number))
        self.name = fd.name
        self.number = fd.number
        self.kind, self.ctype, self.nla, self.size = SCALARS[fd.type]
        self.required = fd.label == FDP.LABEL_REQUIRED
        self.doc = doc


class Message:
    def __init__(self, name, fields, doc):
        self.name = name
        self.snake = snake(name)
        self.upper = self.snake.upper()
        self.fields = sorted(fields, key=lambda f: f.number)
        self.doc = doc
        self.cmd = None          # uapi command constant
        self.role = None         # "request", "reply" or "notify"
        self.maxattr = max([f.number for f in self.fields] or [0])

    @property
    def attr_prefix(self):
        return "AIONL_A_%s_" % self.upper

    @property
    def required_mask(self):
        m = 0
        for f in self.fields:
            if f.required:
                m |= 1 << f.number
        return m


class Proto:
    def __init__(self, fdset):
        files = [f for f in fdset.file if f.name.endswith("aionl.proto")]
        if len(files) != 1:
            raise GenError("descriptor set holds no aionl.proto")
        f = files[0]
        self.package = f.package
        docs = {}
        for loc in f.source_code_info.location:
            docs[tuple(loc.path)] = comment_text(loc.leading_comments)
        self.enums = {}
        self.enum_docs = {}
        for i, e in enumerate(f.enum_type):
            self.enums[e.name] = [(v.name, v.number, docs.get((5, i, 2, j), ""))
                                  for j, v in enumerate(e.value)]
            self.enum_docs[e.name] = docs.get((5, i), "")
        self.messages = {}
        for i, m in enumerate(f.message_type):
            fields = [Field(fd, docs.get((4, i, 2, j), "")) for j, fd in enumerate(m.field)]
            self.messages[m.name] = Message(m.name, fields, docs.get((4, i), ""))
        self.file_doc = ""
        fam = dict((n, v) for n, v, _ in self.enums.get("Family", []))
        if "FAMILY_VERSION" not in fam:
            raise GenError("enum Family must define FAMILY_VERSION")
        self.version = fam["FAMILY_VERSION"]
        self.commands = []   # (name, number, doc, role)
        for enum, role in (("Cmd", "request"), ("Notify", "notify")):
            for name, num, doc in self.enums.get(enum, []):
                if num == 0:
                    continue
                if not name.startswith("CMD_"):
                    raise GenError("%s value %s must start with CMD_" % (enum, name))
                self.commands.append((name, num, doc, role))
        nums = [c[1] for c in self.commands]
        if len(set(nums)) != len(nums):
            raise GenError("commands of enums Cmd and Notify share a number")
        self.commands.sort(key=lambda c: c[1])
        used = set()
        for name, num, doc, role in self.commands:
            base = camel(name[4:])
            msg = self.messages.get(base)
            if msg is None:
                raise GenError("command %s has no message %s" % (name, base))
            msg.cmd, msg.role = "AIONL_" + name, role
            used.add(base)
            reply = self.messages.get(base + "Reply")
            if reply is not None:
                if role != "request":
                    raise GenError("notification %s cannot have a reply" % name)
                reply.cmd, reply.role = "AIONL_" + name, "reply"
                used.add(base + "Reply")
        for name in self.messages:
            if name not in used:
                raise GenError("message %s belongs to no command" % name)
        self.msg_list = sorted(self.messages.values(),
                               key=lambda m: (next(c[1] for c in self.commands
                                                   if "AIONL_" + c[0] == m.cmd),
                                              m.role == "reply"))

    @property
    def plain_enums(self):
        return [e for e in self.enums if e not in ("Family", "Cmd", "Notify")]


# ---------------------------------------------------------------- uapi header

def gen_uapi(p):
    o = []
    o.append("/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */\n")
    o.append(banner_c())
    o.append("\n#ifndef _UAPI_LINUX_AIONL_H\n#define _UAPI_LINUX_AIONL_H\n\n")
    o.append('#define AIONL_FAMILY_NAME\t"%s"\n' % p.package)
    o.append("#define AIONL_FAMILY_VERSION\t%d\n\n" % p.version)
    o.append("enum aionl_cmd {\n\tAIONL_CMD_UNSPEC,\n")
    for name, num, doc, role in p.commands:
        o.append("\tAIONL_%s = %d,\n" % (name, num))
    o.append("\n\t__AIONL_CMD_MAX,\n\tAIONL_CMD_MAX = (__AIONL_CMD_MAX - 1)\n};\n\n")
    for e in p.plain_enums:
        o.append("enum aionl_%s {\n" % snake(e))
        for name, num, doc in p.enums[e]:
            o.append("\tAIONL_%s = %d,\n" % (name, num))
        o.append("};\n\n")
    for m in p.msg_list:
        o.append("/* Attributes of message %s (%s %s). */\n" % (m.name, m.cmd, m.role))
        o.append("enum {\n\t%sUNSPEC,\n" % m.attr_prefix)
        for f in m.fields:
            o.append("\t%s%s = %d,\n" % (m.attr_prefix, f.name.upper(), f.number))
        o.append("\n\t__%sMAX,\n\t%sMAX = (__%sMAX - 1)\n};\n\n"
                 % (m.attr_prefix, m.attr_prefix, m.attr_prefix))
    o.append("#endif /* _UAPI_LINUX_AIONL_H */\n")
    return "".join(o)


# ---------------------------------------------------------------- kernel side

def gen_kernel_h(p):
    o = ["/* SPDX-License-Identifier: GPL-2.0 */\n", banner_c()]
    o.append("\n#ifndef _AIONL_NL_GEN_H\n#define _AIONL_NL_GEN_H\n\n")
    o.append("#include <net/netlink.h>\n#include <net/genetlink.h>\n\n")
    o.append("#include <linux/aionl.h>\n\n")
    for m in p.msg_list:
        if m.role == "request":
            o.append("extern const struct nla_policy aionl_%s_nl_policy[%sMAX + 1];\n"
                     % (m.snake, m.attr_prefix))
    o.append("\n")
    for m in p.msg_list:
        if m.role == "request":
            o.append("int aionl_nl_%s_doit(struct sk_buff *skb, struct genl_info *info);\n" % m.snake)
    o.append("\n/* Bit n set: attribute n of the request must be present. */\n")
    for m in p.msg_list:
        if m.role == "request":
            o.append("#define AIONL_%s_REQUIRED_MASK 0x%xULL\n" % (m.upper, m.required_mask))
    nreq = sum(1 for m in p.msg_list if m.role == "request")
    o.append("\nextern const struct genl_ops aionl_nl_ops[%d];\n" % nreq)
    o.append("\n#endif /* _AIONL_NL_GEN_H */\n")
    return "".join(o)


def gen_kernel_c(p):
    o = ["// SPDX-License-Identifier: GPL-2.0\n", banner_c()]
    o.append('\n#include "aionl-nl-gen.h"\n\n')
    for m in p.msg_list:
        if m.role != "request":
            continue
        o.append("/* %s */\n" % m.cmd)
        o.append("const struct nla_policy aionl_%s_nl_policy[%sMAX + 1] = {\n"
                 % (m.snake, m.attr_prefix))
        for f in m.fields:
            o.append("\t[%s%s] = { .type = %s, },\n" % (m.attr_prefix, f.name.upper(), f.nla))
        o.append("};\n\n")
    nreq = sum(1 for m in p.msg_list if m.role == "request")
    o.append("/* Ops for AIONL_FAMILY_NAME */\n")
    o.append("const struct genl_ops aionl_nl_ops[%d] = {\n" % nreq)
    for m in p.msg_list:
        if m.role != "request":
            continue
        o.append("\t{\n\t\t.cmd\t\t= %s,\n\t\t.doit\t\t= aionl_nl_%s_doit,\n"
                 "\t\t.policy\t\t= aionl_%s_nl_policy,\n\t\t.maxattr\t= %sMAX,\n\t},\n"
                 % (m.cmd, m.snake, m.snake, m.attr_prefix))
    o.append("};\n")
    return "".join(o)


# ---------------------------------------------------------------- userspace codec

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
};

struct aionl_msg_desc {
	const char *name;	/* as in the IDL */
	uint8_t cmd;
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
    o.append("/*\n * Each message has a struct whose present mask has bit n set when attribute n\n"
             " * is present, a put function that appends the present attributes after the\n"
             " * genlmsghdr (0, or -EMSGSIZE if buflen is too small), and a parse function\n"
             " * that fills the struct from a message (0, or -EINVAL with *err set).\n"
             " * Parsed strings and binaries point into the message.\n */\n\n")
    for m in p.msg_list:
        o.append("/* %s: %s %s */\n" % (m.name, m.cmd, m.role))
        o.append("struct aionl_%s {\n\tuint64_t present;\n" % m.snake)
        for f in m.fields:
            o.append("\t%s%s%s;\n" % (f.ctype, "" if f.ctype.endswith("*") else " ", f.name))
            if f.kind == "binary":
                o.append("\tuint32_t %s_len;\n" % f.name)
        o.append("};\n\n")
        o.append("#define AIONL_%s_REQUIRED_MASK 0x%xULL\n" % (m.upper, m.required_mask))
        o.append("int aionl_%s_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_%s *m);\n"
                 % (m.snake, m.snake))
        o.append("int aionl_%s_parse(const struct nlmsghdr *nlh, struct aionl_%s *m,\n"
                 "\t\tstruct aionl_parse_err *err);\n\n" % (m.snake, m.snake))
    o.append("#endif /* AIONL_CODEC_H */\n")
    return "".join(o)


def put_stmt(m, f):
    a = "%s%s" % (m.attr_prefix, f.name.upper())
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
        return "if (len != %d)\n\t\t\t\treturn aionl__bad_attr(err, nlh, a, \"%s: wrong attribute length\");" % (
            f.size, f.name)
    if f.kind == "string":
        return ("if (len == 0 || ((const char *)mnl_attr_get_payload(a))[len - 1] != '\\0')\n"
                "\t\t\t\treturn aionl__bad_attr(err, nlh, a, \"%s: string is not NUL-terminated\");" % f.name)
    return None


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
        # put
        o.append("int aionl_%s_put(struct nlmsghdr *nlh, size_t buflen, const struct aionl_%s *m)\n{\n"
                 % (m.snake, m.snake))
        if not m.fields:
            o.append("\t(void)nlh;\n\t(void)buflen;\n\t(void)m;\n")
        for f in m.fields:
            o.append("\tif ((m->present & (1ULL << %s%s)) &&\n\t    !%s)\n\t\treturn -EMSGSIZE;\n"
                     % (m.attr_prefix, f.name.upper(), put_stmt(m, f)))
        o.append("\treturn 0;\n}\n\n")
        # missing-attribute names
        o.append("static const char *const aionl__%s_missing[64] = {\n" % m.snake)
        for f in m.fields:
            if f.required:
                o.append("\t[%s%s] = \"missing attribute %s\",\n" % (m.attr_prefix, f.name.upper(), f.name))
        o.append("};\n\n")
        # parse
        o.append("int aionl_%s_parse(const struct nlmsghdr *nlh, struct aionl_%s *m,\n"
                 "\t\tstruct aionl_parse_err *err)\n{\n" % (m.snake, m.snake))
        o.append("\tconst struct nlattr *a;\n\tuint64_t missing;\n\n\tmemset(m, 0, sizeof(*m));\n")
        o.append("\tmnl_attr_for_each(a, nlh, GENL_HDRLEN) {\n")
        o.append("\t\tuint16_t type = mnl_attr_get_type(a);\n")
        o.append("\t\tuint16_t len = mnl_attr_get_payload_len(a);\n\n")
        o.append("\t\t(void)len;\n\t\tswitch (type) {\n")
        for f in m.fields:
            o.append("\t\tcase %s%s:\n" % (m.attr_prefix, f.name.upper()))
            c = check_stmt(f)
            if c:
                o.append("\t\t\t%s\n" % c)
            o.append("\t\t\t%s\n\t\t\tbreak;\n" % get_stmt(f))
        o.append("\t\tdefault:\n\t\t\treturn aionl__bad_attr(err, nlh, a, \"unknown attribute type\");\n")
        o.append("\t\t}\n\t\tm->present |= 1ULL << type;\n\t}\n")
        o.append("\tif (aionl__trailing(err, nlh, a))\n\t\treturn -EINVAL;\n")
        o.append("\tmissing = AIONL_%s_REQUIRED_MASK & ~m->present;\n" % m.upper)
        o.append("\tif (missing)\n\t\treturn aionl__missing(err, missing, aionl__%s_missing);\n" % m.snake)
        o.append("\treturn 0;\n}\n\n")
    # descriptor table
    for m in p.msg_list:
        o.append("static const struct aionl_attr_desc aionl__%s_attrs[] = {\n" % m.snake)
        for f in m.fields:
            lo = ("offsetof(struct aionl_%s, %s_len)" % (m.snake, f.name)) if f.kind == "binary" else "0"
            o.append("\t{ \"%s\", %s%s, %s, %d, offsetof(struct aionl_%s, %s), %s },\n"
                     % (f.name, m.attr_prefix, f.name.upper(), KIND_ENUM[f.kind], int(f.required),
                        m.snake, f.name, lo))
        if not m.fields:
            o.append("\t{ NULL, 0, 0, 0, 0, 0 },\n")
        o.append("};\n\n")
        o.append("static int aionl__%s_put(struct nlmsghdr *nlh, size_t buflen, const void *m)\n"
                 "{\n\treturn aionl_%s_put(nlh, buflen, m);\n}\n\n" % (m.snake, m.snake))
        o.append("static int aionl__%s_parse(const struct nlmsghdr *nlh, void *m, struct aionl_parse_err *err)\n"
                 "{\n\treturn aionl_%s_parse(nlh, m, err);\n}\n\n" % (m.snake, m.snake))
    o.append("const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT] = {\n")
    roles = {"request": 0, "reply": 1, "notify": 2}
    for m in p.msg_list:
        o.append("\t{ \"%s\", %s, %d, %d, sizeof(struct aionl_%s), AIONL_%s_REQUIRED_MASK,\n"
                 "\t  aionl__%s_attrs, aionl__%s_put, aionl__%s_parse },\n"
                 % (m.name, m.cmd, roles[m.role], len(m.fields), m.snake, m.upper,
                    m.snake, m.snake, m.snake))
    o.append("};\n")
    return "".join(o)


# ---------------------------------------------------------------- docs

def gen_doc(p):
    o = ["<!-- Do not edit: generated from %s by tools/aionlgen.py. Regenerate with: %s -->\n\n"
         % (BANNER_SRC, REGEN)]
    o.append("# The aionl protocol\n\n")
    o.append("Generic netlink family `%s`, version %d. Every message is a `struct nlmsghdr`, "
             "a `struct genlmsghdr` whose `cmd` is one of the commands below and whose "
             "`version` is %d, and netlink attributes. Attribute numbers are the field "
             "numbers of `idl/aionl.proto`; integers are in host byte order.\n\n"
             % (p.package, p.version, p.version))
    o.append("The same bytes travel over a netlink socket to the kernel module and over an "
             "`AF_UNIX` `SOCK_SEQPACKET` socket to the userspace engine. There, the family id is "
             "resolved the same way: a `CTRL_CMD_GETFAMILY` request for `\"%s\"` answered by the "
             "engine. A message that fails validation is answered with `NLMSG_ERROR` carrying the "
             "error, the echoed request and extended-ACK attributes "
             "(`NLMSGERR_ATTR_MSG`, `NLMSGERR_ATTR_OFFS` or `NLMSGERR_ATTR_MISS_TYPE`).\n\n" % p.package)
    o.append("## Commands\n\n| command | value | direction | request | reply | meaning |\n|---|---|---|---|---|---|\n")
    for name, num, doc, role in p.commands:
        base = camel(name[4:])
        reply = (base + "Reply") if (base + "Reply") in p.messages else "-"
        d = "program to engine" if role == "request" else "engine to program"
        o.append("| `AIONL_%s` | %d | %s | [%s](#%s) | %s | %s |\n"
                 % (name, num, d, base, base.lower(),
                    ("[%s](#%s)" % (reply, reply.lower())) if reply != "-" else "-", doc))
    o.append("\n## Enums\n\n")
    for e in p.plain_enums:
        o.append("### enum aionl_%s\n\n%s\n\n| name | value | meaning |\n|---|---|---|\n"
                 % (snake(e), p.enum_docs.get(e, "")))
        for name, num, doc in p.enums[e]:
            o.append("| `AIONL_%s` | %d | %s |\n" % (name, num, doc))
        o.append("\n")
    o.append("## Messages\n\n")
    for m in p.msg_list:
        o.append("### %s\n\n`%s`, %s. %s\n\n" % (m.name, m.cmd, m.role, m.doc))
        if not m.fields:
            o.append("No attributes.\n\n")
            continue
        o.append("| attribute | type | required | meaning |\n|---|---|---|---|\n")
        for f in m.fields:
            o.append("| `%s%s` = %d | %s | %s | %s |\n"
                     % (m.attr_prefix, f.name.upper(), f.number, f.kind,
                        "yes" if f.required else "no", f.doc))
        o.append("\n")
    return "".join(o)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = None
    if os.path.exists(path):
        with open(path) as fh:
            old = fh.read()
    if old != text:
        with open(path, "w") as fh:
            fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("descriptor_set")
    ap.add_argument("--gen-dir", required=True)
    ap.add_argument("--doc", required=True)
    args = ap.parse_args()
    fdset = descriptor_pb2.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as fh:
        fdset.ParseFromString(fh.read())
    try:
        p = Proto(fdset)
    except GenError as e:
        sys.stderr.write("aionlgen: %s: %s\n" % (BANNER_SRC, e))
        return 1
    g = args.gen_dir
    write(os.path.join(g, "uapi/linux/aionl.h"), gen_uapi(p))
    write(os.path.join(g, "kernel/aionl-nl-gen.h"), gen_kernel_h(p))
    write(os.path.join(g, "kernel/aionl-nl-gen.c"), gen_kernel_c(p))
    write(os.path.join(g, "aionl-codec.h"), gen_codec_h(p))
    write(os.path.join(g, "aionl-codec.c"), gen_codec_c(p))
    write(args.doc, gen_doc(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
