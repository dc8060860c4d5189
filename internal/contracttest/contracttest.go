// Package contracttest checks HTTP exchanges against the OpenAPI document in
// api/, so that the tests of the sandbox and of the client hold both to the
// same contract.
package contracttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/appxchange/terraform-provider-appxchange/api"
)

var formats sync.Once

// registerFormats teaches kin-openapi the string formats the document uses;
// out of the box it checks only date-time.
func registerFormats() {
	formats.Do(func() {
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122))
		openapi3.DefineStringFormatValidator("uri", openapi3.NewCallbackValidator(func(v string) error {
			if u, err := url.Parse(v); err != nil || !u.IsAbs() {
				return fmt.Errorf("not an absolute URI: %q", v)
			}
			return nil
		}))
	})
}

// Checker checks the exchanges with one server.
type Checker struct {
	router routers.Router
}

// New returns a Checker for the server at serverURL.
func New(t testing.TB, serverURL string) *Checker {
	t.Helper()
	registerFormats()
	doc, err := api.Load(context.Background())
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing the OpenAPI document: %v", err)
	}
	return &Checker{router: router}
}

// Exchange is one request and the response it got.
type Exchange struct {
	Request      *http.Request // with an absolute URL; its body is not read
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// Result says what Check found.
type Result struct {
	// OperationID is the operation the request matched; "" when none did.
	OperationID string
	// RequestError is why the document rules the request out; nil when it allows it.
	RequestError error
	// ResponseError is why the document rules the response out; nil when it allows it.
	ResponseError error
}

// Check validates an exchange: the request against its operation, and the
// response against the answers the operation declares.
func (c *Checker) Check(x Exchange) Result {
	ctx := x.Request.Context()
	req := x.Request.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return Result{RequestError: fmt.Errorf("%s %s is not an operation of the document: %w", req.Method, req.URL.Path, err)}
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SkipSettingDefaults: true, RejectWhenRequestBodyNotSpecified: true,
	}}
	res := Result{OperationID: route.Operation.OperationID, RequestError: openapi3filter.ValidateRequest(ctx, in)}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Body: io.NopCloser(bytes.NewReader(x.ResponseBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	res.ResponseError = openapi3filter.ValidateResponse(ctx, out)
	return res
}
