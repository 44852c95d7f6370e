// SPDX-License-Identifier: MIT

package aionl

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Buffer is memory in C, for zero-copy reads and writes (File.ReadAtBuffer,
// File.WriteAtBuffer): the library reads and writes it directly, which it
// may never do to Go memory once a call has returned. It is page-aligned,
// so it suits O_DIRECT files. Free it when done; the garbage collector
// frees a Buffer that was forgotten, but C memory does not count towards
// the Go heap that triggers a collection.
type Buffer struct {
	p      unsafe.Pointer
	n      int
	parent *Buffer      // of a Slice
	busy   atomic.Int32 // requests using it (of the root Buffer)
	freed  bool
}

// NewBuffer allocates a Buffer of n bytes, zeroed. It panics if n is
// negative or the memory cannot be had, as make does.
func NewBuffer(n int) *Buffer {
	if n < 0 {
		panic("aionl: NewBuffer: negative size")
	}
	p := cAlloc(n)
	if p == nil {
		panic("aionl: NewBuffer: out of memory")
	}
	b := &Buffer{p: p, n: n}
	if n > 0 {
		clear(unsafe.Slice((*byte)(p), n))
	}
	runtime.SetFinalizer(b, (*Buffer).Free)
	return b
}

func clear(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Bytes returns the Buffer's memory as a slice. It is valid until Free;
// do not use it while a request on the Buffer is outstanding.
func (b *Buffer) Bytes() []byte {
	if b.root().freed {
		panic("aionl: Buffer used after Free")
	}
	if b.n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(b.p), b.n)
}

// Len is the Buffer's size in bytes.
func (b *Buffer) Len() int { return b.n }

// Slice returns the part [i:j] of b, sharing its memory, for reading or
// writing into part of a Buffer. It must not be freed: free b.
func (b *Buffer) Slice(i, j int) *Buffer {
	if i < 0 || j < i || j > b.n {
		panic("aionl: Buffer.Slice: bounds out of range")
	}
	return &Buffer{p: unsafe.Add(b.p, i), n: j - i, parent: b.root()}
}

func (b *Buffer) root() *Buffer {
	if b.parent != nil {
		return b.parent
	}
	return b
}

// Free releases the memory. It panics while a request uses the Buffer, and
// for a Slice; freeing twice does nothing.
func (b *Buffer) Free() {
	if b.parent != nil {
		panic("aionl: Free of a Buffer.Slice: free the Buffer it came from")
	}
	if b.freed {
		return
	}
	if b.busy.Load() != 0 {
		panic("aionl: Free of a Buffer that a request is using")
	}
	b.freed = true
	cFree(b.p)
	b.p = nil
	runtime.SetFinalizer(b, nil)
}

// use marks the Buffer as in use by a request until the returned func runs.
func (b *Buffer) use() (unsafe.Pointer, func()) {
	r := b.root()
	if r.freed {
		panic("aionl: Buffer used after Free")
	}
	r.busy.Add(1)
	return b.p, func() {
		r.busy.Add(-1)
		runtime.KeepAlive(r)
	}
}

// ---------------------------------------------------------------- bounce buffers

// The []byte calls copy through C memory, in chunks of at most maxChunk,
// from pools of power-of-two sizes. Pooled memory that the garbage
// collector drops from a sync.Pool is freed by the finalizer.
const (
	minChunkShift = 12 // 4 KiB
	maxChunkShift = 22 // 4 MiB
	maxChunk      = 1 << maxChunkShift
)

type bounce struct {
	p unsafe.Pointer
	n int
}

var bouncePools [maxChunkShift - minChunkShift + 1]sync.Pool

func freeBounce(b *bounce) { cFree(b.p) }

func sizeClass(n int) int {
	k := 0
	for (1 << (minChunkShift + k)) < n {
		k++
	}
	return k
}

// getBounce returns C memory of at least n (<= maxChunk) bytes.
func getBounce(n int) *bounce {
	k := sizeClass(n)
	if b, _ := bouncePools[k].Get().(*bounce); b != nil {
		return b
	}
	size := 1 << (minChunkShift + k)
	p := cAlloc(size)
	if p == nil {
		panic("aionl: out of C memory for a bounce buffer")
	}
	b := &bounce{p: p, n: size}
	runtime.SetFinalizer(b, freeBounce)
	return b
}

func putBounce(b *bounce) { bouncePools[sizeClass(b.n)].Put(b) }

func (b *bounce) bytes(n int) []byte { return unsafe.Slice((*byte)(b.p), n) }
