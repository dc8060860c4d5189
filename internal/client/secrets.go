package client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/oauth2"
)

// A server may echo what it was sent: a request body in a problem's detail, an
// Authorization header in a token endpoint's error_description. Every value the
// client sends as a secret is therefore masked in every text it passes on from a
// server (the texts of an *APIError or a *CredentialsError, the Error() of every error
// it returns, every log line), in each of the forms a server may echo it in:
//
//   - the credentials, always: the access token, the service account's client secret
//     and the tokens issued to it (secretSet);
//   - the secret fields of a request body (secretFields, such as an OAuth client's
//     clientSecret), in the errors and log lines of that request (callState.secrets).
//
// Masking is of exact substrings, however short the secret: every byte of the text
// that belongs to an occurrence of a form is hidden, and each run of hidden bytes
// becomes masked. Then the text is made printable (printable), so that no control
// character or terminal sequence from a server reaches a terminal.

// maxIssuedTokens is how many of the tokens last issued to the service account are
// masked: a token endpoint that issues a token per request must not make the set grow
// without end. Older tokens have expired long before.
const maxIssuedTokens = 64

// secretForms returns the texts in which a server may echo value: as it is; escaped
// in a JSON string (with and without HTML escaping, and with every non-ASCII
// character escaped, as Python's json module does); quoted as Go quotes the server
// texts it puts in errors (%q, as net/http does with a malformed header line);
// escaped in a URL query (an application/x-www-form-urlencoded body, such as a token
// request) or path. Each of these forms is also given escaped once more in a JSON
// string and quoted as Go quotes, since a JSON request body (where a secret is already
// escaped) may be echoed inside a JSON string, and a Go error quotes what it quotes. A
// secret made of letters, digits and -._~ has no other form than itself.
//
// The base64 of a secret alone is not a form: no request carries it (the Basic
// credentials of a token request are in basicForms), a secret inside a longer base64
// text is encoded differently at two offsets of three, and the two or three
// characters of a short secret's base64 would mask common text.
func secretForms(value string) []string {
	if value == "" {
		return nil
	}
	forms := compact([]string{
		value,
		jsonEscaped(value, true),
		jsonEscaped(value, false),
		asciiJSON(jsonEscaped(value, false)),
		goQuoted(value),
		unquoted(strconv.QuoteToASCII(value)),
		url.QueryEscape(value),
		url.PathEscape(value),
	})
	for _, f := range forms {
		forms = append(forms, jsonEscaped(f, true), jsonEscaped(f, false), goQuoted(f))
	}
	return compact(forms)
}

// goQuoted is value as %q writes it, without the quotes.
func goQuoted(value string) string { return unquoted(strconv.Quote(value)) }

// basicForms returns the texts in which a server may echo the Authorization header of
// a token request: the base64 of the client ID and secret as golang.org/x/oauth2 sends
// them (each query-escaped, joined by a colon) and as they are, standard and URL-safe,
// without the padding. The ID and secret themselves are in secretForms.
func basicForms(id, secret string) []string {
	if id == "" || secret == "" {
		return nil
	}
	var forms []string
	for _, cred := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		forms = append(forms, base64.RawStdEncoding.EncodeToString([]byte(cred)), base64.RawURLEncoding.EncodeToString([]byte(cred)))
	}
	return compact(forms)
}

// jsonEscaped is value as encoding/json writes it inside a string, without the quotes.
func jsonEscaped(value string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(value) // a string always encodes
	return unquoted(strings.TrimSuffix(buf.String(), "\n"))
}

// unquoted drops the quotes around a quoted string.
func unquoted(q string) string { return q[1 : len(q)-1] }

