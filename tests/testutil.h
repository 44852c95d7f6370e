/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka suites. Include after <cmocka.h>. */
#ifndef AIONL_TESTUTIL_H
#define AIONL_TESTUTIL_H

#include <stdint.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "aionl.h"

/*
 * The aionl family id, asked on ctx's socket the way the library asks:
 * CTRL_CMD_GETFAMILY. Nothing else may be reading that socket meanwhile.
 */
static inline uint16_t test_family_id(struct aionl_ctx *ctx)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	const struct nlattr *a;
	int fd = aionl_ctx_fd(ctx);
	uint16_t id = 0;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 4242;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "aionl");
	assert_int_equal(send(fd, buf, nlh->nlmsg_len, 0), nlh->nlmsg_len);
	assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	nlh = (struct nlmsghdr *)buf;
	assert_int_equal(nlh->nlmsg_seq, 4242);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			id = mnl_attr_get_u16(a);
	assert_true(id != 0);
	return id;
}

#endif /* AIONL_TESTUTIL_H */
