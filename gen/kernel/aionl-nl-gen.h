/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#ifndef _AIONL_NL_GEN_H
#define _AIONL_NL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <linux/aionl.h>
#include "aionl-msg.h"

/* The family: its ops and policies below, registered by the module. */
extern struct genl_family aionl_nl_family;

extern const struct nla_policy aionl_register_nl_policy[AIONL_A_REGISTER_MAX + 1];
extern const struct nla_policy aionl_unregister_nl_policy[AIONL_A_UNREGISTER_MAX + 1];
extern const struct nla_policy aionl_transfer_nl_policy[AIONL_A_TRANSFER_MAX + 1];
extern const struct nla_policy aionl_transfer_v_nl_policy[AIONL_A_TRANSFER_V_MAX + 1];
extern const struct nla_policy aionl_sync_nl_policy[AIONL_A_SYNC_MAX + 1];
extern const struct nla_policy aionl_nop_nl_policy[AIONL_A_NOP_MAX + 1];
extern const struct nla_policy aionl_timer_nl_policy[AIONL_A_TIMER_MAX + 1];
extern const struct nla_policy aionl_timer_update_nl_policy[AIONL_A_TIMER_UPDATE_MAX + 1];
extern const struct nla_policy aionl_poll_nl_policy[AIONL_A_POLL_MAX + 1];
extern const struct nla_policy aionl_signal_nl_policy[AIONL_A_SIGNAL_MAX + 1];
extern const struct nla_policy aionl_cancel_nl_policy[AIONL_A_CANCEL_MAX + 1];
extern const struct nla_policy aionl_open_nl_policy[AIONL_A_OPEN_MAX + 1];
extern const struct nla_policy aionl_install_nl_policy[AIONL_A_INSTALL_MAX + 1];
extern const struct nla_policy aionl_bind_nl_policy[AIONL_A_BIND_MAX + 1];
extern const struct nla_policy aionl_fallocate_nl_policy[AIONL_A_FALLOCATE_MAX + 1];
extern const struct nla_policy aionl_statx_nl_policy[AIONL_A_STATX_MAX + 1];
extern const struct nla_policy aionl_copy_nl_policy[AIONL_A_COPY_MAX + 1];

/*
 * What the module writes: the family's pre_doit, which genetlink calls before
 * every handler, after the op's policy (declared by the module, since its
 * argument's type differs between kernels: compat.h), and one handler per
 * command.
 */
int aionl_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_register_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_unregister_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_read_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_write_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_readv_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_writev_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_fsync_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_fdatasync_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_nop_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_timer_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_timer_update_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_poll_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_signal_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_cancel_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_open_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_install_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_bind_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_fallocate_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_statx_doit(struct sk_buff *skb, struct genl_info *info);
int aionl_nl_copy_doit(struct sk_buff *skb, struct genl_info *info);

/*
 * Fill a request's struct from the attributes genetlink parsed and checked
 * against its policy: 0, or -EINVAL with the missing attribute named in the
 * extended ACK.
 */
int aionl_nl_get_info_parse(struct genl_info *info, struct aionl_get_info *m);
int aionl_nl_register_parse(struct genl_info *info, struct aionl_register *m);
int aionl_nl_unregister_parse(struct genl_info *info, struct aionl_unregister *m);
int aionl_nl_transfer_parse(struct genl_info *info, struct aionl_transfer *m);
int aionl_nl_transfer_v_parse(struct genl_info *info, struct aionl_transfer_v *m);
int aionl_nl_sync_parse(struct genl_info *info, struct aionl_sync *m);
int aionl_nl_nop_parse(struct genl_info *info, struct aionl_nop *m);
int aionl_nl_timer_parse(struct genl_info *info, struct aionl_timer *m);
int aionl_nl_timer_update_parse(struct genl_info *info, struct aionl_timer_update *m);
int aionl_nl_poll_parse(struct genl_info *info, struct aionl_poll *m);
int aionl_nl_signal_parse(struct genl_info *info, struct aionl_signal *m);
int aionl_nl_cancel_parse(struct genl_info *info, struct aionl_cancel *m);
int aionl_nl_open_parse(struct genl_info *info, struct aionl_open *m);
int aionl_nl_install_parse(struct genl_info *info, struct aionl_install *m);
int aionl_nl_bind_parse(struct genl_info *info, struct aionl_bind *m);
int aionl_nl_fallocate_parse(struct genl_info *info, struct aionl_fallocate *m);
int aionl_nl_statx_parse(struct genl_info *info, struct aionl_statx *m);
int aionl_nl_copy_parse(struct genl_info *info, struct aionl_copy *m);

/*
 * Append a whole reply or notification carrying the present attributes of
 * m: 0, or -EMSGSIZE with skb as it was.
 */
int aionl_nl_get_info_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_get_info_reply *m);
int aionl_nl_register_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_register_reply *m);
int aionl_nl_unregister_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_unregister_reply *m);
int aionl_nl_completion_put(struct sk_buff *skb, u32 seq, const struct aionl_completion *m);
int aionl_nl_install_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_install_reply *m);
int aionl_nl_bind_reply_put(struct sk_buff *skb, u32 seq, const struct aionl_bind_reply *m);

#endif /* _AIONL_NL_GEN_H */
