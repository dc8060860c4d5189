package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mainProcess is the sandbox command run in-process by Main, on a free loopback port.
type mainProcess struct {
	addr   string // host:port
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startMain runs Main with args after -listen and -data; the test's end stops it.
func startMain(t *testing.T, args ...string) *mainProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, in := io.Pipe()
	m := &mainProcess{stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		m.done <- Main(ctx, append([]string{"-listen", "127.0.0.1:0", "-data", ":memory:"}, args...), in, m.stderr)
		in.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-m.done
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the sandbox printed no first line: %v\nstderr: %s", err, m.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	m.addr = strings.TrimPrefix(strings.TrimSpace(line), "appxchange sandbox listening on http://")
	return m
}

// dial opens a connection to m that the test's end closes.
func (m *mainProcess) dial(t *testing.T) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", m.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// getMe is a request for /management/v1/me, kept alive.
func getMe(addr string) string {
	return "GET /management/v1/me HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + acme + "\r\n\r\n"
}

// exchange sends raw on conn and reads one answer, its body included, for its status;
// the deadline only keeps a broken server from hanging the test.
func exchange(t *testing.T, conn net.Conn, br *bufio.Reader, raw string) int {
	t.Helper()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMainRefusesLargeHeaders: net/http refuses a request whose headers pass the
// limit before the sandbox reads them.
func TestMainRefusesLargeHeaders(t *testing.T) {
	m := startMain(t)
	conn := m.dial(t)
	big := "GET /management/v1/me HTTP/1.1\r\nHost: " + m.addr + "\r\nAuthorization: Bearer " + strings.Repeat("t", 2*maxHeaderBytes) + "\r\n\r\n"
	if status := exchange(t, conn, bufio.NewReader(conn), big); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("headers of %d bytes: status %d, want 431", len(big), status)
	}
}

// TestMainClosesIdleConnections: a keep-alive connection that sends nothing more is
// closed by the server after -idle-timeout.
func TestMainClosesIdleConnections(t *testing.T) {
	m := startMain(t, "-idle-timeout", "200ms")
	conn := m.dial(t)
	br := bufio.NewReader(conn)
	if status := exchange(t, conn, br, getMe(m.addr)); status != http.StatusOK {
		t.Fatalf("GET /me: status %d", status)
	}
	if err := conn.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("reading an idle connection: %v, want the server to close it (EOF)", err)
	}
}

// TestMainCutsSlowBodies: a body sent a byte at a time is cut off at -read-timeout,
// long before its last byte.
func TestMainCutsSlowBodies(t *testing.T) {
	const length = 60
	m := startMain(t, "-read-timeout", "300ms")
	conn := m.dial(t)
	head := fmt.Sprintf("POST /oauth/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", m.addr, length)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		_, _ = io.Copy(io.Discard, conn)
	}()
	for sent := 0; sent < length; sent++ {
		select {
		case <-answered:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := conn.Write([]byte("g")); err != nil {
			return
		}
	}
	t.Fatalf("the server took all %d bytes of a body sent at one byte per 100ms with -read-timeout 300ms", length)
}

// TestMainCapsConnections: beyond -max-connections, a connection is not served until
// another one closes.
func TestMainCapsConnections(t *testing.T) {
	m := startMain(t, "-max-connections", "2")
	var open []net.Conn
	for range 2 {
		conn := m.dial(t)
		if status := exchange(t, conn, bufio.NewReader(conn), getMe(m.addr)); status != http.StatusOK {
			t.Fatalf("GET /me: status %d", status)
		}
		open = append(open, conn)
	}
	third := m.dial(t)
	if err := third.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(third, getMe(m.addr)); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(third), nil)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a third connection was served while two were open (error %v)", err)
	case <-time.After(time.Second):
	}
	open[0].Close()
	if err := <-answered; err != nil {
		t.Fatalf("the third connection, after one of the two closed: %v", err)
	}
}

// TestMainStopsDespiteStalledUpload: on SIGTERM (ctx done), a request whose body
// stalls gets the shutdown grace, then its connection is closed, and the exit code
// is 0. The Expect header makes the server say when the handler reads the body, so
// the request is in progress when the stop comes.
func TestMainStopsDespiteStalledUpload(t *testing.T) {
	m := startMain(t, "-shutdown-grace", "200ms")
	conn := m.dial(t)
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	head := "POST /oauth/token HTTP/1.1\r\nHost: " + m.addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	if _, err := io.WriteString(conn, "grant_type=cl"); err != nil {
		t.Fatal(err)
	}
	m.cancel()
	select {
	case code := <-m.done:
		m.done <- code // for the cleanup
		if code != 0 {
			t.Fatalf("exit code %d after a stop during a stalled upload, want 0\nstderr: %s", code, m.stderr)
		}
	case <-time.After(time.Minute):
		t.Fatal("Main did not return within a minute of the stop, with -shutdown-grace 200ms")
	}
}

