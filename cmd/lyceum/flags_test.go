package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Every setting is checked at start: a value that would make the server
// misbehave (queue every query, refuse every query, overflow) stops it
// with a message naming the flag and what it takes, before anything opens.
func TestServeRefusesBadSettings(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--query-max-running", "0"}, "--query-max-running 0: want at least 1"},
		{[]string{"--query-max-queued", "0"}, "--query-max-queued 0: want at least 1"},
		{[]string{"--query-per-user", "0"}, "--query-per-user 0: want at least 1"},
		{[]string{"--query-per-user", "-3"}, "--query-per-user -3: want at least 1"},
		{[]string{"--query-timeout", "0s"}, "--query-timeout 0s: want a positive duration"},
		{[]string{"--query-max-rows", "0"}, "--query-max-rows 0: want at least 1"},
		{[]string{"--query-max-bytes", "-1"}, "--query-max-bytes -1: want at least 1"},
		{[]string{"--query-memory", "lots"}, `--query-memory "lots": want an amount with a unit`},
		{[]string{"--query-worker-nice", "20"}, "--query-worker-nice 20: want 0 to 19"},
		{[]string{"--query-worker-max-memory-mb", "-1"}, "--query-worker-max-memory-mb -1: want 0 (no limit)"},
		{[]string{"--max-upload-mb", "0"}, "--max-upload-mb 0: want 1 to"},
		{[]string{"--max-upload-mb", "99999999999999"}, "--max-upload-mb 99999999999999: want 1 to"},
		{[]string{"--loader-interval", "0s"}, "--loader-interval 0s: want a positive duration"},
		{[]string{"--instructor-data-max-age", "-1s"}, "--instructor-data-max-age -1s"},
		{[]string{"--course-cache-ttl", "-1s"}, "--course-cache-ttl -1s"},
		{[]string{"--body-timeout", "0s"}, "--body-timeout 0s"},
		{[]string{"--login-burst", "0"}, "--login-burst 0: want at least 1"},
		{[]string{"--login-account-burst", "0"}, "--login-account-burst 0: want at least 1"},
		{[]string{"--login-every", "0s"}, "--login-every 0s"},
		{[]string{"--signup-burst", "0"}, "--signup-burst 0: want at least 1"},
		{[]string{"--signup-every", "0s"}, "--signup-every 0s"},
		{[]string{"--client-event-burst", "0"}, "--client-event-burst 0: want at least 1"},
		{[]string{"--client-event-every", "0s"}, "--client-event-every 0s"},
		{[]string{"--password-hashes", "-1"}, "--password-hashes -1"},
		{[]string{"--addr", "localhost"}, `--addr "localhost": want host:port`},
		{[]string{"--addr", "127.0.0.1:99999"}, "port from 0 to 65535"},
		{[]string{"--store", "mysql"}, `--store "mysql": want sqlite or cassandra`},
		{[]string{"--warehouse", "bigquery"}, `--warehouse "bigquery": want duckdb, postgres or none`},
		{[]string{"--warehouse", "postgres"}, "--warehouse postgres needs --warehouse-url"},
		{[]string{"--warehouse", "postgres", "--warehouse-url", "mysql://x/y"}, "--warehouse-url: want postgres://"},
		{[]string{"--warehouse-url", "postgres://h/db"}, "--warehouse-url and --warehouse-reader-url are for --warehouse postgres"},
		{[]string{"--trusted-proxies", "10.0.0.1/8"}, "--trusted-proxies"},
		{[]string{"--store", "cassandra", "--cassandra-port", "0"}, "--cassandra-port 0: want 1 to 65535"},
		{[]string{"--store", "cassandra", "--cassandra-keyspace", "my-space"}, `--cassandra-keyspace "my-space"`},
		{[]string{"--store", "cassandra", "--cassandra-replication", "dc1:0"}, "--cassandra-replication"},
		{[]string{"--store", "cassandra", "--cassandra-cert-file", "c.pem"}, "need --cassandra-tls"},
		{[]string{"--store", "cassandra", "--cassandra-hosts", " , "}, "--cassandra-hosts: want at least one"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			var stderr bytes.Buffer
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, tt.args...)
			err := run(canceled(), args, &stderr, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve %v: %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}

// Several mistakes are reported together, so that one start finds them all.
func TestServeReportsEveryBadSetting(t *testing.T) {
	var stderr bytes.Buffer
	err := run(canceled(), []string{"serve", "--data", t.TempDir(), "--query-max-running", "0", "--query-per-user", "0"}, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--query-max-running") || !strings.Contains(err.Error(), "--query-per-user") {
		t.Fatalf("err = %v, want both flags named", err)
	}
}

// The environment's values are checked like the flags'.
func TestServeChecksEnvironment(t *testing.T) {
	t.Setenv("LYCEUM_QUERY_MAX_RUNNING", "0")
	var stderr bytes.Buffer
	err := run(canceled(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--query-max-running 0") {
		t.Fatalf("err = %v", err)
	}
}

func TestSimulateRefusesBadSettings(t *testing.T) {
	for _, flag := range []string{"learners", "days", "workers"} {
		var out bytes.Buffer
		err := run(canceled(), []string{"simulate", "--data", t.TempDir(), "--" + flag, "0"}, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "--"+flag+" 0: want at least 1") {
			t.Errorf("simulate --%s 0: %v", flag, err)
		}
	}
}

// canceled is a context that has ended: a setting wrongly let through
// makes serve fail at once instead of serving.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
