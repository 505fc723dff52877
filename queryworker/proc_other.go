//go:build !linux

package queryworker

import (
	"errors"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

// residentBytes is not known here: the memory limit is not enforced.
func residentBytes(pid int) (int64, error) { return 0, errors.New("not supported") }
