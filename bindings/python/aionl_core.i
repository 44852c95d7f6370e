/* SPDX-License-Identifier: MIT */
/*
 * aionl_core: the SWIG 4.1 interface of libaionl, the generated module under
 * the Pythonic layer (bindings/python/aionl/). Built with -threads, so every
 * wrapped C call releases the GIL; the Core methods manage the GIL
 * themselves (src/pycore.c).
 *
 * What it wraps, as it is in <aionl.h> and <linux/aionl.h>:
 *  - the constants and enums (AIONL_OP_*, AIONL_POLL_*, AIONL_CQE_F_*, the
 *    limits, the backends and executors);
 *  - the value structs: struct aionl_params, aionl_info, aionl_cqe,
 *    aionl_siginfo, and struct aionl_req with its named argument structs
 *    (aionl_timer_args, aionl_poll_args, aionl_cancel_args: named since 0.3
 *    because SWIG cannot wrap anonymous ones, warning 503);
 *  - the request builders that take no pointer to memory (timers, polls,
 *    cancels, nop, fsync, fallocate, deadlines), aionl_probe, aionl_probe_op,
 *    aionl_error_message and the names of backends, executors and commands.
 * What it does not wrap raw, on purpose: the calls that take a context
 * pointer, and the builders that store a buffer's address. From Python a raw
 * struct aionl_ctx * could be used after aionl_ctx_close, and a raw buffer
 * address freed while the engine writes into it: either would crash the
 * interpreter. Core owns the context instead (aionl_ctx_open's out-parameter
 * stays inside it), exports every buffer while the library may use it, and
 * refuses every call once closed. A request's buf and iov are read-only here.
 */
%module(package="aionl") aionl_core

%{
#include "aionl.h"
#include "pycore.h"
%}

%include <stdint.i>

/* Every wrapped call reports a Python error it set. */
%exception {
	$action
	if (PyErr_Occurred())
		SWIG_fail;
}

/*
 * SWIG lets None stand for a NULL pointer: no wrapped C function or struct
 * member here accepts one (aionl_req_nop(None, 1) would write through it).
 */
%typemap(check) SWIGTYPE * {
	if (!$1)
		SWIG_exception_fail(SWIG_ValueError, "in '$symname': argument $argnum must not be None");
}

%init %{
	if (pycore_init_types(m) < 0)
		return NULL;
%}

/* ------------------------------------------------------------ <linux/aionl.h> */

/* The protocol's attribute numbers are the wire format's business, not Python's. */
%rename("$ignore", regextarget=1) "^AIONL_A_";
%rename("$ignore", regextarget=1) "^__AIONL_";
%rename("$ignore", regextarget=1) "^AIONL_CMD_";
%rename("$ignore") AIONL_FAMILY_NAME;
/* The limits are unsigned long long literals: wrap them as Python ints. */
%constant unsigned long long AIONL_OFFSET_STREAM = AIONL_OFFSET_STREAM;
%constant unsigned long long AIONL_MAX_OFFSET = AIONL_MAX_OFFSET;
%constant unsigned long long AIONL_MAX_IO_LEN = AIONL_MAX_IO_LEN;
%constant unsigned long long AIONL_MAX_NS = AIONL_MAX_NS;
%ignore AIONL_OFFSET_STREAM;
%ignore AIONL_MAX_OFFSET;
%ignore AIONL_MAX_IO_LEN;
%ignore AIONL_MAX_NS;
%include "linux/aionl.h"

/* ------------------------------------------------------------ <aionl.h> */

