// SPDX-License-Identifier: MIT

package aionl

// Every call into libaionl goes through this file. The rules it keeps:
//
//   - C never keeps a Go pointer after a call returns. Buffers that a request
//     names live in C memory (Buffer, or the bounce buffers of the []byte
//     calls); the request descriptors passed to goaionl_submit hold those
//     addresses as integers and are copied into struct aionl_req on the C
//     stack, which aionl_submit encodes before it returns.
//   - aionl_error_message() is per OS thread, and a goroutine may move to
//     another thread between two cgo calls: each helper below reads the
//     message in the same C call that failed and copies it out.

/*
#cgo pkg-config: aionl
#define _GNU_SOURCE // O_PATH, struct statx
#include <aionl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define GOAIONL_MSG 256

// The result of a call that can fail: the return value, a value it produced,
// and the library's message, copied in the thread that failed.
struct goaionl_ret {
	int64_t r;
	uint64_t v;
	struct aionl_ctx *ctx;
	char msg[GOAIONL_MSG];
};

static void goaionl_msg(struct goaionl_ret *ret)
{
	if (ret->r < 0) {
		strncpy(ret->msg, aionl_error_message(), GOAIONL_MSG - 1);
		ret->msg[GOAIONL_MSG - 1] = 0;
	} else {
		ret->msg[0] = 0;
	}
}

static struct goaionl_ret goaionl_open(int backend, int executor, unsigned int max_inflight,
				       unsigned int workers, int spin_us, unsigned int flags,
				       int bind_fd)
{
	struct aionl_params p;
	struct aionl_ctx *ctx = NULL;
	struct goaionl_ret ret = { 0 };

	memset(&p, 0, sizeof(p));
	p.backend = (enum aionl_backend)backend;
	p.executor = (enum aionl_executor)executor;
	p.max_inflight = max_inflight;
	p.workers = workers;
	p.spin_us = spin_us;
	p.flags = flags;
	p.bind_fd = bind_fd;
	ret.r = aionl_ctx_open(&ctx, &p);
	ret.v = 0;
	ret.ctx = ctx;
	goaionl_msg(&ret);
	return ret;
}

static struct goaionl_ret goaionl_fd(struct aionl_ctx *ctx)
{
	struct goaionl_ret ret = { 0 };

	ret.r = aionl_ctx_fd(ctx);
	ret.v = 0;
	goaionl_msg(&ret);
	return ret;
}

static struct goaionl_ret goaionl_info(struct aionl_ctx *ctx, struct aionl_info *info)
{
	struct goaionl_ret ret = { 0 };

	ret.r = aionl_ctx_info(ctx, info);
	ret.v = 0;
	goaionl_msg(&ret);
	return ret;
}

static struct goaionl_ret goaionl_register(struct aionl_ctx *ctx, uintptr_t fd)
{
	struct goaionl_ret ret = { 0 };
	uint64_t handle = 0;

	ret.r = aionl_file_register(ctx, (int)fd, &handle);
	ret.v = handle;
	goaionl_msg(&ret);
	return ret;
}

static struct goaionl_ret goaionl_unregister(struct aionl_ctx *ctx, uint64_t handle)
{
	struct goaionl_ret ret = { 0 };

	ret.r = aionl_file_unregister(ctx, handle);
	ret.v = 0;
	goaionl_msg(&ret);
	return ret;
}

// One request as Go fills it: plain integers, no pointer, no union.
struct goaionl_req {
	uint64_t handle;
	uint64_t offset;
	uint64_t len;
	uint64_t cookie;
	uint64_t a;		// timer value, poll events, cancel target, STATX's path (C memory),
				// COPY's destination handle
	uint64_t b;		// timer interval, STATX's mask, COPY's destination offset
	uint64_t timeout_ns;
	uintptr_t buf;		// C memory
	uint32_t op;
	uint32_t flags;		// ... FALLOCATE's mode, STATX's flags
	uint32_t order;		// AIONL_REQ_LINK, AIONL_REQ_DRAIN
};

static void goaionl_fill(struct aionl_req *r, const struct goaionl_req *g)
{
	switch (g->op) {
	case AIONL_OP_READ:
		aionl_req_read(r, g->handle, (void *)g->buf, g->len, g->offset, g->cookie);
		break;
	case AIONL_OP_WRITE:
		aionl_req_write(r, g->handle, (const void *)g->buf, g->len, g->offset, g->cookie);
		break;
	case AIONL_OP_FSYNC:
		aionl_req_fsync(r, g->handle, g->cookie);
		break;
	case AIONL_OP_FDATASYNC:
		aionl_req_fdatasync(r, g->handle, g->cookie);
		break;
	case AIONL_OP_TIMER:
		aionl_req_timer(r, CLOCK_MONOTONIC, g->a, g->b, g->flags, g->cookie);
		break;
	case AIONL_OP_POLL:
		aionl_req_poll(r, g->handle, (uint32_t)g->a, g->flags, g->cookie);
		break;
	case AIONL_OP_CANCEL:
		aionl_req_cancel(r, g->a, g->flags, g->cookie);
		break;
	case AIONL_OP_FALLOCATE:
		aionl_req_fallocate(r, g->handle, g->flags, g->offset, g->len, g->cookie);
		break;
	case AIONL_OP_STATX:
		aionl_req_statx(r, g->handle, (const char *)(uintptr_t)g->a, g->flags, (uint32_t)g->b,
				(struct statx *)g->buf, g->cookie);
		break;
	case AIONL_OP_COPY:
		aionl_req_copy(r, g->handle, g->offset, g->a, g->b, g->len, g->cookie);
		break;
	default:
		aionl_req_nop(r, g->cookie);
		r->op = (uint8_t)g->op;
		break;
	}
	if (g->timeout_ns)
		aionl_req_set_timeout(r, g->timeout_ns);
	aionl_req_set_flags(r, g->order);
}

#define GOAIONL_BATCH 64

// Submit up to GOAIONL_BATCH requests; the count accepted, from the first,
// or -errno with the message when none was.
static int goaionl_submit(struct aionl_ctx *ctx, const struct goaionl_req *g, unsigned int n,
			  char *msg)
{
	struct aionl_req r[GOAIONL_BATCH];
	unsigned int i;
	int ret;

	if (n > GOAIONL_BATCH)
		n = GOAIONL_BATCH;
	for (i = 0; i < n; i++)
		goaionl_fill(&r[i], &g[i]);
	ret = aionl_submit(ctx, r, n);
	if (ret < 0) {
		strncpy(msg, aionl_error_message(), GOAIONL_MSG - 1);
		msg[GOAIONL_MSG - 1] = 0;
	}
	return ret;
}

// Reap what waits, never blocking (min_nr 0), so that no OS thread sits in
// C while goroutines wait: the waiting is the netpoller's.
static int goaionl_reap(struct aionl_ctx *ctx, struct aionl_cqe *cqes, unsigned int max,
			char *msg)
{
	int ret = aionl_reap(ctx, cqes, max, 0, NULL);

	if (ret < 0) {
		strncpy(msg, aionl_error_message(), GOAIONL_MSG - 1);
		msg[GOAIONL_MSG - 1] = 0;
	}
	return ret;
}

static void *goaionl_alloc(size_t n)
{
	void *p = NULL;

	// Page-aligned, so that the buffer suits O_DIRECT files.
	if (posix_memalign(&p, 4096, n ? n : 1))
		return NULL;
	return p;
}
*/
import "C"

