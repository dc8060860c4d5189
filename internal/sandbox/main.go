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
	"time"
)

// Main is the appxchange-sandbox command: it serves until ctx is done, then
// stops cleanly, and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("appxchange-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8089", "address to listen on; port 0 picks a free port")
	data := fs.String("data", ".sandbox/appxchange.db", "SQLite database file; :memory: keeps nothing")
	seedPath := fs.String("seed", "", "JSON seed file (accounts, tokens, serviceAccounts, connectors); default: the built-in seed")
	faultRate := fs.Float64("faults", 0, "fraction 0..1 of /management/v1 requests answered with a transient fault")
	faultSeed := fs.Uint64("fault-seed", 0, "seed of the fault sequence, for repeatable runs; 0 picks one")
	latency := fs.Duration("latency", 0, "latency added to every API request, such as 50ms: half before it is handled, half before its answer leaves")
	rateLimit := fs.Float64("rate-limit", 0, "requests per second per token; 0 is unlimited")
	rateLimitHeaders := fs.Bool("rate-limit-headers", true, "announce the rate limit in RateLimit-* headers; false makes an API that only answers 429 with Retry-After")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "lifetime of tokens issued at /oauth/token")
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
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := Config{DataPath: *data, FaultRate: *faultRate, FaultSeed: *faultSeed, Latency: *latency, RateLimit: *rateLimit, HideRateLimit: !*rateLimitHeaders, TokenTTL: *tokenTTL, Logger: logger}
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
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "appxchange-sandbox: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "appxchange-sandbox: stopping: %v\n", err)
		return 1
	}
	return 0
}
