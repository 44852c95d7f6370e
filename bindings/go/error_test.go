// SPDX-License-Identifier: MIT

package aionl

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestOpenErrors(t *testing.T) {
	for _, o := range []Options{{Backend: "nonesuch"}, {Executor: "nonesuch"}, {MaxInflight: -1}, {MaxInflight: 1}} {
		if _, err := Open(&o); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("Open(%+v): %v, want EINVAL", o, err)
		}
	}
}

// The library's own message comes with the errno, read in the thread that
// failed. With aionl.ko not loaded, asking for the kernel backend fails
// with ENOENT, and the library says why.
func TestLibraryMessage(t *testing.T) {
	_, err := Open(&Options{Backend: "kernel"})
	if err == nil {
		t.Skip("aionl.ko is loaded here")
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "open" || !errors.Is(err, syscall.ENOENT) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open(kernel): %#v", err)
	}
	if !strings.Contains(e.Msg, "aionl") || e.Msg == e.Errno.Error() {
		t.Errorf("the library's message: %q", e.Msg)
	}
	t.Logf("%v", err)
}

// Messages stay with their own error while goroutines fail in different
// ways at once on every thread: each helper copies the message in the C
// call that failed.
func TestMessagesUnderConcurrency(t *testing.T) {
	if _, err := Open(&Options{Backend: "kernel"}); err == nil {
		t.Skip("aionl.ko is loaded here")
	}
	c := openCtx(t, nil)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if g%2 == 0 {
					_, err := Open(&Options{Backend: "kernel"})
					var e *Error
					if !errors.As(err, &e) || e.Errno != syscall.ENOENT || !strings.Contains(e.Msg, "family") {
						t.Errorf("Open(kernel): %v", err)
						return
					}
				} else {
					// Registering a descriptor that is not open.
					err := c.WaitReadable(context.Background(), 1<<30)
					var e *Error
					if !errors.As(err, &e) || e.Errno != syscall.EBADF || e.Op != "register" ||
						strings.Contains(e.Msg, "family") || e.Msg == "" {
						t.Errorf("WaitReadable(bad fd): %#v", err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestErrorString(t *testing.T) {
	e := &Error{Op: "read", Path: "/x", Errno: syscall.EIO}
	if e.Error() != "aionl read /x: input/output error" {
		t.Errorf("%q", e.Error())
	}
	e.Msg = "why"
	if e.Error() != "aionl read /x: why" {
		t.Errorf("%q", e.Error())
	}
	if errors.Is(e, os.ErrClosed) {
		t.Errorf("an EIO is os.ErrClosed")
	}
	if !errors.Is(errClosed("read", "", "file"), os.ErrClosed) {
		t.Errorf("errClosed is not os.ErrClosed")
	}
}

// A Ctx bound to a filesystem takes its files only: another's is EXDEV,
// with the library's message naming both; a missing path fails Open.
func TestBind(t *testing.T) {
	dir := t.TempDir()
	var a, b syscall.Stat_t
	if err := syscall.Stat(dir, &a); err != nil {
		t.Fatal(err)
	}
	other := ""
	for _, d := range []string{"/dev/shm", "/run", "/tmp", "/var/tmp"} {
		if syscall.Stat(d, &b) == nil && b.Dev != a.Dev && syscall.Access(d, 2) == nil {
			other = d
			break
		}
	}
	if other == "" {
		t.Fatal("no writable directory on another filesystem: /dev/shm is one on every test machine")
	}
	c := openCtx(t, &Options{Bind: dir})
	mine, err := os.Create(dir + "/mine")
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	if _, err := c.Register(mine); err != nil {
		t.Fatalf("a file of the bound filesystem: %v", err)
	}
	theirs, err := os.CreateTemp(other, "aionl-go-bind-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(theirs.Name())
	defer theirs.Close()
	_, err = c.Register(theirs)
	var e *Error
	if !errors.Is(err, syscall.EXDEV) || !errors.As(err, &e) || !strings.Contains(e.Msg, "bound to") {
		t.Fatalf("a file of another filesystem: %v", err)
	}
	if _, err := Open(&Options{Bind: dir + "/missing"}); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("Bind to a missing path: %v", err)
	}
}
