// SPDX-License-Identifier: MIT

package aionl

import (
	"context"
	"io"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// File is a file registered with a Ctx. It is an io.ReaderAt and an
// io.WriterAt, safe for concurrent use, and its reads and writes wait in
// the netpoller, not in an OS thread.
//
// ReadAt and WriteAt address regular files and block devices. Read and
// Write are for streams (pipes, sockets, character devices): they move
// data at the stream's own position, once it is ready.
type File struct {
	c      *Ctx
	handle uint64
	name   string

	// mu guards closed and fast: operations hold it for reading while they
	// start requests or read the page cache; Close takes it for writing.
	mu     sync.RWMutex
	closed bool
	fast   int // a duplicate of the descriptor for reads from the page cache, or -1
	append bool
}

// Register registers f with the Ctx. The Ctx keeps its own reference to
// the open file, so f may be closed afterwards; f keeps its mode (Register
// reads the descriptor through SyscallConn, never Fd, which would make it
// blocking). Register waits in C for the library's reply.
func (c *Ctx) Register(f *os.File) (*File, error) {
	if f == nil {
		return nil, errInvalid("register", "", "nil *os.File")
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, &Error{Op: "register", Path: f.Name(), Errno: syscall.EBADF, Msg: err.Error(), closed: true}
	}
	af := &File{c: c, name: f.Name(), fast: -1}
	var rerr error
	cerr := rc.Control(func(fd uintptr) {
		c.life.RLock()
		defer c.life.RUnlock()
		if c.closed {
			rerr = errClosed("register", af.name, "Ctx")
			return
		}
		if af.handle, rerr = cRegister(c.c, fd); rerr != nil {
			return
		}
		fl, err := fcntl(fd, syscall.F_GETFL, 0)
		if err != nil {
			return
		}
		af.append = fl&syscall.O_APPEND != 0
		var st syscall.Stat_t
		if !c.fast || fl&syscall.O_DIRECT != 0 || fl&syscall.O_ACCMODE == syscall.O_WRONLY ||
			syscall.Fstat(int(fd), &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
			return
		}
		if dup, err := fcntl(fd, syscall.F_DUPFD_CLOEXEC, 0); err == nil {
			af.fast = dup
		}
	})
	if cerr != nil {
		return nil, &Error{Op: "register", Path: f.Name(), Errno: syscall.EBADF, Msg: cerr.Error(), closed: true}
	}
	if rerr != nil {
		if e, ok := rerr.(*Error); ok {
			e.Path = af.name
		}
		return nil, rerr
	}
	return af, nil
}

func fcntl(fd uintptr, cmd, arg int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, uintptr(cmd), uintptr(arg))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// Name returns the name of the *os.File the File was registered from.
func (f *File) Name() string { return f.name }

// Close cancels the requests still outstanding on the file (a pending
// stream read returns an error that matches os.ErrClosed; a transfer
// already running finishes) and unregisters it. Later calls fail with an
// error that matches os.ErrClosed.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return errClosed("close", f.name, "file")
	}
	f.closed = true
	if f.fast >= 0 {
		syscall.Close(f.fast)
		f.fast = -1
	}
	f.mu.Unlock()
	c := f.c
	// Every request queued on the file before closed was set is in the
	// submitter's queue already; this cancel follows them there, and
	// returns once each has been told.
	c.cancelWait(f.handle, cancelHandle)
	c.life.RLock()
	defer c.life.RUnlock()
	if c.closed {
		return nil // the Ctx released it
	}
	if err := cUnregister(c.c, f.handle); err != nil {
		err.(*Error).Path = f.name
		return err
	}
	return nil
}

// start runs one request on the file: res >= 0, or an error. The
// request's memory must be C memory.
func (f *File) start(ctx context.Context, opName string, fill func(o *op)) (int64, bool, error) {
	c := f.c
	// The credit first: waiting for one must not hold off Close, which
	// is what may free them.
	o, err := c.newOp(ctx, false)
	if err != nil {
		return 0, true, err
	}
	if o == nil {
		return 0, false, errClosed(opName, f.name, "Ctx")
	}
	// Queued under the file's lock: Close's cancel, queued after it,
	// finds it.
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		c.drop(o)
		return 0, false, errClosed(opName, f.name, "file")
	}
	fill(o)
	combine := c.enqueue(o, o.cookie, nil)
	f.mu.RUnlock()
	if combine {
		c.combine()
	}
	res, cancelled, err := c.await(ctx, opName, f.name, o)
	if e, ok := err.(*Error); ok && e.Errno == syscall.ECANCELED && f.isClosed() {
		e.closed = true
	}
	return res, cancelled, err
}

// rw runs one read or write of n bytes of C memory p at off.
func (f *File) rw(ctx context.Context, opName string, code uint32, off uint64, p unsafe.Pointer, n int) (int64, bool, error) {
	return f.start(ctx, opName, func(o *op) { o.req.set(code, f.handle, off, p, n, o.cookie) })
}

