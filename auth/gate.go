package auth

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lyceum/lyceum"
)

// Gate bounds how many password hashes are computed at once. An argon2id
// hash holds Params.Memory (64 MiB by default) and Params.Threads CPUs for
// a good fraction of a second, so a burst of sign-ups or sign-ins, honest
// or not, would otherwise take all the memory there is. Callers wait their
// turn for at most MaxWait, and while their context lasts; past MaxWaiting
// waiters the gate refuses at once (ErrBusy).
type Gate struct {
	slots      chan struct{}
	waiting    atomic.Int64
	MaxWaiting int64
	MaxWait    time.Duration
}

// ErrBusy says that too many passwords are being checked already.
var ErrBusy = fmt.Errorf("too many passwords are being checked at once: %w", lyceum.ErrTooMany)

// NewGate allows n hashes at once, with up to 32 waiting per hash slot for
// at most 10 s.
func NewGate(n int) *Gate {
	n = max(n, 1)
	return &Gate{slots: make(chan struct{}, n), MaxWaiting: 32 * int64(n), MaxWait: 10 * time.Second}
}

// Do runs fn when a slot is free. It returns ErrBusy when too many wait
// or the wait would be too long, and ctx's error when ctx ends first.
func (g *Gate) Do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}: // a free slot: no waiting
	default:
		if g.waiting.Add(1) > g.MaxWaiting {
			g.waiting.Add(-1)
			return ErrBusy
		}
		t := time.NewTimer(g.MaxWait)
		select {
		case g.slots <- struct{}{}:
			g.waiting.Add(-1)
			t.Stop()
		case <-t.C:
			g.waiting.Add(-1)
			return ErrBusy
		case <-ctx.Done():
			g.waiting.Add(-1)
			t.Stop()
			return fmt.Errorf("waiting to check a password: %w", ctx.Err())
		}
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// HashSlots is how many hashes with p fit at once: one per CPU, and no more
// than a quarter of the memory the process may use (GOMEMLIMIT, the cgroup's
// limit, or the machine's memory, whichever is least known and smallest).
func HashSlots(p Params) int {
	n := runtime.GOMAXPROCS(0)
	if limit := memoryLimit(); limit > 0 && p.Memory > 0 {
		n = min(n, int(limit/4/(int64(p.Memory)<<10)))
	}
	return max(n, 1)
}

func memoryLimit() int64 {
	limit := int64(math.MaxInt64)
	if l := debug.SetMemoryLimit(-1); l > 0 {
		limit = l
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if l, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && l > 0 {
			limit = min(limit, l)
		}
	}
	if total := memTotal(); total > 0 {
		limit = min(limit, total)
	}
	if limit == math.MaxInt64 {
		return 0
	}
	return limit
}

// memTotal is MemTotal of /proc/meminfo in bytes, or 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
