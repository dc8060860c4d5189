package sandbox

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// statusWriter remembers what a handler answered, for the request log and the stats.
// It holds back the mux's own 404 and 405 answers, plain text, for observe to answer
// them as problems: the mux sets r.Pattern before it calls a route's handler, and
// answers a request that matches no route with an empty one.
type statusWriter struct {
	http.ResponseWriter
	r         *http.Request
	status    int
	dropped   bool // the connection was closed without an answer, as a fault
	fault     bool // the answer is an injected fault
	limited   bool // the rate limit refused the request
	unmatched bool // the mux answered 404 or 405: no route matched
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		if w.r.Pattern == "" && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) {
			w.unmatched = true
		}
	}
	if w.unmatched {
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.unmatched {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs and counts every request, answers unknown routes with problem
// bodies, and turns a panic into a 500 without taking the process down. The mux
// matches each request once: its route is r.Pattern, set by the mux.
func (s *Server) observe(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, r: r}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // a sentinel passed to panic, compared as the net/http docs do
					sw.dropped = true
				} else {
					s.log.Error("handler panic", "method", methodName(r.Method), "route", routeOf(r.Pattern), "panic", v)
					if sw.status == 0 {
						writeProblem(sw, internalError())
					}
				}
			}
			status := strconv.Itoa(sw.status)
			if sw.dropped {
				status = "dropped"
			}
			if counted(r.URL.Path) {
				key := r.Pattern
				if key == "" {
					key = methodName(r.Method) + " (no route)"
				}
				s.stats.add(key+" "+status, sw.fault, sw.limited)
			}
			s.log.Info("request", "method", methodName(r.Method), "route", routeOf(r.Pattern), "status", status,
				"duration", time.Since(start).Round(time.Microsecond).String())
		}()
		if clean := cleanPath(r.URL.Path); clean != r.URL.Path {
			// Past sw, which holds back a 404 without a route for the mux's answers.
			sw.status = http.StatusNotFound
			writeProblem(w, newProblem(http.StatusNotFound, "no-route", "Not Found",
				"No API route matches a path with empty, . or .. segments; send it as "+clip(clean)+"."))
			return
		}
		mux.ServeHTTP(sw, r)
		if sw.unmatched {
			unmatched(w, r, sw.status)
		}
	})
}

// routeOf is the path part of a mux pattern ("GET /a/{id}" → "/a/{id}").
func routeOf(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	if pattern == "" {
		return "(no route)"
	}
	return pattern
}

// methodName is how the stats and the log name a request's method: one that HTTP
// defines, or OTHER. A client may send any token as a method, of any length that
// the header limit allows, and each would otherwise be a key of its own.
func methodName(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// maxEchoed bounds what an answer repeats of a request's method or path.
const maxEchoed = 100

// clip shortens s to maxEchoed bytes, on a rune boundary, marking the cut with "…".
func clip(s string) string {
	if len(s) <= maxEchoed {
		return s
	}
	cut := maxEchoed
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// cleanPath is the path that http.ServeMux would redirect p to: without empty, .
// and .. segments, keeping a final slash. The mux answers such a redirect with an
// HTML body; the API answers a problem instead.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

func counted(path string) bool {
	return path == "/oauth/token" || path == "/management/v1" || strings.HasPrefix(path, "/management/v1/")
}

// unmatched answers the mux's 404 and 405 (status) as problems, keeping the mux's
// Allow header and dropping the headers of its plain-text answer.
func unmatched(w http.ResponseWriter, r *http.Request, status int) {
	h := w.Header()
	allow := h.Get("Allow")
	h.Del("Content-Type")
	h.Del("X-Content-Type-Options")
	if status == http.StatusMethodNotAllowed {
		p := newProblem(http.StatusMethodNotAllowed, "method-not-allowed", "Method Not Allowed",
			clip(r.Method)+" is not allowed here; use one of: "+allow+".")
		p.allow = allow
		writeProblem(w, p)
		return
	}
	h.Del("Allow")
	writeProblem(w, newProblem(http.StatusNotFound, "no-route", "Not Found", "No API route matches "+clip(r.URL.Path)+"."))
}

// apiHandler serves a /management/v1 route for an authenticated caller.
type apiHandler func(w http.ResponseWriter, r *http.Request, p *principal)

// api wraps a /management/v1 handler with latency, authentication, the rate limit and
// faults. The latency is split as a network's round trip would split it: half before
// the handler runs, half before its answer leaves, so a write whose caller or server
// goes away in the second half was committed and never answered. Authentication comes
// before the rate limit, whose buckets are per account: a client cannot make buckets
// by sending made-up tokens, and those are throttled per address by guard instead.
func (s *Server) api(guard *failures, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Latency > 0 {
			inbound := s.cfg.Latency / 2
			if !sleep(r.Context(), inbound) {
				return
			}
			w = &delayedWriter{ResponseWriter: w, ctx: r.Context(), delay: s.cfg.Latency - inbound}
		}
		addr := s.clientAddr(r)
		if retryAfter, blocked := guard.blocked(addr, s.now()); blocked {
			writeProblem(w, tooManyFailures(retryAfter))
			return
		}
		token, hasToken := bearerToken(r)
		p, prob := s.authenticate(r.Context(), token, hasToken)
		if prob != nil {
			if prob.Status == http.StatusUnauthorized {
				guard.fail(addr, s.now())
			}
			writeProblem(w, prob)
			return
		}
		q, limited := s.limiter.take("account:"+p.AccountID, s.now())
		if q.limit > 0 && !s.cfg.HideRateLimit {
			q.announce(w.Header())
		}
		if limited {
			if sw := statusWriterOf(w); sw != nil {
				sw.limited = true
			}
			writeProblem(w, tooManyRequests("More than the allowed requests per second for this account; retry after the time in Retry-After.", q.retryAfter))
			return
		}
		f, ok := s.faults.pick(r.Method)
		if !ok {
			h(w, r, p)
			return
		}
		if sw := statusWriterOf(w); sw != nil {
			sw.fault = true
		}
		if f.afterCommit {
			h(&discardWriter{header: http.Header{}}, r, p)
		}
		s.inject(w, f)
	})
}

