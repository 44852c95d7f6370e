// SPDX-License-Identifier: MIT

package aionl

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// BenchmarkReadAt compares 4 KiB random ReadAt through this package with
// os.File.ReadAt, on a file in the page cache and with O_DIRECT, at 1, 64
// and 1,000 goroutines, reporting reads per second and the process's peak
// OS thread count. docs/go.md has figures and the targets. Run by hand:
//
//	go test -run '^$' -bench ReadAt -benchtime 3s
//
// The file is AIONL_BENCH_SIZE bytes (default 1 GiB; suffixes K, M, G), made
// once in AIONL_BENCH_DIR (default the temporary directory), which must
// allow O_DIRECT (tmpfs does not). Each case runs in a process of its own:
// the Go runtime never ends a thread it made, so a case run after another
// would count the other's threads.
func BenchmarkReadAt(b *testing.B) {
	path := benchFile(b)
	benchtime := "1s"
	if f := flag.Lookup("test.benchtime"); f != nil {
		benchtime = f.Value.String()
	}
	for _, storage := range []string{"cache", "direct"} {
		if storage == "cache" {
			warm(b, path)
		}
		for _, g := range []int{1, 64, 1000} {
			for _, impl := range []string{"os", "aionl", "aionl-noinline"} {
				if storage == "direct" && impl == "aionl-noinline" {
					continue // O_DIRECT never takes the page-cache path
				}
				name := fmt.Sprintf("%s/g%d/%s", storage, g, impl)
				b.Run(name, func(b *testing.B) {
					benchChild(b, path, storage, impl, g, benchtime)
				})
			}
		}
	}
}

const benchChildEnv = "AIONL_GO_BENCH_CHILD"

// benchChild runs one case in a new process and reports what it measured.
func benchChild(b *testing.B, path, storage, impl string, g int, benchtime string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkReadAtChild$",
		"-test.benchtime="+benchtime)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%s,%s,%d", benchChildEnv, path, storage, impl, g))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	// BenchmarkReadAtChild  N  T ns/op  X reads/s  Y threads
	sc := bufio.NewScanner(bytes.NewReader(out))
	found := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], "BenchmarkReadAtChild") {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			b.ReportMetric(v, f[i+1])
		}
		found = true
	}
	if !found {
		b.Fatalf("child printed no result:\n%s", out)
	}
}

// BenchmarkReadAtChild is one case of BenchmarkReadAt, in a process that
// BenchmarkReadAt started.
func BenchmarkReadAtChild(b *testing.B) {
	conf := os.Getenv(benchChildEnv)
	if conf == "" {
		b.Skip("run by BenchmarkReadAt in a process of its own")
	}
	parts := strings.Split(conf, ",")
	path, storage, impl := parts[0], parts[1], parts[2]
	g, _ := strconv.Atoi(parts[3])
	oflag := os.O_RDONLY
	if storage == "direct" {
		oflag |= syscall.O_DIRECT
	}
	f, err := os.OpenFile(path, oflag, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	blocks := st.Size() / 4096

	var read func(p []byte, off int64) (int, error)
	switch impl {
	case "os":
		read = f.ReadAt
	case "aionl", "aionl-noinline":
		c, err := Open(&Options{NoInline: impl == "aionl-noinline"})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		af, err := c.Register(f)
		if err != nil {
			b.Fatal(err)
		}
		defer af.Close()
		read = af.ReadAt
	}

	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			p := alignedBlock()
			for next.Add(1) <= int64(b.N) {
				if n, err := read(p, r.Int63n(blocks)*4096); n != len(p) || err != nil {
					b.Errorf("ReadAt = %d, %v", n, err)
					return
				}
			}
		}(int64(i))
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reads/s")
	// The Go runtime never ends its threads: the count now is the peak.
	b.ReportMetric(float64(osThreads(b)), "threads")
}

// alignedBlock is 4 KiB of Go memory aligned for O_DIRECT, which os.File
// needs; aionl copies through aligned C memory anyway.
func alignedBlock() []byte {
	raw := make([]byte, 8192)
	off := int((4096 - uintptr(unsafe.Pointer(&raw[0]))%4096) % 4096)
	return raw[off : off+4096]
}

// benchFile makes (once) the file the benchmark reads.
func benchFile(b *testing.B) string {
	size := int64(1 << 30)
	if s := os.Getenv("AIONL_BENCH_SIZE"); s != "" {
		mult := int64(1)
		switch s[len(s)-1] {
		case 'K', 'k':
			mult, s = 1<<10, s[:len(s)-1]
		case 'M', 'm':
			mult, s = 1<<20, s[:len(s)-1]
		case 'G', 'g':
			mult, s = 1<<30, s[:len(s)-1]
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n*mult < 4096 {
			b.Fatalf("AIONL_BENCH_SIZE=%s: want a size of at least 4K", os.Getenv("AIONL_BENCH_SIZE"))
		}
		size = n * mult / 4096 * 4096
	}
	dir := os.Getenv("AIONL_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("aionl-go-bench-%d.dat", size))
	if st, err := os.Stat(path); err == nil && st.Size() == size {
		return path
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	r := rand.New(rand.NewSource(1))
	for done := int64(0); done < size; done += int64(len(buf)) {
		r.Read(buf)
		n := int64(len(buf))
		if size-done < n {
			n = size - done
		}
		if _, err := f.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

// warm reads the file once, so that the page cache holds it.
func warm(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		if n == 0 || err != nil {
			return
		}
	}
}
