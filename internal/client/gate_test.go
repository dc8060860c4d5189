package client

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// forgetGate drops the process's gate of serverURL when the test ends, so that a
// later server on the same port starts with an open gate.
func forgetGate(t *testing.T, serverURL string) *gate {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		gates.Lock()
		defer gates.Unlock()
		delete(gates.byHost, gateKey(u))
	})
	return gateFor(u)
}

// limitedAPI is a test API that answers /me within a token bucket of rate requests
// per second and bursts of rate, and 429 with a whole-second Retry-After beyond it,
// with the RateLimit headers when headers is set. It counts what it answered.
type limitedAPI struct {
	rate    float64
	headers bool

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	ok      int
	refused int
}

func (a *limitedAPI) take() (ok bool, remaining, reset, retry int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if a.last.IsZero() {
		a.tokens = a.rate
	} else {
		a.tokens = math.Min(a.rate, a.tokens+now.Sub(a.last).Seconds()*a.rate)
	}
	a.last = now
	ok = a.tokens >= 1
	if ok {
		a.tokens--
		a.ok++
	} else {
		a.refused++
	}
	remaining = int(a.tokens)
	reset = int(math.Ceil((a.rate - a.tokens) / a.rate))
	retry = int(math.Max(1, math.Ceil((1-a.tokens)/a.rate)))
	return ok, remaining, reset, retry
}

func (a *limitedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ok, remaining, reset, retry := a.take()
	if a.headers {
		w.Header().Set("RateLimit-Limit", strconv.Itoa(int(a.rate)))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(remaining))
		w.Header().Set("RateLimit-Reset", strconv.Itoa(reset))
		w.Header().Set("RateLimit-Policy", fmt.Sprintf("%d;w=1", int(a.rate)))
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeProblemTo(w, http.StatusTooManyRequests, "slow down")
		return
	}
	jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"})(w, r)
}

func (a *limitedAPI) counts() (ok, refused int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ok, a.refused
}

// callMe makes calls calls of Me from workers goroutines, as Terraform's parallel
// operations do, and fails the test on any error.
func callMe(t *testing.T, c *Client, calls, workers int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if _, err := c.Me(context.Background()); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Me: %v", err)
	}
}

// TestGatePacesFromRateLimitHeaders: with the RateLimit headers, ten workers that
// make three times the burst of requests are spaced at the announced rate: at most
// 5% of the requests are refused. Without the gate, each worker would spend the
// same remaining requests and most of the requests beyond the burst would be refused.
func TestGatePacesFromRateLimitHeaders(t *testing.T) {
	t.Parallel()
	api := &limitedAPI{rate: 20, headers: true}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	forgetGate(t, ts.URL)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries, cfg.RetryWaitMax = 10, 5*time.Second })
	const calls = 60
	callMe(t, c, calls, 10)
	ok, refused := api.counts()
	t.Logf("%d calls: %d answers, %d refused", calls, ok, refused)
	if ok != calls || refused > (ok+refused)*5/100 {
		t.Errorf("%d of %d requests were refused (%d answered); want at most 5%%", refused, ok+refused, ok)
	}
}

// TestGatePacesFrom429sAlone: an API that sends no RateLimit headers and only 429s
// refuses far fewer requests once the gate has learned its rate from them: the
// requests in flight when a 429 closes the gate are refused, and few after. Without
// the gate, each worker is refused once per second, close to a third of the requests.
func TestGatePacesFrom429sAlone(t *testing.T) {
	t.Parallel()
	api := &limitedAPI{rate: 20}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	g := forgetGate(t, ts.URL)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries, cfg.RetryWaitMax = 10, 5*time.Second })
	const calls = 100
	callMe(t, c, calls, 10)
	ok, refused := api.counts()
	t.Logf("%d calls: %d answers, %d refused", calls, ok, refused)
	if ok != calls || refused > (ok+refused)*15/100 {
		t.Errorf("%d of %d requests were refused (%d answered); want at most 15%%", refused, ok+refused, ok)
	}
	g.mu.Lock()
	rate := g.rate
	g.mu.Unlock()
	if rate < minRate || rate > 4*api.rate {
		t.Errorf("the gate learned a rate of %.1f per second from an API that allows %.0f", rate, api.rate)
	}
}

