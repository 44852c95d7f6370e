// SPDX-License-Identifier: MIT
/*
 * An orderable request's message, parsed and checked as the engine checks
 * it (the generated parsers: every attribute, range, mask and enum of the
 * IDL): the engine orders with what it finds, and the library checks the
 * chains it is about to send with it, so that no request of a chain is
 * refused by a server after the library accepted the chain.
 */
#include <string.h>

#include "internal.h"

int aionl__ord_parse(uint8_t cmd, const struct nlmsghdr *nlh, struct aionl_ord_info *in,
		     struct aionl_parse_err *pe)
{
	int err;

	switch (cmd) {
	case AIONL_CMD_READ:
	case AIONL_CMD_WRITE: {
		struct aionl_transfer m;

		if ((err = aionl_transfer_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, m.handle, m.len, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_READV:
	case AIONL_CMD_WRITEV: {
		struct aionl_transfer_v m;
		uint64_t total = 0, len;
		uint32_t i;

		if ((err = aionl_transfer_v_parse(nlh, &m, pe)))
			return err;
		/* {u64 base, u64 len}, only 4-byte aligned in the message. */
		for (i = 0; i < m.iov_len / 16; i++) {
			memcpy(&len, (const char *)m.iov + i * 16 + 8, sizeof(len));
			total += len > AIONL_MAX_IO_LEN ? AIONL_MAX_IO_LEN + 1 : len;
		}
		*in = (struct aionl_ord_info){ m.cookie, m.handle, total, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_FSYNC:
	case AIONL_CMD_FDATASYNC: {
		struct aionl_sync m;

		if ((err = aionl_sync_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, m.handle, 0, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_NOP: {
		struct aionl_nop m;

		if ((err = aionl_nop_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, 0, 0, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_OPEN: {
		struct aionl_open m;

		if ((err = aionl_open_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, m.dir, 0, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_FALLOCATE: {
		struct aionl_fallocate m;

		if ((err = aionl_fallocate_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, m.handle, 0, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_STATX: {
		struct aionl_statx m;

		if ((err = aionl_statx_parse(nlh, &m, pe)))
			return err;
		*in = (struct aionl_ord_info){ m.cookie, m.handle, 0, m.req_flags, 0 };
		return 0;
	}
	case AIONL_CMD_COPY: {
		struct aionl_copy m;

		if ((err = aionl_copy_parse(nlh, &m, pe)))
			return err;
		/* A short copy breaks its chain, as a short transfer does. */
		*in = (struct aionl_ord_info){ m.cookie, m.handle, m.len, m.req_flags, m.dst_handle };
		return 0;
	}
	}
	pe->msg = "unknown command";
	return -EOPNOTSUPP;
}

