package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
)

// connectorInput is the body of POST and PATCH /connectors.
type connectorInput struct {
	Key                   opt[string]                 `json:"key"`
	Name                  opt[string]                 `json:"name"`
	Description           opt[string]                 `json:"description"`
	Visibility            opt[string]                 `json:"visibility"`
	ConnectionDefinitions opt[[]ConnectionDefinition] `json:"connectionDefinitions"`
}

func canReadConnector(c *Connector, p *principal) bool {
	return c.OwnerAccountID == p.AccountID || c.Visibility == "public"
}

func loadConnector(ctx context.Context, q querier, id string) (*Connector, error) {
	return scanConnector(q.QueryRowContext(ctx, "SELECT "+connectorColumns+" FROM connectors WHERE id = ?", id))
}

// connectorForWrite loads a connector the caller may change: 404 when it cannot
// see it, 403 when it can only read it, 412 when If-Match does not match.
func connectorForWrite(ctx context.Context, tx db, r *http.Request, p *principal) (*Connector, error) {
	c, err := loadConnector(ctx, tx, r.PathValue("id"))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, notFound("connector")
	case err != nil:
		return nil, err
	case !canReadConnector(c, p):
		return nil, notFound("connector")
	case c.OwnerAccountID != p.AccountID:
		return nil, forbidden(fmt.Sprintf("The connector %q belongs to another account: it can be read, not changed.", c.Key))
	}
	if prob := checkIfMatch(r, c.version, "connector"); prob != nil {
		return nil, prob
	}
	return c, nil
}

