package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestUnique(t *testing.T) {
	list := func(values ...attr.Value) types.List { return types.ListValueMust(types.StringType, values) }
	s := types.StringValue
	at := path.Root("connection_definitions").AtMapKey("crm").AtName("properties").AtMapKey("env").AtName("enum_values")
	for _, c := range []struct {
		value  types.List
		errors []string // the value each error names
	}{
		{list(s("prod"), s("test")), nil},
		{list(s("prod"), s("prod")), []string{`"prod"`}},
		{list(s("a"), s("b"), s("a"), s("a"), s("b")), []string{`"a"`, `"b"`}},
		{list(s("Prod"), s("prod")), nil},
		{list(s("a"), types.StringUnknown(), types.StringUnknown()), nil},
		{list(), nil},
		{types.ListNull(types.StringType), nil},
		{types.ListUnknown(types.StringType), nil},
	} {
		resp := &validator.ListResponse{}
		Unique().ValidateList(context.Background(), validator.ListRequest{Path: at, ConfigValue: c.value}, resp)
		errs := resp.Diagnostics.Errors()
		if len(errs) != len(c.errors) {
			t.Errorf("%v: %d errors, want %d: %v", c.value, len(errs), len(c.errors), errs)
			continue
		}
		for i, d := range errs {
			want := c.errors[i] + ` appears more than once; list each value once. The attribute is connection_definitions["crm"].properties["env"].enum_values.`
			if d.Detail() != want {
				t.Errorf("%v: the error says %q, want %q", c.value, d.Detail(), want)
			}
		}
	}
}
