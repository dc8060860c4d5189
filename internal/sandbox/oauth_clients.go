package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"time"
)

// clientInput is the body of POST and PATCH /oauth-clients.
type clientInput struct {
	Name                    opt[string]   `json:"name"`
	ConnectorID             opt[string]   `json:"connectorId"`
	ConnectionDefinitionKey opt[string]   `json:"connectionDefinitionKey"`
	ClientID                opt[string]   `json:"clientId"`
	ClientSecret            opt[string]   `json:"clientSecret"`
	ClientSecretExpiresAt   opt[string]   `json:"clientSecretExpiresAt"`
	AuthorizationURL        opt[string]   `json:"authorizationUrl"`
	TokenURL                opt[string]   `json:"tokenUrl"`
	RefreshURL              opt[string]   `json:"refreshUrl"`
	Scopes                  opt[[]string] `json:"scopes"`
	Prompts                 opt[[]string] `json:"prompts"`
	ClientAuthentication    opt[string]   `json:"clientAuthentication"`
	Public                  opt[bool]     `json:"public"`
}

// access is what a caller may do with an object.
type access int

const (
	accessNone access = iota
	accessRead
	accessWrite
)

// loadClient reads a client with what the caller may do with it: its own
// account writes; a public client is readable wherever its connector is.
func loadClient(ctx context.Context, q querier, id string, p *principal) (*OAuthClient, access, error) {
	var owner, visibility string
	row := q.QueryRowContext(ctx, "SELECT "+clientColumns+", k.owner_account_id, k.visibility FROM oauth_clients c JOIN connectors k ON k.id = c.connector_id WHERE c.id = ?", id)
	c, err := scanClient(scannerFunc(func(dest ...any) error { return row.Scan(append(dest, &owner, &visibility)...) }))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, accessNone, nil
	case err != nil:
		return nil, accessNone, err
	case c.AccountID == p.AccountID:
		return c, accessWrite, nil
	case c.Public && (owner == p.AccountID || visibility == "public"):
		return c, accessRead, nil
	}
	return nil, accessNone, nil
}

type scannerFunc func(dest ...any) error

func (f scannerFunc) Scan(dest ...any) error { return f(dest...) }

func (s *Server) getClient(w http.ResponseWriter, r *http.Request, p *principal) {
	c, acc, err := loadClient(r.Context(), s.store.reader, r.PathValue("id"), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if acc == accessNone {
		writeProblem(w, notFound("OAuth client"))
		return
	}
	w.Header().Set("ETag", etag(c.version))
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request, p *principal) {
	index, size, prob := pageParams(r)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	q := r.URL.Query()
	cond := &where{}
	cond.add("(c.account_id = ? OR (c.public AND (k.owner_account_id = ? OR k.visibility = 'public')))", p.AccountID, p.AccountID)
	if v := q.Get("connectorId"); v != "" {
		cond.add("c.connector_id = ?", v)
	}
	if v := q.Get("connectionDefinitionKey"); v != "" {
		cond.add("c.definition_key = ?", v)
	}
	if v := q.Get("public"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			writeProblem(w, badRequest(fmt.Sprintf("public must be true or false, not %q.", v), fieldError{Field: "public", Detail: "must be true or false"}))
			return
		}
		cond.add("c.public = ?", b)
	}
	if v := q.Get("search"); v != "" {
		cond.add(`c.name_folded LIKE ? ESCAPE '\'`, containing(fold(v)))
	}
	out, err := listPage(r.Context(), s.store.reader, "oauth_clients c JOIN connectors k ON k.id = c.connector_id", cond, "c.created_at, c.id", index, size, scanClient, clientColumns)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request, p *principal) {
	var in clientInput
	body, prob := readBody(r)
	if prob == nil {
		prob = decodeJSON(r, body, &in)
	}
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	s.write(w, r, p, body, true, func(ctx context.Context, tx db) (*response, error) {
		var errs fieldErrors
		for _, f := range []struct {
			name string
			set  bool
		}{{"name", in.Name.present()}, {"connectorId", in.ConnectorID.present()}, {"connectionDefinitionKey", in.ConnectionDefinitionKey.present()}, {"clientId", in.ClientID.present()}} {
			if !f.set {
				errs.add(f.name, "is required")
			}
		}
		if len(errs) > 0 {
			return nil, unprocessable(errs)
		}
		conn, err := loadConnector(ctx, tx, in.ConnectorID.Value)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !canReadConnector(conn, p)) {
			errs.add("connectorId", "no connector %q is visible to your account", in.ConnectorID.Value)
			return nil, unprocessable(errs)
		}
		if err != nil {
			return nil, err
		}
		def, ok := checkDefinitionForClient(&errs, conn, in.ConnectionDefinitionKey.Value)
		if !ok {
			return nil, unprocessable(errs)
		}
		c := &OAuthClient{ID: newID(), AccountID: p.AccountID, ConnectorID: conn.ID, ConnectionDefinitionKey: def.Key, version: 1}
		if err := applyClientInput(c, &in, conn, def, p, true, s.store.hash); err != nil {
			return nil, err
		}
		now := s.now().UnixNano()
		c.CreatedAt, c.UpdatedAt = formatTime(now), formatTime(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_clients (id, account_id, name, connector_id, definition_key, client_id, secret_hash, secret_expires_at,
			authorization_url, token_url, refresh_url, scopes, prompts, client_authentication, public, created_at, updated_at, version, name_folded)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.AccountID, c.Name, c.ConnectorID, c.ConnectionDefinitionKey, c.ClientID, c.secretHash, c.expiresAt,
			c.AuthorizationURL, c.TokenURL, c.RefreshURL, jsonText(c.Scopes), jsonText(c.Prompts), c.ClientAuthentication, c.Public, now, now, c.version, fold(c.Name)); err != nil {
			return nil, err
		}
		return jsonResponse(http.StatusCreated, c, c.version, "/management/v1/oauth-clients/"+c.ID)
	})
}