// TestMainRefusesFlagsOutOfRange: numbers that pass a careless check, such as NaN,
// stop the command with a message that names the flag and its range. The context is
// done already, so that a command that takes such a flag stops at once.
func TestMainRefusesFlagsOutOfRange(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"-faults", "NaN"}, 1, "(-faults) must be a number between 0 and 1, not NaN"},
		{[]string{"-faults", "+Inf"}, 1, "(-faults) must be a number between 0 and 1, not +Inf"},
		{[]string{"-faults", "-0.1"}, 1, "(-faults) must be a number between 0 and 1"},
		{[]string{"-rate-limit", "NaN"}, 1, "(-rate-limit) must be a number of requests per second between 0 (unlimited) and 1e+06, not NaN"},
		{[]string{"-rate-limit", "Inf"}, 1, "(-rate-limit) must be a number of requests per second between 0 (unlimited) and 1e+06, not +Inf"},
		{[]string{"-rate-limit", "-1"}, 1, "(-rate-limit) must be a number of requests per second"},
		{[]string{"-latency", "-1s"}, 1, "(-latency) must be 0 or more"},
		{[]string{"-read-timeout", "0s"}, 2, "-read-timeout must be more than 0"},
		{[]string{"-idle-timeout", "-1s"}, 2, "-idle-timeout must be more than 0"},
		{[]string{"-write-timeout", "0s"}, 2, "-write-timeout must be more than 0"},
		{[]string{"-shutdown-grace", "0s"}, 2, "-shutdown-grace must be more than 0"},
		{[]string{"-max-connections", "0"}, 2, "-max-connections must be at least 1"},
	} {
		var stderr syncBuffer
		args := append([]string{"-listen", "127.0.0.1:0", "-data", ":memory:"}, tc.args...)
		if code := Main(done, args, io.Discard, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.says)
		}
	}
}

// TestMethodsOutsideHTTPShareOneName: methods that HTTP does not define are counted
// under one name, and neither the stats, the log nor the answer repeat them whole.
func TestMethodsOutsideHTTPShareOneName(t *testing.T) {
	e := newEnv(t)
	for _, c := range "AB" {
		method := strings.Repeat(string(c), 60<<10)
		p := e.wantProblem(e.do(req{token: acme, method: method, path: "/management/v1/me"}), 405, "", "is not allowed here")
		if len(p.Detail) > 2*maxEchoed {
			t.Errorf("the detail repeats %d bytes of the method", len(p.Detail))
		}
	}
	e.do(req{token: acme, method: "GET", path: "/management/v1/nothing-here"})
	st := e.srv.stats.snapshot()
	want := map[string]int{"OTHER (no route) 405": 2, "GET (no route) 404": 1}
	if len(st.Requests) != len(want) || st.Requests["OTHER (no route) 405"] != 2 || st.Requests["GET (no route) 404"] != 1 {
		keys := make([]string, 0, len(st.Requests))
		for k := range st.Requests {
			keys = append(keys, clip(k))
		}
		t.Errorf("stats keys %q, want %v", keys, want)
	}
	if log := e.logs.String(); strings.Contains(log, strings.Repeat("A", 200)) || !strings.Contains(log, "method=OTHER") {
		t.Errorf("the log names the method other than OTHER: %d bytes", len(log))
	}
}

// TestOddPathsGetProblems: a path with empty, . or .. segments is answered with a
// problem naming its clean form, not with the mux's HTML redirect.
func TestOddPathsGetProblems(t *testing.T) {
	e := newEnv(t)
	client := *e.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e.client = &client
	for path, clean := range map[string]string{
		"/management/v1/../management/v1/me": "/management/management/v1/me",
		"/management/v2/../v1/me":            "/management/v1/me",
		"//management/v1/me":                 "/management/v1/me",
		"/management/v1/./me":                "/management/v1/me",
		"/oauth//token":                      "/oauth/token",
	} {
		rep := e.do(req{token: acme, method: "GET", path: path})
		if loc := rep.header.Get("Location"); loc != "" {
			t.Errorf("%s: Location %q", path, loc)
		}
		e.wantProblem(rep, http.StatusNotFound, "", "send it as "+clean+".")
	}
}

