package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// TestRateLimitHeaders: every answer that passed the rate limit announces the
// caller's bucket, 429s included, and the bucket refills with time.
func TestRateLimitHeaders(t *testing.T) {
	type answer struct {
		status                                 int
		limit, remaining, reset, policy, retry string
	}
	for name, tc := range map[string]struct {
		rate  float64
		hide  bool
		steps []time.Duration // the clock before each request, from the start
		want  []answer
	}{
		"hidden (-rate-limit-headers=false)": {
			rate:  1,
			hide:  true,
			steps: []time.Duration{0, 0},
			want:  []answer{{200, "", "", "", "", ""}, {429, "", "", "", "", "1"}},
		},
		"3 per second": {
			rate:  3,
			steps: []time.Duration{0, 0, 0, 0, time.Second},
			want: []answer{
				{200, "3", "2", "1", "3;w=1", ""},
				{200, "3", "1", "1", "3;w=1", ""},
				{200, "3", "0", "1", "3;w=1", ""},
				{429, "3", "0", "1", "3;w=1", "1"},
				{200, "3", "2", "1", "3;w=1", ""},
			},
		},
		"one per two seconds": {
			rate:  0.5,
			steps: []time.Duration{0, 0, time.Second, 2 * time.Second},
			want: []answer{
				{200, "1", "0", "2", "1;w=2", ""},
				{429, "1", "0", "2", "1;w=2", "2"},
				{429, "1", "0", "1", "1;w=2", "1"},
				{200, "1", "0", "2", "1;w=2", ""},
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.RateLimit, c.HideRateLimit = tc.rate, tc.hide })
			start := time.Now()
			for i, step := range tc.steps {
				e.srv.now = func() time.Time { return start.Add(step) }
				rep := e.do(req{token: acme, method: "GET", path: "/management/v1/me"})
				h := rep.header
				got := answer{rep.status, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset"), h.Get("RateLimit-Policy"), h.Get("Retry-After")}
				if got != tc.want[i] {
					t.Errorf("request %d: %+v, want %+v", i+1, got, tc.want[i])
				}
			}
		})
	}
}

// TestNoRateLimitHeadersWithoutALimit: without -rate-limit, answers announce nothing.
func TestNoRateLimitHeadersWithoutALimit(t *testing.T) {
	e := newEnv(t)
	rep := e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	for _, name := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"} {
		if v := rep.header.Get(name); v != "" {
			t.Errorf("%s: %q without a rate limit", name, v)
		}
	}
}

// TestStatsCountRateLimited: rateLimited counts the requests that the rate limit
// refused, and not the 429s that -faults injects, which are faults. With every
// answer faulted, the first rate requests are faults and the rest refusals. The
// fault seed makes 429s among the faults and no dropped connection, which Go's
// client would repeat.
func TestStatsCountRateLimited(t *testing.T) {
	const rate, refusals = 10, 4
	e := newEnv(t, func(c *Config) { c.RateLimit, c.FaultRate, c.FaultSeed = rate, 1, 3 })
	frozen := time.Now()
	e.srv.now = func() time.Time { return frozen }
	for range rate + refusals {
		e.do(req{token: acme, method: "GET", path: "/management/v1/me"})
	}
	st := e.srv.stats.snapshot()
	if st.Total != rate+refusals || st.Faults != rate || st.RateLimited != refusals {
		t.Errorf("total %d, faults %d, rateLimited %d; want %d, %d and %d: %v",
			st.Total, st.Faults, st.RateLimited, rate+refusals, rate, refusals, st.Requests)
	}
	if st.Requests["GET /management/v1/me 429"] <= refusals {
		t.Errorf("no fault was a 429 (%v); pick a FaultSeed that makes one, so that the test tells them apart", st.Requests)
	}
}

// TestRateLimitPerAccount: the tokens of one account share its bucket, and tokens
// that authenticate no one make no bucket at all.
func TestRateLimitPerAccount(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateLimit = 2 })
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	e.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "acme-automation-secret").decode(t, &issued)
	frozen := time.Now()
	e.srv.now = func() time.Time { return frozen }
	for range 2 {
		e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	}
	e.wantProblem(e.do(req{token: issued.AccessToken, method: "GET", path: "/management/v1/me"}), http.StatusTooManyRequests, "", "for this account")
	e.must(http.StatusOK, req{token: globex, method: "GET", path: "/management/v1/me"})
	for i := range authFailureBurst {
		e.must(http.StatusUnauthorized, req{token: "bogus-" + strconv.Itoa(i), method: "GET", path: "/management/v1/me"})
	}
	if n := len(e.srv.limiter.buckets.byKey); n != 2 {
		t.Errorf("%d rate-limit buckets, want one for each of the 2 accounts that called", n)
	}
}
