package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// replica is a running appxchange-sandbox process.
type replica struct {
	addr    string
	cmd     *exec.Cmd
	logPath string
	first   *firstLine
	done    chan struct{} // closed when the process has exited
	url     string        // where it listens, once waitListening has returned
}

// startReplica starts the sandbox on addr and databaseURL, its stdout and stderr
// going to logPath, which holds this run's only; exited hears how it ends.
func startReplica(bin, addr, databaseURL, logPath string, exited chan<- error) (*replica, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("the log of the replica on %s: %w", addr, err)
	}
	r := &replica{addr: addr, logPath: logPath, first: newFirstLine(log), done: make(chan struct{})}
	r.cmd = exec.Command(bin, "-listen", addr, "-database", databaseURL)
	r.cmd.Stdout = r.first
	r.cmd.Stderr = log
	if err := r.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s (make sandbox-pg builds it): %w", bin, err)
	}
	go func() {
		_ = r.cmd.Wait() // how it ended is in cmd.ProcessState
		log.Close()
		close(r.done)
		exited <- fmt.Errorf("the replica on %s: %s; its log %s:\n%s", addr, r.cmd.ProcessState, logPath, logExcerpt(logPath))
	}()
	return r, nil
}

// waitListening waits for the replica's first line, which says where it listens.
func (r *replica) waitListening(ctx context.Context) error {
	select {
	case line := <-r.first.line:
		url, ok := strings.CutPrefix(line, listeningPrefix)
		if !ok {
			return fmt.Errorf("the replica on %s wrote %q, not %q and its address; see %s", r.addr, line, listeningPrefix, r.logPath)
		}
		r.url = url
		return nil
	case <-r.done:
		return fmt.Errorf("the replica on %s did not start (%s); its log %s:\n%s", r.addr, r.cmd.ProcessState, r.logPath, logExcerpt(r.logPath))
	case <-time.After(replicaStartTimeout):
		return fmt.Errorf("the replica on %s did not say where it listens within %s; see %s", r.addr, replicaStartTimeout, r.logPath)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop asks the replica to stop, as Ctrl-C does, and kills it if it takes too long.
func (r *replica) stop() error {
	select {
	case <-r.done:
		return nil
	default:
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping the replica on %s: %w", r.addr, err)
	}
	select {
	case <-r.done:
		return nil
	case <-time.After(replicaStopTimeout):
		_ = r.cmd.Process.Kill() // it may have exited meanwhile: done says when it has
		<-r.done
		return fmt.Errorf("the replica on %s did not stop within %s and was killed", r.addr, replicaStopTimeout)
	}
}

// firstLine passes a replica's stdout on to its log and hands over its first
// line. exec.Cmd writes to it from one goroutine.
type firstLine struct {
	w    io.Writer
	buf  []byte      // the first line so far
	sent bool        // the first line has been handed over
	line chan string // receives the first line, once
}

func newFirstLine(w io.Writer) *firstLine {
	return &firstLine{w: w, line: make(chan string, 1)}
}

func (f *firstLine) Write(p []byte) (int, error) {
	if !f.sent {
		f.buf = append(f.buf, p...)
		if line, _, found := bytes.Cut(f.buf, []byte("\n")); found {
			f.line <- string(line)
			f.sent, f.buf = true, nil
		}
	}
	return f.w.Write(p)
}

// excerptLines bounds what an error shows of a replica's log.
const excerptLines = 30

// logExcerpt is a replica's log for the error that says why it stopped: the
// whole of a short one, else its start (a flag's error, above the usage) and end.
func logExcerpt(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > excerptLines {
		lines = slices.Concat(lines[:5], []string{"..."}, lines[len(lines)-excerptLines+6:])
	}
	return "    " + strings.Join(lines, "\n    ")
}
