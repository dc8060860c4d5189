package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// endless is the total that a server of an endless list claims.
const endless = 1_000_000_000_000

// TestPagesStopAtTheItemLimit: a read with an item limit counts the items as the
// pages arrive and stops at the page that would pass the limit, whatever total the
// server claims: that page is never yielded, no page after it is read, and all keeps
// nothing. A list of exactly limit items is read whole.
func TestPagesStopAtTheItemLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		limit        int
		sizes        func(index int) int // the items on page index, of pages of 10
		total        int
		wantCalls    int
		wantYielded  int
		wantTooMany  bool
		wantAllItems int
	}{
		{name: "endless, limit a multiple of the page size", limit: 30, sizes: full, total: endless, wantCalls: 4, wantYielded: 30, wantTooMany: true},
		{name: "endless, limit within a page", limit: 25, sizes: full, total: endless, wantCalls: 3, wantYielded: 20, wantTooMany: true},
		{name: "one page longer than the limit", limit: 25, sizes: func(int) int { return 50 }, total: endless, wantCalls: 1, wantYielded: 0, wantTooMany: true},
		{name: "pages longer than asked for", limit: 100, sizes: func(int) int { return 40 }, total: endless, wantCalls: 3, wantYielded: 80, wantTooMany: true},
		{name: "endless, the server claiming a small total", limit: 30, sizes: full, total: 0, wantCalls: 1, wantYielded: 10, wantAllItems: 10},
		{name: "exactly the limit", limit: 30, sizes: full, total: 30, wantCalls: 3, wantYielded: 30, wantAllItems: 30},
		{name: "exactly the limit, total overstated", limit: 30, sizes: upTo(30), total: endless, wantCalls: 4, wantYielded: 30, wantAllItems: 30},
		{name: "under the limit, total overstated", limit: 30, sizes: upTo(25), total: endless, wantCalls: 3, wantYielded: 25, wantAllItems: 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			fetch := func(_ context.Context, index int) (*Page[int], error) {
				calls++
				if calls > tc.limit/10+2 {
					return nil, fmt.Errorf("page %d was read: the read went past its limit", index)
				}
				return &Page[int]{Items: make([]int, tc.sizes(index)), PageIndex: index, PageSize: 10, TotalItems: tc.total}, nil
			}
			yielded := 0
			var last error
			for page, err := range pages(context.Background(), fetch, tc.limit) {
				if last != nil {
					t.Fatalf("a page after the error %v", last)
				}
				yielded += len(page)
				if yielded > tc.limit {
					t.Fatalf("%d items yielded, more than the limit %d", yielded, tc.limit)
				}
				last = err
			}
			var tooMany *TooManyItemsError
			if got := errors.As(last, &tooMany); got != tc.wantTooMany || (got && tooMany.Limit != tc.limit) {
				t.Errorf("the pages ended with %v, want a *TooManyItemsError of limit %d: %t", last, tc.limit, tc.wantTooMany)
			}
			if calls != tc.wantCalls || yielded != tc.wantYielded {
				t.Errorf("%d pages read and %d items yielded, want %d and %d", calls, yielded, tc.wantCalls, tc.wantYielded)
			}
			if tc.wantTooMany && tc.limit%10 == 0 && calls > tc.limit/10+1 {
				t.Errorf("%d pages read, more than limit/pageSize+1", calls)
			}

			calls = 0
			items, err := all(context.Background(), fetch, tc.limit)
			switch {
			case tc.wantTooMany && (!errors.Is(err, ErrTooManyItems) || items != nil):
				t.Errorf("all = %d items, %v; want no items and ErrTooManyItems", len(items), err)
			case !tc.wantTooMany && (err != nil || len(items) != tc.wantAllItems):
				t.Errorf("all = %d items, %v; want %d", len(items), err, tc.wantAllItems)
			}
		})
	}
}

func full(int) int { return 10 }

// upTo is the sizes of pages of 10 that hold n items in all, then empty pages.
func upTo(n int) func(int) int {
	return func(index int) int { return max(0, min(10, n-index*10)) }
}

