//go:build unix

package pgcluster

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// serverOwner is who runs initdb, pg_ctl and the server: PostgreSQL refuses to
// run as root, so a root process (tests in CI) hands them to the user postgres,
// whom Debian's package creates; any other user runs them itself.
func serverOwner() (owner, error) {
	if os.Geteuid() != 0 {
		return owner{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return owner{}, fmt.Errorf("pgcluster: PostgreSQL refuses to run as root, and there is no user postgres to run it as (%w): install Debian's package postgresql, which creates it, or run as another user", err)
	}
	uid, uidErr := strconv.Atoi(u.Uid)
	gid, gidErr := strconv.Atoi(u.Gid)
	if uidErr != nil || gidErr != nil {
		return owner{}, fmt.Errorf("pgcluster: the user postgres has uid %q and gid %q, not numbers", u.Uid, u.Gid)
	}
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return owner{attr: &syscall.SysProcAttr{Credential: cred}, uid: uid, gid: gid}, nil
}
