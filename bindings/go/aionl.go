// SPDX-License-Identifier: MIT

// Package aionl is asynchronous file I/O for Go through one libaionl socket.
//
// The Go runtime does file I/O with blocking system calls: every goroutine
// that waits for a slow file holds an OS thread. Through a Ctx, a goroutine
// that waits for a read, a write, an fsync, a timer or the readiness of a
// descriptor parks in the netpoller, as it does for network I/O, and one
// reaper goroutine hands each completion to its waiter.
//
//	ctx, err := aionl.Open(nil)
//	...
//	defer ctx.Close()
//	f, err := os.Open("data.bin")
//	...
//	af, err := ctx.Register(f) // the Ctx keeps its own reference: f may be closed
//	...
//	defer af.Close()
//	n, err := af.ReadAt(buf, 1<<20) // io.ReaderAt
//
// A File is an io.ReaderAt and an io.WriterAt; the Context variants of its
// calls stop waiting when the context ends (ReadAtContext). Timers and
// tickers shaped like the time package's run through the same socket
// (Ctx.NewTimer, Ctx.NewTicker), and so does waiting for any descriptor to
// become readable or writable (Ctx.WaitReadable).
//
// # Memory
//
// The cgo rules hold by design: C never keeps a Go pointer after a call
// returns. Requests run after their call returned, so the memory they read
// and write is C memory: a Buffer (NewBuffer) for zero-copy calls
// (ReadAtBuffer, WriteAtBuffer), or, for the []byte calls, bounce buffers
// the package copies through.
//
// # Cancellation
//
// When the context of a call ends while a request is outstanding, the
// package sends a cancel for it and waits for the request's own completion
// before it returns, so a buffer is never written after its call returned.
// A request that had already run reports what it did: bytes a read moved
// before the cancel reached it are returned, never dropped.
//
// # Signals
//
// The library can watch signals through the socket, but only where the
// watched signals are blocked in every thread, and the Go runtime owns every
// thread's signal mask. This package therefore offers no signal watch. Use
// os/signal, which the runtime delivers without a thread per waiter, and
// let a signal end the context of the calls:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	n, err := af.ReadAtContext(ctx, buf, off) // returns ctx.Err() on SIGINT
package aionl

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Options choose the backend and executor and size the Ctx. The zero value
// (or nil) means the defaults.
type Options struct {
	// Backend is "" or "auto" (the kernel module if loaded, else the
	// embedded user engine; the AIONL_BACKEND environment variable
	// decides), "user" or "kernel".
	Backend string
	// Executor is "" or "auto" (io_uring if usable, else threads;
	// AIONL_EXECUTOR decides), "uring" or "threads".
	Executor string
	// MaxInflight bounds the requests outstanding at once (default 4096).
	// Past it, calls wait in Go for a request to complete: back-pressure,
	// not failure. A sixteenth is kept for cancels.
	MaxInflight int
	// Workers is the most threads the threads executor's pool grows to
	// (default 64; it keeps 4 and starts more as requests wait).
	Workers int
	// SpinMicros is how long the engine busy-polls for new requests
	// after activity (0: the library's default; negative: never).
	SpinMicros int
	// NoInline sends every read through the socket. By default a read of
	// a regular file (not O_DIRECT) first tries the page cache from the
	// calling goroutine, with a non-blocking preadv2(RWF_NOWAIT), as the
	// C library's aionl_submit does, and only what the cache does not
	// hold becomes a request.
	NoInline bool
	// NoDirect sends every read and write through the socket. By default,
	// on the user backend, a read or write that must block (a buffered
	// write; on the threads executor, a read the cache does not hold) goes
	// from the calling goroutine straight to an idle worker of the
	// engine, which queues its completion without waking the engine
	// thread (AIONL_PARAMS_NO_DIRECT, aionl_ctx_open(3)).
	NoDirect bool
	// Bind binds the Ctx to the filesystem this path is on (the C
	// library's bind_path, aionl_ctx_open(3)): it then takes files of that
	// filesystem only, and a file of another fails with an *Error whose
	// Errno is syscall.EXDEV; its I/O runs on resources of its own, so a
	// filesystem that hangs holds only the Ctxs bound to it. "" leaves it
	// unbound. The path is opened O_PATH, which reads nothing, during Open.
	Bind string
}

// Info describes an open Ctx: its backend, executor and limits.
type Info struct {
	Backend         string // "user" or "kernel"
	Executor        string // "uring", "threads" or "kernel"
	ProtocolVersion int
	MaxInflight     int
	MaxFiles        int
	MaxIOV          int
	MaxIOLen        int64
	MaxMsgSize      int
	Workers         int
	Reason          string // why this backend and executor were chosen
}

