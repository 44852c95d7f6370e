// SPDX-License-Identifier: MIT
/*
 * The request builders of <aionl.h> as real, exported symbols, for FFIs that
 * call the shared library without compiling the header (ctypes, cffi's ABI
 * mode). C programs get the same code inline; aionl.h defines each builder
 * once, and this file compiles that definition with external linkage.
 */
#define AIONL_REQ_API __attribute__((visibility("default")))
#include "aionl.h"
