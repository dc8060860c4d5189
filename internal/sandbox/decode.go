package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

const maxBodyBytes = 1 << 20

// opt is a JSON field that tells absent, null and a value apart, as a PATCH needs.
type opt[T any] struct {
	Set   bool // present in the body, null or not
	Null  bool
	Value T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// present reports whether the field carries a value (not absent, not null).
func (o opt[T]) present() bool { return o.Set && !o.Null }

// readBody reads a request body of bounded size.
func readBody(r *http.Request) ([]byte, *problem) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, badRequest("The request body could not be read.")
	}
	if len(body) > maxBodyBytes {
		return nil, badRequest(fmt.Sprintf("The request body is larger than %d bytes.", maxBodyBytes))
	}
	return body, nil
}

// decodeJSON decodes one JSON object into v, refusing unknown fields and trailing data,
// and names the offending field when it can.
func decodeJSON(r *http.Request, body []byte, v any) *problem {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/merge-patch+json") {
			return badRequest("The Content-Type must be application/json.")
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("The request body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The request body holds more than one JSON value.")
	}
	return nil
}

func jsonProblem(err error) *problem {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest("The request body must be a JSON object.")
		}
		return badRequest(fmt.Sprintf("%s: expected %s, got JSON %s.", field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value),
			fieldError{Field: field, Detail: fmt.Sprintf("must be %s", jsonTypeName(typeErr.Type.Kind().String()))})
	case errors.As(err, &syntaxErr):
		return badRequest(fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntaxErr.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("The request body is truncated JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(fmt.Sprintf("Unknown field %q.", field), fieldError{Field: field, Detail: "is not a field of this object"})
	default:
		return badRequest("The request body is not a valid JSON object for this operation.")
	}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	default:
		return "a different type"
	}
}
