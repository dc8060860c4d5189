package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetriesTransientAnswers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			fail := func(w http.ResponseWriter, r *http.Request) {
				if status == http.StatusTooManyRequests {
					// Capped by RetryWaitMax (5 ms), so the test does not wait a second.
					w.Header().Set("Retry-After", "1")
				}
				problemHandler(status, "transient")(w, r)
			}
			ts, rec := serve(t, fail, fail, jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"}))
			me, err := newTestClient(t, ts.URL).Me(context.Background())
			if err != nil {
				t.Fatalf("Me: %v", err)
			}
			if me.AccountID != "acme" {
				t.Errorf("accountId = %q", me.AccountID)
			}
			if n := rec.count(); n != 3 {
				t.Errorf("%d requests, want 3 (two retries)", n)
			}
		})
	}
}

func TestRetriesDroppedConnection(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, dropConnection, jsonHandler(200, `"1"`, sampleConnector()))
	conn, err := newTestClient(t, ts.URL).GetConnector(context.Background(), testConnectorID)
	if err != nil {
		t.Fatalf("GetConnector: %v", err)
	}
	if conn.ETag != `"1"` || conn.Key != "procore" {
		t.Errorf("connector = %+v", conn)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestRetriesTimedOutAttempt(t *testing.T) {
	t.Parallel()
	hang := func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	ts, rec := serve(t, hang, jsonHandler(200, `"1"`, sampleOAuthClient()))
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	start := time.Now()
	if _, err := c.GetOAuthClient(context.Background(), testClientID); err != nil {
		t.Fatalf("GetOAuthClient: %v", err)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s; the first attempt did not time out after 100ms", d)
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		problemHandler(http.StatusTooManyRequests, "slow down")(w, r)
	}
	ts, rec := serve(t, limited, jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"}))
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.RetryWaitMax = 5 * time.Second })
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatalf("Me: %v", err)
	}
	hits := rec.all()
	if len(hits) != 2 {
		t.Fatalf("%d requests, want 2", len(hits))
	}
	if wait := hits[1].at.Sub(hits[0].at); wait < time.Second || wait > 3*time.Second {
		t.Errorf("retried after %s, want the Retry-After of 1s", wait)
	}
}

func TestRetryAfterIsCappedByRetryWaitMax(t *testing.T) {
	t.Parallel()
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		problemHandler(http.StatusServiceUnavailable, "maintenance")(w, r)
	}
	ts, rec := serve(t, limited, jsonHandler(200, `"1"`, sampleConnector()))
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.RetryWaitMax = 50 * time.Millisecond })
	start := time.Now()
	if _, err := c.GetConnector(context.Background(), testConnectorID); err != nil {
		t.Fatalf("GetConnector: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s; the wait was not capped at RetryWaitMax", d)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIdempotencyKeyIsStableAcrossRetries(t *testing.T) {
	t.Parallel()
	ok := jsonHandler(http.StatusCreated, `"1"`, sampleOAuthClient())
	fail := problemHandler(500, "oops")
	ts, rec := serve(t, fail, fail, ok, ok, problemHandler(503, "busy"), jsonHandler(200, `"2"`, sampleOAuthClient()), jsonHandler(200, `"1"`, sampleOAuthClient()))
	c := newTestClient(t, ts.URL)
	ctx := context.Background()
	in := &OAuthClientInput{Name: "Procore", ConnectorID: testConnectorID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "abc", ClientSecret: "s3cret"}
	if _, err := c.CreateOAuthClient(ctx, in); err != nil {
		t.Fatalf("first create: %v", err)
	}
	if _, err := c.CreateOAuthClient(ctx, in); err != nil {
		t.Fatalf("second create: %v", err)
	}
	if _, err := c.UpdateOAuthClient(ctx, testClientID, `"1"`, &OAuthClientPatch{Name: Set("Renamed")}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if _, err := c.GetOAuthClient(ctx, testClientID); err != nil {
		t.Fatalf("get: %v", err)
	}
	hits := rec.all()
	if len(hits) != 7 {
		t.Fatalf("%d requests, want 7", len(hits))
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.header.Get("Idempotency-Key")
	}
	first := keys[0]
	if !uuidPattern.MatchString(first) {
		t.Errorf("Idempotency-Key %q is not a random UUID", first)
	}
	if keys[1] != first || keys[2] != first {
		t.Errorf("the retries of one create carry keys %q, want %q on all three", keys[:3], first)
	}
	if hits[0].body != hits[2].body || !strings.Contains(hits[2].body, `"clientSecret":"s3cret"`) {
		t.Errorf("the retried body changed or is missing: %q then %q", hits[0].body, hits[2].body)
	}
	if keys[3] == first || keys[3] == "" {
		t.Errorf("a second create reused the key %q", keys[3])
	}
	if keys[4] == "" || keys[4] != keys[5] || keys[4] == first || keys[4] == keys[3] {
		t.Errorf("PATCH keys %q: want one new key on both attempts", keys[4:6])
	}
	if keys[6] != "" {
		t.Errorf("GET carries Idempotency-Key %q", keys[6])
	}
}

func TestNoRetryOnOtherAnswers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422, 501} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			ts, rec := serve(t, problemHandler(status, "no luck", FieldError{Field: "name", Detail: "must not be empty"}))
			_, err := newTestClient(t, ts.URL).CreateConnector(context.Background(), &ConnectorInput{Key: "k1", Name: "K"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.StatusCode != status || apiErr.Detail != "no luck" || len(apiErr.Errors) != 1 || apiErr.Errors[0].Field != "name" {
				t.Errorf("APIError = %+v", apiErr)
			}
			if n := rec.count(); n != 1 {
				t.Errorf("%d requests, want exactly 1", n)
			}
			if got := errors.Is(err, ErrNotFound); got != (status == 404) {
				t.Errorf("errors.Is(err, ErrNotFound) = %v", got)
			}
			if got := errors.Is(err, ErrPreconditionFailed); got != (status == 412) {
				t.Errorf("errors.Is(err, ErrPreconditionFailed) = %v", got)
			}
		})
	}
}

