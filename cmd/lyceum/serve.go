package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/lyceum/lyceum/server"
	"github.com/lyceum/lyceum/web"
)

// maxMiB bounds the flags given in MiB: 1 PiB.
const maxMiB = 1 << 30

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := server.Default()
	fs := newFlags("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address host:port")
	finishStore := storeFlags(fs, &cfg)
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (set behind a TLS-terminating proxy)")
	uploadMB := fs.Int64("max-upload-mb", cfg.MaxUploadBytes>>20, "largest course bundle upload, MiB")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "longest pause in a request body; the whole body must arrive within this plus its length at 16 KiB/s")
	fs.StringVar(&cfg.SampleCourse, "sample-course", "", "course bundle directory to import and publish on first start")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses and CIDR networks of the proxies in front of Lyceum, whose X-Forwarded-For gives the client's address (default: none)")
	fs.IntVar(&cfg.LoginBurst, "login-burst", cfg.LoginBurst, "failed sign-in attempts allowed at once per account and address, and per address")
	fs.IntVar(&cfg.LoginAccountBurst, "login-account-burst", cfg.LoginAccountBurst, "failed sign-in attempts allowed at once per account from all addresses together")
	fs.DurationVar(&cfg.LoginEvery, "login-every", cfg.LoginEvery, "one more failed sign-in attempt allowed per this interval")
	fs.IntVar(&cfg.SignupBurst, "signup-burst", cfg.SignupBurst, "sign-ups allowed at once per client address")
	fs.DurationVar(&cfg.SignupEvery, "signup-every", cfg.SignupEvery, "one more sign-up per client address allowed per this interval")
	fs.IntVar(&cfg.PasswordHashes, "password-hashes", cfg.PasswordHashes, "password hashes computed at once (64 MiB each); 0 sizes it from the CPUs and memory")
	fs.IntVar(&cfg.ClientEventBurst, "client-event-burst", cfg.ClientEventBurst, "events (page views) a user's browser may report at once")
	fs.DurationVar(&cfg.ClientEventEvery, "client-event-every", cfg.ClientEventEvery, "one more reported event allowed per this interval")
	fs.StringVar(&cfg.Warehouse, "warehouse", cfg.Warehouse, "warehouse engine: duckdb (embedded, in the data dir), postgres, or none")
	fs.StringVar(&cfg.WarehouseURL, "warehouse-url", "", "PostgreSQL-protocol warehouse, as its owner: postgres://USER:PASSWORD@HOST:PORT/DB")
	fs.StringVar(&cfg.WarehouseReaderURL, "warehouse-reader-url", "", "the read-only role queries run as (default: a role Lyceum creates)")
	fs.DurationVar(&cfg.LoaderInterval, "loader-interval", cfg.LoaderInterval, "how often the warehouse loader looks for new events")
	ql := &cfg.QueryLimits
	fs.IntVar(&ql.MaxRunning, "query-max-running", ql.MaxRunning, "query-page queries running in the warehouse at once; the rest wait in line")
	fs.IntVar(&ql.MaxQueued, "query-max-queued", ql.MaxQueued, "queries that may wait in line; past it new ones are refused")
	fs.IntVar(&ql.PerUser, "query-per-user", ql.PerUser, "one user's queries running or waiting at once")
	fs.DurationVar(&ql.Timeout, "query-timeout", ql.Timeout, "statement timeout of a query-page query")
	fs.Int64Var(&ql.MaxRows, "query-max-rows", ql.MaxRows, "rows kept of one result")
	fs.Int64Var(&ql.MaxBytes, "query-max-bytes", ql.MaxBytes, "bytes kept of one result")
	retentionDays := fs.Int("result-retention-days", int(cfg.QueryLifecycle.ResultRetention/(24*time.Hour)), "days query results are kept after their run; each saved query's latest result is kept however old")
	fs.DurationVar(&cfg.InstructorDataMaxAge, "instructor-data-max-age", cfg.InstructorDataMaxAge, "how old an instructor's copy of their courses' data may get before their next query refreshes it")
	fs.StringVar(&cfg.QueryMemory, "query-memory", cfg.QueryMemory, "the embedded warehouse's memory limit in the query worker (DuckDB's memory_limit), e.g. 2GB")
	workerMB := fs.Int64("query-worker-max-memory-mb", cfg.QueryWorkerMaxMemory>>20, "resident memory of the query worker, MiB, past which it is killed and started again (0: no limit)")
	fs.IntVar(&cfg.QueryWorkerNice, "query-worker-nice", cfg.QueryWorkerNice, "how much lower the query worker's CPU priority is than the server's, 0-19")
	fs.DurationVar(&cfg.CourseCacheTTL, "course-cache-ttl", cfg.CourseCacheTTL, "how long a decoded course is reused; changes made on another instance show after this")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := finishStore(); err != nil {
		return err
	}
	// Sizes in MiB, checked before they become bytes (and could overflow).
	if *uploadMB < 1 || *uploadMB > maxMiB {
		return fmt.Errorf("--max-upload-mb %d: want 1 to %d", *uploadMB, maxMiB)
	}
	if *workerMB < 0 || *workerMB > maxMiB {
		return fmt.Errorf("--query-worker-max-memory-mb %d: want 0 (no limit) to %d", *workerMB, maxMiB)
	}
	cfg.MaxUploadBytes = *uploadMB << 20
	cfg.QueryWorkerMaxMemory = *workerMB << 20
	if *retentionDays < 1 {
		return fmt.Errorf("--result-retention-days %d: keep results at least 1 day", *retentionDays)
	}
	cfg.QueryLifecycle.ResultRetention = time.Duration(*retentionDays) * 24 * time.Hour
	cfg.TrustedProxies = nil
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	logger, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	cfg.Logger, cfg.Web = logger, web.Dist()
	if cfg.Web == nil {
		logger.Warn("this binary has no web UI built in; `make run` builds it")
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.Run(ctx)
}
