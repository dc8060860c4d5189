package timestamp

import (
	"context"
	"fmt"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

// WarnIfPast warns, without failing, about a timestamp that has already passed.
// what names the moment in the warning, such as "the client secret expires"; the
// warning starts with it, capitalized.
func WarnIfPast(what string, now func() time.Time) validator.String {
	return pastValidator{what: what, now: now}
}

type pastValidator struct {
	what string
	now  func() time.Time
}

func (v pastValidator) Description(context.Context) string {
	return "warns when the time has already passed"
}

func (v pastValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v pastValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	t, err := parse(req.ConfigValue.ValueString())
	if err != nil || !t.Before(v.now()) {
		return
	}
	what := []rune(v.what)
	if len(what) > 0 {
		what[0] = unicode.ToUpper(what[0])
	}
	resp.Diagnostics.AddAttributeWarning(req.Path, "Timestamp In The Past", validators.Detail(req.Path,
		fmt.Sprintf("%s at %s, which has already passed. If that is right, renew the secret at the external service and "+
			"update this attribute with the new date; otherwise correct the date.", string(what), t.Format(time.RFC3339))))
}
