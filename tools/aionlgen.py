#!/usr/bin/python3
"""Generate the netlink side of the aionl protocol from idl/aionl.proto.

Input is the FileDescriptorSet that `protoc-c --include_imports
--include_source_info --descriptor_set_out` writes for the IDL. Output, all
from that one file:

  gen/uapi/linux/aionl.h        family, commands, enums and their masks, the
                                protocol's limits, attribute enums: shared by
                                the library, the engine, the module and programs
  gen/aionl-msg.h               every message as a C struct, for both sides
  gen/kernel/aionl-nl-gen.h/.c  nla_policy tables with ranges and masks, the
                                genl_ops and genl_family, attribute parsers and
                                the reply and notification builders
  gen/aionl-codec.h/.c          the userspace libmnl codec: put and parse
                                functions that check what the kernel's policies
                                check, and a descriptor table of every message
  gen/aionl-req.c               the library's encoder of struct aionl_req
  docs/protocol.md              the protocol reference

With --plain-desc it also writes the IDL's descriptor without the generator's
options, from which protoc-c generates gen/aionl.pb-c.[ch] for the codec test.

The conventions it enforces are described at the top of idl/aionl.proto.
Run it through `cmake --build build --target gen`, never by hand-editing output.
"""

import argparse
import os
import re
import sys

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto

IDL = "idl/aionl.proto"
REGEN = "cmake --build build --target gen"
DUAL = "((GPL-2.0 WITH Linux-syscall-note) OR MIT)"

# Field numbers of idl/aionl_options.proto.
OPT_MIN, OPT_MAX, OPT_FLAGS, OPT_ELEM_SIZE = 50001, 50002, 50003, 50004
OPT_REQ, OPT_REQ_ADDR, OPT_REQ_COUNT = 50005, 50006, 50007
OPT_ATTRS = 50010
OPT_CONSTANTS = 50020


def banner_c():
    return ("/* Do not edit: generated from %s by tools/aionlgen.py.\n"
            " * Regenerate with: %s\n */\n" % (IDL, REGEN))


class GenError(Exception):
    pass


# proto scalar type -> (kind, C type, kernel policy type, wire size or None)
SCALARS = {
    FDP.TYPE_UINT32: ("u32", "__u32", "NLA_U32", 4),
    FDP.TYPE_ENUM: ("u32", "__u32", "NLA_U32", 4),
    FDP.TYPE_INT32: ("s32", "__s32", "NLA_S32", 4),
    FDP.TYPE_UINT64: ("u64", "__u64", "NLA_U64", 8),
    FDP.TYPE_INT64: ("s64", "__s64", "NLA_S64", 8),
    FDP.TYPE_BOOL: ("u8", "__u8", "NLA_U8", 1),
    FDP.TYPE_STRING: ("string", "const char *", "NLA_NUL_STRING", None),
    FDP.TYPE_BYTES: ("binary", "const void *", "NLA_BINARY", None),
}
UNSIGNED_MAX = {"u8": 0xff, "u32": 0xffffffff, "u64": 0xffffffffffffffff}


def snake(camel_name):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel_name)
    return re.sub(r"(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1", s).lower()


def camel(upper_snake):
    return "".join(w.capitalize() for w in upper_snake.lower().split("_"))


def comment_text(s):
    lines = [l.strip() for l in (s or "").strip().splitlines()]
    return " ".join(l for l in lines if l)


def c_int(v, kind="u64"):
    """A C literal for v, typed for its kind."""
    if v < 0:
        return "(%d)" % v if v >= -0x80000000 else "(-%dLL)" % -v
    text = ("0x%x" % v) if v > 0xffff else "%d" % v
    return text + ("ULL" if kind in ("u64", "s64") or v > 0xffffffff else "U")


def decode_options(msg):
    """The generator's options in an options message: {number: [values]}."""
    raw = msg.SerializeToString()
    out = {}
    i = 0

    def varint():
        nonlocal i
        v = shift = 0
        while True:
            b = raw[i]
            i += 1
            v |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                return v

    while i < len(raw):
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            val = varint()
        elif wt == 2:
            n = varint()
            val = raw[i:i + n].decode()
            i += n
        elif wt == 1:
            val = int.from_bytes(raw[i:i + 8], "little")
            i += 8
        elif wt == 5:
            val = int.from_bytes(raw[i:i + 4], "little")
            i += 4
        else:
            raise GenError("option %d: unsupported wire type %d" % (num, wt))
        out.setdefault(num, []).append(val)
    return out


