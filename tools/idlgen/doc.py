"""docs/protocol.md, and the option-free descriptor protoc-c reads."""

from google.protobuf import descriptor_pb2

from .model import (IDL, REGEN, camel, enum_mask_name, snake)


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
    vdoc = [d for n, _, d in p.enums["Family"] if n == "FAMILY_VERSION"][0]
    if vdoc:
        o.append("## Versions and additions\n\n%s\n\n" % vdoc)
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


