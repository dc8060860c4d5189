// Package client is a typed client of the App Xchange management API, the REST
// contract of api/openapi.yaml.
//
// One Client serves a whole provider process: it keeps one connection pool, retries
// transient faults (429, 5xx, dropped connections, timeouts) with backoff, paces
// its requests to a rate-limited host together with every other Client of the
// process (gate.go), makes every write safe to repeat with an Idempotency-Key,
// authenticates with a fixed access token or with a service account's
// client-credentials tokens, and decodes problem answers into *APIError.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults of the Config durations left at zero.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryWaitMin   = 1 * time.Second
	DefaultRetryWaitMax   = 30 * time.Second
)

// allPageSize is the page size of the reads that return every page.
const allPageSize = 1000

// Config is how a Client reaches and authenticates to the API.
type Config struct {
	// BaseURL is the API root, such as https://HOST/management/v1.
	BaseURL string
	// AccessToken is a bearer token. Give either it or a service account.
	AccessToken string
	// ClientID, ClientSecret and TokenURL are a service account's credentials,
	// exchanged for tokens with the client-credentials grant at TokenURL.
	ClientID     string
	ClientSecret string
	TokenURL     string
	// Scopes are requested with service-account tokens.
	Scopes []string
	// MaxRetries is how many times a request is retried after its first attempt.
	MaxRetries int
	// RequestTimeout bounds each attempt; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the wait between attempts; 0 means
	// DefaultRetryWaitMin and DefaultRetryWaitMax.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// UserAgent is sent as the User-Agent of every request, token requests included.
	UserAgent string
	// Logger receives the client's log lines; nil logs nothing. Every text of a line
	// has the secrets of the request and the credentials masked, and is printable.
	Logger Logger
}

// Client calls the API. It is safe for concurrent use.
type Client struct {
	baseURL    string
	http       *http.Client
	tokens     *tokens
	secrets    *secretSet // the credentials, masked in every text passed on
	log        Logger
	maxRetries int
	waitMin    time.Duration
	waitMax    time.Duration
	pageSize   int // page size of the All* reads

	me         onceCache[struct{}, *Me]
	connectors onceCache[string, *Connector]
}

// New returns a Client for cfg. It fails when the base URL is missing or malformed,
// or when not exactly one form of credentials is given: an access token, or a
// service account's client ID, client secret and token URL.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		return nil, errors.New("the base URL is empty; set it to the API root, such as https://HOST/management/v1")
	}
	if err := checkURL(base); err != nil {
		return nil, fmt.Errorf("the base URL %w", err)
	}
	hasToken := cfg.AccessToken != ""
	hasAccount := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case hasToken && hasAccount:
		return nil, errors.New("both an access token and service-account credentials are set; give only one of them")
	case !hasToken && !hasAccount:
		return nil, errors.New("no credentials are set; give an access token, or a service account's client ID, client secret and token URL")
	case hasAccount && (cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.TokenURL == ""):
		return nil, fmt.Errorf("the service-account credentials are incomplete: %s missing", missing(cfg))
	case hasAccount:
		if err := checkURL(cfg.TokenURL); err != nil {
			return nil, fmt.Errorf("the token URL %w", err)
		}
	}
	if cfg.MaxRetries < 0 || cfg.RequestTimeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 {
		return nil, errors.New("MaxRetries, RequestTimeout, RetryWaitMin and RetryWaitMax must not be negative")
	}
	timeout := orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	waitMin := orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	waitMax := orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	if waitMin > waitMax {
		return nil, fmt.Errorf("RetryWaitMin (%s) is longer than RetryWaitMax (%s)", waitMin, waitMax)
	}
	secrets := newSecretSet(&cfg)
	var log Logger = nopLogger{}
	if cfg.Logger != nil {
		log = redactingLogger{next: cfg.Logger, secrets: secrets}
	}

	baseURL, _ := url.Parse(base) // checked by checkURL
	pool := &userAgentTransport{userAgent: cfg.UserAgent, next: newTransport()}
	gates := newGateTransport(baseURL, log, waitMax, pool)
	tok := staticTokens(cfg.AccessToken)
	if hasAccount {
		tok = serviceAccountTokens(&cfg, secrets, &http.Client{Transport: gates, Timeout: timeout, CheckRedirect: noRedirects})
	}
	return &Client{
		baseURL: base,
		http: &http.Client{
			// The attempts' timeout is attemptTransport's: it starts once the gate lets the attempt go.
			Transport:     &attemptTransport{log: log, secrets: secrets, gates: gates, timeout: timeout, next: &authTransport{tokens: tok, log: log, next: pool}},
			CheckRedirect: noRedirects,
		},
		tokens:     tok,
		secrets:    secrets,
		log:        log,
		maxRetries: cfg.MaxRetries,
		waitMin:    waitMin,
		waitMax:    waitMax,
		pageSize:   allPageSize,
	}, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	return nil
}