import (
	"syscall"
	"time"
	"unsafe"
)

// AllocateMode is the mode of File.Allocate: fallocate(2)'s FALLOC_FL_
// bits, with their values. 0 allocates, growing the file to the range's end.
type AllocateMode uint32

const (
	// AllocateKeepSize allocates without changing the size, even past the end.
	AllocateKeepSize AllocateMode = C.AIONL_FALLOC_KEEP_SIZE
	// AllocatePunchHole deallocates the range, which reads back as zeros;
	// only with AllocateKeepSize, as fallocate(2) requires (EOPNOTSUPP).
	AllocatePunchHole AllocateMode = C.AIONL_FALLOC_PUNCH_HOLE
	// AllocateZeroRange zeroes the range, allocated; the file grows to its
	// end unless AllocateKeepSize. Not every file system has it (tmpfs:
	// EOPNOTSUPP).
	AllocateZeroRange AllocateMode = C.AIONL_FALLOC_ZERO_RANGE
)

// The STATX_ bits of Statx.Mask (statx(2)'s, from <linux/stat.h>).
const (
	StatxBasicStats = uint32(C.STATX_BASIC_STATS)
	StatxBtime      = uint32(C.STATX_BTIME)
	StatxMntID      = uint32(C.STATX_MNT_ID)
)

