package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestNotEmpty(t *testing.T) {
	ctx := context.Background()
	p := path.Root("scopes")
	one := []attr.Value{types.StringValue("a")}
	for name, errs := range map[string]func() int{
		"empty string": func() int {
			resp := &validator.StringResponse{}
			NotEmpty().ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue("")}, resp)
			return checkNamed(t, resp.Diagnostics.Errors(), p)
		},
		"empty list": func() int {
			resp := &validator.ListResponse{}
			NotEmpty().ValidateList(ctx, validator.ListRequest{Path: p, ConfigValue: types.ListValueMust(types.StringType, nil)}, resp)
			return checkNamed(t, resp.Diagnostics.Errors(), p)
		},
		"empty set": func() int {
			resp := &validator.SetResponse{}
			NotEmpty().ValidateSet(ctx, validator.SetRequest{Path: p, ConfigValue: types.SetValueMust(types.StringType, nil)}, resp)
			return checkNamed(t, resp.Diagnostics.Errors(), p)
		},
		"empty map": func() int {
			resp := &validator.MapResponse{}
			NotEmpty().ValidateMap(ctx, validator.MapRequest{Path: p, ConfigValue: types.MapValueMust(types.StringType, map[string]attr.Value{})}, resp)
			return checkNamed(t, resp.Diagnostics.Errors(), p)
		},
	} {
		if n := errs(); n != 1 {
			t.Errorf("%s: %d errors, want 1", name, n)
		}
	}
	for name, errs := range map[string]func() int{
		"string":         func() int { return stringErrors(types.StringValue("x")) },
		"null string":    func() int { return stringErrors(types.StringNull()) },
		"unknown string": func() int { return stringErrors(types.StringUnknown()) },
		"set": func() int {
			resp := &validator.SetResponse{}
			NotEmpty().ValidateSet(ctx, validator.SetRequest{Path: p, ConfigValue: types.SetValueMust(types.StringType, one)}, resp)
			return resp.Diagnostics.ErrorsCount()
		},
		"null set": func() int {
			resp := &validator.SetResponse{}
			NotEmpty().ValidateSet(ctx, validator.SetRequest{Path: p, ConfigValue: types.SetNull(types.StringType)}, resp)
			return resp.Diagnostics.ErrorsCount()
		},
		"unknown map": func() int {
			resp := &validator.MapResponse{}
			NotEmpty().ValidateMap(ctx, validator.MapRequest{Path: p, ConfigValue: types.MapUnknown(types.StringType)}, resp)
			return resp.Diagnostics.ErrorsCount()
		},
		"list": func() int {
			resp := &validator.ListResponse{}
			NotEmpty().ValidateList(ctx, validator.ListRequest{Path: p, ConfigValue: types.ListValueMust(types.StringType, one)}, resp)
			return resp.Diagnostics.ErrorsCount()
		},
	} {
		if n := errs(); n != 0 {
			t.Errorf("%s: %d errors, want none", name, n)
		}
	}
}

func stringErrors(v types.String) int {
	resp := &validator.StringResponse{}
	NotEmpty().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("description"), ConfigValue: v}, resp)
	return resp.Diagnostics.ErrorsCount()
}

// checkNamed counts the errors and checks that each says to omit the attribute,
// without naming it: Terraform shows the attribute above the detail.
func checkNamed(t *testing.T, errs diag.Diagnostics, p path.Path) int {
	t.Helper()
	for _, d := range errs {
		if want := "The value must not be empty: the API does not keep empty values, so omit the attribute instead."; d.Detail() != want {
			t.Errorf("at %s, the error says %q, want %q", p, d.Detail(), want)
		}
	}
	return len(errs)
}
