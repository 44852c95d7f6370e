/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#ifndef _AIONL_NL_GEN_H
#define _AIONL_NL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <linux/aionl.h>

extern const struct nla_policy aionl_get_info_nl_policy[AIONL_A_GET_INFO_MAX + 1];
extern const struct nla_policy aionl_register_nl_policy[AIONL_A_REGISTER_MAX + 1];
extern const struct nla_policy aionl_unregister_nl_policy[AIONL_A_UNREGISTER_MAX + 1];
extern const struct nla_policy aionl_read_nl_policy[AIONL_A_READ_MAX + 1];
extern const struct nla_policy aionl_write_nl_policy[AIONL_A_WRITE_MAX + 1];
extern const struct nla_policy aionl_readv_nl_policy[AIONL_A_READV_MAX + 1];
extern const struct nla_policy aionl_writev_nl_policy[AIONL_A_WRITEV_MAX + 1];
extern const struct nla_policy aionl_fsync_nl_policy[AIONL_A_FSYNC_MAX + 1];
extern const struct nla_policy aionl_fdatasync_nl_policy[AIONL_A_FDATASYNC_MAX + 1];
extern const struct nla_policy aionl_nop_nl_policy[AIONL_A_NOP_MAX + 1];
extern const struct nla_policy aionl_timer_nl_policy[AIONL_A_TIMER_MAX + 1];
extern const struct nla_policy aionl_timer_update_nl_policy[AIONL_A_TIMER_UPDATE_MAX + 1];
extern const struct nla_policy aionl_poll_nl_policy[AIONL_A_POLL_MAX + 1];
extern const struct nla_policy aionl_signal_nl_policy[AIONL_A_SIGNAL_MAX + 1];
extern const struct nla_policy aionl_cancel_nl_policy[AIONL_A_CANCEL_MAX + 1];

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

/* Bit n set: attribute n of the request must be present. */
#define AIONL_GET_INFO_REQUIRED_MASK 0x0ULL
#define AIONL_REGISTER_REQUIRED_MASK 0x2ULL
#define AIONL_UNREGISTER_REQUIRED_MASK 0x2ULL
#define AIONL_READ_REQUIRED_MASK 0x3eULL
#define AIONL_WRITE_REQUIRED_MASK 0x3eULL
#define AIONL_READV_REQUIRED_MASK 0x1eULL
#define AIONL_WRITEV_REQUIRED_MASK 0x1eULL
#define AIONL_FSYNC_REQUIRED_MASK 0x6ULL
#define AIONL_FDATASYNC_REQUIRED_MASK 0x6ULL
#define AIONL_NOP_REQUIRED_MASK 0x2ULL
#define AIONL_TIMER_REQUIRED_MASK 0xeULL
#define AIONL_TIMER_UPDATE_REQUIRED_MASK 0xeULL
#define AIONL_POLL_REQUIRED_MASK 0xeULL
#define AIONL_SIGNAL_REQUIRED_MASK 0x6ULL
#define AIONL_CANCEL_REQUIRED_MASK 0x2ULL

extern const struct genl_ops aionl_nl_ops[15];

#endif /* _AIONL_NL_GEN_H */