const (
	opRead      = C.AIONL_OP_READ
	opWrite     = C.AIONL_OP_WRITE
	opFsync     = C.AIONL_OP_FSYNC
	opFdatasync = C.AIONL_OP_FDATASYNC
	opTimer     = C.AIONL_OP_TIMER
	opPoll      = C.AIONL_OP_POLL
	opCancel    = C.AIONL_OP_CANCEL
	opNop       = C.AIONL_OP_NOP
	opFallocate = C.AIONL_OP_FALLOCATE
	opStatx     = C.AIONL_OP_STATX
	opCopy      = C.AIONL_OP_COPY

	// copy_file_range(2)'s number, which package syscall of Go 1.19 lacks:
	// the tests compare Copy with the system call itself.
	sysCopyFileRange = C.SYS_copy_file_range

	fallocModeMask    = uint32(C.AIONL_FALLOC_MODE_MASK)
	statxNofollow     = uint32(C.AIONL_STATX_SYMLINK_NOFOLLOW)
	statxSize         = int(C.sizeof_struct_statx)
	maxPath           = int(C.AIONL_MAX_PATH)
	statxDefaultMasks = uint32(C.STATX_BASIC_STATS | C.STATX_BTIME)

	offsetStream = uint64(C.AIONL_OFFSET_STREAM)
	maxIOLen     = int64(C.AIONL_MAX_IO_LEN)
	maxNS        = int64(C.AIONL_MAX_NS)

	cqeRejected = uint32(C.AIONL_CQE_F_REJECTED)
	cqeMore     = uint32(C.AIONL_CQE_F_MORE)

	pollIn        = uint32(C.AIONL_POLL_IN)
	pollOut       = uint32(C.AIONL_POLL_OUT)
	pollErr       = uint32(C.AIONL_POLL_ERR)
	pollHup       = uint32(C.AIONL_POLL_HUP)
	cancelHandle  = uint32(C.AIONL_CANCEL_HANDLE)
	paramNoInline = uint(C.AIONL_PARAMS_NO_INLINE)
	paramNoDirect = uint(C.AIONL_PARAMS_NO_DIRECT)
	paramBindFd   = uint(C.AIONL_PARAMS_BIND_FD)
	reqLink       = uint32(C.AIONL_REQ_LINK)
	reqDrain      = uint32(C.AIONL_REQ_DRAIN)
	openPath      = int(C.O_PATH) // not in package syscall

	backendAuto    = int(C.AIONL_BACKEND_AUTO)
	backendKernel  = int(C.AIONL_BACKEND_KERNEL)
	backendUser    = int(C.AIONL_BACKEND_USER)
	executorAuto   = int(C.AIONL_EXEC_AUTO)
	executorKernel = int(C.AIONL_EXEC_KERNEL)
	executorURing  = int(C.AIONL_EXEC_URING)
	executorThread = int(C.AIONL_EXEC_THREADS)

	submitBatch = C.GOAIONL_BATCH
	msgSize     = C.GOAIONL_MSG
)

// creq is one request as the submitter hands it to C.
type creq = C.struct_goaionl_req

// cctx is the library's context.
type cctx = C.struct_aionl_ctx

// err turns a goaionl_ret into an error, or nil.
func (r *C.struct_goaionl_ret) err(op string) error {
	if r.r >= 0 {
		return nil
	}
	return &Error{Op: op, Errno: syscall.Errno(-r.r), Msg: C.GoString(&r.msg[0])}
}

func cOpen(backend, executor int, maxInflight, workers uint, spinUS int, flags uint, bindFd int) (*cctx, error) {
	r := C.goaionl_open(C.int(backend), C.int(executor), C.uint(maxInflight), C.uint(workers),
		C.int(spinUS), C.uint(flags), C.int(bindFd))
	if err := r.err("open"); err != nil {
		return nil, err
	}
	return r.ctx, nil
}

func cClose(c *cctx) { C.aionl_ctx_close(c) }

func cFd(c *cctx) (int, error) {
	r := C.goaionl_fd(c)
	if err := r.err("fd"); err != nil {
		return -1, err
	}
	return int(r.r), nil
}

