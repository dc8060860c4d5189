package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

func slow(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		h(w, r)
	}
}

func TestCachedConnectorSharesOneRead(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, slow(jsonHandler(200, `"7"`, sampleConnector())))
	c := newTestClient(t, ts.URL)
	results := make([]*Connector, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			conn, err := c.CachedConnector(context.Background(), testConnectorID)
			if err != nil {
				t.Error(err)
			}
			results[i] = conn
		})
	}
	wg.Wait()
	if n := rec.count(); n != 1 {
		t.Errorf("%d GETs for 20 concurrent callers, want 1", n)
	}
	for i, conn := range results {
		if conn != results[0] || conn.ETag != `"7"` {
			t.Fatalf("caller %d got %+v", i, conn)
		}
	}
	if _, err := c.CachedConnector(context.Background(), testConnectorID); err != nil || rec.count() != 1 {
		t.Errorf("a later call read again (err %v, %d GETs)", err, rec.count())
	}
	if _, err := c.CachedConnector(context.Background(), "0b6d6c3e-7d2a-4c47-9a57-0f1c2b3d4e5f"); err != nil || rec.count() != 2 {
		t.Errorf("another id was not read on its own (err %v, %d GETs)", err, rec.count())
	}
}

func TestCachedConnectorDoesNotCacheFailures(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, slow(problemHandler(500, "boom")), jsonHandler(200, `"1"`, sampleConnector()))
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			var apiErr *APIError
			if _, err := c.CachedConnector(ctx, testConnectorID); !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
				t.Errorf("err = %v, want the shared 500", err)
			}
		})
	}
	wg.Wait()
	if n := rec.count(); n != 1 {
		t.Errorf("%d GETs for the failing read, want 1", n)
	}
	for range 3 {
		if _, err := c.CachedConnector(ctx, testConnectorID); err != nil {
			t.Fatalf("after a failure: %v", err)
		}
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d GETs, want 2 (the failure, then one read cached)", n)
	}
}

func TestCachedMe(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, slow(jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "u", "userName": "U"})))
	c := newTestClient(t, ts.URL)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if me, err := c.CachedMe(context.Background()); err != nil || me.AccountID != "acme" {
				t.Errorf("CachedMe = %+v, %v", me, err)
			}
		})
	}
	wg.Wait()
	if n := rec.count(); n != 1 {
		t.Errorf("%d GETs, want 1", n)
	}
}

func TestCacheWaiterOutlivesAbandonedRead(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, slow(jsonHandler(200, `"1"`, sampleConnector())))
	c := newTestClient(t, ts.URL)
	first, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	leaderDone := make(chan error)
	go func() {
		_, err := c.CachedConnector(first, testConnectorID)
		leaderDone <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the first caller start the read
	conn, err := c.CachedConnector(context.Background(), testConnectorID)
	if err != nil || conn.Key != "procore" {
		t.Errorf("waiter: %+v, %v", conn, err)
	}
	if err := <-leaderDone; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("leader: err = %v, want its deadline", err)
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d GETs, want 2", n)
	}
}

func TestCacheWaiterHonoursItsContext(t *testing.T) {
	t.Parallel()
	var cache onceCache[string, int]
	release := make(chan struct{})
	started := make(chan struct{})
	type result struct {
		v   int
		err error
	}
	first := make(chan result, 1)
	go func() {
		v, err := cache.get(context.Background(), "k", func(context.Context, string) (int, error) {
			close(started)
			<-release
			return 1, nil
		})
		first <- result{v, err}
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cache.get(ctx, "k", func(context.Context, string) (int, error) { return 2, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(release)
	if got := <-first; got.v != 1 || got.err != nil {
		t.Errorf("the first caller got %d, %v; want 1, nil", got.v, got.err)
	}
}
