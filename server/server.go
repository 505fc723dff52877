// Package server wires Lyceum's parts together from a Config: the store, the
// blob store, the services and the HTTP API. cmd/lyceum only parses flags
// and calls it; tests boot the whole thing on port 0 with a temp data dir.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/bundle"
	"github.com/lyceum/lyceum/cassandra"
	"github.com/lyceum/lyceum/httpapi"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/loader"
	"github.com/lyceum/lyceum/postgres"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/queryworker"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/sqlite"
)

// Config is every setting of a Lyceum instance. cmd/lyceum fills it from
// flags and LYCEUM_* environment variables; Default has the defaults.
type Config struct {
	Addr    string // listen address, host:port
	DataDir string // embedded store, blobs

	// Store is the learning store's engine: "sqlite" (embedded, in DataDir)
	// or "cassandra" (Cassandra below).
	Store     string
	Cassandra cassandra.Config

	SecureCookies  bool  // mark cookies Secure behind a TLS proxy
	MaxUploadBytes int64 // largest course bundle upload
	// BodyTimeout is the longest a request body may pause; the whole body
	// must be in within BodyTimeout plus its length at 16 KiB/s.
	BodyTimeout time.Duration

	// TrustedProxies are the addresses (10.0.0.1) and networks
	// (10.0.0.0/8) of the proxies in front of Lyceum. Only for a request
	// from one of them is the client's address taken from
	// X-Forwarded-For: the rightmost address there that is not a trusted
	// proxy. Empty trusts none: the peer address is the client's.
	TrustedProxies []string

	// SampleCourse is a bundle directory imported and published on start
	// when no course with its id exists ("" imports nothing).
	SampleCourse string

	// Warehouse is the warehouse engine: "duckdb" (embedded, in DataDir),
	// "postgres" (WarehouseURL), or "none" (command-line tools, which must
	// not hold the DuckDB file).
	Warehouse string
	// WarehouseURL reaches a PostgreSQL-protocol warehouse as its owner;
	// WarehouseReaderURL, if set, is the read-only role queries run as.
	WarehouseURL, WarehouseReaderURL string
	// LoaderInterval is how often the warehouse loader looks for new events.
	LoaderInterval time.Duration
	// QueryLimits protect the warehouse from the query page.
	QueryLimits querying.Limits
	// QueryLifecycle is how query runs are kept track of across instances
	// and how long their results are kept (ResultRetention).
	QueryLifecycle querying.Lifecycle
	// InstructorDataMaxAge is how old an instructor's copy of their
	// courses' rows may get before their next query refreshes it.
	InstructorDataMaxAge time.Duration
	// The query worker (package queryworker) runs the warehouse's engine
	// work in a child process: QueryMemory is DuckDB's memory limit there
	// ("2GB"), QueryWorkerMaxMemory the resident memory past which it is
	// killed and restarted, QueryWorkerNice how much lower its CPU priority
	// is than the server's. WorkerCommand starts it (default: this
	// program; tests give their own test binary).
	QueryMemory          string
	QueryWorkerMaxMemory int64
	QueryWorkerNice      int
	WorkerCommand        []string

	// CourseCacheTTL is how long an instance reuses a decoded course.
	CourseCacheTTL time.Duration

	// Now is the learning service's clock; nil is the real one. Tests set a
	// virtual clock, as the simulator does, so that watching a video for
	// ten minutes takes none.
	Now func() time.Time

	PasswordParams auth.Params
	// PasswordHashes is how many password hashes (each PasswordParams.Memory
	// and .Threads CPUs) are computed at once; the rest wait. 0 sizes it from
	// the CPUs and memory (auth.HashSlots).
	PasswordHashes int
	// SignupBurst sign-ups are allowed at once per client address, one more
	// per SignupEvery.
	SignupBurst int
	SignupEvery time.Duration
	// LoginBurst failed sign-in attempts are allowed at once per account
	// and client address, and per client address; LoginAccountBurst per
	// account from all addresses together. One more is allowed per
	// LoginEvery.
	LoginBurst, LoginAccountBurst int
	LoginEvery                    time.Duration

	// ClientEventBurst events a user's browser may report at once
	// (POST /api/v1/events), and one more per ClientEventEvery.
	ClientEventBurst int
	ClientEventEvery time.Duration

	Web    fs.FS // built web apps; nil serves no UI
	Logger *slog.Logger
}

