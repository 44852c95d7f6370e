// SPDX-License-Identifier: MIT
/* How many CPUs a spinner may count on (internal.h, "Adaptive busy-polling"). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "internal.h"

unsigned int aionl__ncpus(void)
{
	static atomic_uint cached;
	unsigned int n = atomic_load_explicit(&cached, memory_order_relaxed);
	cpu_set_t set;

	if (n)
		return n;
	/* Affinity first: a cpuset (a container's, taskset's) is what the threads get. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = (unsigned int)CPU_COUNT(&set);
	if (!n) {
		long v = sysconf(_SC_NPROCESSORS_ONLN);

		n = v > 0 ? (unsigned int)v : 1;
	}
	atomic_store_explicit(&cached, n, memory_order_relaxed);
	return n;
}
