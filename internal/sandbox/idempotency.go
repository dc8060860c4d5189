package sandbox

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
)

// IdempotencyRecord is a write carried out with an Idempotency-Key, as the API shows it.
type IdempotencyRecord struct {
	Key       string             `json:"key"`
	Method    string             `json:"method"`
	Path      string             `json:"path"`
	CreatedAt string             `json:"createdAt"`
	ExpiresAt string             `json:"expiresAt"`
	Response  IdempotentResponse `json:"response"`
}

// IdempotentResponse is the stored response of a write, as it was first sent.
type IdempotentResponse struct {
	Status   int             `json:"status"`
	ETag     string          `json:"etag,omitempty"`
	Location string          `json:"location,omitempty"`
	Body     json.RawMessage `json:"body"`
}

// getIdempotencyKey tells what became of the caller's write sent with a key: the
// record stored with its change, or 404 when no such write was carried out in the
// window (refused, never arrived, or older).
func (s *Server) getIdempotencyKey(w http.ResponseWriter, r *http.Request, p *principal) {
	key := r.PathValue("key")
	if len(key) > maxIdempotencyKey {
		writeProblem(w, badRequest("An Idempotency-Key is at most 255 characters long.", fieldError{Field: "key", Detail: "must be at most 255 characters long"}))
		return
	}
	now := s.now()
	rec := IdempotencyRecord{Key: key}
	var created int64
	var body []byte
	err := s.store.reader.QueryRowContext(r.Context(), `SELECT method, path, status, etag, location, body, created_at FROM idempotency_keys
		WHERE account_id = ? AND key = ? AND created_at >= ?`, p.AccountID, key, now.Add(-idempotencyWindow).UnixNano()).
		Scan(&rec.Method, &rec.Path, &rec.Response.Status, &rec.Response.ETag, &rec.Response.Location, &body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		writeProblem(w, newProblem(http.StatusNotFound, "not-found", "Not Found",
			"No request that your account sent with this Idempotency-Key was carried out in the last 24 hours: "+
				"it was refused, it never arrived, or it is older."))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec.CreatedAt = formatTime(created)
	rec.ExpiresAt = formatTime(created + idempotencyWindow.Nanoseconds())
	rec.Response.Body = bytes.TrimSpace(body)
	writeJSON(w, http.StatusOK, rec)
}
