package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// tflogLogger hands the client's log lines to tflog, masking the provider's
// own credentials wherever they could appear, on top of the client's masking.
type tflogLogger struct {
	secrets []string
}

func newLogger(secrets ...string) client.Logger {
	l := tflogLogger{}
	for _, s := range secrets {
		if s != "" {
			l.secrets = append(l.secrets, s)
		}
	}
	return l
}

func (l tflogLogger) masked(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "Authorization", "authorization", "access_token", "client_secret", "clientSecret")
	if len(l.secrets) > 0 {
		ctx = tflog.MaskLogStrings(ctx, l.secrets...)
	}
	return ctx
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.masked(ctx), msg, fields)
}

func (l tflogLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	tflog.Trace(l.masked(ctx), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.masked(ctx), msg, fields)
}

// Enabled tells the client which lines tflog keeps, so that it builds and masks no
// line that would be dropped (a Trace line masks a whole request or response body).
func (tflogLogger) Enabled(ctx context.Context, level client.Level) bool {
	switch level {
	case client.LevelTrace:
		return tflog.IsTrace(ctx)
	case client.LevelDebug:
		return tflog.IsDebug(ctx)
	default:
		return tflog.IsWarn(ctx)
	}
}
