// Package sandbox is a local App Xchange management API: the REST contract of
// api/openapi.yaml served from a SQLite database, with the platform's rules,
// idempotent writes, optimistic concurrency, and injectable faults, latency and
// rate limits for testing clients against a misbehaving network. It also serves a
// read-only web console at / (console.go): what an account sees through the API,
// for a person to look at what Terraform did.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"
)

// Config is how a sandbox is started.
type Config struct {
	// DataPath is the SQLite file; ":memory:" keeps nothing.
	DataPath string
	// DatabaseURL, when set, is a PostgreSQL database that this server shares with
	// its replicas, instead of DataPath.
	DatabaseURL string
	// Seed is loaded into the database at start; objects already there are kept as they are.
	Seed *Seed
	// FaultRate is the fraction (0..1) of /management/v1 requests answered with a transient fault.
	FaultRate float64
	// FaultSeed makes the fault sequence repeatable; 0 picks one at random.
	FaultSeed uint64
	// Latency is added to every API request: half before it is handled, half
	// before its answer leaves, so a write can be committed and never answered.
	Latency time.Duration
	// RateLimit is the number of requests per second allowed per account; 0 is unlimited.
	RateLimit float64
	// HideRateLimit leaves out the RateLimit-* headers, as an API that answers only
	// 429 with Retry-After does.
	HideRateLimit bool
	// TrustedProxies are the proxies in front of the sandbox (TLS termination, a
	// load balancer) whose X-Forwarded-For names the client: the address that the
	// failed-authentication throttle and the loopback check go by.
	TrustedProxies []netip.Prefix
	// TokenTTL is the lifetime of tokens issued at /oauth/token; 0 means one hour.
	TokenTTL time.Duration
	// Logger receives one line per request (method, route, status, duration) and never a secret.
	Logger *slog.Logger
}

// Server is a sandbox bound to its database. It is safe for concurrent use.
type Server struct {
	cfg     Config
	store   *store
	log     *slog.Logger
	stats   *stats
	faults  *faults
	limiter *limiter
	handler http.Handler
	now     func() time.Time
	// sweptAt is when this process last deleted expired records (UnixNano).
	sweptAt atomic.Int64
}

// New opens the database, applies migrations and the seed, and returns a ready server.
func New(ctx context.Context, cfg Config) (*Server, error) {
	// Written so that NaN, which fails every comparison, fails them too.
	if !(cfg.FaultRate >= 0 && cfg.FaultRate <= 1) {
		return nil, fmt.Errorf("the fault rate (-faults) must be a number between 0 and 1, not %v", cfg.FaultRate)
	}
	if !(cfg.RateLimit >= 0 && cfg.RateLimit <= maxRateLimit) {
		return nil, fmt.Errorf("the rate limit (-rate-limit) must be a number of requests per second between 0 (unlimited) and %v, not %v", maxRateLimit, cfg.RateLimit)
	}
	if cfg.Latency < 0 {
		return nil, fmt.Errorf("the latency (-latency) must be 0 or more, such as 50ms, not %v", cfg.Latency)
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st, err := openConfigured(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		store:   st,
		log:     cfg.Logger,
		stats:   newStats(),
		faults:  newFaults(cfg.FaultRate, cfg.FaultSeed),
		limiter: newLimiter(cfg.RateLimit),
		now:     time.Now,
	}
	st.retried = s.stats.retried
	seed := cfg.Seed
	if seed == nil {
		if seed, err = BuiltinSeed(); err != nil {
			st.close()
			return nil, err
		}
	}
	if err := s.applySeed(ctx, seed); err != nil {
		st.close()
		return nil, fmt.Errorf("seeding: %w", err)
	}
	s.handler = s.routes()
	return s, nil
}

// openConfigured opens the PostgreSQL database of cfg, or else its SQLite file.
func openConfigured(ctx context.Context, cfg *Config) (*store, error) {
	if cfg.DatabaseURL != "" {
		if cfg.DataPath != "" {
			return nil, errors.New("a sandbox keeps its data in one place: give a database URL or a data path, not both")
		}
		st, err := openPostgres(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", redactURL(cfg.DatabaseURL), err)
		}
		return st, nil
	}
	if cfg.DataPath == "" {
		cfg.DataPath = ":memory:"
	}
	st, err := openStore(ctx, cfg.DataPath)
	if err != nil {
		return nil, fmt.Errorf("opening the database %s: %w", cfg.DataPath, err)
	}
	return st, nil
}

// redactURL is a database URL fit for a message: without its password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "(the -database DSN)"
	}
	return u.Redacted()
}

// Handler serves the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the database.
func (s *Server) Close() error { return s.store.close() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	guard := newFailures()
	api := func(h apiHandler) http.Handler { return s.api(guard, h) }
	mux.Handle("POST /oauth/token", s.throttled(guard, s.issueToken))
	mux.Handle("GET /management/v1/me", api(s.getMe))
	mux.Handle("GET /management/v1/connectors", api(s.listConnectors))
	mux.Handle("POST /management/v1/connectors", api(s.createConnector))
	mux.Handle("GET /management/v1/connectors/{id}", api(s.getConnector))
	mux.Handle("PATCH /management/v1/connectors/{id}", api(s.updateConnector))
	mux.Handle("DELETE /management/v1/connectors/{id}", api(s.deleteConnector))
	mux.Handle("GET /management/v1/oauth-clients", api(s.listClients))
	mux.Handle("POST /management/v1/oauth-clients", api(s.createClient))
	mux.Handle("GET /management/v1/oauth-clients/{id}", api(s.getClient))
	mux.Handle("PATCH /management/v1/oauth-clients/{id}", api(s.updateClient))
	mux.Handle("DELETE /management/v1/oauth-clients/{id}", api(s.deleteClient))
	mux.Handle("GET /management/v1/idempotency-keys/{key}", api(s.getIdempotencyKey))
	mux.Handle("GET /_sandbox/stats", s.loopbackOnly(http.HandlerFunc(s.getStats)))
	mux.Handle("POST /_sandbox/stats/reset", s.loopbackOnly(http.HandlerFunc(s.resetStats)))
	c := s.newConsole(guard)
	mux.Handle("GET /{$}", c.page(c.root))
	mux.Handle("/console", c.page(c.bare))
	mux.Handle("GET /console/{$}", c.page(c.root))
	mux.Handle("GET /console/sign-in", c.page(c.signInPage))
	mux.Handle("POST /console/sign-in", c.form(c.signIn))
	mux.Handle("POST /console/sign-out", c.form(c.signOut))
	mux.Handle("GET /console/oauth-clients", c.signedIn(c.oauthClients))
	mux.Handle("GET /console/oauth-clients/{id}", c.signedIn(c.oauthClient))
	mux.Handle("GET /console/connectors", c.signedIn(c.connectors))
	mux.Handle("GET /console/static/console.css", c.page(c.css))
	mux.Handle("/console/", c.page(c.notFound))
	return s.observe(mux)
}
