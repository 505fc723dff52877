package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/server"
)

// TestAvailabilityThroughNodeLoss serves Lyceum on a 3-node Cassandra
// cluster (RF 3, LOCAL_QUORUM), drives a steady mixed load through the HTTP
// API, kills one node with SIGKILL mid-load, brings it back, then restarts
// every node in turn. It asserts that no request failed and that every
// acknowledged write reads back afterwards, and prints the totals.
//
// Needs a running 3-node cluster: `make test-availability` starts one.
func TestAvailabilityThroughNodeLoss(t *testing.T) {
	if os.Getenv("LYCEUM_TEST_CASSANDRA_NODES") != "3" {
		t.Skip("needs a 3-node cluster: make test-availability")
	}
	cluster := func(args ...string) {
		t.Helper()
		cmd := exec.Command("../scripts/cassandra/cluster.sh", args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("cluster.sh %s: %v", strings.Join(args, " "), err)
		}
	}
	ts := startServer(t, func(c *server.Config) {
		c.Store = "cassandra"
		c.Cassandra.Hosts = []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}
		c.Cassandra.Keyspace = fmt.Sprintf("lyceum_avail_%d", time.Now().UnixNano()%1e9)
		c.Cassandra.Replication = map[string]int{"dc1": 3}
	})
	courses := []string{"avail-a", "avail-b", "avail-c"}
	inst := ts.publishedCourse(t, courses[0])
	for _, id := range courses[1:] {
		must(t, inst.importCourse(testBundle(t, id, "Course "+id)), 201)
		must(t, inst.post("/api/v1/courses/"+id+"/publish", nil), 200)
	}

	const workers = 12
	learners := make([]*client, workers)
	for i := range learners {
		learners[i] = ts.client(t).signUp()
		must(t, learners[i].post("/api/v1/courses/"+courses[0]+"/enroll", nil), 200)
	}

	type sample struct {
		start   time.Time
		latency time.Duration
		op      string
		ok      bool
		detail  string
	}
	var mu sync.Mutex
	var samples []sample
	// What each learner was told was saved, to read back at the end.
	type key struct{ user, course, what string }
	acked := make([]map[key]string, workers)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		acked[w] = map[key]string{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := learners[w]
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			enrolled := []string{courses[0]}
			for i := 0; !stop.Load(); i++ {
				course := enrolled[rng.IntN(len(enrolled))]
				var op, path string
				var body any
				var record func()
				switch r := rng.IntN(100); {
				case r < 35:
					op, path = "outline", "/api/v1/courses/"+course
				case r < 60:
					pos := float64(rng.IntN(200)) / 10
					op, path = "resume", "/api/v1/courses/"+course+"/items/intro/video-progress"
					body = map[string]any{"event": "heartbeat", "position": pos, "watchedFrom": pos * 0.9, "watchedTo": pos}
					record = func() { acked[w][key{c.user.ID, course, "position"}] = fmt.Sprint(pos) }
				case r < 85:
					n := rng.IntN(100)
					op, path = "answer", "/api/v1/courses/"+course+"/items/intro/questions/q-num/answer"
					body = map[string]any{"response": map[string]any{"number": n}}
					record = func() { acked[w][key{c.user.ID, course, "answer"}] = fmt.Sprint(n) }
				default:
					next := courses[rng.IntN(len(courses))]
					op, path = "enroll", "/api/v1/courses/"+next+"/enroll"
					body = struct{}{}
					record = func() {
						if !slices.Contains(enrolled, next) {
							enrolled = append(enrolled, next)
						}
					}
				}
				start := time.Now()
				var res response
				if body == nil {
					res = c.get(path)
				} else {
					res = c.post(path, body)
				}
				s := sample{start: start, latency: time.Since(start), op: op, ok: res.status == 200}
				if !s.ok {
					s.detail = fmt.Sprintf("%d %s", res.status, res.body)
				} else if record != nil {
					record()
				}
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
			}
		}()
	}

	begin := time.Now()
	type incident struct {
		name string
		at   time.Time
	}
	var incidents []incident
	mark := func(name string) {
		incidents = append(incidents, incident{name, time.Now()})
		t.Logf("%6.1fs  %s", time.Since(begin).Seconds(), name)
	}
	time.Sleep(15 * time.Second)
	mark("kill -9 node 2")
	cluster("node-kill", "2")
	time.Sleep(15 * time.Second)
	mark("start node 2")
	cluster("node-start", "2")
	for _, n := range []string{"1", "2", "3"} {
		time.Sleep(5 * time.Second)
		mark("rolling restart: stop node " + n)
		cluster("node-stop", n)
		mark("rolling restart: start node " + n)
		cluster("node-start", n)
	}
	time.Sleep(10 * time.Second)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(begin)

	// Totals.
	var failures []sample
	lat := make([]time.Duration, 0, len(samples))
	byOp := map[string]int{}
	for _, s := range samples {
		lat = append(lat, s.latency)
		byOp[s.op]++
		if !s.ok {
			failures = append(failures, s)
		}
	}
	slices.Sort(lat)
	pct := func(l []time.Duration, p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(float64(len(l))*p/100))].Round(100 * time.Microsecond)
	}
	t.Logf("load ran %s: %d requests (%v), %d failed, %.0f req/s, p50 %s, p99 %s, max %s",
		elapsed.Round(time.Second), len(samples), byOp, len(failures), float64(len(samples))/elapsed.Seconds(),
		pct(lat, 50), pct(lat, 99), pct(lat, 100))
	for _, in := range incidents {
		var around []time.Duration
		for _, s := range samples {
			if !s.start.Before(in.at.Add(-time.Second)) && s.start.Before(in.at.Add(10*time.Second)) {
				around = append(around, s.latency)
			}
		}
		slices.Sort(around)
		t.Logf("  %-32s next 10 s: %5d requests, p50 %s, p99 %s, max %s", in.name, len(around), pct(around, 50), pct(around, 99), pct(around, 100))
	}
	for i, f := range failures {
		if i < 20 {
			t.Errorf("failed %s at +%.1fs after %s: %s", f.op, f.start.Sub(begin).Seconds(), f.latency, f.detail)
		}
	}
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed through node loss", len(failures), len(samples))
	}
	if elapsed < time.Minute || len(samples) < 1000 {
		t.Fatalf("the load did not run long enough: %d requests in %s", len(samples), elapsed)
	}

	// Every acknowledged write reads back.
	checked := 0
	for w, m := range acked {
		c := learners[w]
		for k, want := range m {
			var item learning.ItemPage
			must(t, c.get("/api/v1/courses/"+k.course+"/items/intro"), 200).json(t, &item)
			var got string
			switch k.what {
			case "position":
				got = fmt.Sprint(item.Status.Position)
			case "answer":
				if a := item.Item.Video.Questions[1].Answer; a != nil && a.Response.Number != nil {
					got = fmt.Sprint(*a.Response.Number)
				}
			}
			if got != want {
				t.Errorf("learner %d %s in %s: read %q, acknowledged %q", w, k.what, k.course, got, want)
			}
			checked++
		}
		es, err := ts.Store.EnrollmentsByUser(context.Background(), c.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			t.Errorf("learner %d lost their enrollments", w)
		}
	}
	t.Logf("%d acknowledged writes read back", checked)
}
