package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// NotEmpty refuses an empty string, list, set or map. The API omits empty values,
// so an empty value in the configuration would read back as null and show a diff
// on every plan; the error tells the user to omit the attribute instead.
func NotEmpty() notEmptyValidator { return notEmptyValidator{} }

type notEmptyValidator struct{}

var (
	_ validator.String = notEmptyValidator{}
	_ validator.List   = notEmptyValidator{}
	_ validator.Set    = notEmptyValidator{}
	_ validator.Map    = notEmptyValidator{}
)

func (notEmptyValidator) Description(context.Context) string {
	return "must not be empty; omit the attribute instead"
}

func (v notEmptyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (notEmptyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && req.ConfigValue.ValueString() == "" {
		addEmpty(&resp.Diagnostics, req.Path)
	}
}

func (notEmptyValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && len(req.ConfigValue.Elements()) == 0 {
		addEmpty(&resp.Diagnostics, req.Path)
	}
}

func (notEmptyValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && len(req.ConfigValue.Elements()) == 0 {
		addEmpty(&resp.Diagnostics, req.Path)
	}
}

func (notEmptyValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && len(req.ConfigValue.Elements()) == 0 {
		addEmpty(&resp.Diagnostics, req.Path)
	}
}

func addEmpty(diags *diag.Diagnostics, p path.Path) {
	diags.AddAttributeError(p, "Empty Value",
		Detail(p, "The value must not be empty: the API does not keep empty values, so omit the attribute instead."))
}
