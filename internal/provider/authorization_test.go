package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// TestAccAuthorization_tokenRenewal: one plan of a service account reads the API
// for longer than its tokens live, so the first token expires in the middle of the
// run. The provider fetches new tokens before the old ones expire, and no request
// is refused. A second sandbox, whose tokens live an hour and which answers at
// once, runs the same plan: it counts the tokens that plan fetches without renewal.
// (The sandbox's own latency would slow every plan of the step, not only the first.)
//
// The other credential checks: no credentials at all, and every other credential
// mistake the plan refuses (naming access_token, client_id and client_secret and
// their environment variables), are cases of TestAccBadInput; a wrong token (401)
// and a refused service-account secret are steps of TestAccProviderConfiguration.
func TestAccAuthorization_tokenRenewal(t *testing.T) {
	t.Parallel()
	const (
		// Above the client's 10 s safety margin: at or below it, every request would fetch a token.
		ttl     = 12 * time.Second
		latency = 500 * time.Millisecond
		reads   = 30 // one after the other: at least reads × latency = 15 s
	)
	if reads*latency <= ttl {
		t.Fatal("the plan would end before the first token expires")
	}
	type run struct {
		stats    sandbox.Stats
		duration time.Duration
	}
	var (
		mu   sync.Mutex
		runs = map[time.Duration]run{}
	)
	t.Run("plans", func(t *testing.T) {
		for tokenTTL, delay := range map[time.Duration]time.Duration{ttl: latency, time.Hour: 0} {
			t.Run(tokenTTL.String(), func(t *testing.T) {
				sb := startSandbox(t, func(c *sandbox.Config) { c.TokenTTL = tokenTTL })
				// The API answers late during the plan that is measured, then at once, so
				// that the testing framework's second plan is quick.
				var slow atomic.Bool
				slow.Store(delay > 0)
				target, err := url.Parse(sb.url)
				if err != nil {
					t.Fatal(err)
				}
				proxy := httputil.NewSingleHostReverseProxy(target)
				api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if slow.Load() {
						time.Sleep(delay)
					}
					proxy.ServeHTTP(w, r)
				}))
				t.Cleanup(api.Close)
				config := fmt.Sprintf(`
provider "appxchange" {
  base_url      = %q
  token_url     = %q
  client_id     = %q
  client_secret = %q
}
`, api.URL+"/management/v1", sb.url+"/oauth/token", acmeClientID, acmeSecret)
				for i := range reads {
					dependsOn := ""
					if i > 0 {
						dependsOn = fmt.Sprintf("depends_on = [data.appxchange_connector.read_%d]", i-1)
					}
					config += fmt.Sprintf("data \"appxchange_connector\" \"read_%d\" {\n  key = \"procore\"\n  %s\n}\n", i, dependsOn)
				}
				var start time.Time
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6ProviderFactories,
					Steps: []resource.TestStep{
						// One plan reads the connector 30 times, one read after the other; the
						// requests of that plan (one provider configuration) are counted after it.
						{
							PreConfig: func() { start = time.Now() },
							Config:    config,
							PlanOnly:  true,
							ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{afterPlan(func() {
								mu.Lock()
								defer mu.Unlock()
								runs[tokenTTL] = run{stats: sb.stats(t), duration: time.Since(start)}
								slow.Store(false)
							})}},
						},
					},
				})
			})
		}
	})
	expiring, lasting := runs[ttl], runs[time.Hour]
	switch {
	case t.Failed():
		return
	case len(runs) != 2:
		t.Skip("the plans did not both run")
	}
	failed := 0 // answers other than 200, a 401 for an expired token above all
	for _, r := range []run{expiring, lasting} {
		for key, n := range r.stats.Requests {
			if !strings.HasSuffix(key, " 200") {
				failed += n
				t.Errorf("%d requests answered %q: %v", n, key, r.stats.Requests)
			}
		}
		if n := r.stats.Requests["GET /management/v1/connectors 200"]; n < reads {
			t.Errorf("the plan read the connector %d times, want at least %d", n, reads)
		}
	}
	renewed, fetched := expiring.stats.Requests["POST /oauth/token 200"], lasting.stats.Requests["POST /oauth/token 200"]
	t.Logf("tokens living %s: %d fetched over %s; tokens living an hour: %d fetched over %s; %d requests answered other than 200",
		ttl, renewed, expiring.duration.Round(time.Second), fetched, lasting.duration.Round(time.Second), failed)
	switch {
	case expiring.duration <= ttl:
		t.Errorf("the run took %s, not longer than a token lives (%s)", expiring.duration, ttl)
	case renewed < 2 || renewed <= fetched:
		t.Errorf("with tokens living %s the provider fetched %d tokens, with tokens living an hour %d: no token was renewed", ttl, renewed, fetched)
	}
}

// afterPlan is a plan check that runs f once the plan is made.
type afterPlan func()

func (f afterPlan) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}

