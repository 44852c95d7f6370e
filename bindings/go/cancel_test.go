// SPDX-License-Identifier: MIT

package aionl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// waitOutstanding waits until the Ctx has handed n requests to the library
// and holds them: none queued, n in the table.
func waitOutstanding(t testing.TB, c *Ctx, n int) {
	t.Helper()
	for c.queuedOps() != 0 || c.outstanding() < n {
		time.Sleep(time.Millisecond)
	}
}

// A cancelled stream read returns ctx.Err(), writes nothing into p after it
// returned, and loses nothing: the data written afterwards is read by the
// next read.
func TestCancelStreamRead(t *testing.T) {
	c := openCtx(t, nil)
	r, w := pipe(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	p := make([]byte, 16)
	done := make(chan error, 1)
	go func() {
		_, err := r.ReadContext(ctx, p)
		done <- err
	}()
	waitOutstanding(t, c, 1)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("cancelled ReadContext: %v, want context.Canceled", err)
	}
	// The cancel's own completion may come after the read's: then
	// nothing is left, no request leaks.
	for i := 0; i < 10000 && c.outstanding() != 0; i++ {
		time.Sleep(time.Millisecond)
	}
	if c.outstanding() != 0 {
		t.Errorf("%d requests still outstanding after the cancelled read returned", c.outstanding())
	}
	w.Write([]byte("after"))
	got := make([]byte, 16)
	n, err := r.Read(got)
	if err != nil || string(got[:n]) != "after" {
		t.Fatalf("next Read = %q, %v", got[:n], err)
	}
	if !bytes.Equal(p, make([]byte, 16)) {
		t.Errorf("the cancelled read's buffer was written: %q", p)
	}
}

func TestDeadlineStreamRead(t *testing.T) {
	c := openCtx(t, nil)
	r, _ := pipe(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := r.ReadContext(ctx, make([]byte, 1)); err != context.DeadlineExceeded {
		t.Fatalf("ReadContext past its deadline: %v", err)
	}
	if _, err := r.ReadContext(ctx, make([]byte, 1)); err != context.DeadlineExceeded {
		t.Fatalf("ReadContext with an ended context: %v", err)
	}
}

// Cancels race their targets: every call returns either its bytes or
// ctx.Err(), and what the reads returned plus what stays in the pipe is
// exactly what was written, in order.
func TestCancelRaces(t *testing.T) {
	c := openCtx(t, nil)
	r, w := pipe(t, c)
	const rounds = 300
	var got []byte
	var wg sync.WaitGroup
	for i := 0; i < rounds; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		p := make([]byte, 1)
		res := make(chan struct {
			n   int
			err error
		}, 1)
		go func() {
			n, err := r.ReadContext(ctx, p)
			res <- struct {
				n   int
				err error
			}{n, err}
		}()
		wg.Add(1)
		go func(i int) { defer wg.Done(); w.Write([]byte{byte(i)}) }(i)
		if i%2 == 0 {
			runtime.Gosched()
		}
		cancel()
		x := <-res
		switch {
		case x.n == 1 && x.err == nil:
			got = append(got, p[0])
		case x.n == 0 && x.err == context.Canceled:
		default:
			t.Fatalf("round %d: ReadContext = %d, %v", i, x.n, x.err)
		}
		wg.Wait() // one byte at a time, so the order is known
	}
	// What the cancelled reads left is in the pipe.
	rest := make([]byte, rounds)
	n := 0
	for len(got)+n < rounds {
		m, err := r.Read(rest[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += m
	}
	all := append(got, rest[:n]...)
	for i := range all {
		if all[i] != byte(i) {
			t.Fatalf("byte %d is %d: lost or reordered (%d read before their cancel)", i, all[i], len(got))
		}
	}
	t.Logf("%d of %d reads finished before their cancel", len(got), rounds)
}

func TestCancelledBeforeStart(t *testing.T) {
	path, _ := tempData(t, 100, 11)
	c := openCtx(t, nil)
	af := register(t, c, path, os.O_RDWR)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := af.ReadAtContext(ctx, make([]byte, 10), 0); n != 0 || err != context.Canceled {
		t.Errorf("ReadAtContext with a cancelled context = %d, %v", n, err)
	}
	if n, err := af.WriteAtContext(ctx, make([]byte, 10), 0); n != 0 || err != context.Canceled {
		t.Errorf("WriteAtContext with a cancelled context = %d, %v", n, err)
	}
	if err := af.WaitReadable(ctx); err != context.Canceled {
		t.Errorf("WaitReadable with a cancelled context = %v", err)
	}
}

// Closing a File ends its pending stream reads with an error that matches
// os.ErrClosed; closing the Ctx ends everything still waiting.
func TestCloseEndsPending(t *testing.T) {
	c := openCtx(t, nil)
	r, _ := pipe(t, c)
	done := make(chan error, 1)
	go func() { _, err := r.Read(make([]byte, 1)); done <- err }()
	waitOutstanding(t, c, 1)
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("pending Read after File.Close: %v", err)
	}

	c2, err := Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := pipe(t, c2)
	tm, err := c2.NewTimer(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, err := r2.Read(make([]byte, 1)); done <- err }()
	waitOutstanding(t, c2, 2)
	c2.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("pending Read after Ctx.Close: %v", err)
	}
	if tm.Stop() {
		t.Errorf("Stop of a timer of a closed Ctx says it stopped it")
	}
}