class Field:
    def __init__(self, fd, doc, proto_enums):
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
        self.enum = fd.type_name.split(".")[-1] if fd.type == FDP.TYPE_ENUM else None
        opts = decode_options(fd.options)
        one = lambda n: opts[n][-1] if n in opts else None
        self.min_s, self.max_s = one(OPT_MIN), one(OPT_MAX)
        self.flags = one(OPT_FLAGS)
        self.elem_size = one(OPT_ELEM_SIZE)
        self.req, self.req_addr, self.req_count = one(OPT_REQ), one(OPT_REQ_ADDR), one(OPT_REQ_COUNT)
        self.min = self.max = self.mask = None
        if self.elem_size is not None and self.kind != "binary":
            raise GenError("field %s: elem_size belongs to bytes fields" % fd.name)
        if self.kind == "binary" and (self.min_s or self.max_s) and not self.elem_size:
            raise GenError("field %s: a bytes field is bounded in elements: give elem_size"
                           % fd.name)
        if self.enum and (self.min_s or self.max_s or self.flags):
            raise GenError("field %s: an enum field takes its enum's values" % fd.name)
        if (self.req_count is not None) != (self.kind == "binary" and self.req_addr is not None):
            raise GenError("field %s: req_count goes with a bytes field's req_addr" % fd.name)

    def resolve(self, consts, enums):
        def value(text):
            if text is None:
                return None
            if text in consts:
                return consts[text][1]
            try:
                return int(text, 0)
            except ValueError:
                raise GenError("field %s: %r is neither a number nor a Limits constant"
                               % (self.name, text))
        self.min, self.max = value(self.min_s), value(self.max_s)
        if self.flags is not None:
            if self.kind not in ("u32", "u64"):
                raise GenError("field %s: flags belong to unsigned fields" % self.name)
            if self.flags in enums:
                self.mask = 0
                for _, num, _ in enums[self.flags]:
                    self.mask |= num
            else:
                self.mask = value(self.flags)
        if self.kind in UNSIGNED_MAX and self.max is not None and self.max > UNSIGNED_MAX[self.kind]:
            raise GenError("field %s: max %d does not fit a %s" % (self.name, self.max, self.kind))
        if self.enum is not None and self.enum not in enums:
            raise GenError("field %s: enum %s is not in the IDL" % (self.name, self.enum))

    @property
    def checked(self):
        return (self.min is not None or self.max is not None or self.mask is not None or
                self.enum is not None or self.elem_size is not None)

    def range_text(self, consts_by_value=None):
        """The field's range, for the reference."""
        parts = []
        if self.enum:
            parts.append("a value of enum %s" % self.enum)
        if self.flags:
            parts.append("bits of %s" % self.flags)
        if self.elem_size:
            parts.append("%d-byte elements" % self.elem_size)
        if self.min_s is not None or self.max_s is not None:
            parts.append("%s..%s" % (self.min_s if self.min_s is not None else "0",
                                      self.max_s if self.max_s is not None else "any"))
        return "; ".join(parts)


