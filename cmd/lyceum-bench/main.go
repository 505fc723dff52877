// Command lyceum-bench measures Lyceum's HTTP API under concurrent load:
// requests/s and p50/p99 latency for reading a course outline with the
// learner's progress, and for answering an in-video question (a durable
// write), beside a bare net/http handler measured in the same run.
//
//	go run ./cmd/lyceum-bench -c 64 -d 10s
//
// It boots a Lyceum on the embedded store in a temp data dir with the sample
// course, signs up one learner per connection, and drives each target with
// -c keep-alive connections for -d. Server and load share the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/internal/apiclient"
	"github.com/lyceum/lyceum/queryworker"
	"github.com/lyceum/lyceum/server"
)

func main() {
	if queryworker.IsChild() { // server.Open starts this program as its query worker
		queryworker.Main()
	}
	conns := flag.Int("c", 64, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration of each target")
	sample := flag.String("course", "courses/sample", "course bundle to import")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	store := flag.String("store", "sqlite", "learning store: sqlite (embedded) or cassandra")
	hosts := flag.String("cassandra-hosts", "127.0.0.1", "Cassandra contact points, comma-separated")
	rf := flag.Int("cassandra-rf", 1, "replication factor of the benchmark keyspace")
	label := flag.String("label", "", "name of this setup in the output (default: the store)")
	noBare := flag.Bool("no-bare", false, "skip the bare net/http baseline")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	setup := benchSetup{store: *store, hosts: strings.Split(*hosts, ","), rf: *rf, label: *label, bare: !*noBare}
	if setup.label == "" {
		setup.label = setup.store
	}
	if err := run(*conns, *dur, *sample, setup); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

type benchSetup struct {
	store string
	hosts []string
	rf    int
	label string
	bare  bool
}

func run(conns int, dur time.Duration, sample string, setup benchSetup) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lyceum-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := server.Default()
	cfg.Addr, cfg.DataDir, cfg.SampleCourse = "127.0.0.1:0", dir, sample
	cfg.PasswordParams = auth.TestParams // sign-up cost is not what is measured
	cfg.SignupBurst = 1 << 20            // all the learners sign up from this machine
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if setup.store == "cassandra" {
		cfg.Store = "cassandra"
		cfg.Cassandra.Hosts = setup.hosts
		cfg.Cassandra.Keyspace = fmt.Sprintf("lyceum_bench_%d", time.Now().UnixNano()%1e9)
		cfg.Cassandra.Replication = map[string]int{cfg.Cassandra.LocalDC: setup.rf}
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Listen(); err != nil {
		return err
	}
	go srv.Run(ctx)
	base := "http://" + srv.Addr()

	bare, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(bare, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}))

	catalog, err := srv.Learning.Catalog(ctx)
	if err != nil || len(catalog) == 0 {
		return fmt.Errorf("no sample course imported from %s: %v", sample, err)
	}
	course, err := srv.Store.CourseByID(ctx, catalog[0].ID)
	if err != nil {
		return err
	}
	var itemID, questionID string
	var response any
	for _, m := range course.Modules {
		for _, it := range m.Items {
			if it.Video != nil && len(it.Video.Questions) > 0 && itemID == "" {
				q := it.Video.Questions[0]
				itemID, questionID = it.ID, q.ID
				switch {
				case len(q.Choices) > 0:
					response = map[string]any{"choices": []string{q.Choices[0].ID}}
				case q.Number != nil:
					response = map[string]any{"number": *q.Number}
				default:
					response = map[string]any{"text": q.Accept[0]}
				}
			}
		}
	}
	if itemID == "" {
		return fmt.Errorf("course %s has no in-video question", course.ID)
	}

	// One signed-in, enrolled learner per connection.
	learners := make([]*learner, conns)
	for i := range learners {
		l, err := signUp(base, i, course.ID)
		if err != nil {
			return err
		}
		learners[i] = l
	}
	answer := map[string]any{"response": response}
	type target struct {
		name string
		req  func(l *learner) *http.Request
	}
	var targets []target
	if setup.bare {
		targets = append(targets, target{"bare net/http handler", func(l *learner) *http.Request {
			r, _ := http.NewRequest("GET", "http://"+bare.Addr().String()+"/", nil)
			return r
		}})
	}
	targets = append(targets, []target{
		{"GET course outline + my progress", func(l *learner) *http.Request {
			r, _ := http.NewRequest("GET", base+"/api/v1/courses/"+course.ID, nil)
			return r
		}},
		{"POST in-video answer (durable)", func(l *learner) *http.Request {
			r, _ := l.Request("POST", "/api/v1/courses/"+course.ID+"/items/"+itemID+"/questions/"+questionID+"/answer", answer)
			return r
		}},
	}...)
	fmt.Printf("lyceum-bench: %d connections, %s per target, GOMAXPROCS=%d, store %s\n", conns, dur, runtime.GOMAXPROCS(0), setup.label)
	fmt.Printf("%-14s %-34s %10s %10s %10s %10s %8s\n", "setup", "target", "requests", "req/s", "p50", "p99", "errors")
	for _, tg := range targets {
		res := load(learners, dur, tg.req)
		fmt.Printf("%-14s %-34s %10d %10.0f %10s %10s %8d\n", setup.label, tg.name, res.n, float64(res.n)/dur.Seconds(),
			res.pct(50).Round(10*time.Microsecond), res.pct(99).Round(10*time.Microsecond), res.errors)
	}
	return nil
}

// A learner is one connection: its own client (one keep-alive connection)
// signed in and enrolled.
type learner = apiclient.Client

func signUp(base string, i int, courseID string) (*learner, error) {
	l := apiclient.New(base, 30*time.Second)
	l.HTTP.Transport = &http.Transport{MaxIdleConnsPerHost: 1}
	if err := l.SignUp(fmt.Sprintf("bench%d@example.org", i), "benchmark password", "Bench"); err != nil {
		return nil, err
	}
	if err := l.Call("POST", "/api/v1/courses/"+courseID+"/enroll", nil, http.StatusOK, nil); err != nil {
		return nil, err
	}
	return l, nil
}

type result struct {
	n, errors int
	latencies []time.Duration
}

func (r *result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(float64(len(r.latencies))*p/100))]
}

// load runs one connection per learner, back to back, for d.
func load(learners []*learner, d time.Duration, req func(*learner) *http.Request) *result {
	var mu sync.Mutex
	total := &result{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for _, l := range learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				start := time.Now()
				res, err := l.HTTP.Do(req(l))
				if err != nil {
					errs++
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat = append(lat, time.Since(start))
				if res.StatusCode >= 400 {
					errs++
				}
			}
			mu.Lock()
			total.latencies = append(total.latencies, lat...)
			total.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(total.latencies)
	total.n = len(total.latencies)
	return total
}
