// SPDX-License-Identifier: GPL-2.0
/*
 * The generated policies and ops of gen/kernel/, compiled into aionl.ko; after
 * internal.h, which declares the family's pre_doit (cmds.c).
 */
#include "internal.h"
#include "../../gen/kernel/aionl-nl-gen.c"
