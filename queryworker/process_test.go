package queryworker

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// The test binary is its own worker: started with LYCEUM_QUERY_WORKER=1,
// it runs Main instead of the tests, as the lyceum binary does.
func TestMain(m *testing.M) {
	if IsChild() {
		Main()
	}
	os.Exit(m.Run())
}

func start(t *testing.T, opt Options) *Process {
	t.Helper()
	if opt.Config.Warehouse == "" {
		opt.Config = Config{Warehouse: "duckdb", DataDir: t.TempDir(), Memory: "256MB", Threads: 1}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := Start(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func pid(p *Process) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current == nil {
		return 0
	}
	return p.current.cmd.Process.Pid
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func execute(p *Process, sql string) (results.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return p.Execute(ctx, querying.Execution{SQL: sql, Querier: "u1", Key: "results/" + time.Now().Format("150405.000000000"),
		Limits: results.Limits{MaxRows: 1000, MaxBytes: 1 << 20}})
}

func TestExecutesQueries(t *testing.T) {
	p := start(t, Options{})
	s, err := execute(p, "SELECT 41 + 1 AS answer")
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 1 || len(s.Columns) != 1 || s.Columns[0].Name != "answer" {
		t.Fatalf("summary = %+v, want one row of answer", s)
	}
	// A query's own mistake is the user's to see, and the worker goes on.
	_, err = execute(p, "SELEC 1")
	var qe *warehouse.QueryError
	if !errors.As(err, &qe) || qe.Code == "engine_restarted" {
		t.Fatalf("syntax error: %v, want a QueryError about the query", err)
	}
	if _, err := execute(p, "SELECT 1"); err != nil {
		t.Fatalf("after a mistake: %v", err)
	}
}

// TestStartSaysWhyInTheWorkersWords: a worker that cannot open its
// warehouse makes Start fail with the reason, not a timeout.
func TestStartSaysWhyInTheWorkersWords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := Start(ctx, Options{Config: Config{Warehouse: "oracle", DataDir: t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "no warehouse") || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("Start = %v, want the worker's own reason", err)
	}
}

// TestAKilledWorkerComesBack: a worker that dies (as a crash would) is
// started again; a query sent meanwhile waits for it instead of failing.
func TestAKilledWorkerComesBack(t *testing.T) {
	p := start(t, Options{})
	first := pid(p)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(p, "SELECT 1"); err != nil {
		t.Fatalf("query after the kill: %v", err)
	}
	second := pid(p)
	if second == 0 || second == first {
		t.Fatalf("worker pid %d after the kill, was %d: want a new worker", second, first)
	}
	if alive(first) {
		t.Fatalf("the killed worker %d is still there", first)
	}
}

// TestAQueryThatKillsTheWorkerSaysSo: the query running when the worker
// dies gets engine_restarted and why; the next query runs.
func TestAQueryThatKillsTheWorkerSaysSo(t *testing.T) {
	p := start(t, Options{MaxMemory: 600 << 20})
	// Far more than 600 MB if held; DuckDB's own limit (256MB) may stop it
	// first, which is also a clean answer.
	_, err := execute(p, "SELECT list(repeat('x', 1000) || i::VARCHAR) FROM range(2000000) t(i)")
	var qe *warehouse.QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("memory-hungry query: %v, want a QueryError", err)
	}
	if qe.Code == "engine_restarted" && !strings.Contains(qe.Message, "--query-worker-max-memory-mb") {
		t.Fatalf("engine_restarted without its reason: %q", qe.Message)
	}
	t.Logf("memory-hungry query: %s: %s", qe.Code, qe.Message)
	if _, err := execute(p, "SELECT 1"); err != nil {
		t.Fatalf("the next query: %v", err)
	}
}

// TestTheMemoryWatchdogKills: a worker over MaxMemory is killed and
// started again, and says why to the query it ran.
func TestTheMemoryWatchdogKills(t *testing.T) {
	// DuckDB alone may use 4 GB; the watchdog's limit of 300 MB is what
	// stops the query.
	p := start(t, Options{MaxMemory: 300 << 20, Config: Config{Warehouse: "duckdb", DataDir: t.TempDir(), Memory: "4GB", Threads: 1}})
	first := pid(p)
	_, err := execute(p, "SELECT count(DISTINCT i::VARCHAR || repeat('y', 200)) FROM range(20000000) t(i)")
	var qe *warehouse.QueryError
	if !errors.As(err, &qe) || qe.Code != "engine_restarted" || !strings.Contains(qe.Message, "more than the 300 MB") {
		t.Fatalf("query over the limit: %v, want engine_restarted naming the limit", err)
	}
	if _, err := execute(p, "SELECT 1"); err != nil {
		t.Fatalf("the next query: %v", err)
	}
	if pid(p) == first {
		t.Fatal("the same worker serves after the watchdog's kill")
	}
}

// TestCloseStopsTheWorker: nothing is left running after Close, and calls
// after it fail at once.
func TestCloseStopsTheWorker(t *testing.T) {
	p := start(t, Options{})
	child := pid(p)
	dir := p.dir
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for alive(child) {
		// Reaped by cmd.Wait in the supervisor; a zombie would answer too.
		if time.Now().After(deadline) {
			t.Fatalf("worker %d still running after Close", child)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("socket dir %s left behind: %v", dir, err)
	}
	if _, err := execute(p, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Execute after Close = %v, want closed", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