// Ctx is one AIO socket: register files with it, then read and write them,
// arm timers and wait for descriptors. It is safe for any number of
// goroutines.
type Ctx struct {
	c          *cctx
	info       Info
	fast       bool   // the page-cache fast path of reads
	commands   uint64 // what the server serves: bit n for command n (Supports)
	orderFlags uint32 // the ordering flags it honours (SupportsOrder)

	// life: every C call but close holds it for reading; Close takes it
	// for writing, so that aionl_ctx_close never races another call.
	life   sync.RWMutex
	closed bool
	done   chan struct{} // closed by Close

	// Back-pressure, in Go: one token per request outstanding.
	credits chan struct{}
	reserve chan struct{} // for cancels, so that a full Ctx can still cancel
	batchMu sync.Mutex    // Do takes a batch's credits one batch at a time

	cookie atomic.Uint64
	shards [nShards]shard

	sub submitter

	// The reaper and its netpoller descriptor.
	ep         *os.File
	reaperDone chan struct{}
	ring       *reapRing

	progressMu sync.Mutex
	progress   chan struct{} // closed at the reaper's next dispatch
}

const nShards = 32

type shard struct {
	mu  sync.Mutex
	ops map[uint64]*op
	_   [40]byte
}

// op is one request: what it asks and, once done, how it ended.
type op struct {
	req    creq
	cookie uint64
	credit chan struct{} // the semaphore its token came from

	// Exactly one of these receives the end.
	ch chan struct{}                             // a waiter: res and flags are set first
	on func(res int64, flags uint32, final bool) // a watch: runs in the reaper

	accepted chan struct{} // if not nil: closed once the library took the request, or it ended

	res     int64
	flags   uint32
	msg     string // the library's message when the submission failed
	closed  bool   // ended by Close, or failed because the Ctx was closed
	ordered bool   // part of a Do batch: never submitted again on its own
}

var opPool = sync.Pool{New: func() any { return &op{ch: make(chan struct{}, 1)} }}

// Open opens a Ctx. opts may be nil for the defaults.
func Open(opts *Options) (*Ctx, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	backend, err := parseName("backend", o.Backend, map[string]int{
		"": backendAuto, "auto": backendAuto, "user": backendUser, "kernel": backendKernel})
	if err != nil {
		return nil, err
	}
	executor, err := parseName("executor", o.Executor, map[string]int{
		"": executorAuto, "auto": executorAuto, "uring": executorURing, "threads": executorThread})
	if err != nil {
		return nil, err
	}
	if o.MaxInflight < 0 || o.MaxInflight == 1 || o.Workers < 0 || int64(o.MaxInflight) > 1<<31 ||
		int64(o.Workers) > 1<<31 {
		return nil, &Error{Op: "open", Errno: syscall.EINVAL,
			Msg: fmt.Sprintf("MaxInflight %d and Workers %d: want 0 (default) or at least 2, and 0 or more",
				o.MaxInflight, o.Workers)}
	}
	// Page-cache hits are served in Go (file.go), from the calling
	// goroutine; the library's own inline path would serve them in
	// whichever goroutine submits a batch, one at a time, or try again
	// what Go found missing.
	flags := paramNoInline
	if o.NoDirect {
		flags |= paramNoDirect
	}
	fast := !o.NoInline
	bindFd := -1
	if o.Bind != "" {
		bindFd, err = syscall.Open(o.Bind, openPath|syscall.O_CLOEXEC, 0)
		if err != nil {
			return nil, &Error{Op: "open", Errno: err.(syscall.Errno),
				Msg: fmt.Sprintf("cannot bind to %s: %v", o.Bind, err)}
		}
		flags |= paramBindFd
	}
	c, err := cOpen(backend, executor, uint(o.MaxInflight), uint(o.Workers), o.SpinMicros, flags, bindFd)
	if bindFd >= 0 {
		syscall.Close(bindFd)
	}
	if err != nil {
		return nil, err
	}
	ctx := &Ctx{c: c, fast: fast, done: make(chan struct{}), reaperDone: make(chan struct{})}
	if ctx.info, err = cInfo(c); err != nil {
		cClose(c)
		return nil, err
	}
	ctx.commands = cCommands(c)
	ctx.orderFlags = cOrderFlags(c)
	max := ctx.info.MaxInflight
	if o.MaxInflight > 0 && o.MaxInflight < max {
		max = o.MaxInflight
	}
	if max < 2 {
		max = 2
	}
	res := max / 16
	if res < 1 {
		res = 1
	}
	ctx.credits = make(chan struct{}, max-res)
	ctx.reserve = make(chan struct{}, res)
	for i := range ctx.shards {
		ctx.shards[i].ops = make(map[uint64]*op)
	}
	if err := ctx.startReaper(); err != nil {
		cClose(c)
		return nil, err
	}
	return ctx, nil
}

