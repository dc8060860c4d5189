package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The benchmark measures a plugin's peak memory by standing in for it: the CLI finds
// the benchmark's own executable under the plugin's name (a dev_overrides directory
// of symbolic links), and that executable, seeing these variables, runs the real
// plugin as its child, passes everything through, and records the child's peak RSS.
const (
	// PluginDirEnv names the directory that holds the real plugin binaries.
	PluginDirEnv = "APPXCHANGE_BENCH_PLUGIN_DIR"
	// PeakRSSEnv names the file that each plugin process's peak RSS is appended to.
	PeakRSSEnv = "APPXCHANGE_BENCH_PEAK_RSS_FILE"
)

// StandsInForPlugin reports whether this process was started by the CLI in a
// plugin's place.
func StandsInForPlugin() bool {
	return os.Getenv(PluginDirEnv) != "" && strings.HasPrefix(filepath.Base(os.Args[0]), "terraform-provider-")
}

// ServePlugin runs the plugin that this process stands in for, with the same
// arguments, environment and standard streams, forwards interrupts to it, appends its
// peak RSS in bytes to the file named by PeakRSSEnv, and returns its exit status.
func ServePlugin() int {
	binary := filepath.Join(os.Getenv(PluginDirEnv), filepath.Base(os.Args[0]))
	cmd := exec.Command(binary, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: starting %s: %v\n", binary, err)
		return 1
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	// One line per process, 0 where the peak is not measured, so processes are counted.
	if werr := appendPeakRSS(os.Getenv(PeakRSSEnv), peakRSS(cmd.ProcessState)); werr != nil {
		fmt.Fprintf(os.Stderr, "bench: recording the peak RSS: %v\n", werr)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

func appendPeakRSS(file string, rss int64) error {
	if file == "" {
		return nil
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, rss)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readPeakRSS returns the peak RSS of each plugin process recorded in file.
func readPeakRSS(file string) ([]int64, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []int64
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		v, err := strconv.ParseInt(strings.TrimSpace(lines.Text()), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out = append(out, v)
	}
	return out, lines.Err()
}