func missing(cfg Config) string {
	var names []string
	for _, f := range []struct{ name, value string }{
		{"the client ID", cfg.ClientID}, {"the client secret", cfg.ClientSecret}, {"the token URL", cfg.TokenURL},
	} {
		if f.value == "" {
			names = append(names, f.name)
		}
	}
	verb := " is"
	if len(names) > 1 {
		verb = " are"
	}
	return strings.Join(names, " and ") + verb
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// noRedirects returns redirects as they are: the API does not redirect, and a
// redirect must never carry the bearer token elsewhere.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// request is one logical call of the API.
type request struct {
	method         string
	path           string // below the base URL, such as /connectors/ID
	query          url.Values
	body           any    // sent as JSON when not nil
	etag           string // sent as If-Match when not empty
	idempotencyKey string // of a POST or PATCH; a new random one when empty
}

// write is a POST or PATCH request to path with body, changed by opts.
func write(method, path string, body any, etag string, opts []WriteOption) request {
	r := request{method: method, path: path, body: body, etag: etag}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// do makes a call with its retries, decodes a 2xx answer into out (when not nil),
// and returns the answer's ETag. Other answers are returned as *APIError. A write
// that may have been carried out without its answer reaching the caller is an
// *OutcomeUnknownError. The text of every error it returns, and of every line it
// logs, has the secrets of the request's body and the credentials masked, and is
// printable.
func (c *Client) do(ctx context.Context, r request, out any) (string, error) {
	st := &callState{method: r.method, path: r.path}
	if r.body != nil {
		body, err := json.Marshal(r.body)
		if err != nil {
			return "", fmt.Errorf("%s %s: encoding the request: %w", r.method, r.path, err)
		}
		st.body = body
		st.secrets = requestSecretForms(body)
	}
	if r.method == http.MethodPost || r.method == http.MethodPatch {
		st.idempotencyKey = r.idempotencyKey
		if st.idempotencyKey == "" {
			st.idempotencyKey = NewIdempotencyKey()
		}
		if len(st.idempotencyKey) > MaxIdempotencyKeyLength {
			return "", fmt.Errorf("%s %s: the idempotency key is longer than %d characters", r.method, r.path, MaxIdempotencyKeyLength)
		}
	}
	etag, err := c.call(ctx, st, r, out)
	err = c.redactor(st).error(err)
	if err != nil && st.idempotencyKey != "" && st.unsettled(err) {
		return "", &OutcomeUnknownError{Method: r.method, Path: r.path, IdempotencyKey: st.idempotencyKey, Err: err}
	}
	return etag, err
}

// call is do for a request whose state is set up.
func (c *Client) call(ctx context.Context, st *callState, r request, out any) (string, error) {
	ctx = context.WithValue(ctx, stateKey{}, st)
	resp, err := c.send(ctx, st, r)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && c.tokens.renewable() {
		resp.Body.Close()
		c.log.Warn(ctx, "the API refused the service-account token; fetching a new token and retrying once",
			map[string]any{"method": r.method, "path": r.path})
		c.tokens.renew(st.gen)
		resp, err = c.send(ctx, st, r)
	}
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		st.unreadable = true
		return "", fmt.Errorf("%s %s: reading the response: %w", r.method, r.path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, body, c.redactor(st))
		apiErr.Attempts = st.attempts
		return "", apiErr
	}
	if out != nil {
		if err := decode(resp, body, out); err != nil {
			st.unreadable = true
			return "", fmt.Errorf("%s %s: the response (%d) is not what the API returns: %w", r.method, r.path, resp.StatusCode, err)
		}
	}
	return resp.Header.Get("ETag"), nil
}

// redactor cleans the texts of the call of st: its own secrets and the credentials.
func (c *Client) redactor(st *callState) redactor { return c.secrets.redactor(st.secrets) }

// send makes the attempts of one call.
func (c *Client) send(ctx context.Context, st *callState, r request) (*http.Response, error) {
	target := c.baseURL + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body any
	if st.body != nil {
		body = st.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	switch {
	case st.body != nil && r.method == http.MethodPatch:
		req.Header.Set("Content-Type", "application/merge-patch+json")
	case st.body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	if st.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", st.idempotencyKey)
	}
	if r.etag != "" {
		req.Header.Set("If-Match", r.etag)
	}
	return c.retrying(ctx, st).Do(req)
}

// retrying is the retry policy of one call; it shares the Client's connection pool.
func (c *Client) retrying(ctx context.Context, st *callState) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryWaitMin: c.waitMin,
		RetryWaitMax: c.waitMax,
		RetryMax:     c.maxRetries,
		CheckRetry:   checkRetry,
		Backoff: func(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
			wait := backoff(waitMin, waitMax, attempt, resp)
			fields := map[string]any{"method": st.method, "path": st.path, "attempt": st.attempt, "wait": wait.String()}
			if st.lastErr != nil {
				fields["error"] = st.lastErr.Error()
			} else {
				fields["status"] = st.lastStatus
			}
			c.log.Warn(ctx, "retrying the API request", fields)
			return wait
		},
		// After the last attempt, keep its answer so that its problem body is decoded,
		// and say how often a failing connection was tried.
		ErrorHandler: func(resp *http.Response, err error, tries int) (*http.Response, error) {
			if err == nil && resp != nil {
				st.attempts = tries
				return resp, nil
			}
			if resp != nil {
				resp.Body.Close()
			}
			if ctx.Err() != nil || permanentError(err) != nil {
				return nil, err
			}
			if tries == 1 {
				return nil, fmt.Errorf("giving up after 1 attempt: %w", err)
			}
			return nil, fmt.Errorf("giving up after %d attempts: %w", tries, err)
		},
	}
}

