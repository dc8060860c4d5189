package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestClientAddr(t *testing.T) {
	trusted, err := parsePrefixes("127.0.0.1, 10.0.0.0/8,::1")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		"no proxy trusted: the header is the client's own words": {nil, "127.0.0.1:5000", []string{"203.0.113.5"}, "127.0.0.1"},
		"a trusted proxy names the client":                       {trusted, "127.0.0.1:5000", []string{"203.0.113.5"}, "203.0.113.5"},
		"past a chain of trusted proxies":                        {trusted, "127.0.0.1:5000", []string{"203.0.113.5, 10.1.2.3", "10.0.0.9"}, "203.0.113.5"},
		"what the client wrote left of it is ignored":            {trusted, "127.0.0.1:5000", []string{"198.51.100.1, 203.0.113.5"}, "203.0.113.5"},
		"an untrusted peer's header is ignored":                  {trusted, "192.0.2.7:5000", []string{"127.0.0.1"}, "192.0.2.7"},
		"a trusted proxy without the header is the client":       {trusted, "127.0.0.1:5000", nil, "127.0.0.1"},
		"an entry no proxy writes stops the walk":                {trusted, "127.0.0.1:5000", []string{"203.0.113.5, 10.0.0.2, not-an-address"}, "127.0.0.1"},
		"IPv6 and mapped IPv4":                                   {trusted, "[::1]:5000", []string{"2001:db8::7, ::ffff:10.0.0.3"}, "2001:db8::7"},
	} {
		s := &Server{cfg: Config{TrustedProxies: tc.trusted}}
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientAddr(r); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}

// TestTrustedProxies: behind a trusted proxy, the throttle of failed
// authentications holds back the client that failed, not every client of the
// proxy, and /_sandbox answers only the clients on this host.
func TestTrustedProxies(t *testing.T) {
	send := func(m *mainProcess, path, token, client string) int {
		t.Helper()
		r, err := http.NewRequest(http.MethodGet, "http://"+m.addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer "+token)
		if client != "" {
			r.Header.Set("X-Forwarded-For", client)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	guess := func(m *mainProcess, client string) {
		t.Helper()
		for i := range authFailureBurst + 1 {
			send(m, "/management/v1/me", fmt.Sprintf("guess-%d", i), client)
		}
	}

	proxied := startMain(t, "-trusted-proxies", "127.0.0.1")
	guess(proxied, "203.0.113.5")
	if got := send(proxied, "/management/v1/me", acme, "203.0.113.5"); got != http.StatusTooManyRequests {
		t.Fatalf("the guessing client: %d, want 429", got)
	}
	if got := send(proxied, "/management/v1/me", acme, "198.51.100.9"); got != http.StatusOK {
		t.Fatalf("another client of the same proxy: %d, want 200", got)
	}
	if got := send(proxied, "/_sandbox/stats", "", "203.0.113.5"); got != http.StatusForbidden {
		t.Fatalf("/_sandbox/stats for a remote client through the proxy: %d, want 403", got)
	}
	if got := send(proxied, "/_sandbox/stats", "", ""); got != http.StatusOK {
		t.Fatalf("/_sandbox/stats for the proxy's own host: %d, want 200", got)
	}

	// Without -trusted-proxies the header is ignored: a client cannot dodge the
	// throttle by naming another address, and cannot reach /_sandbox by naming loopback.
	direct := startMain(t)
	guess(direct, "203.0.113.5")
	if got := send(direct, "/management/v1/me", acme, "198.51.100.9"); got != http.StatusTooManyRequests {
		t.Fatalf("a guessing client naming another address: %d, want 429", got)
	}

	var stderr syncBuffer
	if code := Main(context.Background(), []string{"-data", ":memory:", "-trusted-proxies", "10.0.0.0/8,proxy.internal"}, io.Discard, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `-trusted-proxies: "proxy.internal" is neither an IP address nor a CIDR prefix`) {
		t.Fatalf("a host name in -trusted-proxies: exit %d, %q", code, stderr.String())
	}
}

func TestThrottleKey(t *testing.T) {
	for addr, want := range map[string]string{
		"203.0.113.5":           "203.0.113.5",
		"::ffff:203.0.113.5":    "::ffff:203.0.113.5",
		"2001:db8:1:2:aaaa::1":  "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::99": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":       "2001:db8:1:3::/64",
		"not an address":        "not an address",
	} {
		if got := throttleKey(addr); got != want {
			t.Errorf("throttleKey(%q) = %q, want %q", addr, got, want)
		}
	}
	// Addresses of one /64 share their failures.
	f := newFailures()
	now := time.Now()
	for i := range authFailureBurst {
		f.fail(fmt.Sprintf("2001:db8:1:2::%x", i+1), now)
	}
	if _, blocked := f.blocked("2001:db8:1:2::ffff", now); !blocked {
		t.Fatal("a fresh address of a /64 that spent its failures is not held back")
	}
	if _, blocked := f.blocked("2001:db8:1:3::1", now); blocked {
		t.Fatal("another /64 is held back")
	}
}