// TestFailedAuthenticationsAreThrottled: each way of failing to authenticate spends
// one of the address's failures; once they are spent, the address is refused even
// with good credentials until the bucket refills, while other addresses are served.
// The throttle holds without -rate-limit.
func TestFailedAuthenticationsAreThrottled(t *testing.T) {
	goodToken := func(e *env) *reply { return e.do(req{token: acme, method: "GET", path: "/management/v1/me"}) }
	goodSecret := func(e *env) *reply {
		return e.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "acme-automation-secret")
	}
	for name, tc := range map[string]struct {
		fail func(e *env, i int) *reply
		good func(e *env) *reply
	}{
		"bogus tokens": {
			fail: func(e *env, i int) *reply {
				return e.do(req{token: "bogus-" + strconv.Itoa(i), method: "GET", path: "/management/v1/me"})
			},
			good: goodToken,
		},
		"no token": {
			fail: func(e *env, _ int) *reply { return e.do(req{method: "GET", path: clients}) },
			good: goodToken,
		},
		"wrong client secrets": {
			fail: func(e *env, i int) *reply {
				return e.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "guess-"+strconv.Itoa(i))
			},
			good: goodSecret,
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			frozen := time.Now()
			e.srv.now = func() time.Time { return frozen }
			for i := range authFailureBurst {
				if rep := tc.fail(e, i); rep.status != http.StatusUnauthorized {
					t.Fatalf("failure %d: status %d, want 401; body %s", i+1, rep.status, rep.body)
				}
			}
			e.wantProblem(tc.good(e), http.StatusTooManyRequests, "", "Too many failed authentications from this address")
			if ra := tc.good(e).header.Get("Retry-After"); ra != "1" {
				t.Errorf("Retry-After %q, want 1", ra)
			}
			if rep := tc.fail(e, -1); rep.status != http.StatusTooManyRequests {
				t.Errorf("a failure while throttled: status %d, want 429", rep.status)
			}
			rec := httptest.NewRecorder()
			other := httptest.NewRequest("GET", "/management/v1/me", nil)
			other.Header.Set("Authorization", "Bearer "+acme)
			other.RemoteAddr = "192.0.2.7:51234"
			e.srv.Handler().ServeHTTP(rec, other)
			if rec.Code != http.StatusOK {
				t.Errorf("another address: status %d, want 200", rec.Code)
			}
			// A second refills one failure; a success spends none.
			e.srv.now = func() time.Time { return frozen.Add(time.Second) }
			for range 3 {
				if rep := tc.good(e); rep.status != http.StatusOK {
					t.Fatalf("good credentials a second later: status %d; body %s", rep.status, rep.body)
				}
			}
			if rep := tc.fail(e, -2); rep.status != http.StatusUnauthorized {
				t.Errorf("the refilled failure: status %d, want 401", rep.status)
			}
			if rep := tc.fail(e, -3); rep.status != http.StatusTooManyRequests {
				t.Errorf("a second failure within the second: status %d, want 429", rep.status)
			}
		})
	}
}

// TestBucketsAreBounded: a set of buckets never holds more than its bound of keys;
// full buckets, the same as none, are forgotten before those in use.
func TestBucketsAreBounded(t *testing.T) {
	now := time.Now()
	bs := newBuckets(1, 10, 4)
	bs.at("busy", now).tokens = 0
	for _, key := range []string{"a", "b", "c", "d"} {
		bs.at(key, now)
	}
	if b := bs.existing("busy", now); b == nil || b.tokens != 0 {
		t.Fatalf("the bucket in use was forgotten for full ones: %+v", b)
	}
	if len(bs.byKey) != 2 {
		t.Errorf("%d keys after forgetting the full ones, want busy and d", len(bs.byKey))
	}

	f := newFailures()
	for i := range 3 * maxBuckets {
		f.fail(fmt.Sprintf("192.0.%d.%d", i/256, i%256), now)
		if n := len(f.buckets.byKey); n > maxBuckets {
			t.Fatalf("%d addresses kept after %d failed, bound %d", n, i+1, maxBuckets)
		}
	}
}

// TestTimestampYears: a timestamp must be in the years 0001 to 9999 in UTC, which an
// offset can leave although its text is in range.
func TestTimestampYears(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ at, says string }{
		{"9999-12-31T23:30:00-01:00", "(the year 10000 in UTC)"},
		{"0001-01-01T00:30:00+01:00", "(the year 0 in UTC)"},
	} {
		body := map[string]any{"name": "Expiring", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecretExpiresAt": tc.at}
		e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: body}), http.StatusUnprocessableEntity,
			"clientSecretExpiresAt", `must be a year from 0001 to 9999 in UTC, not "`+tc.at+`" `+tc.says)
	}
	for _, at := range []string{"9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "0001-01-01T00:30:00-01:00"} {
		c := e.createClient(acme, map[string]any{"clientSecretExpiresAt": at})
		e.wantProblem(e.do(req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"clientSecretExpiresAt": "9999-12-31T23:00:00-02:00"}}),
			http.StatusUnprocessableEntity, "clientSecretExpiresAt", "must be a year from 0001 to 9999 in UTC")
	}
}
