package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
)

// Logger receives the client's log lines. Fields never hold a secret, a token or an
// Authorization header; bodies logged at Trace level have their secret fields masked,
// and every text (the message, each field's) has the secrets the client sends masked
// wherever a server echoed them (see redactingLogger) and no control character.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Trace(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Level is the level of a log line.
type Level int

// The levels of the client's log lines.
const (
	LevelTrace Level = iota
	LevelDebug
	LevelWarn
)

// LevelChecker is implemented by a Logger that can tell whether it keeps the lines
// of a level. The client then builds a line's fields, and masks a body logged at
// Trace level, only when the line would be kept: masking a body decodes and encodes
// it, once per attempt. A Logger without it is given every line.
type LevelChecker interface {
	Enabled(ctx context.Context, level Level) bool
}

// enabled reports whether l keeps the lines of level.
func enabled(ctx context.Context, l Logger, level Level) bool {
	if c, ok := l.(LevelChecker); ok {
		return c.Enabled(ctx, level)
	}
	return true
}

type nopLogger struct{}

func (nopLogger) Enabled(context.Context, Level) bool { return false }

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Trace(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// redactingLogger passes each line on with its message and the text of each field
// cleaned (redactor.clean): the credentials and, on a line of a call, the secrets of
// its request's body are masked, and control characters made printable. Fields that
// are not text (numbers) pass as they are; the caller's map is never changed.
type redactingLogger struct {
	next    Logger
	secrets *secretSet
}

func (l redactingLogger) Enabled(ctx context.Context, level Level) bool {
	return enabled(ctx, l.next, level)
}

func (l redactingLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	msg, fields = l.clean(ctx, msg, fields)
	l.next.Debug(ctx, msg, fields)
}

func (l redactingLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	msg, fields = l.clean(ctx, msg, fields)
	l.next.Trace(ctx, msg, fields)
}

func (l redactingLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	msg, fields = l.clean(ctx, msg, fields)
	l.next.Warn(ctx, msg, fields)
}

func (l redactingLogger) clean(ctx context.Context, msg string, fields map[string]any) (string, map[string]any) {
	var request *formSet
	if st := stateOf(ctx); st != nil {
		request = st.secrets
	}
	r := l.secrets.redactor(request)
	var out map[string]any // a copy of fields, made at the first change
	for k, v := range fields {
		var text string
		switch v := v.(type) {
		case string:
			text = v
		case error:
			text = v.Error()
		case fmt.Stringer:
			text = v.String()
		default:
			continue
		}
		clean := r.clean(text)
		if s, ok := v.(string); ok && s == clean {
			continue
		}
		if out == nil {
			out = maps.Clone(fields)
		}
		out[k] = clean
	}
	if out == nil {
		out = fields
	}
	return r.clean(msg), out
}

// masked is what a secret value is logged as.
const masked = "***"

// secretFields are the JSON fields whose values are never logged, at any depth.
var secretFields = map[string]bool{
	"clientSecret":  true,
	"client_secret": true,
	"access_token":  true,
	"refresh_token": true,
}

// maskBody returns a JSON body for the log with every secret field masked, and the
// secrets that r masks masked in every other string and key: a server may echo a
// request's JSON body inside a string, where its secrets are escaped, and those
// escapes would be escaped again in the body shown. A body that is not JSON is
// described, never shown, since it cannot be masked.
func maskBody(body []byte, r redactor) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Sprintf("(%d bytes that are not JSON)", len(body))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Sprintf("(%d bytes that are not one JSON value)", len(body))
	}
	out, err := json.Marshal(mask(v, r))
	if err != nil {
		return fmt.Sprintf("(%d bytes that cannot be shown)", len(body))
	}
	return string(out)
}

func mask(v any, r redactor) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			if secretFields[k] {
				out[r.hide(k)] = masked
			} else {
				out[r.hide(k)] = mask(item, r)
			}
		}
		return out
	case []any:
		for i, item := range v {
			v[i] = mask(item, r)
		}
	case string:
		return r.hide(v)
	}
	return v
}