// Default returns the configuration `lyceum serve` starts with.
func Default() Config {
	return Config{
		Addr: "127.0.0.1:8080", DataDir: "data", Store: "sqlite", Warehouse: "duckdb", MaxUploadBytes: 512 << 20,
		LoaderInterval: 500 * time.Millisecond, QueryLimits: querying.DefaultLimits, QueryLifecycle: querying.DefaultLifecycle, InstructorDataMaxAge: 30 * time.Second,
		QueryMemory: "2GB", QueryWorkerMaxMemory: 4 << 30, QueryWorkerNice: 10,
		Cassandra:      cassandra.Config{Keyspace: "lyceum", LocalDC: "dc1", Port: 9042},
		CourseCacheTTL: 2 * time.Second, PasswordParams: auth.DefaultParams, LoginBurst: 10, LoginAccountBurst: 100, LoginEvery: 6 * time.Second,
		SignupBurst: 20, SignupEvery: time.Minute, BodyTimeout: httpapi.DefaultBodyTimeout,
		ClientEventBurst: 60, ClientEventEvery: time.Second,
	}
}

// Validate checks every setting and says what to fix: each problem names
// its flag and the values it takes. It reports all of them at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.ContainsAny(host, "/ ") {
		bad("--addr %q: want host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.DataDir == "" {
		bad("--data: a data directory is required")
	}
	switch c.Store {
	case "sqlite":
	case "cassandra":
		errs = append(errs, validateCassandra(&c.Cassandra)...)
	default:
		bad("--store %q: want sqlite or cassandra", c.Store)
	}
	switch c.Warehouse {
	case "duckdb", "none":
		if c.WarehouseURL != "" || c.WarehouseReaderURL != "" {
			bad("--warehouse-url and --warehouse-reader-url are for --warehouse postgres, not %s", c.Warehouse)
		}
	case "postgres":
		if c.WarehouseURL == "" {
			bad("--warehouse postgres needs --warehouse-url postgres://USER:PASSWORD@HOST:PORT/DB")
		} else if err := checkPostgresURL(c.WarehouseURL); err != nil {
			bad("--warehouse-url: %v", err)
		}
		if c.WarehouseReaderURL != "" {
			if err := checkPostgresURL(c.WarehouseReaderURL); err != nil {
				bad("--warehouse-reader-url: %v", err)
			}
		}
	default:
		bad("--warehouse %q: want duckdb, postgres or none", c.Warehouse)
	}
	if c.MaxUploadBytes <= 0 {
		bad("--max-upload-mb must be at least 1")
	}
	if c.BodyTimeout <= 0 {
		bad("--body-timeout %s: want a positive duration, e.g. 30s", c.BodyTimeout)
	}
	if c.LoaderInterval <= 0 {
		bad("--loader-interval %s: want a positive duration, e.g. 500ms", c.LoaderInterval)
	}
	q := c.QueryLimits
	if q.MaxRunning < 1 {
		bad("--query-max-running %d: want at least 1 (with 0, every query would wait forever)", q.MaxRunning)
	}
	if q.MaxQueued < 1 {
		bad("--query-max-queued %d: want at least 1 (with 0, every query would be refused)", q.MaxQueued)
	}
	if q.PerUser < 1 {
		bad("--query-per-user %d: want at least 1 (with 0, every query would be refused)", q.PerUser)
	}
	if q.Timeout <= 0 {
		bad("--query-timeout %s: want a positive duration, e.g. 5m", q.Timeout)
	}
	if q.MaxRows < 1 {
		bad("--query-max-rows %d: want at least 1", q.MaxRows)
	}
	if q.MaxBytes < 1 {
		bad("--query-max-bytes %d: want at least 1", q.MaxBytes)
	}
	if c.InstructorDataMaxAge < 0 {
		bad("--instructor-data-max-age %s: want 0 (a fresh copy for every query) or a positive duration, e.g. 30s", c.InstructorDataMaxAge)
	}
	if c.Warehouse != "none" && !memorySize.MatchString(c.QueryMemory) {
		bad("--query-memory %q: want an amount with a unit, e.g. 2GB, 512MB or 1.5GiB", c.QueryMemory)
	}
	if c.QueryWorkerMaxMemory < 0 {
		bad("--query-worker-max-memory-mb must not be negative (0: no limit)")
	}
	if c.QueryWorkerNice < 0 || c.QueryWorkerNice > 19 {
		bad("--query-worker-nice %d: want 0 to 19", c.QueryWorkerNice)
	}
	if c.CourseCacheTTL < 0 {
		bad("--course-cache-ttl %s: want 0 (no cache) or a positive duration, e.g. 2s", c.CourseCacheTTL)
	}
	if c.LoginBurst < 1 {
		bad("--login-burst %d: want at least 1", c.LoginBurst)
	}
	if c.LoginAccountBurst < 1 {
		bad("--login-account-burst %d: want at least 1", c.LoginAccountBurst)
	}
	if c.LoginEvery <= 0 {
		bad("--login-every %s: want a positive duration, e.g. 6s", c.LoginEvery)
	}
	if c.SignupBurst < 1 {
		bad("--signup-burst %d: want at least 1", c.SignupBurst)
	}
	if c.SignupEvery <= 0 {
		bad("--signup-every %s: want a positive duration, e.g. 1m", c.SignupEvery)
	}
	if c.PasswordHashes < 0 {
		bad("--password-hashes %d: want 0 (sized from the CPUs and memory) or more", c.PasswordHashes)
	}
	if _, err := parseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	if c.ClientEventBurst < 1 {
		bad("--client-event-burst %d: want at least 1", c.ClientEventBurst)
	}
	if c.ClientEventEvery <= 0 {
		bad("--client-event-every %s: want a positive duration, e.g. 1s", c.ClientEventEvery)
	}
	return errors.Join(errs...)
}

