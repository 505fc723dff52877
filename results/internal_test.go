package results

import (
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/warehouse"
)

func TestStorageOf(t *testing.T) {
	for _, tc := range []struct {
		typ   string
		kind  kind
		width uint8
		scale uint8
	}{
		{"text", kText, 0, 0}, {"integer", kInt, 0, 0}, {"bigint", kInt, 0, 0}, {"double", kFloat, 0, 0},
		{"decimal(18,3)", kDecimal, 18, 3}, {"decimal(38,0)", kDecimal, 38, 0}, {"numeric", kNumeric, 0, 0},
		{"boolean", kBool, 0, 0}, {"date", kDate, 0, 0}, {"timestamp", kTimestamp, 0, 0}, {"timestamptz", kTimestampTZ, 0, 0},
		{"time", kTime, 0, 0}, {"interval", kInterval, 0, 0}, {"uuid", kUUID, 0, 0}, {"blob", kBlob, 0, 0},
		{"json", kJSON, 0, 0}, {"list", kJSON, 0, 0}, {"list(integer)", kJSON, 0, 0},
	} {
		k, w, s := storageOf(warehouse.MustType(tc.typ))
		if k != tc.kind || w != tc.width || s != tc.scale {
			t.Errorf("storageOf(%s) = %s %d %d, want %s %d %d", tc.typ, k, w, s, tc.kind, tc.width, tc.scale)
		}
	}
	if k, _, _ := storageOf(warehouse.Type{}); k != kText {
		t.Errorf("no kind is stored as %s, want text", k)
	}
}

// TestNoFilesOutsideCache: the private DuckDB reads and writes files in
// the cache directory only, and its settings cannot be changed back.
func TestNoFilesOutsideCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, blobs, filepath.Join(dir, "cache"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	secret := filepath.Join(dir, "secret.csv")
	if err := os.WriteFile(secret, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT * FROM read_csv(` + quote(secret) + `)`,
		`SELECT * FROM read_text('/etc/passwd')`,
		`SELECT * FROM read_parquet(` + quote(filepath.Join(s.filesDir, "..", "..", "secret.csv")) + `)`,
		`COPY (SELECT 1) TO ` + quote(filepath.Join(dir, "out.csv")),
		`ATTACH ` + quote(filepath.Join(dir, "other.duckdb")),
		`INSTALL httpfs`,
		`SET enable_external_access = true`,
		`SET allowed_directories = ['/']`,
		`RESET lock_configuration`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("COPY wrote outside the cache")
	}
	// Inside the cache it works.
	if _, err := s.db.ExecContext(ctx, `COPY (SELECT 1 AS a) TO `+quote(filepath.Join(s.tmpDir, "ok.parquet"))); err != nil {
		t.Errorf("COPY inside the cache: %v", err)
	}
}

func TestFormatting(t *testing.T) {
	tenth, fifth := 0.1, 0.2
	for _, tc := range []struct {
		got, want string
	}{
		{formatFloat(0), "0"}, {formatFloat(-1.5), "-1.5"}, {formatFloat(1e20), "100000000000000000000"},
		{formatFloat(1e21), "1e+21"}, {formatFloat(1e-7), "1e-07"}, {formatFloat(tenth + fifth), "0.30000000000000004"},
		{uuidText("0190A8E3-0000-7000-8000-00000000000A"), "0190a8e3-0000-7000-8000-00000000000a"},
		{jsonText(`{"a":1}`), `{"a":1}`}, {jsonText("<b>"), `"<b>"`}, {jsonText([]byte("not json")), `"not json"`},
		{text([]byte{0xff, 0x00}), `\xff00`}, {text(string([]byte{'a', 0xff})), "a\uFFFD"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !strings.Contains(text(struct{ A int }{1}), `"A":1`) {
		t.Errorf("struct as text: %s", text(struct{ A int }{1}))
	}
}

// A value that does not fit is reported for people: the column, the value
// and the column's type, no Go type, and cut on a character boundary.
func TestConversionErrorMessage(t *testing.T) {
	msg := (&conversionError{"n", new(big.Int).Lsh(big.NewInt(1), 200), "BIGINT"}).Error()
	if strings.Contains(msg, "big.Int") || strings.Contains(msg, "*") || !strings.Contains(msg, `"n"`) || !strings.Contains(msg, "BIGINT") {
		t.Errorf("message %q", msg)
	}
	msg = (&conversionError{"s", strings.Repeat("é", 100), "DOUBLE"}).Error()
	if !utf8.ValidString(msg) || strings.Contains(msg, "string") {
		t.Errorf("message %q", msg)
	}
}
