// Command lyceum-whbench measures the warehouse and the query page on a
// large event log:
//
//	(a) the overhead of a query through the query page (HTTP: submit, wait,
//	    first page) against the same SQL on the engine directly;
//	(b) time to first rows and to the whole result (streamed CSV) for a
//	    1-million-row result;
//	(c) p50 latency of small queries while 8 heavy ones run;
//	(d) loader throughput (events/s) and freshness (append → queryable) p95;
//	(e) instructors' queries: the first, which copies their courses' rows
//	    out of the warehouse, and the next, which reuses the copy.
//
//	go run ./cmd/lyceum-whbench -events 10000000
//
// It writes -events synthetic learner events (the simulator's mix of types
// over -users learners and 90 days) straight into a fresh embedded store,
// then boots Lyceum on it (SQLite + DuckDB) and lets the loader catch up.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/internal/apiclient"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/queryworker"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/server"
	"github.com/lyceum/lyceum/sqlite"
)

func main() {
	if queryworker.IsChild() { // server.Open starts this program as its query worker
		queryworker.Main()
	}
	events := flag.Int("events", 10_000_000, "events in the log")
	users := flag.Int("users", 20_000, "learners")
	dir := flag.String("dir", "", "work directory (default: a temp dir, removed after)")
	flag.Parse()
	if err := run(*events, *users, *dir); err != nil {
		log.Fatal(err)
	}
}

var types = []struct {
	t lyceum.EventType
	w int
}{
	{lyceum.EventVideoPlayed, 20}, {lyceum.EventVideoPaused, 15}, {lyceum.EventVideoSeeked, 5}, {lyceum.EventQuestionAnswered, 15},
	{lyceum.EventItemOpened, 15}, {lyceum.EventItemCompleted, 10}, {lyceum.EventPageViewed, 15}, {lyceum.EventQuizSubmitted, 3},
	{lyceum.EventVideoCompleted, 2},
}

