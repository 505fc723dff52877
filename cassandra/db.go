// Package cassandra implements the learning store and the event log on an
// Apache Cassandra cluster: NetworkTopologyStrategy keyspace, LOCAL_QUORUM
// reads and writes, token- and datacenter-aware routing, idempotent
// statements retried with backoff, lightweight transactions only where
// uniqueness demands them.
package cassandra

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

//go:embed migrations/*.cql
var migrations embed.FS

// Config says how to reach the cluster and how to lay out the keyspace.
type Config struct {
	Hosts    []string // contact points, host or host:port
	Port     int      // default 9042
	LocalDC  string   // this instance's datacenter; reads and writes stay in it
	Keyspace string
	// Replication is the replication factor per datacenter, used when the
	// keyspace is created (default: LocalDC → 3).
	Replication map[string]int

	Username, Password string

	TLS                bool
	CAFile             string // PEM CA bundle to verify nodes with; empty uses the system pool
	CertFile, KeyFile  string // client certificate, for clusters that require one
	InsecureSkipVerify bool   // for test clusters with self-signed certificates only

	Timeout        time.Duration // per request (default 5 s)
	ConnectTimeout time.Duration // default 5 s
	// SchemaTimeout is how long one schema change (creating the keyspace,
	// a table, a column) may take: a node under load flushes and gossips
	// schema far slower than it serves a row. Default 2 min.
	SchemaTimeout time.Duration

	// EventLag is how far behind now readers of the event log stay, so that
	// an event appended a moment before (by any instance) is not skipped.
	// It must exceed the longest append (Timeout × retries) plus clock skew
	// between instances. Default 10 s.
	EventLag time.Duration
	// EventShards spreads each hour of events over this many partitions.
	// Fixed at first use of a keyspace: changing it later hides events.
	EventShards int

	Logger *slog.Logger
}

