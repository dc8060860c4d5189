package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// sandbox is the sandbox's own process, on a free loopback port with its database
// in a file, as a user's API would be: out of the CLI's and the provider's way.
type sandbox struct {
	url  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	done chan error
}

const listeningPrefix = "appxchange sandbox listening on "

// startSandbox starts the sandbox on a free loopback port with its database in
// dataPath and its log in logPath; flags are added to its command line (-rate-limit).
func startSandbox(binary, dataPath, logPath string, flags ...string) (*sandbox, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, append([]string{"-listen", "127.0.0.1:0", "-data", dataPath}, flags...)...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	sb := &sandbox{cmd: cmd, done: make(chan error, 1)}
	lines := bufio.NewScanner(stdout)
	first := make(chan string, 1)
	go func() {
		if lines.Scan() {
			first <- lines.Text()
		}
		close(first)
		for lines.Scan() { // keep the pipe drained
		}
		sb.done <- cmd.Wait()
		logFile.Close()
	}()
	select {
	case line, ok := <-first:
		if !ok || !strings.HasPrefix(line, listeningPrefix) {
			_ = sb.stop() // it failed already
			return nil, fmt.Errorf("the sandbox did not start (first line %q); see %s", line, logPath)
		}
		sb.url = strings.TrimPrefix(line, listeningPrefix)
	case <-time.After(30 * time.Second):
		_ = sb.stop() // it failed already
		return nil, fmt.Errorf("the sandbox did not start within 30s; see %s", logPath)
	}
	return sb, nil
}

// stop ends the sandbox with SIGTERM, as a user would, and returns how it exited.
func (sb *sandbox) stop() error {
	if err := sb.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = sb.cmd.Process.Kill()
	}
	select {
	case err := <-sb.done:
		return err
	case <-time.After(10 * time.Second):
		_ = sb.cmd.Process.Kill()
		return <-sb.done
	}
}

// stats is the body of GET /_sandbox/stats.
type stats struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
	Faults   int            `json:"faults"`
	// RateLimited is how many requests the rate limit refused (429s that are not
	// faults); 0 from a sandbox that does not report it.
	RateLimited int `json:"rateLimited"`
}

func (sb *sandbox) stats(ctx context.Context) (stats, error) {
	var s stats
	err := sb.call(ctx, http.MethodGet, "/_sandbox/stats", &s)
	return s, err
}

func (sb *sandbox) resetStats(ctx context.Context) error {
	return sb.call(ctx, http.MethodPost, "/_sandbox/stats/reset", nil)
}

func (sb *sandbox) call(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, sb.url+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
