package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// checkRetry retries 429, 500, 502, 503 and 504 answers and failed attempts (a
// connection refused or dropped, a timeout), but not other answers, refused
// credentials, or a call whose context is done.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if perr := permanentError(err); perr != nil {
			return false, perr
		}
		// Errors no retry can fix: a bad URL scheme, an untrusted certificate, ...
		return retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

// backoff is the wait before retry number attempt+1. With a Retry-After header it is
// that delay, capped at waitMax. Otherwise it is random (full jitter) between waitMin
// and an exponential ceiling: waitMin doubled per attempt, at most waitMax.
func backoff(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, waitMax)
		}
	}
	ceiling := waitMin
	for i := 0; i < attempt && ceiling < waitMax; i++ {
		if ceiling > waitMax/2 {
			ceiling = waitMax
		} else {
			ceiling *= 2
		}
	}
	ceiling = min(ceiling, waitMax)
	if ceiling <= waitMin {
		return waitMin
	}
	return waitMin + rand.N(ceiling-waitMin+1)
}

// retryAfter parses a Retry-After header: delay seconds, or an HTTP date.
func retryAfter(header string, now time.Time) (time.Duration, bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(header, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// A day is beyond any sensible RetryWaitMax, and keeps the product from overflowing.
		return time.Duration(min(secs, 86400)) * time.Second, true
	}
	if at, err := http.ParseTime(header); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}
