package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
	"github.com/appxchange/terraform-provider-appxchange/internal/timestamp"
)

// memPrivate is a private state in memory.
type memPrivate map[string][]byte

func (m memPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return m[key], nil
}

func (m memPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(m, key)
	} else {
		m[key] = value
	}
	return nil
}

// TestSavePlaceholder: a placeholder is the plan with the values known only after
// apply made null, and its pending create round-trips through the private state.
func TestSavePlaceholder(t *testing.T) {
	ctx := context.Background()
	var schema fwresource.SchemaResponse
	NewOAuthClientResource().Schema(ctx, fwresource.SchemaRequest{}, &schema)
	unknown := types.StringUnknown()
	planned := oauthClientModel{
		ID: unknown, Name: types.StringValue("placeholder"), ConnectorID: types.StringValue(procoreID),
		ConnectionDefinition: types.StringValue("oAuth2CodeFlow"), ClientID: types.StringValue("app"),
		ClientSecret: types.StringValue("kept-secret"), ClientSecretSet: types.BoolUnknown(), ClientSecretExpiresAt: timestamp.Null(),
		TokenURL: unknown, ClientAuthentication: types.StringValue("basic_auth_header"), Public: types.BoolValue(false),
		Scopes: types.SetNull(types.StringType), Prompts: types.SetUnknown(types.StringType),
		AccountID: unknown, CreatedAt: unknown, UpdatedAt: unknown,
	}
	plan := tfsdk.Plan{Schema: schema.Schema, Raw: tftypes.NewValue(schema.Schema.Type().TerraformType(ctx), nil)}
	if diags := plan.Set(ctx, &planned); diags.HasError() {
		t.Fatal(diags)
	}
	state := tfsdk.State{Schema: schema.Schema}
	private := memPrivate{}
	pending := newPendingCreate()
	if diags := savePlaceholder(ctx, plan, &state, private, pending); diags.HasError() {
		t.Fatal(diags)
	}
	var saved oauthClientModel
	if diags := state.Get(ctx, &saved); diags.HasError() {
		t.Fatal(diags)
	}
	for name, v := range map[string]interface{ IsNull() bool }{
		"id": saved.ID, "client_secret_set": saved.ClientSecretSet, "token_url": saved.TokenURL, "prompts": saved.Prompts,
		"account_id": saved.AccountID, "created_at": saved.CreatedAt, "updated_at": saved.UpdatedAt,
	} {
		if !v.IsNull() {
			t.Errorf("%s is %v in the placeholder, want null", name, v)
		}
	}
	if saved.Name.ValueString() != "placeholder" || saved.ClientSecret.ValueString() != "kept-secret" || saved.ClientAuthentication.ValueString() != "basic_auth_header" {
		t.Errorf("the placeholder lost planned values: %+v", saved)
	}
	got, diags := getPendingCreate(ctx, private)
	if diags.HasError() || got == nil || *got != *pending || !uuidPattern.MatchString(got.IdempotencyKey) {
		t.Fatalf("the pending create came back as %+v (%v), want %+v", got, diags, pending)
	}
	if diags := setPendingCreate(ctx, private, nil); diags.HasError() || len(private) != 0 {
		t.Fatalf("forgetting the pending create left %v (%v)", private, diags)
	}
	if got, diags := getPendingCreate(ctx, private); got != nil || diags.HasError() {
		t.Fatalf("no pending create read as %+v (%v)", got, diags)
	}
	private[pendingCreateKey] = []byte(`{"sent_at":"2026-01-15T09:30:00Z"}`)
	if _, diags := getPendingCreate(ctx, private); !diags.HasError() || !strings.Contains(diags[0].Detail(), "no idempotency key") {
		t.Fatalf("a pending create without a key: %v", diags)
	}
}

// network is what the connection between the provider and the sandbox does to requests.
type network int32

const (
	networkUp   network = iota
	writesLost          // writes never reach the sandbox: their connections drop first
	answersLost         // writes are carried out, and their connections drop before the answer
	lookupsLost         // lookups of idempotency keys drop; everything else gets through
)

