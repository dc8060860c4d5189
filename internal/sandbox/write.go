package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// idempotencyWindow is how long a stored response is replayed for its key.
const idempotencyWindow = 24 * time.Hour

// maxIdempotencyKey is the longest Idempotency-Key, in bytes.
const maxIdempotencyKey = 255

// response is what a write answers, and what an Idempotency-Key replays.
type response struct {
	status   int
	etag     string
	location string
	body     []byte
}

func jsonResponse(status int, v any, version int64, location string) (*response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &response{status: status, etag: etag(version), location: location, body: append(body, '\n')}, nil
}

// querier is what the store's reader and a transaction share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// sweepInterval is how often one process deletes the records that have expired:
// not with every write, which on PostgreSQL would make concurrent writes conflict.
const sweepInterval = time.Minute

// write runs fn in one transaction. When idempotent and the request carries an
// Idempotency-Key, the first successful response is stored in the same
// transaction and every replay of the same request returns it unchanged.
func (s *Server) write(w http.ResponseWriter, r *http.Request, p *principal, body []byte, idempotent bool, fn func(ctx context.Context, tx db) (*response, error)) {
	ctx := r.Context()
	key := r.Header.Get("Idempotency-Key")
	if !idempotent {
		key = ""
	}
	if len(key) > maxIdempotencyKey {
		writeProblem(w, badRequest("The Idempotency-Key header must be at most 255 characters long.", fieldError{Field: "Idempotency-Key", Detail: "must be at most 255 characters long"}))
		return
	}
	fingerprint := r.Method + " " + r.URL.Path + " " + s.store.hash(string(body))
	var out *response
	var replayed bool
	err := s.store.inTx(ctx, func(tx db) error {
		out, replayed = nil, false
		now := s.now()
		if key != "" {
			claimed, err := claimKey(ctx, tx, p.AccountID, key, fingerprint, r, now)
			if err != nil {
				return err
			}
			if !claimed {
				var stored response
				var storedFingerprint string
				err := tx.QueryRowContext(ctx, `SELECT fingerprint, status, etag, location, body FROM idempotency_keys WHERE account_id = ? AND key = ?`, p.AccountID, key).
					Scan(&storedFingerprint, &stored.status, &stored.etag, &stored.location, &stored.body)
				switch {
				case err != nil:
					return err
				case storedFingerprint != fingerprint:
					return unprocessable(fieldErrors{{Field: "Idempotency-Key", Detail: "was already used for a different request; use a new key for each new request"}})
				}
				out, replayed = &stored, true
				return nil
			}
		}
		res, err := fn(ctx, tx)
		if err != nil {
			return err // the rollback frees the key too
		}
		if key != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, etag = ?, location = ?, body = ? WHERE account_id = ? AND key = ?`,
				res.status, res.etag, res.location, res.body, p.AccountID, key); err != nil {
				return err
			}
			if s.sweepDue(now) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, now.Add(-idempotencyWindow).UnixNano()); err != nil {
					return err
				}
			}
		}
		out = res
		return nil
	})
	var prob *problem
	switch {
	case errors.As(err, &prob):
		writeProblem(w, prob)
		return
	case errors.Is(err, errBusy):
		s.log.Warn("write gave way to concurrent writes", "method", r.Method, "attempts", maxAttempts)
		writeProblem(w, unavailable("The database is busy with concurrent changes to the same objects; retry after the time in Retry-After.", 1))
		return
	case err != nil:
		if ctx.Err() == nil {
			s.log.Error("write failed", "method", r.Method, "error", err)
		}
		writeProblem(w, internalError())
		return
	}
	h := w.Header()
	if out.etag != "" && out.status != http.StatusNoContent {
		h.Set("ETag", out.etag)
	}
	if out.location != "" {
		h.Set("Location", out.location)
	}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	if len(out.body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(out.status)
	_, _ = w.Write(out.body) // a failed write means the caller has gone
}

// claimKey takes an Idempotency-Key for this request before its change is made,
// and reports whether it got it: a key that no live record holds (none, or one
// older than the window, which it replaces). The record's answer is filled in by
// the same transaction. Claiming with an insert rather than looking the key up
// first keeps concurrent writes with other keys apart on PostgreSQL: a lookup that
// finds nothing would lock the index page that their inserts go to, and make them
// conflict. A concurrent write with the same key waits for this one's insert, then
// finds the record (after running again, on PostgreSQL).
func claimKey(ctx context.Context, tx db, account, key, fingerprint string, r *http.Request, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (account_id, key, fingerprint, method, path, status, etag, location, body, created_at)
		VALUES (?, ?, ?, ?, ?, 0, '', '', ?, ?)
		ON CONFLICT (account_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, method = excluded.method, path = excluded.path,
			status = 0, etag = '', location = '', body = excluded.body, created_at = excluded.created_at
		WHERE idempotency_keys.created_at < ?`,
		account, key, fingerprint, r.Method, r.URL.Path, []byte{}, now.UnixNano(), now.Add(-idempotencyWindow).UnixNano())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// sweepDue tells whether this process should delete expired records now: at most
// once per sweepInterval.
func (s *Server) sweepDue(now time.Time) bool {
	last := s.sweptAt.Load()
	return now.UnixNano()-last >= sweepInterval.Nanoseconds() && s.sweptAt.CompareAndSwap(last, now.UnixNano())
}

// checkIfMatch compares If-Match, when sent, with the object's current ETag.
func checkIfMatch(r *http.Request, version int64, what string) *problem {
	header := r.Header.Get("If-Match")
	if header == "" {
		return nil
	}
	current := etag(version)
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || candidate == current {
			return nil
		}
	}
	return preconditionFailed(what, current)
}

// pageParams reads pageIndex and pageSize.
func pageParams(r *http.Request) (index, size int, prob *problem) {
	q := r.URL.Query()
	index, size = 0, 100
	var errs fieldErrors
	if v := q.Get("pageIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs.add("pageIndex", "must be a whole number of at least 0, not %q", v)
		}
		index = n
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs.add("pageSize", "must be a whole number from 1 to 1000, not %q", v)
		}
		size = n
	}
	if len(errs) > 0 {
		return 0, 0, badRequest(errs[0].Field+": "+errs[0].Detail+".", errs...)
	}
	// In int64, so that 32-bit builds compile: there the bound is beyond int anyway.
	if int64(index) > (1<<31)/int64(size) {
		return 0, 0, badRequest("pageIndex is beyond any page.", fieldError{Field: "pageIndex", Detail: "is too large"})
	}
	return index, size, nil
}

// page is one page of a list.
type page[T any] struct {
	Items      []T `json:"items"`
	PageIndex  int `json:"pageIndex"`
	PageSize   int `json:"pageSize"`
	TotalItems int `json:"totalItems"`
}

// where builds a WHERE clause from conditions that each hold one placeholder or none.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// containing is a LIKE pattern (ESCAPE '\') that matches text containing s.
func containing(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

func (w *where) sql() string { return " WHERE " + strings.Join(w.conds, " AND ") }

func listPage[T any](ctx context.Context, q querier, from string, w *where, order string, index, size int, scan func(scanner) (T, error), columns string) (*page[T], error) {
	out := &page[T]{Items: []T{}, PageIndex: index, PageSize: size}
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+from+w.sql(), w.args...).Scan(&out.TotalItems); err != nil {
		return nil, err
	}
	args := append(append([]any{}, w.args...), size, index*size)
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT ? OFFSET ?", columns, from, w.sql(), order), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, item)
	}
	return out, rows.Err()
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var prob *problem
	if errors.As(err, &prob) {
		writeProblem(w, prob)
		return
	}
	if r.Context().Err() == nil {
		s.log.Error("request failed", "method", r.Method, "error", err)
	}
	writeProblem(w, internalError())
}
