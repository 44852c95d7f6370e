#!/usr/bin/python3
"""Generate the netlink side of the aionl protocol from idl/aionl.proto.

Input is the FileDescriptorSet that `protoc-c --include_imports
--include_source_info --descriptor_set_out` writes for the IDL. Output, all
from that one file:

  gen/uapi/linux/aionl.h        family, commands, enums and their masks, the
                                protocol's limits, attribute enums: shared by
                                the library, the engine, the module and programs
  gen/aionl-msg.h               every message as a C struct, for both sides
  gen/kernel/aionl-nl-gen.h/.c  nla_policy tables (types, masks, array
                                lengths), the genl_ops and genl_family, the
                                parsers that check required attributes, ranges
                                and enums, and the reply and notification builders
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
import sys

from google.protobuf import descriptor_pb2

from idlgen.model import IDL, GenError, Proto
from idlgen.uapi import gen_uapi, gen_msg_h
from idlgen.kernel import gen_kernel_h, gen_kernel_c
from idlgen.user import gen_codec_h, gen_codec_c, gen_req_h, gen_req_c
from idlgen.doc import gen_doc, plain_descriptor


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
