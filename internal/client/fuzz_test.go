package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// problemSeeds are answers of the API and of what may stand in front of it: problem
// bodies, a proxy's HTML page, empty and malformed bodies.
var problemSeeds = []struct {
	status      int
	contentType string
	body        string
}{
	{404, "application/problem+json", `{"type":"about:blank","title":"Not Found","status":404,"detail":"No OAuth client with this id is visible to your account."}`},
	{422, "application/problem+json", `{"title":"Unprocessable Entity","status":422,"detail":"The request breaks 2 rules; see errors.","errors":[{"field":"name","detail":"is required"},{"field":"scopes[1]","detail":"repeats the scope \"openid\""}]}`},
	{412, "application/problem+json; charset=utf-8", `{"title":"Precondition Failed","status":412,"detail":"The object changed since it was read."}`},
	{409, "application/json", `{"title":"Conflict","detail":"The connector is used by 3 OAuth clients."}`},
	{403, "application/problem+json", `{"title":"Forbidden","detail":"Only the owner of the connector may make a client public.","errors":null}`},
	{500, "application/problem+json", `{"title":"","detail":""}`},
	{502, "text/html", `<html><body><h1>502 Bad Gateway</h1></body></html>`},
	{503, "", ``},
	{429, "application/problem+json", `{"title":"Too Many Requests","errors":[null,{"field":7}]}`},
	{400, "application/problem+json", `{"title":"Bad \u001b[31mRequest\u001b[0m","detail":"line one\nline two\u202e"}`},
	{401, "application/problem+json", `[1,2,3]`},
	{404, "application/problem+json", `{"title":"Not Found"`},
	{599, "application/problem+json;;", `{"title":"Odd"}`},
	{200, "application/json", `{"id":"` + testClientID + `","name":"n"}`},
	{200, "application/json", `{"items":[],"pageIndex":0}`},
	{204, "", ``},
	{302, "text/plain", `moved`},
}

// FuzzAPIError decodes arbitrary answers that are not 2xx: each gives an *APIError
// that keeps the status, matches ErrNotFound and ErrPreconditionFailed exactly for
// 404 and 412, loses no part of the problem, and whose message is safe to print.
func FuzzAPIError(f *testing.F) {
	for _, s := range problemSeeds {
		f.Add(s.status, s.contentType, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": []string{contentType}}}
		e := newAPIError(resp, body, redactor{})
		if e == nil || e.StatusCode != status || e.Title == "" {
			t.Fatalf("status %d, %q: got %#v", status, contentType, e)
		}
		checkStatusErrors(t, fmt.Errorf("wrapped: %w", e), status)
		msg := e.Error()
		if !strings.Contains(msg, fmt.Sprintf("(%d)", status)) || !strings.Contains(msg, e.Title) {
			t.Errorf("the message %q does not name the status %d and the title %q", msg, status, e.Title)
		}
		if !strings.Contains(msg, strings.TrimSuffix(e.Detail, ".")) {
			t.Errorf("the message %q loses the detail %q", msg, e.Detail)
		}
		for _, fe := range e.Errors {
			if !strings.Contains(msg, fe.Detail) || !strings.Contains(msg, fe.Field) {
				t.Errorf("the message %q loses the field error %+v", msg, fe)
			}
		}
		// The provider turns the fields into attribute paths and prints the rest.
		checkPrintable(t, msg)
		for _, fe := range e.Errors {
			checkPrintable(t, fe.Field)
		}
	})
}

// checkStatusErrors checks the sentinel errors that err matches for an answer of status.
func checkStatusErrors(t *testing.T, err error, status int) {
	t.Helper()
	if errors.Is(err, ErrNotFound) != (status == http.StatusNotFound) {
		t.Errorf("status %d: errors.Is(ErrNotFound) = %v", status, errors.Is(err, ErrNotFound))
	}
	if errors.Is(err, ErrPreconditionFailed) != (status == http.StatusPreconditionFailed) {
		t.Errorf("status %d: errors.Is(ErrPreconditionFailed) = %v", status, errors.Is(err, ErrPreconditionFailed))
	}
}

// checkPrintable fails on text that a terminal would not show as it is: invalid
// UTF-8, control characters (escape sequences, line breaks) and bidirectional
// controls, which can make a message read differently from what it holds.
func checkPrintable(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%q holds the control character %U", s, r)
			return
		}
	}
}

// FuzzClientAnswers sends arbitrary answers through the whole client: every call
// ends with a value or an error, never a panic; a value only for a 2xx answer that
// holds what the API promises, and an *APIError of the same status for any other.
func FuzzClientAnswers(f *testing.F) {
	for _, s := range problemSeeds {
		f.Add(s.status, s.contentType, []byte(s.body))
	}
	var (
		mu     sync.Mutex
		answer struct {
			status      int
			contentType string
			body        []byte
		}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if answer.contentType != "" {
			w.Header().Set("Content-Type", answer.contentType)
		}
		w.WriteHeader(answer.status)
		_, _ = w.Write(answer.body)
	}))
	f.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/management/v1", AccessToken: "fuzz-token", MaxRetries: 0, RequestTimeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		// Statuses a server can send as the final answer; 1xx are interim.
		status = 200 + (status%400+400)%400
		mu.Lock()
		answer.status, answer.contentType, answer.body = status, contentType, body
		mu.Unlock()
		got, err := c.GetOAuthClient(context.Background(), testClientID)
		// A Content-Type with control characters makes the answer malformed: the
		// transport refuses it, and that error is all there is to check.
		malformed := strings.ContainsFunc(contentType, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f })
		var apiErr *APIError
		switch {
		case malformed && err == nil:
			t.Fatalf("%d %q: a malformed answer gave the value %+v", status, contentType, got)
		case malformed:
			return
		case err == nil && (status > 299 || got == nil || got.ID == ""):
			t.Fatalf("%d %q %q: a value %+v without an error", status, contentType, body, got)
		case err == nil:
		case status > 299 && (!errors.As(err, &apiErr) || apiErr.StatusCode != status):
			t.Fatalf("%d: the error %v is not an *APIError of that status", status, err)
		case status <= 299 && errors.As(err, &apiErr):
			t.Fatalf("%d: a 2xx answer gave the API error %v", status, err)
		}
		if err != nil {
			checkStatusErrors(t, err, status)
		}
	})
}

// FuzzRetryAfter reads arbitrary Retry-After headers: a delay is never negative,
// and the wait before a retry stays within the policy's bounds.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "7", "-1", "86401", "9223372036854775807", " 12 ", "1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Monday, 02-Jan-06 15:04:05 MST", "soon"} {
		f.Add(s, 3)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	waitMin, waitMax := time.Second, 30*time.Second
	f.Fuzz(func(t *testing.T, header string, attempt int) {
		d, ok := retryAfter(header, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("retryAfter(%q) = %v, %v", header, d, ok)
		}
		attempt = (attempt%64 + 64) % 64
		resp := &http.Response{Header: http.Header{"Retry-After": []string{header}}}
		wait := backoff(waitMin, waitMax, attempt, resp)
		low := waitMin
		if ok {
			low = 0
		}
		if wait < low || wait > waitMax {
			t.Fatalf("backoff after attempt %d with Retry-After %q = %v, want %v to %v", attempt, header, wait, low, waitMax)
		}
	})
}