func run(nEvents, nUsers int, dir string) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "lyceum-whbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	fmt.Printf("lyceum-whbench: %d events, %d learners, data in %s\n", nEvents, nUsers, dir)

	// 1. The event log, written straight into the store.
	store, err := sqlite.Open(ctx, filepath.Join(dir, "lyceum.db"))
	if err != nil {
		return err
	}
	start := time.Now()
	ids := make([]string, nUsers)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range ids {
		ids[i] = uuid.NewString()
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			store.CreateUser(ctx, &lyceum.User{ID: ids[i], Email: fmt.Sprintf("learner%d@example.org", i), Name: "Learner",
				Role: lyceum.RoleLearner, PasswordHash: "x", CreatedAt: lyceum.TimeNow()})
		}()
	}
	wg.Wait()
	rng := rand.New(rand.NewPCG(1, 2))
	total := 0
	for _, t := range types {
		total += t.w
	}
	end := time.Now().UTC()
	const batch = 10_000
	for done := 0; done < nEvents; done += batch {
		evs := make([]lyceum.Event, 0, batch)
		for range min(batch, nEvents-done) {
			r, typ := rng.IntN(total), lyceum.EventPageViewed
			for _, t := range types {
				if r < t.w {
					typ = t.t
					break
				}
				r -= t.w
			}
			at := end.Add(-time.Duration(rng.Float64() * float64(90*24*time.Hour))).Truncate(time.Millisecond)
			evs = append(evs, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: at, Type: typ, UserID: ids[rng.IntN(nUsers)],
				CourseID: fmt.Sprintf("course-%d", rng.IntN(20)), ItemID: fmt.Sprintf("item-%d", rng.IntN(12)),
				Payload: []byte(fmt.Sprintf(`{"position": %d}`, rng.IntN(600)))})
		}
		if err := store.AppendEvents(ctx, evs...); err != nil {
			return err
		}
	}
	store.Close()
	fmt.Printf("wrote %d events in %s\n", nEvents, time.Since(start).Round(time.Millisecond))

	// 2. Lyceum on it: the loader starts from the beginning of the log.
	cfg := server.Default()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", dir
	cfg.PasswordParams = auth.TestParams
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.QueryLimits.MaxRows = 2_000_000
	loadStart := time.Now()
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Listen(); err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go srv.Run(sctx)
	base := "http://" + srv.Addr()
	for {
		pos, err := srv.Worker.LoaderPosition(ctx)
		if err != nil {
			return err
		}
		evs, _, err := srv.Store.ReadEvents(ctx, pos, 1)
		if err != nil {
			return err
		}
		if len(evs) == 0 && pos != "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	d := time.Since(loadStart)
	fmt.Printf("\n(d) loader: %d events loaded in %s: %.0f events/s\n", nEvents, d.Round(time.Millisecond), float64(nEvents)/d.Seconds())

	// Freshness: append a marker event, time until the warehouse has it.
	var fresh []time.Duration
	for range 40 {
		id := uuid.Must(uuid.NewV7()).String()
		t0 := time.Now()
		if err := srv.Store.AppendEvents(ctx, lyceum.Event{ID: id, Time: lyceum.TimeNow(), Type: lyceum.EventPageViewed, UserID: ids[0]}); err != nil {
			return err
		}
		for {
			sum, err := srv.Worker.Execute(ctx, querying.Execution{SQL: `SELECT id FROM events WHERE id = $1`, Args: []any{id},
				Key: "bench/fresh.parquet", Limits: results.Limits{MaxRows: 10}})
			if err != nil {
				return err
			}
			if sum.Rows == 1 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		fresh = append(fresh, time.Since(t0))
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
	}
	fmt.Printf("    freshness (append → queryable, 40 samples, --loader-interval %s): p50 %s, p95 %s, max %s\n",
		cfg.LoaderInterval, pct(fresh, 50), pct(fresh, 95), pct(fresh, 100))

	// Analysts.
	pw := "benchmark password"
	clients := make([]*apiclient.Client, 5)
	for i := range clients {
		email := fmt.Sprintf("analyst%d@example.org", i)
		if _, err := srv.Accounts.CreateUser(ctx, email, pw, "Analyst", lyceum.RoleAnalyst); err != nil {
			return err
		}
		clients[i] = apiclient.New(base, 10*time.Minute)
		if err := clients[i].LogIn(email, pw); err != nil {
			return err
		}
	}

	// (a) Overhead.
	sqlA := `SELECT type, count(*) AS n, count(DISTINCT user_id) AS users FROM events GROUP BY type ORDER BY n DESC`
	var direct, page []time.Duration
	for range 7 {
		t0 := time.Now()
		if _, err := srv.Worker.Execute(ctx, querying.Execution{SQL: sqlA, Key: "bench/direct.parquet", Limits: results.Limits{MaxRows: 1000}}); err != nil {
			return err
		}
		direct = append(direct, time.Since(t0))
		t0 = time.Now()
		id, err := clients[0].Query(sqlA)
		if err != nil {
			return err
		}
		if _, err := clients[0].Rows(id, 100); err != nil {
			return err
		}
		page = append(page, time.Since(t0))
	}
	fmt.Printf("\n(a) %q\n    in the query worker directly (engine and result file): median %s; through the query page (HTTP submit, poll, first page): median %s; overhead %s\n",
		sqlA, pct(direct, 50), pct(page, 50), (pct(page, 50) - pct(direct, 50)).Round(time.Millisecond))

	// (b) A 1-million-row result.
	t0 := time.Now()
	id, err := clients[1].Query(`SELECT * FROM events LIMIT 1000000`)
	if err != nil {
		return err
	}
	pg, err := clients[1].Rows(id, 100)
	if err != nil {
		return err
	}
	first := time.Since(t0)
	res, err := clients[1].HTTP.Get(base + "/api/v1/data/runs/" + id + "/csv")
	if err != nil {
		return err
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	fmt.Printf("\n(b) 1,000,000-row result (%d rows): first 100 rows on screen after %s; whole result as CSV (%.0f MB) after %s\n",
		pg.Total, first.Round(time.Millisecond), float64(n)/1e6, time.Since(t0).Round(time.Millisecond))

	// (c) Small queries while 8 heavy ones run (3 analysts, 3 + 3 + 2).
	heavy := `SELECT user_id, count(*) AS n, count(DISTINCT type) AS kinds, max(time) AS last FROM events GROUP BY user_id ORDER BY n DESC`
	var hw sync.WaitGroup
	heavyStart := time.Now()
	for i := range 8 {
		hw.Add(1)
		go func() {
			defer hw.Done()
			c := clients[1+i%3]
			if _, err := c.Query(fmt.Sprintf("%s -- heavy %d", heavy, i)); err != nil {
				log.Print(err)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	var small []time.Duration
	smallSQL := `SELECT count(*) FROM courses`
	for i := 0; time.Since(heavyStart) < 60*time.Second && i < 30; i++ {
		t0 := time.Now()
		if _, err := clients[4].Query(fmt.Sprintf("%s -- small %d", smallSQL, i)); err != nil {
			return err
		}
		small = append(small, time.Since(t0))
	}
	hw.Wait()
	fmt.Printf("\n(c) %d small queries while 8 heavy ones ran (%s for all heavy, --query-max-running %d): p50 %s, p95 %s\n",
		len(small), time.Since(heavyStart).Round(time.Millisecond), cfg.QueryLimits.MaxRunning, pct(small, 50), pct(small, 95))

	// (e) Instructors of 1 and of 5 of the 20 courses.
	fmt.Printf("\n(e) instructors (each query through the query page: submit, wait, first page)\n")
	for _, owned := range []int{1, 5} {
		email := fmt.Sprintf("instructor%d@example.org", owned)
		teacher, err := srv.Accounts.CreateUser(ctx, email, pw, "Instructor", lyceum.RoleInstructor)
		if err != nil {
			return err
		}
		for i := range owned {
			now := lyceum.TimeNow()
			c := &lyceum.Course{ID: fmt.Sprintf("course-%d", 10+owned+i), Title: "Course", Language: "en", OwnerID: teacher.ID, CreatedAt: now, UpdatedAt: now}
			if err := srv.Store.PutCourse(ctx, c); err != nil {
				return err
			}
		}
		c := apiclient.New(base, 10*time.Minute)
		if err := c.LogIn(email, pw); err != nil {
			return err
		}
		var took [2]time.Duration
		var events int64
		for i, sql := range []string{`SELECT count(*) AS n FROM events`, sqlA} {
			t0 := time.Now()
			id, err := c.Query(sql)
			if err != nil {
				return err
			}
			pg, err := c.Rows(id, 100)
			if err != nil {
				return err
			}
			took[i] = time.Since(t0)
			if i == 0 {
				if f, ok := pg.Rows[0][0].(float64); ok { // JSON numbers
					events = int64(f)
				}
			}
		}
		fmt.Printf("    %d course(s), %d events: first query (makes the copy) %s; the GROUP BY of (a) on the copy %s\n",
			owned, events, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond))
	}
	return nil
}

func pct(l []time.Duration, p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(float64(len(s))*p/100))].Round(time.Millisecond)
}
