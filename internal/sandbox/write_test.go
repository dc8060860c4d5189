package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"name": "Once", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecret": "s"}
	key := map[string]string{"Idempotency-Key": "create-once"}

	first := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	replay := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	if string(first.body) != string(replay.body) || replay.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("replay differs:\n%s\n%s\n%v", first.body, replay.body, replay.header)
	}
	if first.header.Get("ETag") != replay.header.Get("ETag") || first.header.Get("Location") != replay.header.Get("Location") {
		t.Fatalf("replayed headers differ: %v vs %v", first.header, replay.header)
	}
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	if list.TotalItems != 1 {
		t.Fatalf("a replay created another client: %d", list.TotalItems)
	}

	// The same key with another request is refused; another account has its own keys.
	body["name"] = "Twice"
	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: body, headers: key}), 422, "Idempotency-Key", "different request")
	e.must(http.StatusCreated, req{token: globex, method: "POST", path: clients, body: body, headers: key})

	// PATCH replays too: the second answer is the first one, even after a later change.
	var c OAuthClient
	first.decode(t, &c)
	patch := map[string]string{"Idempotency-Key": "rename-1"}
	p1 := e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"name": "A"}, headers: patch})
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"name": "B"}})
	p2 := e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"name": "A"}, headers: patch})
	if string(p1.body) != string(p2.body) {
		t.Fatalf("PATCH replay differs:\n%s\n%s", p1.body, p2.body)
	}
	var now OAuthClient
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID}).decode(t, &now)
	if now.Name != "B" {
		t.Fatalf("a replayed PATCH changed the client again: %q", now.Name)
	}

	// Refused requests are not stored: after fixing the cause, the same key goes through.
	bad := map[string]string{"Idempotency-Key": "fix-and-retry"}
	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: map[string]any{"name": "x"}, headers: bad}), 422, "clientId", "required")
	body["name"] = "Fixed"
	e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: bad})

	// Keys expire after 24 hours.
	e.srv.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	body["name"] = "Once"
	fresh := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	if fresh.header.Get("Idempotent-Replayed") != "" || string(fresh.body) == string(first.body) {
		t.Fatal("a key older than 24 hours was replayed")
	}
	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: body, headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}}), 400, "Idempotency-Key", "255")
}

func TestIdempotencyKeyLookup(t *testing.T) {
	e := newEnv(t)
	lookup := func(token, key string) *reply {
		return e.do(req{token: token, method: "GET", path: "/management/v1/idempotency-keys/" + url.PathEscape(key)})
	}
	record := func(key string) IdempotencyRecord {
		t.Helper()
		rep := lookup(acme, key)
		if rep.status != http.StatusOK {
			t.Fatalf("looking up %q: %d %s", key, rep.status, rep.body)
		}
		var rec IdempotencyRecord
		rep.decode(t, &rec)
		if rec.Key != key {
			t.Fatalf("looking up %q returned the record of %q", key, rec.Key)
		}
		created, err1 := time.Parse(time.RFC3339Nano, rec.CreatedAt)
		expires, err2 := time.Parse(time.RFC3339Nano, rec.ExpiresAt)
		if err1 != nil || err2 != nil || expires.Sub(created) != 24*time.Hour || time.Since(created) > time.Minute {
			t.Fatalf("record %q was created at %q and expires at %q", key, rec.CreatedAt, rec.ExpiresAt)
		}
		return rec
	}
	body := map[string]any{"name": "Looked up", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecret": "s"}

	// A create: the record holds its request and its response, headers and body.
	created := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: map[string]string{"Idempotency-Key": "create/1"}})
	rec := record("create/1")
	if rec.Method != "POST" || rec.Path != clients || rec.Response.Status != http.StatusCreated ||
		rec.Response.ETag != created.header.Get("ETag") || rec.Response.Location != created.header.Get("Location") ||
		string(rec.Response.Body) != strings.TrimSpace(string(created.body)) {
		t.Fatalf("the record of a create: %+v (body %s)\nthe create answered %v %s", rec, rec.Response.Body, created.header, created.body)
	}
	var c OAuthClient
	created.decode(t, &c)

	// An update keeps its own record; the record of the create stays as it was.
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"name": "Renamed"}, headers: map[string]string{"Idempotency-Key": "rename-1"}})
	if rec := record("rename-1"); rec.Method != "PATCH" || rec.Path != clients+"/"+c.ID || rec.Response.Status != http.StatusOK || rec.Response.ETag != `"2"` {
		t.Fatalf("the record of an update: %+v", rec)
	}
	if again := record("create/1"); string(again.Response.Body) != string(rec.Response.Body) {
		t.Fatalf("a later update changed the record of the create: %s", again.Response.Body)
	}
	conn := e.must(http.StatusCreated, req{token: acme, method: "POST", path: connectors, body: customConnector("looked-up"), headers: map[string]string{"Idempotency-Key": "connector-1"}})
	if rec := record("connector-1"); rec.Path != connectors || string(rec.Response.Body) != strings.TrimSpace(string(conn.body)) {
		t.Fatalf("the record of a connector's create: %+v", rec)
	}

	// No record: a key never sent, another account's key, a refused request, a request without the key.
	e.wantProblem(lookup(acme, "never-sent"), 404, "", "No request that your account sent with this Idempotency-Key")
	e.wantProblem(lookup(globex, "create/1"), 404, "", "No request")
	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: map[string]any{"name": "x"}, headers: map[string]string{"Idempotency-Key": "refused"}}), 422, "clientId", "required")
	e.wantProblem(lookup(acme, "refused"), 404, "", "No request")
	e.wantProblem(lookup(acme, strings.Repeat("k", 256)), 400, "key", "255")
	e.wantProblem(lookup("", "create/1"), 401, "", "")

	// A create committed and then answered by a fault is found, with the client it made.
	// It goes over a new connection: on a reused one net/http would send it again by
	// itself, as it does for requests with an Idempotency-Key.
	e.srv.faults = seededFaults(t, "POST", fault{status: 0, afterCommit: true})
	body["name"] = "Dropped after commit"
	fresh := *e
	fresh.client = &http.Client{Transport: newContractCheck(t, e.url, &http.Transport{DisableKeepAlives: true})}
	_, err := fresh.send(req{token: acme, method: "POST", path: clients, body: body, headers: map[string]string{"Idempotency-Key": "dropped"}})
	e.srv.faults.stop()
	if err == nil {
		t.Fatal("the faulted create was answered")
	}
	var made OAuthClient
	if err := json.Unmarshal(record("dropped").Response.Body, &made); err != nil || made.Name != "Dropped after commit" {
		t.Fatalf("the record of the dropped create holds %+v (%v)", made, err)
	}
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + made.ID})

	// Records are forgotten after 24 hours.
	e.srv.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	e.wantProblem(lookup(acme, "create/1"), 404, "", "No request")
}

