package server_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
)

// rawRequest sends head (request line and headers) and then body, in parts
// with a pause after each, on a new connection, and returns the response
// and how long after the head it came.
func rawRequest(t *testing.T, ts *testServer, head string, parts []string, pause time.Duration) (*http.Response, []byte, time.Duration, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	go func() {
		for _, p := range parts {
			if _, err := io.WriteString(conn, p); err != nil {
				return // the server gave up on us
			}
			time.Sleep(pause)
		}
	}()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response after %s: %v", time.Since(start), err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, body, time.Since(start), conn
}

// A body that stops coming, or trickles in, does not hold the server: it
// gets a 408 in the API's error format soon after the body timeout.
func TestSlowBodies(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.BodyTimeout = 300 * time.Millisecond })
	head := func(path string, length int) string {
		return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, length)
	}
	login := `{"email": "x@example.org", "password": "a good long password"}`
	for _, tt := range []struct {
		name  string
		head  string
		parts []string
		pause time.Duration
	}{
		{"stalls after part of the body", head("/api/v1/auth/login", len(login)), []string{login[:10]}, 10 * time.Second},
		{"sends no body at all", head("/api/v1/auth/login", len(login)), nil, 0},
		{"trickles a byte at a time", head("/api/v1/auth/login", 100), strings.Split(strings.Repeat("x", 100), ""), 100 * time.Millisecond},
		{"trickles into a sign-up", head("/api/v1/auth/signup", 2000), strings.Split(strings.Repeat(" ", 2000), ""), 50 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body, took, _ := rawRequest(t, ts, tt.head, tt.parts, tt.pause)
			r := response{res.StatusCode, body, res.Header}
			if res.StatusCode != 408 || r.errorCode(t) != "request_timeout" {
				t.Fatalf("%d %s, want 408 request_timeout", res.StatusCode, body)
			}
			if took > 5*time.Second {
				t.Fatalf("the 408 came after %s", took)
			}
		})
	}

	// A route that does not read the body answers at once, and the
	// connection does not stay open waiting for the rest of it.
	res, _, _, conn := rawRequest(t, ts, head("/api/v1/nope", 1000), []string{"x"}, 10*time.Second)
	if res.StatusCode != 404 {
		t.Fatalf("unknown route: %d", res.StatusCode)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("the connection is still open: %v", err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// A large body that keeps coming is not cut off, however much longer than
// the body timeout it takes in all.
func TestSlowButSteadyUpload(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.BodyTimeout = time.Second })
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	video := make([]byte, 200<<10) // that zip cannot make smaller
	rand.NewChaCha8([32]byte{1}).Read(video)
	bundle := testBundleWith(t, "slow-upload", map[string]string{"media/intro.mp4": string(video)}, "", "")
	pr, pw := io.Pipe()
	go func() {
		const parts = 40 // 40 parts, 100 ms apart: 4 s in all
		step := len(bundle)/parts + 1
		for i := 0; i < len(bundle); i += step {
			pw.Write(bundle[i:min(i+step, len(bundle))])
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/courses/import", pr)
	req.ContentLength = int64(len(bundle))
	req.Header.Set("Content-Type", "application/zip")
	req.Header.Set("X-CSRF-Token", inst.csrf)
	start := time.Now()
	res, err := inst.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("steady upload of %d bytes over %s: %d %s", len(bundle), time.Since(start), res.StatusCode, body)
	}
}
