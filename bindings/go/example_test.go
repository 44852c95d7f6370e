// SPDX-License-Identifier: MIT

package aionl_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"aionl"
)

func Example() {
	dir, _ := os.MkdirTemp("", "aionl-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	os.WriteFile(path, []byte("hello, asynchronous world\n"), 0o644)

	ctx, err := aionl.Open(nil) // nil: the defaults
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	af, err := ctx.Register(f)
	f.Close() // the Ctx keeps its own reference
	if err != nil {
		log.Fatal(err)
	}
	defer af.Close()

	buf := make([]byte, 5)
	n, err := af.ReadAt(buf, 7) // parks in the netpoller, not in an OS thread
	fmt.Printf("%d %v %q\n", n, err, buf[:n])

	// A File is an io.ReaderAt: everything built on one works.
	all, err := io.ReadAll(io.NewSectionReader(af, 0, 1<<20))
	fmt.Printf("%v %q\n", err, all)
	// Output:
	// 5 <nil> "async"
	// <nil> "hello, asynchronous world\n"
}

func ExampleCtx_NewTicker() {
	ctx, err := aionl.Open(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()
	tk, err := ctx.NewTicker(time.Millisecond)
	if err != nil {
		log.Fatal(err)
	}
	defer tk.Stop()
	ticks := int64(0)
	for ticks < 3 {
		t := <-tk.C
		ticks += t.Count // more than 1 if this reader fell behind
	}
	fmt.Println(ticks >= 3)
	// Output: true
}

// Signals reach a Go program through os/signal; let them end the context
// of the calls in progress.
func Example_signals() {
	sigctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ctx, err := aionl.Open(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()
	r, w, _ := os.Pipe()
	defer w.Close()
	ar, err := ctx.Register(r)
	r.Close()
	if err != nil {
		log.Fatal(err)
	}
	defer ar.Close()

	// Waits for a line on the pipe, or for SIGINT/SIGTERM: then err is
	// context.Canceled and buf was not touched.
	go func() { time.Sleep(10 * time.Millisecond); w.Write([]byte("ping\n")) }()
	buf := make([]byte, 64)
	n, err := ar.ReadContext(sigctx, buf)
	fmt.Printf("%q %v\n", buf[:n], err)
	// Output: "ping\n" <nil>
}
