// Package queryworker runs the warehouse's engine work in a child process
// that the server supervises: every query of the query page and the data
// API (on the warehouse or an instructor's copy), writing its result, and
// the loader's writes into the warehouse. A query that crashes the engine
// (DuckDB aborts the process on some errors), or that makes it use more
// memory than allowed, costs the queries running at that moment and a
// restart of the worker, never the server that learners use. The worker
// runs at a lower CPU priority, so heavy queries do not starve learners'
// requests either.
//
// The server side is Process: it starts the worker (the same binary, told
// by LYCEUM_QUERY_WORKER=1 in its environment), hands it a Unix socket to
// serve on and its Config on stdin, watches its memory, and starts it again
// when it exits. The worker side is Main. They speak HTTP over the socket.
package queryworker

import (
	"bufio"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/postgres"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/warehouse"
)

// EnvChild is set to "1" in the worker's environment; a binary that finds
// it calls Main instead of doing its usual work.
const EnvChild = "LYCEUM_QUERY_WORKER"

// IsChild reports whether this process was started as a query worker.
func IsChild() bool { return os.Getenv(EnvChild) == "1" }

// Config is what the worker opens.
type Config struct {
	Warehouse string          // "duckdb" or "postgres"
	DataDir   string          // the server's: blobs/, warehouse.duckdb, cache/
	Memory    string          // DuckDB's memory limit for the warehouse, e.g. "2GB"
	Threads   int             // DuckDB's threads (0: one per CPU)
	Postgres  postgres.Config // when Warehouse is "postgres"
	// InstructorDataMaxAge is how old an instructor's copy may get.
	InstructorDataMaxAge time.Duration
	LogLevel             slog.Level
}

// Exit codes of the worker, read by the supervisor.
const (
	exitStateChanged = 3 // a query changed the engine's shared state
	exitFailed       = 4 // could not open its engines
)

// Main is the worker process's main: it reads its Config from stdin,
// serves on the listener it inherited as file descriptor 3, and exits when
// stdin closes (its server is gone).
func Main() {
	in := bufio.NewReader(os.Stdin)
	var cfg Config
	if err := json.NewDecoder(in).Decode(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, "query worker: read the configuration:", err)
		os.Exit(exitFailed)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ln, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		logger.Error("query worker: no listener", "err", err)
		os.Exit(exitFailed)
	}
	ctx, stop := context.WithCancel(context.Background())
	go func() { // the server closes our stdin when it goes
		for {
			if _, err := in.ReadByte(); err != nil {
				stop()
				return
			}
		}
	}()
	code, err := serve(ctx, cfg, ln, logger)
	if err != nil {
		logger.Error("query worker stopped", "err", err)
	}
	os.Exit(code)
}

// worker holds what the child process opened.
type worker struct {
	engine   warehouse.Engine
	local    *querying.Local
	logger   *slog.Logger
	restart  chan struct{} // closed when the engine's state changed: exit
	verifier interface{ Verify(context.Context) error }
}

func serve(ctx context.Context, cfg Config, ln net.Listener, logger *slog.Logger) (int, error) {
	w, closeAll, err := open(ctx, cfg, logger)
	if err != nil {
		return exitFailed, err
	}
	defer closeAll()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /execute", w.execute)
	mux.HandleFunc("POST /load", w.load)
	mux.HandleFunc("GET /position", w.position)
	mux.HandleFunc("GET /tables", w.tables)
	srv := &http.Server{Handler: mux, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	code := 0
	select {
	case err := <-errc:
		return exitFailed, err
	case <-ctx.Done():
	case <-w.restart:
		code = exitStateChanged
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	return code, nil
}

func open(ctx context.Context, cfg Config, logger *slog.Logger) (*worker, func(), error) {
	w := &worker{logger: logger, restart: make(chan struct{})}
	switch cfg.Warehouse {
	case "duckdb":
		e, err := duckdb.Open(ctx, filepath.Join(cfg.DataDir, "warehouse.duckdb"), duckdb.Options{MemoryLimit: cfg.Memory, Threads: cfg.Threads})
		if err != nil {
			return nil, nil, fmt.Errorf("%w (is another lyceum serving this data dir?)", err)
		}
		w.engine, w.verifier = e, e
	case "postgres":
		e, err := postgres.Open(ctx, cfg.Postgres)
		if err != nil {
			return nil, nil, err
		}
		w.engine = e
	default:
		return nil, nil, fmt.Errorf("no warehouse %q", cfg.Warehouse)
	}
	blobs, err := blob.NewDir(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		w.engine.Close()
		return nil, nil, err
	}
	// The worker only writes results: the server reads them, from its own
	// cache. CacheBytes 1 keeps nothing here.
	rs, err := results.Open(ctx, blobs, filepath.Join(cfg.DataDir, "cache", "worker-results"), results.Options{CacheBytes: 1})
	if err != nil {
		w.engine.Close()
		return nil, nil, err
	}
	copies := filepath.Join(cfg.DataDir, "cache", "instructors")
	scoped.RemoveStale(copies, time.Hour, logger)
	instructors := &scoped.Warehouses{Source: w.engine, MaxAge: cfg.InstructorDataMaxAge, Memory: "256MB", Logger: logger, Dir: copies}
	w.local = &querying.Local{Warehouse: w.engine, Scoped: instructors, Results: rs}
	return w, func() {
		instructors.Close()
		rs.Close()
		w.engine.Close()
	}, nil
}

// outcome is /execute's answer: a summary, the query's own error, or an
// internal failure (logged by the server with the run).
type outcome struct {
	Summary  *results.Summary      `json:"summary,omitempty"`
	Error    *warehouse.QueryError `json:"error,omitempty"`
	Internal string                `json:"internal,omitempty"`
}

func (w *worker) execute(rw http.ResponseWriter, r *http.Request) {
	var x querying.Execution
	if err := json.NewDecoder(r.Body).Decode(&x); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	sum, err := w.local.Execute(r.Context(), x)
	var out outcome
	var qe *warehouse.QueryError
	switch {
	case err == nil:
		out.Summary = &sum
	case errors.As(err, &qe):
		out.Error = qe
	default:
		out.Internal = err.Error()
	}
	if w.verifier != nil {
		if err := w.verifier.Verify(context.WithoutCancel(r.Context())); err != nil {
			w.logger.Error("a query changed the warehouse engine's shared state: the worker restarts", "err", err, "querier", x.Querier)
			out = outcome{Error: &warehouse.QueryError{Code: "engine_restarted",
				Message: "this query changed the query engine's shared settings, so the engine restarts; queries may not do that"}}
			defer close(w.restart)
		}
	}
	writeJSON(rw, out)
}

// loadRequest is /load's body, in gob (batches are large).
type loadRequest struct {
	Batch    *warehouse.Batch
	From, To lyceum.EventPosition
}

func (w *worker) load(rw http.ResponseWriter, r *http.Request) {
	var req loadRequest
	if err := gob.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	err := w.engine.Load(r.Context(), req.Batch, req.From, req.To)
	switch {
	case errors.Is(err, warehouse.ErrPositionMoved):
		http.Error(rw, err.Error(), http.StatusConflict)
	case err != nil:
		http.Error(rw, err.Error(), http.StatusInternalServerError)
	default:
		rw.WriteHeader(http.StatusNoContent)
	}
}

func (w *worker) position(rw http.ResponseWriter, r *http.Request) {
	pos, err := w.engine.LoaderPosition(r.Context())
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(rw, pos)
}

func (w *worker) tables(rw http.ResponseWriter, r *http.Request) {
	tables, err := w.engine.Tables(r.Context())
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(rw, tables)
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(v)
}
