package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lyceum/lyceum/server"
)

// storeFlags registers the flags that choose and reach the learning store,
// shared by every command that opens it.
func storeFlags(fs *flag.FlagSet, cfg *server.Config) (finish func() error) {
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (embedded store, blobs)")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "learning store engine: sqlite (embedded) or cassandra")
	c := &cfg.Cassandra
	hosts := fs.String("cassandra-hosts", "127.0.0.1", "Cassandra contact points, comma-separated host or host:port")
	fs.IntVar(&c.Port, "cassandra-port", 9042, "Cassandra native protocol port")
	fs.StringVar(&c.LocalDC, "cassandra-dc", c.LocalDC, "this instance's local datacenter")
	fs.StringVar(&c.Keyspace, "cassandra-keyspace", c.Keyspace, "keyspace")
	repl := fs.String("cassandra-replication", "", "replication per datacenter when the keyspace is created, e.g. dc1:3,dc2:3 (default: local DC:3)")
	fs.StringVar(&c.Username, "cassandra-username", "", "username (PasswordAuthenticator)")
	pwFile := fs.String("cassandra-password-file", "", "file holding the Cassandra password")
	fs.BoolVar(&c.TLS, "cassandra-tls", false, "connect with TLS")
	fs.StringVar(&c.CAFile, "cassandra-ca-file", "", "PEM CA to verify nodes with (TLS)")
	fs.StringVar(&c.CertFile, "cassandra-cert-file", "", "client certificate (TLS)")
	fs.StringVar(&c.KeyFile, "cassandra-key-file", "", "client key (TLS)")
	fs.DurationVar(&c.Timeout, "cassandra-timeout", 0, "per-request timeout (default 5s)")
	fs.DurationVar(&c.EventLag, "cassandra-event-lag", 0, "how far behind now event log readers stay (default 10s)")
	return func() error {
		c.Hosts = nil
		for _, h := range strings.Split(*hosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				c.Hosts = append(c.Hosts, h)
			}
		}
		if *repl != "" {
			c.Replication = map[string]int{}
			for _, part := range strings.Split(*repl, ",") {
				dc, n, ok := strings.Cut(strings.TrimSpace(part), ":")
				rf, err := strconv.Atoi(n)
				if !ok || err != nil {
					return fmt.Errorf("--cassandra-replication %q: want DC:FACTOR[,DC:FACTOR...]", *repl)
				}
				c.Replication[dc] = rf
			}
		}
		if *pwFile != "" {
			b, err := os.ReadFile(*pwFile)
			if err != nil {
				return fmt.Errorf("--cassandra-password-file: %w", err)
			}
			c.Password = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
		}
		return nil
	}
}