func (f *File) isClosed() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.closed
}

// ---------------------------------------------------------------- reads

// ReadAt reads len(p) bytes at offset off, as io.ReaderAt says: when it
// returns n < len(p), err says why, and at the end of the file it is io.EOF.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	return f.ReadAtContext(context.Background(), p, off)
}

// ReadAtContext is ReadAt, stopping when ctx ends: it then cancels the
// request outstanding, waits for it, and returns the bytes read so far with
// ctx.Err(). p is never written after ReadAtContext returns.
func (f *File) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Op: "read", Path: f.name, Errno: syscall.EINVAL, Msg: errNegativeOffset.Error()}
	}
	n := 0
	for n < len(p) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if m, ok := f.readCached(p[n:], off+int64(n)); ok {
			if m == 0 {
				return n, io.EOF
			}
			n += m
			continue
		}
		chunk := len(p) - n
		if chunk > maxChunk {
			chunk = maxChunk
		}
		b := getBounce(chunk)
		res, _, err := f.rw(ctx, "read", opRead, uint64(off)+uint64(n), b.p, chunk)
		if res > 0 {
			copy(p[n:], b.bytes(int(res)))
			n += int(res)
		}
		putBounce(b)
		if err != nil {
			return n, err
		}
		if res == 0 {
			return n, io.EOF
		}
	}
	return n, nil
}

// ReadAtBuffer reads b.Len() bytes at off straight into b, with
// ReadAt's rules.
func (f *File) ReadAtBuffer(b *Buffer, off int64) (int, error) {
	return f.ReadAtBufferContext(context.Background(), b, off)
}

// ReadAtBufferContext is ReadAtBuffer, stopping when ctx ends as
// ReadAtContext does.
func (f *File) ReadAtBufferContext(ctx context.Context, b *Buffer, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Op: "read", Path: f.name, Errno: syscall.EINVAL, Msg: errNegativeOffset.Error()}
	}
	p, done := b.use()
	defer done()
	n := 0
	for n < b.n {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		rest := b.n - n
		if m, ok := f.readCached(unsafe.Slice((*byte)(unsafe.Add(p, n)), rest), off+int64(n)); ok {
			if m == 0 {
				return n, io.EOF
			}
			n += m
			continue
		}
		if int64(rest) > maxIOLen {
			rest = int(maxIOLen)
		}
		res, _, err := f.rw(ctx, "read", opRead, uint64(off)+uint64(n), unsafe.Add(p, n), rest)
		if res > 0 {
			n += int(res)
		}
		if err != nil {
			return n, err
		}
		if res == 0 {
			return n, io.EOF
		}
	}
	return n, nil
}

// readCached reads what the page cache holds at off into p without
// blocking, from the calling goroutine: ok says it did (m == 0 at the end
// of the file); otherwise the read goes to the socket.
func (f *File) readCached(p []byte, off int64) (m int, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.fast < 0 || f.c.isClosed() {
		return 0, false
	}
	iov := syscall.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	r, _, e := syscall.Syscall6(sysPreadv2, uintptr(f.fast), uintptr(unsafe.Pointer(&iov)), 1,
		uintptr(off), 0, rwfNowait)
	if e != 0 {
		if e == syscall.EOPNOTSUPP {
			// This file system cannot say: stop asking.
			go f.noFast()
		}
		return 0, false
	}
	return int(r), true
}

func (f *File) noFast() {
	f.mu.Lock()
	if f.fast >= 0 {
		syscall.Close(f.fast)
		f.fast = -1
	}
	f.mu.Unlock()
}

const (
	sysPreadv2 = 327 // linux/amd64
	rwfNowait  = 0x8 // RWF_NOWAIT
)

// Read reads from a stream (a pipe, a socket, a character device) at its
// own position: it waits until the stream is ready and returns what one
// read moves, as io.Reader says (0, io.EOF at the end of the stream). On a
// regular file it fails with EINVAL: use ReadAt, or an io.SectionReader.
func (f *File) Read(p []byte) (int, error) {
	return f.ReadContext(context.Background(), p)
}

// ReadContext is Read, stopping when ctx ends. Bytes a read moved before
// the cancel reached it are returned, never lost.
func (f *File) ReadContext(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	chunk := len(p)
	if chunk > maxChunk {
		chunk = maxChunk
	}
	b := getBounce(chunk)
	defer putBounce(b)
	res, _, err := f.rw(ctx, "read", opRead, offsetStream, b.p, chunk)
	if res > 0 {
		return copy(p, b.bytes(int(res))), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, io.EOF
}

// ---------------------------------------------------------------- writes

// WriteAt writes len(p) bytes at offset off, as io.WriterAt says: n <
// len(p) comes with an error. Like os.File, it refuses a file opened with
// O_APPEND.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	return f.WriteAtContext(context.Background(), p, off)
}