func TestIfMatch(t *testing.T) {
	e := newEnv(t)
	c := e.createClient(acme, nil)
	path := clients + "/" + c.ID
	v1 := e.must(http.StatusOK, req{token: acme, method: "GET", path: path}).header.Get("ETag")
	v2 := e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": v1}, body: map[string]any{"name": "two"}}).header.Get("ETag")
	// A change based on the old version is refused and changes nothing.
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": v1}, body: map[string]any{"name": "lost"}}), 412, "", "changed since it was read")
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: path, headers: map[string]string{"If-Match": v1}}), 412, "", "changed since it was read")
	var now OAuthClient
	e.must(http.StatusOK, req{token: acme, method: "GET", path: path}).decode(t, &now)
	if now.Name != "two" {
		t.Fatalf("name %q after a refused update", now.Name)
	}
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": `"999", ` + v2}, body: map[string]any{"name": "three"}})
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": "*"}, body: map[string]any{"name": "four"}})

	conn := e.createConnector(acme, customConnector("etag-check"))
	cv := e.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "/" + conn.ID}).header.Get("ETag")
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: connectors + "/" + conn.ID, headers: map[string]string{"If-Match": cv}, body: map[string]any{"name": "n2"}})
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: connectors + "/" + conn.ID, headers: map[string]string{"If-Match": cv}, body: map[string]any{"name": "n3"}}), 412, "", "connector changed")
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: connectors + "/" + conn.ID, headers: map[string]string{"If-Match": cv}}), 412, "", "connector changed")
}

// seededFaults returns faults whose first pick for method is want, found by trying seeds.
func seededFaults(t *testing.T, method string, want fault) *faults {
	t.Helper()
	for seed := uint64(1); seed < 10000; seed++ {
		if got, ok := newFaults(1, seed).pick(method); ok && got == want {
			return newFaults(1, seed)
		}
	}
	t.Fatalf("no seed gives %+v", want)
	return nil
}

func (f *faults) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = 0
}

