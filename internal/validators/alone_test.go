package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestAlone(t *testing.T) {
	set := func(values ...attr.Value) types.Set { return types.SetValueMust(types.StringType, values) }
	s := types.StringValue
	for _, c := range []struct {
		value types.Set
		fails bool
	}{
		{set(s("none")), false},
		{set(s("login"), s("consent")), false},
		{set(s("none"), s("login")), true},
		{set(s("login"), s("none"), s("consent")), true},
		{set(s("login"), types.StringUnknown()), false},
		{set(s("none"), types.StringUnknown()), false},
		{set(s("none"), s("login"), types.StringUnknown()), true},
		{set(), false},
		{types.SetNull(types.StringType), false},
		{types.SetUnknown(types.StringType), false},
	} {
		resp := &validator.SetResponse{}
		Alone("none").ValidateSet(context.Background(), validator.SetRequest{Path: path.Root("prompts"), ConfigValue: c.value}, resp)
		if resp.Diagnostics.HasError() != c.fails {
			t.Errorf("%v: failed %v, want %v", c.value, resp.Diagnostics.HasError(), c.fails)
		}
		if want := `"none" cannot be combined with another element; keep only "none", or remove it.`; c.fails && resp.Diagnostics.Errors()[0].Detail() != want {
			t.Errorf("%v: the error says %q, want %q", c.value, resp.Diagnostics.Errors()[0].Detail(), want)
		}
	}
}