// TestAllReadsStopAtTheDefaultLimitOverHTTP: against a server whose lists never end
// (every page full, a total of 10^12), AllOAuthClients and AllConnectors stop with a
// *TooManyItemsError of DefaultItemLimit after DefaultItemLimit/1000+1 requests of
// pages of 1,000, and return nothing. A server answering more requests than that
// refuses them, so a read without its bound fails here at once rather than after
// maxPages pages.
func TestAllReadsStopAtTheDefaultLimitOverHTTP(t *testing.T) {
	t.Parallel()
	if DefaultItemLimit != 100_000 {
		t.Errorf("DefaultItemLimit is %d; the provider's documents say 100,000", DefaultItemLimit)
	}
	wantRequests := DefaultItemLimit/allPageSize + 1
	for name, read := range map[string]func(*Client) (int, error){
		"AllOAuthClients": func(c *Client) (int, error) {
			got, err := c.AllOAuthClients(context.Background(), OAuthClientFilter{})
			return len(got), err
		},
		"AllConnectors": func(c *Client) (int, error) {
			got, err := c.AllConnectors(context.Background(), ConnectorFilter{})
			return len(got), err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			item := sampleOAuthClient()
			if name == "AllConnectors" {
				item = sampleConnector()
			}
			ts, requests := serveEndlessList(t, item, wantRequests)
			got, err := read(newTestClient(t, ts.URL))
			var tooMany *TooManyItemsError
			if !errors.As(err, &tooMany) || tooMany.Limit != DefaultItemLimit || got != 0 {
				t.Errorf("%d items and the error %v, want none and a *TooManyItemsError of %d", got, err, DefaultItemLimit)
			}
			if n := requests(); n != wantRequests {
				t.Errorf("%d page requests, want %d", n, wantRequests)
			}
		})
	}
}

// TestOAuthClientsUpToHoldsAtMostTheLimit: with a limit of its own, a read of an
// endless list keeps at most that many clients (pages of 1,000, so three requests for
// 2,500), and the streaming read yields at most that many before the error.
func TestOAuthClientsUpToHoldsAtMostTheLimit(t *testing.T) {
	t.Parallel()
	const limit = 2_500
	ts, requests := serveEndlessList(t, sampleOAuthClient(), 3)
	c := newTestClient(t, ts.URL)
	got, err := c.OAuthClientsUpTo(context.Background(), OAuthClientFilter{Search: "x"}, limit)
	if !errors.Is(err, ErrTooManyItems) || got != nil || requests() != 3 {
		t.Errorf("OAuthClientsUpTo = %d clients, %v after %d requests; want none and ErrTooManyItems after 3", len(got), err, requests())
	}
	if want := "the list has more than 2500 items, the limit of this read"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}

	yielded := 0
	var last error
	for page, err := range c.OAuthClientPagesUpTo(context.Background(), OAuthClientFilter{}, limit) {
		yielded += len(page)
		last = err
	}
	if !errors.Is(last, ErrTooManyItems) || yielded != 2_000 || requests() != 6 {
		t.Errorf("OAuthClientPagesUpTo yielded %d clients, then %v, after %d requests; want 2000, ErrTooManyItems, 6", yielded, last, requests())
	}
}

// serveEndlessList serves a list that never ends: each page as full as its pageSize
// asks (copies of item), and a total of 10^12. It refuses any request after the
// first maxRequests, so a test of a read that does not stop fails quickly. requests
// counts the pages asked for.
func serveEndlessList(t *testing.T, item map[string]any, maxRequests int) (ts *httptest.Server, requests func() int) {
	t.Helper()
	one, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	ts, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		index, _ := strconv.Atoi(r.URL.Query().Get("pageIndex"))
		size, err := strconv.Atoi(r.URL.Query().Get("pageSize"))
		if err != nil || size != allPageSize {
			t.Errorf("request %s asks for pages of %q, want %d", r.URL, r.URL.Query().Get("pageSize"), allPageSize)
		}
		if index >= maxRequests {
			t.Errorf("page %d was asked for: the read went past %d pages", index, maxRequests)
			writeProblemTo(w, http.StatusBadRequest, "this test serves no more pages")
			return
		}
		items := make([]json.RawMessage, size)
		for i := range items {
			items[i] = one
		}
		jsonHandler(http.StatusOK, "", map[string]any{"items": items, "pageIndex": index, "pageSize": size, "totalItems": endless})(w, r)
	})
	return ts, rec.count
}