// applyClientInput merges a request onto a client, fills the defaults, and
// checks every rule against the connection definition and the caller. A secret
// is kept as hash makes it.
func applyClientInput(c *OAuthClient, in *clientInput, conn *Connector, def ConnectionDefinition, p *principal, creating bool, hash func(string) string) error {
	var errs fieldErrors
	required := func(field string, o opt[string], dst *string) {
		switch {
		case o.Null:
			errs.add(field, "cannot be null")
		case o.Set:
			*dst = o.Value
		}
	}
	required("name", in.Name, &c.Name)
	required("clientId", in.ClientID, &c.ClientID)
	optional := func(field string, o opt[string], dst *string) {
		switch {
		case o.Null:
			*dst = ""
		case o.Set && o.Value == "":
			errs.add(field, "must not be empty; omit it, or send null to clear it")
		case o.Set:
			*dst = o.Value
		}
	}
	optional("authorizationUrl", in.AuthorizationURL, &c.AuthorizationURL)
	optional("tokenUrl", in.TokenURL, &c.TokenURL)
	optional("refreshUrl", in.RefreshURL, &c.RefreshURL)
	optional("clientAuthentication", in.ClientAuthentication, &c.ClientAuthentication)
	switch {
	case in.ClientSecret.Null:
		c.secretHash = sql.NullString{}
	case in.ClientSecret.Set && in.ClientSecret.Value == "":
		errs.add("clientSecret", "must not be empty; omit it to keep the secret, or send null to clear it")
	case in.ClientSecret.Set && len(in.ClientSecret.Value) > 4096:
		errs.add("clientSecret", "must be at most 4096 characters long")
	case in.ClientSecret.Set:
		c.secretHash = sql.NullString{String: hash(in.ClientSecret.Value), Valid: true}
	}
	c.ClientSecretSet = c.secretHash.Valid
	switch {
	case in.ClientSecretExpiresAt.Null:
		c.expiresAt, c.ClientSecretExpiresAt = sql.NullString{}, ""
	case in.ClientSecretExpiresAt.Set:
		t := parseTimestamp(&errs, "clientSecretExpiresAt", in.ClientSecretExpiresAt.Value)
		c.ClientSecretExpiresAt = t.Format(time.RFC3339Nano)
		c.expiresAt = sql.NullString{String: c.ClientSecretExpiresAt, Valid: true}
	}
	if in.Scopes.Set {
		c.Scopes = nilIfEmpty(in.Scopes.Value)
	}
	if in.Prompts.Set {
		c.Prompts = nilIfEmpty(in.Prompts.Value)
	}
	if in.Public.Set {
		c.Public = in.Public.Value
	}
	if c.TokenURL == "" {
		c.TokenURL = def.TokenURL
		if c.TokenURL == "" {
			c.TokenURL = defaultTokenURL
		}
	}
	if c.ClientAuthentication == "" {
		c.ClientAuthentication = def.ClientAuthentication
		if c.ClientAuthentication == "" {
			c.ClientAuthentication = defaultClientAuthentication
		}
	}
	checkClient(&errs, c, def, creating)
	if len(errs) > 0 {
		return unprocessable(errs)
	}
	if c.Public && conn.OwnerAccountID != p.AccountID {
		return forbidden(fmt.Sprintf("Only the connector's owner may make an OAuth client public, and the connector %q belongs to another account. Set public to false.", conn.Key),
			fieldError{Field: "public", Detail: "only the connector's owner may make an OAuth client public"})
	}
	return nil
}

