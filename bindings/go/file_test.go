// SPDX-License-Identifier: MIT

package aionl

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
)

func TestInfo(t *testing.T) {
	c := openCtx(t, nil)
	info := c.Info()
	if info.Backend != "user" && info.Backend != "kernel" {
		t.Errorf("Backend %q", info.Backend)
	}
	if want := os.Getenv("AIONL_EXECUTOR"); want != "" && want != "auto" && info.Executor != want {
		t.Errorf("Executor %q, AIONL_EXECUTOR=%s", info.Executor, want)
	}
	if info.MaxInflight <= 0 || info.MaxIOLen <= 0 || info.Reason == "" {
		t.Errorf("Info %+v", info)
	}
	c2 := openCtx(t, &Options{MaxInflight: 64})
	if got := c2.Info().MaxInflight; got != 64 {
		t.Errorf("MaxInflight 64 asked, Info says %d", got)
	}
}

// ReadAt answers exactly what os.File.ReadAt answers, byte for byte, n for
// n and error for error (io.EOF at and past the end).
func TestReadAtLikeOsFile(t *testing.T) {
	const size = 3*maxChunk + 12345 // more than one bounce chunk
	path, _ := tempData(t, size, 1)
	osf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer osf.Close()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			af := register(t, c, path, os.O_RDONLY)
			cases := []struct{ off, n int }{
				{0, 0}, {0, 1}, {0, 4096}, {1, 4095}, {4095, 2}, {size - 1, 1},
				{size - 10, 100}, {size, 1}, {size + 4096, 10}, {0, size},
				{7, size - 7}, {0, size + 1}, {maxChunk - 3, maxChunk + 6},
			}
			for _, k := range cases {
				got := make([]byte, k.n)
				want := make([]byte, k.n)
				gn, gerr := af.ReadAt(got, int64(k.off))
				wn, werr := osf.ReadAt(want, int64(k.off))
				if gn != wn || gerr != werr || !bytes.Equal(got, want) {
					t.Errorf("ReadAt(%d bytes at %d) = %d, %v; os.File: %d, %v (equal bytes: %v)",
						k.n, k.off, gn, gerr, wn, werr, bytes.Equal(got, want))
				}
			}
		})
	}
}

// The standard library's own checks of a reader, through io.SectionReader
// (Read, ReadAt, Seek): iotest.TestReader.
func TestIotestSectionReader(t *testing.T) {
	path, data := tempData(t, 20_000, 2)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			af := register(t, c, path, os.O_RDONLY)
			if err := iotest.TestReader(io.NewSectionReader(af, 0, int64(len(data))), data); err != nil {
				t.Error(err)
			}
			if err := iotest.TestReader(io.NewSectionReader(af, 777, 5000), data[777:5777]); err != nil {
				t.Error(err)
			}
			// A section that ends with the file.
			if err := iotest.TestReader(io.NewSectionReader(af, 19_000, 1000), data[19_000:]); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestConcurrentReadAt(t *testing.T) {
	const size = 1 << 20
	path, data := tempData(t, size, 3)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			af := register(t, c, path, os.O_RDONLY)
			var wg sync.WaitGroup
			for g := 0; g < 32; g++ {
				wg.Add(1)
				go func(seed int64) {
					defer wg.Done()
					r := rand.New(rand.NewSource(seed))
					buf := make([]byte, 8192)
					for i := 0; i < 100; i++ {
						n := 1 + r.Intn(len(buf))
						off := r.Intn(size - n + 1)
						got, err := af.ReadAt(buf[:n], int64(off))
						if got != n || err != nil || !bytes.Equal(buf[:n], data[off:off+n]) {
							t.Errorf("ReadAt(%d at %d) = %d, %v, equal %v", n, off, got, err,
								bytes.Equal(buf[:n], data[off:off+n]))
							return
						}
					}
				}(int64(g))
			}
			wg.Wait()
		})
	}
}

func TestWriteAtThenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w")
	c := openCtx(t, nil)
	af := register(t, c, path, os.O_RDWR|os.O_CREATE)
	want := make([]byte, maxChunk+5000)
	rand.New(rand.NewSource(4)).Read(want)
	// Out of order, concurrently, in pieces.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lo, hi := i*len(want)/4, (i+1)*len(want)/4
			if n, err := af.WriteAt(want[lo:hi], int64(lo)); n != hi-lo || err != nil {
				t.Errorf("WriteAt = %d, %v", n, err)
			}
		}(3 - i)
	}
	wg.Wait()
	if err := af.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if err := af.Datasync(); err != nil {
		t.Fatalf("Datasync: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes (%v), equal %v", len(got), err, bytes.Equal(got, want))
	}
	// And ReadAt sees what WriteAt wrote.
	back := make([]byte, len(want))
	if n, err := af.ReadAt(back, 0); n != len(want) || err != nil || !bytes.Equal(back, want) {
		t.Fatalf("ReadAt after WriteAt = %d, %v", n, err)
	}
}

func TestWriteAtAppendRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a")
	c := openCtx(t, nil)
	af := register(t, c, path, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	if _, err := af.WriteAt([]byte("x"), 0); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("WriteAt on O_APPEND: %v, want EINVAL as os.File refuses it", err)
	}
}

func TestNegativeOffset(t *testing.T) {
	path, _ := tempData(t, 10, 5)
	c := openCtx(t, nil)
	af := register(t, c, path, os.O_RDWR)
	if n, err := af.ReadAt(make([]byte, 1), -1); n != 0 || !errors.Is(err, syscall.EINVAL) {
		t.Errorf("ReadAt at -1 = %d, %v", n, err)
	}
	if n, err := af.WriteAt(make([]byte, 1), -1); n != 0 || !errors.Is(err, syscall.EINVAL) {
		t.Errorf("WriteAt at -1 = %d, %v", n, err)
	}
}

// A completion's error comes back as *Error with the errno.
func TestCompletionErrors(t *testing.T) {
	path, _ := tempData(t, 10, 6)
	c := openCtx(t, nil)
	ro := register(t, c, path, os.O_RDONLY)
	_, err := ro.WriteAt([]byte("x"), 0)
	var e *Error
	if !errors.As(err, &e) || e.Errno != syscall.EBADF || e.Op != "write" || e.Path != path {
		t.Errorf("WriteAt on a read-only file: %#v", err)
	}
	if !errors.Is(err, syscall.EBADF) {
		t.Errorf("errors.Is(%v, EBADF) is false", err)
	}
	r, _ := pipe(t, c)
	if _, err := r.ReadAt(make([]byte, 1), 0); !errors.Is(err, syscall.ESPIPE) {
		t.Errorf("ReadAt on a pipe: %v, want ESPIPE", err)
	}
	if _, err := ro.Read(make([]byte, 1)); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Read (a stream read) of a regular file: %v, want EINVAL", err)
	}
}

func TestClosedFile(t *testing.T) {
	path, _ := tempData(t, 10, 7)
	c := openCtx(t, nil)
	f, _ := os.Open(path)
	af, err := c.Register(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := af.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := af.ReadAt(make([]byte, 1), 0); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadAt after Close: %v", err)
	}
	if err := af.Sync(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Sync after Close: %v", err)
	}
	if err := af.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Register(f); err == nil {
		t.Errorf("Register of a closed *os.File succeeded")
	}
}

func TestClosedCtx(t *testing.T) {
	path, _ := tempData(t, 10, 8)
	c, err := Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	af, err := c.Register(f)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := af.ReadAt(make([]byte, 1), 0); !errors.Is(err, os.ErrClosed) {
		t.Errorf("ReadAt after Ctx.Close: %v", err)
	}
	if _, err := c.Register(f); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Register after Ctx.Close: %v", err)
	}
	if _, err := c.NewTimer(1); !errors.Is(err, os.ErrClosed) {
		t.Errorf("NewTimer after Ctx.Close: %v", err)
	}
	if err := af.Close(); err != nil {
		t.Errorf("File.Close after Ctx.Close: %v", err)
	}
}

func TestStreams(t *testing.T) {
	c := openCtx(t, nil)
	r, w := pipe(t, c)
	wr, err := c.Register(w)
	if err != nil {
		t.Fatal(err)
	}
	defer wr.Close()
	msg := bytes.Repeat([]byte("stream "), 10_000) // more than a pipe holds
	done := make(chan error, 1)
	go func() {
		n, err := wr.Write(msg)
		if err == nil && n != len(msg) {
			err = io.ErrShortWrite
		}
		wr.Close()
		w.Close()
		done <- err
	}()
	got, err := io.ReadAll(r) // Read until io.EOF
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("ReadAll = %d bytes, %v; want %d bytes", len(got), err, len(msg))
	}
	if err := <-done; err != nil {
		t.Fatalf("Write: %v", err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Errorf("Read of nothing = %d, %v", n, err)
	}
}

