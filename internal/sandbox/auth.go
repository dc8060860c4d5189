package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// principal is the caller a bearer token stands for.
type principal struct {
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
	UserID      string `json:"userId"`
	UserName    string `json:"userName"`
}

// authenticate resolves a bearer token. Only its keyed hash is stored or compared.
func (s *Server) authenticate(ctx context.Context, token string, present bool) (*principal, *problem) {
	if !present {
		return nil, unauthorized("Send an access token in the Authorization header: Bearer TOKEN.")
	}
	var p principal
	var expires sql.NullInt64
	err := s.store.reader.QueryRowContext(ctx, `SELECT t.account_id, a.name, t.user_id, t.user_name, t.expires_at
		FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ?`, s.store.hash(token)).
		Scan(&p.AccountID, &p.AccountName, &p.UserID, &p.UserName, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prob := unauthorized("The access token is not valid.")
		prob.challenge = `Bearer realm="appxchange", error="invalid_token"`
		return nil, prob
	case err != nil:
		s.log.Error("reading a token", "error", err)
		return nil, internalError()
	case expires.Valid && s.now().UnixNano() >= expires.Int64:
		prob := unauthorized("The access token has expired; request a new one at /oauth/token.")
		prob.challenge = `Bearer realm="appxchange", error="invalid_token", error_description="expired"`
		return nil, prob
	}
	return &p, nil
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request, p *principal) {
	writeJSON(w, http.StatusOK, p)
}

type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// issueToken is the client-credentials grant (RFC 6749 §4.4) for service accounts.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	fail := func(status int, code, description string) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="appxchange"`)
		}
		writeJSON(w, status, tokenError{Error: code, Description: description})
	}
	body, prob := readBody(r)
	if prob != nil {
		fail(http.StatusBadRequest, "invalid_request", prob.Detail)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		fail(http.StatusBadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.")
		return
	}
	if grant := form.Get("grant_type"); grant != "client_credentials" {
		fail(http.StatusBadRequest, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
		return
	}
	id, secret, inHeader := r.BasicAuth()
	_, idInBody := form["client_id"]
	_, secretInBody := form["client_secret"]
	switch {
	case inHeader && (idInBody || secretInBody):
		fail(http.StatusBadRequest, "invalid_request", "Send the client credentials in the Basic header or in the body, not both.")
		return
	case inHeader:
		// RFC 6749 §2.3.1: both parts are form-encoded before the Basic encoding.
		if uid, err := url.QueryUnescape(id); err == nil {
			id = uid
		}
		if usecret, err := url.QueryUnescape(secret); err == nil {
			secret = usecret
		}
	default:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" || secret == "" {
		fail(http.StatusUnauthorized, "invalid_client", "Client authentication failed: send client_id and client_secret.")
		return
	}
	var stored, accountID, name string
	err = s.store.reader.QueryRowContext(r.Context(), `SELECT secret_hash, account_id, name FROM service_accounts WHERE client_id = ?`, id).
		Scan(&stored, &accountID, &name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && subtle.ConstantTimeCompare([]byte(stored), []byte(s.store.hash(secret))) != 1) {
		fail(http.StatusUnauthorized, "invalid_client", "Client authentication failed: unknown client or wrong secret.")
		return
	}
	if err != nil {
		s.log.Error("reading a service account", "error", err)
		writeProblem(w, internalError())
		return
	}
	var raw [32]byte
	rand.Read(raw[:])
	token := "sbx_" + base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	err = s.store.inTx(r.Context(), func(tx db) error {
		if s.sweepDue(now) {
			if _, err := tx.ExecContext(r.Context(), `DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at < ?`, now.UnixNano()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(r.Context(), `INSERT INTO tokens (token_hash, account_id, user_id, user_name, expires_at) VALUES (?, ?, ?, ?, ?)`,
			s.store.hash(token), accountID, id, name, now.Add(s.cfg.TokenTTL).UnixNano())
		return err
	})
	if err != nil {
		s.log.Error("storing a token", "error", err)
		writeProblem(w, internalError())
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   max(1, int(s.cfg.TokenTTL.Round(time.Second)/time.Second)),
		Scope:       strings.Join(strings.Fields(form.Get("scope")), " "),
	})
}