// throttled refuses a client address that failed to authenticate too often before h
// runs, and counts each 401 that h answers as a failure of its address: h is a
// handler that authenticates by itself, such as /oauth/token.
func (s *Server) throttled(guard *failures, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := s.clientAddr(r)
		if retryAfter, blocked := guard.blocked(addr, s.now()); blocked {
			writeProblem(w, tooManyFailures(retryAfter))
			return
		}
		cw := &codeWriter{ResponseWriter: w}
		h(cw, r)
		if cw.status == http.StatusUnauthorized {
			guard.fail(addr, s.now())
		}
	})
}

func tooManyFailures(retryAfter int) *problem {
	return tooManyRequests("Too many failed authentications from this address; check the credentials, then retry after the time in Retry-After.", retryAfter)
}

// codeWriter remembers the status that a handler answered.
type codeWriter struct {
	http.ResponseWriter
	status int
}

func (w *codeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusWriterOf finds the statusWriter that w is or wraps; nil when there is none.
func statusWriterOf(w http.ResponseWriter) *statusWriter {
	for {
		switch v := w.(type) {
		case *statusWriter:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}

// sleep waits for d, or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// delayedWriter holds the answer back by delay before its first byte leaves.
type delayedWriter struct {
	http.ResponseWriter
	ctx    context.Context
	delay  time.Duration
	waited bool
}

func (d *delayedWriter) wait() {
	if !d.waited {
		d.waited = true
		sleep(d.ctx, d.delay)
	}
}

func (d *delayedWriter) WriteHeader(status int) {
	d.wait()
	d.ResponseWriter.WriteHeader(status)
}

func (d *delayedWriter) Write(b []byte) (int, error) {
	d.wait()
	return d.ResponseWriter.Write(b)
}

func (d *delayedWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

// discardWriter swallows a response whose request was committed but is answered by a fault.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func (s *Server) inject(w http.ResponseWriter, f fault) {
	if f.status == 0 {
		if sw := statusWriterOf(w); sw != nil {
			sw.dropped = true
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		conn.Close()
		return
	}
	p := newProblem(f.status, "transient", http.StatusText(f.status), "A transient fault injected by the sandbox (-faults); retry the request.")
	if f.status == http.StatusTooManyRequests {
		p.retryAfter = 1
	}
	writeProblem(w, p)
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// loopbackOnly serves h to clients on this host only: behind a trusted proxy, the
// client the proxy names, not the proxy.
func (s *Server) loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := net.ParseIP(s.clientAddr(r)); ip == nil || !ip.IsLoopback() {
			writeProblem(w, forbidden("The sandbox endpoints answer loopback callers only."))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// fault is one injected failure: an HTTP status, or 0 for a dropped connection.
type fault struct {
	status      int
	afterCommit bool
}

type faults struct {
	mu   sync.Mutex
	rate float64
	rng  *rand.Rand
}

func newFaults(rate float64, seed uint64) *faults {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &faults{rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// pick decides whether this request fails, and how. Writes fail after their
// commit half of the time, so clients must make retries safe.
func (f *faults) pick(method string) (fault, bool) {
	if f.rate == 0 {
		return fault{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return fault{}, false
	}
	if method != http.MethodGet && f.rng.IntN(2) == 0 {
		after := []int{500, 502, 503, 0}
		return fault{status: after[f.rng.IntN(len(after))], afterCommit: true}, true
	}
	before := []int{500, 502, 503, 429, 0}
	return fault{status: before[f.rng.IntN(len(before))]}, true
}

// maxRateLimit bounds -rate-limit: a bucket's capacity is the rate, and must stay a
// number that the RateLimit headers can state.
const maxRateLimit = 1e6

// stats counts API requests by route and status.
type stats struct {
	mu       sync.Mutex
	total    int
	faults   int
	limited  int
	retries  int
	requests map[string]int
}

func newStats() *stats { return &stats{requests: map[string]int{}} }

func (s *stats) add(key string, fault, limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	s.requests[key]++
	if fault {
		s.faults++
	}
	if limited {
		s.limited++
	}
}

// Stats is the body of GET /_sandbox/stats.
type Stats struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
	Faults   int            `json:"faults"`
	// RateLimited counts the requests that the rate limit (-rate-limit) refused with
	// 429; the 429s that -faults injects are Faults.
	RateLimited int `json:"rateLimited"`
	// WriteRetries counts the write transactions run again because PostgreSQL
	// reported a conflict with a concurrent one; always 0 on SQLite.
	WriteRetries int `json:"writeRetries"`
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Total: s.total, Faults: s.faults, RateLimited: s.limited, WriteRetries: s.retries, Requests: make(map[string]int, len(s.requests))}
	for k, v := range s.requests {
		out.Requests[k] = v
	}
	return out
}

func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total, s.faults, s.limited, s.retries, s.requests = 0, 0, 0, 0, map[string]int{}
}

// retried counts a write transaction run again after a conflict.
func (s *stats) retried() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retries++
}

func (s *Server) getStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.stats.snapshot())
}

func (s *Server) resetStats(w http.ResponseWriter, _ *http.Request) {
	s.stats.reset()
	w.WriteHeader(http.StatusNoContent)
}
