/* SPDX-License-Identifier: MIT */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

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
