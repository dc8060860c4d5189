package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A gate paces the requests of a whole process to one API host. The API limits its
// callers per token, not per request: a 429 answered to one request says that every
// request to the host would be refused, so the gate holds them all back, and the
// answers teach it the pace at which requests go through.
//
// Until the host sends a rate-limit header or a 429, the gate is inactive: a request
// passes it after a few atomic operations, with no lock and no timer, so an API
// without a limit is called as fast as before. Once active, the gate lets each
// request go at the latest of these times:
//
//   - when it opens again: a 429 with Retry-After closes it until then, for every
//     request to the host, first attempts and retries alike, unless the 429's own
//     RateLimit-Remaining says requests are left: then the budget is not what refused
//     it, and only that request waits (its retry's backoff honours Retry-After);
//   - when a client-side token bucket allows it (GCRA: a request is due 1/rate after
//     the one before it, but up to limit-1 requests may be early). With the
//     RateLimit headers (draft-ietf-httpapi-ratelimit-headers) the rate is
//     RateLimit-Limit per window, the window being the w of RateLimit-Policy or else
//     the longest RateLimit-Reset seen, and each answer sets what the bucket holds to
//     RateLimit-Remaining less the requests let through and not yet answered, so that
//     requests in flight do not all spend the same remaining one;
//   - without headers, at a rate learned from the 429s alone, by additive increase
//     and multiplicative decrease: a 429 sets the rate a little below (decrease) that
//     of the answers that got through since the last 429 or the first request, over
//     a second at least (an API lets a second's worth through at once), or below the
//     rate before if that was lower; every answer that gets through raises it by
//     1/rate, one request per second more per second of success. Requests are then
//     spaced evenly (a bucket of one). A 429 before any answer got through teaches
//     no rate: it only closes the gate.
type gate struct {
	host   string
	now    func() time.Time
	active atomic.Bool // set by the first rate-limit header or 429, never cleared
	// pending counts the requests let through and not yet answered, even while the
	// gate is inactive: the first answers with headers find those already on their way.
	pending atomic.Int64
	// epoch counts the closings and slowdowns: a 429 to a request let through before
	// the last of them slows nothing down again, as in TCP, one decrease per window.
	epoch atomic.Uint64
	// passed counts the answers that got through since since, to learn a rate from
	// the first 429.
	passed atomic.Int64

	mu          sync.Mutex
	openAt      time.Time     // a 429's Retry-After closes the gate until then
	rate        float64       // requests per second; 0 while unknown
	limit       float64       // requests that may go at once (the bucket's capacity), at least 1
	window      time.Duration // of the RateLimit headers
	fromHeaders bool          // rate and limit come from RateLimit headers
	tat         time.Time     // GCRA's theoretical arrival time of the next request
	since       time.Time     // since when passed counts
}

// decrease is what a 429 without headers multiplies the rate by. It is gentle
// because the 429's Retry-After already holds every request back, which lets the
// API's budget refill.
const decrease = 0.9

// minRate is the slowest pace learned from 429s alone, in requests per second: the
// Retry-After of further 429s covers slower APIs.
const minRate = 1.0

// gates holds the gate of each scheme and host, shared by every Client of the process.
var gates = struct {
	sync.Mutex
	byHost map[string]*gate
}{byHost: map[string]*gate{}}

