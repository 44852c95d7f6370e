// SPDX-License-Identifier: MIT

package aionl

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// modes are the ways a read can go: the page-cache path in the calling
// goroutine first and the direct path for what must block (the default),
// or every read and write through the socket.
var modes = []struct {
	name string
	opts Options
}{
	{"default", Options{}},
	{"noinline", Options{NoInline: true, NoDirect: true}},
}

// openCtx opens a Ctx on the backend and executor the environment names
// (AIONL_BACKEND, AIONL_EXECUTOR: ctest runs the suite on each executor).
func openCtx(t testing.TB, opts *Options) *Ctx {
	t.Helper()
	c, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tempData writes n pseudo-random bytes to a new file and returns its path
// and contents.
func tempData(t testing.TB, n int, seed int64) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(data)
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// register opens path with flag and registers it; the *os.File is closed
// right away, since the Ctx keeps its own reference.
func register(t testing.TB, c *Ctx, path string, flag int) *File {
	t.Helper()
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	af, err := c.Register(f)
	f.Close()
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() { af.Close() })
	return af
}

// pipe returns a registered read end and the plain write end of a pipe.
func pipe(t testing.TB, c *Ctx) (*File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ar, err := c.Register(r)
	r.Close()
	if err != nil {
		w.Close()
		t.Fatalf("Register: %v", err)
	}
	t.Cleanup(func() { ar.Close(); w.Close() })
	return ar, w
}

// outstanding is how many requests the Ctx has handed to the library and
// not yet seen complete, or queued to hand: the ops in its table.
func (c *Ctx) outstanding() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.ops)
		s.mu.Unlock()
	}
	return n
}

// queuedOps is how many requests wait in the submitter's queue.
func (c *Ctx) queuedOps() int {
	c.sub.mu.Lock()
	defer c.sub.mu.Unlock()
	n := len(c.sub.pending)
	if c.sub.active {
		n++ // the batch being submitted, at least one
	}
	return n
}
