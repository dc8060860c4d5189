package provider

import (
	"context"
	"reflect"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// sameModel reports whether two models, structs whose fields are all attr.Value, hold
// equal values. A Read that finds the object as the state has it need not write the
// state again, which for a model of twenty attributes costs more than the API call.
func sameModel[M any](a, b *M) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		x, okX := va.Field(i).Interface().(attr.Value)
		y, okY := vb.Field(i).Interface().(attr.Value)
		if !okX || !okY || !x.Equal(y) {
			return false
		}
	}
	return true
}

// optionalString is null for the empty string, which the API omits.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// optionalStringSet is null for an empty list, which the API omits.
func optionalStringSet(ctx context.Context, values []string, diags *diag.Diagnostics) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	set, d := types.SetValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return set
}

// stringsOf is the elements of a known set or list of strings; nil when null.
func stringsOf(ctx context.Context, v interface {
	ElementsAs(context.Context, any, bool) diag.Diagnostics
	IsNull() bool
}, diags *diag.Diagnostics) []string {
	if v.IsNull() {
		return nil
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// optionalPatch is a PATCH field for an optional string: null clears it.
func optionalPatch(v types.String) client.Optional[string] {
	if v.IsNull() {
		return client.Null[string]()
	}
	return client.Set(v.ValueString())
}

// quoted lists values in double quotes, separated by commas.
func quoted(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// cutAny splits s at the first of the bytes in chars.
func cutAny(s, chars string) (before, after string, found bool) {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return s[:i], s[i:], true
	}
	return s, "", false
}
