package server_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/server"
)

// A sample course that fails to import fails the start, and leaves nothing
// open behind it: the query worker (which holds the DuckDB warehouse's
// file lock) is stopped, so the next start on the same data dir opens the
// warehouse.
func TestFailedSampleImportReleasesTheWarehouse(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "course.yaml"), []byte("id: [not, a, course\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := server.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.PasswordParams = auth.TestParams
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SampleCourse = bad
	ctx := context.Background()
	if srv, err := server.Open(ctx, cfg); err == nil {
		srv.Close()
		t.Fatal("a broken sample course was imported")
	}
	cfg.SampleCourse = ""
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("start after a failed sample import: %v", err)
	}
	srv.Close()
}
