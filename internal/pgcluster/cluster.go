// Package pgcluster starts a PostgreSQL cluster of its own from the server's
// binaries (Debian's package postgresql; scripts/postgres.sh finds or installs
// it): one per test binary of the sandbox's PostgreSQL store, and the one that
// make sandbox-pg keeps in .sandbox/pg. It listens on loopback TCP and on a unix
// socket in its directory, trusts every local connection, and is stopped, never
// left for the system to manage.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrDatabaseExists is the error of CreateDatabase for a name the cluster has.
var ErrDatabaseExists = errors.New("the database exists already")

// Options says where a cluster lives and how safely it writes.
type Options struct {
	// Dir keeps the cluster: created when missing, reused when it holds one, and
	// left in place by Stop. Empty: a new temporary directory, removed by Stop.
	Dir string
	// Fsync makes the server flush its writes to disk. Off by default: a test's
	// cluster dies with the test, and flushing only makes it slower.
	Fsync bool
}

// Cluster is a running PostgreSQL server whose user postgres needs no password.
type Cluster struct {
	bin   string // the directory of initdb, pg_ctl and postgres
	dir   string // absolute: the socket, the log, and the data directory "data"
	temp  bool   // Stop removes dir
	port  int
	owner owner
}

// owner is the user that initdb, pg_ctl and the server run as.
type owner struct {
	attr     *syscall.SysProcAttr // nil: this process's own user
	uid, gid int
}

// own gives path to the owner, so that the server may write in it.
func (o owner) own(path string) error {
	if o.attr == nil {
		return nil
	}
	return os.Chown(path, o.uid, o.gid)
}

// startAttempts bounds the starts on a port that another process took between
// the moment it was found free and the server's bind.
const startAttempts = 3

// Start makes the cluster (initdb, unless opts.Dir holds one), starts its server
// on a free loopback port and returns once it accepts connections. The error of
// a failed start holds the tail of the server's log.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	return start(ctx, opts, freePort)
}

// start is Start with the source of free ports, which a test makes lie.
func start(ctx context.Context, opts Options, ports func() (int, error)) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	o, err := serverOwner()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, owner: o}
	if err := c.makeDir(opts.Dir); err != nil {
		return nil, err
	}
	if err := c.start(ctx, opts, ports); err != nil {
		if c.temp {
			os.RemoveAll(c.dir)
		}
		return nil, err
	}
	return c, nil
}

// makeDir creates the cluster's directory, or takes opts.Dir as it is, and hands
// it to the server's user.
func (c *Cluster) makeDir(keep string) error {
	var err error
	if keep == "" {
		c.dir, err = os.MkdirTemp("", "pgcluster-")
		c.temp = true
	} else if c.dir, err = filepath.Abs(keep); err == nil {
		err = os.MkdirAll(c.dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("pgcluster: making the cluster's directory: %w", err)
	}
	if err := c.owner.own(c.dir); err != nil {
		if c.temp {
			os.RemoveAll(c.dir)
		}
		return fmt.Errorf("pgcluster: giving %s to the user postgres, whom the server runs as: %w", c.dir, err)
	}
	return nil
}

// start runs initdb when the data directory is new, then the server, on another
// free port when the one it was given has been taken meanwhile.
func (c *Cluster) start(ctx context.Context, opts Options, ports func() (int, error)) error {
	if _, err := os.Stat(c.dataDir() + "/PG_VERSION"); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, opts.Fsync); err != nil {
			return err
		}
	}
	var err error
	for range startAttempts {
		if c.port, err = ports(); err != nil {
			return err
		}
		var logLines string
		if logLines, err = c.startServer(ctx, opts.Fsync); err == nil {
			if err := c.ping(ctx); err != nil {
				return errors.Join(err, c.stopServer())
			}
			return nil
		}
		if !strings.Contains(logLines, "Address already in use") {
			return err
		}
	}
	return err
}

