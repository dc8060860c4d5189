package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode"
)

// ErrNotFound matches, with errors.Is, every error of a 404 answer: the object does
// not exist or the caller may not read it.
var ErrNotFound = errors.New("not found")

// ErrPreconditionFailed matches, with errors.Is, every error of a 412 answer: the
// object changed since the ETag sent in If-Match was read.
var ErrPreconditionFailed = errors.New("precondition failed")

// FieldError is one field of a request that breaks a rule.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// APIError is an answer of the API with a status other than 2xx, decoded from its
// RFC 7807 problem body when it has one.
type APIError struct {
	StatusCode int
	Type       string
	Title      string
	Detail     string
	Errors     []FieldError
	// Attempts is how many attempts were made when the answer came after every retry
	// was spent; it is 0 when the answer ended the retries by itself.
	Attempts int

	// redact masks the secrets of the request in Error(), as in the texts above.
	redact redactor
}

// Error returns the title, status, detail and field errors, such as
// "Unprocessable Entity (422): The request breaks 2 rules; see errors; name: is required; clientId: is required".
func (e *APIError) Error() string {
	var parts []string
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	for _, f := range e.Errors {
		s := f.Detail
		if f.Field != "" {
			s = f.Field + ": " + f.Detail
		}
		if !strings.Contains(e.Detail, s) {
			parts = append(parts, s)
		}
	}
	msg := fmt.Sprintf("%s (%d)", e.Title, e.StatusCode)
	if len(parts) > 1 {
		parts[0] = strings.TrimSuffix(parts[0], ".")
	}
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, "; ")
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	// The texts are masked one by one; a secret could still span two of them.
	return e.redact.hide(msg)
}

// Is reports whether target is ErrNotFound for a 404 or ErrPreconditionFailed for a 412.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	}
	return false
}

// newAPIError decodes an answer that is not 2xx. A body that is not a problem leaves
// only the status and its text. The texts of a problem end up in Terraform's
// messages, so the secrets that r masks, which a server may echo, and what a terminal
// would not print as it is do not pass.
func newAPIError(resp *http.Response, body []byte, r redactor) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, redact: r}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil &&
		(mt == "application/problem+json" || mt == "application/json") {
		var p struct {
			Type   string       `json:"type"`
			Title  string       `json:"title"`
			Detail string       `json:"detail"`
			Errors []FieldError `json:"errors"`
		}
		if json.Unmarshal(body, &p) == nil && (p.Title != "" || p.Detail != "") {
			e.Type, e.Title, e.Detail = r.clean(p.Type), r.clean(p.Title), r.clean(p.Detail)
			for _, f := range p.Errors {
				e.Errors = append(e.Errors, FieldError{Field: r.clean(f.Field), Detail: r.clean(f.Detail)})
			}
		}
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	if e.Title == "" {
		e.Title = "HTTP error"
	}
	return e
}

// printable makes text safe to print: line breaks and tabs become spaces, and other
// control characters (such as the escape of a terminal sequence) and bidirectional
// controls (which make text display in another order than it reads) become U+FFFD.
func printable(s string) string {
	if isPlainASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// isPlainASCII reports whether s is ASCII without control characters, which
// printable leaves as it is.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
