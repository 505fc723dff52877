package auth

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := HashPassword("correct horse battery", TestParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		ok, err := VerifyPassword(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword accepted malformed hash %q", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	if CheckPassword("short") == nil || CheckPassword(strings.Repeat("x", 300)) == nil {
		t.Fatal("bad passwords accepted")
	}
	if err := CheckPassword("long enough password"); err != nil {
		t.Fatal(err)
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) == HashToken(b) || HashToken(a) != HashToken(strings.Clone(a)) || len(HashToken(a)) != 64 {
		t.Fatal("HashToken is not a stable SHA-256 hex digest")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Second)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := l.Allow("ip", now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, retry := l.Allow("ip", now)
	if ok || retry != time.Second {
		t.Fatalf("4th attempt: ok=%v retry=%v", ok, retry)
	}
	if ok, _ := l.Allow("other", now); !ok {
		t.Fatal("keys share a bucket")
	}
	if ok, _ := l.Allow("ip", now.Add(time.Second)); !ok {
		t.Fatal("bucket did not refill")
	}
	if ok, _ := l.Allow("ip", now.Add(time.Second)); ok {
		t.Fatal("refilled more than one token in one interval")
	}
}

func TestLimiterRefund(t *testing.T) {
	l := NewLimiter(2, time.Hour)
	now := time.Unix(1000, 0)
	for range 5 {
		if ok, _ := l.Allow("k", now); !ok {
			t.Fatal("an attempt given back was not available again")
		}
		l.Refund("k")
	}
	l.Refund("k") // never above the burst
	l.Allow("k", now)
	l.Allow("k", now)
	if ok, _ := l.Allow("k", now); ok {
		t.Fatal("refunds raised the bucket above its burst")
	}
	l.Refund("unknown") // no bucket: nothing happens
}

func TestGate(t *testing.T) {
	g := NewGate(2)
	g.MaxWaiting = 3
	var running, peak atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 { // 2 run, 3 wait
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- g.Do(context.Background(), func() {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				<-release
				running.Add(-1)
			})
		}()
	}
	for running.Load() < 2 || g.waiting.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	// A sixth is refused at once: too many wait already.
	if err := g.Do(context.Background(), func() { t.Error("ran past the waiting cap") }); !errors.Is(err, ErrBusy) {
		t.Fatalf("sixth: %v, want ErrBusy", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if peak.Load() != 2 {
		t.Fatalf("%d hashes at once, want 2", peak.Load())
	}

	// A waiter stops waiting when its context ends, or after MaxWait.
	g = NewGate(1)
	hold := make(chan struct{})
	go g.Do(context.Background(), func() { <-hold })
	defer close(hold)
	for len(g.slots) == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.Do(ctx, func() {}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("canceled waiter: %v", err)
	}
	g.MaxWait = 20 * time.Millisecond
	if err := g.Do(context.Background(), func() {}); !errors.Is(err, ErrBusy) {
		t.Fatalf("waiter past MaxWait: %v", err)
	}
	if g.waiting.Load() != 0 {
		t.Fatalf("%d still counted as waiting", g.waiting.Load())
	}
}

func TestHashSlots(t *testing.T) {
	if n := HashSlots(DefaultParams); n < 1 || n > runtime.GOMAXPROCS(0) {
		t.Fatalf("HashSlots = %d with %d CPUs", n, runtime.GOMAXPROCS(0))
	}
	// Hashes of a terabyte each fit once, however little memory there is.
	if n := HashSlots(Params{Memory: 1 << 30, Time: 1, Threads: 1}); n != 1 {
		t.Fatalf("HashSlots of 1 TiB hashes = %d, want 1", n)
	}
}
