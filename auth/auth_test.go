package auth

import (
	"strings"
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
	if HashToken(a) == HashToken(b) || HashToken(a) != HashToken(a) || len(HashToken(a)) != 64 {
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
