// SPDX-License-Identifier: GPL-2.0
/*
 * Which commands the module serves: GET_INFO's commands, read from the
 * family's own ops, less those the parameter hide_cmds hides.
 *
 * hide_cmds (bit n: command n) is for testing a program against a server
 * without some command, and for an administrator who wants one not run (OPEN,
 * say): a hidden command is refused with -EOPNOTSUPP, as genetlink refuses a
 * command the family has no op for, and left out of GET_INFO's commands. The
 * family's op list itself stays as registered (genetlink's tables are not
 * ours to change under a registered family): the refusal is the family's
 * pre_doit, which runs before every handler, after the op's policy. Read at
 * every request, so a change applies to sockets already open; a program's
 * library reads GET_INFO once, when its context opens. GET_INFO cannot be
 * hidden: it is how a program learns the rest.
 *
 * hide_req_flags does the same for the ordering flags (ReqFlag bits): a
 * request that carries a hidden one is refused with -EOPNOTSUPP, and
 * GET_INFO's order_flags leaves it out.
 */
#include <linux/bits.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "internal.h"

static unsigned long long aionl_hide_cmds;
module_param_named(hide_cmds, aionl_hide_cmds, ullong, 0644);
MODULE_PARM_DESC(hide_cmds, "Commands refused with -EOPNOTSUPP and left out of GET_INFO, "
		 "bit n for command n (GET_INFO's bit is ignored)");

static unsigned int aionl_hide_req_flags;
module_param_named(hide_req_flags, aionl_hide_req_flags, uint, 0644);
MODULE_PARM_DESC(hide_req_flags, "Request flags (REQ_LINK 1, REQ_DRAIN 2) refused with "
		 "-EOPNOTSUPP and left out of GET_INFO's order_flags");

u32 aionl_req_flags_served(void)
{
	return AIONL_REQ_FLAG_MASK & ~READ_ONCE(aionl_hide_req_flags);
}

static u64 aionl_cmds_hidden(void)
{
	return READ_ONCE(aionl_hide_cmds) & ~AIONL_CMD_BIT(AIONL_CMD_GET_INFO);
}

u64 aionl_cmds_served(void)
{
	u64 cmds = 0;
	int i;

	for (i = 0; i < aionl_nl_family.n_ops; i++)
		cmds |= AIONL_CMD_BIT(aionl_nl_family.ops[i].cmd);
	return cmds & ~aionl_cmds_hidden();
}

int aionl_nl_pre_doit(const aionl_genl_pre_ops *ops, struct sk_buff *skb, struct genl_info *info)
{
	/* genetlink found an op for it: a command of the IDL, below 64. */
	if (unlikely(aionl_cmds_hidden() & AIONL_CMD_BIT(info->genlhdr->cmd))) {
		GENL_SET_ERR_MSG(info, AIONL_MSG_CMD_UNSUPPORTED);
		/* Its chain's rest must not run without it. */
		if (aionl_cmd_takes_req_flags(info->genlhdr->cmd))
			return aionl_order_refused(skb, info, -EOPNOTSUPP);
		return -EOPNOTSUPP;
	}
	return 0;
}
