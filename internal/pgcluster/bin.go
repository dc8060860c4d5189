package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// EnvBin names the directory of PostgreSQL's server binaries, as
// scripts/postgres.sh prints it; scripts/test.sh exports it to the tests.
const EnvBin = "APPXCHANGE_PG_BIN"

// fixBin is what to do when no server binaries are found.
const fixBin = "run scripts/postgres.sh (as root it installs Debian's package postgresql when missing) and set " +
	EnvBin + " to the directory it prints"

// serverPrograms are what a cluster is made and run with.
var serverPrograms = []string{"initdb", "pg_ctl", "postgres"}

// findBin is the directory of the server binaries: $APPXCHANGE_PG_BIN, else
// the search of scripts/postgres.sh, which alone installs anything.
func findBin() (string, error) {
	if dir := os.Getenv(EnvBin); dir != "" {
		if err := hasServer(dir); err != nil {
			return "", fmt.Errorf("pgcluster: %s=%s: %w: %s", EnvBin, dir, err, fixBin)
		}
		return dir, nil
	}
	for _, dir := range candidateBins() {
		if hasServer(dir) == nil {
			return dir, nil
		}
	}
	return "", errors.New("pgcluster: no PostgreSQL server (initdb, pg_ctl, postgres) in `pg_config --bindir`, /usr/lib/postgresql/*/bin or PATH: " + fixBin)
}

// candidateBins are the directories to search, in order: pg_config's answer
// (Debian's pg_config comes with libpq-dev too, without the server, so it is
// only a candidate), Debian's versions newest first, then initdb's on PATH.
func candidateBins() []string {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs = append(dirs, newestFirst(debian)...)
	if exe, err := exec.LookPath("initdb"); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Dir(resolved))
		}
	}
	return dirs
}

// newestFirst orders Debian's /usr/lib/postgresql/VERSION/bin directories by
// VERSION, newest first: 16 before 15 before 9.6.
func newestFirst(dirs []string) []string {
	version := func(dir string) []int {
		var v []int
		for part := range strings.SplitSeq(filepath.Base(filepath.Dir(dir)), ".") {
			n, _ := strconv.Atoi(part)
			v = append(v, n)
		}
		return v
	}
	sorted := slices.Clone(dirs)
	slices.SortStableFunc(sorted, func(a, b string) int { return slices.Compare(version(b), version(a)) })
	return sorted
}

// hasServer says which server program dir lacks, if any.
func hasServer(dir string) error {
	for _, name := range serverPrograms {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("no executable %s there", name)
		}
	}
	return nil
}
