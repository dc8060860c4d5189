package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

func oauthClientPath(id string) string { return "/oauth-clients/" + url.PathEscape(id) }

// GetOAuthClient reads an OAuth client; one that does not exist or that the caller
// may not read is ErrNotFound.
func (c *Client) GetOAuthClient(ctx context.Context, id string) (*OAuthClient, error) {
	var out OAuthClient
	etag, err := c.do(ctx, request{method: http.MethodGet, path: oauthClientPath(id)}, &out)
	if err != nil {
		return nil, err
	}
	out.ETag = etag
	return &out, nil
}

// ListOAuthClients reads one page of the OAuth clients the caller can read.
func (c *Client) ListOAuthClients(ctx context.Context, f OAuthClientFilter, p PageOptions) (*Page[OAuthClient], error) {
	q := url.Values{}
	setIf(q, "connectorId", f.ConnectorID)
	setIf(q, "connectionDefinitionKey", f.ConnectionDefinitionKey)
	setIf(q, "search", f.Search)
	if f.Public != nil {
		q.Set("public", strconv.FormatBool(*f.Public))
	}
	var out Page[OAuthClient]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/oauth-clients", query: pageQuery(q, p)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllOAuthClients reads every page of the OAuth clients the caller can read, up to
// DefaultItemLimit clients: more is a *TooManyItemsError (see OAuthClientsUpTo).
func (c *Client) AllOAuthClients(ctx context.Context, f OAuthClientFilter) ([]OAuthClient, error) {
	return c.OAuthClientsUpTo(ctx, f, DefaultItemLimit)
}

// OAuthClientsUpTo reads every page of the OAuth clients the caller can read, and
// holds at most limit of them (DefaultItemLimit when limit is not positive): when
// there are more, the read stops at the page that passes the limit with a
// *TooManyItemsError, which matches ErrTooManyItems.
func (c *Client) OAuthClientsUpTo(ctx context.Context, f OAuthClientFilter, limit int) ([]OAuthClient, error) {
	return all(ctx, c.oauthClientPage(f), limit)
}

// OAuthClientPages reads the pages of the OAuth clients the caller can read one at a
// time, yielding each page's clients, or the error that ends the reading. It holds
// one page at a time and ends after maxPages pages at the most.
func (c *Client) OAuthClientPages(ctx context.Context, f OAuthClientFilter) iter.Seq2[[]OAuthClient, error] {
	return pages(ctx, c.oauthClientPage(f), 0)
}

// OAuthClientPagesUpTo is OAuthClientPages for a caller that reads at most limit
// clients (DefaultItemLimit when limit is not positive): instead of the page that
// would take the clients read past limit it yields a *TooManyItemsError, and reads
// no further page.
func (c *Client) OAuthClientPagesUpTo(ctx context.Context, f OAuthClientFilter, limit int) iter.Seq2[[]OAuthClient, error] {
	if limit <= 0 {
		limit = DefaultItemLimit
	}
	return pages(ctx, c.oauthClientPage(f), limit)
}

func (c *Client) oauthClientPage(f OAuthClientFilter) func(context.Context, int) (*Page[OAuthClient], error) {
	return func(ctx context.Context, index int) (*Page[OAuthClient], error) {
		return c.ListOAuthClients(ctx, f, PageOptions{PageIndex: index, PageSize: c.pageSize})
	}
}

// CreateOAuthClient creates an OAuth client in the caller's account. When its answer
// is lost it returns an *OutcomeUnknownError (see WithIdempotencyKey).
func (c *Client) CreateOAuthClient(ctx context.Context, in *OAuthClientInput, opts ...WriteOption) (*OAuthClient, error) {
	var out OAuthClient
	etag, err := c.do(ctx, write(http.MethodPost, "/oauth-clients", in, "", opts), &out)
	if err != nil {
		return nil, err
	}
	out.ETag = etag
	return &out, nil
}

// UpdateOAuthClient changes the fields set in p. When etag is not empty the change is
// made only if the client is still at that version (else ErrPreconditionFailed).
func (c *Client) UpdateOAuthClient(ctx context.Context, id, etag string, p *OAuthClientPatch, opts ...WriteOption) (*OAuthClient, error) {
	var out OAuthClient
	newETag, err := c.do(ctx, write(http.MethodPatch, oauthClientPath(id), p, etag, opts), &out)
	if err != nil {
		return nil, err
	}
	out.ETag = newETag
	return &out, nil
}

// DeleteOAuthClient deletes an OAuth client. When etag is not empty it is deleted
// only if it is still at that version (else ErrPreconditionFailed). A client already
// gone is ErrNotFound, which callers deleting it may treat as done.
func (c *Client) DeleteOAuthClient(ctx context.Context, id, etag string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: oauthClientPath(id), etag: etag}, nil)
	return err
}