// brokenNetwork sits between the provider and a sandbox and drops connections as its
// mode says; the sandbox's own endpoints always get through.
type brokenNetwork struct {
	mode atomic.Int32
	next http.Handler
}

func (n *brokenNetwork) set(mode network) { n.mode.Store(int32(mode)) }

func (n *brokenNetwork) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	write := r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/management/v1/")
	lookup := strings.HasPrefix(r.URL.Path, "/management/v1/idempotency-keys/")
	switch network(n.mode.Load()) {
	case writesLost:
		if write {
			drop(w)
			return
		}
	case answersLost:
		if write {
			n.next.ServeHTTP(httptest.NewRecorder(), r)
			drop(w)
			return
		}
	case lookupsLost:
		if lookup {
			drop(w)
			return
		}
	}
	n.next.ServeHTTP(w, r)
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// startSandboxBehind is startSandbox behind a brokenNetwork, which starts up.
func startSandboxBehind(t *testing.T) (*testSandbox, *brokenNetwork) {
	t.Helper()
	cfg := sandbox.Config{DataPath: filepath.Join(t.TempDir(), "sandbox.db")}
	srv, err := sandbox.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	n := &brokenNetwork{next: srv.Handler()}
	ts := httptest.NewServer(n)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &testSandbox{url: ts.URL, dataPath: cfg.DataPath}, n
}

const (
	pendingClient    = "appxchange_oauth_client.pending"
	pendingConnector = "appxchange_connector.pending"
)

// pendingConfig is one OAuth client and one connector, independent of each other,
// with no retries: each create is sent once.
func pendingConfig(sb *testSandbox) string {
	return fmt.Sprintf(`
provider "appxchange" {
  base_url     = %q
  access_token = %q
  max_retries  = 0
}

resource "appxchange_oauth_client" "pending" {
  name                     = "pending client"
  connector_id             = %q
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "pending-app"
  client_secret_wo         = "pending-secret-wo"
  client_secret_wo_version = 1
}

resource "appxchange_connector" "pending" {
  key  = "pending-erp"
  name = "Pending ERP"
  connection_definitions = {
    oAuth2CodeFlow = { title = "OAuth", auth_type = "oauth2_code_flow", authorization_url = "https://erp.example.com/authorize" }
  }
}
`, sb.baseURL(), acmeToken, procoreID)
}

// expectServerMatchesState checks that acme owns exactly one OAuth client and one
// connector, those of the state: nothing duplicated, nothing orphaned.
func expectServerMatchesState(t *testing.T, sb *testSandbox) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		api := sb.apiClient(t, acmeToken)
		clients, err := api.AllOAuthClients(ctx, client.OAuthClientFilter{})
		if err != nil {
			return err
		}
		connectors, err := api.AllConnectors(ctx, client.ConnectorFilter{Visibility: client.VisibilityAccount})
		if err != nil {
			return err
		}
		var own []string
		for _, c := range clients {
			if c.AccountID == "acme" {
				own = append(own, c.ID)
			}
		}
		want := []string{s.RootModule().Resources[pendingClient].Primary.ID}
		if strings.Join(own, " ") != strings.Join(want, " ") {
			return fmt.Errorf("acme owns the OAuth clients %v; the state holds %v", own, want)
		}
		if len(connectors) != 1 || connectors[0].ID != s.RootModule().Resources[pendingConnector].Primary.ID {
			return fmt.Errorf("acme owns %d connectors (%+v); the state holds %s", len(connectors), connectors, s.RootModule().Resources[pendingConnector].Primary.ID)
		}
		return nil
	}
}

// expectRequests checks the sandbox's counts of some requests since its stats were reset.
func expectRequests(t *testing.T, sb *testSandbox, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := sb.stats(t).Requests
		for key, n := range want {
			if got[key] != n {
				return fmt.Errorf("%d requests %q, want %d; all: %v", got[key], key, n, got)
			}
		}
		return nil
	}
}

