package server_test

import (
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
