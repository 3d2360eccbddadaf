//go:build !linux

package diag

import (
	"errors"
	"time"
)

func forkSleepers(int, time.Duration) ([]int, error) {
	return nil, errors.New("diag_fork is only implemented on Linux")
}
