package client

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// maxPages bounds a read of every page, so that a server that never reports the
// last page cannot keep a caller reading forever.
const maxPages = 10_000

// all reads every page, from the first until a page is empty or shorter than its
// page size, or until totalItems items have been read.
func all[T any](ctx context.Context, fetch func(ctx context.Context, pageIndex int) (*Page[T], error)) ([]T, error) {
	var items []T
	for page, err := range pages(ctx, fetch) {
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
	}
	return items, nil
}

// pages yields the items of each page in turn, as all reads them, and stops at the
// first error, which it yields. Only one page is held at a time.
func pages[T any](ctx context.Context, fetch func(ctx context.Context, pageIndex int) (*Page[T], error)) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		read := 0
		for index := range maxPages {
			page, err := fetch(ctx, index)
			if err != nil {
				yield(nil, err)
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
