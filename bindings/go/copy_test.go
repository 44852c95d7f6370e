// SPDX-License-Identifier: MIT

package aionl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"
)

// sysCopy is copy_file_range(2)'s own answer, with both offsets given.
func sysCopy(in int, inOff int64, out int, outOff int64, n int) (int, error) {
	r, _, e := syscall.Syscall6(sysCopyFileRange, uintptr(in),
		uintptr(unsafe.Pointer(&inOff)), uintptr(out), uintptr(unsafe.Pointer(&outOff)), uintptr(n), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*131+i>>12*7) ^ seed
	}
	return b
}

func TestCopyCopiesTheRangeAndIsShortAtTheEnd(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			dir := t.TempDir()
			src := pattern(1<<20, 3)
			if err := os.WriteFile(filepath.Join(dir, "src"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			s := register(t, c, filepath.Join(dir, "src"), os.O_RDONLY)
			d := register(t, c, filepath.Join(dir, "dst"), os.O_RDWR|os.O_CREATE)
			if n, err := c.Copy(d, 4096, s, 1000, 300000); err != nil || n != 300000 {
				t.Fatalf("Copy: %d, %v", n, err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "dst"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 304096 || !bytes.Equal(got[:4096], make([]byte, 4096)) ||
				!bytes.Equal(got[4096:], src[1000:301000]) {
				t.Fatal("the copy is not where it was asked to land")
			}
			if n, err := c.Copy(d, 0, s, 1<<20-100, 4096); err != nil || n != 100 {
				t.Fatalf("a copy at the end: %d, %v", n, err)
			}
			if n, err := c.Copy(d, 0, s, 1<<20, 4096); err != nil || n != 0 {
				t.Fatalf("a copy past the end: %d, %v", n, err)
			}
		})
	}
}

// Errors are copy_file_range(2)'s, as *Error with the errno; bad arguments never leave.
func TestCopyErrors(t *testing.T) {
	c := openCtx(t, nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, pattern(65536, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	rw := register(t, c, path, os.O_RDWR)
	ro := register(t, c, path, os.O_RDONLY)
	app := register(t, c, filepath.Join(dir, "g"), os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	fd, err := syscall.Open(path, syscall.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if _, err := sysCopy(fd, 0, fd, 4096, 8192); err != syscall.EINVAL {
		t.Fatalf("copy_file_range(2) of overlapping ranges: %v", err)
	}
	if _, err := c.Copy(rw, 4096, rw, 0, 8192); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("overlapping ranges: %v", err)
	}
	if _, err := c.Copy(ro, 0, rw, 0, 4096); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("a read-only destination: %v", err)
	}
	if _, err := c.Copy(app, 0, rw, 0, 4096); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("an O_APPEND destination: %v", err)
	}
	for _, n := range []int64{0, -1, maxIOLen + 1} {
		if _, err := c.Copy(app, 0, rw, 0, n); !errors.Is(err, syscall.EINVAL) {
			t.Fatalf("length %d: %v", n, err)
		}
	}
	if _, err := c.Copy(app, -1, rw, 0, 1); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("a negative offset: %v", err)
	}
	if _, err := c.Copy(nil, 0, rw, 0, 1); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("no destination: %v", err)
	}
}

// Across file systems Copy answers what copy_file_range(2) answers there.
func TestCopyAcrossFileSystemsIsTheKernels(t *testing.T) {
	var a, b syscall.Stat_t
	dir := t.TempDir()
	if syscall.Stat("/dev/shm", &b) != nil || syscall.Stat(dir, &a) != nil || a.Dev == b.Dev {
		t.Skip("no second file system at /dev/shm")
	}
	other, err := os.MkdirTemp("/dev/shm", "aionl-go-copy")
	if err != nil {
		t.Skip(err)
	}
	defer os.RemoveAll(other)
	c := openCtx(t, nil)
	if err := os.WriteFile(filepath.Join(dir, "src"), pattern(8192, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	s := register(t, c, filepath.Join(dir, "src"), os.O_RDONLY)
	d := register(t, c, filepath.Join(other, "dst"), os.O_RDWR|os.O_CREATE)
	in, _ := syscall.Open(filepath.Join(dir, "src"), syscall.O_RDONLY, 0)
	out, _ := syscall.Open(filepath.Join(other, "twin"), syscall.O_RDWR|syscall.O_CREAT, 0o644)
	defer syscall.Close(in)
	defer syscall.Close(out)
	want, werr := sysCopy(in, 0, out, 0, 8192)
	got, gerr := c.Copy(d, 0, s, 0, 8192)
	if int64(want) != got || (werr == nil) != (gerr == nil) || (werr != nil && !errors.Is(gerr, werr)) {
		t.Fatalf("Copy: %d, %v; copy_file_range(2): %d, %v", got, gerr, want, werr)
	}
}

// A copy, then an fsync, then a read of the copy, linked: the read sees the
// copy; a failing copy cancels what follows it.
func TestDoCopyTakesPartInChains(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			dir := t.TempDir()
			src := pattern(1<<20, 5)
			if err := os.WriteFile(filepath.Join(dir, "src"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			s := register(t, c, filepath.Join(dir, "src"), os.O_RDONLY)
			d := register(t, c, filepath.Join(dir, "dst"), os.O_RDWR|os.O_CREATE)
			b := NewBuffer(1 << 20)
			defer b.Free()
			res, err := c.Do(context.Background(), CopyOp(d, 0, s, 0, 1<<20).Link(), SyncOp(d).Link(),
				ReadOp(d, b, 0))
			if err != nil || res[0].Err != nil || res[0].N != 1<<20 || res[1].Err != nil ||
				res[2].Err != nil || res[2].N != 1<<20 {
				t.Fatalf("Do: %v, %+v", err, res)
			}
			if !bytes.Equal(b.Bytes(), src) {
				t.Fatal("the read ran before the copy")
			}
			// Into the source, which is read-only: EBADF, and the read never runs.
			res, err = c.Do(context.Background(), CopyOp(s, 0, d, 0, 4096).Link(), ReadOp(d, b, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(res[0].Err, syscall.EBADF) || !errors.Is(res[1].Err, syscall.ECANCELED) {
				t.Fatalf("results %+v", res)
			}
		})
	}
}
