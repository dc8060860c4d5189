package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// servePages serves total items in pages of size, as a list operation does.
func servePages(total, size int, calls *[]int) func(context.Context, int) (*Page[int], error) {
	return func(_ context.Context, index int) (*Page[int], error) {
		*calls = append(*calls, index)
		items := []int{}
		for i := index * size; i < min(total, (index+1)*size); i++ {
			items = append(items, i)
		}
		return &Page[int]{Items: items, PageIndex: index, PageSize: size, TotalItems: total}, nil
	}
}

func TestAllReadsEveryPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		total, size int
		wantCalls   int
	}{
		{0, 10, 1},
		{5, 10, 1},
		{10, 10, 1}, // a full page that holds totalItems is the last one
		{25, 10, 3},
		{30, 10, 3},
	} {
		var calls []int
		items, err := all(context.Background(), servePages(tc.total, tc.size, &calls), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != tc.total || len(calls) != tc.wantCalls {
			t.Errorf("%d items in pages of %d: got %d items in %d calls, want %d calls", tc.total, tc.size, len(items), len(calls), tc.wantCalls)
		}
		for i, v := range items {
			if v != i {
				t.Fatalf("item %d is %d", i, v)
			}
		}
	}
}

func TestAllStopsOnShortPage(t *testing.T) {
	t.Parallel()
	// The server claims more items than it serves: the short page still ends the list.
	calls := 0
	items, err := all(context.Background(), func(_ context.Context, index int) (*Page[int], error) {
		calls++
		n := 10
		if index == 2 {
			n = 3
		}
		return &Page[int]{Items: make([]int, n), PageIndex: index, PageSize: 10, TotalItems: 1000}, nil
	}, 0)
	if err != nil || len(items) != 23 || calls != 3 {
		t.Errorf("%d items in %d calls (err %v), want 23 in 3", len(items), calls, err)
	}
}

// TestPagesStopOnServerThatNeverEnds: the streaming pages, which have no item limit,
// end after maxPages pages. (The reads that keep their items stop at their limit:
// pages_limit_test.go.)
func TestPagesStopOnServerThatNeverEnds(t *testing.T) {
	t.Parallel()
	calls := 0
	var err error
	for _, err = range pages(context.Background(), func(_ context.Context, index int) (*Page[int], error) {
		calls++
		// Always a full page, and always more to come.
		return &Page[int]{Items: []int{index}, PageIndex: index, PageSize: 1, TotalItems: index + 2}, nil
	}, 0) {
		if err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "did not end") || calls != maxPages {
		t.Errorf("err = %v after %d calls, want an error after %d", err, calls, maxPages)
	}
}

func TestAllReturnsPageErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := all(context.Background(), func(_ context.Context, index int) (*Page[int], error) {
		if index == 1 {
			return nil, boom
		}
		return &Page[int]{Items: []int{1, 2}, PageSize: 2, TotalItems: 4}, nil
	}, 0)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}

// TestPagesReadsOnlyWhatIsWanted: pages reads a page only when the previous one has
// been taken, so a caller that stops early reads no further page.
func TestPagesReadsOnlyWhatIsWanted(t *testing.T) {
	t.Parallel()
	var calls []int
	taken := 0
	for page, err := range pages(context.Background(), servePages(25, 10, &calls), 0) {
		if err != nil {
			t.Fatal(err)
		}
		taken += len(page)
		if len(calls) != taken/10 {
			t.Fatalf("%d pages read after %d items were taken", len(calls), taken)
		}
		if taken == 20 {
			break
		}
	}
	if len(calls) != 2 {
		t.Errorf("%d pages read, want 2: the caller stopped after the second", len(calls))
	}
}

// TestPagesYieldsTheErrorLast: an error ends the pages, after the pages before it.
func TestPagesYieldsTheErrorLast(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	var got []string
	for page, err := range pages(context.Background(), func(_ context.Context, index int) (*Page[int], error) {
		if index == 1 {
			return nil, boom
		}
		return &Page[int]{Items: []int{1, 2}, PageSize: 2, TotalItems: 4}, nil
	}, 0) {
		got = append(got, fmt.Sprintf("%v %v", page, err))
	}
	if want := []string{"[1 2] <nil>", "[] boom"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("yielded %q, want %q", got, want)
	}
}