func parseName(what, v string, names map[string]int) (int, error) {
	if n, ok := names[v]; ok {
		return n, nil
	}
	return 0, &Error{Op: "open", Errno: syscall.EINVAL, Msg: fmt.Sprintf("unknown %s %q", what, v)}
}

// Info returns the Ctx's backend, executor and limits, as the library
// reported them when the Ctx was opened.
func (c *Ctx) Info() Info { return c.info }

// Supports reports whether the Ctx's server serves op, a command's name as
// the C library's aionl_cmd_name(3) gives it, in any case: "read", "write",
// "fsync", "fdatasync", "nop", "timer", "poll", "cancel", "open", "install",
// "bind"... (aionl_ctx_supports(3)). The library and the kernel module are
// built and upgraded apart: the server says what it serves when the Ctx
// opens, and a server older than that is taken to serve neither "open",
// "install" nor "bind". A name of no command this library knows is not
// served. It answers after Close too.
func (c *Ctx) Supports(op string) bool {
	n, ok := cmdNumbers[strings.ToLower(op)]
	return ok && c.commands&(1<<n) != 0
}

// SupportsOrder reports which of Op.Link and Op.Drain the Ctx's server
// honours (aionl_ctx_req_flags(3)): both on every server of this release,
// neither on one that predates ordering. Do fails with EOPNOTSUPP, before
// submitting anything, for an Op whose ordering the server does not honour.
func (c *Ctx) SupportsOrder() (link, drain bool) {
	return c.orderFlags&reqLink != 0, c.orderFlags&reqDrain != 0
}

// Close cancels every request still outstanding (timers, waits, stream
// reads), waits for the I/O in flight to finish, releases every registered
// file and the socket. Calls still waiting return an error that matches
// os.ErrClosed. Close is safe to call more than once.
func (c *Ctx) Close() error {
	c.life.Lock()
	select {
	case <-c.done:
		c.life.Unlock()
		return nil
	default:
	}
	c.closed = true
	close(c.done)
	c.life.Unlock()

	// Stop the reaper: it checks closed before every reap, and closing
	// its descriptor wakes it from the netpoller.
	c.ep.Close()
	<-c.reaperDone
	// Waits for the I/O in flight: no C code uses a request's buffer
	// once it returns, so the waiters may have them back.
	cClose(c.c)
	c.c = nil
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		ops := s.ops
		s.ops = make(map[uint64]*op)
		s.mu.Unlock()
		for _, o := range ops {
			o.closed = true
			c.end(o, -int64(syscall.ECANCELED), 0)
		}
	}
	c.ring.free()
	c.sub.free()
	return nil
}

// isClosed reports whether Close has begun.
func (c *Ctx) isClosed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// ---------------------------------------------------------------- requests

// newOp takes a credit (waiting for one while MaxInflight requests are
// outstanding, or until ctx ends) and gives the op a cookie and a place in
// the dispatch table.
func (c *Ctx) newOp(ctx context.Context, reserve bool) (*op, error) {
	if c.isClosed() {
		return nil, nil
	}
	sem := c.credits
	if reserve {
		sem = c.reserve
	}
	select {
	case sem <- struct{}{}:
	default:
		var done <-chan struct{}
		if ctx != nil {
			done = ctx.Done()
		}
		select {
		case sem <- struct{}{}:
		case <-done:
			return nil, ctx.Err()
		case <-c.done:
			return nil, nil
		}
	}
	o := opPool.Get().(*op)
	o.credit = sem
	o.cookie = c.cookie.Add(1)
	s := &c.shards[o.cookie%nShards]
	s.mu.Lock()
	s.ops[o.cookie] = o
	s.mu.Unlock()
	return o, nil
}

// take removes the op of cookie from the table: whoever takes it ends it.
func (c *Ctx) take(cookie uint64) *op {
	s := &c.shards[cookie%nShards]
	s.mu.Lock()
	o := s.ops[cookie]
	if o != nil {
		delete(s.ops, cookie)
	}
	s.mu.Unlock()
	return o
}

