package plugin

import (
	"os"
	"testing"
)

const testAddress = "registry.terraform.io/example/my-cloud"

func TestQuietDiscardedLogs(t *testing.T) {
	names := []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_MY_CLOUD", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}
	allOff := map[string]string{"TF_LOG_PROVIDER_MY_CLOUD": "OFF", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range allOff {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name string
		set  map[string]string
		want map[string]string // every name not listed must be empty
	}{
		{
			name: "logs discarded",
			want: allOff,
		},
		{
			name: "a level the user set is kept",
			set:  map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			want: with(map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}),
		},
		{
			name: "the provider's own level the user set is kept",
			set:  map[string]string{"TF_LOG_PROVIDER_MY_CLOUD": "debug"},
			want: with(map[string]string{"TF_LOG_PROVIDER_MY_CLOUD": "debug"}),
		},
		{
			name: "TF_LOG shows logs",
			set:  map[string]string{"TF_LOG": "debug"},
			want: map[string]string{"TF_LOG": "debug"},
		},
		{
			name: "TF_LOG off",
			set:  map[string]string{"TF_LOG": "off"},
			want: with(map[string]string{"TF_LOG": "off"}),
		},
		{
			name: "TF_LOG_PROVIDER off overrides TF_LOG",
			set:  map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "Off"},
			want: with(map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "Off"}),
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
			QuietDiscardedLogs(testAddress)
			for _, name := range names {
				if got := os.Getenv(name); got != tc.want[name] {
					t.Errorf("%s = %q, want %q", name, got, tc.want[name])
				}
			}
		})
	}
}

func TestProviderLevelEnv(t *testing.T) {
	for address, want := range map[string]string{
		"registry.terraform.io/appxchange/appxchange": "TF_LOG_PROVIDER_APPXCHANGE",
		"registry.terraform.io/example/my-cloud":      "TF_LOG_PROVIDER_MY_CLOUD",
	} {
		if got := providerLevelEnv(address); got != want {
			t.Errorf("providerLevelEnv(%q) = %q, want %q", address, got, want)
		}
	}
}
