package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// queryResults are what `terraform query` of the appxchange_oauth_client list cost,
// at a tenth of the data source's clients and at all of them.
type queryResults struct {
	// notMeasured says why the query was not measured: the CLI has no `terraform query`.
	notMeasured string
	sizes       []*queryResult // smallest first
}

// queryResult is what the query cost over one number of clients.
type queryResult struct {
	listed  int   // OAuth clients that acme's credentials read: what the pages hold
	owned   int   // of them, acme's own: the results the query must find
	found   []int // results the query found, at each repetition
	samples []sample
	// gcDefaults are the same queries under Go's garbage collection defaults, when asked.
	gcDefaults []sample
}

// queryAddress is the list block the benchmark queries; queryLimit is its limit,
// far above any count measured: Terraform stops a list at 100 results by default.
const (
	queryAddress = "list.appxchange_oauth_client.bench"
	queryLimit   = 1_000_000
)

var cliVersionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)\.`)

// queryUnsupported says why the CLI of the given `version` line cannot run `terraform
// query` of list resources, which came in Terraform 1.14; it is empty when it can.
func queryUnsupported(cliVersion string) string {
	if m := cliVersionLine.FindStringSubmatch(cliVersion); m != nil && m[1] == "Terraform" {
		major, _ := strconv.Atoi(m[2])
		minor, _ := strconv.Atoi(m[3])
		if major > 1 || major == 1 && minor >= 14 {
			return ""
		}
	}
	return fmt.Sprintf("needs Terraform 1.14 or later (the CLI is %s)", cliVersion)
}

// query measures `terraform query -json` of every OAuth client of acme, with
// include_resource, reps times, over listed clients of which owned are acme's.
func (m *measurer) query(ctx context.Context, listed, owned, reps int) (*queryResult, error) {
	dir := filepath.Join(m.dir, "workspaces", fmt.Sprintf("query-%d", listed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    appxchange = { source = "appxchange/appxchange" }
  }
}

%s`, providerBlock(m.sb.url))
	list := fmt.Sprintf(`list "appxchange_oauth_client" "bench" {
  provider         = appxchange
  include_resource = true
  limit            = %d
}
`, queryLimit)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.tfquery.hcl"), []byte(list), 0o600); err != nil {
		return nil, err
	}
	res := &queryResult{listed: listed, owned: owned}
	query := phase{name: "query", args: []string{"query", "-json"}, bare: true}
	for rep := range reps {
		for _, gc := range m.gcOrder(rep) {
			m.progress("terraform query over %d OAuth clients%s, repetition %d of %d", listed, gc.progress, rep+1, reps)
			if err := m.sb.resetStats(ctx); err != nil {
				return nil, err
			}
			got, err := m.cli.run(ctx, dir, query, gc.env)
			if err != nil {
				return nil, err
			}
			st, err := m.sb.stats(ctx)
			if err != nil {
				return nil, err
			}
			found, err := countQueryResults(filepath.Join(dir, "last.log"), queryAddress)
			if err != nil {
				return nil, err
			}
			s := sample{measured: got, requests: st.Requests}
			if gc.defaults {
				res.gcDefaults = append(res.gcDefaults, s)
				continue
			}
			res.samples = append(res.samples, s)
			res.found = append(res.found, found)
		}
	}
	return res, nil
}

// queryMessage is what the benchmark reads of a line of `terraform query -json`.
type queryMessage struct {
	Type  string `json:"type"`
	Found *struct {
		Address string `json:"address"`
	} `json:"list_resource_found"`
	Complete *struct {
		Address string `json:"address"`
		Total   int    `json:"total"`
	} `json:"list_complete"`
}

// countQueryResults counts the results of the list at address in the output of
// `terraform query -json`: a list_resource_found line each, which must add up to the
// total of its list_complete line. Lines that are not JSON (the CLI's own standard
// error) are skipped.
func countQueryResults(path, address string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 0, 64<<10), 16<<20)
	found, total := 0, -1
	for lines.Scan() {
		var msg queryMessage
		if json.Unmarshal(lines.Bytes(), &msg) != nil {
			continue
		}
		switch {
		case msg.Type == "list_resource_found" && msg.Found != nil && msg.Found.Address == address:
			found++
		case msg.Type == "list_complete" && msg.Complete != nil && msg.Complete.Address == address:
			total = msg.Complete.Total
		}
	}
	if err := lines.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if total < 0 {
		return 0, fmt.Errorf("terraform query -json printed no list_complete line for %s (%d results); see %s", address, found, path)
	}
	if total != found {
		return 0, fmt.Errorf("terraform query -json printed %d results of %s, but its list_complete line says %d; see %s", found, address, total, path)
	}
	return found, nil
}

// queryPageSize is the provider's page size when it reads every page.
const queryPageSize = 1000

// queryRSSLimit bounds the peak RSS of the query over all the clients, against the
// query over a tenth of them: the list streams one page at a time.
const queryRSSLimit = 1.5

// report writes the query's section of the report and returns its targets.
func (q *queryResults) report(w io.Writer) []target {
	fmt.Fprintf(w, "\n### Query over OAuth clients\n\n")
	if q.notMeasured != "" {
		fmt.Fprintf(w, "`terraform query` not measured: %s.\n", q.notMeasured)
		return nil
	}
	fmt.Fprintf(w, "`list \"appxchange_oauth_client\"` with `include_resource = true`, run by `terraform query -json`; "+
		"requests of the worst repetition, peak RSS of one plugin process.\n\n")
	fmt.Fprintf(w, "| clients listed | results | page requests | /me | token | other | not 2xx | plugin processes | time | peak RSS |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var ts []target
	for _, s := range q.sizes {
		rc := worst(s.samples)
		fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |\n", s.listed, s.worstFound(),
			rc.byRoute[routeList], rc.byRoute[routeMe], rc.byRoute[routeToken], rc.other(routeList, routeMe, routeToken),
			rc.failed, processes(s.samples), seconds(median(s.samples)), mebibytes(peak(s.samples)))
		ts = append(ts, s.targets()...)
	}
	for _, s := range q.sizes {
		if len(s.gcDefaults) > 0 {
			ts = append(ts, reportGCRead(w, fmt.Sprintf("the query over %d clients", s.listed), s.samples, s.gcDefaults))
		}
	}
	if len(q.sizes) == 2 && peakRSSMeasured {
		small, large := q.sizes[0], q.sizes[1]
		t := target{
			what: fmt.Sprintf("query over %d clients: peak RSS within %.1f× of the query over %d", large.listed, queryRSSLimit, small.listed),
			got:  "not measured",
		}
		if a, b := peak(large.samples), peak(small.samples); a > 0 && b > 0 {
			t.got = fmt.Sprintf("%.2f× (%s, %s)", float64(a)/float64(b), mebibytes(a), mebibytes(b))
			t.met = float64(a) <= queryRSSLimit*float64(b)
		}
		fmt.Fprintf(w, "\nPeak RSS over %d clients: %s that over %d.\n", large.listed, t.got, small.listed)
		ts = append(ts, t)
	}
	return ts
}

