package sandbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Main is the appxchange-sandbox command: it serves until ctx is done, then
// stops cleanly, and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("appxchange-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8089", "address to listen on; port 0 picks a free port")
	data := fs.String("data", ".sandbox/appxchange.db", "SQLite database file; :memory: keeps nothing")
	database := fs.String("database", "", "PostgreSQL database shared with other replicas, instead of -data: postgres://USER@HOST:PORT/DB?sslmode=disable or a key=value DSN")
	seedPath := fs.String("seed", "", "JSON seed file (accounts, tokens, serviceAccounts, connectors); default: the built-in seed")
	faultRate := fs.Float64("faults", 0, "fraction 0..1 of /management/v1 requests answered with a transient fault")
	faultSeed := fs.Uint64("fault-seed", 0, "seed of the fault sequence, for repeatable runs; 0 picks one")
	latency := fs.Duration("latency", 0, "latency added to every API request, such as 50ms: half before it is handled, half before its answer leaves")
	rateLimit := fs.Float64("rate-limit", 0, "requests per second per account; 0 is unlimited")
	rateLimitHeaders := fs.Bool("rate-limit-headers", true, "announce the rate limit in RateLimit-* headers; false makes an API that only answers 429 with Retry-After")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "lifetime of tokens issued at /oauth/token")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "time a client has to send a request, its body included; -latency is added to it")
	idleTimeout := fs.Duration("idle-timeout", time.Minute, "time a keep-alive connection may wait for its next request before it is closed")
	writeTimeout := fs.Duration("write-timeout", time.Minute, "time to handle a request and send its answer; -latency is added to it")
	maxConnections := fs.Int("max-connections", 512, "open connections served at once; more wait until one closes")
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR prefixes of the proxies in front (such as 127.0.0.1 for a reverse proxy on this host), whose X-Forwarded-For names the client")
	shutdownGrace := fs.Duration("shutdown-grace", 3*time.Second, "time that requests in progress get to finish on SIGTERM or interrupt before their connections are closed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "appxchange-sandbox: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *tokenTTL < time.Second {
		fmt.Fprintln(stderr, "appxchange-sandbox: -token-ttl must be at least 1s")
		return 2
	}
	for name, d := range map[string]time.Duration{"-read-timeout": *readTimeout, "-idle-timeout": *idleTimeout, "-write-timeout": *writeTimeout, "-shutdown-grace": *shutdownGrace} {
		if d <= 0 {
			fmt.Fprintf(stderr, "appxchange-sandbox: %s must be more than 0, such as 30s, not %v\n", name, d)
			return 2
		}
	}
	if *maxConnections < 1 {
		fmt.Fprintf(stderr, "appxchange-sandbox: -max-connections must be at least 1, not %d\n", *maxConnections)
		return 2
	}
	proxies, err := parsePrefixes(*trustedProxies)
	if err != nil {
		fmt.Fprintf(stderr, "appxchange-sandbox: -trusted-proxies: %v\n", err)
		return 2
	}
	dataPath := *data
	if *database != "" {
		if flagSet(fs, "data") {
			fmt.Fprintln(stderr, "appxchange-sandbox: -data and -database are exclusive: a sandbox keeps its data in SQLite or in PostgreSQL")
			return 2
		}
		dataPath = ""
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := Config{DataPath: dataPath, DatabaseURL: *database, FaultRate: *faultRate, FaultSeed: *faultSeed, Latency: *latency, RateLimit: *rateLimit, HideRateLimit: !*rateLimitHeaders, TokenTTL: *tokenTTL, TrustedProxies: proxies, Logger: logger}
	if *seedPath != "" {
		seed, err := LoadSeed(*seedPath)
		if err != nil {
			fmt.Fprintf(stderr, "appxchange-sandbox: %v\n", err)
			return 1
		}
		cfg.Seed = seed
	}
	srv, err := New(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "appxchange-sandbox: %v\n", err)
		return 1
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "appxchange-sandbox: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "appxchange sandbox listening on http://%s\n", ln.Addr())
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: min(readHeaderTimeout, *readTimeout),
		ReadTimeout:       *readTimeout + *latency,
		WriteTimeout:      *writeTimeout + *latency,
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(limitListener(ln, *maxConnections)) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "appxchange-sandbox: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("stopping")
	return stop(httpServer, *shutdownGrace, logger, stderr)
}

// Limits of every request: the request line and headers together, and the time to
// send them. A request beyond maxHeaderBytes is answered 431 by net/http.
const (
	maxHeaderBytes    = 64 << 10
	readHeaderTimeout = 10 * time.Second
)

// stop lets the requests in progress finish for grace, then closes the connections
// that are left: a client that stalls its upload must not hold the process, and
// stopping it is not the server's failure, so the exit code is still 0.
func stop(httpServer *http.Server, grace time.Duration, logger *slog.Logger, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := httpServer.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("closing the connections still open after the shutdown grace", "grace", grace.String())
		err = httpServer.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "appxchange-sandbox: stopping: %v\n", err)
		return 1
	}
	return 0
}

// limitListener serves at most n connections at once: Accept waits until one of
// them closes, so that more wait in the kernel's backlog instead of each holding a
// goroutine and its buffers.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

// Close also ends an Accept that waits for a slot.
func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// slotConn gives its listener's slot back when it is closed, once.
type slotConn struct {
	net.Conn
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// flagSet tells whether the command line gave the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
