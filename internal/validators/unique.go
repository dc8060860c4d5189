package validators

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Unique validates a list in which no known value appears twice. Its error ends
// with the attribute's path when the list is nested: inside a map of objects
// Terraform 1.11 and OpenTofu point only at the resource (see Detail), so a message
// without the path would not say which list repeats a value.
func Unique() validator.List { return uniqueValidator{} }

type uniqueValidator struct{}

func (uniqueValidator) Description(context.Context) string {
	return "must not repeat a value"
}

func (v uniqueValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (uniqueValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var seen []attr.Value
	for _, e := range req.ConfigValue.Elements() {
		if e.IsUnknown() {
			continue
		}
		if !slices.ContainsFunc(seen, e.Equal) {
			seen = append(seen, e)
			continue
		}
		// A third occurrence makes the same diagnostic, which Diagnostics keeps once.
		resp.Diagnostics.AddAttributeError(req.Path, "Duplicate List Value",
			Detail(req.Path, fmt.Sprintf("%s appears more than once; list each value once.", e)))
	}
}