// worstFound is the count of results of the first repetition that did not find
// every client of acme, or acme's count when all did.
func (s *queryResult) worstFound() int {
	for _, f := range s.found {
		if f != s.owned {
			return f
		}
	}
	return s.owned
}

// targets are the promises on the requests and the results of the query at one
// size, held by every repetition: one /me, a page per 1000 clients listed, at most
// one token (Terraform starts several plugin processes for a query, but only one
// lists), nothing else, every answer 2xx, and a result for each client of acme.
func (s *queryResult) targets() []target {
	pages := max(1, (s.listed+queryPageSize-1)/queryPageSize)
	what := fmt.Sprintf("query over %d clients", s.listed)
	ts := []target{
		{what: fmt.Sprintf("%s: 1 /me read and %d page requests (page size %d), answered 200", what, pages, queryPageSize), met: true},
		{what: what + ": at most 1 token request, by the one plugin process that lists", met: true},
		{what: what + ": no other request and no answer but 2xx", met: true},
		{what: fmt.Sprintf("%s: a result for each of acme's %d clients", what, s.owned), met: true},
	}
	if len(s.samples) == 0 {
		for i := range ts {
			ts[i].got, ts[i].met = "not run", false
		}
		return ts
	}
	// Each target shows the first repetition that misses it, or the first one.
	check := func(t *target, met bool, got string) {
		if t.got == "" || t.met && !met {
			t.got = got
		}
		t.met = t.met && met
	}
	for i, smp := range s.samples {
		rc := countRequests(smp.requests)
		me, list := smp.requests[routeMe+" 200"], smp.requests[routeList+" 200"]
		check(&ts[0], me == 1 && rc.byRoute[routeMe] == 1 && list == pages && rc.byRoute[routeList] == pages,
			fmt.Sprintf("%d and %d (%d and %d answered 200)", rc.byRoute[routeMe], rc.byRoute[routeList], me, list))
		check(&ts[1], rc.byRoute[routeToken] <= 1, fmt.Sprintf("%d (%d plugin processes)", rc.byRoute[routeToken], len(smp.peakRSS)))
		other := rc.other(routeList, routeMe, routeToken)
		check(&ts[2], other == 0 && rc.failed == 0, fmt.Sprintf("%d other, %d not 2xx", other, rc.failed))
		found := -1
		if i < len(s.found) {
			found = s.found[i]
		}
		check(&ts[3], found == s.owned, strconv.Itoa(found))
	}
	return ts
}
