// SPDX-License-Identifier: MIT
/*
 * The C half of the Python bindings (see pycore.h for what it guarantees):
 * encoding Python request objects into struct aionl_req with their buffers
 * exported, the table of requests in flight, the queue the asyncio layer
 * batches into, and reaping into Completion objects.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structseq.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pycore.h"

/* Cookies of None are taken from the upper half, away from small hand-picked ones. */
#define AUTO_COOKIE_BASE (1ULL << 63)
/* Completions one reap takes from the library on the stack; more are malloc'ed. */
#define REAP_STACK 64

/* ------------------------------------------------------------ names and types */

static PyObject *s_op, *s_cookie, *s_file, *s_handle, *s_buf, *s_buffers, *s_offset,
	*s_timeout, *s_value, *s_interval, *s_clock, *s_absolute, *s_target, *s_events,
	*s_multishot, *s_signals, *s_all, *s_set_result, *s_cancelled, *s_path, *s_flags,
	*s_mode, *s_dir, *s_fd, *s_length, *s_mask, *s_link, *s_drain, *s_src, *s_src_offset,
	*s_dst, *s_dst_offset;
/* The in-flight value of close()'s wake-ups: never handed out. */
static PyObject *wake_marker;

static PyTypeObject *CompletionType, *SigInfoType, *OpenInfoType;

static PyStructSequence_Field completion_fields[] = {
	{ "cookie", "the request's cookie" },
	{ "result", "bytes transferred, 0, a count, or -errno" },
	{ "flags", "CQE_F_* bits" },
	{ "request", "the request object, or None if no request in flight has this cookie" },
	{ "siginfo", "a SigInfo for a signal's completion, else None" },
	{ "open", "an OpenInfo for an OPEN that succeeded, else None" },
	{ NULL, NULL },
};

static PyStructSequence_Desc completion_desc = {
	"aionl.Completion",
	"One completion: Completion(cookie, result, flags, request, siginfo, open).",
	completion_fields, 6,
};

static PyStructSequence_Field openinfo_fields[] = {
	{ "handle", "the new file's handle, registered with the context" },
	{ "fd", "with Open(fd=True): the program's descriptor, to close; or -errno; else -1" },
	{ NULL, NULL },
};

static PyStructSequence_Desc openinfo_desc = {
	"aionl.OpenInfo",
	"What the completion of an OPEN that succeeded carries.",
	openinfo_fields, 2,
};

static PyStructSequence_Field siginfo_fields[] = {
	{ "signo", "the signal number" },
	{ "code", "si_code: how it was sent (SI_USER, SI_QUEUE, SI_KERNEL...)" },
	{ "errno", "si_errno" },
	{ "status", "SIGCHLD: the exit status or signal" },
	{ "pid", "the sender's process id" },
	{ "uid", "the sender's real user id" },
	{ "fd", "SIGIO: the descriptor" },
	{ "overrun", "POSIX timers: the overrun count" },
	{ "band", "SIGIO: the band event" },
	{ "value", "sigqueue's value (sival_int or sival_ptr)" },
	{ "addr", "the faulting address" },
	{ NULL, NULL },
};

static PyStructSequence_Desc siginfo_desc = {
	"aionl.SigInfo",
	"What a signal completion says about the signal, as in siginfo_t.",
	siginfo_fields, 11,
};

static int intern(PyObject **p, const char *s)
{
	*p = PyUnicode_InternFromString(s);
	return *p ? 0 : -1;
}

