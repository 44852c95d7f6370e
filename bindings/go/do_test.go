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
)

// A chain of linked appends runs in order: O_APPEND puts each byte where
// the one before it ended, so the file says in which order they ran.
func TestDoChainRunsInOrder(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			path := filepath.Join(t.TempDir(), "log")
			f := register(t, c, path, os.O_RDWR|os.O_CREATE|os.O_APPEND)
			var ops []Op
			var want []byte
			for i := 0; i < 40; i++ {
				b := NewBuffer(1)
				defer b.Free()
				b.Bytes()[0] = byte(i)
				want = append(want, byte(i))
				op := WriteOp(f, b, 0)
				if i < 39 {
					op = op.Link()
				}
				ops = append(ops, op)
			}
			res, err := c.Do(context.Background(), ops...)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if r.Err != nil || r.N != 1 {
					t.Fatalf("op %d: %+v", i, r)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("file %v (%v), want %v", got, err, want)
			}
		})
	}
}

// A failing Op breaks its chain: the Ops linked after it end with
// ECANCELED and never run; an Op after the chain runs.
func TestDoFailingLinkCancelsTheRest(t *testing.T) {
	c := openCtx(t, nil)
	path, data := tempData(t, 4096, 3)
	ro := register(t, c, path, os.O_RDONLY)
	rw := register(t, c, path, os.O_RDWR)
	b := NewBuffer(16)
	defer b.Free()
	copy(b.Bytes(), "XXXXXXXXXXXXXXXX")
	res, err := c.Do(context.Background(),
		WriteOp(ro, b, 0).Link(), // read-only: EBADF
		WriteOp(rw, b, 100).Link(),
		SyncOp(rw),
		NopOp())
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if !errors.As(res[0].Err, &e) || e.Errno != syscall.EBADF {
		t.Fatalf("op 0: %v, want EBADF", res[0].Err)
	}
	for _, i := range []int{1, 2} {
		if !errors.As(res[i].Err, &e) || e.Errno != syscall.ECANCELED {
			t.Fatalf("op %d: %v, want ECANCELED", i, res[i].Err)
		}
	}
	if res[3].Err != nil {
		t.Fatalf("the NOP after the chain: %v", res[3].Err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, data) {
		t.Fatal("a cancelled write ran")
	}
}

// A drained NOP completes, after the write before it; chains of over 64
// Ops are refused whole, before anything is submitted.
func TestDoDrainAndLimits(t *testing.T) {
	c := openCtx(t, nil)
	path, _ := tempData(t, 4096, 4)
	rw := register(t, c, path, os.O_RDWR)
	b := NewBuffer(8)
	defer b.Free()
	res, err := c.Do(context.Background(), WriteOp(rw, b, 0), NopOp().Drain(), ReadOp(rw, b, 0))
	if err != nil || res[0].Err != nil || res[1].Err != nil || res[2].N != 8 {
		t.Fatalf("%+v %v", res, err)
	}
	ops := make([]Op, 66)
	for i := range ops {
		ops[i] = NopOp().Link()
	}
	var e *Error
	if _, err := c.Do(context.Background(), ops...); !errors.As(err, &e) || e.Errno != syscall.EINVAL {
		t.Fatalf("a chain of 66: %v", err)
	}
}

// A log's step: allocate a segment, then write into it, linked; a failing
// allocation (a read-only file) cancels the write. Every server of this
// release honours both orderings.
func TestDoAllocateTakesPartInChains(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := openCtx(t, &m.opts)
			if link, drain := c.SupportsOrder(); !link || !drain {
				t.Fatalf("SupportsOrder() = %v, %v", link, drain)
			}
			path := filepath.Join(t.TempDir(), "wal")
			rw := register(t, c, path, os.O_RDWR|os.O_CREATE)
			ro := register(t, c, path, os.O_RDONLY)
			b := NewBuffer(4096)
			defer b.Free()
			copy(b.Bytes(), bytes.Repeat([]byte("w"), 4096))
			res, err := c.Do(context.Background(), AllocateOp(rw, 0, 0, 1<<20).Link(), WriteOp(rw, b, 8192))
			if err != nil || res[0].Err != nil || res[1].Err != nil || res[1].N != 4096 {
				t.Fatalf("Do: %v, %+v", err, res)
			}
			if st, err := os.Stat(path); err != nil || st.Size() != 1<<20 {
				t.Fatalf("size after the chain: %v (%v)", st, err)
			}
			res, err = c.Do(context.Background(), AllocateOp(ro, 0, 0, 2<<20).Link(), WriteOp(rw, b, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(res[0].Err, syscall.EBADF) || !errors.Is(res[1].Err, syscall.ECANCELED) {
				t.Fatalf("results %+v", res)
			}
			if _, err := c.Do(context.Background(), AllocateOp(rw, 0, 0, 0)); !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("a zero length: %v", err)
			}
		})
	}
}
