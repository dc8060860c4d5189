package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMemoryStaysBoundedUnderHostileRequests runs the sandbox command as its own
// process and sends it what a hostile client would: huge methods, tokens and paths,
// and many distinct ones just under the header limit. The process's peak memory,
// its stats and its log must stay small. It reads the peak from /proc, so it is
// Linux only.
func TestMemoryStaysBoundedUnderHostileRequests(t *testing.T) {
	const (
		maxPeakRSS   = 100 << 20
		maxStatsBody = 16 << 10
		maxLog       = 4 << 20
		huge         = 1 << 20
		large        = 60 << 10
		each         = 300
	)
	dir := t.TempDir()
	bin := filepath.Join(dir, "appxchange-sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/appxchange-sandbox").CombinedOutput(); err != nil {
		t.Fatalf("building the sandbox: %v\n%s", err, out)
	}
	logPath := filepath.Join(dir, "sandbox.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// A rate limit, so that its buckets are in play too.
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-data", ":memory:", "-rate-limit", "1000")
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the sandbox printed no first line: %v", err)
	}
	addr := strings.TrimPrefix(strings.TrimSpace(line), "appxchange sandbox listening on http://")

	request := func(method, path, token string) string {
		return method + " " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n"
	}
	// Made one at a time: all of them at once would hold 900 MB in the test.
	requests := func(yield func(string) bool) {
		for i := range each {
			n := strconv.Itoa(i)
			for _, raw := range []string{
				request(strings.Repeat("M", huge-len(n))+n, "/management/v1/me", acme),
				request("GET", "/management/v1/me", strings.Repeat("t", huge-len(n))+n),
				request("GET", "/management/v1/"+strings.Repeat("p", huge-len(n))+n, acme),
				request("GET", "/management/v1/me", strings.Repeat("t", large-len(n))+n),
				request(strings.Repeat("M", large-len(n))+n, "/management/v1/me", acme),
			} {
				if !yield(raw) {
					return
				}
			}
		}
	}
	sendAll(t, addr, requests, 8)

	peak := peakRSS(t, cmd.Process.Pid)
	resp, err := http.Get("http://" + addr + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("stats %.200s: %v", body, err)
	}
	logInfo, err := os.Stat(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("peak RSS %d MB, stats %d bytes (%d requests counted), log %d bytes", peak>>20, len(body), st.Total, logInfo.Size())
	if peak > maxPeakRSS {
		t.Errorf("peak RSS %d MB, want under %d MB", peak>>20, maxPeakRSS>>20)
	}
	if len(body) > maxStatsBody {
		t.Errorf("/_sandbox/stats answered %d bytes, want under %d", len(body), maxStatsBody)
	}
	if logInfo.Size() > maxLog {
		t.Errorf("the log holds %d bytes, want under %d", logInfo.Size(), maxLog)
	}
}

// sendAll sends each raw request on a connection of its own, workers at a time, and
// reads the answer's head. The server may answer 431, 429 or 401, or close the
// connection while the request is still being written: all is fine. The client
// closes first, as the server lingers after a 431 for the rest of the request.
func sendAll(t *testing.T, addr string, requests iter.Seq[string], workers int) {
	t.Helper()
	next := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for raw := range next {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					continue
				}
				// Only keeps a broken server from hanging the test.
				_ = conn.SetDeadline(time.Now().Add(time.Minute))
				go func() { _, _ = io.WriteString(conn, raw) }()
				if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
					resp.Body.Close()
				}
				conn.Close()
			}
		})
	}
	for raw := range requests {
		next <- raw
	}
	close(next)
	wg.Wait()
}

// peakRSS reads the peak resident memory of process pid (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB$`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return kb << 10
}
