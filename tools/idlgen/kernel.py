"""gen/kernel/aionl-nl-gen.[ch]: the module's policies, family, parsers and builders."""

from .model import (GenError, UNSIGNED_MAX, banner_c, c_int, enum_mask_name)


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
    if f.kind == "string" and f.max is not None:
        # .len excludes the NUL: a longer string is refused with -EINVAL.
        lim = "AIONL_" + f.max_s if f.max_s in p.consts else c_int(f.max)
        return "{ .type = NLA_NUL_STRING, .len = %s - 1, }" % lim
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
    o.append("\n/*\n * What the module writes: the family's pre_doit, which genetlink calls before\n"
             " * every handler, after the op's policy (declared by the module, since its\n"
             " * argument's type differs between kernels: compat.h), and one handler per\n"
             " * command.\n */\n")
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
	.pre_doit	= aionl_nl_pre_doit,
	.ops		= aionl_nl_ops,
	.n_ops		= ARRAY_SIZE(aionl_nl_ops),
};
""")
    return "".join(o)


