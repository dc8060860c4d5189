package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Alone validates a set of strings in which value, when present, is the only element.
func Alone(value string) validator.Set { return aloneValidator{value: value} }

type aloneValidator struct{ value string }

func (v aloneValidator) Description(context.Context) string {
	return fmt.Sprintf("%q cannot be combined with another element", v.value)
}

func (v aloneValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v aloneValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	// An unknown element may turn out to be the value itself, so only a known other
	// element breaks the rule.
	var alone, other bool
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		switch {
		case !ok || s.IsUnknown():
		case s.ValueString() == v.value:
			alone = true
		default:
			other = true
		}
	}
	if alone && other {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Combination",
			Detail(req.Path, fmt.Sprintf("%q cannot be combined with another element; keep only %q, or remove it.", v.value, v.value)))
	}
}