func TestBuffer(t *testing.T) {
	path, data := tempData(t, 3*4096+100, 9)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			af := register(t, c, path, os.O_RDWR)
			b := NewBuffer(8192)
			defer b.Free()
			if uintptr(b.p)%4096 != 0 {
				t.Errorf("Buffer not page-aligned")
			}
			if n, err := af.ReadAtBuffer(b, 100); n != 8192 || err != nil ||
				!bytes.Equal(b.Bytes(), data[100:100+8192]) {
				t.Fatalf("ReadAtBuffer = %d, %v", n, err)
			}
			s := b.Slice(10, 20)
			if n, err := af.ReadAtBuffer(s, int64(len(data)-5)); n != 5 || err != io.EOF ||
				!bytes.Equal(b.Bytes()[10:15], data[len(data)-5:]) {
				t.Fatalf("ReadAtBuffer across the end = %d, %v", n, err)
			}
			copy(b.Bytes(), "hello, buffer")
			if n, err := af.WriteAtBuffer(b.Slice(0, 13), 4096); n != 13 || err != nil {
				t.Fatalf("WriteAtBuffer = %d, %v", n, err)
			}
			got := make([]byte, 13)
			if _, err := af.ReadAt(got, 4096); err != nil || string(got) != "hello, buffer" {
				t.Fatalf("read back %q, %v", got, err)
			}
			copy(data[4096:], "hello, buffer")
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Free of a Slice did not panic")
					}
				}()
				s.Free()
			}()
		})
	}
	b := NewBuffer(0)
	if len(b.Bytes()) != 0 {
		t.Errorf("NewBuffer(0) has %d bytes", len(b.Bytes()))
	}
	b.Free()
	b.Free() // twice: nothing
}

// O_DIRECT needs aligned memory: the bounce buffers are, so ReadAt works
// with any []byte (lengths and offsets still multiples of the block size).
func TestODirect(t *testing.T) {
	path, data := tempData(t, 1<<20, 10)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_DIRECT, 0)
	if err != nil {
		t.Skipf("O_DIRECT here: %v", err)
	}
	c := openCtx(t, nil)
	af, err := c.Register(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer af.Close()
	if af.fast >= 0 {
		t.Errorf("an O_DIRECT file took the page-cache path")
	}
	raw := make([]byte, 4096*3+1)
	p := raw[1:] // not aligned
	if n, err := af.ReadAt(p, 8192); n != len(p) || err != nil || !bytes.Equal(p, data[8192:8192+len(p)]) {
		t.Fatalf("O_DIRECT ReadAt = %d, %v", n, err)
	}
	b := NewBuffer(4096)
	defer b.Free()
	if n, err := af.ReadAtBuffer(b, 4096*7); n != 4096 || err != nil || !bytes.Equal(b.Bytes(), data[4096*7:4096*8]) {
		t.Fatalf("O_DIRECT ReadAtBuffer = %d, %v", n, err)
	}
}

// Many readers at once through the socket: completions arrive in more
// datagrams than one reap takes, and none may be left behind unseen by the
// netpoller. (A reaper that went back to the netpoller after a reap that
// returned less than it asked for left datagrams on the socket with no
// edge to come; this hung in about one run in three.)
func TestManyReadersThroughTheSocket(t *testing.T) {
	const size = 1 << 22
	path, data := tempData(t, size, 14)
	c := openCtx(t, &Options{NoInline: true})
	af := register(t, c, path, os.O_RDONLY)
	var wg sync.WaitGroup
	for g := 0; g < 1000; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			p := make([]byte, 4096)
			for i := 0; i < 30; i++ {
				off := r.Intn(size/4096) * 4096
				if n, err := af.ReadAt(p, int64(off)); n != len(p) || err != nil || !bytes.Equal(p, data[off:off+4096]) {
					t.Errorf("ReadAt at %d = %d, %v", off, n, err)
					return
				}
			}
		}(int64(g))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("reads still waiting after 2 minutes: %d outstanding, completions lost", c.outstanding())
	}
}
