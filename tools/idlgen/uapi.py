"""gen/uapi/linux/aionl.h and gen/aionl-msg.h: shared by every side."""

from .model import (DUAL, REQ_FLAGS_ATTR, banner_c, c_int, enum_mask_name, snake)


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
    o.append("#define AIONL_A_COOKIE 1\n")
    o.append("/* A request that can be ordered carries its ReqFlag bits here. */\n")
    o.append("#define AIONL_A_REQ_FLAGS %d\n\n" % REQ_FLAGS_ATTR)
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
    o.append("/* 1 if cmd's request takes req_flags (ReqFlag): the requests that can be ordered. */\n")
    o.append("static inline int aionl_cmd_takes_req_flags(unsigned int cmd)\n{\n\tswitch (cmd) {\n")
    for c in p.ordered_cmds():
        o.append("\tcase %s:\n" % c)
    o.append("\t\treturn 1;\n\t}\n\treturn 0;\n}\n\n")
    o.append("#endif /* AIONL_MSG_H */\n")
    return "".join(o)


