// SPDX-License-Identifier: MIT

package aionl

import (
	"context"
	"fmt"
	"syscall"
	"unsafe"
)

// Op is one request of a batch run by Ctx.Do: a read or write of a Buffer
// at an offset, an fsync, an fdatasync, a fallocate, a copy between two
// files, or a NOP. Link and Drain order it,
// as io_uring's IOSQE_IO_LINK and IOSQE_IO_DRAIN order SQEs (the C API's
// aionl_req_set_flags).
type Op struct {
	code  uint32
	name  string
	f     *File
	b     *Buffer
	off   int64
	n     int64  // AllocateOp's and CopyOp's length
	mode  uint32 // AllocateOp's mode
	f2    *File  // CopyOp's destination (f: its source)
	off2  int64  // and where in it
	order uint32
}

// ReadOp reads b.Len() bytes of f at off into b. A short read is a success
// for it, but breaks a chain it is linked into.
func ReadOp(f *File, b *Buffer, off int64) Op {
	return Op{code: opRead, name: "read", f: f, b: b, off: off}
}

// WriteOp writes b at off of f.
func WriteOp(f *File, b *Buffer, off int64) Op {
	return Op{code: opWrite, name: "write", f: f, b: b, off: off}
}

// SyncOp is fsync(2) of f.
func SyncOp(f *File) Op { return Op{code: opFsync, name: "sync", f: f} }

// DatasyncOp is fdatasync(2) of f.
func DatasyncOp(f *File) Op { return Op{code: opFdatasync, name: "datasync", f: f} }

// AllocateOp is fallocate(2) of n bytes of f from off with mode, as
// File.Allocate: a write-ahead log allocates its next segment, then writes
// into it, linked.
func AllocateOp(f *File, mode AllocateMode, off, n int64) Op {
	return Op{code: opFallocate, name: "fallocate", f: f, off: off, n: n, mode: uint32(mode)}
}

// CopyOp is copy_file_range(2) of n bytes of src from srcOff into dst at
// dstOff, as Ctx.Copy: Result.N is the bytes copied, which may be fewer
// (0 at the source's end), and a short copy breaks a chain it is linked
// into, as a short read does. n is 1 to 2 GiB less 4 KiB (MAX_IO_LEN).
func CopyOp(dst *File, dstOff int64, src *File, srcOff int64, n int64) Op {
	return Op{code: opCopy, name: "copy", f: src, off: srcOff, f2: dst, off2: dstOff, n: n}
}

// NopOp completes at once with 0: a point in a chain, or a drain of its own.
func NopOp() Op { return Op{code: opNop, name: "nop"} }

// Link links o to the Op after it in the same Do: that one starts only
// once o completed successfully (without error, and a read, write or copy
// moved every byte). If o fails, the rest of the chain (up to and with the first
// Op not linked) ends with ECANCELED and never starts. Link on the last Op
// of a Do is ignored. A chain is at most 64 Ops.
func (o Op) Link() Op {
	o.order |= reqLink
	return o
}

// Drain makes o start only once every read, write, sync, fallocate, copy,
// NOP, open and stat submitted on the Ctx before it has completed (but a
// NOP without flags, a wake-up), and holds those submitted after it
// until o has completed. The page-cache reads ReadAt serves in the calling
// goroutine do not wait for a drain: put such reads in the Do.
func (o Op) Drain() Op {
	o.order |= reqDrain
	return o
}

// Result is how one Op of Do ended: N bytes moved (reads and writes), and
// Err, nil or an *Error (Errno ECANCELED for an Op its chain never started).
type Result struct {
	N   int
	Err error
}

// maxChain is the longest chain Do takes: the submitter's batch.
const maxChain = submitBatch