func TestFaultAfterCommitThenRetry(t *testing.T) {
	e := newEnv(t)
	e.srv.faults = seededFaults(t, "POST", fault{status: 500, afterCommit: true})
	body := map[string]any{"name": "Retried", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecret": "s"}
	key := map[string]string{"Idempotency-Key": "retry-me"}

	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: body, headers: key}), 500, "", "transient fault")
	e.srv.faults.stop()
	// The write was committed before the fault: the retry returns it, and creates nothing.
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	if list.TotalItems != 1 {
		t.Fatalf("the faulted request left %d clients, want the 1 it committed", list.TotalItems)
	}
	retry := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	var c OAuthClient
	retry.decode(t, &c)
	if c.ID != list.Items[0].ID || retry.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry answered %s, want the committed client %s", retry.body, list.Items[0].ID)
	}
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	if list.TotalItems != 1 {
		t.Fatalf("the retry made %d clients", list.TotalItems)
	}
	st := e.srv.stats.snapshot()
	if st.Faults != 1 || st.Requests["POST /management/v1/oauth-clients 500"] != 1 || st.Requests["POST /management/v1/oauth-clients 201"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultKinds(t *testing.T) {
	for _, f := range []fault{{status: 503}, {status: 502}, {status: 429}, {status: 0}, {status: 0, afterCommit: true}} {
		t.Run(strconv.Itoa(f.status)+map[bool]string{true: " after commit", false: ""}[f.afterCommit], func(t *testing.T) {
			e := newEnv(t)
			method := "GET"
			r := req{token: acme, method: "GET", path: clients}
			if f.afterCommit {
				method = "POST"
				r = req{token: acme, method: "POST", path: connectors, body: customConnector("dropped-after")}
			}
			e.srv.faults = seededFaults(t, method, f)
			rep, err := e.send(r)
			e.srv.faults.stop()
			switch f.status {
			case 0:
				dropped := err != nil && (errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"))
				if !dropped {
					t.Fatalf("want a dropped connection, got %v %+v", err, rep)
				}
				// The server counts the drop after it closed the connection: wait for it.
				key := r.method + " " + r.path + " dropped"
				deadline := time.Now().Add(5 * time.Second)
				for e.srv.stats.snapshot().Requests[key] != 1 {
					if time.Now().After(deadline) {
						t.Fatalf("stats %+v, want %q counted once", e.srv.stats.snapshot(), key)
					}
					time.Sleep(10 * time.Millisecond)
				}
			default:
				e.wantProblem(rep, f.status, "", "transient fault")
				if f.status == 429 && rep.header.Get("Retry-After") != "1" {
					t.Fatalf("429 fault without Retry-After: %v", rep.header)
				}
			}
			if f.afterCommit {
				// The connector exists although its creation was never answered.
				var list page[Connector]
				e.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "?key=dropped-after"}).decode(t, &list)
				if list.TotalItems != 1 {
					t.Fatal("the write behind a dropped connection was not committed")
				}
			}
		})
	}
}

func TestFaultRate(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FaultRate = 0.3; c.FaultSeed = 42 })
	failed := 0
	for range 200 {
		rep, err := e.send(req{token: acme, method: "GET", path: "/management/v1/me"})
		if err != nil || rep.status != 200 {
			failed++
		}
	}
	// Go's transport retries a GET on a dropped connection by itself, so the
	// server may have seen, and faulted, a few more requests than were sent.
	st := e.srv.stats.snapshot()
	if rate := float64(st.Faults) / float64(st.Total); rate < 0.2 || rate > 0.4 || failed == 0 || failed > st.Faults {
		t.Fatalf("%d of %d requests faulted at rate 0.3 (%d failed at the client); stats %+v", st.Faults, st.Total, failed, st)
	}
	// The token endpoint is never faulted.
	for range 30 {
		if rep := e.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "acme-automation-secret"); rep.status != http.StatusOK {
			t.Fatalf("/oauth/token answered %d under -faults: %s", rep.status, rep.body)
		}
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateLimit = 3 })
	// A frozen clock: the bucket refills only when the test says so.
	frozen := time.Now()
	e.srv.now = func() time.Time { return frozen }
	for range 3 {
		e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	}
	rep := e.do(req{token: acme, method: "GET", path: "/management/v1/me"})
	e.wantProblem(rep, 429, "", "Retry-After")
	if ra, err := strconv.Atoi(rep.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After = %q", rep.header.Get("Retry-After"))
	}
	// The limit is per account.
	e.must(http.StatusOK, req{token: globex, method: "GET", path: "/management/v1/me"})
	// The bucket refills with time.
	e.srv.now = func() time.Time { return frozen.Add(time.Second) }
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	if got := e.srv.stats.snapshot().Requests["GET /management/v1/me 429"]; got != 1 {
		t.Fatalf("429s counted: %d", got)
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Latency = 150 * time.Millisecond })
	start := time.Now()
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered in %v with 150ms of latency", d)
	}
}

