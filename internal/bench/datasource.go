package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// dataSourceResult is what reading appxchange_oauth_clients over many clients cost.
type dataSourceResult struct {
	clients int
	samples []sample
	// gcDefaults are the same reads under Go's garbage collection defaults, when asked.
	gcDefaults []sample
}

// manyClients makes n OAuth clients through the API and measures what reads them
// all: the appxchange_oauth_clients data source, and `terraform query` of the
// appxchange_oauth_client list resource. The query's promise is on memory: at all of
// them it must stay within 1.5× of a query of a tenth of them. So the clients are
// made in two steps: a tenth, then the query over them; the rest, then the data
// source and the query over all. The query at a tenth costs no client of its own, and
// the clients are made once.
func (m *measurer) manyClients(ctx context.Context, n, reps int, cliVersion string) (*dataSourceResult, *queryResults, error) {
	api, err := client.New(client.Config{BaseURL: m.sb.url + "/management/v1", AccessToken: "acme-admin-token"})
	if err != nil {
		return nil, nil, err
	}
	me, err := api.Me(ctx)
	if err != nil {
		return nil, nil, err
	}
	before, err := api.AllOAuthClients(ctx, client.OAuthClientFilter{})
	if err != nil {
		return nil, nil, err
	}
	owned := 0 // of the clients before, those of acme, whom the provider acts for
	for i := range before {
		if before[i].AccountID == me.AccountID {
			owned++
		}
	}
	queries := &queryResults{notMeasured: queryUnsupported(cliVersion)}
	if queries.notMeasured != "" {
		m.progress("terraform query not measured: %s", queries.notMeasured)
	}
	made := 0
	measureQuery := func() error {
		if queries.notMeasured != "" {
			return nil
		}
		// The clients made are acme's: the token is acme's administrator's.
		q, err := m.query(ctx, len(before)+made, owned+made, reps)
		if err != nil {
			return err
		}
		queries.sizes = append(queries.sizes, q)
		return nil
	}
	for _, upTo := range []int{(n + 9) / 10, n} {
		start := time.Now()
		if err := makeClients(ctx, api, made, upTo); err != nil {
			return nil, nil, err
		}
		m.progress("made %d OAuth clients through the API in %s", upTo-made, time.Since(start).Round(10*time.Millisecond))
		made = upTo
		if made == n {
			break
		}
		if err := measureQuery(); err != nil {
			return nil, nil, err
		}
	}
	ds, err := m.readDataSource(ctx, len(before)+n, reps)
	if err != nil {
		return nil, nil, err
	}
	if err := measureQuery(); err != nil {
		return nil, nil, err
	}
	return ds, queries, nil
}

// readDataSource measures a plan that reads the want OAuth clients that acme can
// read with the appxchange_oauth_clients data source, reps times.
func (m *measurer) readDataSource(ctx context.Context, want, reps int) (*dataSourceResult, error) {
	dir := filepath.Join(m.dir, "workspaces", fmt.Sprintf("data-source-%d", want))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    appxchange = { source = "appxchange/appxchange" }
  }
}

%s
data "appxchange_oauth_clients" "all" {}

output "count" {
  value = length(data.appxchange_oauth_clients.all.ids)
}
`, providerBlock(m.sb.url))
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	res := &dataSourceResult{clients: want}
	read := phase{name: "read", args: []string{"apply", "-auto-approve"}}
	for rep := range reps {
		for _, gc := range m.gcOrder(rep) {
			m.progress("data source over %d OAuth clients%s, repetition %d of %d", want, gc.progress, rep+1, reps)
			if err := m.sb.resetStats(ctx); err != nil {
				return nil, err
			}
			got, err := m.cli.run(ctx, dir, read, gc.env)
			if err != nil {
				return nil, err
			}
			st, err := m.sb.stats(ctx)
			if err != nil {
				return nil, err
			}
			s := sample{measured: got, requests: st.Requests}
			if gc.defaults {
				res.gcDefaults = append(res.gcDefaults, s)
			} else {
				res.samples = append(res.samples, s)
			}
			out, err := m.cli.output(ctx, dir, "output", "-json", "count")
			if err != nil {
				return nil, err
			}
			var count int
			if err := json.Unmarshal(out, &count); err != nil || count != want {
				return nil, fmt.Errorf("the data source read %s OAuth clients, not %d", out, want)
			}
		}
	}
	return res, nil
}

// gcSetting is how a command of the provider is run: under its own garbage collection
// policy, or under Go's defaults (the environment of gcDefaultsVariant).
type gcSetting struct {
	defaults bool
	env      []string
	progress string // added to the progress line
}

// gcOrder is the settings that one repetition measures, in turn: the provider's
// policy, then Go's defaults when asked, the order turning with rep.
func (m *measurer) gcOrder(rep int) []gcSetting {
	policy := gcSetting{}
	if !m.gcDefaults {
		return []gcSetting{policy}
	}
	defaults := gcSetting{defaults: true, env: gcDefaultsVariant.env, progress: " (Go's GC defaults)"}
	if rep%2 == 1 {
		return []gcSetting{defaults, policy}
	}
	return []gcSetting{policy, defaults}
}

// makeClients makes the OAuth clients numbered from to upTo (excluded) on the seeded
// connectors, eight at a time.
func makeClients(ctx context.Context, api *client.Client, from, upTo int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				c := connectors[i%len(connectors)]
				_, err := api.CreateOAuthClient(ctx, &client.OAuthClientInput{
					Name: fmt.Sprintf("listed-%05d", i), ConnectorID: c.id, ConnectionDefinitionKey: c.definition,
					ClientID: fmt.Sprintf("listed-app-%05d", i), ClientSecret: fmt.Sprintf("listed-secret-%05d", i),
					Scopes: []string{"openid"},
				})
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
feed:
	for i := from; i < upTo; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("making OAuth clients for the data source and the query: %w", err)
	}
	return ctx.Err()
}