// validator is a decoded answer that can tell whether it holds what the API promises.
type validator interface{ validate() error }

// decode reads one JSON value of the type of out, and nothing else.
func decode(resp *http.Response, body []byte, out any) error {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return fmt.Errorf("its Content-Type is %q, not application/json", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("it holds more than one JSON value")
	}
	if v, ok := out.(validator); ok {
		return v.validate()
	}
	return nil
}

func (m *Me) validate() error {
	if m.AccountID == "" {
		return errors.New("it has no accountId")
	}
	return nil
}

func (c *Connector) validate() error {
	if c.ID == "" || c.Key == "" {
		return errors.New("the connector has no id or key")
	}
	return nil
}

func (c *OAuthClient) validate() error {
	if c.ID == "" || c.ConnectorID == "" || c.ConnectionDefinitionKey == "" {
		return errors.New("the OAuth client has no id, connectorId or connectionDefinitionKey")
	}
	return nil
}

func (p *Page[T]) validate() error {
	if p.Items == nil {
		return errors.New("the page has no items")
	}
	if p.PageIndex < 0 || p.PageSize < 0 || p.TotalItems < 0 {
		return errors.New("the page has a negative pageIndex, pageSize or totalItems")
	}
	for i := range p.Items {
		if v, ok := any(&p.Items[i]).(validator); ok {
			if err := v.validate(); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}

// Me returns the account and user that the credentials act for.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/me"}, &me); err != nil {
		return nil, err
	}
	return &me, nil
}

// CachedMe is Me read at most once per Client: concurrent callers share the read in
// flight, and a failed read is tried again by the next call. Callers must not modify
// the result.
func (c *Client) CachedMe(ctx context.Context) (*Me, error) {
	return c.me.get(ctx, struct{}{}, func(ctx context.Context, _ struct{}) (*Me, error) { return c.Me(ctx) })
}