// notConfirmed is the error of a create whose answer was lost.
var notConfirmed = wrapped(`(?s)(OAuth Client|Connector) Creation Not Confirmed.*reached App Xchange, but no answer came back.*` +
	`tainted placeholder with the request's idempotency key [0-9a-f-]{36}.*Apply again within 24 hours`)

// TestAccPendingCreate_created: the creates of an OAuth client and a connector are
// carried out and their answers lost. The apply fails saying so and keeps tainted
// placeholders; the next apply finds both objects by their idempotency keys, takes
// them over and replaces them as tainted. Nothing is duplicated or orphaned.
func TestAccPendingCreate_created(t *testing.T) {
	sb, net := startSandboxBehind(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(t, sb),
		Steps: []resource.TestStep{
			// The creates are made and their answers never come: the apply fails and says what happens next.
			{
				PreConfig:   func() { net.set(answersLost) },
				Config:      pendingConfig(sb),
				ExpectError: notConfirmed,
			},
			// The next apply finds both by their keys, and replaces them as the tainted resources they are.
			{
				PreConfig: func() { net.set(networkUp); sb.resetStats(t) },
				Config:    pendingConfig(sb),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pendingClient, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(pendingConnector, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectServerMatchesState(t, sb),
					expectRequests(t, sb, map[string]int{
						"GET /management/v1/idempotency-keys/{key} 200": 2,
						"GET /management/v1/idempotency-keys/{key} 404": 0,
						"DELETE /management/v1/oauth-clients/{id} 204":  1,
						"DELETE /management/v1/connectors/{id} 204":     1,
						"POST /management/v1/oauth-clients 201":         1,
						"POST /management/v1/connectors 201":            1,
					}),
				),
			},
		},
	})
}

// TestAccPendingCreate_notCreated: the creates never reach the API. The apply fails
// with placeholders, and the next apply learns from the API that nothing was made,
// drops them and creates both objects.
func TestAccPendingCreate_notCreated(t *testing.T) {
	sb, net := startSandboxBehind(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(t, sb),
		Steps: []resource.TestStep{
			// The connections drop before the creates are handled: nothing is made, but the provider cannot know.
			{
				PreConfig:   func() { net.set(writesLost) },
				Config:      pendingConfig(sb),
				ExpectError: notConfirmed,
			},
			// The next apply learns that the keys were never used, and creates both.
			{
				PreConfig: func() { net.set(networkUp); sb.resetStats(t) },
				Config:    pendingConfig(sb),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pendingClient, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(pendingConnector, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectServerMatchesState(t, sb),
					expectRequests(t, sb, map[string]int{
						"GET /management/v1/idempotency-keys/{key} 200": 0,
						"GET /management/v1/idempotency-keys/{key} 404": 2,
						"DELETE /management/v1/oauth-clients/{id} 204":  0,
						"DELETE /management/v1/connectors/{id} 204":     0,
					}),
				),
			},
		},
	})
}

// TestAccPendingCreate_lookupFails: while the API cannot be asked about the keys, the
// plan fails saying that the outcome is still unknown, and keeps the keys: the run
// after that finds both objects.
func TestAccPendingCreate_lookupFails(t *testing.T) {
	sb, net := startSandboxBehind(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNothingLeft(t, sb),
		Steps: []resource.TestStep{
			// The creates are made and their answers never come.
			{
				PreConfig:   func() { net.set(answersLost) },
				Config:      pendingConfig(sb),
				ExpectError: notConfirmed,
			},
			// The lookups fail: the outcome is still unknown, and the plan says to run again.
			{
				PreConfig: func() { net.set(lookupsLost) },
				Config:    pendingConfig(sb),
				ExpectError: wrapped(`(?s)Unable to Read (OAuth Client|Connector).*The outcome of the earlier request to create the ` +
					`(OAuth client "pending client"|connector "pending-erp") \(idempotency key [0-9a-f-]{36}, sent at .*\) is still unknown.*` +
					`The state keeps its placeholder and the key. Run terraform apply again once App Xchange answers, before`),
			},
			// The next run asks again with the same keys, finds both, and replaces them.
			{
				PreConfig: func() { net.set(networkUp); sb.resetStats(t) },
				Config:    pendingConfig(sb),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(pendingClient, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(pendingConnector, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					expectServerMatchesState(t, sb),
					expectRequests(t, sb, map[string]int{"GET /management/v1/idempotency-keys/{key} 200": 2}),
				),
			},
		},
	})
}

