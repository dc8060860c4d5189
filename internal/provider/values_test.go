package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestSameModel(t *testing.T) {
	scopes := func(s ...string) types.Set {
		values := make([]attr.Value, len(s))
		for i, v := range s {
			values[i] = types.StringValue(v)
		}
		return types.SetValueMust(types.StringType, values)
	}
	base := oauthClientModel{
		ID: types.StringValue("id-1"), Name: types.StringValue("crm"), Scopes: scopes("openid", "email"),
		Prompts: types.SetNull(types.StringType), Public: types.BoolValue(false), ClientSecretWOVersion: types.Int64Value(1),
	}
	same := base
	same.Scopes = scopes("email", "openid")
	if !sameModel(&base, &same) {
		t.Error("equal models (a set in another order) are not the same")
	}
	for name, change := range map[string]func(m *oauthClientModel){
		"a string":          func(m *oauthClientModel) { m.Name = types.StringValue("crm2") },
		"null for a string": func(m *oauthClientModel) { m.ClientID = types.StringValue("") },
		"a set":             func(m *oauthClientModel) { m.Scopes = scopes("openid") },
		"a bool":            func(m *oauthClientModel) { m.Public = types.BoolValue(true) },
		"a number":          func(m *oauthClientModel) { m.ClientSecretWOVersion = types.Int64Null() },
		"the last field":    func(m *oauthClientModel) { m.UpdatedAt = types.StringValue("2030-01-01T00:00:00Z") },
	} {
		changed := base
		change(&changed)
		if sameModel(&base, &changed) {
			t.Errorf("models that differ in %s are the same", name)
		}
	}
}
