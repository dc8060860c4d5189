package client

import (
	"context"
	"sync"
)

// onceCache loads each key at most once successfully. Concurrent callers of a key
// share the load in flight; a failed load is forgotten, so a later call tries again.
// The zero value is ready to use.
type onceCache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]*onceEntry[V]
}

type onceEntry[V any] struct {
	done      chan struct{} // closed when the fields below are set
	value     V
	err       error
	abandoned bool // the load failed because its caller's context ended
}

func (c *onceCache[K, V]) get(ctx context.Context, key K, load func(context.Context, K) (V, error)) (V, error) {
	for {
		c.mu.Lock()
		e, ok := c.entries[key]
		if !ok {
			if c.entries == nil {
				c.entries = map[K]*onceEntry[V]{}
			}
			e = &onceEntry[V]{done: make(chan struct{})}
			c.entries[key] = e
			c.mu.Unlock()
			e.value, e.err = load(ctx, key)
			e.abandoned = e.err != nil && ctx.Err() != nil
			if e.err != nil {
				c.mu.Lock()
				delete(c.entries, key)
				c.mu.Unlock()
			}
			close(e.done)
			return e.value, e.err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		// The load ended because its own caller gave up, not because the read failed:
		// this caller, still waiting, makes the read itself.
		if e.abandoned && ctx.Err() == nil {
			continue
		}
		return e.value, e.err
	}
}
