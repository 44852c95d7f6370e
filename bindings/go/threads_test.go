// SPDX-License-Identifier: MIT

package aionl

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// osThreads is the process's OS thread count, as /proc/self/status says.
func osThreads(t testing.TB) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "Threads:") {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Threads:")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads: line in /proc/self/status")
	return 0
}

const threadsChildEnv = "AIONL_GO_THREADS_CHILD"

// 1,000 goroutines, each with a read outstanding that cannot complete yet
// (a stream read from an empty pipe), park in the netpoller: the process
// keeps fewer than GOMAXPROCS + 16 OS threads. The Go runtime never ends
// the threads it made, so the measure runs in a process of its own, where
// nothing else ran before.
func TestThreadsStayFew(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestThreadsChild$", "-test.v")
	cmd.Env = append(os.Environ(), threadsChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestThreadsChild")) {
		t.Fatalf("the child did not run the measure")
	}
}

func TestThreadsChild(t *testing.T) {
	if os.Getenv(threadsChildEnv) == "" {
		t.Skip("run by TestThreadsStayFew in a process of its own")
	}
	const n = 1000
	procs := runtime.GOMAXPROCS(0)
	c := openCtx(t, nil)
	t.Logf("%s+%s, GOMAXPROCS %d, %d threads at the start", c.Info().Backend, c.Info().Executor,
		procs, osThreads(t))

	// Registration waits in C for the engine's reply: one at a time.
	rs := make([]*File, n)
	ws := make([]*os.File, n)
	for i := range rs {
		rs[i], ws[i] = pipe(t, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range rs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := make([]byte, 1)
			m, err := rs[i].Read(p)
			if err == nil && (m != 1 || p[0] != byte(i)) {
				err = fmt.Errorf("pipe %d: read %d bytes, %d", i, m, p[0])
			}
			errs <- err
		}(i)
	}
	waitOutstanding(t, c, n)
	threads := osThreads(t)
	t.Logf("%d reads outstanding: %d OS threads (limit GOMAXPROCS + 16 = %d)", c.outstanding(), threads, procs+16)
	if threads >= procs+16 {
		t.Errorf("%d OS threads while %d goroutines wait for reads; want fewer than %d", threads, n, procs+16)
	}
	for i, w := range ws {
		if _, err := w.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	// The measure can see threads: goroutines blocked in read(2) on
	// blocking descriptors hold one each, besides the one running this
	// test and sysmon (idle threads made earlier may serve some).
	const blocked = 64
	before := osThreads(t)
	fds := make([][2]int, blocked)
	for i := range fds {
		if err := syscall.Pipe2(fds[i][:], syscall.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
	}
	var bw sync.WaitGroup
	for i := range fds {
		bw.Add(1)
		go func(fd int) {
			defer bw.Done()
			syscall.Read(fd, make([]byte, 1))
			syscall.Close(fd)
		}(fds[i][0])
	}
	seen := before
	for tries := 0; tries < 1000 && seen < blocked+2; tries++ {
		time.Sleep(10 * time.Millisecond)
		seen = osThreads(t)
	}
	t.Logf("%d goroutines blocked in read(2): %d OS threads (from %d)", blocked, seen, before)
	if seen < blocked+2 {
		t.Errorf("blocking reads did not show as threads: %d from %d", seen, before)
	}
	for i := range fds {
		syscall.Write(fds[i][1], []byte{1})
		syscall.Close(fds[i][1])
	}
	bw.Wait()
}
