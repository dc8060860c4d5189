package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// uuidValue is a check that a value is a UUID.
var uuidValue = knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`))

// expectIdentityIsID checks that a resource's identity is { id } and equals its id.
func expectIdentityIsID(address string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(address, map[string]knownvalue.Check{"id": uuidValue}),
		statecheck.ExpectIdentityValueMatchesState(address, tfjsonpath.New("id")),
	}
}

// TestAccOAuthClientResource_identity: an OAuth client made by Terraform has the
// identity { id }; an import block with that identity adopts it with no change; and
// an identity that is no client, or another account's, is refused as an id is.
func TestAccOAuthClientResource_identity(t *testing.T) {
	requireIdentity(t)
	sb := startSandbox(t)
	foreign, err := sb.apiClient(t, xchangeToken).CreateOAuthClient(context.Background(), &client.OAuthClientInput{
		Name: "Procore for everyone", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "shared", Public: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	const address = "appxchange_oauth_client.identified"
	config := sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "identified" {
  name                  = "Identified"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "identified-app"
  scopes                = ["openid"]
}
`, procoreID)
	importByIdentity := func(id string) string {
		return config + fmt.Sprintf(`
import {
  to       = appxchange_oauth_client.other
  identity = { id = %q }
}

resource "appxchange_oauth_client" "other" {
  name                  = "Other"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "other-app"
}
`, id, procoreID)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// Created: the identity is the client's id.
			{
				Config:            config,
				ConfigStateChecks: expectIdentityIsID(address),
			},
			// An import block with the identity, in a new working directory, adopts the
			// client: a no-op import whose planned identity is the same.
			{
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			// An identity that is not a UUID is refused with the form an id has.
			{
				Config:      importByIdentity("Identified"),
				ExpectError: wrapped(`"Identified" is not an OAuth client id. Import an OAuth client by its id, a UUID such as`),
			},
			// Another account's public client is refused, as by id.
			{
				Config:      importByIdentity(foreign.ID),
				ExpectError: wrapped(`is a public client of the account "xchange", and your credentials act for "acme"`),
			},
		},
	})
}