func (c *Ctx) lookup(cookie uint64) *op {
	s := &c.shards[cookie%nShards]
	s.mu.Lock()
	o := s.ops[cookie]
	s.mu.Unlock()
	return o
}

// end delivers an op's last completion, once it has been taken from the
// table, and returns its credit.
func (c *Ctx) end(o *op, res int64, flags uint32) {
	<-o.credit
	if o.on != nil {
		o.on(res, flags, true)
	}
	if o.accepted != nil {
		select {
		case <-o.accepted:
		default:
			close(o.accepted)
		}
	}
	if o.on != nil {
		return
	}
	o.res, o.flags = res, flags
	o.ch <- struct{}{}
}

// putOp recycles a waiter's op after its end was received.
func putOp(o *op) {
	*o = op{ch: o.ch}
	opPool.Put(o)
}

// wait waits for o's end; if ctx ends first, it cancels o and still waits
// for o's own completion, so that o's buffer is no longer in use when it
// returns. cancelled says that ctx ended while o was outstanding.
func (c *Ctx) wait(ctx context.Context, o *op) (cancelled bool) {
	if ctx == nil || ctx.Done() == nil {
		<-o.ch
		return false
	}
	select {
	case <-o.ch:
		return false
	case <-ctx.Done():
	}
	select {
	case <-o.ch:
		return false // it ended first: nothing to cancel
	default:
	}
	c.cancel(o.cookie, 0)
	<-o.ch
	return true
}

// cancel sends a cancel for target (a cookie, or a handle with
// cancelHandle), without waiting for it: the target's own completion is
// what the caller waits for.
func (c *Ctx) cancel(target uint64, flags uint32) {
	o, err := c.newOp(nil, true)
	if err != nil || o == nil {
		return
	}
	o.on = func(int64, uint32, bool) {}
	o.req.setCancel(target, flags, o.cookie)
	c.submit(o)
}

// cancelWait sends a cancel and waits for its own completion: every
// request it found has been told by then.
func (c *Ctx) cancelWait(target uint64, flags uint32) {
	o, err := c.newOp(nil, true)
	if err != nil || o == nil {
		return
	}
	o.req.setCancel(target, flags, o.cookie)
	c.submit(o)
	<-o.ch
	putOp(o)
}

// ---------------------------------------------------------------- submitting

// submitter batches the requests of concurrent goroutines: the first to
// find it idle submits everything queued, its own and what others add in
// the meantime, so at most one thread at a time is in aionl_submit and a
// burst of goroutines becomes a few batches.
type submitter struct {
	mu      sync.Mutex
	active  bool
	pending []queued
	spare   []queued
	reqs    []creq
	msg     unsafe.Pointer // C memory: the library's message
}

// queued is an op waiting to be submitted. Its cookie is kept apart: once
// Close may have ended the op, only the table says whether it is still
// ours to touch.
type queued struct {
	o        *op
	cookie   uint64
	accepted chan struct{}
}

func (s *submitter) free() {
	s.mu.Lock()
	if s.msg != nil && !s.active {
		cFree(s.msg)
		s.msg = nil
	}
	s.mu.Unlock()
}

// submit queues o and, unless another goroutine is submitting, submits the
// queue. o's end comes through the dispatch table.
func (c *Ctx) submit(o *op) {
	if c.enqueue(o, o.cookie, o.accepted) {
		c.combine()
	}
}

// enqueue queues an op, and says whether the caller is to submit the queue
// (with combine): no other goroutine is doing it.
func (c *Ctx) enqueue(o *op, cookie uint64, accepted chan struct{}) bool {
	s := &c.sub
	s.mu.Lock()
	s.pending = append(s.pending, queued{o, cookie, accepted})
	if s.active {
		s.mu.Unlock()
		return false
	}
	s.active = true
	s.mu.Unlock()
	return true
}

// combine submits the queue until it is empty.
func (c *Ctx) combine() {
	s := &c.sub
	// Let the goroutines that are ready to run queue their requests
	// first: when a reap wakes a hundred waiters, each submits its next
	// request at once, and they go in one batch instead of a hundred.
	// Alone, this goroutine is back at once.
	runtime.Gosched()
	s.mu.Lock()
	for len(s.pending) > 0 {
		batch := s.pending
		s.pending = s.spare[:0]
		s.mu.Unlock()
		c.submitAll(batch)
		for i := range batch {
			batch[i] = queued{}
		}
		s.mu.Lock()
		s.spare = batch[:0]
	}
	s.active = false
	if s.msg != nil && c.isClosed() {
		cFree(s.msg)
		s.msg = nil
	}
	s.mu.Unlock()
}

