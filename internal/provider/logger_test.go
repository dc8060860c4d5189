package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
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

// TestLoggerSaysWhichLevelsItKeeps: the client asks the logger before building a
// line; tflog's level decides.
func TestLoggerSaysWhichLevelsItKeeps(t *testing.T) {
	log, ok := newLogger().(client.LevelChecker)
	if !ok {
		t.Fatal("the provider's logger cannot say which levels it keeps: the client would build every line")
	}
	for _, tc := range []struct {
		level            hclog.Level
		trace, debug, ok bool
	}{
		{hclog.Trace, true, true, true},
		{hclog.Debug, false, true, true},
		{hclog.Warn, false, false, true},
		{hclog.Off, false, false, false},
	} {
		ctx := tfsdklog.NewRootProviderLogger(context.Background(), tfsdklog.WithLevel(tc.level))
		got := [3]bool{log.Enabled(ctx, client.LevelTrace), log.Enabled(ctx, client.LevelDebug), log.Enabled(ctx, client.LevelWarn)}
		if want := [3]bool{tc.trace, tc.debug, tc.ok}; got != want {
			t.Errorf("at %s: trace, debug, warn enabled = %v, want %v", tc.level, got, want)
		}
	}
}
