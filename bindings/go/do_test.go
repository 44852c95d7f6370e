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

// A log's step, then a hole punched into a write, linked: the hole is
// there only if the punch ran after the 4 MiB write (unordered, the quick
// punch usually runs first and the write fills the range again); a failing
// allocation (a read-only file) cancels the write after it. Every server of
// this release honours both orderings.
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
			b := NewBuffer(4 << 20)
			defer b.Free()
			copy(b.Bytes(), bytes.Repeat([]byte("w"), 4<<20))
			for round := 0; round < 3; round++ {
				res, err := c.Do(context.Background(), WriteOp(rw, b, 0).Link(),
					AllocateOp(rw, AllocatePunchHole|AllocateKeepSize, 4096, 4096))
				if err != nil || res[0].Err != nil || res[0].N != 4<<20 {
					t.Fatalf("Do: %v, %+v", err, res)
				}
				if errors.Is(res[1].Err, syscall.EOPNOTSUPP) {
					t.Skip("no holes on this file system") // tmpfs and ext4 have them
				}
				got := make([]byte, 3)
				if _, err := rw.ReadAt(got, 4095); err != nil || !bytes.Equal(got, []byte{'w', 0, 0}) {
					t.Fatalf("round %d: bytes %q (%v): the punch ran before the write", round, got, err)
				}
			}
			res, err := c.Do(context.Background(), AllocateOp(ro, 0, 0, 2<<20).Link(), WriteOp(rw, b, 0))
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

// A drained read sees every write of the Do before it.
func TestDoDrainWaitsForTheWritesBefore(t *testing.T) {
	c := openCtx(t, &Options{Executor: "threads"})
	path := filepath.Join(t.TempDir(), "d")
	rw := register(t, c, path, os.O_RDWR|os.O_CREATE)
	w := NewBuffer(4 << 20)
	defer w.Free()
	r := NewBuffer(8)
	defer r.Free()
	for round := 0; round < 3; round++ {
		copy(w.Bytes(), bytes.Repeat([]byte{byte('a' + round)}, 4<<20))
		res, err := c.Do(context.Background(), WriteOp(rw, w, 0), WriteOp(rw, w, 4<<20),
			ReadOp(rw, r, 8<<20-8).Drain())
		if err != nil || res[2].Err != nil || res[2].N != 8 {
			t.Fatalf("%+v %v", res, err)
		}
		if !bytes.Equal(r.Bytes(), bytes.Repeat([]byte{byte('a' + round)}, 8)) {
			t.Fatalf("round %d: the drained read saw %q", round, r.Bytes())
		}
	}
}

// The last Op's link reaches nothing: another goroutine's requests,
// submitted right after a Do whose last Op links and fails, still run.
func TestDoLastLinkReachesNoOtherGoroutine(t *testing.T) {
	c := openCtx(t, nil)
	path, _ := tempData(t, 4096, 5)
	ro := register(t, c, path, os.O_RDONLY)
	b := NewBuffer(8)
	defer b.Free()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 300; i++ {
			c.Do(context.Background(), WriteOp(ro, b, 0).Link()) // EBADF
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		res, err := c.Do(context.Background(), NopOp())
		if err != nil || res[0].Err != nil {
			t.Fatalf("nop %d: %+v %v", i, res, err)
		}
	}
}

// A Do of more Ops than the Ctx has credits fails at once rather than wait forever.
func TestDoLargerThanTheCreditsFails(t *testing.T) {
	c := openCtx(t, &Options{MaxInflight: 16})
	ops := make([]Op, 20)
	for i := range ops {
		ops[i] = NopOp()
	}
	if _, err := c.Do(context.Background(), ops...); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("20 Ops on 16 credits: %v", err)
	}
}
