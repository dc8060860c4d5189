// Package api holds the REST contract of the App Xchange management API as an OpenAPI 3.0.3
// document.
//
// The contract is defined by this project: the sandbox in internal/sandbox serves it and the
// client in internal/client speaks it, and tests validate the requests and responses of both
// against this document. Document is the embedded YAML; Load parses and validates it.
package api

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// Document is the OpenAPI 3.0.3 document of the management API, in YAML.
//
//go:embed openapi.yaml
var Document []byte

// Load parses Document and validates it as an OpenAPI document. Every call returns a new,
// independent *openapi3.T, so callers may change it (for example its servers) freely.
func Load(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(Document)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validating the OpenAPI document: %w", err)
	}
	return doc, nil
}
