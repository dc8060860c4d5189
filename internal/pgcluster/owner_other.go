//go:build !unix

package pgcluster

// serverOwner is who runs initdb, pg_ctl and the server: outside unix there is
// no root to avoid, so this process's user.
func serverOwner() (owner, error) { return owner{}, nil }