func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request, p *principal) {
	index, size, prob := pageParams(r)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	q := r.URL.Query()
	cond := &where{}
	cond.add("(owner_account_id = ? OR visibility = 'public')", p.AccountID)
	if v := q.Get("key"); v != "" {
		cond.add("key = ?", v)
	}
	if v := q.Get("search"); v != "" {
		pattern := containing(fold(v))
		cond.add(`(name_folded LIKE ? ESCAPE '\' OR key LIKE ? ESCAPE '\')`, pattern, pattern)
	}
	if v := q.Get("visibility"); v != "" {
		if !slices.Contains(visibilities, v) {
			writeProblem(w, badRequest(fmt.Sprintf("visibility must be one of %s, not %q.", quoteList(visibilities), v), fieldError{Field: "visibility", Detail: "must be account or public"}))
			return
		}
		cond.add("visibility = ?", v)
	}
	out, err := listPage(r.Context(), s.store.reader, "connectors", cond, "created_at, id", index, size, scanConnector, connectorColumns)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getConnector(w http.ResponseWriter, r *http.Request, p *principal) {
	c, err := loadConnector(r.Context(), s.store.reader, r.PathValue("id"))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canReadConnector(c, p)) {
		writeProblem(w, notFound("connector"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(c.version))
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) createConnector(w http.ResponseWriter, r *http.Request, p *principal) {
	var in connectorInput
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
		}{{"key", in.Key.present()}, {"name", in.Name.present()}, {"connectionDefinitions", in.ConnectionDefinitions.Set && !in.ConnectionDefinitions.Null}} {
			if !f.set {
				errs.add(f.name, "is required")
			}
		}
		now := s.now().UnixNano()
		c := &Connector{ID: newID(), Visibility: "account", OwnerAccountID: p.AccountID, version: 1}
		applyConnectorInput(c, &in, &errs)
		if in.Key.present() && !connectorKeyPattern.MatchString(in.Key.Value) {
			errs.add("key", "must be 2 to 63 characters of lowercase letters, digits and -, starting with a letter or digit (such as my-connector), not %q", in.Key.Value)
		}
		c.Key = in.Key.Value
		if len(errs) > 0 {
			return nil, unprocessable(errs)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM connectors WHERE key = ?", c.Key).Scan(&taken); err != nil {
			return nil, err
		}
		if taken > 0 {
			return nil, conflict(fmt.Sprintf("The connector key %q is already taken; keys are unique across the platform. Choose another key.", c.Key),
				fieldError{Field: "key", Detail: "is already taken"})
		}
		defs, _ := json.Marshal(c.ConnectionDefinitions)
		if _, err := tx.ExecContext(ctx, `INSERT INTO connectors (`+connectorColumns+`, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Key, c.Name, c.Description, c.Visibility, c.OwnerAccountID, string(defs), now, now, c.version, fold(c.Name)); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = formatTime(now), formatTime(now)
		return jsonResponse(http.StatusCreated, c, c.version, "/management/v1/connectors/"+c.ID)
	})
}

// applyConnectorInput merges a request onto a connector and validates the result.
func applyConnectorInput(c *Connector, in *connectorInput, errs *fieldErrors) {
	if in.Name.Null {
		errs.add("name", "cannot be null: a connector needs a name")
	}
	if in.Name.present() {
		c.Name = in.Name.Value
		checkLength(errs, "name", c.Name, 1, 200)
	}
	if in.Description.Set {
		c.Description = in.Description.Value
		checkLength(errs, "description", c.Description, 0, 2000)
	}
	switch {
	case in.Visibility.Null:
		errs.add("visibility", `cannot be null; send "account" or "public"`)
	case in.Visibility.Set:
		c.Visibility = in.Visibility.Value
		checkEnum(errs, "visibility", c.Visibility, visibilities)
	}
	if in.ConnectionDefinitions.Null {
		errs.add("connectionDefinitions", "cannot be null: a connector needs at least one connection definition")
	}
	if in.ConnectionDefinitions.present() {
		c.ConnectionDefinitions = in.ConnectionDefinitions.Value
		checkDefinitions(errs, c.ConnectionDefinitions)
	}
}

func (s *Server) updateConnector(w http.ResponseWriter, r *http.Request, p *principal) {
	var in connectorInput
	body, prob := readBody(r)
	if prob == nil {
		prob = decodeJSON(r, body, &in)
	}
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	s.write(w, r, p, body, true, func(ctx context.Context, tx db) (*response, error) {
		c, err := connectorForWrite(ctx, tx, r, p)
		if err != nil {
			return nil, err
		}
		before := *c
		var errs fieldErrors
		if in.Key.Set && (in.Key.Null || in.Key.Value != c.Key) {
			errs.add("key", "cannot be changed (it is %q); create a new connector for a new key", c.Key)
		}
		applyConnectorInput(c, &in, &errs)
		if len(errs) > 0 {
			return nil, unprocessable(errs)
		}
		if err := checkConnectorInUse(ctx, tx, &before, c); err != nil {
			return nil, err
		}
		if reflect.DeepEqual(&before, c) {
			return jsonResponse(http.StatusOK, c, c.version, "")
		}
		now := s.now().UnixNano()
		c.version++
		defs, _ := json.Marshal(c.ConnectionDefinitions)
		if _, err := tx.ExecContext(ctx, `UPDATE connectors SET name = ?, name_folded = ?, description = ?, visibility = ?, definitions = ?, updated_at = ?, version = ? WHERE id = ?`,
			c.Name, fold(c.Name), c.Description, c.Visibility, string(defs), now, c.version, c.ID); err != nil {
			return nil, err
		}
		c.UpdatedAt = formatTime(now)
		return jsonResponse(http.StatusOK, c, c.version, "")
	})
}

// checkConnectorInUse refuses changes that would strand OAuth clients: removing
// or retyping a definition they use, or hiding a public connector from the
// other accounts whose clients use it.
func checkConnectorInUse(ctx context.Context, tx db, before, after *Connector) error {
	var errs fieldErrors
	total := 0
	for _, old := range before.ConnectionDefinitions {
		i := slices.IndexFunc(after.ConnectionDefinitions, func(d ConnectionDefinition) bool { return d.Key == old.Key })
		if i >= 0 && after.ConnectionDefinitions[i].AuthType == old.AuthType {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM oauth_clients WHERE connector_id = ? AND definition_key = ?", before.ID, old.Key).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		total += n
		field := fmt.Sprintf("connectionDefinitions[%d].authType", i)
		change := "change its auth type"
		if i < 0 {
			field, change = "connectionDefinitions", "remove it"
		}
		errs.add(field, "the definition %q is used by %d OAuth client(s); delete or replace them before you %s", old.Key, n, change)
	}
	if len(errs) > 0 {
		return conflict(fmt.Sprintf("The change would strand %d OAuth client(s) that use the connector %q; delete or replace them first.", total, before.Key), errs...)
	}
	if before.Visibility == "public" && after.Visibility != "public" {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM oauth_clients WHERE connector_id = ? AND account_id <> ?", before.ID, before.OwnerAccountID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return conflict(fmt.Sprintf("The connector %q cannot become private: %d OAuth client(s) of other accounts use it.", before.Key, n),
				fieldError{Field: "visibility", Detail: fmt.Sprintf("%d OAuth client(s) of other accounts use this public connector", n)})
		}
	}
	return nil
}

func (s *Server) deleteConnector(w http.ResponseWriter, r *http.Request, p *principal) {
	s.write(w, r, p, nil, false, func(ctx context.Context, tx db) (*response, error) {
		c, err := connectorForWrite(ctx, tx, r, p)
		if err != nil {
			return nil, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM oauth_clients WHERE connector_id = ?", c.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, conflict(fmt.Sprintf("The connector %q is used by %d OAuth client(s); delete them first, then delete the connector.", c.Key, n))
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM connectors WHERE id = ?", c.ID); err != nil {
			return nil, err
		}
		return &response{status: http.StatusNoContent}, nil
	})
}
