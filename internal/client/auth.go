package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenExpiryMargin is how long before its expiry a service-account token is
// replaced by a new one, so that no request carries a token that expires in flight.
const tokenExpiryMargin = 10 * time.Second

// tokens supplies the bearer token of every request: a fixed access token, or the
// tokens of a service account, obtained with the client-credentials grant and reused
// until they near their expiry (oauth2.ReuseTokenSource).
type tokens struct {
	// newSource builds a token source with an empty cache; nil for a fixed token.
	newSource func() oauth2.TokenSource
	clientID  string
	// secrets gets every token issued, to be masked; nil for a fixed token.
	secrets *secretSet

	mu         sync.Mutex
	src        oauth2.TokenSource
	gen        uint64        // counts the sources made, so a refusal renews one source once
	issued     *oauth2.Token // the last token handed out, to log each new one once
	registered *oauth2.Token // the last token added to secrets
}

func staticTokens(accessToken string) *tokens {
	return &tokens{src: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"})}
}

// serviceAccountTokens fetches tokens through httpClient, which must not retry and
// must not carry an Authorization header of its own, and adds each to secrets.
func serviceAccountTokens(cfg *Config, secrets *secretSet, httpClient *http.Client) *tokens {
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	// The source keeps this context for every fetch, so it must outlive any one call.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, httpClient)
	t := &tokens{
		clientID: cfg.ClientID,
		secrets:  secrets,
		newSource: func() oauth2.TokenSource {
			return oauth2.ReuseTokenSourceWithExpiry(nil, cc.TokenSource(ctx), tokenExpiryMargin)
		},
	}
	t.src = t.newSource()
	return t
}

// renewable reports whether a refused token can be replaced by a new one.
func (t *tokens) renewable() bool { return t.newSource != nil }

// token returns the current token, the generation of the source it came from, and
// whether it is a token not handed out before.
func (t *tokens) token() (tok *oauth2.Token, gen uint64, fresh bool, err error) {
	t.mu.Lock()
	src, gen := t.src, t.gen
	t.mu.Unlock()
	tok, err = src.Token()
	if err != nil {
		return nil, gen, false, t.describe(err)
	}
	t.mu.Lock()
	fresh = t.renewable() && tok != t.issued && gen == t.gen
	if fresh {
		t.issued = tok
	}
	register := t.renewable() && tok != t.registered
	if register {
		t.registered = tok
	}
	t.mu.Unlock()
	if register {
		t.secrets.addToken(tok)
	}
	return tok, gen, fresh, nil
}

// renew drops the cached token of generation gen, so the next request fetches a new
// one. Requests refused with an older generation's token do not renew again.
func (t *tokens) renew(gen uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.renewable() && gen == t.gen {
		t.src = t.newSource()
		t.gen++
	}
}

// describe turns a token endpoint failure into an error that names the service
// account and the OAuth error, never the secret. Refused credentials end the request;
// other failures are transient and retried. The endpoint's texts (error,
// error_description, error_uri) are cleaned: a server may echo the Authorization
// header or the form it was sent, or send terminal sequences. Its raw body is never
// shown.
func (t *tokens) describe(err error) error {
	r := t.secrets.redactor(nil)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return r.error(fmt.Errorf("requesting a service-account token: %w", err))
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code, description, uri := r.clean(re.ErrorCode), r.clean(re.ErrorDescription), r.clean(re.ErrorURI)
	if status >= 400 && status < 500 && status != http.StatusTooManyRequests {
		return &CredentialsError{ClientID: t.clientID, StatusCode: status, Code: code, Description: description, URI: uri, redact: r}
	}
	msg := fmt.Sprintf("requesting a service-account token: the token endpoint answered %d %s", status, http.StatusText(status))
	if code != "" {
		msg += " (" + code + ")"
	}
	if description != "" {
		msg += ": " + description
	}
	return errors.New(r.hide(msg))
}

// CredentialsError is returned when the token endpoint refuses the service-account
// credentials. It names the client ID and the OAuth error, never the secret.
type CredentialsError struct {
	ClientID    string
	StatusCode  int
	Code        string // RFC 6749 error code, such as invalid_client
	Description string
	URI         string // RFC 6749 error_uri: a page about the error

	// redact masks the credentials in Error(), as in the texts above.
	redact redactor
}

// Error says that the credentials were refused, and why.
func (e *CredentialsError) Error() string {
	msg := fmt.Sprintf("the token endpoint refused the service-account credentials of client ID %q (HTTP %d", e.ClientID, e.StatusCode)
	if e.Code != "" {
		msg += ", " + e.Code
	}
	msg += ")"
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.URI != "" {
		msg += " (see " + e.URI + ")"
	}
	return e.redact.hide(msg + "; check the client ID, client secret, token URL and scopes")
}
