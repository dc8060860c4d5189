package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Logger receives the client's log lines. Fields never hold a secret, a token or an
// Authorization header; bodies logged at Trace level have their secret fields masked.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Trace(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Trace(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// masked is what a secret value is logged as.
const masked = "***"

// secretFields are the JSON fields whose values are never logged, at any depth.
var secretFields = map[string]bool{
	"clientSecret":  true,
	"client_secret": true,
	"access_token":  true,
	"refresh_token": true,
}

// maskBody returns a JSON body for the log with every secret field masked. A body
// that is not JSON is described, never shown, since it cannot be masked.
func maskBody(body []byte) string {
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
	out, err := json.Marshal(mask(v))
	if err != nil {
		return fmt.Sprintf("(%d bytes that cannot be shown)", len(body))
	}
	return string(out)
}

func mask(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			if secretFields[k] {
				v[k] = masked
			} else {
				v[k] = mask(item)
			}
		}
	case []any:
		for i, item := range v {
			v[i] = mask(item)
		}
	}
	return v
}