// initdb makes the data directory: trust for every local connection, so that
// tests need no password, and the C locale, so that no locale need be installed.
func (c *Cluster) initdb(ctx context.Context, fsync bool) error {
	args := []string{"-D", c.dataDir(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"}
	if !fsync {
		args = append(args, "--no-sync")
	}
	if out, err := c.command(ctx, "initdb", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pgcluster: initdb %s failed (%w):\n%s", c.dataDir(), err, tail(out))
	}
	return nil
}

// startServer starts the server on c.port with pg_ctl, which waits until it
// accepts connections. On failure it returns what the server logged meanwhile.
func (c *Cluster) startServer(ctx context.Context, fsync bool) (string, error) {
	logFile := c.LogFile()
	var logFrom int64
	if fi, err := os.Stat(logFile); err == nil {
		logFrom = fi.Size()
	}
	// pg_ctl runs the server through /bin/sh: the directory is quoted for it.
	serverArgs := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200 -c fsync=%t -c full_page_writes=%t",
		c.port, shellQuote(c.dir), fsync, fsync)
	out, err := c.command(ctx, "pg_ctl", "start", "-D", c.dataDir(), "-l", logFile, "-w", "-t", "60", "-s", "-o", serverArgs).CombinedOutput()
	if err == nil {
		return "", nil
	}
	logged := readFrom(logFile, logFrom)
	return string(logged), fmt.Errorf("pgcluster: the server did not start (pg_ctl: %w: %s); the end of its log %s:\n%s",
		err, strings.TrimSpace(string(out)), logFile, tail(logged))
}

// ping proves that the server answers on its TCP port, as its users will reach it.
func (c *Cluster) ping(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: the server started but does not accept connections at %s: %w; see its log %s", c.URL("postgres"), err, c.LogFile())
	}
	return conn.Close(ctx)
}

// URL is the address of the database dbname, as the pgx driver and psql take it.
func (c *Cluster) URL(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, dbname)
}

// LogFile is the server's log.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, "postgres.log") }

// Dir is the cluster's directory.
func (c *Cluster) Dir() string { return c.dir }

// CreateDatabase creates the database name, or fails with ErrDatabaseExists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: creating the database %q: %w", name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return fmt.Errorf("pgcluster: creating the database %q: %w", name, ErrDatabaseExists)
	}
	if err != nil {
		return fmt.Errorf("pgcluster: creating the database %q: %w", name, err)
	}
	return nil
}

// Stop stops the server (its connections are closed, their transactions rolled
// back) and removes the cluster's directory unless it was Options.Dir.
func (c *Cluster) Stop() error {
	err := c.stopServer()
	if c.temp {
		// A server that failed to stop exits once its lock file is gone.
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	return err
}

// stopServer stops the server the fast way: its connections are closed.
func (c *Cluster) stopServer() error {
	out, err := c.command(context.Background(), "pg_ctl", "stop", "-D", c.dataDir(), "-m", "fast", "-w", "-t", "60", "-s").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: stopping the server of %s (%w): %s", c.dir, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// command runs one of the server's programs as the cluster's owner, in the
// cluster's directory: root's working directory may be closed to that user.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = c.owner.attr
	return cmd
}

// freePort is a loopback port that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: finding a free port: %w", err)
	}
	defer l.Close()
	addr, err := netip.ParseAddrPort(l.Addr().String())
	if err != nil {
		return 0, fmt.Errorf("pgcluster: finding a free port: %w", err)
	}
	return int(addr.Port()), nil
}

// shellQuote makes s one word of /bin/sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readFrom is what a file holds from offset on; nothing when it cannot be read.
func readFrom(path string, offset int64) []byte {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return nil
	}
	return b[offset:]
}

// tailLines is how much of a log an error shows: enough for the server's
// FATAL line and what led to it.
const tailLines = 20

// tail is the last lines of out, indented to stand apart from the error's text.
func tail(out []byte) string {
	if len(bytes.TrimSpace(out)) == 0 {
		return "    (nothing)"
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return "    " + strings.Join(lines, "\n    ")
}
