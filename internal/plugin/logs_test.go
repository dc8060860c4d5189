package plugin

import (
	"os"
	"testing"
)

func TestQuietDiscardedLogs(t *testing.T) {
	names := []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}
	cases := []struct {
		name string
		set  map[string]string
		want map[string]string // every name not listed must be empty
	}{
		{
			name: "logs discarded",
			want: map[string]string{"TF_LOG_PROVIDER": "OFF", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"},
		},
		{
			name: "a level the user set is kept",
			set:  map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			want: map[string]string{"TF_LOG_PROVIDER": "OFF", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "TRACE", "TF_LOG_SDK_FRAMEWORK": "OFF"},
		},
		{
			name: "TF_LOG shows logs",
			set:  map[string]string{"TF_LOG": "debug"},
			want: map[string]string{"TF_LOG": "debug"},
		},
		{
			name: "TF_LOG off",
			set:  map[string]string{"TF_LOG": "off"},
			want: map[string]string{"TF_LOG": "off", "TF_LOG_PROVIDER": "OFF", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"},
		},
		{
			name: "TF_LOG_PROVIDER off overrides TF_LOG",
			set:  map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "Off"},
			want: map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "Off", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"},
		},
		{
			name: "TF_LOG_PROVIDER shows logs",
			set:  map[string]string{"TF_LOG_PROVIDER": "INFO"},
			want: map[string]string{"TF_LOG_PROVIDER": "INFO"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, name := range names {
				t.Setenv(name, tc.set[name])
			}
			QuietDiscardedLogs()
			for _, name := range names {
				if got := os.Getenv(name); got != tc.want[name] {
					t.Errorf("%s = %q, want %q", name, got, tc.want[name])
				}
			}
		})
	}
}
