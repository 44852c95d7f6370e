// SPDX-License-Identifier: MIT
/* Why the last failed call of this thread failed, in words. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static __thread char errbuf[256];

int aionl__fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err;
}

AIONL_EXPORT const char *aionl_error_message(void)
{
	return errbuf[0] ? errbuf : "no error";
}