func TestMaxRetriesIsHonoured(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, problemHandler(503, "down for maintenance"))
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 4 })
	_, err := c.CreateOAuthClient(context.Background(), &OAuthClientInput{Name: "n", ConnectorID: testConnectorID, ConnectionDefinitionKey: "k", ClientID: "c"})
	if n := rec.count(); n != 5 {
		t.Errorf("%d requests, want 5 (MaxRetries 4 + 1)", n)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want the decoded *APIError", err)
	}
	if apiErr.StatusCode != 503 || apiErr.Detail != "down for maintenance" || apiErr.Attempts != 5 {
		t.Errorf("APIError = %+v", apiErr)
	}
	if want := "Service Unavailable (503): down for maintenance (gave up after 5 attempts)"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestNoRetriesWhenMaxRetriesIsZero(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, problemHandler(500, "boom"))
	_, err := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 0 }).Me(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v, want a 500 *APIError", err)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestConnectionErrorAfterLastAttempt(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, dropConnection)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	err := c.DeleteOAuthClient(context.Background(), testClientID, "")
	if err == nil {
		t.Fatal("no error")
	}
	if n := rec.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	msg := err.Error()
	if !strings.Contains(msg, "giving up after 3 attempts") || !strings.Contains(msg, "EOF") || !strings.HasPrefix(msg, "DELETE /oauth-clients/"+testClientID+": ") {
		t.Errorf("message %q does not name the call, the attempts and the cause", msg)
	}
	if !errors.Is(err, io.EOF) {
		t.Errorf("errors.Is(err, io.EOF) = false for %v", err)
	}
}

