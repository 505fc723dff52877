package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/apiclient"
	"github.com/lyceum/lyceum/sqlite"
)

// TestKill9KeepsAcknowledgedEvents runs the real binary, has 16 clients
// record events as fast as they can, kills the process with SIGKILL in the
// middle, and checks that every event whose request succeeded is in the
// log after a restart.
func TestKill9KeepsAcknowledgedEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "lyceum")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	addr := freeAddr(t)
	start := func() *exec.Cmd {
		// Events as fast as the clients can send them: no rate limit.
		cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data, "--log-level", "warn",
			"--client-event-burst", "1000000000", "--client-event-every", "1ns")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitReady(t, "http://"+addr)
		return cmd
	}
	srv := start()
	defer srv.Process.Kill()

	learner := apiclient.New("http://"+addr, 10*time.Second)
	if err := learner.SignUp("crash@example.org", "a good long password", "Crash"); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				nonce := fmt.Sprintf("w%d-%d", w, i)
				req, _ := learner.Request("POST", "/api/v1/events",
					map[string]any{"type": "page_viewed", "payload": map[string]string{"path": "/" + nonce}})
				res, err := learner.HTTP.Do(req)
				if err != nil {
					return // the server is gone
				}
				res.Body.Close()
				if res.StatusCode == http.StatusNoContent {
					mu.Lock()
					acked[nonce] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d events acknowledged before the kill; the load did not run", len(acked))
	}

	// Restart on the same data (recovery runs), stop it, and read the log.
	srv = start()
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	found := map[string]bool{}
	var pos lyceum.EventPosition
	for {
		evs, next, err := db.ReadEvents(context.Background(), pos, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			var p struct{ Path string }
			json.Unmarshal(e.Payload, &p)
			found[strings.TrimPrefix(p.Path, "/")] = true
		}
		pos = next
	}
	lost := 0
	for n := range acked {
		if !found[n] {
			lost++
		}
	}
	t.Logf("%d events acknowledged before kill -9, %d in the log after restart", len(acked), len(found))
	if lost > 0 {
		t.Fatalf("%d acknowledged events lost", lost)
	}
	total := 0
	for pos := lyceum.EventPosition(""); ; {
		evs, next, err := db.ReadEvents(context.Background(), pos, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		total += len(evs)
		pos = next
	}
	db.Close()

	// The warehouse loader was loading when the process died: after a
	// restart it holds every event of the log exactly once.
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("analyst password\n"), 0o600)
	create := exec.Command(bin, "user", "create", "--data", data, "--email", "analyst@example.org", "--password-file", pw, "--role", "analyst")
	create.Stderr = os.Stderr
	if err := create.Run(); err != nil {
		t.Fatal(err)
	}
	srv = start()
	defer srv.Process.Kill()
	analyst := apiclient.New("http://"+addr, 30*time.Second)
	if err := analyst.LogIn("analyst@example.org", "analyst password"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		row := firstRow(t, analyst, `SELECT count(*), count(DISTINCT id) FROM events WHERE type = 'page_viewed'`)
		if row[0] == fmt.Sprint(total-1) { // every event but the sign-up
			if row[1] != row[0] {
				t.Fatalf("the warehouse holds %s events but only %s distinct: the loader duplicated", row[0], row[1])
			}
			t.Logf("the warehouse holds all %s page views exactly once after kill -9 mid-load", row[0])
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the warehouse holds %v page views, the log %d", row, total-1)
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
}

// firstRow runs sql on the query page and returns its first row as text.
func firstRow(t *testing.T, c *apiclient.Client, sql string) []string {
	t.Helper()
	id, err := c.Query(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Rows(id, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range p.Rows[0] {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become ready in 30 s")
}
