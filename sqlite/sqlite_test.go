package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/sqlite"
	"github.com/lyceum/lyceum/storetest"
)

func openTest(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lyceum.Store { return openTest(t) })
}