// memorySize is DuckDB's memory_limit syntax: a number and a unit.
var memorySize = regexp.MustCompile(`^\s*[0-9]+(\.[0-9]+)?\s*(?i:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$`)

func checkPostgresURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return errors.New("want postgres://USER:PASSWORD@HOST:PORT/DB")
	}
	return nil
}

func validateCassandra(c *cassandra.Config) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Hosts) == 0 {
		bad("--cassandra-hosts: want at least one contact point, host or host:port")
	}
	if c.Port < 1 || c.Port > 65535 {
		bad("--cassandra-port %d: want 1 to 65535", c.Port)
	}
	if c.LocalDC == "" {
		bad("--cassandra-dc: want this instance's datacenter, e.g. dc1")
	}
	if !cqlName.MatchString(c.Keyspace) {
		bad("--cassandra-keyspace %q: want a letter, then letters, digits or _ (at most 48)", c.Keyspace)
	}
	for dc, rf := range c.Replication {
		if dc == "" || rf < 1 {
			bad("--cassandra-replication: %q:%d: want DC:FACTOR with a factor of at least 1, e.g. dc1:3,dc2:3", dc, rf)
		}
	}
	if (c.CAFile != "" || c.CertFile != "" || c.KeyFile != "") && !c.TLS {
		bad("--cassandra-ca-file, --cassandra-cert-file and --cassandra-key-file need --cassandra-tls")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		bad("--cassandra-cert-file and --cassandra-key-file go together")
	}
	if c.Timeout < 0 {
		bad("--cassandra-timeout %s: want a positive duration (0: the default, 5s)", c.Timeout)
	}
	if c.EventLag < 0 {
		bad("--cassandra-event-lag %s: want a positive duration (0: the default, 10s)", c.EventLag)
	}
	return errs
}

