package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expectAttr checks one attribute of a resource in the state.
func expectAttr(address, attribute string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), check)
}

// stringSet is a check for a set of exactly these strings.
func stringSet(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// captureID is a check that keeps the id of a resource in the state.
func captureID(address string, id *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(address, "id", func(v string) error {
		*id = v
		return nil
	})
}

// wrapped compiles a pattern of an error message in which any space may be a line
// break, as Terraform wraps the messages it prints.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// expectStateWithout is a state check that no value of the state contains text.
func expectStateWithout(text string) statecheck.StateCheck { return stateWithout{text: text} }

type stateWithout struct{ text string }

func (c stateWithout) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = jsonWithout(req.State, c.text)
}

// jsonWithout fails when the JSON form of v contains text anywhere.
func jsonWithout(v any, text string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if i := strings.Index(string(raw), text); i >= 0 {
		return fmt.Errorf("the state contains %q at byte %d of its JSON", text, i)
	}
	return nil
}
