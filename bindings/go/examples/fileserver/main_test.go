// SPDX-License-Identifier: MIT

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

const runEnv = "AIONL_FILESERVER_RUN"

// The test binary is the server too: run with runEnv set, it is main.
func TestMain(m *testing.M) {
	if os.Getenv(runEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Start the server as a process of its own, fetch whole and partial
// content with net/http, check every byte, and stop it with SIGINT.
func TestServeRanges(t *testing.T) {
	const size = 3<<20 + 123
	data := make([]byte, size)
	rand.New(rand.NewSource(1)).Read(data)
	path := filepath.Join(t.TempDir(), "blob.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", path)
	cmd.Env = append(os.Environ(), runEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v (stderr: %s)", err, stderr.String())
	}
	t.Logf("server: %s", strings.TrimSpace(line))
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("banner without an address: %q", line)
	}
	base := strings.TrimSpace(line[i:])

	get := func(path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+strings.TrimPrefix(path, "/"), nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	// The whole file, by either name.
	for _, p := range []string{"/", "/blob.bin"} {
		resp, body := get(p, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) || resp.Header.Get("Accept-Ranges") != "bytes" {
			t.Fatalf("GET %s: %s, %d bytes, equal %v", p, resp.Status, len(body), bytes.Equal(body, data))
		}
	}
	if resp, _ := get("/other", nil); resp.StatusCode != 404 {
		t.Errorf("GET /other: %s", resp.Status)
	}

	// Single ranges.
	for _, r := range []struct {
		spec   string
		lo, hi int // the bytes expected, [lo, hi)
	}{
		{"bytes=0-0", 0, 1},
		{"bytes=100-4195", 100, 4196},
		{"bytes=1048570-2097160", 1048570, 2097161},
		{fmt.Sprintf("bytes=%d-", size-10), size - 10, size},
		{"bytes=-500", size - 500, size},
		{fmt.Sprintf("bytes=%d-%d", size-3, size+1000), size - 3, size},
	} {
		resp, body := get("/", map[string]string{"Range": r.spec})
		want := fmt.Sprintf("bytes %d-%d/%d", r.lo, r.hi-1, size)
		if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != want || !bytes.Equal(body, data[r.lo:r.hi]) {
			t.Errorf("Range %s: %s, Content-Range %q (want %q), %d bytes, equal %v", r.spec, resp.Status,
				resp.Header.Get("Content-Range"), want, len(body), bytes.Equal(body, data[r.lo:r.hi]))
		}
	}

	// Several ranges at once: multipart/byteranges.
	resp, body := get("/", map[string]string{"Range": "bytes=0-9,5000-5999,-7"})
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != 206 || err != nil || mt != "multipart/byteranges" {
		t.Fatalf("multi-range: %s, %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for _, r := range [][2]int{{0, 10}, {5000, 6000}, {size - 7, size}} {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("multi-range part: %v", err)
		}
		got, _ := io.ReadAll(part)
		if !bytes.Equal(got, data[r[0]:r[1]]) {
			t.Errorf("multi-range part %v: %d bytes, wrong", r, len(got))
		}
	}

	// A range past the end.
	if resp, _ := get("/", map[string]string{"Range": fmt.Sprintf("bytes=%d-", size+1)}); resp.StatusCode != 416 {
		t.Errorf("Range past the end: %s", resp.Status)
	}

	// Many clients at once.
	var wg sync.WaitGroup
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g)))
			for i := 0; i < 10; i++ {
				lo := r.Intn(size)
				n := size - lo
				if n > 256<<10 {
					n = 256 << 10
				}
				hi := lo + r.Intn(n)
				req, _ := http.NewRequest("GET", base, nil)
				req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", lo, hi))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 206 || !bytes.Equal(got, data[lo:hi+1]) {
					t.Errorf("Range %d-%d: %s, %d bytes, %v", lo, hi, resp.Status, len(got), err)
					return
				}
			}
		}(g)
	}
	wg.Wait()

	// SIGINT: a clean shutdown, exit status 0.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server after SIGINT: %v (stderr: %s)", err, stderr.String())
	}
	if !strings.Contains(string(rest), "shutting down") || !strings.Contains(string(rest), "stopped") {
		t.Errorf("server output after SIGINT: %q", rest)
	}
}