int pycore_init_types(PyObject *module)
{
	if (intern(&s_op, "_op") || intern(&s_cookie, "cookie") || intern(&s_file, "file") ||
	    intern(&s_handle, "handle") || intern(&s_buf, "buf") || intern(&s_buffers, "buffers") ||
	    intern(&s_offset, "offset") || intern(&s_timeout, "timeout") ||
	    intern(&s_value, "value") || intern(&s_interval, "interval") ||
	    intern(&s_clock, "clock") || intern(&s_absolute, "absolute") ||
	    intern(&s_target, "target") || intern(&s_events, "events") ||
	    intern(&s_multishot, "multishot") || intern(&s_signals, "signals") ||
	    intern(&s_all, "all") || intern(&s_set_result, "set_result") ||
	    intern(&s_cancelled, "cancelled") || intern(&s_path, "path") ||
	    intern(&s_flags, "flags") || intern(&s_mode, "mode") || intern(&s_dir, "dir") ||
	    intern(&s_length, "length") || intern(&s_mask, "mask") ||
	    intern(&s_fd, "fd") || intern(&s_link, "link") || intern(&s_drain, "drain") ||
	    intern(&s_src, "src") || intern(&s_src_offset, "src_offset") ||
	    intern(&s_dst, "dst") || intern(&s_dst_offset, "dst_offset"))
		return -1;
	wake_marker = PyCapsule_New(&wake_marker, "aionl.wake", NULL);
	if (!wake_marker)
		return -1;
	CompletionType = PyStructSequence_NewType(&completion_desc);
	SigInfoType = PyStructSequence_NewType(&siginfo_desc);
	OpenInfoType = PyStructSequence_NewType(&openinfo_desc);
	if (!CompletionType || !SigInfoType || !OpenInfoType)
		return -1;
	if (PyModule_AddObjectRef(module, "Completion", (PyObject *)CompletionType) < 0 ||
	    PyModule_AddObjectRef(module, "SigInfo", (PyObject *)SigInfoType) < 0 ||
	    PyModule_AddObjectRef(module, "OpenInfo", (PyObject *)OpenInfoType) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ errors */

/* Raise the OSError subclass of err (negative), with the library's message. */
static PyObject *raise_errno(int err, const char *msg)
{
	PyObject *args = Py_BuildValue("(is)", -err, msg);

	if (args) {
		PyErr_SetObject(PyExc_OSError, args);
		Py_DECREF(args);
	}
	return NULL;
}

static PyObject *raise_closed(void)
{
	PyErr_SetString(PyExc_ValueError, "I/O operation on closed context");
	return NULL;
}

/* A call may go into the library: the context is open. */
static int check_open(aionl_py_core *c)
{
	if (!c->ctx || c->closing) {
		raise_closed();
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ conversions */

/* An attribute of a request; a missing one means obj is not what it should be. */
static PyObject *attr(PyObject *obj, PyObject *name)
{
	PyObject *v = PyObject_GetAttr(obj, name);

	if (!v && PyErr_ExceptionMatches(PyExc_AttributeError)) {
		PyErr_Clear();
		PyErr_Format(PyExc_TypeError, "expected an aionl request with a '%U' attribute, not %.200s",
			     name, Py_TYPE(obj)->tp_name);
	}
	return v;
}

/* An integer in [0, max]: TypeError for a non-integer, ValueError out of range. */
static int to_u64(PyObject *o, const char *what, uint64_t max, uint64_t *out)
{
	PyObject *i = PyNumber_Index(o);
	unsigned long long v;

	if (!i) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			PyErr_Format(PyExc_TypeError, "%s must be an integer, not %.200s", what,
				     Py_TYPE(o)->tp_name);
		}
		return -1;
	}
	v = PyLong_AsUnsignedLongLong(i);
	Py_DECREF(i);
	if (v == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		PyErr_Format(PyExc_ValueError, "%s out of range: must be 0 to %llu", what,
			     (unsigned long long)max);
		return -1;
	}
	if (v > max) {
		PyErr_Format(PyExc_ValueError, "%s out of range: must be 0 to %llu", what,
			     (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Seconds (int or float) to nanoseconds, at most AIONL_MAX_NS. */
static int to_ns(PyObject *o, const char *what, uint64_t *out)
{
	if (PyLong_Check(o)) {
		int overflow;
		long long v = PyLong_AsLongLongAndOverflow(o, &overflow);

		if (v == -1 && PyErr_Occurred())
			return -1;
		if (overflow || v < 0 || (unsigned long long)v > AIONL_MAX_NS / 1000000000ULL) {
			PyErr_Format(PyExc_ValueError, "%s out of range: must be 0 to %llu seconds",
				     what, AIONL_MAX_NS / 1000000000ULL);
			return -1;
		}
		*out = (uint64_t)v * 1000000000ULL;
		return 0;
	}
	double d = PyFloat_AsDouble(o);

	if (d == -1.0 && PyErr_Occurred()) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			PyErr_Format(PyExc_TypeError, "%s must be a number of seconds, not %.200s",
				     what, Py_TYPE(o)->tp_name);
		}
		return -1;
	}
	if (!isfinite(d) || d < 0 || d * 1e9 >= 9223372036854775807.0) {
		PyErr_Format(PyExc_ValueError, "%s out of range: must be 0 to %llu seconds", what,
			     AIONL_MAX_NS / 1000000000ULL);
		return -1;
	}
	*out = (uint64_t)(d * 1e9 + 0.5);
	return 0;
}

static int attr_u64(PyObject *obj, PyObject *name, const char *what, uint64_t max, uint64_t *out)
{
	PyObject *v = attr(obj, name);
	int err;

	if (!v)
		return -1;
	err = to_u64(v, what, max, out);
	Py_DECREF(v);
	return err;
}

static int attr_ns(PyObject *obj, PyObject *name, const char *what, uint64_t *out)
{
	PyObject *v = attr(obj, name);
	int err;

	if (!v)
		return -1;
	err = to_ns(v, what, out);
	Py_DECREF(v);
	return err;
}

static int attr_bool(PyObject *obj, PyObject *name, int *out)
{
	PyObject *v = attr(obj, name);

	if (!v)
		return -1;
	*out = PyObject_IsTrue(v);
	Py_DECREF(v);
	return *out < 0 ? -1 : 0;
}

static int handle_of(PyObject *f, uint64_t *h);

/* The handle of the aionl.File of a request. */
/* The handle of the aionl.File in obj's attribute name. */
static int named_handle(PyObject *obj, PyObject *name, uint64_t *h)
{
	PyObject *f = attr(obj, name);
	int err;

	if (!f)
		return -1;
	err = handle_of(f, h);
	Py_DECREF(f);
	return err;
}

static int file_handle(PyObject *obj, uint64_t *h)
{
	return named_handle(obj, s_file, h);
}

/* A target cookie: an integer, or a submitted request whose cookie it is. */
static int target_cookie(PyObject *t, uint64_t *out)
{
	PyObject *ck;
	int err;

	if (PyIndex_Check(t))
		return to_u64(t, "target", UINT64_MAX, out);
	ck = PyObject_GetAttr(t, s_cookie);
	if (!ck) {
		if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
			PyErr_Clear();
			PyErr_Format(PyExc_TypeError, "target must be a cookie or a request, not %.200s",
				     Py_TYPE(t)->tp_name);
		}
		return -1;
	}
	if (ck == Py_None) {
		Py_DECREF(ck);
		PyErr_SetString(PyExc_ValueError, "the target request has no cookie: it was never submitted");
		return -1;
	}
	err = to_u64(ck, "target cookie", UINT64_MAX, out);
	Py_DECREF(ck);
	return err;
}

/* ------------------------------------------------------------ buffers held */

/*
 * The buffers of one request, exported for as long as the library may use
 * them, with the iovec array of a vectored request.
 */
struct hold {
	/*
	 * The request object, handed out in its Completion; or, with token
	 * set, the future that gets the result (AsyncContext).
	 */
	PyObject *req;
	int token;
	int open;		/* an OPEN: its completion carries a handle */
	Py_ssize_t n;		/* views exported so far */
	struct iovec *iov;	/* n entries, after v[] */
	Py_buffer v[];
};

static const char HOLD_NAME[] = "aionl.hold";

static struct hold *hold_new(Py_ssize_t n)
{
	struct hold *h = PyMem_Malloc(sizeof(*h) + n * (sizeof(Py_buffer) + sizeof(struct iovec)));

	if (!h) {
		PyErr_NoMemory();
		return NULL;
	}
	h->req = NULL;
	h->token = 0;
	h->open = 0;
	h->n = 0;
	h->iov = (struct iovec *)&h->v[n];
	return h;
}

static void hold_free(struct hold *h)
{
	if (!h)
		return;
	for (Py_ssize_t i = 0; i < h->n; i++)
		PyBuffer_Release(&h->v[i]);
	Py_XDECREF(h->req);
	PyMem_Free(h);
}

static void hold_capsule_free(PyObject *cap)
{
	hold_free(PyCapsule_GetPointer(cap, HOLD_NAME));
}

/* Export obj's buffer into the next view of h: writable for a read. */
static int hold_add(struct hold *h, PyObject *obj, int writable, const char *what)
{
	Py_buffer *v = &h->v[h->n];

	if (PyObject_GetBuffer(obj, v, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0) {
		if (writable && PyErr_ExceptionMatches(PyExc_BufferError)) {
			/* Keep the BufferError, naming the reason. */
			PyErr_Clear();
			PyErr_Format(PyExc_BufferError,
				     "%s: a read needs a writable buffer; %.200s is read-only", what,
				     Py_TYPE(obj)->tp_name);
		}
		return -1;
	}
	if ((uint64_t)v->len > AIONL_MAX_IO_LEN) {
		PyBuffer_Release(v);
		PyErr_Format(PyExc_ValueError, "%s: %zd bytes, over the %llu a transfer may move",
			     what, v->len, AIONL_MAX_IO_LEN);
		return -1;
	}
	h->iov[h->n].iov_base = v->buf;
	h->iov[h->n].iov_len = (size_t)v->len;
	h->n++;
	return 0;
}

/* ------------------------------------------------------------ encoding */

static int to_offset(PyObject *o, uint64_t *v)
{
	if (to_u64(o, "offset", UINT64_MAX, v))
		return -1;
	if (*v > AIONL_MAX_OFFSET && *v != AIONL_OFFSET_STREAM) {
		PyErr_Format(PyExc_ValueError, "offset out of range: must be 0 to %llu, "
			     "or OFFSET_STREAM", AIONL_MAX_OFFSET);
		return -1;
	}
	return 0;
}

/* A transfer's deadline: None, or positive seconds. */
static int set_deadline(struct aionl_req *r, PyObject *to)
{
	uint64_t ns;

	if (to == Py_None)
		return 0;
	if (to_ns(to, "timeout", &ns))
		return -1;
	if (!ns) {
		PyErr_SetString(PyExc_ValueError, "timeout must be positive (None: no deadline)");
		return -1;
	}
	aionl_req_set_timeout(r, ns);
	return 0;
}

static int handle_of(PyObject *f, uint64_t *h)
{
	PyObject *v = PyObject_GetAttr(f, s_handle);
	int err;

	if (!v) {
		if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
			PyErr_Clear();
			PyErr_Format(PyExc_TypeError,
				     "file must be an aionl.File (from Context.register), not %.200s",
				     Py_TYPE(f)->tp_name);
		}
		return -1;
	}
	err = to_u64(v, "file handle", UINT64_MAX, h);
	Py_DECREF(v);
	return err;
}

/* A READ or WRITE of one buffer, from its arguments. */
static int encode_rw(aionl_py_core *c, int op, PyObject *file, PyObject *buf, PyObject *off,
		     PyObject *to, struct aionl_req *r, struct hold **holdp)
{
	struct hold *h;
	uint64_t handle, offset;

	(void)c;
	if (handle_of(file, &handle) || to_offset(off, &offset))
		return -1;
	if (!(h = hold_new(1)))
		return -1;
	if (hold_add(h, buf, op == AIONL_OP_READ, "buf"))
		goto fail;
	if (op == AIONL_OP_READ)
		aionl_req_read(r, handle, h->iov[0].iov_base, h->iov[0].iov_len, offset, 0);
	else
		aionl_req_write(r, handle, h->iov[0].iov_base, h->iov[0].iov_len, offset, 0);
	if (set_deadline(r, to))
		goto fail;
	*holdp = h;
	return 0;
fail:
	hold_free(h);
	return -1;
}

/* Ordering (aionl_req_set_flags): the request's link and drain, on the requests that take them. */
static int set_order(PyObject *obj, struct aionl_req *r)
{
	int link, drain;

	switch (r->op) {
	case AIONL_OP_READ:
	case AIONL_OP_WRITE:
	case AIONL_OP_READV:
	case AIONL_OP_WRITEV:
	case AIONL_OP_FSYNC:
	case AIONL_OP_FDATASYNC:
	case AIONL_OP_NOP:
	case AIONL_OP_OPEN:
	case AIONL_OP_FALLOCATE:
	case AIONL_OP_STATX:
	case AIONL_OP_COPY:
		break;
	default:
		return 0;
	}
	if (attr_bool(obj, s_link, &link) || attr_bool(obj, s_drain, &drain))
		return -1;
	aionl_req_set_flags(r, (link ? AIONL_REQ_LINK : 0) | (drain ? AIONL_REQ_DRAIN : 0));
	return 0;
}

/*
 * A path as os.open takes one (str, bytes or os.PathLike; NUL inside:
 * ValueError), as bytes that stay alive and unchanged while held; at most
 * AIONL_MAX_PATH bytes with its NUL, else OSError(ENAMETOOLONG).
 */
static PyObject *path_bytes(PyObject *o)
{
	PyObject *path = NULL;

	if (!PyUnicode_FSConverter(o, &path))
		return NULL;
	if (PyBytes_GET_SIZE(path) + 1 > (Py_ssize_t)AIONL_MAX_PATH) {
		Py_DECREF(path);
		errno = ENAMETOOLONG;
		PyErr_SetFromErrno(PyExc_OSError);
		return NULL;
	}
	return path;
}

/* A FALLOCATE: the IDL's ranges are checked here; offset + length is the server's. */
static int encode_fallocate(PyObject *obj, struct aionl_req *r)
{
	uint64_t handle, mode, offset, length;

	if (file_handle(obj, &handle) || attr_u64(obj, s_mode, "mode", UINT32_MAX, &mode) ||
	    attr_u64(obj, s_offset, "offset", AIONL_MAX_OFFSET, &offset) ||
	    attr_u64(obj, s_length, "length", AIONL_MAX_OFFSET, &length))
		return -1;
	if (mode & ~(uint64_t)AIONL_FALLOC_MODE_MASK) {
		PyErr_Format(PyExc_ValueError, "mode %#llx: a FALLOCATE takes FALLOC_KEEP_SIZE, "
			     "FALLOC_PUNCH_HOLE and FALLOC_ZERO_RANGE (%#x)", (unsigned long long)mode,
			     AIONL_FALLOC_MODE_MASK);
		return -1;
	}
	if (!length) {
		PyErr_SetString(PyExc_ValueError, "length must be at least 1");
		return -1;
	}
	aionl_req_fallocate(r, handle, (uint32_t)mode, offset, length, 0);
	return 0;
}

/* A COPY: the IDL's ranges are checked here; each offset + length is the server's. */
static int encode_copy(PyObject *obj, struct aionl_req *r)
{
	uint64_t src, dst, src_off, dst_off, length;

	if (named_handle(obj, s_src, &src) ||
	    attr_u64(obj, s_src_offset, "src_offset", AIONL_MAX_OFFSET, &src_off) ||
	    named_handle(obj, s_dst, &dst) ||
	    attr_u64(obj, s_dst_offset, "dst_offset", AIONL_MAX_OFFSET, &dst_off) ||
	    attr_u64(obj, s_length, "length", AIONL_MAX_IO_LEN, &length))
		return -1;
	if (!length) {
		PyErr_SetString(PyExc_ValueError, "length must be at least 1");
		return -1;
	}
	aionl_req_copy(r, src, src_off, dst, dst_off, length, 0);
	return 0;
}

/*
 * A STATX of target: an aionl.File (the file itself; dir must be None) or a
 * path, from dir (an aionl.File) or the working directory. The struct statx
 * is written into buf, held writable, and the path is held too.
 */
static int encode_statx(PyObject *obj, struct aionl_req *r, struct hold **holdp)
{
	PyObject *target = NULL, *dir = NULL, *path = NULL, *buf = NULL;
	uint64_t handle = AIONL_AT_CWD, flags, mask;
	struct hold *h = NULL;
	const char *p = NULL;
	int err = -1;

	if (attr_u64(obj, s_flags, "flags", UINT32_MAX, &flags) ||
	    attr_u64(obj, s_mask, "mask", UINT32_MAX, &mask))
		return -1;
	if (flags & ~(uint64_t)AIONL_STATX_FLAG_MASK) {
		PyErr_Format(PyExc_ValueError, "flags %#llx: a STATX takes the STATX_ flags of "
			     "aionl (%#x)", (unsigned long long)flags, AIONL_STATX_FLAG_MASK);
		return -1;
	}
	if (mask & ~(uint64_t)AIONL_STATX_MASK_BITS) {
		PyErr_Format(PyExc_ValueError, "mask %#llx: STATX__RESERVED is refused",
			     (unsigned long long)mask);
		return -1;
	}
	if (!(target = attr(obj, s_target)) || !(dir = attr(obj, s_dir)) || !(buf = attr(obj, s_buf)))
		goto out;
	if (PyObject_HasAttr(target, s_handle)) {
		if (dir != Py_None) {
			PyErr_SetString(PyExc_TypeError, "dir goes with a path, not with an aionl.File");
			goto out;
		}
		if (handle_of(target, &handle))
			goto out;
	} else {
		if ((dir != Py_None && handle_of(dir, &handle)) || !(path = path_bytes(target)))
			goto out;
	}
	if (!(h = hold_new(2)))
		goto out;
	if (hold_add(h, buf, 1, "buf"))
		goto out;
	if (h->iov[0].iov_len < sizeof(struct statx)) {
		PyErr_Format(PyExc_ValueError, "buf: %zu bytes, less than a struct statx's %zu",
			     h->iov[0].iov_len, sizeof(struct statx));
		goto out;
	}
	if (path) {
		if (hold_add(h, path, 0, "path"))
			goto out;
		p = (const char *)h->iov[1].iov_base;
	}
	aionl_req_statx(r, handle, p, (uint32_t)flags, (uint32_t)mask,
			(struct statx *)h->iov[0].iov_base, 0);
	*holdp = h;
	h = NULL;
	err = 0;
out:
	hold_free(h);
	Py_XDECREF(target);
	Py_XDECREF(dir);
	Py_XDECREF(path);
	Py_XDECREF(buf);
	return err;
}

/*
 * Fill *r from the request object obj, all but the cookie. Buffers go to
 * *holdp (NULL for requests without any), which r points into.
 */
static int encode(aionl_py_core *c, PyObject *obj, struct aionl_req *r, struct hold **holdp)
{
	struct hold *h = NULL;
	uint64_t op, handle = 0, v1 = 0, v2 = 0, v3 = 0;
	PyObject *o = NULL;
	int flag;

	*holdp = NULL;
	memset(r, 0, sizeof(*r));
	if (attr_u64(obj, s_op, "request op", 255, &op))
		return -1;
	switch (op) {
	case AIONL_OP_READ:
	case AIONL_OP_WRITE: {
		PyObject *f = attr(obj, s_file), *b = NULL, *off = NULL, *to = NULL;
		int err = -1;

		if (f && (b = attr(obj, s_buf)) && (off = attr(obj, s_offset)) &&
		    (to = attr(obj, s_timeout)))
			err = encode_rw(c, (int)op, f, b, off, to, r, holdp);
		Py_XDECREF(f);
		Py_XDECREF(b);
		Py_XDECREF(off);
		Py_XDECREF(to);
		if (!err && set_order(obj, r)) {
			hold_free(*holdp);
			*holdp = NULL;
			err = -1;
		}
		return err;
	}
	case AIONL_OP_READV:
	case AIONL_OP_WRITEV: {
		PyObject *seq;
		Py_ssize_t n;

		if (file_handle(obj, &handle) || !(o = attr(obj, s_offset)))
			return -1;
		if (to_offset(o, &v1))
			goto fail;
		Py_CLEAR(o);
		if (!(o = attr(obj, s_buffers)))
			return -1;
		seq = PySequence_Fast(o, "buffers must be a sequence of buffers");
		Py_CLEAR(o);
		if (!seq)
			return -1;
		n = PySequence_Fast_GET_SIZE(seq);
		if (n < 1 || n > (Py_ssize_t)c->max_iov) {
			PyErr_Format(PyExc_ValueError, "%zd buffers: a vector has 1 to %u", n, c->max_iov);
			Py_DECREF(seq);
			return -1;
		}
		if (!(h = hold_new(n))) {
			Py_DECREF(seq);
			return -1;
		}
		for (Py_ssize_t i = 0; i < n; i++) {
			if (hold_add(h, PySequence_Fast_GET_ITEM(seq, i), op == AIONL_OP_READV,
				     "buffers")) {
				Py_DECREF(seq);
				goto fail;
			}
		}
		Py_DECREF(seq);
		if (op == AIONL_OP_READV)
			aionl_req_readv(r, handle, h->iov, (unsigned int)n, v1, 0);
		else
			aionl_req_writev(r, handle, h->iov, (unsigned int)n, v1, 0);
		break;
	}
	case AIONL_OP_FSYNC:
	case AIONL_OP_FDATASYNC:
		if (file_handle(obj, &handle))
			return -1;
		if (op == AIONL_OP_FSYNC)
			aionl_req_fsync(r, handle, 0);
		else
			aionl_req_fdatasync(r, handle, 0);
		break;
	case AIONL_OP_NOP:
		aionl_req_nop(r, 0);
		break;
	case AIONL_OP_TIMER:
		if (attr_ns(obj, s_value, "value", &v1) || attr_ns(obj, s_interval, "interval", &v2) ||
		    attr_u64(obj, s_clock, "clock", INT32_MAX, &v3) || attr_bool(obj, s_absolute, &flag))
			return -1;
		if (v3 != CLOCK_MONOTONIC && v3 != CLOCK_REALTIME && v3 != CLOCK_BOOTTIME) {
			PyErr_Format(PyExc_ValueError, "clock %llu: a timer runs on CLOCK_MONOTONIC, "
				     "CLOCK_REALTIME or CLOCK_BOOTTIME", (unsigned long long)v3);
			return -1;
		}
		aionl_req_timer(r, (int)v3, v1, v2, flag ? AIONL_TIMER_ABS : 0, 0);
		break;
	case AIONL_OP_TIMER_UPDATE:
		if (!(o = attr(obj, s_target)))
			return -1;
		if (target_cookie(o, &v3))
			goto fail;
		Py_CLEAR(o);
		if (attr_ns(obj, s_value, "value", &v1) || attr_ns(obj, s_interval, "interval", &v2) ||
		    attr_bool(obj, s_absolute, &flag))
			return -1;
		aionl_req_timer_update(r, v3, v1, v2, flag ? AIONL_TIMER_ABS : 0, 0);
		break;
	case AIONL_OP_POLL:
		if (file_handle(obj, &handle) ||
		    attr_u64(obj, s_events, "events", UINT32_MAX, &v1) ||
		    attr_bool(obj, s_multishot, &flag))
			return -1;
		if (v1 & ~(uint64_t)AIONL_POLL_EVENT_MASK) {
			PyErr_Format(PyExc_ValueError, "events %#llx: only POLL_IN, POLL_OUT, POLL_ERR "
				     "and POLL_HUP", (unsigned long long)v1);
			return -1;
		}
		aionl_req_poll(r, handle, (uint32_t)v1, flag ? AIONL_POLL_MULTISHOT : 0, 0);
		break;
	case AIONL_OP_SIGNAL: {
		PyObject *it, *item;
		uint64_t mask = 0, sig;

		if (!(o = attr(obj, s_signals)))
			return -1;
		it = PyObject_GetIter(o);
		Py_CLEAR(o);
		if (!it) {
			if (PyErr_ExceptionMatches(PyExc_TypeError)) {
				PyErr_Clear();
				PyErr_SetString(PyExc_TypeError, "signals must be an iterable of signal numbers");
			}
			return -1;
		}
		while ((item = PyIter_Next(it))) {
			int err = to_u64(item, "signal number", AIONL_MAX_SIGNAL, &sig);

			Py_DECREF(item);
			if (!err && sig < 1) {
				PyErr_Format(PyExc_ValueError, "signal number out of range: must be 1 to %u",
					     AIONL_MAX_SIGNAL);
				err = -1;
			}
			if (err) {
				Py_DECREF(it);
				return -1;
			}
			mask |= 1ULL << (sig - 1);
		}
		Py_DECREF(it);
		if (PyErr_Occurred())
			return -1;
		if (!mask) {
			PyErr_SetString(PyExc_ValueError, "an empty set of signals");
			return -1;
		}
		aionl_req_nop(r, 0);
		r->op = AIONL_OP_SIGNAL;
		r->sigmask = mask;
		break;
	}
	case AIONL_OP_CANCEL: {
		PyObject *f;
		uint32_t cflags = 0;

		if (attr_bool(obj, s_all, &flag))
			return -1;
		if (flag) {
			cflags = AIONL_CANCEL_ALL;
		} else {
			if (!(f = attr(obj, s_file)))
				return -1;
			if (f != Py_None) {
				Py_DECREF(f);
				if (file_handle(obj, &v3))
					return -1;
				cflags = AIONL_CANCEL_HANDLE;
			} else {
				Py_DECREF(f);
				if (!(o = attr(obj, s_target)))
					return -1;
				if (target_cookie(o, &v3))
					goto fail;
				Py_CLEAR(o);
			}
		}
		aionl_req_cancel(r, v3, cflags, 0);
		break;
	}
	case AIONL_OP_OPEN: {
		PyObject *path = NULL;
		uint64_t dir = AIONL_AT_CWD, mode, opt;

		if (!(o = attr(obj, s_dir)))
			return -1;
		if (o != Py_None && handle_of(o, &dir))
			goto fail;
		Py_CLEAR(o);
		if (attr_u64(obj, s_flags, "flags", UINT32_MAX, &v1) ||
		    attr_u64(obj, s_mode, "mode", 07777, &mode) || attr_bool(obj, s_fd, &flag))
			return -1;
		if (v1 & ~(uint64_t)AIONL_OPEN_FLAG_MASK) {
			PyErr_Format(PyExc_ValueError, "flags %#llx: an OPEN takes open(2)'s flags "
				     "within %#x", (unsigned long long)v1, AIONL_OPEN_FLAG_MASK);
			return -1;
		}
		opt = flag ? AIONL_OPEN_FD : 0;
		if (!(o = attr(obj, s_path)))
			return -1;
		if (!(path = path_bytes(o)))
			goto fail;
		Py_CLEAR(o);
		/* The path stays alive (and unchanged: bytes) until submitted, and after. */
		if (!(h = hold_new(1)) || hold_add(h, path, 0, "path")) {
			Py_DECREF(path);
			goto fail;
		}
		Py_DECREF(path);
		h->open = 1;
		aionl_req_open(r, dir, (const char *)h->iov[0].iov_base, (int)v1, (uint32_t)mode,
			       (uint32_t)opt, 0);
		break;
	}
	case AIONL_OP_FALLOCATE:
		if (encode_fallocate(obj, r))
			return -1;
		break;
	case AIONL_OP_COPY:
		if (encode_copy(obj, r))
			return -1;
		break;
	case AIONL_OP_STATX:
		if (encode_statx(obj, r, holdp))
			return -1;
		return 0;
	default:
		PyErr_Format(PyExc_ValueError, "unknown request op %llu", (unsigned long long)op);
		return -1;
	}
	/* The deadline of a vectored transfer. */
	if (op == AIONL_OP_READV || op == AIONL_OP_WRITEV) {
		if (!(o = attr(obj, s_timeout)) || set_deadline(r, o))
			goto fail;
		Py_CLEAR(o);
	}
	if (set_order(obj, r))
		goto fail;
	*holdp = h;
	return 0;
fail:
	Py_XDECREF(o);
	hold_free(h);
	return -1;
}

/* ------------------------------------------------------------ the table in flight */

/* A cookie no request in flight has, from the ones kept for cookies of None. */
static PyObject *fresh_cookie(aionl_py_core *c, uint64_t *cookie)
{
	for (;;) {
		PyObject *key;
		int in;

		*cookie = c->next_cookie++;
		if (c->next_cookie == 0)
			c->next_cookie = AUTO_COOKIE_BASE;
		if (!(key = PyLong_FromUnsignedLongLong(*cookie)))
			return NULL;
		in = PyDict_Contains(c->inflight, key);
		if (!in)
			return key;
		Py_DECREF(key);
		if (in < 0)
			return NULL;
	}
}

/*
 * Enter a request in the table of requests in flight under key: obj (the
 * request, or with token the future of its result) and its buffers h. On
 * failure h is freed.
 */
static int enter(aionl_py_core *c, PyObject *key, PyObject *obj, struct hold *h, int token)
{
	PyObject *val;
	int err;

	if (!h && token && !(h = hold_new(0)))
		return -1;
	if (h) {
		Py_INCREF(obj);
		h->req = obj;
		h->token = token;
		val = PyCapsule_New(h, HOLD_NAME, hold_capsule_free);
		if (!val) {
			hold_free(h);
			return -1;
		}
	} else {
		Py_INCREF(obj);
		val = obj;
	}
	err = PyDict_SetItem(c->inflight, key, val);
	Py_DECREF(val);
	return err;
}

/*
 * Enter the request object obj, encoded into *r and holding h, under its
 * cookie (a fresh one, stored in obj, if it is None); or, with token, under
 * a fresh cookie with token as what gets the result. *keyp gets the cookie.
 */
static int enter_request(aionl_py_core *c, PyObject *obj, PyObject *token, struct aionl_req *r,
			 struct hold *h, PyObject **keyp)
{
	PyObject *ck = NULL, *key = NULL;
	uint64_t cookie;
	int auto_cookie = 0, in;

	if (token) {
		if (!(key = fresh_cookie(c, &cookie)))
			goto fail;
	} else {
		if (!(ck = attr(obj, s_cookie)))
			goto fail;
		if (ck == Py_None) {
			auto_cookie = 1;
			if (!(key = fresh_cookie(c, &cookie)))
				goto fail;
		} else {
			if (to_u64(ck, "cookie", UINT64_MAX, &cookie))
				goto fail;
			if (!(key = PyLong_FromUnsignedLongLong(cookie)))
				goto fail;
			in = PyDict_Contains(c->inflight, key);
			if (in < 0)
				goto fail;
			if (in) {
				PyErr_Format(PyExc_ValueError, "cookie %llu belongs to a request in flight: "
					     "cookies in flight must be distinct",
					     (unsigned long long)cookie);
				goto fail;
			}
		}
	}
	r->cookie = cookie;
	if (enter(c, key, token ? token : obj, h, token != NULL)) {
		h = NULL;
		goto fail;
	}
	h = NULL;
	if (auto_cookie && PyObject_SetAttr(obj, s_cookie, key) < 0) {
		PyDict_DelItem(c->inflight, key);
		goto fail;
	}
	Py_XDECREF(ck);
	*keyp = key;
	return 0;
fail:
	Py_XDECREF(ck);
	Py_XDECREF(key);
	hold_free(h);
	return -1;
}

/* Take a request that was not submitted out of the table, releasing its buffers. */
static void leave_table(aionl_py_core *c, PyObject *key)
{
	PyObject *exc_type, *exc, *tb;

	/* Keep an exception being raised. */
	PyErr_Fetch(&exc_type, &exc, &tb);
	if (PyDict_DelItem(c->inflight, key) < 0)
		PyErr_Clear();
	PyErr_Restore(exc_type, exc, tb);
}

static int prepare(aionl_py_core *c, PyObject *obj, PyObject *token, struct aionl_req *r,
		   PyObject **keyp)
{
	struct hold *h;

	if (encode(c, obj, r, &h))
		return -1;
	return enter_request(c, obj, token, r, h, keyp);
}

/* ------------------------------------------------------------ open and close */

aionl_py_core *pycore_open(int backend, int executor, unsigned int max_inflight,
			   unsigned int workers, int spin_us, unsigned int flags, int bind_fd)
{
	struct aionl_params p = { .backend = (enum aionl_backend)backend,
				  .executor = (enum aionl_executor)executor,
				  .max_inflight = max_inflight, .workers = workers,
				  .spin_us = spin_us, .flags = flags, .bind_fd = bind_fd };
	struct aionl_info info;
	struct aionl_ctx *ctx = NULL;
	aionl_py_core *c;
	int err;

	Py_BEGIN_ALLOW_THREADS
	err = aionl_ctx_open(&ctx, &p);
	if (!err)
		err = aionl_ctx_info(ctx, &info);
	Py_END_ALLOW_THREADS
	if (err) {
		raise_errno(err, aionl_error_message());
		if (ctx) {
			Py_BEGIN_ALLOW_THREADS
			aionl_ctx_close(ctx);
			Py_END_ALLOW_THREADS
		}
		return NULL;
	}
	c = PyMem_Calloc(1, sizeof(*c));
	if (!c || !(c->inflight = PyDict_New())) {
		PyMem_Free(c);
		Py_BEGIN_ALLOW_THREADS
		aionl_ctx_close(ctx);
		Py_END_ALLOW_THREADS
		PyErr_NoMemory();
		return NULL;
	}
	c->ctx = ctx;
	c->next_cookie = AUTO_COOKIE_BASE;
	c->pid = getpid();
	c->max_iov = info.max_iov;
	return c;
}

static void queue_clear(aionl_py_core *c)
{
	struct pycore_queue *q = &c->queue;

	for (unsigned int i = 0; i < q->n; i++) {
		Py_DECREF(q->keys[i]);
		Py_DECREF(q->objs[i]);
	}
	q->n = 0;
}

PyObject *pycore_close(aionl_py_core *c)
{
	struct aionl_ctx *ctx = c->ctx;

	if (!ctx)
		Py_RETURN_NONE;
	c->closing = 1;
	/*
	 * aionl_ctx_close must not race with another call: wake the threads
	 * blocked in a reap on this context, and wait until no thread is
	 * inside the library. A child after fork has only this thread.
	 */
	if (getpid() == c->pid) {
		while (c->busy) {
			struct aionl_req r;
			PyObject *key = NULL;
			int n;

			aionl_req_nop(&r, 0);
			r.cookie = c->next_cookie++;
			if (c->next_cookie == 0)
				c->next_cookie = AUTO_COOKIE_BASE;
			key = PyLong_FromUnsignedLongLong(r.cookie);
			if (key && PyDict_Contains(c->inflight, key) == 0 &&
			    PyDict_SetItem(c->inflight, key, wake_marker) == 0) {
				Py_BEGIN_ALLOW_THREADS
				n = aionl_submit(ctx, &r, 1);
				Py_END_ALLOW_THREADS
				if (n != 1)
					leave_table(c, key);
			}
			PyErr_Clear();
			Py_XDECREF(key);
			Py_BEGIN_ALLOW_THREADS
			usleep(1000);
			Py_END_ALLOW_THREADS
		}
	}
	c->ctx = NULL;
	Py_BEGIN_ALLOW_THREADS
	aionl_ctx_close(ctx);
	Py_END_ALLOW_THREADS
	/* Nothing can touch the buffers any more: let them go. */
	queue_clear(c);
	PyDict_Clear(c->inflight);
	Py_RETURN_NONE;
}

void pycore_free(aionl_py_core *c)
{
	PyObject *exc_type, *exc, *tb;

	if (!c)
		return;
	PyErr_Fetch(&exc_type, &exc, &tb);
	Py_XDECREF(pycore_close(c));
	PyErr_Clear();
	PyErr_Restore(exc_type, exc, tb);
	queue_clear(c);
	PyMem_Free(c->queue.reqs);
	PyMem_Free(c->queue.keys);
	PyMem_Free(c->queue.objs);
	Py_XDECREF(c->inflight);
	PyMem_Free(c);
}

PyObject *pycore_closed(aionl_py_core *c)
{
	return PyBool_FromLong(!c->ctx || c->closing);
}

/* ------------------------------------------------------------ control calls */

PyObject *pycore_fileno(aionl_py_core *c)
{
	int fd;

	if (check_open(c))
		return NULL;
	fd = aionl_ctx_fd(c->ctx);
	if (fd < 0)
		return raise_errno(fd, aionl_error_message());
	return PyLong_FromLong(fd);
}

int pycore_info(aionl_py_core *c, struct aionl_info *info)
{
	int err;

	if (check_open(c))
		return -1;
	err = aionl_ctx_info(c->ctx, info);
	if (err) {
		raise_errno(err, aionl_error_message());
		return -1;
	}
	return 0;
}

PyObject *pycore_supports(aionl_py_core *c, PyObject *opobj)
{
	uint64_t op;
	int r;

	if (to_u64(opobj, "op", UINT32_MAX, &op) || check_open(c))
		return NULL;
	r = aionl_ctx_supports(c->ctx, (unsigned int)op);
	if (r < 0)
		return raise_errno(r, aionl_error_message());
	return PyBool_FromLong(r);
}

PyObject *pycore_req_flags(aionl_py_core *c)
{
	int r;

	if (check_open(c))
		return NULL;
	r = aionl_ctx_req_flags(c->ctx);
	if (r < 0)
		return raise_errno(r, aionl_error_message());
	return PyLong_FromLong(r);
}

PyObject *pycore_register(aionl_py_core *c, PyObject *fdobj)
{
	uint64_t handle, fd;
	int err;

	if (to_u64(fdobj, "fd", INT32_MAX, &fd) || check_open(c))
		return NULL;
	c->busy++;
	Py_BEGIN_ALLOW_THREADS
	err = aionl_file_register(c->ctx, (int)fd, &handle);
	Py_END_ALLOW_THREADS
	c->busy--;
	if (err)
		return raise_errno(err, aionl_error_message());
	return PyLong_FromUnsignedLongLong(handle);
}

PyObject *pycore_unregister(aionl_py_core *c, PyObject *hobj)
{
	uint64_t handle;
	int err;

	if (to_u64(hobj, "handle", UINT64_MAX, &handle) || check_open(c))
		return NULL;
	c->busy++;
	Py_BEGIN_ALLOW_THREADS
	err = aionl_file_unregister(c->ctx, handle);
	Py_END_ALLOW_THREADS
	c->busy--;
	if (err)
		return raise_errno(err, aionl_error_message());
	Py_RETURN_NONE;
}

/* ------------------------------------------------------------ submitting */

/* aionl_submit without the GIL: the count accepted, or -errno with *msg set. */
static int submit_nogil(aionl_py_core *c, const struct aionl_req *reqs, unsigned int n,
			char *msg, size_t msglen)
{
	int rc;

	c->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = aionl_submit(c->ctx, reqs, n);
	if (rc < 0)
		snprintf(msg, msglen, "%s", aionl_error_message());
	Py_END_ALLOW_THREADS
	c->busy--;
	return rc;
}

PyObject *pycore_submit(aionl_py_core *c, PyObject *reqs)
{
	PyObject *seq = NULL, **keys = NULL, *ret = NULL;
	struct aionl_req *r = NULL, one;
	PyObject *onekey;
	Py_ssize_t n, i, done = 0;
	char msg[256];
	int rc;

	if (check_open(c))
		return NULL;
	seq = PySequence_Fast(reqs, "submit takes a sequence of requests");
	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n == 0) {
		Py_DECREF(seq);
		return PyLong_FromLong(0);
	}
	if (n > INT32_MAX) {
		PyErr_SetString(PyExc_ValueError, "too many requests in one submit");
		goto out;
	}
	if (n == 1) {
		r = &one;
		keys = &onekey;
	} else {
		r = PyMem_Malloc(n * sizeof(*r));
		keys = PyMem_Malloc(n * sizeof(*keys));
		if (!r || !keys) {
			PyErr_NoMemory();
			goto out;
		}
	}
	/* Everything checked, and entered, before anything is sent. */
	for (i = 0; i < n; i++) {
		if (prepare(c, PySequence_Fast_GET_ITEM(seq, i), NULL, &r[i], &keys[i]))
			goto out;
		done++;
	}
	rc = submit_nogil(c, r, (unsigned int)n, msg, sizeof(msg));
	for (i = rc > 0 ? rc : 0; i < n; i++)
		leave_table(c, keys[i]);
	done = 0;
	for (i = 0; i < n; i++)
		Py_DECREF(keys[i]);
	if (rc < 0)
		raise_errno(rc, msg);
	else
		ret = PyLong_FromLong(rc);
out:
	for (i = 0; i < done; i++) {
		leave_table(c, keys[i]);
		Py_DECREF(keys[i]);
	}
	if (r != &one) {
		PyMem_Free(r);
		PyMem_Free(keys);
	}
	Py_DECREF(seq);
	return ret;
}

PyObject *pycore_check(aionl_py_core *c, PyObject *req)
{
	struct aionl_req r;
	struct hold *h;

	if (check_open(c) || encode(c, req, &r, &h))
		return NULL;
	hold_free(h);
	Py_RETURN_NONE;
}

static int queue_grow(struct pycore_queue *q)
{
	unsigned int cap = q->cap ? q->cap * 2 : 64;
	struct aionl_req *r = PyMem_Realloc(q->reqs, cap * sizeof(*r));

	if (!r)
		return -1;
	q->reqs = r;
	PyObject **k = PyMem_Realloc(q->keys, cap * sizeof(*k));
	if (!k)
		return -1;
	q->keys = k;
	PyObject **o = PyMem_Realloc(q->objs, cap * sizeof(*o));
	if (!o)
		return -1;
	q->objs = o;
	q->cap = cap;
	return 0;
}

/* Append a prepared request to the queue: takes key, adds a reference to obj. */
static void queue_push(aionl_py_core *c, const struct aionl_req *r, PyObject *key, PyObject *obj)
{
	struct pycore_queue *q = &c->queue;

	q->reqs[q->n] = *r;
	q->keys[q->n] = key;
	Py_INCREF(obj);
	q->objs[q->n] = obj;
	q->n++;
}

/* Whether a request can be queued now (with room for it), raising if not. */
static int queue_ready(aionl_py_core *c)
{
	struct pycore_queue *q = &c->queue;

	if (check_open(c))
		return -1;
	if (c->flushing) {
		/* Only a thread racing a flush gets here: the arrays are in use. */
		PyErr_SetString(PyExc_RuntimeError, "queue() during flush() on another thread");
		return -1;
	}
	if (q->n == q->cap && queue_grow(q)) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

PyObject *pycore_queue(aionl_py_core *c, PyObject *req, PyObject *token)
{
	struct aionl_req r;
	PyObject *key;

	if (token == Py_None)
		token = NULL;
	if (queue_ready(c) || prepare(c, req, token, &r, &key))
		return NULL;
	queue_push(c, &r, key, token ? token : req);
	if (token) {
		Py_INCREF(key);
		return key;
	}
	Py_RETURN_NONE;
}

PyObject *pycore_queue_io(aionl_py_core *c, int op, PyObject *file, PyObject *buf,
			  PyObject *offset, PyObject *timeout, PyObject *token)
{
	struct aionl_req r;
	struct hold *h;
	PyObject *key;
	uint64_t cookie;

	if (op != AIONL_OP_READ && op != AIONL_OP_WRITE) {
		PyErr_SetString(PyExc_ValueError, "queue_io: READ or WRITE");
		return NULL;
	}
	if (token == Py_None) {
		PyErr_SetString(PyExc_ValueError, "queue_io: a token is needed");
		return NULL;
	}
	if (queue_ready(c) || encode_rw(c, op, file, buf, offset, timeout, &r, &h))
		return NULL;
	if (!(key = fresh_cookie(c, &cookie))) {
		hold_free(h);
		return NULL;
	}
	r.cookie = cookie;
	if (enter(c, key, token, h, 1)) {
		Py_DECREF(key);
		return NULL;
	}
	queue_push(c, &r, key, token);
	Py_INCREF(key);
	return key;
}

PyObject *pycore_flush(aionl_py_core *c)
{
	struct pycore_queue *q = &c->queue;
	char msg[256];
	unsigned int i, k;
	int rc;

	if (check_open(c))
		return NULL;
	if (c->flushing || !q->n)
		return PyLong_FromLong(0);
	c->flushing = 1;
	rc = submit_nogil(c, q->reqs, q->n, msg, sizeof(msg));
	c->flushing = 0;
	if (rc == -EBUSY || rc == -EAGAIN)
		return PyLong_FromLong(0);	/* back-pressure: they wait */
	if (rc < 0)
		return raise_errno(rc, msg);
	k = (unsigned int)rc;
	for (i = 0; i < k; i++) {
		Py_DECREF(q->keys[i]);
		Py_DECREF(q->objs[i]);
	}
	memmove(q->reqs, q->reqs + k, (q->n - k) * sizeof(*q->reqs));
	memmove(q->keys, q->keys + k, (q->n - k) * sizeof(*q->keys));
	memmove(q->objs, q->objs + k, (q->n - k) * sizeof(*q->objs));
	q->n -= k;
	return PyLong_FromLong(rc);
}

PyObject *pycore_unqueue(aionl_py_core *c, PyObject *req)
{
	struct pycore_queue *q = &c->queue;
	uint64_t cookie = 0;
	int by_cookie = PyLong_Check(req);

	if (c->flushing)
		Py_RETURN_FALSE;
	if (by_cookie && to_u64(req, "cookie", UINT64_MAX, &cookie))
		return NULL;
	for (unsigned int i = 0; i < q->n; i++) {
		if (by_cookie ? q->reqs[i].cookie != cookie : q->objs[i] != req)
			continue;
		leave_table(c, q->keys[i]);
		Py_DECREF(q->keys[i]);
		Py_DECREF(q->objs[i]);
		memmove(q->reqs + i, q->reqs + i + 1, (q->n - i - 1) * sizeof(*q->reqs));
		memmove(q->keys + i, q->keys + i + 1, (q->n - i - 1) * sizeof(*q->keys));
		memmove(q->objs + i, q->objs + i + 1, (q->n - i - 1) * sizeof(*q->objs));
		q->n--;
		Py_RETURN_TRUE;
	}
	Py_RETURN_FALSE;
}

PyObject *pycore_retoken(aionl_py_core *c, PyObject *cookie, PyObject *token)
{
	PyObject *val = PyDict_GetItemWithError(c->inflight, cookie);
	struct hold *h;

	if (!val) {
		if (PyErr_Occurred())
			return NULL;
		Py_RETURN_FALSE;
	}
	if (!PyCapsule_CheckExact(val) || val == wake_marker)
		Py_RETURN_FALSE;
	h = PyCapsule_GetPointer(val, HOLD_NAME);
	if (!h || !h->token)
		Py_RETURN_FALSE;
	Py_INCREF(token);
	Py_SETREF(h->req, token);
	Py_RETURN_TRUE;
}

PyObject *pycore_queued(aionl_py_core *c)
{
	return PyLong_FromUnsignedLong(c->queue.n);
}

PyObject *pycore_inflight(aionl_py_core *c)
{
	return PyLong_FromSsize_t(PyDict_Size(c->inflight) - (Py_ssize_t)c->queue.n);
}

/* ------------------------------------------------------------ reaping */

static PyObject *siginfo_new(const struct aionl_siginfo *si)
{
	PyObject *s = PyStructSequence_New(SigInfoType);
	PyObject *v[11];

	if (!s)
		return NULL;
	v[0] = PyLong_FromLong(si->signo);
	v[1] = PyLong_FromLong(si->code);
	v[2] = PyLong_FromLong(si->errno_);
	v[3] = PyLong_FromLong(si->status);
	v[4] = PyLong_FromUnsignedLong(si->pid);
	v[5] = PyLong_FromUnsignedLong(si->uid);
	v[6] = PyLong_FromLong(si->fd);
	v[7] = PyLong_FromLong(si->overrun);
	v[8] = PyLong_FromLongLong(si->band);
	v[9] = PyLong_FromUnsignedLongLong(si->value);
	v[10] = PyLong_FromUnsignedLongLong(si->addr);
	for (int i = 0; i < 11; i++) {
		if (!v[i]) {
			for (int j = i + 1; j < 11; j++)
				Py_XDECREF(v[j]);
			Py_DECREF(s);
			return NULL;
		}
		PyStructSequence_SET_ITEM(s, i, v[i]);
	}
	return s;
}

/* The descriptor an OPEN's completion carries: -1 without AIONL_CQE_F_FD. */
static int open_fd(const struct aionl_cqe *q)
{
	return q->flags & AIONL_CQE_F_FD ? q->open.fd : -1;
}

static PyObject *openinfo_new(const struct aionl_cqe *q)
{
	PyObject *s = PyStructSequence_New(OpenInfoType), *h, *fd;

	if (!s)
		return NULL;
	h = PyLong_FromUnsignedLongLong(q->open.handle);
	fd = PyLong_FromLong(open_fd(q));
	if (!h || !fd) {
		Py_XDECREF(h);
		Py_XDECREF(fd);
		Py_DECREF(s);
		return NULL;
	}
	PyStructSequence_SET_ITEM(s, 0, h);
	PyStructSequence_SET_ITEM(s, 1, fd);
	return s;
}

/* What the future of an OPEN gets: (res, handle, fd), handle 0 unless res is 0. */
static PyObject *open_result(const struct aionl_cqe *q)
{
	return Py_BuildValue("(LKi)", (long long)q->res,
			     (unsigned long long)(q->res == 0 ? q->open.handle : 0),
			     q->res == 0 ? open_fd(q) : -1);
}

/*
 * The Completion of q, taking its request out of the table with its last
 * completion. *skip is set for close()'s own wake-ups.
 */
static PyObject *completion_new(aionl_py_core *c, const struct aionl_cqe *q, int *skip)
{
	PyObject *key = PyLong_FromUnsignedLongLong(q->cookie), *val, *req = Py_None, *s;
	PyObject *res = NULL, *flags = NULL, *si = NULL, *op = NULL;
	int is_open = 0;

	*skip = 0;
	if (!key)
		return NULL;
	val = PyDict_GetItemWithError(c->inflight, key);
	if (!val && PyErr_Occurred()) {
		Py_DECREF(key);
		return NULL;
	}
	if (val == wake_marker) {
		*skip = 1;
		leave_table(c, key);
		Py_DECREF(key);
		return NULL;
	}
	if (val) {
		int holds = PyCapsule_CheckExact(val);
		struct hold *h = holds ? PyCapsule_GetPointer(val, HOLD_NAME) : NULL;

		req = h ? h->req : val;
		is_open = h && h->open;
		Py_INCREF(req);
		/*
		 * The last completion lets the buffers go. A refusal whose echo was
		 * cut short comes back with cookie 0, which may not be this
		 * request's: a request holding buffers stays held rather than
		 * risk releasing another's (the checks before submitting keep
		 * every refusal from happening).
		 */
		if (!(q->flags & AIONL_CQE_F_MORE) &&
		    !(q->cookie == 0 && (q->flags & AIONL_CQE_F_REJECTED) && holds))
			leave_table(c, key);
	} else {
		Py_INCREF(Py_None);
	}
	if (q->flags & AIONL_CQE_F_SIGNAL) {
		si = siginfo_new(&q->si);
	} else {
		si = Py_None;
		Py_INCREF(si);
	}
	if (is_open && q->res == 0 && !(q->flags & AIONL_CQE_F_REJECTED)) {
		op = openinfo_new(q);
	} else {
		op = Py_None;
		Py_INCREF(op);
	}
	res = PyLong_FromLongLong(q->res);
	flags = PyLong_FromUnsignedLong(q->flags);
	s = PyStructSequence_New(CompletionType);
	if (!si || !op || !res || !flags || !s) {
		Py_XDECREF(si);
		Py_XDECREF(op);
		Py_XDECREF(res);
		Py_XDECREF(flags);
		Py_XDECREF(s);
		Py_DECREF(req);
		Py_DECREF(key);
		return NULL;
	}
	PyStructSequence_SET_ITEM(s, 0, key);
	PyStructSequence_SET_ITEM(s, 1, res);
	PyStructSequence_SET_ITEM(s, 2, flags);
	PyStructSequence_SET_ITEM(s, 3, req);
	PyStructSequence_SET_ITEM(s, 4, si);
	PyStructSequence_SET_ITEM(s, 5, op);
	return s;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

PyObject *pycore_reap(aionl_py_core *c, PyObject *maxobj, PyObject *minobj, PyObject *timeout)
{
	struct aionl_cqe stack[REAP_STACK], *cqes = stack;
	uint64_t max, min, wait_ns = 0, deadline = 0;
	struct timespec ts;
	PyObject *list = NULL;
	char msg[256];
	int n;

	if (to_u64(maxobj, "max", INT32_MAX, &max) || to_u64(minobj, "min", INT32_MAX, &min))
		return NULL;
	if (max < 1 || min > max) {
		PyErr_Format(PyExc_ValueError, "reap: need 1 <= max and 0 <= min <= max (max %llu, min %llu)",
			     (unsigned long long)max, (unsigned long long)min);
		return NULL;
	}
	if (timeout != Py_None) {
		if (to_ns(timeout, "timeout", &wait_ns))
			return NULL;
		deadline = mono_ns() + wait_ns;
	}
	if (check_open(c))
		return NULL;
	if (max > REAP_STACK) {
		cqes = PyMem_Malloc(max * sizeof(*cqes));
		if (!cqes)
			return PyErr_NoMemory();
	}
	for (;;) {
		c->busy++;
		Py_BEGIN_ALLOW_THREADS
		ts.tv_sec = (time_t)(wait_ns / 1000000000ULL);
		ts.tv_nsec = (long)(wait_ns % 1000000000ULL);
		n = aionl_reap(c->ctx, cqes, (unsigned int)max, (unsigned int)min,
			       timeout == Py_None ? NULL : &ts);
		if (n < 0)
			snprintf(msg, sizeof(msg), "%s", aionl_error_message());
		Py_END_ALLOW_THREADS
		c->busy--;
		if (n != -EINTR)
			break;
		/* PEP 475: run the handlers; go on unless one raised. */
		if (PyErr_CheckSignals() < 0)
			goto out;
		if (c->closing || !c->ctx) {
			raise_closed();
			goto out;
		}
		if (timeout != Py_None) {
			uint64_t now = mono_ns();

			if (now >= deadline) {
				n = 0;
				break;
			}
			wait_ns = deadline - now;
		}
	}
	if (n < 0) {
		raise_errno(n, msg);
		goto out;
	}
	/*
	 * close() from another thread woke this reap: what it took goes the
	 * way of every completion not reaped before close.
	 */
	if (c->closing) {
		raise_closed();
		goto out;
	}
	list = PyList_New(0);
	if (!list)
		goto out;
	for (int i = 0; i < n; i++) {
		int skip;
		PyObject *cq = completion_new(c, &cqes[i], &skip);

		if (skip)
			continue;
		/*
		 * On failure (no memory) the completions not yet converted are
		 * lost; their requests stay in the table, holding their buffers,
		 * which is safe.
		 */
		if (!cq || PyList_Append(list, cq) < 0) {
			Py_XDECREF(cq);
			Py_CLEAR(list);
			goto out;
		}
		Py_DECREF(cq);
	}
out:
	if (cqes != stack)
		PyMem_Free(cqes);
	return list;
}

/* ------------------------------------------------------------ dispatching */

/* Keep the first exception of a run of callbacks; later ones are reported as unraisable. */
static void keep_error(PyObject **saved)
{
	PyObject *t, *v, *tb;

	if (!*saved) {
		PyErr_Fetch(&t, &v, &tb);
		PyErr_NormalizeException(&t, &v, &tb);
		if (tb && v)
			PyException_SetTraceback(v, tb);
		Py_XDECREF(t);
		Py_XDECREF(tb);
		*saved = v;
	} else {
		PyErr_WriteUnraisable(NULL);
	}
}

PyObject *pycore_dispatch(aionl_py_core *c, PyObject *late, PyObject *feed)
{
	struct aionl_cqe cqes[REAP_STACK];
	PyObject *saved = NULL;
	long total = 0;
	int n;

	if (!PyDict_Check(late) || !PyCallable_Check(feed)) {
		PyErr_SetString(PyExc_TypeError, "dispatch(late: dict, feed: callable)");
		return NULL;
	}
	do {
		if (check_open(c))
			break;
		/* min_nr 0: takes what waits, never blocks, so the GIL stays. */
		n = aionl_reap(c->ctx, cqes, REAP_STACK, 0, NULL);
		if (n < 0) {
			raise_errno(n, aionl_error_message());
			break;
		}
		for (int i = 0; i < n; i++) {
			const struct aionl_cqe *q = &cqes[i];
			PyObject *key = PyLong_FromUnsignedLongLong(q->cookie), *val, *r;
			struct hold *h = NULL;

			if (!key) {
				keep_error(&saved);
				continue;
			}
			val = PyDict_GetItemWithError(c->inflight, key);
			if (val && val != wake_marker && PyCapsule_CheckExact(val))
				h = PyCapsule_GetPointer(val, HOLD_NAME);
			if (h && h->token) {
				/* A future: its result is the completion's. */
				PyObject *fut = h->req, *res, *cancelled;
				int is;

				Py_INCREF(fut);
				if (h->open)
					res = open_result(q);
				else
					res = PyLong_FromLongLong(q->res);
				if (!(q->flags & AIONL_CQE_F_MORE))
					leave_table(c, key);
				r = res ? PyObject_CallMethodOneArg(fut, s_set_result, res) : NULL;
				if (!r && res) {
					/*
					 * Refused: the future was cancelled (its task is
					 * about to ask for a CANCEL). Keep the result
					 * for that task, which then knows it is over.
					 */
					PyObject *t, *v, *tb;

					PyErr_Fetch(&t, &v, &tb);
					cancelled = PyObject_CallMethodNoArgs(fut, s_cancelled);
					is = cancelled ? PyObject_IsTrue(cancelled) : -1;
					Py_XDECREF(cancelled);
					if (is > 0) {
						Py_XDECREF(t);
						Py_XDECREF(v);
						Py_XDECREF(tb);
						r = PyDict_SetItem(late, key, res) ? NULL : Py_NewRef(Py_None);
					} else {
						if (is < 0)
							PyErr_Clear();
						PyErr_Restore(t, v, tb);
					}
				}
				if (r)
					Py_DECREF(r);
				else
					keep_error(&saved);
				Py_XDECREF(res);
				Py_DECREF(fut);
			} else if (val) {
				int skip;
				PyObject *cq = completion_new(c, q, &skip);

				if (cq) {
					r = PyObject_CallOneArg(feed, cq);
					Py_DECREF(cq);
					if (r)
						Py_DECREF(r);
					else
						keep_error(&saved);
				} else if (!skip) {
					keep_error(&saved);
				}
			} else if (PyErr_Occurred()) {
				keep_error(&saved);
			}
			Py_DECREF(key);
		}
		total += n;
	} while (n == REAP_STACK);
	if (saved) {
		PyErr_SetObject((PyObject *)Py_TYPE(saved), saved);
		Py_DECREF(saved);
		return NULL;
	}
	if (PyErr_Occurred())
		return NULL;
	return PyLong_FromLong(total);
}

PyObject *pycore_tokens(aionl_py_core *c)
{
	PyObject *list = PyList_New(0), *key, *val;
	Py_ssize_t pos = 0;

	if (!list)
		return NULL;
	while (PyDict_Next(c->inflight, &pos, &key, &val)) {
		struct hold *h;

		if (!PyCapsule_CheckExact(val) || val == wake_marker)
			continue;
		h = PyCapsule_GetPointer(val, HOLD_NAME);
		if (h && h->token && PyList_Append(list, h->req) < 0) {
			Py_DECREF(list);
			return NULL;
		}
	}
	return list;
}

PyObject *pycore_install(aionl_py_core *c, PyObject *hobj, PyObject *flagsobj)
{
	uint64_t handle, flags;
	int fd;

	if (to_u64(hobj, "handle", UINT64_MAX, &handle) ||
	    to_u64(flagsobj, "flags", UINT32_MAX, &flags) || check_open(c))
		return NULL;
	c->busy++;
	Py_BEGIN_ALLOW_THREADS
	fd = aionl_file_install(c->ctx, handle, (unsigned int)flags);
	Py_END_ALLOW_THREADS
	c->busy--;
	if (fd < 0)
		return raise_errno(fd, aionl_error_message());
	return PyLong_FromLong(fd);
}
