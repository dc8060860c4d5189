package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccAccountDataSource(t *testing.T) {
	sb := startSandbox(t)
	account := func(id, name, userID, userName string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.appxchange_account.this", tfjsonpath.New("id"), knownvalue.StringExact(id)),
			statecheck.ExpectKnownValue("data.appxchange_account.this", tfjsonpath.New("name"), knownvalue.StringExact(name)),
			statecheck.ExpectKnownValue("data.appxchange_account.this", tfjsonpath.New("user_id"), knownvalue.StringExact(userID)),
			statecheck.ExpectKnownValue("data.appxchange_account.this", tfjsonpath.New("user_name"), knownvalue.StringExact(userName)),
		}
	}
	serviceAccount := fmt.Sprintf(`
provider "appxchange" {
  base_url      = %q
  token_url     = %q
  client_id     = %q
  client_secret = %q
}
`, sb.baseURL(), sb.url+"/oauth/token", acmeClientID, acmeSecret)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// An access token acts for its user in its account.
			{
				Config:            sb.providerConfig(acmeToken) + `data "appxchange_account" "this" {}`,
				ConfigStateChecks: account("acme", "Acme Corporation", "acme-admin", "Acme Admin"),
			},
			// Another account's token reads that account.
			{
				Config:            sb.providerConfig(globexToken) + `data "appxchange_account" "this" {}`,
				ConfigStateChecks: account("globex", "Globex Corporation", "globex-admin", "Globex Admin"),
			},
			// A service account acts for the account it belongs to.
			{
				Config:            serviceAccount + `data "appxchange_account" "this" {}`,
				ConfigStateChecks: account("acme", "Acme Corporation", acmeClientID, "Acme automation"),
			},
			// A token the API does not know fails the read and says so.
			{
				Config:      sb.providerConfig("no-such-token") + `data "appxchange_account" "this" {}`,
				ExpectError: regexp.MustCompile(`(?s)Unable to Read Account.*401`),
			},
		},
	})
}

func TestAccountDataSourceModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewAccountDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	model := accountDataModel{
		ID: types.StringValue("acme"), Name: types.StringValue("Acme Corporation"),
		UserID: types.StringValue("acme-admin"), UserName: types.StringValue("Acme Admin"),
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	var back accountDataModel
	if diags := state.Get(ctx, &back); diags.HasError() || back != model {
		t.Fatalf("the schema does not round-trip the model: %+v, %v", back, diags)
	}
}
