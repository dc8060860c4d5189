// Package timestamp is a Terraform string type for RFC 3339 timestamps whose
// semantic equality is the instant they name: the same moment written with another
// UTC offset or another number of fractional digits is no change.
//
// It is not terraform-plugin-framework-timetypes' timetypes.RFC3339 (v0.5.0, which
// this module does not require) because that type gets wrong what matters here:
//   - Its semantic equality compares both values formatted with time.RFC3339 in
//     their own offsets, so 2027-01-31T09:00:00+09:00 and the API's answer of the
//     same instant in UTC differ, while 00:00:00.5Z and 00:00:00Z, whose fractions
//     the format drops, are "equal".
//   - It validates with time.Parse alone, which takes a one-digit hour, a comma
//     before the fraction, offsets such as +24:00 and the year 0000; and its error
//     repeats the value and Go's parse error without saying what to write. Ours
//     gives an example of the form to write (see parse).
//
// FuzzTimestamp holds this type to those rules. WarnIfPast, the warning about a
// date that has passed, is a validator that would work on any string type; it is
// here to share parse, so that a value is warned about only if it is accepted.
package timestamp

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

var (
	_ basetypes.StringTypable                    = Type{}
	_ basetypes.StringValuableWithSemanticEquals = Value{}
	_ xattr.ValidateableAttribute                = Value{}
)

// Type is the attribute type of RFC 3339 timestamps.
type Type struct {
	basetypes.StringType
}

// String names the type in framework messages.
func (Type) String() string { return "timestamp.Type" }

// Equal reports whether o is also a timestamp type.
func (Type) Equal(o attr.Type) bool {
	_, ok := o.(Type)
	return ok
}

// ValueType returns the value type of this type.
func (Type) ValueType(context.Context) attr.Value { return Value{} }

// ValueFromString wraps a string value.
func (Type) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Value{StringValue: in}, nil
}

// ValueFromTerraform converts a Terraform value.
func (t Type) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return Value{StringValue: s}, nil
}

// Value is an RFC 3339 timestamp, null or unknown.
type Value struct {
	basetypes.StringValue
}

// Null is a null timestamp.
func Null() Value { return Value{StringValue: basetypes.NewStringNull()} }

// New is the timestamp written as s.
func New(s string) Value { return Value{StringValue: basetypes.NewStringValue(s)} }

// Type returns the timestamp type.
func (Value) Type(context.Context) attr.Type { return Type{} }

// Equal reports whether o is a timestamp written the same way; see StringSemanticEquals
// for the same instant written differently.
func (v Value) Equal(o attr.Value) bool {
	other, ok := o.(Value)
	return ok && v.StringValue.Equal(other.StringValue)
}

// Time parses the timestamp.
func (v Value) Time() (time.Time, error) {
	return parse(v.ValueString())
}

// StringSemanticEquals reports whether both timestamps name the same instant.
func (v Value) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(Value)
	if !ok {
		var diags diag.Diagnostics
		diags.AddError("Semantic Equality Check Error",
			fmt.Sprintf("Expected a timestamp value, got %T. Please report this issue to the provider developers.", newValuable))
		return false, diags
	}
	return v.SameInstant(other), nil
}

// SameInstant reports whether both are known timestamps naming the same instant.
func (v Value) SameInstant(o Value) bool {
	if v.IsNull() || v.IsUnknown() || o.IsNull() || o.IsUnknown() {
		return false
	}
	a, errA := v.Time()
	b, errB := o.Time()
	return errA == nil && errB == nil && a.Equal(b)
}

// ValidateAttribute refuses a string that is not an RFC 3339 timestamp.
func (v Value) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, err := v.Time(); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp", validators.Detail(req.Path, err.Error()+"."))
	}
}

// rfc3339 is the date-time production of RFC 3339 (section 5.6), with the upper-case
// T and Z that Go and the API write. time.Parse alone is looser: it takes a one-digit
// hour, a comma before the fraction, and offsets such as +24:00 or +00:60.
var rfc3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)

// parse reads an RFC 3339 timestamp whose instant falls in the years 1 to 9999 in UTC.
func parse(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !rfc3339.MatchString(s) {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp; write a date, time and offset such as 2027-01-31T00:00:00Z or 2027-01-31T09:00:00+09:00", s)
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("%q falls outside the years 1 to 9999 in UTC; write a date within them", s)
	}
	return t, nil
}
