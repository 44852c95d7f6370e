// SPDX-License-Identifier: MIT
/*
 * Which commands the server of a context serves, as GET_INFO reported them
 * when the context opened; the names of the commands; and asking before
 * opening. The library and aionl.ko are built and upgraded apart, so either
 * may know commands the other does not.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "lib.h"
#include "aionl-req.h"

void ctx_set_commands(struct aionl_ctx *ctx, const struct aionl_get_info_reply *m)
{
	uint64_t served = AIONL_CMDS_IMPLIED;
	unsigned int op;

	/* A server older than the attribute: the IDL's enum Family says what it serves. */
	if (m->present & (1ULL << AIONL_A_GET_INFO_REPLY_COMMANDS))
		served = m->commands;
	ctx->commands = served & AIONL_CMDS_KNOWN;
	/* Older than the attribute: older than ordering, which came with it. */
	ctx->order_flags = 0;
	if (m->present & (1ULL << AIONL_A_GET_INFO_REPLY_ORDER_FLAGS))
		ctx->order_flags = m->order_flags & AIONL_REQ_FLAG_MASK;
	ctx->unserved_ops = 0;
	for (op = 0; op <= AIONL_CMD_MAX; op++)
		if (aionl__req_op_valid(op) && !(ctx->commands & AIONL_CMD_BIT(op)))
			ctx->unserved_ops |= AIONL_CMD_BIT(op);
}

int ctx_need_cmd(struct aionl_ctx *ctx, unsigned int cmd, const char *fn)
{
	if (ctx->commands & AIONL_CMD_BIT(cmd))
		return 0;
	return aionl__fail(-EOPNOTSUPP, "%s: the %s backend's server does not serve %s",
			   fn, aionl_backend_name(ctx->info.backend), aionl_cmd_names[cmd]);
}

AIONL_EXPORT int aionl_ctx_supports(struct aionl_ctx *ctx, unsigned int op)
{
	int err = ctx_check(ctx, "aionl_ctx_supports");

	if (err)
		return err;
	return op <= AIONL_CMD_MAX && (ctx->commands & AIONL_CMD_BIT(op));
}

AIONL_EXPORT int aionl_ctx_req_flags(struct aionl_ctx *ctx)
{
	int err = ctx_check(ctx, "aionl_ctx_req_flags");

	return err ? err : (int)ctx->order_flags;
}

AIONL_EXPORT int aionl_probe_op(enum aionl_backend backend, enum aionl_executor executor,
				unsigned int op)
{
	struct aionl_params p = { .backend = backend, .executor = executor };
	struct aionl_ctx *ctx;
	int err;

	/* No server answers for the library: open one and ask, as aionl_probe does. */
	err = aionl_ctx_open(&ctx, &p);
	if (err)
		return err;
	err = aionl_ctx_supports(ctx, op);
	aionl_ctx_close(ctx);
	return err;
}

AIONL_EXPORT const char *aionl_cmd_name(unsigned int cmd)
{
	return cmd <= AIONL_CMD_MAX ? aionl_cmd_names[cmd] : NULL;
}