// submitAll hands batch to the library, in order. Only the active
// submitter runs it. It reads an op only while holding life for reading
// with the Ctx open: then Close cannot have ended it, and the reaper cannot
// either, since the library does not have it yet.
func (c *Ctx) submitAll(batch []queued) {
	s := &c.sub
	for len(batch) > 0 {
		n := len(batch)
		if n > submitBatch {
			n = submitBatch
		}
		progress := c.progressChan()
		c.life.RLock()
		if c.closed {
			c.life.RUnlock()
			for _, q := range batch {
				c.failCookie(q.cookie, syscall.EBADF, "the Ctx is closed", true)
			}
			return
		}
		// A chain (Ctx.Do) travels in one submission: end between chains.
		for n < len(batch) && n > 0 && batch[n-1].o.req.links() {
			n--
		}
		if n == 0 {
			n = len(batch)
			if n > submitBatch {
				n = submitBatch
			}
		}
		s.reqs = s.reqs[:0]
		for _, q := range batch[:n] {
			s.reqs = append(s.reqs, q.o.req)
		}
		if s.msg == nil {
			s.msg = cCalloc(msgSize)
		}
		r := cSubmit(c.c, s.reqs, s.msg)
		var msg string
		if r < 0 {
			msg = cMsgString(s.msg)
		}
		c.life.RUnlock()
		switch {
		case r > 0:
			for _, q := range batch[:r] {
				if q.accepted != nil {
					c.markAccepted(q.cookie, q.accepted)
				}
			}
			batch = batch[r:]
		case r == -int(syscall.EBUSY) || r == -int(syscall.EAGAIN):
			// Back-pressure: wait for the reaper to hand out a
			// completion, then try again.
			select {
			case <-progress:
			case <-c.done:
			}
		case r == -int(syscall.EINVAL) || r == -int(syscall.EOPNOTSUPP):
			// The first request is bad, or a chain holds one the
			// server does not serve: that chain fails; the rest may
			// be fine.
			k := 1
			for k < len(batch) && batch[k-1].o.req.links() {
				k++
			}
			for _, q := range batch[:k] {
				c.failCookie(q.cookie, syscall.Errno(-r), msg, false)
			}
			batch = batch[k:]
		default:
			for _, q := range batch {
				c.failCookie(q.cookie, syscall.Errno(-r), msg, false)
			}
			return
		}
	}
}

// markAccepted closes the accepted channel of a request the library took,
// unless the request has ended already (its end closed it).
func (c *Ctx) markAccepted(cookie uint64, accepted chan struct{}) {
	s := &c.shards[cookie%nShards]
	s.mu.Lock()
	if o := s.ops[cookie]; o != nil && o.accepted == accepted {
		select {
		case <-accepted:
		default:
			close(accepted)
		}
	}
	s.mu.Unlock()
}

// failCookie ends an op that never reached the library.
func (c *Ctx) failCookie(cookie uint64, errno syscall.Errno, msg string, closed bool) {
	o := c.take(cookie)
	if o == nil {
		return // Close ended it
	}
	o.msg, o.closed = msg, closed
	c.end(o, -int64(errno), 0)
}

func (c *Ctx) progressChan() chan struct{} {
	c.progressMu.Lock()
	if c.progress == nil {
		c.progress = make(chan struct{})
	}
	ch := c.progress
	c.progressMu.Unlock()
	return ch
}

// ---------------------------------------------------------------- reaping

// startReaper starts the one goroutine that reaps. It waits for the
// socket's readability in the netpoller, through a private epoll
// descriptor that watches the socket: the socket itself keeps its mode
// (a dup would share O_NONBLOCK with the library's descriptor).
func (c *Ctx) startReaper() error {
	fd, err := cFd(c.c)
	if err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return &Error{Op: "open", Errno: err.(syscall.Errno), Msg: "epoll_create1: " + err.Error()}
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(ep)
		return &Error{Op: "open", Errno: err.(syscall.Errno), Msg: "epoll_ctl: " + err.Error()}
	}
	if err := syscall.SetNonblock(ep, true); err != nil {
		syscall.Close(ep)
		return &Error{Op: "open", Errno: err.(syscall.Errno), Msg: "epoll: " + err.Error()}
	}
	c.ep = os.NewFile(uintptr(ep), "aionl-epoll")
	rc, err := c.ep.SyscallConn()
	if err != nil {
		c.ep.Close()
		return &Error{Op: "open", Errno: syscall.EINVAL, Msg: err.Error()}
	}
	c.ring = newReapRing(256)
	go c.reaper(rc)
	return nil
}