class Message:
    def __init__(self, name, fields, doc, opts):
        self.name = name
        self.snake = snake(name)
        self.upper = self.snake.upper()
        self.fields = sorted(fields, key=lambda f: f.number)
        self.doc = doc
        self.constants = bool(opts.get(OPT_CONSTANTS, [0])[-1])
        self.cmds = []           # uapi command constants that use it
        self.role = None         # "request", "reply" or "notify"
        self.maxattr = max([f.number for f in self.fields] or [0])

    @property
    def cmd(self):
        return self.cmds[0]

    @property
    def attr_prefix(self):
        return "AIONL_A_%s_" % self.upper

    def attr(self, f):
        return self.attr_prefix + f.name.upper()

    @property
    def required_mask(self):
        m = 0
        for f in self.fields:
            if f.required:
                m |= 1 << f.number
        return m

    @property
    def encodable(self):
        return (self.role == "request" and bool(self.fields) and
                all(f.req or f.req_addr for f in self.fields))


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
        self.cmd_attrs = {}
        for i, e in enumerate(f.enum_type):
            self.enums[e.name] = [(v.name, v.number, docs.get((5, i, 2, j), ""))
                                  for j, v in enumerate(e.value)]
            self.enum_docs[e.name] = docs.get((5, i), "")
            for v in e.value:
                o = decode_options(v.options)
                if OPT_ATTRS in o:
                    self.cmd_attrs[v.name] = o[OPT_ATTRS][-1]
        self.messages = {}
        self.consts = {}         # NAME -> (kind, value, doc)
        self.const_list = []
        for i, m in enumerate(f.message_type):
            fields = [Field(fd, docs.get((4, i, 2, j), ""), self.enums)
                      for j, fd in enumerate(m.field)]
            msg = Message(m.name, fields, docs.get((4, i), ""), decode_options(m.options))
            if msg.constants:
                for j, fd in enumerate(m.field):
                    if not fd.HasField("default_value"):
                        raise GenError("constant %s has no default" % fd.name)
                    name = fd.name.upper()
                    self.consts[name] = (SCALARS[fd.type][0], int(fd.default_value, 0),
                                         docs.get((4, i, 2, j), ""))
                    self.const_list.append(name)
                continue
            self.messages[m.name] = msg
        for msg in self.messages.values():
            for fld in msg.fields:
                fld.resolve(self.consts, self.enums)
        fam = dict((n, v) for n, v, _ in self.enums.get("Family", []))
        if "FAMILY_VERSION" not in fam:
            raise GenError("enum Family must define FAMILY_VERSION")
        self.version = fam["FAMILY_VERSION"]
        self.commands = []   # (name, number, doc, role, message)
        for enum, role in (("Cmd", "request"), ("Notify", "notify")):
            for name, num, doc in self.enums.get(enum, []):
                if num == 0:
                    continue
                if not name.startswith("CMD_"):
                    raise GenError("%s value %s must start with CMD_" % (enum, name))
                self.commands.append((name, num, doc, role,
                                      self.cmd_attrs.get(name, camel(name[4:]))))
        nums = [c[1] for c in self.commands]
        if len(set(nums)) != len(nums):
            raise GenError("commands of enums Cmd and Notify share a number")
        self.commands.sort(key=lambda c: c[1])
        used = set()
        for name, num, doc, role, base in self.commands:
            msg = self.messages.get(base)
            if msg is None:
                raise GenError("command %s has no message %s" % (name, base))
            if msg.role not in (None, role):
                raise GenError("message %s serves both a %s and a %s" % (base, msg.role, role))
            msg.cmds.append("AIONL_" + name)
            msg.role = role
            used.add(base)
            reply = self.messages.get(camel(name[4:]) + "Reply")
            if reply is not None:
                if role != "request":
                    raise GenError("notification %s cannot have a reply" % name)
                reply.cmds.append("AIONL_" + name)
                reply.role = "reply"
                used.add(reply.name)
        for name in self.messages:
            if name not in used:
                raise GenError("message %s belongs to no command" % name)
        for msg in self.messages.values():
            cookie = [fl for fl in msg.fields if fl.name == "cookie"]
            if msg.role == "request" and cookie and cookie[0].number != 1:
                raise GenError("message %s: cookie must be attribute 1" % msg.name)
            if msg.role != "request" and any(fl.req or fl.req_addr for fl in msg.fields):
                raise GenError("message %s: only requests map struct aionl_req" % msg.name)
        order = {}
        for name, num, doc, role, base in self.commands:
            order.setdefault(base, num)
            order.setdefault(camel(name[4:]) + "Reply", num + 0.5)
        self.msg_list = sorted(self.messages.values(), key=lambda m: order[m.name])
        # Enums whose bits some field takes: they get a mask.
        self.flag_enums = sorted(set(fl.flags for m in self.msg_list for fl in m.fields
                                     if fl.flags in self.enums))

    @property
    def plain_enums(self):
        return [e for e in self.enums if e not in ("Family", "Cmd", "Notify")]

    def cmd_of(self, name):
        return [c for c in self.commands if "AIONL_" + c[0] == name][0]

    def requests(self):
        return [m for m in self.msg_list if m.role == "request"]

    def enum_const(self, e, v):
        return "AIONL_" + v