/* The builders are static inline in C; SWIG calls them as functions. */
#define AIONL_REQ_API
/* Builders that store an address: not from Python (see the top). */
/* Python binds by descriptor (Context(bind=...) opens a path itself): no char * to own. */
%ignore aionl_params::bind_path;
%ignore aionl_req_read;
%ignore aionl_req_write;
%ignore aionl_req_readv;
%ignore aionl_req_writev;
%ignore aionl_req_open;
%ignore aionl_req_statx;
/* A sigset_t is not a Python thing: Core encodes signal sets itself. */
%ignore aionl_req_signal;
/* Context calls: Core owns the context. */
%ignore aionl_ctx_open;
%ignore aionl_ctx_close;
%ignore aionl_ctx_fd;
%ignore aionl_ctx_info;
%ignore aionl_ctx_supports;
%ignore aionl_ctx_req_flags;
%ignore aionl_file_register;
%ignore aionl_file_unregister;
%ignore aionl_file_install;
%ignore aionl_submit;
%ignore aionl_reap;
%ignore aionl_wake;
/*
 * Struct members that are structs are copied in and out (r.timer returns a
 * copy; assign a whole aionl_timer_args to change it): a reference into the
 * parent would outlive it (aionl_req().timer), and writing through it would
 * write freed memory.
 */
%naturalvar aionl_req::timer;
%naturalvar aionl_req::poll;
%naturalvar aionl_req::cancel;
%naturalvar aionl_cqe::si;
%naturalvar aionl_cqe::open;
%naturalvar aionl_req::open;
%naturalvar aionl_req::fallocate;
%naturalvar aionl_req::statx;
%naturalvar aionl_req::copy;
/*
 * An address valid only while the C caller keeps the string, and in a union
 * with the timer's numbers: not wrapped (r.open.path after aionl_req_timer
 * would read a number as a string). Core encodes OPEN from Python strings.
 */
%ignore aionl_open_args::path;
%ignore aionl_statx_args::path;
%immutable aionl_req::buf;
%immutable aionl_req::iov;
%immutable aionl_info::reason;
%include "aionl.h"

/* ------------------------------------------------------------ Core */

/* Core's methods hold the GIL and release it themselves around the library. */
%nothread;
%rename(Core) aionl_py_core;
%nodefaultctor aionl_py_core;
typedef struct aionl_py_core {
} aionl_py_core;

%extend aionl_py_core {
	aionl_py_core(int backend, int executor, unsigned int max_inflight, unsigned int workers,
		      int spin_us, unsigned int flags, int bind_fd)
	{
		return pycore_open(backend, executor, max_inflight, workers, spin_us, flags, bind_fd);
	}
	~aionl_py_core()
	{
		pycore_free($self);
	}
	PyObject *close() { return pycore_close($self); }
	PyObject *closed() { return pycore_closed($self); }
	PyObject *fileno() { return pycore_fileno($self); }
	struct aionl_info info()
	{
		struct aionl_info info;

		memset(&info, 0, sizeof(info));
		pycore_info($self, &info);
		return info;
	}
	PyObject *supports(PyObject *op) { return pycore_supports($self, op); }
	PyObject *req_flags() { return pycore_req_flags($self); }
	PyObject *register_fd(PyObject *fd) { return pycore_register($self, fd); }
	PyObject *unregister_handle(PyObject *handle) { return pycore_unregister($self, handle); }
	PyObject *install(PyObject *handle, PyObject *flags) { return pycore_install($self, handle, flags); }
	PyObject *submit(PyObject *reqs) { return pycore_submit($self, reqs); }
	PyObject *check(PyObject *req) { return pycore_check($self, req); }
	PyObject *queue(PyObject *req, PyObject *token) { return pycore_queue($self, req, token); }
	PyObject *queue_io(int op, PyObject *file, PyObject *buf, PyObject *offset,
			   PyObject *timeout, PyObject *token)
	{
		return pycore_queue_io($self, op, file, buf, offset, timeout, token);
	}
	PyObject *retoken(PyObject *cookie, PyObject *token)
	{
		return pycore_retoken($self, cookie, token);
	}
	PyObject *tokens() { return pycore_tokens($self); }
	PyObject *dispatch(PyObject *late, PyObject *feed)
	{
		return pycore_dispatch($self, late, feed);
	}
	PyObject *flush() { return pycore_flush($self); }
	PyObject *unqueue(PyObject *req) { return pycore_unqueue($self, req); }
	PyObject *queued() { return pycore_queued($self); }
	PyObject *inflight() { return pycore_inflight($self); }
	PyObject *reap(PyObject *max, PyObject *min, PyObject *timeout)
	{
		return pycore_reap($self, max, min, timeout);
	}
}
%thread;
