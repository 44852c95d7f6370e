/* SPDX-License-Identifier: MIT */
/*
 * The C half of the Python bindings: one object, aionl_core.Core, that owns
 * a context and everything Python hands to it while the library may use it.
 *
 * What it guarantees, whatever Python code does with it:
 *  - every buffer a request names is exported (PyObject_GetBuffer) from the
 *    moment the request is queued or submitted until its last completion is
 *    reaped or the context is closed, so the object stays alive and cannot be
 *    resized (a bytearray raises BufferError) while the engine may write it;
 *  - the cookies of the requests in flight are distinct, so a completion
 *    names exactly one request; a cookie of None is given a fresh one;
 *  - a request is checked completely (types, ranges the protocol accepts)
 *    before anything is submitted: bad input raises TypeError or ValueError,
 *    and is never sent;
 *  - the GIL is released around every call that may block, and a signal
 *    that interrupts a blocking reap runs the Python handlers before the
 *    reap goes on with the remaining time (PEP 475);
 *  - close() waits until no thread is inside the library on this context,
 *    then closes it (which waits for I/O in flight), and only then lets the
 *    buffers go; every call after close() raises ValueError.
 * Every function here is called with the GIL held.
 */
#ifndef AIONL_PYCORE_H
#define AIONL_PYCORE_H

#include <Python.h>
#include <sys/types.h>

#include "aionl.h"

/* Requests queued (cookie assigned, buffers held) but not submitted yet. */
struct pycore_queue {
	unsigned int n, cap;
	struct aionl_req *reqs;
	PyObject **keys;	/* the cookie, as the in-flight table's key */
	PyObject **objs;	/* the request object */
};

typedef struct aionl_py_core {
	struct aionl_ctx *ctx;	/* NULL once closed */
	/* cookie -> the request object, or a capsule holding it and its buffers */
	PyObject *inflight;
	struct pycore_queue queue;
	uint64_t next_cookie;	/* cookies of None are taken from here */
	int busy;		/* threads inside the library with the GIL released */
	int flushing;		/* a flush owns the queue's arrays */
	int closing;
	pid_t pid;		/* the process that opened it */
	unsigned int max_iov;
} aionl_py_core;

/* Creates the Completion, SigInfo and OpenInfo types and adds them to module: 0 or -1. */
int pycore_init_types(PyObject *module);

/* bind_fd is aionl_params.bind_fd, read with AIONL_PARAMS_BIND_FD in flags. */
aionl_py_core *pycore_open(int backend, int executor, unsigned int max_inflight,
			   unsigned int workers, int spin_us, unsigned int flags, int bind_fd);
void pycore_free(aionl_py_core *c);
PyObject *pycore_close(aionl_py_core *c);
PyObject *pycore_closed(aionl_py_core *c);
PyObject *pycore_fileno(aionl_py_core *c);
int pycore_info(aionl_py_core *c, struct aionl_info *info);
/* aionl_ctx_supports: True or False. */
PyObject *pycore_supports(aionl_py_core *c, PyObject *op);
PyObject *pycore_req_flags(aionl_py_core *c);
PyObject *pycore_register(aionl_py_core *c, PyObject *fd);
PyObject *pycore_unregister(aionl_py_core *c, PyObject *handle);
PyObject *pycore_install(aionl_py_core *c, PyObject *handle, PyObject *flags);
PyObject *pycore_submit(aionl_py_core *c, PyObject *reqs);
PyObject *pycore_check(aionl_py_core *c, PyObject *req);
PyObject *pycore_queue(aionl_py_core *c, PyObject *req, PyObject *token);
PyObject *pycore_queue_io(aionl_py_core *c, int op, PyObject *file, PyObject *buf,
			  PyObject *offset, PyObject *timeout, PyObject *token);
PyObject *pycore_retoken(aionl_py_core *c, PyObject *cookie, PyObject *token);
PyObject *pycore_dispatch(aionl_py_core *c, PyObject *late, PyObject *feed);
/* The futures of the requests in flight (AsyncContext), to fail them at close. */
PyObject *pycore_tokens(aionl_py_core *c);
PyObject *pycore_flush(aionl_py_core *c);
PyObject *pycore_unqueue(aionl_py_core *c, PyObject *req);
PyObject *pycore_queued(aionl_py_core *c);
PyObject *pycore_inflight(aionl_py_core *c);
PyObject *pycore_reap(aionl_py_core *c, PyObject *max, PyObject *min, PyObject *timeout);

#endif /* AIONL_PYCORE_H */
