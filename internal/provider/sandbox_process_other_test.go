//go:build soak && !linux

package provider

import "syscall"

// dieWithParent asks for nothing where the kernel cannot kill a child with its
// parent: the tests' cleanup stops the sandbox.
func dieWithParent() *syscall.SysProcAttr { return nil }