// TestAccCLI_pendingCreateDestroyedWithoutRefresh: the placeholders that a lost answer
// leaves are tainted, hold no id and no write-only secret; destroy -refresh=false, which
// never reads them, keeps them while the API cannot be asked, then deletes the objects
// their creates made.
func TestAccCLI_pendingCreateDestroyedWithoutRefresh(t *testing.T) {
	sb, net := startSandboxBehind(t)
	w := newCLIWorkspace(t)
	w.write("main.tf", `
terraform {
  required_providers {
    appxchange = { source = "appxchange/appxchange" }
  }
}
`+pendingConfig(sb))

	net.set(answersLost)
	out, err := w.run("apply", "-auto-approve", "-no-color", "-input=false")
	if err == nil || !notConfirmed.MatchString(out) {
		t.Fatalf("the apply whose answers were lost: %v\n%s", err, tail(out, 40))
	}
	expectPlaceholders(t, w, 2)
	clients, connectors := acmeObjects(t, sb)
	if clients != 1 || connectors != 1 {
		t.Fatalf("the lost creates made %d OAuth clients and %d connectors, want 1 and 1", clients, connectors)
	}

	net.set(lookupsLost)
	out, err = w.run("destroy", "-auto-approve", "-refresh=false", "-no-color", "-input=false")
	if err == nil || !wrapped(`(?s)Unable to Delete (OAuth Client|Connector).*is still unknown`).MatchString(out) {
		t.Fatalf("the destroy while the keys cannot be looked up: %v\n%s", err, tail(out, 40))
	}
	expectPlaceholders(t, w, 2)

	net.set(networkUp)
	w.mustRun("destroy", "-auto-approve", "-refresh=false", "-no-color", "-input=false")
	if clients, connectors := acmeObjects(t, sb); clients != 0 || connectors != 0 {
		t.Fatalf("after the destroy acme still owns %d OAuth clients and %d connectors", clients, connectors)
	}
}

// expectPlaceholders checks that the workspace's state holds n resources, each a
// tainted placeholder without an id, and no write-only secret.
func expectPlaceholders(t *testing.T, w *cliWorkspace, n int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "pending-secret-wo") {
		t.Error("the state holds the write-only secret")
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
				Private    string         `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range state.Resources {
		for _, i := range r.Instances {
			found++
			if i.Status != "tainted" || i.Attributes["id"] != nil || i.Private == "" {
				t.Errorf("%s: status %q, id %v, private state %d bytes; want a tainted placeholder without an id", r.Type, i.Status, i.Attributes["id"], len(i.Private))
			}
		}
	}
	if found != n {
		t.Errorf("the state holds %d resources, want %d placeholders", found, n)
	}
}

// checkNothingLeft is a CheckDestroy: acme owns no OAuth client and no connector.
func checkNothingLeft(t *testing.T, sb *testSandbox) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if clients, connectors := acmeObjects(t, sb); clients != 0 || connectors != 0 {
			return fmt.Errorf("acme owns %d OAuth clients and %d connectors after destroy", clients, connectors)
		}
		return nil
	}
}

// acmeObjects counts the OAuth clients and connectors of acme's on the sandbox.
func acmeObjects(t *testing.T, sb *testSandbox) (clients, connectors int) {
	t.Helper()
	ctx := context.Background()
	api := sb.apiClient(t, acmeToken)
	all, err := api.AllOAuthClients(ctx, client.OAuthClientFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.AccountID == "acme" {
			clients++
		}
	}
	own, err := api.AllConnectors(ctx, client.ConnectorFilter{Visibility: client.VisibilityAccount})
	if err != nil {
		t.Fatal(err)
	}
	return clients, len(own)
}
