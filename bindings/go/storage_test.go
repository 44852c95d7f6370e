// SPDX-License-Identifier: MIT

package aionl

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// With Stat, a File is an fs.File.
var _ fs.File = (*File)(nil)

func fstat(t *testing.T, path string) syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAllocateModes(t *testing.T) {
	c := openCtx(t, nil)
	path := filepath.Join(t.TempDir(), "f")
	af := register(t, c, path, os.O_RDWR|os.O_CREATE)
	if err := af.Allocate(0, 0, 1<<20); err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	if st := fstat(t, path); st.Size != 1<<20 || st.Blocks*512 < 1<<20 {
		t.Fatalf("after Allocate: size %d, blocks %d", st.Size, st.Blocks)
	}
	if err := af.Allocate(AllocateKeepSize, 1<<20, 1<<20); err != nil {
		t.Fatalf("Allocate KeepSize: %v", err)
	}
	if st := fstat(t, path); st.Size != 1<<20 || st.Blocks*512 < 2<<20 {
		t.Fatalf("after KeepSize: size %d, blocks %d", st.Size, st.Blocks)
	}
	data := bytes.Repeat([]byte{'x'}, 65536)
	if _, err := af.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if err := af.Allocate(AllocatePunchHole|AllocateKeepSize, 4096, 8192); err != nil {
		t.Fatalf("PunchHole: %v", err)
	}
	got := make([]byte, 65536)
	if _, err := af.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	want := append(append(data[:4096:4096], make([]byte, 8192)...), data[12288:]...)
	if !bytes.Equal(got, want) {
		t.Fatal("the hole does not read back as zeros, or the rest changed")
	}
}

// Errors are fallocate(2)'s, as *Error with the errno; bad arguments never leave.
func TestAllocateErrors(t *testing.T) {
	c := openCtx(t, nil)
	path := filepath.Join(t.TempDir(), "f")
	af := register(t, c, path, os.O_RDWR|os.O_CREATE)
	if err := af.Allocate(AllocatePunchHole, 0, 4096); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("PunchHole without KeepSize: %v, want EOPNOTSUPP", err)
	}
	ro := register(t, c, path, os.O_RDONLY)
	if err := ro.Allocate(0, 0, 4096); !errors.Is(err, syscall.EBADF) {
		t.Errorf("read-only file: %v, want EBADF", err)
	}
	for _, k := range []struct {
		mode   AllocateMode
		off, n int64
	}{{0, -1, 1}, {0, 0, 0}, {0, 0, -5}, {0x8, 0, 4096}} {
		if err := af.Allocate(k.mode, k.off, k.n); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("Allocate(%#x, %d, %d): %v, want EINVAL", k.mode, k.off, k.n, err)
		}
	}
	if err := af.Allocate(0, 1<<62, 1<<62); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("offset + length past the limit: %v, want EINVAL", err)
	}
	af.Close()
	if err := af.Allocate(0, 0, 1); !errors.Is(err, os.ErrClosed) {
		t.Errorf("closed file: %v", err)
	}
}

// File.Stat and Ctx.Stat say what os.Stat says.
func TestStatLikeOs(t *testing.T) {
	c := openCtx(t, nil)
	path, _ := tempData(t, 12345, 3)
	af := register(t, c, path, os.O_RDONLY)
	want, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := af.Stat()
	if err != nil {
		t.Fatalf("File.Stat: %v", err)
	}
	fi2, err := c.Stat(path)
	if err != nil {
		t.Fatalf("Ctx.Stat: %v", err)
	}
	for _, got := range []fs.FileInfo{fi, fi2} {
		if got.Name() != want.Name() || got.Size() != want.Size() || got.Mode() != want.Mode() ||
			!got.ModTime().Equal(want.ModTime()) || got.IsDir() {
			t.Errorf("Stat %s %d %v %v, os.Stat %s %d %v %v", got.Name(), got.Size(), got.Mode(),
				got.ModTime(), want.Name(), want.Size(), want.Mode(), want.ModTime())
		}
		sx := got.Sys().(*Statx)
		st := want.Sys().(*syscall.Stat_t)
		if sx.Ino != st.Ino || sx.Dev != st.Dev || sx.Nlink != uint32(st.Nlink) ||
			sx.Uid != st.Uid || sx.Blocks != uint64(st.Blocks) {
			t.Errorf("Statx %+v, Stat_t %+v", sx, st)
		}
		if sx.Mask&StatxBasicStats != StatxBasicStats {
			t.Errorf("Mask %#x lacks the basic stats", sx.Mask)
		}
	}
	dir, err := c.Stat(filepath.Dir(path))
	if err != nil || !dir.IsDir() || dir.Mode()&fs.ModeDir == 0 {
		t.Errorf("Stat of the directory: %v, %v", dir, err)
	}
}

func TestLstatAndStatErrors(t *testing.T) {
	c := openCtx(t, nil)
	path, _ := tempData(t, 100, 4)
	link := filepath.Join(filepath.Dir(path), "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	fi, err := c.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 || fi.Size() != int64(len(path)) {
		t.Errorf("Lstat: %v, %v", fi, err)
	}
	fi, err = c.Stat(link)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != 100 {
		t.Errorf("Stat through the link: %v, %v", fi, err)
	}
	missing := filepath.Join(filepath.Dir(path), "missing")
	if _, err := c.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v", err)
	} else if e := err.(*Error); e.Path != missing || e.Op != "stat" {
		t.Errorf("the error names %q %q", e.Op, e.Path)
	}
	if _, err := c.Stat("a\x00b"); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("a NUL in the path: %v", err)
	}
	if _, err := c.Stat(string(bytes.Repeat([]byte{'a'}, 5000))); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Errorf("a long path: %v", err)
	}
}