def enum_mask_name(e):
    return "AIONL_%s_MASK" % snake(e).upper()


# ---------------------------------------------------------------- uapi header

def gen_uapi(p):
    o = ["/* SPDX-License-Identifier: %s */\n" % DUAL, banner_c()]
    o.append("\n#ifndef _UAPI_LINUX_AIONL_H\n#define _UAPI_LINUX_AIONL_H\n\n")
    o.append('#define AIONL_FAMILY_NAME\t"%s"\n' % p.package)
    o.append("#define AIONL_FAMILY_VERSION\t%d\n\n" % p.version)
    o.append("/* The protocol's limits and special values. */\n")
    for name in p.const_list:
        kind, val, doc = p.consts[name]
        if doc:
            o.append("/* %s */\n" % doc)
        o.append("#define AIONL_%s %s\n" % (name, c_int(val, kind)))
    o.append("\n/* Every request that completes through a Completion carries its cookie here. */\n")
    o.append("#define AIONL_A_COOKIE 1\n\n")
    o.append("enum aionl_cmd {\n\tAIONL_CMD_UNSPEC,\n")
    for name, num, doc, role, base in p.commands:
        o.append("\tAIONL_%s = %d,\n" % (name, num))
    o.append("\n\t__AIONL_CMD_MAX,\n\tAIONL_CMD_MAX = (__AIONL_CMD_MAX - 1)\n};\n\n")
    for e in p.plain_enums:
        o.append("enum aionl_%s {\n" % snake(e))
        for name, num, doc in p.enums[e]:
            o.append("\tAIONL_%s = %d,\n" % (name, num))
        o.append("};\n")
        if e in p.flag_enums:
            mask = 0
            for _, num, _ in p.enums[e]:
                mask |= num
            o.append("#define %s 0x%xU\n" % (enum_mask_name(e), mask))
        o.append("\n")
    for m in p.msg_list:
        o.append("/* Attributes of message %s (%s %s). */\n" % (m.name, ", ".join(m.cmds), m.role))
        o.append("enum {\n\t%sUNSPEC,\n" % m.attr_prefix)
        for f in m.fields:
            o.append("\t%s = %d,\n" % (m.attr(f), f.number))
        o.append("\n\t__%sMAX,\n\t%sMAX = (__%sMAX - 1)\n};\n\n"
                 % (m.attr_prefix, m.attr_prefix, m.attr_prefix))
    o.append("#endif /* _UAPI_LINUX_AIONL_H */\n")
    return "".join(o)


# ---------------------------------------------------------------- message structs

def gen_msg_h(p):
    o = ["/* SPDX-License-Identifier: %s */\n" % DUAL, banner_c()]
    o.append("""
/*
 * Every message of the protocol as a C struct, the same for the library, the
 * engine and the kernel module: bit n of present is set when attribute n is.
 * Parsed strings and byte arrays point into the message they came from.
 */
#ifndef AIONL_MSG_H
#define AIONL_MSG_H

#include <linux/types.h>
#include <linux/aionl.h>

""")
    typed = sorted(set(f.enum for m in p.msg_list for f in m.fields if f.enum))
    for e in typed:
        up = snake(e).upper()
        o.append("/* The values of enum aionl_%s, which attributes of that type take. */\n" % snake(e))
        o.append("#define AIONL_%s_COUNT %d\n" % (up, len(p.enums[e])))
        o.append("#define AIONL_%s_VALUES { %s }\n\n"
                 % (up, ", ".join("AIONL_" + n for n, _, _ in p.enums[e])))
    for m in p.msg_list:
        o.append("/* %s: %s %s */\n" % (m.name, ", ".join(m.cmds), m.role))
        o.append("struct aionl_%s {\n\t__u64 present;\n" % m.snake)
        for f in m.fields:
            o.append("\t%s%s%s;\n" % (f.ctype, "" if f.ctype.endswith("*") else " ", f.name))
            if f.kind == "binary":
                o.append("\t__u32 %s_len;\n" % f.name)
        o.append("};\n\n")
        o.append("#define AIONL_%s_REQUIRED_MASK 0x%xULL\n\n" % (m.upper, m.required_mask))
    o.append("#endif /* AIONL_MSG_H */\n")
    return "".join(o)