func cInfo(c *cctx) (Info, error) {
	var ci C.struct_aionl_info
	r := C.goaionl_info(c, &ci)
	if err := r.err("info"); err != nil {
		return Info{}, err
	}
	return Info{
		Backend:         C.GoString(C.aionl_backend_name(ci.backend)),
		Executor:        C.GoString(C.aionl_executor_name(ci.executor)),
		ProtocolVersion: int(ci.version),
		MaxInflight:     int(ci.max_inflight),
		MaxFiles:        int(ci.max_files),
		MaxIOV:          int(ci.max_iov),
		MaxIOLen:        int64(ci.max_io_len),
		MaxMsgSize:      int(ci.max_msg_size),
		Workers:         int(ci.workers),
		Reason:          C.GoString(&ci.reason[0]),
	}, nil
}

// cmdNumbers maps the names of the library's commands (aionl_cmd_name(3):
// "read", "timer_update", "open", "bind"...) to their numbers.
var cmdNumbers = func() map[string]uint {
	m := make(map[string]uint)
	for n := 0; n < 64; n++ {
		if s := C.aionl_cmd_name(C.uint(n)); s != nil {
			m[C.GoString(s)] = uint(n)
		}
	}
	return m
}()

// cCommands asks aionl_ctx_supports about every number below 64: bit n for
// command n. What a Ctx is served is fixed when it opens.
func cCommands(c *cctx) uint64 {
	var m uint64
	for n := 0; n < 64; n++ {
		if C.aionl_ctx_supports(c, C.uint(n)) == 1 {
			m |= 1 << n
		}
	}
	return m
}

// cOrderFlags is aionl_ctx_req_flags: the ordering flags the server honours.
func cOrderFlags(c *cctx) uint32 {
	if r := C.aionl_ctx_req_flags(c); r > 0 {
		return uint32(r)
	}
	return 0
}

func cRegister(c *cctx, fd uintptr) (uint64, error) {
	r := C.goaionl_register(c, C.uintptr_t(fd))
	if err := r.err("register"); err != nil {
		return 0, err
	}
	return uint64(r.v), nil
}

func cUnregister(c *cctx, handle uint64) error {
	r := C.goaionl_unregister(c, C.uint64_t(handle))
	return r.err("unregister")
}

// cSubmit submits reqs[:min(len, submitBatch)]: the count accepted, or
// -errno with the message written to msg (C memory of msgSize bytes).
func cSubmit(c *cctx, reqs []creq, msg unsafe.Pointer) int {
	return int(C.goaionl_submit(c, &reqs[0], C.uint(len(reqs)), (*C.char)(msg)))
}

// cqe is the part of a completion the dispatcher reads.
type cqe struct {
	cookie uint64
	res    int64
	flags  uint32
}

// reapRing is C memory the reaper receives completions into.
type reapRing struct {
	cqes *C.struct_aionl_cqe
	n    int
	msg  unsafe.Pointer
}

func newReapRing(n int) *reapRing {
	return &reapRing{
		cqes: (*C.struct_aionl_cqe)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.struct_aionl_cqe{})))),
		n:    n,
		msg:  C.calloc(1, msgSize),
	}
}

func (r *reapRing) free() {
	C.free(unsafe.Pointer(r.cqes))
	C.free(r.msg)
}

// reap takes what waits into out (len(out) >= r.n) without blocking.
func (r *reapRing) reap(c *cctx, out []cqe) (int, error) {
	n := int(C.goaionl_reap(c, r.cqes, C.uint(r.n), (*C.char)(r.msg)))
	if n < 0 {
		return 0, &Error{Op: "reap", Errno: syscall.Errno(-n), Msg: C.GoString((*C.char)(r.msg))}
	}
	cs := unsafe.Slice(r.cqes, n)
	for i := range cs {
		out[i] = cqe{cookie: uint64(cs[i].cookie), res: int64(cs[i].res), flags: uint32(cs[i].flags)}
	}
	return n, nil
}

func cMsgString(msg unsafe.Pointer) string { return C.GoString((*C.char)(msg)) }

func cAlloc(n int) unsafe.Pointer { return C.goaionl_alloc(C.size_t(n)) }

func cCalloc(n int) unsafe.Pointer { return C.calloc(1, C.size_t(n)) }

func cFree(p unsafe.Pointer) { C.free(p) }

// set and the others fill a request; its buffer is C memory, held as an
// address, never a Go pointer.
func (r *creq) set(op uint32, handle, offset uint64, buf unsafe.Pointer, n int, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(op)
	r.handle = C.uint64_t(handle)
	r.offset = C.uint64_t(offset)
	r.buf = C.uintptr_t(uintptr(buf))
	r.len = C.uint64_t(n)
	r.cookie = C.uint64_t(cookie)
}