// Do submits ops in one batch, each chain of them whole in one
// submission, and waits until every one has ended; results are in the
// order of ops. When ctx ends first, Do cancels what is outstanding, still
// waits for it (so that no Buffer is in use when it returns), and returns
// ctx.Err() along with the results. Its error is otherwise nil, or says
// why nothing was submitted (a closed Ctx or File, a chain over 64 Ops).
func (c *Ctx) Do(ctx context.Context, ops ...Op) ([]Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	run := 0
	for i := range ops {
		if ops[i].code != opNop && (ops[i].f == nil || (ops[i].code <= opWrite && ops[i].b == nil)) {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EINVAL, Msg: fmt.Sprintf("Op %d has no file or Buffer", i)}
		}
		if ops[i].off < 0 {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EINVAL, Msg: errNegativeOffset.Error()}
		}
		if ops[i].code == opFallocate && !c.Supports("fallocate") {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EOPNOTSUPP, Msg: fmt.Sprintf("Op %d: the server does not serve fallocate (Supports)", i)}
		}
		if ops[i].order&^c.orderFlags != 0 {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EOPNOTSUPP, Msg: fmt.Sprintf("Op %d: the server does not honour its ordering (SupportsOrder)", i)}
		}
		if ops[i].code == opFallocate && (ops[i].n <= 0 || ops[i].mode&^fallocModeMask != 0) {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EINVAL, Msg: fmt.Sprintf("Op %d: a length that is not positive or unknown mode bits", i)}
		}
		if ops[i].code == opCopy && (ops[i].f2 == nil || ops[i].off2 < 0 || ops[i].n <= 0 || ops[i].n > maxIOLen) {
			return nil, &Error{Op: ops[i].name, Errno: syscall.EINVAL, Msg: fmt.Sprintf("Op %d: no destination, a negative offset, or a length not from 1 to %d", i, maxIOLen)}
		}
		run++
		if ops[i].order&reqLink == 0 || i == len(ops)-1 {
			run = 0
		} else if run >= maxChain {
			return nil, &Error{Op: "do", Errno: syscall.EINVAL, Msg: fmt.Sprintf("a chain of more than %d Ops", maxChain)}
		}
	}
	if len(ops) == 0 {
		return nil, nil
	}
	// Its credits are taken all at once: more than the Ctx has would wait forever.
	if len(ops) > cap(c.credits) {
		return nil, &Error{Op: "do", Errno: syscall.EINVAL, Msg: fmt.Sprintf("%d Ops; a Do takes at most %d (MaxInflight less a reserve)", len(ops), cap(c.credits))}
	}
	// Credits for all of them, one batch at a time, so that two batches
	// never wait each for the other's last credits.
	c.batchMu.Lock()
	reqs := make([]*op, 0, len(ops))
	var err error
	for range ops {
		o, e := c.newOp(ctx, false)
		if e != nil || o == nil {
			err = e
			if o == nil && e == nil {
				err = errClosed("do", "", "Ctx")
			}
			break
		}
		reqs = append(reqs, o)
	}
	c.batchMu.Unlock()
	if err != nil {
		for _, o := range reqs {
			c.drop(o)
		}
		return nil, err
	}
	dones := make([]func(), 0, len(ops))
	defer func() {
		for _, done := range dones {
			done()
		}
	}()
	// Files are read under their locks, and the batch queued whole.
	for i, op := range ops {
		o := reqs[i]
		o.ordered = true
		var p unsafe.Pointer
		n := 0
		if op.b != nil {
			var done func()
			p, done = op.b.use()
			dones = append(dones, done)
			n = op.b.Len()
		}
		var handle, handle2 uint64
		for k, f := range [2]*File{op.f, op.f2} {
			if f == nil {
				continue
			}
			f.mu.RLock()
			closed := f.closed
			if k == 0 {
				handle = f.handle
			} else {
				handle2 = f.handle
			}
			f.mu.RUnlock()
			if closed {
				for _, o := range reqs {
					c.drop(o)
				}
				return nil, errClosed(op.name, f.name, "file")
			}
		}
		if op.code == opNop {
			o.req.set(opNop, 0, 0, nil, 0, o.cookie)
		} else if op.code == opFallocate {
			o.req.setFallocate(handle, op.mode, uint64(op.off), uint64(op.n), o.cookie)
		} else if op.code == opCopy {
			o.req.setCopy(handle, uint64(op.off), handle2, uint64(op.off2), uint64(op.n), o.cookie)
		} else {
			o.req.set(op.code, handle, uint64(op.off), p, n, o.cookie)
		}
		// Ops of other goroutines may be submitted right after this
		// batch: the last Op's link would reach them.
		if i == len(ops)-1 {
			o.req.setOrder(op.order &^ reqLink)
		} else {
			o.req.setOrder(op.order)
		}
	}
	if c.enqueueAll(reqs) {
		c.combine()
	}
	res := make([]Result, len(ops))
	var cerr error
	for i, o := range reqs {
		path := ""
		if ops[i].f != nil {
			path = ops[i].f.name
		}
		r, cancelled, e := c.await(ctx, ops[i].name, path, o)
		if cancelled && cerr == nil {
			cerr = ctx.Err()
		}
		if r > 0 {
			res[i].N = int(r)
		}
		res[i].Err = e
	}
	return res, cerr
}

// enqueueAll queues ops together, in order, so that a chain is not split
// by another goroutine's requests, and says whether the caller is to
// submit the queue (with combine).
func (c *Ctx) enqueueAll(ops []*op) bool {
	s := &c.sub
	s.mu.Lock()
	for _, o := range ops {
		s.pending = append(s.pending, queued{o, o.cookie, o.accepted})
	}
	if s.active {
		s.mu.Unlock()
		return false
	}
	s.active = true
	s.mu.Unlock()
	return true
}
