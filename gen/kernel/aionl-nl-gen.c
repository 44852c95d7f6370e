// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from idl/aionl.proto by tools/aionlgen.py.
 * Regenerate with: cmake --build build --target gen
 */

#include "aionl-nl-gen.h"

/* AIONL_CMD_GET_INFO */
const struct nla_policy aionl_get_info_nl_policy[AIONL_A_GET_INFO_MAX + 1] = {
};

/* AIONL_CMD_REGISTER */
const struct nla_policy aionl_register_nl_policy[AIONL_A_REGISTER_MAX + 1] = {
	[AIONL_A_REGISTER_FD] = { .type = NLA_S32, },
};

/* AIONL_CMD_UNREGISTER */
const struct nla_policy aionl_unregister_nl_policy[AIONL_A_UNREGISTER_MAX + 1] = {
	[AIONL_A_UNREGISTER_HANDLE] = { .type = NLA_U64, },
};

/* AIONL_CMD_READ */
const struct nla_policy aionl_read_nl_policy[AIONL_A_READ_MAX + 1] = {
	[AIONL_A_READ_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_READ_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_READ_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_READ_ADDR] = { .type = NLA_U64, },
	[AIONL_A_READ_LEN] = { .type = NLA_U64, },
	[AIONL_A_READ_TIMEOUT_NS] = { .type = NLA_U64, },
};

/* AIONL_CMD_WRITE */
const struct nla_policy aionl_write_nl_policy[AIONL_A_WRITE_MAX + 1] = {
	[AIONL_A_WRITE_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_WRITE_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_WRITE_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_WRITE_ADDR] = { .type = NLA_U64, },
	[AIONL_A_WRITE_LEN] = { .type = NLA_U64, },
	[AIONL_A_WRITE_TIMEOUT_NS] = { .type = NLA_U64, },
};

/* AIONL_CMD_READV */
const struct nla_policy aionl_readv_nl_policy[AIONL_A_READV_MAX + 1] = {
	[AIONL_A_READV_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_READV_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_READV_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_READV_IOV] = { .type = NLA_BINARY, },
	[AIONL_A_READV_TIMEOUT_NS] = { .type = NLA_U64, },
};

/* AIONL_CMD_WRITEV */
const struct nla_policy aionl_writev_nl_policy[AIONL_A_WRITEV_MAX + 1] = {
	[AIONL_A_WRITEV_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_IOV] = { .type = NLA_BINARY, },
	[AIONL_A_WRITEV_TIMEOUT_NS] = { .type = NLA_U64, },
};

/* AIONL_CMD_FSYNC */
const struct nla_policy aionl_fsync_nl_policy[AIONL_A_FSYNC_MAX + 1] = {
	[AIONL_A_FSYNC_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_FSYNC_HANDLE] = { .type = NLA_U64, },
};

/* AIONL_CMD_FDATASYNC */
const struct nla_policy aionl_fdatasync_nl_policy[AIONL_A_FDATASYNC_MAX + 1] = {
	[AIONL_A_FDATASYNC_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_FDATASYNC_HANDLE] = { .type = NLA_U64, },
};

/* AIONL_CMD_NOP */
const struct nla_policy aionl_nop_nl_policy[AIONL_A_NOP_MAX + 1] = {
	[AIONL_A_NOP_COOKIE] = { .type = NLA_U64, },
};

/* AIONL_CMD_TIMER */
const struct nla_policy aionl_timer_nl_policy[AIONL_A_TIMER_MAX + 1] = {
	[AIONL_A_TIMER_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TIMER_CLOCK] = { .type = NLA_U32, },
	[AIONL_A_TIMER_VALUE_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_INTERVAL_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_FLAGS] = { .type = NLA_U32, },
};

/* AIONL_CMD_TIMER_UPDATE */
const struct nla_policy aionl_timer_update_nl_policy[AIONL_A_TIMER_UPDATE_MAX + 1] = {
	[AIONL_A_TIMER_UPDATE_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_TARGET] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_VALUE_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_INTERVAL_NS] = { .type = NLA_U64, },
	[AIONL_A_TIMER_UPDATE_FLAGS] = { .type = NLA_U32, },
};

/* AIONL_CMD_POLL */
const struct nla_policy aionl_poll_nl_policy[AIONL_A_POLL_MAX + 1] = {
	[AIONL_A_POLL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_POLL_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_POLL_EVENTS] = { .type = NLA_U32, },
	[AIONL_A_POLL_FLAGS] = { .type = NLA_U32, },
};

