package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum/server"
)

// A stranger cannot lock a user out with a few wrong passwords: attempts
// are limited per account and address, under a higher ceiling per account
// that only many addresses together reach.
func TestLockoutIsPerAccountAndAddress(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.LoginBurst, c.LoginAccountBurst, c.LoginEvery = 3, 9, time.Hour })
	user := ts.clientFrom(t, "127.0.0.1").signUp()
	login := func(c *client, password string) response {
		c.t.Helper()
		return c.post("/api/v1/auth/login", map[string]string{"email": user.user.Email, "password": password})
	}

	// The attacker is limited after a few attempts…
	attacker := ts.clientFrom(t, "127.0.0.2")
	var codes []int
	for range 5 {
		codes = append(codes, login(attacker, "wrong password!").status)
	}
	if codes[0] != 401 || codes[4] != 429 {
		t.Fatalf("attacker: %v, want 401s, then 429", codes)
	}
	// …and the user, from their own address, is not.
	must(t, login(ts.clientFrom(t, "127.0.0.1"), "a good long password"), 200)

	// Signing in successfully costs no attempt: a user who signs in often
	// is never limited.
	for range 6 {
		must(t, login(ts.clientFrom(t, "127.0.0.1"), "a good long password"), 200)
	}

	// Many addresses together reach the account's ceiling: then the account
	// takes no attempts from anyone for a while.
	failures := 3 // the attacker's
	for i := 3; failures < 9; i++ {
		c := ts.clientFrom(t, "127.0.0."+string(rune('0'+i)))
		for range 2 {
			must(t, login(c, "wrong password!"), 401)
			failures++
		}
	}
	res := must(t, login(ts.clientFrom(t, "127.0.0.9"), "wrong password!"), 429)
	if res.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	must(t, login(ts.clientFrom(t, "127.0.0.1"), "a good long password"), 429)
}

// Sign-ups are limited per client address: each costs a password hash.
// Input refused before hashing costs nothing; other addresses are not
// affected; the refusal says when to try again.
func TestSignupLimitPerAddress(t *testing.T) {
	ts := startServer(t, func(c *server.Config) {
		c.SignupBurst, c.SignupEvery = 2, time.Hour
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	signUp := func(c *client, email, password string) response {
		c.t.Helper()
		return c.post("/api/v1/auth/signup", map[string]string{"email": email, "password": password, "name": "S"})
	}
	spammer := ts.clientFrom(t, "127.0.0.2")
	for i := range 5 {
		must(t, signUp(spammer, fmt.Sprintf("short%d@example.org", i), "short"), 422)
	}
	must(t, signUp(ts.clientFrom(t, "127.0.0.2"), "s1@example.org", "a good long password"), 201)
	must(t, signUp(ts.clientFrom(t, "127.0.0.2"), "s1@example.org", "a good long password"), 409)
	res := must(t, signUp(ts.clientFrom(t, "127.0.0.2"), "s2@example.org", "a good long password"), 429)
	if res.errorCode(t) != "too_many_requests" || res.header.Get("Retry-After") == "" || !strings.Contains(string(res.body), "sign-ups") {
		t.Fatalf("429: %s (Retry-After %q)", res.body, res.header.Get("Retry-After"))
	}
	// Nothing of the refused sign-up was stored.
	must(t, ts.client(t).post("/api/v1/auth/login", map[string]string{"email": "s2@example.org", "password": "a good long password"}), 401)
	// Another address, directly or through the trusted proxy, signs up.
	must(t, signUp(ts.clientFrom(t, "127.0.0.3"), "s3@example.org", "a good long password"), 201)
	must(t, signUp(ts.clientVia(t, "203.0.113.4"), "s4@example.org", "a good long password"), 201)
}