func TestAllOAuthClientsPagesOverHTTP(t *testing.T) {
	t.Parallel()
	const total = 7
	ts, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		index, _ := strconv.Atoi(r.URL.Query().Get("pageIndex"))
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
		var items []map[string]any
		for i := index * size; i < min(total, (index+1)*size); i++ {
			item := sampleOAuthClient()
			item["id"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			items = append(items, item)
		}
		if items == nil {
			items = []map[string]any{}
		}
		jsonHandler(200, "", map[string]any{"items": items, "pageIndex": index, "pageSize": size, "totalItems": total})(w, r)
	})
	c := newTestClient(t, ts.URL)
	c.pageSize = 3
	public := false
	got, err := c.AllOAuthClients(context.Background(), OAuthClientFilter{ConnectorID: testConnectorID, ConnectionDefinitionKey: "oAuth2CodeFlow", Search: "Pro core", Public: &public})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != total || got[6].ID != "00000000-0000-4000-8000-000000000006" {
		t.Errorf("%d clients, want %d in order", len(got), total)
	}
	hits := rec.all()
	want := []string{
		"connectionDefinitionKey=oAuth2CodeFlow&connectorId=" + testConnectorID + "&pageSize=3&public=false&search=Pro+core",
		"connectionDefinitionKey=oAuth2CodeFlow&connectorId=" + testConnectorID + "&pageIndex=1&pageSize=3&public=false&search=Pro+core",
		"connectionDefinitionKey=oAuth2CodeFlow&connectorId=" + testConnectorID + "&pageIndex=2&pageSize=3&public=false&search=Pro+core",
	}
	if len(hits) != len(want) {
		t.Fatalf("%d requests, want %d", len(hits), len(want))
	}
	for i, h := range hits {
		if h.path != "/management/v1/oauth-clients" || h.query != want[i] {
			t.Errorf("request %d: %s?%s, want ?%s", i, h.path, h.query, want[i])
		}
	}
}

func TestListConnectorsQuery(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, jsonHandler(200, "", map[string]any{"items": []any{sampleConnector()}, "pageIndex": 2, "pageSize": 5, "totalItems": 11}))
	c := newTestClient(t, ts.URL)
	page, err := c.ListConnectors(context.Background(), ConnectorFilter{Search: "pro", Visibility: VisibilityPublic}, PageOptions{PageIndex: 2, PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalItems != 11 || page.PageIndex != 2 || len(page.Items) != 1 || page.Items[0].Key != "procore" {
		t.Errorf("page = %+v", page)
	}
	if _, err := c.ListConnectors(context.Background(), ConnectorFilter{}, PageOptions{}); err != nil {
		t.Fatal(err)
	}
	hits := rec.all()
	if hits[0].query != "pageIndex=2&pageSize=5&search=pro&visibility=public" || hits[1].query != "" {
		t.Errorf("queries %q and %q", hits[0].query, hits[1].query)
	}
}

func TestConnectorByKey(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t,
		jsonHandler(200, "", map[string]any{"items": []any{sampleConnector()}, "pageIndex": 0, "pageSize": 100, "totalItems": 1}),
		jsonHandler(200, "", map[string]any{"items": []any{}, "pageIndex": 0, "pageSize": 100, "totalItems": 0}),
	)
	c := newTestClient(t, ts.URL)
	conn, err := c.ConnectorByKey(context.Background(), "procore")
	if err != nil || conn.ID != testConnectorID {
		t.Fatalf("ConnectorByKey = %+v, %v", conn, err)
	}
	_, err = c.ConnectorByKey(context.Background(), "nope")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("err = %v, want ErrNotFound naming the key", err)
	}
	if q := rec.all()[1].query; q != "key=nope" {
		t.Errorf("query %q", q)
	}
}
