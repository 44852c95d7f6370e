// SPDX-License-Identifier: MIT

// Command fileserver serves one file over HTTP, with range requests,
// reading it through a libaionl socket: a request waiting for the disk
// parks its goroutine in the netpoller instead of holding an OS thread.
// SIGINT or SIGTERM shuts it down cleanly: it stops accepting, lets the
// requests in progress finish, then closes the file and the socket.
//
//	go run ./examples/fileserver -addr 127.0.0.1:8080 big.iso
//	curl -r 1000-1999 http://127.0.0.1:8080/ | wc -c
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"aionl"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [-addr host:port] FILE\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*addr, flag.Arg(0), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(addr, path string, out io.Writer) error {
	// Signals end a context, as the Go runtime delivers them: the package
	// offers no signal watch (docs/go.md, "Signals").
	sigctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	actx, err := aionl.Open(nil)
	if err != nil {
		return err
	}
	defer actx.Close()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	af, err := actx.Register(f)
	f.Close() // the socket keeps its own reference
	if err != nil {
		return err
	}
	defer af.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	srv := &http.Server{Handler: handler(af, name, st.ModTime(), st.Size()), ReadHeaderTimeout: 10 * time.Second}
	info := actx.Info()
	fmt.Fprintf(out, "serving %s (%d bytes, %s+%s) on http://%s/\n", path, st.Size(), info.Backend, info.Executor, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-sigctx.Done():
	}
	fmt.Fprintln(out, "shutting down")
	shctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "stopped")
	return nil
}

// handler serves the file at / and /NAME. http.ServeContent answers Range,
// If-Range, HEAD and the conditional requests from an io.ReadSeeker: an
// io.SectionReader over the aionl File, whose reads stop when the client
// goes away (the request's context).
func handler(af *aionl.File, name string, modtime time.Time, size int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/"+name {
			http.NotFound(w, r)
			return
		}
		content := io.NewSectionReader(readerAt{r.Context(), af}, 0, size)
		http.ServeContent(w, r, name, modtime, content)
	})
}

// readerAt reads through f under ctx.
type readerAt struct {
	ctx context.Context
	f   *aionl.File
}

func (r readerAt) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAtContext(r.ctx, p, off) }