var cqlName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,47}$`)

// parseProxies reads Config.TrustedProxies: addresses and CIDR networks.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			if p != p.Masked() {
				return nil, fmt.Errorf("--trusted-proxies %q: a network has no host bits; write %s, or the address alone", s, p.Masked())
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p)
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies %q: want IP addresses or CIDR networks, comma-separated, e.g. 10.0.0.0/8,192.168.1.5", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Server is a running Lyceum instance.
type Server struct {
	cfg      Config
	Store    lyceum.Store
	Blobs    blob.Store
	Accounts *accounts.Service
	Learning *learning.Service
	API      *httpapi.Server
	// Worker runs the warehouse (nil when Config.Warehouse is "none").
	Worker   *queryworker.Process
	Loader   *loader.Loader
	Querying *querying.Service
	results  *results.Store

	http     *http.Server
	listener net.Listener
	logger   *slog.Logger
}

// Open opens the stores and builds the services without listening.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, Store: store, logger: logger}
	// fail closes what was opened so far (Close skips what was not) and
	// returns err: the query worker holds the DuckDB warehouse's file lock
	// until it stops.
	fail := func(err error) (*Server, error) {
		s.Close()
		return nil, err
	}
	blobs, err := blob.NewDir(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return fail(err)
	}
	s.Blobs = blobs
	hashes := cfg.PasswordHashes
	if hashes == 0 {
		hashes = auth.HashSlots(cfg.PasswordParams)
	}
	s.Accounts = &accounts.Service{Store: store, Params: cfg.PasswordParams, Hashes: auth.NewGate(hashes),
		Limit: auth.NewLimiter(cfg.LoginBurst, cfg.LoginEvery), AccountLimit: auth.NewLimiter(cfg.LoginAccountBurst, cfg.LoginEvery),
		SignupLimit: auth.NewLimiter(cfg.SignupBurst, cfg.SignupEvery)}
	s.Learning = &learning.Service{Store: store, Blobs: blobs, Logger: logger, CourseCacheTTL: cfg.CourseCacheTTL, Now: cfg.Now,
		ClientEventLimit: auth.NewLimiter(cfg.ClientEventBurst, cfg.ClientEventEvery)}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	uploads, err := uploadDir(cfg.DataDir, logger)
	if err != nil {
		return fail(err)
	}
	proxies, _ := parseProxies(cfg.TrustedProxies) // valid: cfg.Validate said so
	s.API = &httpapi.Server{Accounts: s.Accounts, Learning: s.Learning, Logger: logger, Web: cfg.Web,
		SecureCookies: cfg.SecureCookies, MaxUploadBytes: cfg.MaxUploadBytes, UploadDir: uploads, BodyTimeout: cfg.BodyTimeout, TrustedProxies: proxies, Registry: reg, Ready: store.Ping}
	if cfg.Warehouse != "none" {
		worker, err := queryworker.Start(ctx, queryworker.Options{Command: cfg.WorkerCommand, Config: workerConfig(cfg, logger),
			MaxMemory: cfg.QueryWorkerMaxMemory, Nice: cfg.QueryWorkerNice, Logger: logger})
		if err != nil {
			return fail(err)
		}
		s.Worker = worker
		s.Loader = &loader.Loader{Store: store, Warehouse: worker, Logger: logger, Interval: cfg.LoaderInterval}
		s.Loader.Register(reg)
		rs, err := results.Open(ctx, blobs, filepath.Join(cfg.DataDir, "cache", "results"), results.Options{})
		if err != nil {
			return fail(err)
		}
		s.results = rs
		q := &querying.Service{Executor: worker, Store: store, Results: rs, Blobs: blobs, Limits: cfg.QueryLimits,
			Lifecycle: cfg.QueryLifecycle, Logger: logger}
		if err := q.Start(ctx); err != nil {
			return fail(err)
		}
		s.Querying = q
		s.API.Querying = s.Querying
		s.API.Tokens = &accounts.Tokens{Store: store, Logger: logger}
	}
	if cfg.SampleCourse != "" {
		if err := s.importSample(ctx, cfg.SampleCourse); err != nil {
			return fail(fmt.Errorf("sample course %s: %w", cfg.SampleCourse, err))
		}
	}
	return s, nil
}

// uploadDir makes the folder uploads are spooled to while they are
// imported (data/cache/uploads), and removes what a crash left in it: an
// import takes minutes at most, so a spooled file an hour old is nobody's.
func uploadDir(dataDir string, logger *slog.Logger) (string, error) {
	dir := filepath.Join(dataDir, "cache", "uploads")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("upload dir: %w", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				logger.Warn("cannot remove a stale upload", "file", e.Name(), "err", err)
			}
		}
	}
	return dir, nil
}

func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (lyceum.Store, error) {
	if cfg.Store == "cassandra" {
		cc := cfg.Cassandra
		cc.Logger = logger
		return cassandra.Open(ctx, cc)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "lyceum.db"))
}

// workerConfig is what the query worker opens.
func workerConfig(cfg Config, logger *slog.Logger) queryworker.Config {
	level := slog.LevelInfo
	if logger.Enabled(context.Background(), slog.LevelDebug) {
		level = slog.LevelDebug
	}
	return queryworker.Config{Warehouse: cfg.Warehouse, DataDir: cfg.DataDir, Memory: cfg.QueryMemory,
		Postgres:             postgres.Config{URL: cfg.WarehouseURL, ReaderURL: cfg.WarehouseReaderURL, QueryTimeout: cfg.QueryLimits.Timeout},
		InstructorDataMaxAge: cfg.InstructorDataMaxAge, LogLevel: level}
}

// Listen binds the address; Addr then tells the actual one (port 0 picks).
func (s *Server) Listen() error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server running there? pick another with --addr)", s.cfg.Addr, err)
	}
	s.listener = l
	s.http = &http.Server{Handler: s.API.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn)}
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	if s.listener == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	s.logger.Info("lyceum serving", "addr", "http://"+s.Addr(), "data", s.cfg.DataDir, "store", s.cfg.Store)
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.listener) }()
	background, stopBackground := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if s.Loader != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Loader.Run(background)
		}()
	}
	defer func() {
		stopBackground()
		wg.Wait()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return s.http.Shutdown(shutdown)
}

// Close stops the query service (queries still running get 15 seconds,
// then are stopped and failed), then releases the stores. Call it after
// Run returns.
func (s *Server) Close() error {
	var err error
	if s.Querying != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = s.Querying.Close(ctx)
		cancel()
	}
	if s.results != nil {
		err = errors.Join(err, s.results.Close())
	}
	if s.Worker != nil {
		err = errors.Join(err, s.Worker.Close())
	}
	return errors.Join(err, s.Store.Close())
}

const systemOwnerEmail = "courses@lyceum.invalid"

// SystemOwner returns the account that owns courses imported without a
// named owner (the sample course, `lyceum course import` without --owner).
// Its password is random and thrown away: nobody signs in as it, and admins
// edit its courses.
func (s *Server) SystemOwner(ctx context.Context) (*lyceum.User, error) {
	owner, err := s.Store.UserByEmail(ctx, systemOwnerEmail)
	if errors.Is(err, lyceum.ErrNotFound) {
		owner, err = s.Accounts.CreateUser(ctx, systemOwnerEmail, auth.NewToken(), "Lyceum", lyceum.RoleInstructor)
		if errors.Is(err, lyceum.ErrConflict) { // created concurrently
			return s.Store.UserByEmail(ctx, systemOwnerEmail)
		}
	}
	return owner, err
}

func (s *Server) importSample(ctx context.Context, dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "course.yaml")); err != nil {
		return fmt.Errorf("no course.yaml: %w", err)
	}
	fsys, root, err := BundleDir(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	b, err := bundle.Read(fsys)
	if err != nil {
		return err
	}
	if _, err := s.Store.CourseByID(ctx, b.Course.ID); err == nil {
		return nil // imported on an earlier start; leave any changes alone
	} else if !errors.Is(err, lyceum.ErrNotFound) {
		return err
	}
	owner, err := s.SystemOwner(ctx)
	if err != nil {
		return err
	}
	c, _, err := s.Learning.ImportCourse(ctx, owner, fsys)
	if err != nil {
		return err
	}
	if _, err := s.Learning.SetPublished(ctx, owner, c.ID, true); err != nil {
		return err
	}
	s.logger.Info("imported the sample course", "course", c.ID, "title", c.Title)
	return nil
}

// BundleDir opens a course bundle directory so that nothing in it (not even
// a symbolic link) reaches outside it.
// Close the returned root when done.
func BundleDir(dir string) (fs.FS, *os.Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("course bundle: %w", err)
	}
	return root.FS(), root, nil
}
