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
};

/* AIONL_CMD_WRITE */
const struct nla_policy aionl_write_nl_policy[AIONL_A_WRITE_MAX + 1] = {
	[AIONL_A_WRITE_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_WRITE_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_WRITE_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_WRITE_ADDR] = { .type = NLA_U64, },
	[AIONL_A_WRITE_LEN] = { .type = NLA_U64, },
};

/* AIONL_CMD_READV */
const struct nla_policy aionl_readv_nl_policy[AIONL_A_READV_MAX + 1] = {
	[AIONL_A_READV_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_READV_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_READV_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_READV_IOV] = { .type = NLA_BINARY, },
};

/* AIONL_CMD_WRITEV */
const struct nla_policy aionl_writev_nl_policy[AIONL_A_WRITEV_MAX + 1] = {
	[AIONL_A_WRITEV_COOKIE] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_HANDLE] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_OFFSET] = { .type = NLA_U64, },
	[AIONL_A_WRITEV_IOV] = { .type = NLA_BINARY, },
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

/* Ops for AIONL_FAMILY_NAME */
const struct genl_ops aionl_nl_ops[9] = {
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
};
