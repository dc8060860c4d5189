// Package plugin is the protocol plumbing between terraform-plugin-go's server and the
// provider's: a wrapper that releases the context of every call on one resource, data
// source, list resource or ephemeral resource when the call returns (Releasing), the
// switch that turns the provider's logs off when the CLI discards them
// (QuietDiscardedLogs), and the garbage collector's policy of a provider process
// (TuneGC). It knows nothing of the provider: it works on any protocol 6 server.
package plugin
