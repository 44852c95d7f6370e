"""The IDL as the generator sees it: commands, messages, fields, their
options (idl/aionl_options.proto) and the constants of message Limits."""

import re

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
# The attribute of a request's ordering flags (ReqFlag), the same in every
# message that has one, as the cookie is always attribute 1.
REQ_FLAGS_ATTR = 16


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
        if self.kind == "string" and (self.min_s or self.flags or self.elem_size):
            raise GenError("field %s: a string takes only a max, its bytes with the NUL" % fd.name)
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
        if self.kind == "string" and self.max_s is not None:
            parts.append("at most %s bytes with the NUL" % self.max_s)
        elif self.min_s is not None or self.max_s is not None:
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
            rf = [fl for fl in msg.fields if fl.name == "req_flags"]
            if rf and (msg.role != "request" or rf[0].number != REQ_FLAGS_ATTR):
                raise GenError("message %s: req_flags must be attribute %d of a request"
                               % (msg.name, REQ_FLAGS_ATTR))
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

    def ordered_cmds(self):
        """The commands whose request takes req_flags: those that can be ordered."""
        return [c for m in self.requests() if any(f.name == "req_flags" for f in m.fields)
                for c in m.cmds]

    def requests(self):
        return [m for m in self.msg_list if m.role == "request"]

    def enum_const(self, e, v):
        return "AIONL_" + v


def enum_mask_name(e):
    return "AIONL_%s_MASK" % snake(e).upper()