/* AIONL_CMD_SIGNAL */
const struct nla_policy aionl_signal_nl_policy[AIONL_A_SIGNAL_MAX + 1] = {
	[AIONL_A_SIGNAL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_SIGNAL_MASK] = { .type = NLA_U64, },
};

/* AIONL_CMD_CANCEL */
const struct nla_policy aionl_cancel_nl_policy[AIONL_A_CANCEL_MAX + 1] = {
	[AIONL_A_CANCEL_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_CANCEL_TARGET] = { .type = NLA_U64, },
	[AIONL_A_CANCEL_FLAGS] = { .type = NLA_U32, },
};

/* Ops for AIONL_FAMILY_NAME */
const struct genl_ops aionl_nl_ops[15] = {
	{
		.cmd		= AIONL_CMD_GET_INFO,
		.doit		= aionl_nl_get_info_doit,
		.policy		= aionl_get_info_nl_policy,
		.maxattr	= AIONL_A_GET_INFO_MAX,
	},
	{
		.cmd		= AIONL_CMD_REGISTER,
		.doit		= aionl_nl_register_doit,
		.policy		= aionl_register_nl_policy,
		.maxattr	= AIONL_A_REGISTER_MAX,
	},
	{
		.cmd		= AIONL_CMD_UNREGISTER,
		.doit		= aionl_nl_unregister_doit,
		.policy		= aionl_unregister_nl_policy,
		.maxattr	= AIONL_A_UNREGISTER_MAX,
	},
	{
		.cmd		= AIONL_CMD_READ,
		.doit		= aionl_nl_read_doit,
		.policy		= aionl_read_nl_policy,
		.maxattr	= AIONL_A_READ_MAX,
	},
	{
		.cmd		= AIONL_CMD_WRITE,
		.doit		= aionl_nl_write_doit,
		.policy		= aionl_write_nl_policy,
		.maxattr	= AIONL_A_WRITE_MAX,
	},
	{
		.cmd		= AIONL_CMD_READV,
		.doit		= aionl_nl_readv_doit,
		.policy		= aionl_readv_nl_policy,
		.maxattr	= AIONL_A_READV_MAX,
	},
	{
		.cmd		= AIONL_CMD_WRITEV,
		.doit		= aionl_nl_writev_doit,
		.policy		= aionl_writev_nl_policy,
		.maxattr	= AIONL_A_WRITEV_MAX,
	},
	{
		.cmd		= AIONL_CMD_FSYNC,
		.doit		= aionl_nl_fsync_doit,
		.policy		= aionl_fsync_nl_policy,
		.maxattr	= AIONL_A_FSYNC_MAX,
	},
	{
		.cmd		= AIONL_CMD_FDATASYNC,
		.doit		= aionl_nl_fdatasync_doit,
		.policy		= aionl_fdatasync_nl_policy,
		.maxattr	= AIONL_A_FDATASYNC_MAX,
	},
	{
		.cmd		= AIONL_CMD_NOP,
		.doit		= aionl_nl_nop_doit,
		.policy		= aionl_nop_nl_policy,
		.maxattr	= AIONL_A_NOP_MAX,
	},
	{
		.cmd		= AIONL_CMD_TIMER,
		.doit		= aionl_nl_timer_doit,
		.policy		= aionl_timer_nl_policy,
		.maxattr	= AIONL_A_TIMER_MAX,
	},
	{
		.cmd		= AIONL_CMD_TIMER_UPDATE,
		.doit		= aionl_nl_timer_update_doit,
		.policy		= aionl_timer_update_nl_policy,
		.maxattr	= AIONL_A_TIMER_UPDATE_MAX,
	},
	{
		.cmd		= AIONL_CMD_POLL,
		.doit		= aionl_nl_poll_doit,
		.policy		= aionl_poll_nl_policy,
		.maxattr	= AIONL_A_POLL_MAX,
	},
	{
		.cmd		= AIONL_CMD_SIGNAL,
		.doit		= aionl_nl_signal_doit,
		.policy		= aionl_signal_nl_policy,
		.maxattr	= AIONL_A_SIGNAL_MAX,
	},
	{
		.cmd		= AIONL_CMD_CANCEL,
		.doit		= aionl_nl_cancel_doit,
		.policy		= aionl_cancel_nl_policy,
		.maxattr	= AIONL_A_CANCEL_MAX,
	},
};
