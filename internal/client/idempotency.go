package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxIdempotencyKeyLength is the longest Idempotency-Key the API accepts.
const MaxIdempotencyKeyLength = 255

// NewIdempotencyKey returns a new random Idempotency-Key (a version 4 UUID).
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// WriteOption changes how a create or an update is sent.
type WriteOption func(*request)

// WithIdempotencyKey sends a create or an update, and each of its retries, with this
// Idempotency-Key instead of a new random one. A caller that keeps the key before
// sending can ask LookupIdempotencyKey what became of the write when its answer is
// lost. Use a new key (NewIdempotencyKey) for each write: the API refuses a key sent
// again with another request. An empty key means a new random one.
func WithIdempotencyKey(key string) WriteOption {
	return func(r *request) { r.idempotencyKey = key }
}

// OutcomeUnknownError is the error of a create or an update that may have been
// carried out although its answer never came: an attempt reached the API and got no
// answer (a dropped connection, a timeout), a 5xx, or an answer that could not be
// read, and no later answer settled it. LookupIdempotencyKey with IdempotencyKey
// tells what became of it, for 24 hours. A write refused by a 4xx answer (other than
// 401, 408 and 429, which do not settle an earlier attempt) is not one: nothing was
// changed, and its *APIError is returned as it is.
type OutcomeUnknownError struct {
	Method         string
	Path           string
	IdempotencyKey string
	// Err is the error of the last attempt, such as a connection error or an *APIError.
	Err error
}

// Error says what the last attempt met; callers explain the unknown outcome.
func (e *OutcomeUnknownError) Error() string { return e.Err.Error() }

// Unwrap returns the error of the last attempt.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// settles reports whether an error answer to a write proves that no attempt of it was
// carried out: the API answers a retry of a write it carried out with the stored
// response, and makes these refusals only after it looked the key up, or for every
// attempt alike. 401, 408 and 429 are given before, and may follow an attempt that was
// carried out.
func settles(status int) bool {
	return status >= 400 && status < 500 &&
		status != http.StatusUnauthorized && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// IdempotencyRecord is a write that the API carried out with an Idempotency-Key: the
// request and the response it got, kept for 24 hours.
type IdempotencyRecord struct {
	Key       string             `json:"key"`
	Method    string             `json:"method"`
	Path      string             `json:"path"`
	CreatedAt string             `json:"createdAt"`
	ExpiresAt string             `json:"expiresAt"`
	Response  IdempotentResponse `json:"response"`

	// redact cleans the errors that quote the record, which the server wrote.
	redact redactor
}

// IdempotentResponse is the response a write got, as it was first sent.
type IdempotentResponse struct {
	Status   int    `json:"status"`
	ETag     string `json:"etag,omitempty"`
	Location string `json:"location,omitempty"`
	// Body is the object as the write left it.
	Body json.RawMessage `json:"body"`
}

func (r *IdempotencyRecord) validate() error {
	if r.Key == "" || r.Method == "" || r.Path == "" {
		return errors.New("the record has no key, method or path")
	}
	if r.Response.Status < 200 || r.Response.Status > 299 || len(r.Response.Body) == 0 {
		return fmt.Errorf("the record holds no successful response (status %d)", r.Response.Status)
	}
	return nil
}

// LookupIdempotencyKey tells what became of the create or update that the caller's
// account sent with key in the last 24 hours. It is ErrNotFound when no such write was
// carried out: it was refused, it never arrived, or it is older.
func (c *Client) LookupIdempotencyKey(ctx context.Context, key string) (*IdempotencyRecord, error) {
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return nil, fmt.Errorf("an idempotency key has 1 to %d characters, not %d", MaxIdempotencyKeyLength, len(key))
	}
	var out IdempotencyRecord
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/idempotency-keys/" + url.PathEscape(key)}, &out); err != nil {
		return nil, err
	}
	out.redact = c.secrets.redactor(nil)
	return &out, nil
}

// CreatedOAuthClient is the OAuth client that the recorded write created, as the
// create left it, with the ETag of that version; an error when the record is not of
// the creation of an OAuth client.
func (r *IdempotencyRecord) CreatedOAuthClient() (*OAuthClient, error) {
	var out OAuthClient
	if err := r.created("/oauth-clients", &out); err != nil {
		return nil, err
	}
	out.ETag = r.Response.ETag
	return &out, nil
}

// CreatedConnector is the connector that the recorded write created, as the create
// left it, with the ETag of that version; an error when the record is not of the
// creation of a connector.
func (r *IdempotencyRecord) CreatedConnector() (*Connector, error) {
	var out Connector
	if err := r.created("/connectors", &out); err != nil {
		return nil, err
	}
	out.ETag = r.Response.ETag
	return &out, nil
}

// created decodes the body of a record of a POST to a path ending in collection.
func (r *IdempotencyRecord) created(collection string, out validator) error {
	return r.redact.error(r.decodeCreated(collection, out))
}

func (r *IdempotencyRecord) decodeCreated(collection string, out validator) error {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.Path, collection) {
		return fmt.Errorf("the idempotency key %q was used for %s %s, not to create in %s", r.Key, r.Method, r.Path, collection)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Response.Body))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("the response recorded for the idempotency key %q is not what the API returns: %w", r.Key, err)
	}
	if err := out.validate(); err != nil {
		return fmt.Errorf("the response recorded for the idempotency key %q is not what the API returns: %w", r.Key, err)
	}
	return nil
}
