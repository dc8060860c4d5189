package sandbox

import (
	"context"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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
					s.log.Error("handler panic", "method", r.Method, "route", routeOf(r.Pattern), "panic", v)
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
					key = r.Method + " (no route)"
				}
				s.stats.add(key+" "+status, sw.fault, sw.limited)
			}
			s.log.Info("request", "method", r.Method, "route", routeOf(r.Pattern), "status", status,
				"duration", time.Since(start).Round(time.Microsecond).String())
		}()
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
			r.Method+" is not allowed here; use one of: "+allow+".")
		p.allow = allow
		writeProblem(w, p)
		return
	}
	h.Del("Allow")
	writeProblem(w, newProblem(http.StatusNotFound, "no-route", "Not Found", "No API route matches "+r.URL.Path+"."))
}

// apiHandler serves a /management/v1 route for an authenticated caller.
type apiHandler func(w http.ResponseWriter, r *http.Request, p *principal)

// api wraps a /management/v1 handler with latency, the rate limit, faults and authentication.
// The latency is split as a network's round trip would split it: half before the
// handler runs, half before its answer leaves, so a write whose caller or server goes
// away in the second half was committed and never answered.
func (s *Server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Latency > 0 {
			inbound := s.cfg.Latency / 2
			if !sleep(r.Context(), inbound) {
				return
			}
			w = &delayedWriter{ResponseWriter: w, ctx: r.Context(), delay: s.cfg.Latency - inbound}
		}
		token, hasToken := bearerToken(r)
		// The buckets live in memory only, keyed by the token as sent.
		limitKey := "token:" + token
		if !hasToken {
			limitKey = "addr:" + remoteHost(r)
		}
		q, limited := s.limiter.take(limitKey, s.now())
		if q.limit > 0 && !s.cfg.HideRateLimit {
			q.announce(w.Header())
		}
		if limited {
			if sw := statusWriterOf(w); sw != nil {
				sw.limited = true
			}
			writeProblem(w, tooManyRequests("More than the allowed requests per second for this token; retry after the time in Retry-After.", q.retryAfter))
			return
		}
		serve := func(w http.ResponseWriter) {
			p, prob := s.authenticate(r.Context(), token, hasToken)
			if prob != nil {
				writeProblem(w, prob)
				return
			}
			h(w, r, p)
		}
		f, ok := s.faults.pick(r.Method)
		if !ok {
			serve(w)
			return
		}
		if sw := statusWriterOf(w); sw != nil {
			sw.fault = true
		}
		if f.afterCommit {
			serve(&discardWriter{header: http.Header{}})
		}
		s.inject(w, f)
	})
}

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

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := net.ParseIP(remoteHost(r)); ip == nil || !ip.IsLoopback() {
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

// limiter is a token bucket per key: rate requests per second, bursts of at most rate.
// Each answer announces the caller's bucket (draft-ietf-httpapi-ratelimit-headers):
//
//   - RateLimit-Limit: the requests that a full bucket allows at once, its capacity
//     rounded down (rate, at least 1);
//   - RateLimit-Remaining: the whole requests left in the bucket after this one;
//   - RateLimit-Reset: the whole seconds until the bucket is full again, rounded up
//     (0 when it is full);
//   - RateLimit-Policy: "LIMIT;w=WINDOW", WINDOW being the whole seconds that an
//     empty bucket takes to fill, rounded up, so that a client learns the rate.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64) *limiter {
	return &limiter{rate: rate, buckets: map[string]*bucket{}}
}

// quota is what a bucket announces after a request; all zero without a rate limit.
type quota struct {
	limit, window, remaining, reset int
	retryAfter                      int // whole seconds, at least 1, when the request was refused
}

// announce sets the RateLimit headers of q.
func (q quota) announce(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(q.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(q.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(q.reset))
	h.Set("RateLimit-Policy", strconv.Itoa(q.limit)+";w="+strconv.Itoa(q.window))
}

// take spends one request for key, and reports whether it was refused because none
// is left, with what the bucket holds then.
func (l *limiter) take(key string, now time.Time) (quota, bool) {
	if l.rate == 0 {
		return quota{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	capacity := math.Max(1, l.rate)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: capacity, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(capacity, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	refused := b.tokens < 1
	q := quota{limit: int(capacity), window: int(math.Ceil(capacity / l.rate))}
	if refused {
		q.retryAfter = int(math.Max(1, math.Ceil((1-b.tokens)/l.rate)))
	} else {
		b.tokens--
	}
	q.remaining = int(b.tokens)
	q.reset = int(math.Ceil((capacity - b.tokens) / l.rate))
	return q, refused
}

// stats counts API requests by route and status.
type stats struct {
	mu       sync.Mutex
	total    int
	faults   int
	limited  int
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
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Total: s.total, Faults: s.faults, RateLimited: s.limited, Requests: make(map[string]int, len(s.requests))}
	for k, v := range s.requests {
		out.Requests[k] = v
	}
	return out
}

func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total, s.faults, s.limited, s.requests = 0, 0, 0, map[string]int{}
}

func (s *Server) getStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.stats.snapshot())
}

func (s *Server) resetStats(w http.ResponseWriter, _ *http.Request) {
	s.stats.reset()
	w.WriteHeader(http.StatusNoContent)
}