// WriteAtContext is WriteAt, stopping when ctx ends: it then cancels the
// request outstanding, waits for it, and returns the bytes written so far
// with ctx.Err().
func (f *File) WriteAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	if err := f.checkWriteAt(off); err != nil {
		return 0, err
	}
	n := 0
	for n < len(p) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		chunk := len(p) - n
		if chunk > maxChunk {
			chunk = maxChunk
		}
		b := getBounce(chunk)
		copy(b.bytes(chunk), p[n:n+chunk])
		res, _, err := f.rw(ctx, "write", opWrite, uint64(off)+uint64(n), b.p, chunk)
		putBounce(b)
		if res > 0 {
			n += int(res)
		}
		if err != nil {
			return n, err
		}
		if res == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

func (f *File) checkWriteAt(off int64) error {
	if f.append {
		return errInvalid("write", f.name, "invalid use of WriteAt on file opened with O_APPEND")
	}
	if off < 0 {
		return errInvalid("write", f.name, errNegativeOffset.Error())
	}
	return nil
}

// WriteAtBuffer writes b at off straight from its memory, with WriteAt's
// rules.
func (f *File) WriteAtBuffer(b *Buffer, off int64) (int, error) {
	return f.WriteAtBufferContext(context.Background(), b, off)
}

// WriteAtBufferContext is WriteAtBuffer, stopping when ctx ends.
func (f *File) WriteAtBufferContext(ctx context.Context, b *Buffer, off int64) (int, error) {
	if err := f.checkWriteAt(off); err != nil {
		return 0, err
	}
	p, done := b.use()
	defer done()
	n := 0
	for n < b.n {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		rest := b.n - n
		if int64(rest) > maxIOLen {
			rest = int(maxIOLen)
		}
		res, _, err := f.rw(ctx, "write", opWrite, uint64(off)+uint64(n), unsafe.Add(p, n), rest)
		if res > 0 {
			n += int(res)
		}
		if err != nil {
			return n, err
		}
		if res == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

// Write writes all of p to a stream at its own position, waiting while the
// stream is full, as io.Writer says. On a regular file it fails with
// EINVAL: use WriteAt.
func (f *File) Write(p []byte) (int, error) {
	return f.WriteContext(context.Background(), p)
}

// WriteContext is Write, stopping when ctx ends; it returns the bytes
// written so far with ctx.Err().
func (f *File) WriteContext(ctx context.Context, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		chunk := len(p) - n
		if chunk > maxChunk {
			chunk = maxChunk
		}
		b := getBounce(chunk)
		copy(b.bytes(chunk), p[n:n+chunk])
		res, _, err := f.rw(ctx, "write", opWrite, offsetStream, b.p, chunk)
		putBounce(b)
		if res > 0 {
			n += int(res)
		}
		if err != nil {
			return n, err
		}
		if res == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

// ---------------------------------------------------------------- sync

// Sync commits the file's data and metadata to stable storage (fsync).
func (f *File) Sync() error {
	_, _, err := f.rw(context.Background(), "fsync", opFsync, 0, nil, 0)
	return err
}

// Datasync commits the file's data, and the metadata needed to read it
// back, to stable storage (fdatasync).
func (f *File) Datasync() error {
	_, _, err := f.rw(context.Background(), "fdatasync", opFdatasync, 0, nil, 0)
	return err
}

// WaitReadable waits until a read of the file would not block (or it
// reports an error or a hang-up), or until ctx ends. For pipes, sockets
// and the like; regular files do not poll (EPERM).
func (f *File) WaitReadable(ctx context.Context) error { return f.wait(ctx, pollIn) }

// WaitWritable waits until a write to the file would not block.
func (f *File) WaitWritable(ctx context.Context) error { return f.wait(ctx, pollOut) }

func (f *File) wait(ctx context.Context, events uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, _, err := f.start(ctx, "poll", func(o *op) { o.req.setPoll(f.handle, events, o.cookie) })
	return err
}

// WaitReadable waits until descriptor fd is readable (or reports an error
// or a hang-up), or until ctx ends, parking the goroutine meanwhile. It
// registers fd for the wait; for repeated waits on one descriptor,
// Register it once and use File.WaitReadable.
func (c *Ctx) WaitReadable(ctx context.Context, fd uintptr) error {
	return c.waitFd(ctx, fd, pollIn)
}

// WaitWritable waits until descriptor fd is writable, or until ctx ends.
func (c *Ctx) WaitWritable(ctx context.Context, fd uintptr) error {
	return c.waitFd(ctx, fd, pollOut)
}

func (c *Ctx) waitFd(ctx context.Context, fd uintptr, events uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.life.RLock()
	if c.closed {
		c.life.RUnlock()
		return errClosed("poll", "", "Ctx")
	}
	h, err := cRegister(c.c, fd)
	c.life.RUnlock()
	if err != nil {
		return err
	}
	f := &File{c: c, handle: h, fast: -1}
	err = f.wait(ctx, events)
	if cerr := f.Close(); cerr != nil && err == nil && !c.isClosed() {
		err = cerr
	}
	return err
}