// TestAccConnectorResource_identity: a connector's identity is { id }, and an import
// block with it adopts the connector with no change.
func TestAccConnectorResource_identity(t *testing.T) {
	requireIdentity(t)
	sb := startSandbox(t)
	made, err := sb.apiClient(t, acmeToken).CreateConnector(context.Background(), &client.ConnectorInput{
		Key:  "web-erp",
		Name: "ERP registered in the web app",
		ConnectionDefinitions: []client.ConnectionDefinition{{
			Key: "oAuth2CodeFlow", Title: "Sign in", AuthType: client.AuthTypeOAuth2CodeFlow,
			TokenURL: "https://erp.example.com/token", Scopes: []string{"read", "write"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	const address = "appxchange_connector.erp"
	erp := func(name string) string {
		return fmt.Sprintf(`
resource "appxchange_connector" "erp" {
  key  = "web-erp"
  name = %q
  connection_definitions = {
    oAuth2CodeFlow = {
      title     = "Sign in"
      auth_type = "oauth2_code_flow"
      token_url = "https://erp.example.com/token"
      scopes    = ["write", "read"]
    }
  }
}
`, name)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Imported by identity from the configuration: no change, and the identity kept.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
import {
  to       = appxchange_connector.erp
  identity = { id = %q }
}

`, made.ID) + erp("ERP registered in the web app"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: append(expectIdentityIsID(address),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(made.ID))),
			},
			// The testing framework's own round trip: an import block with the identity of
			// the state, in a new working directory, plans a no-op import.
			{
				Config:          sb.providerConfig(acmeToken) + erp("ERP registered in the web app"),
				ResourceName:    address,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			// An update keeps the identity.
			{
				Config: sb.providerConfig(acmeToken) + erp("ERP, renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(expectIdentityIsID(address),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(made.ID))),
			},
		},
	})
}

// TestAccCLI_stateWithoutIdentity: a state written before identities (by an earlier
// version of the provider, or by Terraform 1.11) holds none. A refresh gives each
// resource its identity, and one whose object was deleted outside Terraform is
// dropped with the usual warning: the framework's "Missing Resource Identity After
// Read" must not stop the plan.
func TestAccCLI_stateWithoutIdentity(t *testing.T) {
	requireIdentity(t)
	w := newCLIWorkspace(t)
	sb := startSandbox(t)
	w.write("main.tf", cliAcmeConfig(sb.baseURL())+fmt.Sprintf(`
resource "appxchange_oauth_client" "kept" {
  name                  = "Kept"
  connector_id          = %[1]q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "kept-app"
}

resource "appxchange_oauth_client" "deleted" {
  name                  = "Deleted elsewhere"
  connector_id          = %[1]q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "deleted-app"
}

resource "appxchange_connector" "crm" {
  key  = "identity-crm"
  name = "CRM"
  connection_definitions = {
    apiKeyAuth = { title = "API key", auth_type = "api_key" }
  }
}
`, procoreID))
	w.mustRun("apply", "-auto-approve", "-no-color")
	statePath := filepath.Join(w.dir, "terraform.tfstate")
	for _, r := range stateInstances(t, w) {
		if r.identity == "" {
			t.Fatalf("%s has no identity after the apply", r.name)
		}
	}
	stripIdentities(t, statePath)
	var deletedID string
	for _, r := range stateInstances(t, w) {
		if r.identity != "" {
			t.Fatalf("%s still has an identity", r.name)
		}
		if r.name == "deleted" {
			deletedID = r.id
		}
	}
	if err := sb.apiClient(t, acmeToken).DeleteOAuthClient(context.Background(), deletedID, ""); err != nil {
		t.Fatal(err)
	}

	plan := w.mustRun("plan", "-no-color")
	for _, want := range []string{"OAuth Client Not Found", "Plan: 1 to add, 0 to change, 0 to destroy."} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan does not say %q:\n%s", want, tail(plan, 40))
		}
	}
	w.mustRun("apply", "-refresh-only", "-auto-approve", "-no-color")
	for _, r := range stateInstances(t, w) {
		if r.identity != r.id {
			t.Errorf("after a refresh %s has the identity %q, want its id %q", r.name, r.identity, r.id)
		}
	}
}

// stateInstance is one resource instance of a CLI workspace's state file.
type stateInstance struct {
	typ, name string
	id        string // empty for a placeholder of a create whose outcome is unknown
	identity  string // the identity's id; empty when the state holds none
	tainted   bool
}

func stateInstances(t *testing.T, w *cliWorkspace) []stateInstance {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Attributes struct {
					ID *string `json:"id"`
				} `json:"attributes"`
				Identity struct {
					ID string `json:"id"`
				} `json:"identity"`
				Status string `json:"status"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	var out []stateInstance
	for _, r := range state.Resources {
		for _, i := range r.Instances {
			in := stateInstance{typ: r.Type, name: r.Name, identity: i.Identity.ID, tainted: i.Status == "tainted"}
			if i.Attributes.ID != nil {
				in.id = *i.Attributes.ID
			}
			out = append(out, in)
		}
	}
	return out
}

// stripIdentities makes the state file one written before identities: without them,
// and with the next serial.
func stripIdentities(t *testing.T, path string) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]json.RawMessage
	var resources []map[string]json.RawMessage
	var serial int
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(json.Unmarshal(content, &state))
	must(json.Unmarshal(state["resources"], &resources))
	must(json.Unmarshal(state["serial"], &serial))
	for _, r := range resources {
		var instances []map[string]json.RawMessage
		must(json.Unmarshal(r["instances"], &instances))
		for _, i := range instances {
			delete(i, "identity")
			delete(i, "identity_schema_version")
		}
		r["instances"], err = json.Marshal(instances)
		must(err)
	}
	state["resources"], err = json.Marshal(resources)
	must(err)
	state["serial"], err = json.Marshal(serial + 1)
	must(err)
	content, err = json.Marshal(state)
	must(err)
	writeFile(t, path, string(content))
}