func TestIfMatchOnWrites(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t,
		jsonHandler(200, `"4"`, sampleConnector()),
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
		jsonHandler(200, `"8"`, sampleOAuthClient()),
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
		jsonHandler(201, `"1"`, sampleConnector()),
	)
	c := newTestClient(t, ts.URL)
	ctx := context.Background()
	conn, err := c.UpdateConnector(ctx, testConnectorID, `"3"`, &ConnectorPatch{Description: Null[string]()})
	if err != nil {
		t.Fatal(err)
	}
	if conn.ETag != `"4"` {
		t.Errorf("ETag = %q, want the answer's", conn.ETag)
	}
	if err := c.DeleteConnector(ctx, testConnectorID, `"4"`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateOAuthClient(ctx, testClientID, "", &OAuthClientPatch{Public: Set(false)}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteOAuthClient(ctx, testClientID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateConnector(ctx, &ConnectorInput{Key: "k1", Name: "K"}); err != nil {
		t.Fatal(err)
	}
	want := []struct{ method, path, ifMatch, contentType string }{
		{"PATCH", "/management/v1/connectors/" + testConnectorID, `"3"`, "application/merge-patch+json"},
		{"DELETE", "/management/v1/connectors/" + testConnectorID, `"4"`, ""},
		{"PATCH", "/management/v1/oauth-clients/" + testClientID, "", "application/merge-patch+json"},
		{"DELETE", "/management/v1/oauth-clients/" + testClientID, "", ""},
		{"POST", "/management/v1/connectors", "", "application/json"},
	}
	hits := rec.all()
	for i, w := range want {
		h := hits[i]
		_, sent := h.header["If-Match"]
		if h.method != w.method || h.path != w.path || h.header.Get("If-Match") != w.ifMatch || sent != (w.ifMatch != "") ||
			h.header.Get("Content-Type") != w.contentType {
			t.Errorf("request %d: %s %s If-Match %q Content-Type %q, want %+v", i, h.method, h.path, h.header.Get("If-Match"), h.header.Get("Content-Type"), w)
		}
	}
	if hits[0].body != `{"description":null}` || hits[2].body != `{"public":false}` {
		t.Errorf("PATCH bodies %q and %q", hits[0].body, hits[2].body)
	}
}

func TestUserAgentAndBearerOnEveryRequest(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, problemHandler(502, "gateway"), jsonHandler(200, `"1"`, sampleConnector()), problemHandler(404, "gone"))
	c := newTestClient(t, ts.URL)
	ctx := context.Background()
	if _, err := c.GetConnector(ctx, testConnectorID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteConnector(ctx, testConnectorID, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for i, h := range rec.all() {
		if ua := h.header.Get("User-Agent"); ua != "appxchange-client-test/1.0" {
			t.Errorf("request %d: User-Agent %q", i, ua)
		}
		if auth := h.header.Get("Authorization"); auth != "Bearer test-token" {
			t.Errorf("request %d: Authorization %q", i, auth)
		}
	}
}

func TestContextCancellationStopsTheWait(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, problemHandler(503, "busy"))
	c := newTestClient(t, ts.URL, func(cfg *Config) {
		cfg.RetryWaitMin, cfg.RetryWaitMax, cfg.MaxRetries = 10*time.Second, 10*time.Second, 5
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Me(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %s, not promptly", d)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	waitMin, waitMax := 10*time.Millisecond, 80*time.Millisecond
	for attempt := range 8 {
		ceiling := min(waitMin<<attempt, waitMax)
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoff(waitMin, waitMax, attempt, nil)
			if d < waitMin || d > ceiling {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, waitMin, ceiling)
			}
			seen[d] = true
		}
		if attempt > 0 && len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct waits; no jitter", attempt, len(seen))
		}
	}
	if d := backoff(time.Second, time.Minute, 1000, nil); d < time.Second || d > time.Minute {
		t.Errorf("attempt 1000: wait %s", d)
	}

	// backoffAfter is the wait after a 429 whose Retry-After header is v.
	backoffAfter := func(waitMin, waitMax time.Duration, v string) time.Duration {
		return backoff(waitMin, waitMax, 0, &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}})
	}
	for _, tc := range []struct {
		retryAfter string
		waitMax    time.Duration
		want       time.Duration
	}{
		{"2", time.Minute, 2 * time.Second},
		{"2", time.Second, time.Second},
		{"0", time.Minute, 0},
		{"99999999999999", time.Minute, time.Minute},
	} {
		if got := backoffAfter(time.Millisecond, tc.waitMax, tc.retryAfter); got != tc.want {
			t.Errorf("Retry-After %s, max %s: wait %s, want %s", tc.retryAfter, tc.waitMax, got, tc.want)
		}
	}
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	if got := backoffAfter(time.Millisecond, time.Minute, date); got < time.Second || got > 3*time.Second {
		t.Errorf("Retry-After %s: wait %s, want about 3s", date, got)
	}
	if got := backoffAfter(time.Millisecond, time.Millisecond, "soon"); got != time.Millisecond {
		t.Errorf("unparsable Retry-After: wait %s, want the backoff", got)
	}
}

func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	var conns, n atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			jsonHandler(200, `"1"`, sampleConnector())(w, r)
		case 1:
			problemHandler(404, "not here")(w, r)
		default:
			problemHandler(503, "busy")(w, r)
		}
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 5 })
	for range 30 {
		_, err := c.GetConnector(context.Background(), testConnectorID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
	}
	if n.Load() < 40 {
		t.Errorf("only %d requests; the 503s were not retried", n.Load())
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections for 30 sequential calls, want 1", got)
	}
	tr := newTransport()
	if tr.MaxIdleConnsPerHost < 32 || tr.IdleConnTimeout != 90*time.Second || tr.DisableKeepAlives {
		t.Errorf("transport: MaxIdleConnsPerHost %d, IdleConnTimeout %s, keep-alive %v", tr.MaxIdleConnsPerHost, tr.IdleConnTimeout, !tr.DisableKeepAlives)
	}
}
