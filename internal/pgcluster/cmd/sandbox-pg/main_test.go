package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// envFakeReplica makes the test binary a stand-in for appxchange-sandbox:
// "serve" serves, "old" fails as a sandbox without -database does.
const envFakeReplica = "SANDBOX_PG_TEST_REPLICA"

func TestMain(m *testing.M) {
	if mode := os.Getenv(envFakeReplica); mode != "" {
		os.Exit(fakeReplica(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeReplica takes the sandbox's flags, reads the database's name through
// -database, says where it listens as the sandbox does, answers every request
// with that name, and stops on SIGTERM.
func fakeReplica(mode string, args []string) int {
	if mode == "old" {
		fmt.Fprintln(os.Stderr, "flag provided but not defined: -database")
		fmt.Fprintln(os.Stderr, "Usage of appxchange-sandbox:")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("fake", flag.ContinueOnError)
	listen := fs.String("listen", "", "")
	database := fs.String("database", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	conn, err := pgx.Connect(ctx, *database)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var name string
	err = conn.QueryRow(ctx, "SELECT current_database()").Scan(&name)
	conn.Close(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%shttp://%s\n", listeningPrefix, ln.Addr())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, name) })}
	// Serve returns http.ErrServerClosed at Close.
	go func() { _ = srv.Serve(ln) }()
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "stopping on SIGTERM")
	srv.Close()
	return 0
}

func TestReplicasShareOneDatabaseUntilStopped(t *testing.T) {
	t.Setenv(envFakeReplica, "serve")
	dir := filepath.Join(reachableTempDir(t), "pg")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, lines := pipeLines()
	var stderr strings.Builder
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"-dir", dir, "-sandbox", os.Args[0], "-listen", "127.0.0.1:0,127.0.0.1:0"}, out, &stderr)
		out.Close()
	}()
	// Whatever fails, the cluster stops before its directory is removed.
	t.Cleanup(func() {
		cancel()
		for range lines {
		}
	})

	// The how-to names each replica, which answers from the database appxchange.
	var replicaURLs []string
	for line := range lines {
		if url, ok := strings.CutPrefix(line, "sandbox-pg: replica "); ok {
			_, url, _ = strings.Cut(url, " at ")
			url, _, _ = strings.Cut(url, " ")
			replicaURLs = append(replicaURLs, url)
		}
		if strings.Contains(line, "Ctrl-C stops") {
			break
		}
	}
	if len(replicaURLs) != 2 {
		t.Fatalf("the how-to names %d replicas, want 2 (stderr: %s)", len(replicaURLs), stderr.String())
	}
	for _, url := range replicaURLs {
		if got := get(t, url); got != database {
			t.Errorf("the replica at %s uses the database %q, want %q", url, got, database)
		}
	}

	// Ctrl-C stops the replicas and the cluster, and keeps its directory.
	cancel()
	for range lines {
	}
	if c := <-code; c != 0 {
		t.Fatalf("sandbox-pg exited with %d: %s", c, stderr.String())
	}
	for _, url := range replicaURLs {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			t.Errorf("the replica at %s still answers", url)
		}
	}
	for i := range 2 {
		log, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("replica-%d.log", i+1)))
		if err != nil || !strings.Contains(string(log), "stopping on SIGTERM") {
			t.Errorf("replica %d was not stopped by SIGTERM: its log %q, %v", i+1, log, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Errorf("the cluster was not kept: %v", err)
	}
	if pid, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
		t.Errorf("the server still runs: postmaster.pid holds %q", pid)
	}
}

func TestReplicaThatFailsToStart(t *testing.T) {
	t.Setenv(envFakeReplica, "old")
	dir := filepath.Join(reachableTempDir(t), "pg")
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"-dir", dir, "-sandbox", os.Args[0], "-listen", "127.0.0.1:0"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"the replica on 127.0.0.1:0 did not start", "flag provided but not defined: -database"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "PostgreSQL stopped") {
		t.Errorf("the cluster was not stopped: stdout %q", stdout.String())
	}
}

func TestFirstLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		want   string
	}{
		{"one write", []string{"listening on x\nmore\n"}, "listening on x"},
		{"split across writes", []string{"listen", "ing on x", "\nmore\n"}, "listening on x"},
		{"the first line only", []string{"a\n", "b\n"}, "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log strings.Builder
			f := newFirstLine(&log)
			for _, w := range tc.writes {
				if _, err := f.Write([]byte(w)); err != nil {
					t.Fatal(err)
				}
			}
			if got := <-f.line; got != tc.want {
				t.Errorf("first line %q, want %q", got, tc.want)
			}
			if got, want := log.String(), strings.Join(tc.writes, ""); got != want {
				t.Errorf("the log holds %q, want %q", got, want)
			}
		})
	}
}

// pipeLines is a writer for run's stdout and the lines written to it; the
// channel closes when the writer is closed.
func pipeLines() (io.WriteCloser, <-chan string) {
	r, w := io.Pipe()
	lines := make(chan string)
	go func() {
		defer close(lines)
		s := bufio.NewScanner(r)
		for s.Scan() {
			lines <- s.Text()
		}
	}()
	return w, lines
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reachableTempDir is a test's temporary directory that the user postgres can
// enter, as a root process's server runs as that user; t.TempDir is root's alone.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