func (r *creq) setTimer(valueNS, intervalNS uint64, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opTimer)
	r.a = C.uint64_t(valueNS)
	r.b = C.uint64_t(intervalNS)
	r.cookie = C.uint64_t(cookie)
}

func (r *creq) setPoll(handle uint64, events uint32, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opPoll)
	r.handle = C.uint64_t(handle)
	r.a = C.uint64_t(events)
	r.cookie = C.uint64_t(cookie)
}

func (r *creq) setCancel(target uint64, flags uint32, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opCancel)
	r.a = C.uint64_t(target)
	r.flags = C.uint32_t(flags)
	r.cookie = C.uint64_t(cookie)
}

func (r *creq) cookieOf() uint64 { return uint64(r.cookie) }

// setOrder sets the ordering flags (reqLink, reqDrain) of a filled request.
func (r *creq) setOrder(flags uint32) { r.order = C.uint32_t(flags) }

// links says whether the request is linked to the next one of its batch.
func (r *creq) links() bool { return uint32(r.order)&reqLink != 0 }

func (r *creq) setFallocate(handle uint64, mode uint32, off, n uint64, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opFallocate)
	r.handle = C.uint64_t(handle)
	r.offset = C.uint64_t(off)
	r.len = C.uint64_t(n)
	r.flags = C.uint32_t(mode)
	r.cookie = C.uint64_t(cookie)
}

// setCopy fills a COPY of n bytes from src at srcOff to dst at dstOff.
func (r *creq) setCopy(src, srcOff, dst, dstOff, n uint64, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opCopy)
	r.handle = C.uint64_t(src)
	r.offset = C.uint64_t(srcOff)
	r.a = C.uint64_t(dst)
	r.b = C.uint64_t(dstOff)
	r.len = C.uint64_t(n)
	r.cookie = C.uint64_t(cookie)
}

// setStatx fills a STATX: path and buf are C memory (path nil for the
// handle's file itself).
func (r *creq) setStatx(handle uint64, path unsafe.Pointer, flags, mask uint32, buf unsafe.Pointer, cookie uint64) {
	*r = creq{}
	r.op = C.uint32_t(opStatx)
	r.handle = C.uint64_t(handle)
	r.a = C.uint64_t(uintptr(path))
	r.b = C.uint64_t(mask)
	r.flags = C.uint32_t(flags)
	r.buf = C.uintptr_t(uintptr(buf))
	r.cookie = C.uint64_t(cookie)
}

// cString copies s into C memory, with its NUL, for cFree.
func cString(s string) unsafe.Pointer { return unsafe.Pointer(C.CString(s)) }

func statxTime(t C.struct_statx_timestamp) time.Time {
	return time.Unix(int64(t.tv_sec), int64(t.tv_nsec))
}

// makedev is glibc's gnu_dev_makedev, as syscall.Stat_t.Dev holds it.
func makedev(major, minor C.uint32_t) uint64 {
	ma, mi := uint64(major), uint64(minor)
	return (ma&0xfffff000)<<32 | (ma&0xfff)<<8 | (mi&0xffffff00)<<12 | mi&0xff
}

// statxOf reads the struct statx at p (C memory a STATX filled).
func statxOf(p unsafe.Pointer) Statx {
	sx := (*C.struct_statx)(p)
	out := Statx{
		Mask:           uint32(sx.stx_mask),
		Blksize:        uint32(sx.stx_blksize),
		Attributes:     uint64(sx.stx_attributes),
		Nlink:          uint32(sx.stx_nlink),
		Uid:            uint32(sx.stx_uid),
		Gid:            uint32(sx.stx_gid),
		Mode:           uint16(sx.stx_mode),
		Ino:            uint64(sx.stx_ino),
		Size:           uint64(sx.stx_size),
		Blocks:         uint64(sx.stx_blocks),
		AttributesMask: uint64(sx.stx_attributes_mask),
		Atime:          statxTime(sx.stx_atime),
		Ctime:          statxTime(sx.stx_ctime),
		Mtime:          statxTime(sx.stx_mtime),
		Rdev:           makedev(sx.stx_rdev_major, sx.stx_rdev_minor),
		Dev:            makedev(sx.stx_dev_major, sx.stx_dev_minor),
		MntID:          uint64(sx.stx_mnt_id),
	}
	if out.Mask&StatxBtime != 0 {
		out.Btime = statxTime(sx.stx_btime)
	}
	return out
}