// TestGateClosesForEveryRequestToTheHost: after a 429 with Retry-After, no request
// to the host reaches it before the gate opens, from any Client of the process;
// another host is not held back, and the closing is logged once.
func TestGateClosesForEveryRequestToTheHost(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var refusedAt time.Time
	var arrivals []time.Time
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := refusedAt.IsZero()
		now := time.Now()
		if first {
			refusedAt = now
		} else {
			arrivals = append(arrivals, now)
		}
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			writeProblemTo(w, http.StatusTooManyRequests, "slow down")
			return
		}
		jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"})(w, r)
	}))
	t.Cleanup(ts.Close)
	forgetGate(t, ts.URL)
	other, _ := serve(t, jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"}))
	otherGate := forgetGate(t, other.URL)
	logs := &testLogger{}
	noRetries := func(cfg *Config) { cfg.MaxRetries, cfg.RetryWaitMax, cfg.Logger = 0, 5*time.Second, logs }
	c, alias := newTestClient(t, ts.URL, noRetries), newTestClient(t, ts.URL, noRetries)
	var apiErr *APIError
	if _, err := c.Me(context.Background()); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the first call: %v, want a 429", err)
	}
	if _, blocked, err := otherGate.wait(context.Background()); blocked || err != nil {
		t.Errorf("a request to another host waited (%v, %v)", blocked, err)
	}
	var wg sync.WaitGroup
	for i := range 10 {
		client := c
		if i%2 == 1 {
			client = alias
		}
		wg.Go(func() {
			if _, err := client.Me(context.Background()); err != nil {
				t.Errorf("Me: %v", err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	opens := refusedAt.Add(time.Second)
	for i, at := range arrivals {
		if at.Before(opens) {
			t.Errorf("request %d reached the API %s before its Retry-After ended", i+1, opens.Sub(at))
		}
	}
	if len(arrivals) != 10 {
		t.Errorf("%d requests after the 429, want 10", len(arrivals))
	}
	closings := 0
	for _, line := range logs.all() {
		if line.level == "WARN" && line.fields["host"] != nil {
			closings++
		}
	}
	if closings != 1 {
		t.Errorf("the closing of the gate was logged %d times, want once:\n%s", closings, logs.text())
	}
}

// TestGateWithoutLimitNeverWaits: answers without RateLimit headers or 429 leave
// the gate inactive, and a request passes it without waiting.
func TestGateWithoutLimitNeverWaits(t *testing.T) {
	t.Parallel()
	ts, _ := serve(t, jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"}))
	g := forgetGate(t, ts.URL)
	callMe(t, newTestClient(t, ts.URL), 20, 5)
	if g.active.Load() {
		t.Error("answers without a limit made the gate active")
	}
	if _, blocked, err := g.wait(context.Background()); blocked || err != nil {
		t.Errorf("the gate held a request back (%v, %v)", blocked, err)
	}
}

// TestGateWaitEndsWithTheContext: a request waiting for the gate to open ends with
// its context's error when the context is canceled, and never reaches the API.
func TestGateWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		problemHandler(http.StatusTooManyRequests, "slow down")(w, r)
	}
	ts, rec := serve(t, limited)
	forgetGate(t, ts.URL)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries, cfg.RetryWaitMax = 0, time.Hour })
	if _, err := c.Me(context.Background()); err == nil {
		t.Fatal("the first call succeeded; want a 429")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Me(ctx)
		done <- err
	}()
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the call ended with %v, want context.Canceled", err)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d requests reached the API, want only the refused one", n)
	}
}