// gateKey is the scheme and host of u, the unit that an API limits.
func gateKey(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// gateFor returns the process's gate of the host of u, making it on first use.
func gateFor(u *url.URL) *gate {
	key := gateKey(u)
	gates.Lock()
	defer gates.Unlock()
	g, ok := gates.byHost[key]
	if !ok {
		g = &gate{host: key, now: time.Now, since: time.Now()}
		gates.byHost[key] = g
	}
	return g
}

// wait holds a request back until the gate lets it go, or ctx ends; it returns the
// epoch the request went in, to hand to observe, and reports whether it had to wait.
// Every wait that ends without an error must be followed by one settle.
func (g *gate) wait(ctx context.Context) (uint64, bool, error) {
	g.pending.Add(1)
	epoch := g.epoch.Load()
	if !g.active.Load() {
		return epoch, false, nil
	}
	g.mu.Lock()
	now := g.now()
	at := g.reserve(now)
	g.mu.Unlock()
	if !at.After(now) {
		return epoch, false, nil
	}
	timer := time.NewTimer(at.Sub(now))
	defer timer.Stop()
	select {
	case <-timer.C:
		return g.epoch.Load(), true, nil
	case <-ctx.Done():
		g.settle()
		return epoch, true, ctx.Err()
	}
}

// reserve returns when a request asked for at now may go, and books its place in the
// bucket. The caller holds mu.
func (g *gate) reserve(now time.Time) time.Time {
	at := later(now, g.openAt)
	if g.rate <= 0 {
		return at
	}
	interval := time.Duration(float64(time.Second) / g.rate)
	tat := later(g.tat, at)
	if due := tat.Add(-time.Duration((g.limit - 1) * float64(interval))); due.After(at) {
		at = due
	}
	g.tat = tat.Add(interval)
	return at
}

// settle counts a request let through as answered, or given up.
func (g *gate) settle() { g.pending.Add(-1) }

// gateChange is what an answer changed in a gate, to be logged once.
type gateChange struct {
	closedFor time.Duration // the gate closed, for that long
	paced     bool          // the pace changed: rate, limit and window say to what
	rate      float64
	limit     float64
	window    time.Duration
	headers   bool
}

// observe learns from the answer of a request that the gate let through in epoch;
// maxClose caps how long a Retry-After closes the gate (the caller's RetryWaitMax).
func (g *gate) observe(resp *http.Response, epoch uint64, maxClose time.Duration) gateChange {
	refused := resp != nil && resp.StatusCode == http.StatusTooManyRequests
	var h rateHeaders
	if resp != nil {
		h = parseRateHeaders(resp.Header)
	}
	if !refused && !h.ok && !g.active.Load() {
		g.passed.Add(1)
		return gateChange{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.active.Store(true)
	current := epoch == g.epoch.Load() // before this answer closes the gate
	var ch gateChange
	// A 429 that announces requests left is not the host's budget running out (a
	// proxy's hiccup, a per-resource limit): its request waits its Retry-After alone.
	if refused && (!h.ok || h.remaining == 0) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
			ch.closedFor = g.close(now, min(d, maxClose))
		}
	}
	switch {
	case h.ok:
		ch.paced = g.learnHeaders(now, h)
	case refused && !g.fromHeaders && current:
		ch.paced = g.slowDown(now)
	case !refused && !g.fromHeaders && resp != nil:
		g.passed.Add(1)
		if g.rate > 0 {
			g.rate += 1 / g.rate
		}
	}
	ch.rate, ch.limit, ch.window, ch.headers = g.rate, g.limit, g.window, g.fromHeaders
	return ch
}

// close keeps the gate closed until now+d at least; it returns d when the gate was
// open, so that a closing is logged once and not for each 429 while closed.
func (g *gate) close(now time.Time, d time.Duration) time.Duration {
	until := now.Add(d)
	if !until.After(g.openAt) {
		return 0
	}
	wasOpen := !g.openAt.After(now)
	g.openAt = until
	if !wasOpen {
		return 0
	}
	g.epoch.Add(1)
	return d
}

// learnHeaders takes the pace and what is left from the RateLimit headers; it
// reports whether the pace changed.
func (g *gate) learnHeaders(now time.Time, h rateHeaders) bool {
	window := h.window
	if window == 0 {
		window = max(g.window, h.reset, time.Second)
	}
	limit := max(h.limit, 1)
	rate := limit / window.Seconds()
	changed := !g.fromHeaders || rate != g.rate || limit != g.limit
	g.fromHeaders, g.rate, g.limit, g.window = true, rate, limit, window
	// What the bucket holds now: what the API says is left, less what is on its way.
	// Answers arrive out of order, and each says what was left when it was made: the
	// lower of that and the gate's own estimate is kept.
	left := h.remaining - float64(g.pending.Load())
	if tat := now.Add(time.Duration((limit - left) * float64(time.Second) / rate)); tat.After(g.tat) || changed {
		g.tat = tat
	}
	return changed
}

// slowDown lowers the pace (by decrease) after a 429 that came without RateLimit headers; the
// first one takes the rate of the answers that got through since the gate was
// made, or since the last 429.
func (g *gate) slowDown(now time.Time) bool {
	if g.rate == 0 && g.passed.Load() == 0 {
		g.since = later(now, g.openAt)
		return false // nothing got through yet: no rate to learn, the Retry-After holds them back
	}
	observed := float64(g.passed.Load()) / max(now.Sub(g.since), time.Second).Seconds()
	rate := observed
	if g.rate > 0 {
		rate = min(g.rate, observed)
	}
	g.rate, g.limit = max(rate*decrease, minRate), 1
	g.passed.Store(0)
	g.since = later(now, g.openAt)
	g.epoch.Add(1)
	return true
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// rateHeaders are the RateLimit headers of an answer.
type rateHeaders struct {
	ok        bool
	limit     float64
	remaining float64
	reset     time.Duration
	window    time.Duration // of RateLimit-Policy; 0 when not sent
}

// parseRateHeaders reads RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset,
// which must all be there and whole numbers, and the window (w) of RateLimit-Policy.
// It reads the header map with canonical keys: Header.Get would allocate a key per call.
func parseRateHeaders(h http.Header) rateHeaders {
	limitText, ok := h["Ratelimit-Limit"]
	if !ok {
		return rateHeaders{}
	}
	limit, err1 := strconv.Atoi(firstItem(limitText))
	remaining, err2 := strconv.Atoi(firstItem(h["Ratelimit-Remaining"]))
	reset, err3 := strconv.Atoi(firstItem(h["Ratelimit-Reset"]))
	if err1 != nil || err2 != nil || err3 != nil || limit < 0 || remaining < 0 || reset < 0 {
		return rateHeaders{}
	}
	out := rateHeaders{ok: true, limit: float64(limit), remaining: float64(remaining), reset: time.Duration(reset) * time.Second}
	if policy := h["Ratelimit-Policy"]; len(policy) > 0 {
		for _, param := range strings.Split(policy[0], ";")[1:] {
			if name, value, ok := strings.Cut(strings.TrimSpace(param), "="); ok && name == "w" {
				if w, err := strconv.Atoi(value); err == nil && w > 0 {
					out.window = time.Duration(w) * time.Second
				}
			}
		}
	}
	return out
}

// firstItem is the first of a header's values up to a comma or semicolon: a list's
// first item without its parameters.
func firstItem(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v, _, _ := strings.Cut(values[0], ",")
	v, _, _ = strings.Cut(v, ";")
	return strings.TrimSpace(v)
}

// gateTransport passes every request, token requests included, through the gate
// of its host, and teaches the gate with the answer. The API's requests pass the
// gate in attemptTransport, before their attempt's timeout starts: a wait for the
// gate is not the API being slow.
type gateTransport struct {
	log      Logger
	home     *gate // the gate of the base URL's host, found once
	base     *url.URL
	maxClose time.Duration
	next     http.RoundTripper
}

func newGateTransport(base *url.URL, log Logger, maxClose time.Duration, next http.RoundTripper) *gateTransport {
	return &gateTransport{log: log, home: gateFor(base), base: base, maxClose: maxClose, next: next}
}

func (t *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, err := t.pass(req)
	if err != nil {
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	t.learn(req.Context(), p, resp, err)
	return resp, err
}

// passage is a request let through a gate, in an epoch.
type passage struct {
	gate  *gate
	epoch uint64
}

// pass waits until the gate of req's host lets it go.
func (t *gateTransport) pass(req *http.Request) (passage, error) {
	g := t.home
	if !strings.EqualFold(req.URL.Host, t.base.Host) || !strings.EqualFold(req.URL.Scheme, t.base.Scheme) {
		g = gateFor(req.URL)
	}
	epoch, _, err := g.wait(req.Context())
	return passage{gate: g, epoch: epoch}, err
}

// learn teaches the gate of p with the answer to its request, and logs what that
// changed.
func (t *gateTransport) learn(ctx context.Context, p passage, resp *http.Response, err error) {
	p.gate.settle()
	if err != nil {
		return
	}
	t.logChange(ctx, p.gate, p.gate.observe(resp, p.epoch, t.maxClose))
}

func (t *gateTransport) logChange(ctx context.Context, g *gate, ch gateChange) {
	if ch.closedFor > 0 {
		t.log.Warn(ctx, "the API refused a request for its rate limit; every request to its host waits", map[string]any{
			"host": g.host, "wait": ch.closedFor.String(),
		})
	}
	if !ch.paced {
		return
	}
	if ch.headers {
		t.log.Debug(ctx, "the API announces its rate limit; requests to its host are paced to stay under it", map[string]any{
			"host": g.host, "limit": int(ch.limit), "window": ch.window.String(),
		})
		return
	}
	t.log.Debug(ctx, "the API limits the rate of requests; requests to its host are paced", map[string]any{
		"host": g.host, "per_second": strconv.FormatFloat(ch.rate, 'f', 2, 64),
	})
}