func nilIfEmpty(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}

// clientForWrite loads a client the caller may change: 404 when it cannot see
// it, 403 when it can only read it, 412 when If-Match does not match.
func clientForWrite(ctx context.Context, tx db, r *http.Request, p *principal) (*OAuthClient, error) {
	c, acc, err := loadClient(ctx, tx, r.PathValue("id"), p)
	switch {
	case err != nil:
		return nil, err
	case acc == accessNone:
		return nil, notFound("OAuth client")
	case acc == accessRead:
		return nil, forbidden("This public OAuth client belongs to another account: it can be used and read, not changed.")
	}
	if prob := checkIfMatch(r, c.version, "OAuth client"); prob != nil {
		return nil, prob
	}
	return c, nil
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request, p *principal) {
	var in clientInput
	body, prob := readBody(r)
	if prob == nil {
		prob = decodeJSON(r, body, &in)
	}
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	s.write(w, r, p, body, true, func(ctx context.Context, tx db) (*response, error) {
		c, err := clientForWrite(ctx, tx, r, p)
		if err != nil {
			return nil, err
		}
		var errs fieldErrors
		if in.ConnectorID.Set && (in.ConnectorID.Null || in.ConnectorID.Value != c.ConnectorID) {
			errs.add("connectorId", "cannot be changed; create a new OAuth client for another connector")
		}
		if in.ConnectionDefinitionKey.Set && (in.ConnectionDefinitionKey.Null || in.ConnectionDefinitionKey.Value != c.ConnectionDefinitionKey) {
			errs.add("connectionDefinitionKey", "cannot be changed; create a new OAuth client for another connection definition")
		}
		if len(errs) > 0 {
			return nil, unprocessable(errs)
		}
		conn, err := loadConnector(ctx, tx, c.ConnectorID)
		if err != nil {
			return nil, err
		}
		def, ok := checkDefinitionForClient(&errs, conn, c.ConnectionDefinitionKey)
		if !ok {
			return nil, unprocessable(errs)
		}
		before := *c
		if in.TokenURL.Null {
			c.TokenURL = ""
		}
		if in.ClientAuthentication.Null {
			c.ClientAuthentication = ""
		}
		if err := applyClientInput(c, &in, conn, def, p, false, s.store.hash); err != nil {
			return nil, err
		}
		if reflect.DeepEqual(&before, c) {
			return jsonResponse(http.StatusOK, c, c.version, "")
		}
		now := s.now().UnixNano()
		c.version++
		c.UpdatedAt = formatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_clients SET name = ?, name_folded = ?, client_id = ?, secret_hash = ?, secret_expires_at = ?, authorization_url = ?,
			token_url = ?, refresh_url = ?, scopes = ?, prompts = ?, client_authentication = ?, public = ?, updated_at = ?, version = ? WHERE id = ?`,
			c.Name, fold(c.Name), c.ClientID, c.secretHash, c.expiresAt, c.AuthorizationURL, c.TokenURL, c.RefreshURL, jsonText(c.Scopes), jsonText(c.Prompts),
			c.ClientAuthentication, c.Public, now, c.version, c.ID); err != nil {
			return nil, err
		}
		return jsonResponse(http.StatusOK, c, c.version, "")
	})
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request, p *principal) {
	s.write(w, r, p, nil, false, func(ctx context.Context, tx db) (*response, error) {
		c, err := clientForWrite(ctx, tx, r, p)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM oauth_clients WHERE id = ?", c.ID); err != nil {
			return nil, err
		}
		return &response{status: http.StatusNoContent}, nil
	})
}