// TestParseRateHeaders reads the three fields and the policy's window, and ignores
// incomplete or malformed headers.
func TestParseRateHeaders(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		header http.Header
		want   rateHeaders
	}{
		"all three":   {http.Header{"Ratelimit-Limit": {"20"}, "Ratelimit-Remaining": {"3"}, "Ratelimit-Reset": {"1"}}, rateHeaders{ok: true, limit: 20, remaining: 3, reset: time.Second}},
		"with policy": {http.Header{"Ratelimit-Limit": {"20"}, "Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"2"}, "Ratelimit-Policy": {"20;w=10"}}, rateHeaders{ok: true, limit: 20, reset: 2 * time.Second, window: 10 * time.Second}},
		"list":        {http.Header{"Ratelimit-Limit": {"20, 100;w=60"}, "Ratelimit-Remaining": {"5"}, "Ratelimit-Reset": {"0"}}, rateHeaders{ok: true, limit: 20, remaining: 5}},
		"none":        {http.Header{}, rateHeaders{}},
		"incomplete":  {http.Header{"Ratelimit-Limit": {"20"}}, rateHeaders{}},
		"negative":    {http.Header{"Ratelimit-Limit": {"20"}, "Ratelimit-Remaining": {"-1"}, "Ratelimit-Reset": {"1"}}, rateHeaders{}},
		"not numbers": {http.Header{"Ratelimit-Limit": {"many"}, "Ratelimit-Remaining": {"1"}, "Ratelimit-Reset": {"1"}}, rateHeaders{}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := parseRateHeaders(tc.header); got != tc.want {
				t.Errorf("parseRateHeaders = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestGateSpendsRemainingOnce: requests booked while "RateLimit-Remaining: 1" is
// the last word go one at once, and the others at the announced rate, in order.
func TestGateSpendsRemainingOnce(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	g := &gate{host: "test", now: func() time.Time { return now }}
	resp := &http.Response{StatusCode: 200, Header: http.Header{
		"Ratelimit-Limit": {"10"}, "Ratelimit-Remaining": {"1"}, "Ratelimit-Reset": {"1"}, "Ratelimit-Policy": {"10;w=1"},
	}}
	if ch := g.observe(resp, 0, time.Minute); !ch.paced || !ch.headers || ch.limit != 10 || ch.window != time.Second {
		t.Fatalf("the first headers did not set the pace: %+v", ch)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var waits []time.Duration
	for range 4 {
		waits = append(waits, g.reserve(now).Sub(now))
	}
	want := []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
}

// TestGateStaysOpenWhenRequestsAreLeft: a 429 whose RateLimit-Remaining says the
// budget is not spent (a fault of one request, not the rate limit) does not close the
// gate for the host; one that says nothing is left does.
func TestGateStaysOpenWhenRequestsAreLeft(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	refusal := func(remaining string) http.Header {
		return http.Header{
			"Retry-After": {"1"}, "Ratelimit-Limit": {"20"}, "Ratelimit-Remaining": {remaining},
			"Ratelimit-Reset": {"1"}, "Ratelimit-Policy": {"20;w=1"},
		}
	}
	for _, tc := range []struct {
		remaining  string
		wantClosed time.Duration
	}{{"7", 0}, {"0", time.Second}} {
		g := &gate{host: "test", now: func() time.Time { return now }}
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: refusal(tc.remaining)}
		ch := g.observe(resp, 0, time.Minute)
		if ch.closedFor != tc.wantClosed {
			t.Errorf("a 429 with RateLimit-Remaining %s closed the gate for %s, want %s", tc.remaining, ch.closedFor, tc.wantClosed)
		}
		g.mu.Lock()
		wait := g.reserve(now).Sub(now)
		g.mu.Unlock()
		if tc.wantClosed == 0 && wait != 0 {
			t.Errorf("after a 429 with RateLimit-Remaining %s the next request waits %s, want none", tc.remaining, wait)
		}
		if tc.wantClosed > 0 && wait < tc.wantClosed {
			t.Errorf("after a 429 with RateLimit-Remaining %s the next request waits %s, want %s at least", tc.remaining, wait, tc.wantClosed)
		}
	}
}

// BenchmarkInactiveGate is what a request pays for the gate of an API without a
// limit: passing it and reporting the answer, from parallel goroutines.
func BenchmarkInactiveGate(b *testing.B) {
	g := &gate{host: "bench", now: time.Now}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			epoch, _, _ := g.wait(context.Background())
			g.settle()
			g.observe(resp, epoch, time.Minute)
		}
	})
}
