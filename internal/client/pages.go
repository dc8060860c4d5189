package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// maxPages bounds a read of every page, so that a server that never reports the
// last page cannot keep a caller reading forever. It is the last resort of the
// streaming reads (OAuthClientPages, ConnectorPages), which hold one page at a time;
// the reads that keep what they read stop at an item limit long before it.
const maxPages = 10_000

// DefaultItemLimit is the most items AllOAuthClients and AllConnectors keep, and
// the limit of the provider's data sources that list. At the page size of those
// reads (1,000) it is 100 pages: ten times the 10,000 OAuth clients the benchmark
// reads with appxchange_oauth_clients.
const DefaultItemLimit = 100_000

// ErrTooManyItems matches, with errors.Is, every *TooManyItemsError.
var ErrTooManyItems = errors.New("too many items")

// TooManyItemsError ends a read of a list that has more than Limit items. The read
// stops at the page that would pass the limit, whatever the server claims its list
// holds: no item of that page or of any later one is kept, and no later page is read.
type TooManyItemsError struct {
	Limit int
}

func (e *TooManyItemsError) Error() string {
	return fmt.Sprintf("the list has more than %d items, the limit of this read", e.Limit)
}

// Is reports whether target is ErrTooManyItems.
func (e *TooManyItemsError) Is(target error) bool { return target == ErrTooManyItems }

// all reads every page, from the first until a page is empty or shorter than its
// page size, or until totalItems items have been read. It holds at most limit items
// (DefaultItemLimit when limit is not positive): a list that has more ends the read
// with a *TooManyItemsError as soon as a page passes the limit.
func all[T any](ctx context.Context, fetch func(ctx context.Context, pageIndex int) (*Page[T], error), limit int) ([]T, error) {
	if limit <= 0 {
		limit = DefaultItemLimit
	}
	var items []T
	for page, err := range pages(ctx, fetch, limit) {
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
	}
	return items, nil
}

// pages yields the items of each page in turn, as all reads them, and stops at the
// first error, which it yields. Only one page is held at a time. When limit is
// positive, a page that would take the items read past it is not yielded: the
// pages end with a *TooManyItemsError instead. Items are counted as the pages
// arrive, so neither a total the server overstates nor pages longer than asked for
// take a read past the limit; of full pages it reads at most ceil(limit/pageSize)+1.
func pages[T any](ctx context.Context, fetch func(ctx context.Context, pageIndex int) (*Page[T], error), limit int) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		read := 0
		for index := range maxPages {
			page, err := fetch(ctx, index)
			if err != nil {
				yield(nil, err)
				return
			}
			if limit > 0 && len(page.Items) > limit-read {
				yield(nil, &TooManyItemsError{Limit: limit})
				return
			}
			read += len(page.Items)
			if !yield(page.Items, nil) {
				return
			}
			if len(page.Items) == 0 || len(page.Items) < page.PageSize || read >= page.TotalItems {
				return
			}
		}
		yield(nil, fmt.Errorf("the list did not end after %d pages (%d items)", maxPages, read))
	}
}

// pageQuery adds the paging parameters to q.
func pageQuery(q url.Values, p PageOptions) url.Values {
	if p.PageIndex > 0 {
		q.Set("pageIndex", strconv.Itoa(p.PageIndex))
	}
	if p.PageSize > 0 {
		q.Set("pageSize", strconv.Itoa(p.PageSize))
	}
	return q
}

// setIf sets q[key] to value when value is not empty.
func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
