package plugin

import (
	"os"
	"strings"
)

// QuietDiscardedLogs turns the provider's logs off when Terraform discards them. The
// CLI (Terraform and OpenTofu alike) relays a provider's log lines only when
// TF_LOG_PROVIDER, or else TF_LOG, names a level other than off; otherwise the
// provider would still format every line as JSON and the CLI parse it, for every call
// on every resource, only to drop it. Call it first thing in a provider process that
// the CLI started (not in debug mode, where the logs go to the developer's terminal),
// with the provider's address as served. Levels that the user set are kept, and
// nothing changes when the CLI shows logs.
func QuietDiscardedLogs(address string) {
	// The level the CLI relays provider logs at, as it reads it.
	level := os.Getenv("TF_LOG_PROVIDER")
	if level == "" {
		level = os.Getenv("TF_LOG")
	}
	if level != "" && !strings.EqualFold(level, "off") {
		return
	}
	// The provider's own logs (tflog), and those of terraform-plugin-go and -framework.
	for _, name := range []string{providerLevelEnv(address), "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) == "" {
			os.Setenv(name, "OFF")
		}
	}
}

// providerLevelEnv is the variable that sets the level of the provider's own logger.
// terraform-plugin-go reads TF_LOG_PROVIDER_<TYPE> (the type of the address, upper
// case, '-' as '_'), not TF_LOG_PROVIDER, and logs everything at trace when it is
// unset, so TF_LOG_PROVIDER=off alone leaves tflog writing every line.
func providerLevelEnv(address string) string {
	typeName := address[strings.LastIndexByte(address, '/')+1:]
	return "TF_LOG_PROVIDER_" + strings.ToUpper(strings.ReplaceAll(typeName, "-", "_"))
}