// asciiJSON escapes every non-ASCII character of a JSON string's content as \uXXXX
// (lowercase hex, a UTF-16 surrogate pair beyond the BMP), as ASCII-only encoders do.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// compact drops empty and repeated forms.
func compact(forms []string) []string {
	out := forms[:0]
	for _, f := range forms {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// secretSet holds the forms of the credentials the client sends with every request:
// fixed ones, and the tokens issued to the service account as they come. It is safe
// for concurrent use.
type secretSet struct {
	fixed []string // the forms of the access token or of the service account's secret

	mu     sync.Mutex
	issued []string // issued tokens, oldest first, at most maxIssuedTokens
	// all is fixed and the forms of issued, read without the lock.
	all atomic.Pointer[formSet]
}

// newSecretSet holds the credentials of cfg.
func newSecretSet(cfg *Config) *secretSet {
	s := &secretSet{}
	s.fixed = append(s.fixed, secretForms(cfg.AccessToken)...)
	s.fixed = append(s.fixed, secretForms(cfg.ClientSecret)...)
	s.fixed = append(s.fixed, basicForms(cfg.ClientID, cfg.ClientSecret)...)
	s.all.Store(newFormSet(s.fixed))
	return s
}

// addToken adds the access and refresh tokens of a token the token endpoint issued.
func (s *secretSet) addToken(tok *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
		if v != "" && !slices.Contains(s.issued, v) {
			s.issued = append(s.issued, v)
			changed = true
		}
	}
	if !changed {
		return
	}
	if n := len(s.issued) - maxIssuedTokens; n > 0 {
		s.issued = slices.Delete(s.issued, 0, n)
	}
	all := slices.Clip(s.fixed)
	for _, v := range s.issued {
		all = append(all, secretForms(v)...)
	}
	s.all.Store(newFormSet(all))
}

// forms returns the forms of every credential; none for a nil set.
func (s *secretSet) forms() *formSet {
	if s == nil {
		return nil
	}
	return s.all.Load()
}

// redactor returns what cleans the texts of a request whose own secrets have the
// forms request (nil for a text of no request).
func (s *secretSet) redactor(request *formSet) redactor {
	return redactor{credentials: s.forms(), request: request}
}

// requestSecretForms returns the forms of the values of the secret fields
// (secretFields) of a JSON request body, at any depth; nil when it has none.
func requestSecretForms(body []byte) *formSet {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var forms []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, item := range v {
				if s, ok := item.(string); ok && secretFields[k] {
					forms = append(forms, secretForms(s)...)
				} else {
					walk(item)
				}
			}
		case []any:
			for _, item := range v {
				walk(item)
			}
		}
	}
	walk(v)
	return newFormSet(forms)
}

// formSet is a set of forms of secrets, indexed by their first byte, so that a text
// is scanned once whatever their number.
type formSet struct {
	forms   []string
	byFirst [256][]string
	first   [256]bool // whether a form starts with the byte
}

// noForms stands for a nil *formSet in a scan.
var noForms = &formSet{}

// newFormSet returns the set of forms, or nil when there is none.
func newFormSet(forms []string) *formSet {
	forms = compact(slices.Clone(forms))
	if len(forms) == 0 {
		return nil
	}
	s := &formSet{forms: forms}
	for _, f := range forms {
		s.byFirst[f[0]] = append(s.byFirst[f[0]], f)
		s.first[f[0]] = true
	}
	return s
}

// endAt returns the end of the longest form that occurs in text at i, or -1.
func (s *formSet) endAt(text string, i int) int {
	end := -1
	for _, f := range s.byFirst[text[i]] {
		if strings.HasPrefix(text[i:], f) {
			end = max(end, i+len(f))
		}
	}
	return end
}

// redactor masks the forms of the credentials and of a request's secrets in a text.
// Its zero value masks nothing and still makes texts printable.
type redactor struct {
	credentials *formSet
	request     *formSet
}

// hide replaces every run of bytes of text that belong to an occurrence of a form
// by masked. Occurrences may overlap: a secret that ends where another begins leaves
// nothing of either. A text without any occurrence is returned as it is.
func (r redactor) hide(text string) string {
	creds, req := r.credentials, r.request
	if creds == nil && req == nil {
		return text
	}
	if creds == nil {
		creds = noForms
	}
	if req == nil {
		req = noForms
	}
	var b strings.Builder
	done := 0                  // text[:done] is written
	runStart, runEnd := -1, -1 // the run of hidden bytes being extended
	for i := 0; i < len(text); i++ {
		if c := text[i]; !creds.first[c] && !req.first[c] {
			continue
		}
		end := max(creds.endAt(text, i), req.endAt(text, i))
		switch {
		case end < 0:
		case runStart >= 0 && i <= runEnd: // overlaps or touches the run
			runEnd = max(runEnd, end)
		default:
			if runStart >= 0 {
				b.WriteString(text[done:runStart])
				b.WriteString(masked)
				done = runEnd
			}
			runStart, runEnd = i, end
		}
	}
	if runStart < 0 {
		return text
	}
	b.WriteString(text[done:runStart])
	b.WriteString(masked)
	b.WriteString(text[runEnd:])
	return b.String()
}

// clean masks the secrets of text, then makes it printable.
func (r redactor) clean(text string) string { return printable(r.hide(text)) }

// error returns err, or, when its text holds a secret or a character that is not
// printable, an error whose text is cleaned and which unwraps to err.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := r.clean(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// redactedError is an error whose text was cleaned of secrets and of characters that
// are not printable. errors.Is and errors.As see the error it was made from.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
