//go:build soak && linux

package provider

import "syscall"

// dieWithParent has the kernel kill a sandbox process when the test process that
// started it dies, so a test killed by a timeout or a crash leaves no server behind.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
