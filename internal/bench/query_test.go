package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// querySize is one size of an ideal query: one /me, a page per 1000 clients listed,
// one token, a result for each client, in three plugin processes of the given peak RSS.
func querySize(listed int, rss int64) *queryResult {
	pages := max(1, (listed+999)/1000)
	return &queryResult{listed: listed, owned: listed, found: []int{listed}, samples: []sample{{
		measured: measured{elapsed: 2e9, peakRSS: []int64{20 << 20, rss, 20 << 20}},
		requests: map[string]int{routeMe + " 200": 1, routeList + " 200": pages, routeToken + " 200": 1},
	}}}
}

func idealQuery() *queryResults {
	return &queryResults{sizes: []*queryResult{querySize(1000, 30<<20), querySize(10000, 33<<20)}}
}

func reportQuery(q *queryResults) (string, []string) {
	r := results(10, ideal(10))
	r.Query = q
	var out strings.Builder
	failed := Report(&out, r)
	return out.String(), failed
}

func TestReportKeepsQueryTargets(t *testing.T) {
	out, failed := reportQuery(idealQuery())
	if len(failed) > 0 {
		t.Fatalf("the ideal query failed targets: %v\n%s", failed, out)
	}
	for _, want := range []string{
		"| 1000 | 1000 | 1 | 1 | 1 | 0 | 0 | 3 | 2.00 s | 30 MiB |",
		"| 10000 | 10000 | 10 | 1 | 1 | 0 | 0 | 3 | 2.00 s | 33 MiB |",
		"query over 10000 clients: 1 /me read and 10 page requests (page size 1000), answered 200: 1 and 10 (1 and 10 answered 200) (met)",
		"query over 10000 clients: a result for each of acme's 10000 clients: 10000 (met)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report has no line %q:\n%s", want, out)
		}
	}
	if peakRSSMeasured && !strings.Contains(out, "Peak RSS over 10000 clients: 1.10× (33 MiB, 30 MiB) that over 1000.") {
		t.Errorf("the report has no RSS ratio:\n%s", out)
	}
}

func TestReportFailsBrokenQueryTargets(t *testing.T) {
	large := func(q *queryResults) *queryResult { return q.sizes[1] }
	requests := func(q *queryResults) map[string]int { return large(q).samples[0].requests }
	cases := map[string]func(*queryResults){
		"a page missing":     func(q *queryResults) { requests(q)[routeList+" 200"] = 9 },
		"a page too many":    func(q *queryResults) { requests(q)[routeList+" 200"] = 11 },
		"a page not 200":     func(q *queryResults) { requests(q)[routeList+" 200"], requests(q)[routeList+" 206"] = 9, 1 },
		"a page refused":     func(q *queryResults) { requests(q)[routeList+" 429"] = 1 },
		"/me twice":          func(q *queryResults) { requests(q)[routeMe+" 200"] = 2 },
		"no /me":             func(q *queryResults) { delete(requests(q), routeMe+" 200") },
		"/me refused":        func(q *queryResults) { requests(q)[routeMe+" 401"] = 1 },
		"a token per plugin": func(q *queryResults) { requests(q)[routeToken+" 200"] = 3 },
		"a read per client":  func(q *queryResults) { requests(q)[routeRead+" 200"] = 10000 },
		"a request of another kind": func(q *queryResults) {
			requests(q)["GET /management/v1/connectors 200"] = 1
		},
		"a refused token":  func(q *queryResults) { requests(q)[routeToken+" 500"] = 1 },
		"a result missing": func(q *queryResults) { large(q).found[0] = 9999 },
		"a repetition missing a page": func(q *queryResults) {
			l := large(q)
			l.samples = append(l.samples, l.samples[0])
			l.samples[1].requests = map[string]int{routeMe + " 200": 1, routeList + " 200": 9}
			l.found = append(l.found, 10000)
		},
		"no repetition": func(q *queryResults) { large(q).samples, large(q).found = nil, nil },
	}
	if peakRSSMeasured {
		cases["peak RSS over 1.5×"] = func(q *queryResults) { large(q).samples[0].peakRSS[1] = 46 << 20 }
		cases["peak RSS not measured"] = func(q *queryResults) { large(q).samples[0].peakRSS = []int64{0, 0, 0} }
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			q := idealQuery()
			breakIt(q)
			if out, failed := reportQuery(q); len(failed) == 0 {
				t.Errorf("no target failed:\n%s", out)
			}
		})
	}
}

func TestReportQueryWithinRSSLimit(t *testing.T) {
	q := idealQuery()
	q.sizes[1].samples[0].peakRSS[1] = 45 << 20 // exactly 1.5× of 30 MiB
	if out, failed := reportQuery(q); len(failed) > 0 {
		t.Errorf("1.5× failed: %v\n%s", failed, out)
	}
}

func TestReportQueryNotMeasured(t *testing.T) {
	out, failed := reportQuery(&queryResults{notMeasured: queryUnsupported("OpenTofu v1.12.6")})
	if len(failed) > 0 {
		t.Errorf("a query not measured failed targets: %v", failed)
	}
	want := "`terraform query` not measured: needs Terraform 1.14 or later (the CLI is OpenTofu v1.12.6)."
	if !strings.Contains(out, want) {
		t.Errorf("the report has no line %q:\n%s", want, out)
	}
}

func TestQueryUnsupported(t *testing.T) {
	for version, supported := range map[string]bool{
		"Terraform v1.16.4":       true,
		"Terraform v1.14.0":       true,
		"Terraform v1.20.1":       true,
		"Terraform v2.0.0":        true,
		"Terraform v1.14.0-beta1": true,
		"Terraform v1.13.9":       false,
		"Terraform v1.11.4":       false,
		"Terraform v1.9.8":        false,
		"OpenTofu v1.12.6":        false,
		"OpenTofu v1.14.0":        false,
		"something else":          false,
		"":                        false,
	} {
		got := queryUnsupported(version)
		if (got == "") != supported {
			t.Errorf("queryUnsupported(%q) = %q; supported: %v", version, got, supported)
		}
		if queryCLI.MatchString(version) != supported {
			t.Errorf("the smoke test's queryCLI matches %q: %v, want %v", version, !supported, supported)
		}
	}
}

func TestCountQueryResults(t *testing.T) {
	found := func(addr string) string {
		return `{"type":"list_resource_found","list_resource_found":{"address":"` + addr + `","identity":{"id":"x"}}}`
	}
	complete := func(addr, total string) string {
		return `{"type":"list_complete","list_complete":{"address":"` + addr + `","total":` + total + `}}`
	}
	other := "list.appxchange_connector.all"
	for name, tc := range map[string]struct {
		lines []string
		want  int // -1: an error
	}{
		"results": {[]string{`{"type":"version"}`, "not JSON", found(queryAddress), found(other), found(queryAddress),
			complete(other, "1"), complete(queryAddress, "2")}, 2},
		"none":                {[]string{complete(queryAddress, "0")}, 0},
		"no list_complete":    {[]string{found(queryAddress)}, -1},
		"a total of its own":  {[]string{found(queryAddress), complete(queryAddress, "3")}, -1},
		"another list's only": {[]string{found(other), complete(other, "1")}, -1},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "last.log")
			if err := os.WriteFile(path, []byte(strings.Join(tc.lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := countQueryResults(path, queryAddress)
			switch {
			case tc.want < 0 && err == nil:
				t.Errorf("counted %d, want an error", got)
			case tc.want >= 0 && (err != nil || got != tc.want):
				t.Errorf("counted %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}