# ---------------------------------------------------------------- kernel side

def kernel_policy(p, m, f, extra):
    """The nla_policy entry of f; helper definitions go to extra."""
    name = "aionl_%s_%s" % (m.snake, f.name)
    # Integers take no validation function: 6.1's policy dump reads the
    # function pointer as a range and WARNs. Their ranges and enums are
    # checked by the command's parser instead (kernel_checks).
    if f.elem_size:
        fn = name + "_validate"
        lo = f.min if f.min is not None else 0
        maxlen = "%s * %d" % ("AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max), f.elem_size)
        # The length is checked here, not by the policy's .len, which answers -ERANGE.
        body = ("\tint len = nla_len(attr);\n\n"
                "\tif (len %% %d || len < %d * %d || len > %s) {\n"
                "\t\tNL_SET_ERR_MSG_ATTR(extack, attr, \"%s: not an array of %d to %s %d-byte elements\");\n"
                "\t\treturn -EINVAL;\n\t}\n\treturn 0;\n"
                % (f.elem_size, lo, f.elem_size, maxlen, f.name, lo, f.max_s, f.elem_size))
        extra[fn] = ("static int %s(const struct nlattr *attr, struct netlink_ext_ack *extack)\n{\n%s}\n\n"
                     % (fn, body))
        return "NLA_POLICY_VALIDATE_FN(NLA_BINARY, %s)" % fn
    if f.mask is not None:
        cname = enum_mask_name(f.flags) if f.flags in p.enums else "AIONL_" + f.flags
        if f.kind == "u32":
            return "NLA_POLICY_MASK(NLA_U32, %s)" % cname
        raise GenError("field %s: a 64-bit mask has no nla_policy on 6.1" % f.name)
    return "{ .type = %s, }" % f.nla


def kernel_checks(p, m, f):
    """The range of an integer attribute, checked as the user side's parser does.

    The kernel's range policies would answer -ERANGE, and on 6.1 a validation
    function on an integer makes the policy dump WARN; the protocol promises
    -EINVAL for a value out of its range, as io_uring does for lengths.
    """
    if f.kind not in UNSIGNED_MAX and f.kind not in ("s32", "s64"):
        return ""
    a, v = "tb[%s]" % m.attr(f), "m->" + f.name
    bad = lambda why: ("\t\t\tNL_SET_ERR_MSG_ATTR(info->extack, %s, \"%s: %s\");\n"
                       "\t\t\treturn -EINVAL;\n" % (a, f.name, why))
    out = []
    if f.enum:
        out.append("\t\tswitch (%s) {\n" % v)
        for n, _, _ in p.enums[f.enum]:
            out.append("\t\tcase AIONL_%s:\n" % n)
        out.append("\t\t\tbreak;\n\t\tdefault:\n%s\t\t}\n" % bad("not a value of " + f.enum))
    conds = []
    if f.min is not None and f.min > 0:
        conds.append("%s < %s" % (v, c_int(f.min, f.kind)))
    if f.max is not None:
        conds.append("%s > %s" % (v, "AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max, f.kind)))
    if conds:
        out.append("\t\tif (%s) {\n%s\t\t}\n" % (" || ".join(conds), bad("out of range")))
    return "".join(out).replace("\t\t\tNL_SET", "\t\t\tNL_SET")


NLA_GET = {"u8": "nla_get_u8", "u32": "nla_get_u32", "s32": "nla_get_s32",
           "u64": "nla_get_u64", "s64": "nla_get_s64"}


def kernel_put(m, f):
    a, v = m.attr(f), "m->" + f.name
    if f.kind == "u8":
        return "nla_put_u8(skb, %s, %s)" % (a, v)
    if f.kind == "u32":
        return "nla_put_u32(skb, %s, %s)" % (a, v)
    if f.kind == "s32":
        return "nla_put_s32(skb, %s, %s)" % (a, v)
    if f.kind == "u64":
        return "nla_put_u64_64bit(skb, %s, %s, AIONL_NL_NOPAD)" % (a, v)
    if f.kind == "s64":
        return "nla_put_s64(skb, %s, %s, AIONL_NL_NOPAD)" % (a, v)
    if f.kind == "string":
        return "nla_put_string(skb, %s, %s)" % (a, v)
    return "nla_put(skb, %s, %s_len, %s)" % (a, v, v)


def gen_kernel_h(p):
    o = ["/* SPDX-License-Identifier: GPL-2.0 */\n", banner_c()]
    o.append("\n#ifndef _AIONL_NL_GEN_H\n#define _AIONL_NL_GEN_H\n\n")
    o.append("#include <net/netlink.h>\n#include <net/genetlink.h>\n\n")
    o.append("#include <linux/aionl.h>\n#include \"aionl-msg.h\"\n\n")
    o.append("/* The family: its ops and policies below, registered by the module. */\n")
    o.append("extern struct genl_family aionl_nl_family;\n\n")
    for m in p.requests():
        if m.fields:
            o.append("extern const struct nla_policy aionl_%s_nl_policy[%sMAX + 1];\n"
                     % (m.snake, m.attr_prefix))
    o.append("\n/* The handlers the module writes, one per command. */\n")
    for name, num, doc, role, base in p.commands:
        if role == "request":
            o.append("int aionl_nl_%s_doit(struct sk_buff *skb, struct genl_info *info);\n"
                     % name[4:].lower())
    o.append("\n/*\n * Fill a request's struct from the attributes genetlink parsed and checked\n"
             " * against its policy: 0, or -EINVAL with the missing attribute named in the\n"
             " * extended ACK.\n */\n")
    for m in p.requests():
        o.append("int aionl_nl_%s_parse(struct genl_info *info, struct aionl_%s *m);\n"
                 % (m.snake, m.snake))
    o.append("\n/*\n * Append a whole reply or notification carrying the present attributes of\n"
             " * m: 0, or -EMSGSIZE with skb as it was.\n */\n")
    for m in p.msg_list:
        if m.role in ("reply", "notify"):
            o.append("int aionl_nl_%s_put(struct sk_buff *skb, u32 seq, const struct aionl_%s *m);\n"
                     % (m.snake, m.snake))
    o.append("\n#endif /* _AIONL_NL_GEN_H */\n")
    return "".join(o)


def gen_kernel_c(p):
    o = ["// SPDX-License-Identifier: GPL-2.0\n", banner_c()]
    o.append('\n#include <linux/module.h>\n\n#include "aionl-nl-gen.h"\n\n')
    o.append("/*\n * No pad attribute: where 64-bit values need aligning, attribute 0 is refused\n"
             " * by every parser of this family. x86-64 and arm64 never pad.\n */\n"
             "#define AIONL_NL_NOPAD 0\n\n")
    extra = {}
    policies = []
    for m in p.requests():
        if not m.fields:
            continue
        body = ["/* %s */\n" % ", ".join(m.cmds),
                "const struct nla_policy aionl_%s_nl_policy[%sMAX + 1] = {\n" % (m.snake, m.attr_prefix)]
        for f in m.fields:
            body.append("\t[%s] = %s,\n" % (m.attr(f), kernel_policy(p, m, f, extra)))
        body.append("};\n\n")
        policies.append("".join(body))
    for k in sorted(extra):
        o.append(extra[k])
    o.extend(policies)
    # parsers
    for m in p.requests():
        o.append("int aionl_nl_%s_parse(struct genl_info *info, struct aionl_%s *m)\n{\n"
                 % (m.snake, m.snake))
        if m.fields:
            o.append("\tstruct nlattr **tb = info->attrs;\n\n")
        else:
            o.append("\t(void)info;\n")
        req = [f for f in m.fields if f.required]
        if req:
            o.append("\tif (%s)\n\t\treturn -EINVAL;\n"
                     % (" ||\n\t    ".join("GENL_REQ_ATTR_CHECK(info, %s)" % m.attr(f) for f in req)))
        o.append("\tmemset(m, 0, sizeof(*m));\n")
        for f in m.fields:
            a = "tb[%s]" % m.attr(f)
            o.append("\tif (%s) {\n" % a)
            if f.kind == "binary":
                o.append("\t\tm->%s = nla_data(%s);\n\t\tm->%s_len = nla_len(%s);\n" % (f.name, a, f.name, a))
            elif f.kind == "string":
                o.append("\t\tm->%s = nla_data(%s);\n" % (f.name, a))
            else:
                o.append("\t\tm->%s = %s(%s);\n" % (f.name, NLA_GET[f.kind], a))
            o.append("\t\tm->present |= 1ULL << %s;\n" % m.attr(f))
            o.append(kernel_checks(p, m, f))
            o.append("\t}\n")
        o.append("\treturn 0;\n}\n\n")
    # builders
    for m in p.msg_list:
        if m.role not in ("reply", "notify"):
            continue
        o.append("int aionl_nl_%s_put(struct sk_buff *skb, u32 seq, const struct aionl_%s *m)\n{\n"
                 % (m.snake, m.snake))
        o.append("\tvoid *hdr = genlmsg_put(skb, 0, seq, &aionl_nl_family, 0, %s);\n\n" % m.cmd)
        o.append("\tif (!hdr)\n\t\treturn -EMSGSIZE;\n")
        for f in m.fields:
            o.append("\tif ((m->present & (1ULL << %s)) &&\n\t    %s)\n\t\tgoto cancel;\n"
                     % (m.attr(f), kernel_put(m, f)))
        o.append("\tgenlmsg_end(skb, hdr);\n\treturn 0;\ncancel:\n"
                 "\tgenlmsg_cancel(skb, hdr);\n\treturn -EMSGSIZE;\n}\n\n")
    nreq = sum(1 for c in p.commands if c[3] == "request")
    o.append("static const struct genl_ops aionl_nl_ops[%d] = {\n" % nreq)
    for name, num, doc, role, base in p.commands:
        if role != "request":
            continue
        m = p.messages[base]
        o.append("\t{\n\t\t.cmd\t\t= AIONL_%s,\n\t\t.doit\t\t= aionl_nl_%s_doit,\n"
                 % (name, name[4:].lower()))
        # A policy of no attributes (maxattr 0) makes 6.1's policy dump WARN.
        if m.fields:
            o.append("\t\t.policy\t\t= aionl_%s_nl_policy,\n\t\t.maxattr\t= %sMAX,\n"
                     % (m.snake, m.attr_prefix))
        o.append("\t},\n")
    o.append("};\n\n")
    o.append("""/*
 * Any process may open the family's socket, in any network namespace: each
 * request runs with its sender's own rights. Requests of one socket may run
 * in parallel (the module keeps its own per-socket locking).
 */
struct genl_family aionl_nl_family __ro_after_init = {
	.name		= AIONL_FAMILY_NAME,
	.version	= AIONL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= aionl_nl_ops,
	.n_ops		= ARRAY_SIZE(aionl_nl_ops),
};
""")
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
        o.append("\tmnl_attr_for_each(a, nlh, GENL_HDRLEN) {\n")
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
    o.append("const struct aionl_msg_desc aionl_msg_descs[AIONL_MSG_DESC_COUNT] = {\n")
    roles = {"request": 0, "reply": 1, "notify": 2}
    for m in p.msg_list:
        o.append("\t{ \"%s\", %s, %d, %d, sizeof(struct aionl_%s), AIONL_%s_REQUIRED_MASK,\n"
                 "\t  aionl__%s_attrs, aionl__%s_put, aionl__%s_parse },\n"
                 % (m.name, m.cmd, roles[m.role], len(m.fields), m.snake, m.upper,
                    m.snake, m.snake, m.snake))
    o.append("};\n")
    return "".join(o)


# ---------------------------------------------------------------- request encoder

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


# ---------------------------------------------------------------- docs

def gen_doc(p):
    o = ["<!-- Do not edit: generated from %s by tools/aionlgen.py. Regenerate with: %s -->\n\n"
         % (IDL, REGEN)]
    o.append("# The aionl protocol\n\n")
    o.append("Generic netlink family `%s`, version %d. Every message is a `struct nlmsghdr`, "
             "a `struct genlmsghdr` whose `cmd` is one of the commands below and whose "
             "`version` is %d, and netlink attributes. Attribute numbers are the field "
             "numbers of `idl/aionl.proto`; integers are in host byte order.\n\n"
             % (p.package, p.version, p.version))
    o.append("The same bytes travel over a netlink socket to the kernel module and over an "
             "`AF_UNIX` `SOCK_SEQPACKET` socket to the userspace engine. There, the family id is "
             "resolved the same way: a `CTRL_CMD_GETFAMILY` request for `\"%s\"` answered by the "
             "engine. A message that fails validation (a missing attribute, a wrong length, a "
             "value out of its range) is answered with `NLMSG_ERROR` carrying the "
             "error, the echoed request and extended-ACK attributes "
             "(`NLMSGERR_ATTR_MSG`, `NLMSGERR_ATTR_OFFS` or `NLMSGERR_ATTR_MISS_TYPE`); "
             "both servers check the same ranges, generated from the IDL.\n\n" % p.package)
    o.append("## Limits\n\n| constant | value | meaning |\n|---|---|---|\n")
    for name in p.const_list:
        kind, val, doc = p.consts[name]
        o.append("| `AIONL_%s` | %s | %s |\n" % (name, ("0x%x" % val) if val > 0xffff else val, doc))
    o.append("\n## Commands\n\n| command | value | direction | request | reply | meaning |\n"
             "|---|---|---|---|---|---|\n")
    for name, num, doc, role, base in p.commands:
        reply = camel(name[4:]) + "Reply"
        reply = reply if reply in p.messages else "-"
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
        if e in p.flag_enums:
            o.append("\n`%s` holds every bit.\n" % enum_mask_name(e))
        o.append("\n")
    o.append("## Messages\n\n")
    for m in p.msg_list:
        o.append("### %s\n\n%s, %s. %s\n\n" % (m.name, ", ".join("`%s`" % c for c in m.cmds),
                                                m.role, m.doc))
        if not m.fields:
            o.append("No attributes.\n\n")
            continue
        o.append("| attribute | type | required | range | meaning |\n|---|---|---|---|---|\n")
        for f in m.fields:
            o.append("| `%s` = %d | %s | %s | %s | %s |\n"
                     % (m.attr(f), f.number, f.kind, "yes" if f.required else "no",
                        f.range_text(), f.doc))
        o.append("\n")
    return "".join(o)


def plain_descriptor(fdset):
    """The IDL's descriptor without the generator's options, for protoc-c."""
    out = descriptor_pb2.FileDescriptorSet()
    f = [x for x in fdset.file if x.name.endswith("aionl.proto")][0]
    g = out.file.add()
    g.CopyFrom(f)
    del g.dependency[:]
    g.ClearField("source_code_info")
    for m in g.message_type:
        m.ClearField("options")
        for fd in m.field:
            fd.ClearField("options")
    for e in g.enum_type:
        for v in e.value:
            v.ClearField("options")
    return out.SerializeToString()


def write(path, text, binary=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = None
    if os.path.exists(path):
        with open(path, "rb" if binary else "r") as fh:
            old = fh.read()
    if old != text:
        with open(path, "wb" if binary else "w") as fh:
            fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("descriptor_set")
    ap.add_argument("--gen-dir", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--plain-desc")
    args = ap.parse_args()
    fdset = descriptor_pb2.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as fh:
        fdset.ParseFromString(fh.read())
    try:
        p = Proto(fdset)
        outputs = {
            "uapi/linux/aionl.h": gen_uapi(p),
            "aionl-msg.h": gen_msg_h(p),
            "kernel/aionl-nl-gen.h": gen_kernel_h(p),
            "kernel/aionl-nl-gen.c": gen_kernel_c(p),
            "aionl-codec.h": gen_codec_h(p),
            "aionl-codec.c": gen_codec_c(p),
            "aionl-req.h": gen_req_h(p),
            "aionl-req.c": gen_req_c(p),
        }
    except GenError as e:
        sys.stderr.write("aionlgen: %s: %s\n" % (IDL, e))
        return 1
    for rel, text in outputs.items():
        write(os.path.join(args.gen_dir, rel), text)
    write(args.doc, gen_doc(p))
    if args.plain_desc:
        write(args.plain_desc, plain_descriptor(fdset), binary=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
