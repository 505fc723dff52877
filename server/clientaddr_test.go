package server_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum/server"
)

// clientFrom is a client whose connections come from ip, a loopback
// address other than 127.0.0.1 (Linux answers on all of 127/8), so that
// the server sees another peer without any proxy header.
func (ts *testServer) clientFrom(t *testing.T, ip string) *client {
	t.Helper()
	c := ts.client(t)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c.http.Transport = contractTransport{t, &http.Transport{DialContext: d.DialContext}}
	return c
}

// clientVia is a client behind a proxy on 127.0.0.1 that sends
// X-Forwarded-For: xff (the header as the last proxy passes it on).
func (ts *testServer) clientVia(t *testing.T, xff string) *client {
	t.Helper()
	c := ts.client(t)
	c.http.Transport = contractTransport{t, forwarded{xff, http.DefaultTransport}}
	return c
}

type forwarded struct {
	xff  string
	next http.RoundTripper
}

func (f forwarded) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.xff)
	return f.next.RoundTrip(r)
}

// sprays makes n failed sign-ins to accounts that do not exist, and returns
// the statuses.
func sprays(c *client, n int) []int {
	c.t.Helper()
	var codes []int
	for i := range n {
		codes = append(codes, c.post("/api/v1/auth/login", map[string]string{
			"email": fmt.Sprintf("nobody%d-%d@example.org", i, time.Now().UnixNano()), "password": "wrong password!"}).status)
	}
	return codes
}

// Behind a trusted proxy each client is limited on its own address, taken
// from X-Forwarded-For; addresses a client writes into the header itself
// change nothing; without trusted proxies the header is ignored.
func TestTrustedProxies(t *testing.T) {
	limited := func(codes []int) bool { return codes[len(codes)-1] == 429 }
	t.Run("trusted", func(t *testing.T) {
		ts := startServer(t, func(c *server.Config) {
			c.LoginBurst = 3
			c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"}
		})
		if codes := sprays(ts.clientVia(t, "203.0.113.1"), 4); !limited(codes) {
			t.Fatalf("203.0.113.1: %v, want 429 at last", codes)
		}
		// Another client behind the same proxy is not limited by the first.
		if codes := sprays(ts.clientVia(t, "203.0.113.2"), 1); codes[0] != 401 {
			t.Fatalf("203.0.113.2: %v, want 401", codes)
		}
		// The first client cannot escape by writing addresses of its own
		// in front of the one the proxy adds, nor hide behind a trusted one.
		for _, xff := range []string{"198.51.100.9, 203.0.113.1", "garbage, 203.0.113.1", "10.0.0.1, 203.0.113.1",
			"203.0.113.1, 10.0.0.7", "198.51.100.9,203.0.113.1 , 10.0.0.7", "[::ffff:203.0.113.1]:4711"} {
			if codes := sprays(ts.clientVia(t, xff), 1); codes[0] != 429 {
				t.Errorf("X-Forwarded-For %q: %v, want 429 (the client is 203.0.113.1)", xff, codes)
			}
		}
		// A request that does not come through a trusted proxy: its header
		// is not believed, its peer address counts.
		if codes := sprays(ts.clientFrom(t, "127.0.0.2"), 1); codes[0] != 401 {
			t.Fatalf("direct from 127.0.0.2: %v, want 401", codes)
		}
		direct := ts.clientFrom(t, "127.0.0.3")
		direct.http.Transport = forwarded{"203.0.113.2", direct.http.Transport}
		if codes := sprays(direct, 4); !limited(codes) {
			t.Fatalf("127.0.0.3 claiming 203.0.113.2: %v, want limited as 127.0.0.3", codes)
		}
		if codes := sprays(ts.clientVia(t, "203.0.113.2"), 1); codes[0] != 401 {
			t.Fatalf("203.0.113.2 after 127.0.0.3 claimed its address: %v, want 401", codes)
		}
	})
	t.Run("none", func(t *testing.T) {
		ts := startServer(t, func(c *server.Config) { c.LoginBurst = 3 })
		if codes := sprays(ts.clientVia(t, "203.0.113.1"), 4); !limited(codes) {
			t.Fatalf("%v, want 429 at last", codes)
		}
		// Without trusted proxies, X-Forwarded-For is the client's word:
		// a new value is still the same address.
		if codes := sprays(ts.clientVia(t, "203.0.113.2"), 1); codes[0] != 429 {
			t.Fatalf("new X-Forwarded-For: %v, want 429", codes)
		}
	})
}

func TestTrustedProxiesConfig(t *testing.T) {
	for _, tt := range []struct {
		list []string
		ok   bool
	}{
		{nil, true},
		{[]string{"10.0.0.0/8", "192.168.1.1", "::1", "fd00::/8"}, true},
		{[]string{"10.0.0.0/33"}, false},
		{[]string{"proxy.example.org"}, false},
		{[]string{""}, false},
		{[]string{"10.0.0.1/8"}, false}, // host bits set: say 10.0.0.0/8 or 10.0.0.1
	} {
		cfg := server.Default()
		cfg.TrustedProxies = tt.list
		err := cfg.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%q: %v", tt.list, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("%q: %v does not name the flag", tt.list, err)
		}
	}
}