// TestLatencyAfterCommit: half of the latency comes after the handler, so a caller
// that gives up in that half leaves a write that was made and never answered.
func TestLatencyAfterCommit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Latency = time.Second })
	body := map[string]any{"name": "Unanswered", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c"}
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 750*time.Millisecond)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, "POST", e.url+clients, bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+acme)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Idempotency-Key", "unanswered")
	if resp, err := e.client.Do(hr); err == nil {
		resp.Body.Close()
		t.Fatalf("answered %s within 750ms of a 1s latency", resp.Status)
	}
	var rec IdempotencyRecord
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/idempotency-keys/unanswered"}).decode(t, &rec)
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	if list.TotalItems != 1 || rec.Response.Status != http.StatusCreated {
		t.Fatalf("after the unanswered create: %d clients, record %+v", list.TotalItems, rec)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusNoContent, req{method: "POST", path: "/_sandbox/stats/reset"})
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients})
	c := e.createClient(acme, nil)
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID})
	e.do(req{method: "GET", path: clients + "/" + c.ID})
	e.token(nil, "acme-automation", "acme-automation-secret")
	e.do(req{token: acme, method: "GET", path: "/management/v1/nothing-here"})
	var st Stats
	e.must(http.StatusOK, req{method: "GET", path: "/_sandbox/stats"}).decode(t, &st)
	want := map[string]int{
		"GET /management/v1/me 200":                 1,
		"GET /management/v1/oauth-clients 200":      1,
		"POST /management/v1/oauth-clients 201":     1,
		"GET /management/v1/oauth-clients/{id} 200": 1,
		"GET /management/v1/oauth-clients/{id} 401": 1,
		"POST /oauth/token 400":                     1,
		"GET (no route) 404":                        1,
	}
	if st.Total != 7 || len(st.Requests) != len(want) {
		t.Fatalf("stats %+v, want %v", st, want)
	}
	for k, v := range want {
		if st.Requests[k] != v {
			t.Errorf("%s: %d, want %d", k, st.Requests[k], v)
		}
	}
	e.must(http.StatusNoContent, req{method: "POST", path: "/_sandbox/stats/reset"})
	var after Stats
	e.must(http.StatusOK, req{method: "GET", path: "/_sandbox/stats"}).decode(t, &after)
	if after.Total != 0 || len(after.Requests) != 0 {
		t.Fatalf("after reset: %+v", after)
	}

	// Only loopback callers reach the sandbox endpoints.
	for _, path := range []string{"/_sandbox/stats", "/_sandbox/stats/reset"} {
		method := map[bool]string{true: "GET", false: "POST"}[strings.HasSuffix(path, "stats")]
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr = "192.0.2.7:51234"
		e.srv.Handler().ServeHTTP(rec, r)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s %s from 192.0.2.7: %d", method, path, rec.Code)
		}
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := newEnv(t)
	rep := e.do(req{token: acme, method: "PUT", path: clients})
	e.wantProblem(rep, 405, "", "PUT is not allowed")
	if allow := rep.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Fatalf("Allow = %q", allow)
	}
	e.wantProblem(e.do(req{token: acme, method: "GET", path: "/management/v2/things"}), 404, "", "No API route")
}

func TestMalformedBodies(t *testing.T) {
	e := newEnv(t)
	c := e.createClient(acme, nil)
	for name, tc := range map[string]struct {
		path, body, field, says string
	}{
		"not JSON":          {clients, `{"name":`, "", "truncated"},
		"syntax error":      {clients, `{"name" "x"}`, "", "not valid JSON"},
		"array":             {clients, `[]`, "", "JSON object"},
		"empty":             {clients, ``, "", "empty"},
		"unknown field":     {clients, `{"name":"x","secret":"y"}`, "secret", "Unknown field"},
		"wrong type":        {clients, `{"name":42}`, "name", "expected a string"},
		"wrong nested type": {connectors, `{"key":"k1","name":"n","connectionDefinitions":[{"key":"a","title":"t","authType":"basic","properties":[{"required":"yes"}]}]}`, "connectionDefinitions.properties.required", "a boolean"},
		"two values":        {clients, `{"name":"x"} {}`, "", "more than one JSON value"},
		"patch wrong type":  {clients + "/" + c.ID, `{"public":"yes"}`, "public", "a boolean"},
		"patch scopes type": {clients + "/" + c.ID, `{"scopes":"openid"}`, "scopes", "an array"},
		"too large":         {clients, `{"name":"` + strings.Repeat("x", maxBodyBytes) + `"}`, "", "larger than"},
	} {
		t.Run(name, func(t *testing.T) {
			method := "POST"
			if strings.Count(tc.path, "/") > 3 {
				method = "PATCH"
			}
			e.wantProblem(e.do(req{token: acme, method: method, path: tc.path, body: tc.body}), 400, tc.field, tc.says)
		})
	}
	hr, _ := http.NewRequest("POST", e.url+clients, strings.NewReader(`name=x`))
	hr.Header.Set("Authorization", "Bearer "+acme)
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.client.Do(hr)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("form body: %v %v", err, resp)
	}
	resp.Body.Close()
}
