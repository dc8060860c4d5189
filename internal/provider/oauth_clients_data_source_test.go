package provider

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

func TestAccOAuthClientsDataSource(t *testing.T) {
	sb := startSandbox(t)
	acme := sb.apiClient(t, acmeToken)
	xchange := sb.apiClient(t, xchangeToken)
	alphaOne := seedOAuthClient(t, acme, procoreCodeFlow("Alpha one"))
	alphaTwo := seedOAuthClient(t, acme, powerBIClientCredentials("alpha two"))
	shared := procoreCodeFlow("Beta public")
	shared.Public = true
	betaPublic := seedOAuthClient(t, xchange, shared)
	seedOAuthClient(t, xchange, powerBIClientCredentials("beta private"))

	ids := func(clients ...*client.OAuthClient) knownvalue.Check {
		checks := make([]knownvalue.Check, len(clients))
		for i, c := range clients {
			checks[i] = knownvalue.StringExact(c.ID)
		}
		return knownvalue.ListExact(checks)
	}
	expectIDs := func(name string, clients ...*client.OAuthClient) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.appxchange_oauth_clients."+name, tfjsonpath.New("ids"), ids(clients...))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Each filter alone and two together; xchange's private client is never listed for acme.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
data "appxchange_oauth_clients" "all" {}
data "appxchange_oauth_clients" "powerbi" { connector_id = %q }
data "appxchange_oauth_clients" "code_flow" { connection_definition = "oAuth2CodeFlow" }
data "appxchange_oauth_clients" "public" { public = true }
data "appxchange_oauth_clients" "not_public" { public = false }
data "appxchange_oauth_clients" "alpha" { search = "ALPHA" }
data "appxchange_oauth_clients" "procore_private" {
  connector_id = %q
  public       = false
}
data "appxchange_oauth_clients" "none" { search = "no such name" }
`, powerbiID, procoreID),
				ConfigStateChecks: []statecheck.StateCheck{
					expectIDs("all", alphaOne, alphaTwo, betaPublic),
					expectIDs("powerbi", alphaTwo),
					expectIDs("code_flow", alphaOne, betaPublic),
					expectIDs("public", betaPublic),
					expectIDs("not_public", alphaOne, alphaTwo),
					expectIDs("alpha", alphaOne, alphaTwo),
					expectIDs("procore_private", alphaOne),
					// No match is an empty list, not null, so length() and for_each work on it.
					expectIDs("none"),
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.none", tfjsonpath.New("oauth_clients"), knownvalue.ListExact(nil)),
					// The objects carry the same attributes as the single data source, in the order of ids.
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("oauth_clients").AtSliceIndex(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                       knownvalue.StringExact(alphaTwo.ID),
						"name":                     knownvalue.StringExact("alpha two"),
						"connector_id":             knownvalue.StringExact(powerbiID),
						"connection_definition":    knownvalue.StringExact("oAuth2ClientCredentials"),
						"client_id":                knownvalue.StringExact("alpha two-client"),
						"client_secret_set":        knownvalue.Bool(true),
						"client_secret_expires_at": knownvalue.Null(),
						"authorization_url":        knownvalue.Null(),
						"token_url":                knownvalue.StringExact("https://id.trimble.com/oauth/token"),
						"refresh_url":              knownvalue.Null(),
						"scopes":                   knownvalue.Null(),
						"prompts":                  knownvalue.Null(),
						"client_authentication":    knownvalue.StringExact("client_credentials_body"),
						"public":                   knownvalue.Bool(false),
						"account_id":               knownvalue.StringExact("acme"),
						"created_at":               knownvalue.StringExact(alphaTwo.CreatedAt),
						"updated_at":               knownvalue.StringExact(alphaTwo.UpdatedAt),
					})),
				},
			},
		},
	})
}

func TestAccOAuthClientsDataSource_pages(t *testing.T) {
	const total = 1003 // the client reads pages of 1000
	sb := startSandbox(t)
	created := createManyOAuthClients(t, sb.apiClient(t, acmeToken), total)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Every client on two pages, each read once, none twice.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config:    sb.providerConfig(acmeToken) + `data "appxchange_oauth_clients" "all" {}`,
				Check: func(s *terraform.State) error {
					if n := sb.stats(t).Requests["GET /management/v1/oauth-clients 200"]; n != 2 {
						return fmt.Errorf("the plan and apply made %d list requests, want 2 (one per page)", n)
					}
					attributes := s.RootModule().Resources["data.appxchange_oauth_clients.all"].Primary.Attributes
					seen := map[string]bool{}
					for i := range total {
						id := attributes["ids."+strconv.Itoa(i)]
						if !created[id] || seen[id] {
							return fmt.Errorf("ids[%d] = %q is not one of the clients created, or is listed twice", i, id)
						}
						seen[id] = true
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(total)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("oauth_clients"), knownvalue.ListSizeExact(total)),
				},
			},
		},
	})
}

// createManyOAuthClients creates n procore clients with 8 concurrent callers and
// returns the set of their ids.
func createManyOAuthClients(t *testing.T, c *client.Client, n int) map[string]bool {
	t.Helper()
	const workers = 8
	var (
		mu      sync.Mutex
		created = make(map[string]bool, n)
		wg      sync.WaitGroup
		errs    = make(chan error, workers)
	)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				in := procoreCodeFlow(fmt.Sprintf("bulk-%04d", i))
				out, err := c.CreateOAuthClient(context.Background(), &in)
				if err != nil {
					errs <- fmt.Errorf("creating %s: %w", in.Name, err)
					return
				}
				mu.Lock()
				created[out.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(created) != n {
		t.Fatalf("created %d distinct OAuth clients, want %d", len(created), n)
	}
	return created
}
