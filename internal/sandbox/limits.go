package sandbox

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// limiter is a token bucket per key: rate requests per second, bursts of at most rate.
// Each answer announces the caller's bucket (draft-ietf-httpapi-ratelimit-headers):
//
//   - RateLimit-Limit: the requests that a full bucket allows at once, its capacity
//     rounded down (rate, at least 1);
//   - RateLimit-Remaining: the whole requests left in the bucket after this one;
//   - RateLimit-Reset: the whole seconds until the bucket is full again, rounded up
//     (0 when it is full);
//   - RateLimit-Policy: "LIMIT;w=WINDOW", WINDOW being the whole seconds that an
//     empty bucket takes to fill, rounded up, so that a client learns the rate.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	buckets *buckets
}

func newLimiter(rate float64) *limiter {
	return &limiter{rate: rate, buckets: newBuckets(rate, math.Max(1, rate), maxBuckets)}
}

// quota is what a bucket announces after a request; all zero without a rate limit.
type quota struct {
	limit, window, remaining, reset int
	retryAfter                      int // whole seconds, at least 1, when the request was refused
}

// announce sets the RateLimit headers of q.
func (q quota) announce(h http.Header) {
	h.Set("RateLimit-Limit", strconv.Itoa(q.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(q.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(q.reset))
	h.Set("RateLimit-Policy", strconv.Itoa(q.limit)+";w="+strconv.Itoa(q.window))
}

// take spends one request for key, and reports whether it was refused because none
// is left, with what the bucket holds then.
func (l *limiter) take(key string, now time.Time) (quota, bool) {
	if l.rate == 0 {
		return quota{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	capacity := l.buckets.capacity
	b := l.buckets.at(key, now)
	refused := b.tokens < 1
	q := quota{limit: int(capacity), window: int(math.Ceil(capacity / l.rate))}
	if refused {
		q.retryAfter = int(math.Max(1, math.Ceil((1-b.tokens)/l.rate)))
	} else {
		b.tokens--
	}
	q.remaining = int(b.tokens)
	q.reset = int(math.Ceil((capacity - b.tokens) / l.rate))
	return q, refused
}

// Failed authentications: each client address may fail authFailureBurst times at
// once, then authFailureRate times a second. It is generous to a person or a test
// that mistypes a token, and turns guessing tokens or client secrets into a crawl.
// It holds whatever -rate-limit is: it is a defence, not a simulation.
const (
	authFailureBurst = 30
	authFailureRate  = 1
)

// failures throttles failed authentications per client address.
type failures struct {
	mu      sync.Mutex
	buckets *buckets
}

func newFailures() *failures {
	return &failures{buckets: newBuckets(authFailureRate, authFailureBurst, maxBuckets)}
}

// blocked reports whether addr has no failure left, and the whole seconds until it has one.
func (f *failures) blocked(addr string, now time.Time) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.buckets.existing(throttleKey(addr), now)
	if b == nil || b.tokens >= 1 {
		return 0, false
	}
	return int(math.Ceil((1 - b.tokens) / f.buckets.rate)), true
}

// fail spends one failure of addr.
func (f *failures) fail(addr string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.buckets.at(throttleKey(addr), now)
	b.tokens = math.Max(0, b.tokens-1)
}

// throttleKey is the bucket of a client address: an IPv4 address, or the /64 of an
// IPv6 one, which a single host is commonly given whole and can pick addresses from.
func throttleKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Unmap().Is4() {
		return addr
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// maxBuckets bounds the keys of a set of buckets, so that memory stays bounded
// however many accounts or addresses call.
const maxBuckets = 10_000

// buckets are token buckets by key, refilled at rate up to capacity. A full bucket is
// the same as none, so full ones are forgotten when the set reaches its bound; if
// too many are still in use, arbitrary ones are forgotten too, which only lets their
// keys start again with a full bucket. The caller holds a lock.
type buckets struct {
	rate, capacity float64
	max            int
	byKey          map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newBuckets(rate, capacity float64, maxKeys int) *buckets {
	return &buckets{rate: rate, capacity: capacity, max: maxKeys, byKey: map[string]*bucket{}}
}

// at is key's bucket refilled up to now, made full if key had none.
func (bs *buckets) at(key string, now time.Time) *bucket {
	if b := bs.existing(key, now); b != nil {
		return b
	}
	if len(bs.byKey) >= bs.max {
		bs.evict(now)
	}
	b := &bucket{tokens: bs.capacity, last: now}
	bs.byKey[key] = b
	return b
}

// existing is key's bucket refilled up to now, or nil.
func (bs *buckets) existing(key string, now time.Time) *bucket {
	b, ok := bs.byKey[key]
	if !ok {
		return nil
	}
	// A clock that steps back refills nothing, and takes nothing either.
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(bs.capacity, b.tokens+elapsed.Seconds()*bs.rate)
		b.last = now
	}
	return b
}

// evict forgets the full buckets, then arbitrary ones down to half the bound, so that
// the next eviction is max/2 new keys away.
func (bs *buckets) evict(now time.Time) {
	for key, b := range bs.byKey {
		if b.tokens+max(0, now.Sub(b.last).Seconds())*bs.rate >= bs.capacity {
			delete(bs.byKey, key)
		}
	}
	for key := range bs.byKey {
		if len(bs.byKey) <= bs.max/2 {
			break
		}
		delete(bs.byKey, key)
	}
}
