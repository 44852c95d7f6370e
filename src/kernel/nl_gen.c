// SPDX-License-Identifier: GPL-2.0
/* The generated policies and ops of gen/kernel/, compiled into aionl.ko. */
#include "../../gen/kernel/aionl-nl-gen.c"
