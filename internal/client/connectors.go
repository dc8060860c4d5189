package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

func connectorPath(id string) string { return "/connectors/" + url.PathEscape(id) }

// GetConnector reads a connector; a connector that does not exist or that the
// caller may not read is ErrNotFound.
func (c *Client) GetConnector(ctx context.Context, id string) (*Connector, error) {
	var out Connector
	etag, err := c.do(ctx, request{method: http.MethodGet, path: connectorPath(id)}, &out)
	if err != nil {
		return nil, err
	}
	out.ETag = etag
	return &out, nil
}

// CachedConnector is GetConnector read at most once per id and Client: concurrent
// callers share the read in flight, and a failed read is tried again by the next
// call. Callers must not modify the result.
func (c *Client) CachedConnector(ctx context.Context, id string) (*Connector, error) {
	return c.connectors.get(ctx, id, c.GetConnector)
}

// ConnectorByKey reads the connector with this key; when there is none that the
// caller can read, the error matches ErrNotFound.
func (c *Client) ConnectorByKey(ctx context.Context, key string) (*Connector, error) {
	page, err := c.ListConnectors(ctx, ConnectorFilter{Key: key}, PageOptions{})
	if err != nil {
		return nil, err
	}
	for _, conn := range page.Items {
		if conn.Key == key {
			return &conn, nil
		}
	}
	return nil, fmt.Errorf("no connector with the key %q: %w", key, ErrNotFound)
}

// ListConnectors reads one page of the connectors the caller can read.
func (c *Client) ListConnectors(ctx context.Context, f ConnectorFilter, p PageOptions) (*Page[Connector], error) {
	q := url.Values{}
	setIf(q, "key", f.Key)
	setIf(q, "search", f.Search)
	setIf(q, "visibility", f.Visibility)
	var out Page[Connector]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/connectors", query: pageQuery(q, p)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllConnectors reads every page of the connectors the caller can read, up to
// DefaultItemLimit connectors: more is a *TooManyItemsError (see ConnectorsUpTo).
func (c *Client) AllConnectors(ctx context.Context, f ConnectorFilter) ([]Connector, error) {
	return c.ConnectorsUpTo(ctx, f, DefaultItemLimit)
}

// ConnectorsUpTo reads every page of the connectors the caller can read, and holds
// at most limit of them (DefaultItemLimit when limit is not positive): when there
// are more, the read stops at the page that passes the limit with a
// *TooManyItemsError, which matches ErrTooManyItems.
func (c *Client) ConnectorsUpTo(ctx context.Context, f ConnectorFilter, limit int) ([]Connector, error) {
	return all(ctx, c.connectorPage(f), limit)
}

// ConnectorPages reads the pages of the connectors the caller can read one at a
// time, yielding each page's connectors, or the error that ends the reading. It
// holds one page at a time and ends after maxPages pages at the most.
func (c *Client) ConnectorPages(ctx context.Context, f ConnectorFilter) iter.Seq2[[]Connector, error] {
	return pages(ctx, c.connectorPage(f), 0)
}

func (c *Client) connectorPage(f ConnectorFilter) func(context.Context, int) (*Page[Connector], error) {
	return func(ctx context.Context, index int) (*Page[Connector], error) {
		return c.ListConnectors(ctx, f, PageOptions{PageIndex: index, PageSize: c.pageSize})
	}
}

// CreateConnector registers a connector owned by the caller's account. When its
// answer is lost it returns an *OutcomeUnknownError (see WithIdempotencyKey).
func (c *Client) CreateConnector(ctx context.Context, in *ConnectorInput, opts ...WriteOption) (*Connector, error) {
	var out Connector
	etag, err := c.do(ctx, write(http.MethodPost, "/connectors", in, "", opts), &out)
	if err != nil {
		return nil, err
	}
	out.ETag = etag
	return &out, nil
}

// UpdateConnector changes the fields set in p. When etag is not empty the change is
// made only if the connector is still at that version (else ErrPreconditionFailed).
func (c *Client) UpdateConnector(ctx context.Context, id, etag string, p *ConnectorPatch, opts ...WriteOption) (*Connector, error) {
	var out Connector
	newETag, err := c.do(ctx, write(http.MethodPatch, connectorPath(id), p, etag, opts), &out)
	if err != nil {
		return nil, err
	}
	out.ETag = newETag
	return &out, nil
}

// DeleteConnector deletes a connector. When etag is not empty it is deleted only if
// it is still at that version (else ErrPreconditionFailed). A connector already gone
// is ErrNotFound, which callers deleting it may treat as done.
func (c *Client) DeleteConnector(ctx context.Context, id, etag string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: connectorPath(id), etag: etag}, nil)
	return err
}