// With a small MaxInflight, more goroutines than requests fit wait in Go
// (back-pressure), and every one of them completes.
func TestBackpressure(t *testing.T) {
	const pipes = 40
	c := openCtx(t, &Options{MaxInflight: 8})
	var rs []*File
	var ws []*os.File
	for i := 0; i < pipes; i++ {
		r, w := pipe(t, c)
		rs = append(rs, r)
		ws = append(ws, w)
	}
	var wg sync.WaitGroup
	errs := make(chan error, pipes)
	for i := range rs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := make([]byte, 8)
			n, err := rs[i].Read(p)
			if err == nil && string(p[:n]) != fmt.Sprint(i) {
				err = fmt.Errorf("pipe %d read %q", i, p[:n])
			}
			errs <- err
		}(i)
	}
	// Only as many as the credits allow are outstanding at once.
	waitOutstanding(t, c, cap(c.credits))
	if n := c.outstanding(); n > cap(c.credits) {
		t.Errorf("%d requests outstanding, MaxInflight 8 leaves %d", n, cap(c.credits))
	}
	for i, w := range ws {
		w.Write([]byte(fmt.Sprint(i)))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// And regular reads through a context of 2.
	path, data := tempData(t, 1<<16, 12)
	c2 := openCtx(t, &Options{MaxInflight: 2, NoInline: true})
	af := register(t, c2, path, os.O_RDONLY)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			p := make([]byte, 4096)
			if _, err := af.ReadAt(p, int64(g*4096)); err != nil || !bytes.Equal(p, data[g*4096:(g+1)*4096]) {
				t.Errorf("ReadAt %d: %v", g, err)
			}
		}(g)
	}
	wg.Wait()
}

func TestWaitReadable(t *testing.T) {
	c := openCtx(t, nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	var rfd, wfd uintptr
	rc, _ := r.SyscallConn()
	rc.Control(func(fd uintptr) { rfd = fd })
	wc, _ := w.SyscallConn()
	wc.Control(func(fd uintptr) { wfd = fd })

	if err := c.WaitWritable(context.Background(), wfd); err != nil {
		t.Fatalf("WaitWritable on an empty pipe: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := c.WaitReadable(ctx, rfd); err != context.DeadlineExceeded {
		t.Fatalf("WaitReadable on an empty pipe: %v, want the context's deadline", err)
	}
	done := make(chan error, 1)
	go func() { done <- c.WaitReadable(context.Background(), rfd) }()
	waitOutstanding(t, c, 1)
	w.Write([]byte("x"))
	if err := <-done; err != nil {
		t.Fatalf("WaitReadable: %v", err)
	}
	// A registered file waits without registering again.
	ar, err := c.Register(r)
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	if err := ar.WaitReadable(context.Background()); err != nil {
		t.Fatalf("File.WaitReadable with a byte waiting: %v", err)
	}
	// Regular files do not poll.
	path, _ := tempData(t, 1, 13)
	af := register(t, c, path, os.O_RDONLY)
	if err := af.WaitReadable(context.Background()); !errors.Is(err, syscall.EPERM) {
		t.Errorf("WaitReadable on a regular file: %v, want EPERM", err)
	}
}

// A stream write cancelled while the pipe is full returns how many bytes
// went in, with ctx.Err(): the reader finds exactly those, no more, no less.
func TestCancelStreamWrite(t *testing.T) {
	c := openCtx(t, nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	aw, err := c.Register(w)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer aw.Close()
	msg := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: more than a pipe holds
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n, err := aw.WriteContext(ctx, msg)
	if err != context.DeadlineExceeded || n <= 0 || n >= len(msg) {
		t.Fatalf("WriteContext into a full pipe = %d, %v", n, err)
	}
	aw.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, msg[:n]) {
		t.Fatalf("the pipe holds %d bytes (%v); WriteContext said %d", len(got), err, n)
	}
}
