package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestLoggerMasksCredentials(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	log := newLogger("canary-access-token", "", "canary-client-secret")
	log.Debug(ctx, "request with canary-access-token", map[string]any{"path": "/me", "detail": "secret canary-client-secret in a value"})
	log.Trace(ctx, "headers", map[string]any{"Authorization": "Bearer anything", "client_secret": "raw", "clientSecret": "raw"})
	log.Warn(ctx, "retrying", map[string]any{"wait": "1s"})

	got := out.String()
	for _, leaked := range []string{"canary-access-token", "canary-client-secret", "Bearer anything", `"raw"`} {
		if strings.Contains(got, leaked) {
			t.Errorf("the log holds %q:\n%s", leaked, got)
		}
	}
	for _, kept := range []string{`"path":"/me"`, "retrying", `"wait":"1s"`, "***"} {
		if !strings.Contains(got, kept) {
			t.Errorf("the log lost %q:\n%s", kept, got)
		}
	}
}