func (c *Config) defaults() error {
	if len(c.Hosts) == 0 {
		return errors.New("cassandra: no contact points; set --cassandra-hosts")
	}
	if c.LocalDC == "" {
		return errors.New("cassandra: the local datacenter is required (--cassandra-dc)")
	}
	if !keyspacePattern.MatchString(c.Keyspace) {
		return fmt.Errorf("cassandra: keyspace %q must be letters, digits and underscores, starting with a letter", c.Keyspace)
	}
	if len(c.Replication) == 0 {
		c.Replication = map[string]int{c.LocalDC: 3}
	}
	for dc, rf := range c.Replication {
		if rf < 1 || !dcPattern.MatchString(dc) {
			return fmt.Errorf("cassandra: replication %s:%d: want DC:FACTOR with a factor ≥ 1", dc, rf)
		}
	}
	if c.Port == 0 {
		c.Port = 9042
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 5 * time.Second
	}
	if c.SchemaTimeout == 0 {
		c.SchemaTimeout = 2 * time.Minute
	}
	if c.EventLag == 0 {
		c.EventLag = 10 * time.Second
	}
	if c.EventShards == 0 {
		c.EventShards = 8
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

var (
	keyspacePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,47}$`)
	dcPattern       = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// DB is the Cassandra learning store. It implements lyceum.Store.
type DB struct {
	s   *gocql.Session
	cfg Config

	bucketsMu sync.Mutex
	buckets   map[int64]bool // event buckets known to be registered

	registered sync.Map // registerOnce's keys: months and days known to have rows
}

var _ lyceum.Store = (*DB)(nil)

// Open connects, creates the keyspace if needed and applies migrations.
// Schema changes run on a session of their own with SchemaTimeout per
// statement; every statement in them is idempotent (IF NOT EXISTS), so
// one that timed out is retried.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	boot, err := cfg.schemaCluster("").CreateSession()
	if err != nil {
		return nil, fmt.Errorf("cassandra: connect to %s: %w", strings.Join(cfg.Hosts, ","), err)
	}
	err = schemaChange(ctx, boot, createKeyspace(cfg.Keyspace, cfg.Replication))
	boot.Close()
	if err != nil {
		return nil, fmt.Errorf("cassandra: create keyspace %s: %w", cfg.Keyspace, err)
	}
	schema, err := cfg.schemaCluster(cfg.Keyspace).CreateSession()
	if err != nil {
		return nil, fmt.Errorf("cassandra: connect to keyspace %s: %w", cfg.Keyspace, err)
	}
	err = migrate(ctx, schema, cfg.Logger)
	schema.Close()
	if err != nil {
		return nil, err
	}
	s, err := cfg.cluster(cfg.Keyspace).CreateSession()
	if err != nil {
		return nil, fmt.Errorf("cassandra: connect to keyspace %s: %w", cfg.Keyspace, err)
	}
	return &DB{s: s, cfg: cfg, buckets: map[int64]bool{}}, nil
}

// schemaCluster is cluster with the schema timeout per request.
func (c *Config) schemaCluster(keyspace string) *gocql.ClusterConfig {
	cl := c.cluster(keyspace)
	cl.Timeout = c.SchemaTimeout
	cl.MaxWaitSchemaAgreement = c.SchemaTimeout
	return cl
}

// schemaChange runs one idempotent schema statement and waits until every
// node agrees on the schema. A timed-out attempt may still have applied,
// and the statement is idempotent, so it is tried again a few times.
func schemaChange(ctx context.Context, s *gocql.Session, stmt string) error {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		err = s.Query(stmt).ExecContext(ctx)
		if err == nil {
			return s.AwaitSchemaAgreement(ctx)
		}
		if !timedOut(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func createKeyspace(name string, replication map[string]int) string {
	dcs := make([]string, 0, len(replication))
	for dc := range replication {
		dcs = append(dcs, dc)
	}
	sort.Strings(dcs)
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'NetworkTopologyStrategy'", name)
	for _, dc := range dcs {
		fmt.Fprintf(&b, ", '%s': %d", dc, replication[dc])
	}
	b.WriteString("}")
	return b.String()
}

func (c *Config) cluster(keyspace string) *gocql.ClusterConfig {
	cl := gocql.NewCluster(c.Hosts...)
	cl.Port = c.Port
	cl.Keyspace = keyspace
	cl.Consistency = gocql.LocalQuorum
	cl.SerialConsistency = gocql.LocalSerial
	cl.Timeout, cl.ConnectTimeout = c.Timeout, c.ConnectTimeout
	// Token-aware routing to a replica in the local datacenter. Replicas
	// are not shuffled: each partition's lightweight transactions then go
	// to the same coordinator, which avoids Paxos contention between
	// coordinators, and load still spreads because partitions spread.
	cl.PoolConfig.HostSelectionPolicy = gocql.TokenAwareHostPolicy(
		gocql.DCAwareRoundRobinPolicy(c.LocalDC), gocql.DoNotShuffleReplicas())
	// Statements marked idempotent are retried on another node with
	// backoff; the others are never retried by the driver.
	cl.RetryPolicy = &gocql.ExponentialBackoffRetryPolicy{NumRetries: 3, Min: 50 * time.Millisecond, Max: time.Second}
	cl.ReconnectionPolicy = &gocql.ExponentialReconnectionPolicy{MaxRetries: 1 << 20, InitialInterval: time.Second, MaxInterval: 10 * time.Second}
	if c.Username != "" {
		cl.Authenticator = gocql.PasswordAuthenticator{Username: c.Username, Password: c.Password}
	}
	if c.TLS {
		cl.SslOpts = &gocql.SslOptions{CaPath: c.CAFile, CertPath: c.CertFile, KeyPath: c.KeyFile,
			EnableHostVerification: !c.InsecureSkipVerify, Config: &tls.Config{MinVersion: tls.VersionTLS12}}
	}
	cl.Logger = gocql.NewLogger(gocql.LogLevelWarn)
	return cl
}

// timedOut reports whether a request failed on a timeout, the driver's or
// the coordinator's: it may or may not have applied.
func timedOut(err error) bool {
	var wt *gocql.RequestErrWriteTimeout
	var cas *gocql.RequestErrCASWriteUnknown
	return errors.Is(err, gocql.ErrTimeoutNoResponse) || errors.As(err, &wt) || errors.As(err, &cas)
}

// retryTimedOut runs a lightweight transaction whose retry is safe, and
// tries it again when the coordinator timed out. A timed-out transaction
// may or may not have applied; only another try (which recognises its own
// earlier write) learns which. It gives up after five tries or when ctx ends.
func retryTimedOut(ctx context.Context, try func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = try()
		if err == nil || !timedOut(err) || attempt == 5 {
			return err
		}
		select {
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

func (db *DB) Close() error {
	db.s.Close()
	return nil
}

func (db *DB) Ping(ctx context.Context) error {
	var v string
	return db.s.Query(`SELECT release_version FROM system.local`).Consistency(gocql.One).ScanContext(ctx, &v)
}

func notFound(err error, what string) error {
	if errors.Is(err, gocql.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, lyceum.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// migrate applies the migrations not yet applied, one instance at a time:
// instances starting together take a lease row with a lightweight
// transaction; the others wait for it to finish.
func migrate(ctx context.Context, s *gocql.Session, log *slog.Logger) error {
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamp)`,
		`CREATE TABLE IF NOT EXISTS schema_lock (name text PRIMARY KEY, holder text)`,
	} {
		if err := schemaChange(ctx, s, stmt); err != nil {
			return fmt.Errorf("cassandra migrate: %w", err)
		}
	}
	names, err := fs.Glob(migrations, "migrations/*.cql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	holder := fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	for {
		pending, err := pendingMigrations(ctx, s, names)
		if err != nil || len(pending) == 0 {
			return err
		}
		var other string
		applied, err := s.Query(`INSERT INTO schema_lock (name, holder) VALUES ('migrate', ?) IF NOT EXISTS USING TTL ?`,
			holder, int(migrateLockTTL.Seconds())).ScanCASContext(ctx, nil, &other)
		if err != nil && !timedOut(err) {
			return fmt.Errorf("cassandra migrate: take the lock: %w", err)
		}
		// A lock write that timed out may have applied: the next try then
		// finds our own holder in the row.
		if err == nil && !applied && other == holder {
			applied = true
		}
		if !applied {
			if err != nil {
				log.Info("taking the migration lock timed out; trying again", "err", err)
				other = "unknown (the last try timed out)"
			}
			log.Info("waiting for another instance to migrate the schema", "holder", other)
			select {
			case <-time.After(time.Second):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		// The lock lasts migrateLockTTL unless renewed: renew it while
		// migrating, so that a migration that takes longer (a slow cluster,
		// a large schema change) is not joined by a second instance.
		mctx, lost := context.WithCancelCause(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { keepLock(mctx, s, "migrate", holder, migrateLockTTL, lost) })
		err = apply(mctx, s, pending, log)
		if cause := context.Cause(mctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		lost(nil)
		wg.Wait()
		s.Query(`DELETE FROM schema_lock WHERE name = 'migrate' IF holder = ?`, holder).ScanCASContext(ctx, nil)
		return err
	}
}

// migrateLockTTL is how long the migration lock lasts without renewal: an
// instance that dies migrating holds it this long.
var migrateLockTTL = 120 * time.Second

// keepLock renews lock name of schema_lock for holder every third of ttl
// until ctx ends. If another holder has it (it expired: renewals failed
// for a whole ttl), it calls lost with why, and stops.
func keepLock(ctx context.Context, s *gocql.Session, name, holder string, ttl time.Duration, lost context.CancelCauseFunc) {
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var current string
		applied, err := s.Query(`UPDATE schema_lock USING TTL ? SET holder = ? WHERE name = ? IF holder = ?`,
			int(ttl.Seconds()), holder, name, holder).ScanCASContext(ctx, &current)
		if err != nil {
			continue // the next tick tries again: the lock lasts three
		}
		if !applied {
			lost(fmt.Errorf("cassandra migrate: lost the %s lock (now held by %q): renewals failed for %s; start again", name, current, ttl))
			return
		}
	}
}

func pendingMigrations(ctx context.Context, s *gocql.Session, names []string) ([]string, error) {
	done := map[string]bool{}
	iter := s.Query(`SELECT version FROM schema_migrations`).IterContext(ctx)
	var v string
	for iter.Scan(&v) {
		done[v] = true
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("cassandra migrate: %w", err)
	}
	var pending []string
	for _, n := range names {
		if !done[strings.TrimSuffix(path.Base(n), ".cql")] {
			pending = append(pending, n)
		}
	}
	return pending, nil
}

func apply(ctx context.Context, s *gocql.Session, names []string, log *slog.Logger) error {
	for _, name := range names {
		version := strings.TrimSuffix(path.Base(name), ".cql")
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		for _, stmt := range splitCQL(string(body)) {
			if err := schemaChange(ctx, s, stmt); err != nil {
				return fmt.Errorf("cassandra migrate %s: %w\n%s", version, err, stmt)
			}
		}
		if backfill := backfills[version]; backfill != nil {
			if err := backfill(ctx, s, log); err != nil {
				return fmt.Errorf("cassandra migrate %s: %w", version, err)
			}
		}
		if err := s.Query(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now()).
			ExecContext(ctx); err != nil {
			return fmt.Errorf("cassandra migrate %s: %w", version, err)
		}
		log.Info("applied migration", "version", version)
	}
	return nil
}

// splitCQL splits a migration into statements: each ends with ";" at the
// end of a line; "--" comment lines are dropped.
func splitCQL(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