func (c *Ctx) reaper(rc syscall.RawConn) {
	defer close(c.reaperDone)
	out := make([]cqe, c.ring.n)
	for {
		stop := false
		err := rc.Read(func(uintptr) bool {
			for {
				c.life.RLock()
				if c.closed {
					c.life.RUnlock()
					stop = true
					return true
				}
				n, err := c.ring.reap(c.c, out)
				c.life.RUnlock()
				if err != nil {
					c.broken(err)
					stop = true
					return true
				}
				if n == 0 {
					// Nothing waits: the socket is empty, or a
					// thread receiving a control reply holds
					// what came and rings the bell for it.
					// Either way the next datagram is an edge
					// the netpoller sees. (A reap that returns
					// fewer than asked may have left datagrams
					// on the socket: it takes a few at a time.)
					return false
				}
				c.dispatch(out[:n])
			}
		})
		if stop || err != nil {
			return
		}
	}
}

// broken ends every outstanding request with the error that stopped the
// reaper (the engine is gone: nothing will complete any more), and makes
// later calls fail with it.
func (c *Ctx) broken(err error) {
	errno := syscall.EPIPE
	msg := err.Error()
	if e, ok := err.(*Error); ok {
		errno, msg = e.Errno, e.Msg
	}
	c.life.Lock()
	c.closed = true // no more submissions; Close still releases everything
	c.life.Unlock()
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		ops := s.ops
		s.ops = make(map[uint64]*op)
		s.mu.Unlock()
		for _, o := range ops {
			o.msg = msg
			c.end(o, -int64(errno), 0)
		}
	}
}

func (c *Ctx) dispatch(cqes []cqe) {
	for i := range cqes {
		e := &cqes[i]
		if e.flags&cqeMore != 0 {
			if o := c.lookup(e.cookie); o != nil && o.on != nil {
				o.on(e.res, e.flags, false)
			}
			continue
		}
		if e.flags&cqeRejected != 0 && e.res == -int64(syscall.EBUSY) {
			// The engine's bound, not the I/O: the request did
			// not run. Submit it again, from another goroutine:
			// the reaper must never wait for the socket's room.
			// Not an ordered one: alone it would run unordered.
			if o := c.lookup(e.cookie); o != nil && !o.ordered {
				go func(o *op, cookie uint64) {
					if c.enqueue(o, cookie, nil) {
						c.combine()
					}
				}(o, e.cookie)
				continue
			}
		}
		if o := c.take(e.cookie); o != nil {
			c.end(o, e.res, e.flags)
		}
	}
	if len(cqes) > 0 {
		c.progressMu.Lock()
		if c.progress != nil {
			close(c.progress)
			c.progress = nil
		}
		c.progressMu.Unlock()
	}
}

// ---------------------------------------------------------------- helpers

// await waits for the result (>= 0) or the error of o, which the caller
// has queued. It never returns while the library may still use the
// request's memory. o is recycled.
func (c *Ctx) await(ctx context.Context, opName, path string, o *op) (res int64, cancelled bool, err error) {
	cancelled = c.wait(ctx, o)
	res = o.res
	if res < 0 {
		err = opError(opName, path, o)
		if cancelled && res == -int64(syscall.ECANCELED) {
			err = ctx.Err()
		}
	}
	putOp(o)
	return res, cancelled, err
}

// drop gives back an op that was never queued.
func (c *Ctx) drop(o *op) {
	if c.take(o.cookie) != nil {
		<-o.credit
		putOp(o)
	}
}

// do runs one request that fill describes.
func (c *Ctx) do(ctx context.Context, opName, path string, fill func(o *op)) (int64, bool, error) {
	o, err := c.newOp(ctx, false)
	if err != nil {
		return 0, true, err
	}
	if o == nil {
		return 0, false, errClosed(opName, path, "Ctx")
	}
	fill(o)
	c.submit(o)
	return c.await(ctx, opName, path, o)
}

func opError(opName, path string, o *op) error {
	e := &Error{Op: opName, Path: path, Errno: syscall.Errno(-o.res), Msg: o.msg, closed: o.closed}
	if o.flags&cqeRejected != 0 && e.Msg == "" {
		e.Msg = "rejected: " + e.Errno.Error()
	}
	return e
}
