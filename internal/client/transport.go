package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// maxResponseBytes bounds a response body; the largest page of the API is far smaller.
const maxResponseBytes = 64 << 20

// errResponseTooLarge ends a request whose response body exceeds maxResponseBytes.
var errResponseTooLarge = fmt.Errorf("the response body is larger than %d bytes", maxResponseBytes)

// newTransport is the connection pool of one Client, shared by every request and by
// the token requests of a service account. It keeps enough idle connections for
// Terraform's parallel operations to reuse them.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
}

// userAgentTransport sets the User-Agent of every request.
type userAgentTransport struct {
	userAgent string
	next      http.RoundTripper
}

func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.userAgent == "" {
		return t.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.userAgent)
	return t.next.RoundTrip(req)
}

// authTransport sets the bearer token of every attempt, fetching a service-account
// token when the cached one is missing or near its expiry.
type authTransport struct {
	tokens *tokens
	log    Logger
	next   http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, gen, fresh, err := t.tokens.token()
	if st := stateOf(req.Context()); st != nil {
		st.gen = gen
	}
	if err != nil {
		return nil, err
	}
	if fresh {
		t.log.Debug(req.Context(), "obtained a service-account access token", map[string]any{
			"client_id": t.tokens.clientID, "expires_at": tok.Expiry.UTC().Format(time.RFC3339),
		})
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.next.RoundTrip(req)
}

// callState is what the attempts of one logical call share; it travels in the
// request's context.
type callState struct {
	method         string
	path           string
	body           []byte
	secrets        *formSet // forms of the secret values of body (requestSecretForms)
	idempotencyKey string
	attempt        int    // attempts made so far
	gen            uint64 // generation of the token source of the last attempt
	lastStatus     int    // status of the last attempt, 0 when it failed
	lastErr        error  // error of the last attempt
	attempts       int    // attempts made when the retries ran out on an error status
	// ambiguous is set by an attempt that reached the API and got no answer, or a 5xx:
	// it may have been carried out.
	ambiguous bool
	// unreadable is set when the answer that ended the call could not be read.
	unreadable bool
}

// unsettled reports whether err, which ends a write, leaves open whether the write
// was carried out: an attempt was ambiguous, or the last answer was unreadable, and
// no answer that settles it came.
func (st *callState) unsettled(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) && settles(apiErr.StatusCode) {
		return false
	}
	return st.ambiguous || st.unreadable
}

type stateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// attemptTransport makes one attempt: it waits for the gate of the API's host, then
// gives the attempt its timeout, reads the whole response, so that a connection
// dropped mid-body is an error of the attempt (and retried) and the connection is
// reused, teaches the gate with the answer, and logs the attempt.
type attemptTransport struct {
	log     Logger
	secrets *secretSet
	gates   *gateTransport
	timeout time.Duration
	next    http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, err := t.gates.pass(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	resp, err := t.attempt(req.WithContext(ctx))
	t.gates.learn(ctx, p, resp, err)
	return resp, err
}

// attempt is RoundTrip once the gate let req through.
func (t *attemptTransport) attempt(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := stateOf(ctx)
	st.attempt++
	if len(st.body) > 0 && enabled(ctx, t.log, LevelTrace) {
		t.log.Trace(ctx, "request body", map[string]any{"method": st.method, "path": st.path, "attempt": st.attempt, "body": maskBody(st.body, t.secrets.redactor(st.secrets))})
	}
	// Once its headers are written, a request may reach the API whatever happens next.
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}))
	start := time.Now()
	var body []byte
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		body, err = bufferBody(resp)
	}
	st.lastStatus, st.lastErr = 0, err
	if (err != nil && wrote.Load()) || (err == nil && resp.StatusCode >= 500) {
		st.ambiguous = true
	}
	debug := enabled(ctx, t.log, LevelDebug)
	var fields map[string]any
	if debug {
		fields = map[string]any{"method": st.method, "path": st.path, "attempt": st.attempt, "duration": time.Since(start).Round(time.Microsecond).String()}
	}
	if err != nil {
		if debug {
			fields["error"] = err.Error()
			t.log.Debug(ctx, "API request failed", fields)
		}
		return nil, err
	}
	st.lastStatus = resp.StatusCode
	if debug {
		fields["status"] = resp.StatusCode
		t.log.Debug(ctx, "API request", fields)
	}
	if len(body) > 0 && enabled(ctx, t.log, LevelTrace) {
		// After the attempt, whose token may be new.
		redact := t.secrets.redactor(st.secrets)
		t.log.Trace(ctx, "response body", map[string]any{"method": st.method, "path": st.path, "attempt": st.attempt, "status": resp.StatusCode, "body": maskBody(body, redact)})
	}
	return resp, nil
}

// bufferBody reads and closes resp.Body, replaces it by its content, and returns that.
func bufferBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err == nil && len(body) > maxResponseBytes {
		err = errResponseTooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("reading the response of %d %s: %w", resp.StatusCode, http.StatusText(resp.StatusCode), err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// permanentError returns the error that ends a call without a retry when an
// attempt's error is one, else nil.
func permanentError(err error) error {
	var cred *CredentialsError
	switch {
	case errors.As(err, &cred):
		return cred
	case errors.Is(err, errResponseTooLarge):
		return err
	}
	return nil
}
