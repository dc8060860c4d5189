package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// problem is an RFC 7807 problem body; handlers return it as an error.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []fieldError `json:"errors,omitempty"`

	retryAfter int // seconds, for 429 and 503
	allow      string
	challenge  string // WWW-Authenticate, for 401
}

type fieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (p *problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

func newProblem(status int, kind, title, detail string) *problem {
	return &problem{Type: "urn:appxchange:problem:" + kind, Title: title, Status: status, Detail: detail}
}

func badRequest(detail string, errs ...fieldError) *problem {
	p := newProblem(http.StatusBadRequest, "malformed-request", "Malformed Request", detail)
	p.Errors = errs
	return p
}

func unauthorized(detail string) *problem {
	p := newProblem(http.StatusUnauthorized, "unauthorized", "Unauthorized", detail)
	p.challenge = `Bearer realm="appxchange"`
	return p
}

func forbidden(detail string, errs ...fieldError) *problem {
	p := newProblem(http.StatusForbidden, "forbidden", "Forbidden", detail)
	p.Errors = errs
	return p
}

func notFound(what string) *problem {
	return newProblem(http.StatusNotFound, "not-found", "Not Found",
		fmt.Sprintf("No %s with this id exists, or your account cannot see it.", what))
}

func conflict(detail string, errs ...fieldError) *problem {
	p := newProblem(http.StatusConflict, "conflict", "Conflict", detail)
	p.Errors = errs
	return p
}

func preconditionFailed(what, current string) *problem {
	return newProblem(http.StatusPreconditionFailed, "precondition-failed", "Precondition Failed",
		fmt.Sprintf("The %s changed since it was read (its ETag is now %s, If-Match did not match). Read it again and reapply the change.", what, current))
}

func unprocessable(errs fieldErrors) *problem {
	detail := "The request breaks a rule."
	if len(errs) == 1 {
		detail = errs[0].Field + ": " + errs[0].Detail
	} else if len(errs) > 1 {
		detail = fmt.Sprintf("The request breaks %d rules; see errors.", len(errs))
	}
	p := newProblem(http.StatusUnprocessableEntity, "validation", "Unprocessable Entity", detail)
	p.Errors = errs
	return p
}

func tooManyRequests(detail string, retryAfter int) *problem {
	p := newProblem(http.StatusTooManyRequests, "rate-limited", "Too Many Requests", detail)
	p.retryAfter = retryAfter
	return p
}

func unavailable(detail string, retryAfter int) *problem {
	p := newProblem(http.StatusServiceUnavailable, "unavailable", "Service Unavailable", detail)
	p.retryAfter = retryAfter
	return p
}

func internalError() *problem {
	return newProblem(http.StatusInternalServerError, "internal", "Internal Server Error", "The sandbox failed to handle the request.")
}

func writeProblem(w http.ResponseWriter, p *problem) {
	h := w.Header()
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.allow != "" {
		h.Set("Allow", p.allow)
	}
	if p.challenge != "" {
		h.Set("WWW-Authenticate", p.challenge)
	}
	writeBody(w, p.Status, "application/problem+json", p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, "application/json", v)
}

// bodies are the buffers that answers are encoded into, reused: a page of clients
// is tens of kilobytes, which json.Marshal would allocate and then copy.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds the buffers kept for reuse, so one huge answer does not
// stay in memory.
const maxPooledBody = 1 << 20

// writeBody answers v as JSON, with its Content-Length. Every value the sandbox
// answers with encodes, so a failure is a bug: it panics before the status is sent,
// and observe turns the panic into a logged 500. A failed write means the caller
// has gone.
func writeBody(w http.ResponseWriter, status int, contentType string, v any) {
	buf, _ := bodies.Get().(*bytes.Buffer) // the pool holds nothing else
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodies.Put(buf)
		}
	}()
	buf.Reset()
	// Encode ends the value with a newline, and escapes HTML as json.Marshal does.
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		panic(fmt.Sprintf("encoding a %d answer: %v", status, err))
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fieldErrors collects every broken rule of a request, so one answer lists them all.
type fieldErrors []fieldError

func (e *fieldErrors) add(field, format string, args ...any) {
	*e = append(*e, fieldError{Field: field, Detail: fmt.Sprintf(format, args...)})
}