// TestAccAuthorization_otherAccount: another account can neither read acme's
// private OAuth client nor take over or change its public one, through Terraform
// or through the API. Beside it: TestAccOAuthClientDataSources_visibility (a private
// client is not found by name either, nor listed), TestAccOAuthClientResource_importBlock
// (a public client of xchange cannot be imported), TestAccConnectorsDataSource_otherAccount
// (another account's connector cannot be read when private, nor taken over).
func TestAccAuthorization_otherAccount(t *testing.T) {
	sb := startSandbox(t)
	ctx := context.Background()
	acme, globex := sb.apiClient(t, acmeToken), sb.apiClient(t, globexToken)
	own := createOwnConnector(t, sb)
	if _, err := acme.UpdateConnector(ctx, own.ID, "", &client.ConnectorPatch{Visibility: client.Set(client.VisibilityPublic)}); err != nil {
		t.Fatal(err)
	}
	private := seedOAuthClient(t, acme, procoreCodeFlow("acme private"))
	public := seedOAuthClient(t, acme, client.OAuthClientInput{
		Name: "Acme ERP for everyone", ConnectorID: own.ID, ConnectionDefinitionKey: "oAuth2Password", ClientID: "erp-public", Public: true,
	})

	importBlock := func(id string) string {
		return sb.providerConfig(globexToken) + fmt.Sprintf(`
import {
  to = appxchange_oauth_client.taken
  id = %q
}

resource "appxchange_oauth_client" "taken" {
  name                  = "Taken over"
  connector_id          = %q
  connection_definition = "oAuth2Password"
  client_id             = "erp-public"
  public                = true
}
`, id, own.ID)
	}
	unchanged := func() {
		for _, c := range []*client.OAuthClient{private, public} {
			got, err := acme.GetOAuthClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != c.Name || got.UpdatedAt != c.UpdatedAt {
				t.Errorf("the OAuth client %s changed: %+v", c.ID, got)
			}
		}
	}

	sb.resetStats(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Globex cannot read acme's private client: the data source finds nothing.
			{
				Config:      sb.providerConfig(globexToken) + fmt.Sprintf(`data "appxchange_oauth_client" "private" { id = %q }`, private.ID),
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", fmt.Sprintf(`No OAuth client with id %q is visible to your account.`, private.ID)),
			},
			// Nor import it: for globex it does not exist.
			{
				Config:      importBlock(private.ID),
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", fmt.Sprintf(`No OAuth client %q is visible to your account.`, private.ID)),
			},
			// The public client it can read...
			{
				Config: sb.providerConfig(globexToken) + fmt.Sprintf(`data "appxchange_oauth_client" "public" { id = %q }`, public.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.public", tfjsonpath.New("account_id"), knownvalue.StringExact("acme")),
				},
			},
			// ...but not import, so it cannot manage it.
			{
				PreConfig: unchanged,
				Config:    importBlock(public.ID),
				ExpectError: expectErrorDiagnostic("OAuth Client Owned by Another Account",
					fmt.Sprintf(`The OAuth client %q is a public client of the account "acme", and your credentials act for "globex": only its own account can manage it.`, public.ID)),
			},
		},
	})
	if w := sb.writes(t); len(w) > 0 {
		t.Errorf("globex's configurations wrote to the API: %v", w)
	}

	// Through the API: changing or deleting the public client is forbidden (403), and
	// the private client is not found (404), as for an id that does not exist.
	got, err := globex.GetOAuthClient(ctx, public.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		status int
		call   func() error
	}{
		{"renaming the public client", http.StatusForbidden, func() error {
			_, err := globex.UpdateOAuthClient(ctx, public.ID, got.ETag, &client.OAuthClientPatch{Name: client.Set("Taken over")})
			return err
		}},
		{"replacing the public client's secret", http.StatusForbidden, func() error {
			_, err := globex.UpdateOAuthClient(ctx, public.ID, "", &client.OAuthClientPatch{ClientSecret: client.Set("globex-secret")})
			return err
		}},
		{"deleting the public client", http.StatusForbidden, func() error { return globex.DeleteOAuthClient(ctx, public.ID, got.ETag) }},
		{"renaming the private client", http.StatusNotFound, func() error {
			_, err := globex.UpdateOAuthClient(ctx, private.ID, "", &client.OAuthClientPatch{Name: client.Set("Taken over")})
			return err
		}},
		{"deleting the private client", http.StatusNotFound, func() error { return globex.DeleteOAuthClient(ctx, private.ID, "") }},
	} {
		var apiErr *client.APIError
		if err := c.call(); !errors.As(err, &apiErr) || apiErr.StatusCode != c.status {
			t.Errorf("globex %s: %v, want an API error %d", c.what, err, c.status)
		}
	}
	unchanged()
	if n := sb.storedSecretHash(t, public.ID); n != "" {
		t.Errorf("the public client holds a secret after globex tried to set one: %s", n)
	}
}
