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
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		typ   string
		kind  kind
		width uint8
		scale uint8
	}{
		{"VARCHAR", kText, 0, 0}, {"text", kText, 0, 0}, {"CHARACTER VARYING(20)", kText, 0, 0}, {"BPCHAR", kText, 0, 0},
		{"ENUM", kText, 0, 0}, {"MONEY", kText, 0, 0}, {"GEOMETRY", kText, 0, 0}, {"", kText, 0, 0},
		{"INTEGER", kInt, 0, 0}, {"int4", kInt, 0, 0}, {"INT8", kInt, 0, 0}, {"SMALLINT", kInt, 0, 0}, {"UINTEGER", kInt, 0, 0},
		{"UBIGINT", kDecimal, 38, 0}, {"HUGEINT", kDecimal, 38, 0},
		{"DOUBLE", kFloat, 0, 0}, {"float8", kFloat, 0, 0}, {"REAL", kFloat, 0, 0}, {"DOUBLE PRECISION", kFloat, 0, 0},
		{"DECIMAL(18,3)", kDecimal, 18, 3}, {"NUMERIC(12, 2)", kDecimal, 12, 2}, {"numeric(5)", kDecimal, 5, 0},
		{"NUMERIC", kFloat, 0, 0}, {"NUMERIC(60,2)", kFloat, 0, 0}, {"DECIMAL", kDecimal, 18, 3},
		{"BOOLEAN", kBool, 0, 0}, {"bool", kBool, 0, 0},
		{"DATE", kDate, 0, 0}, {"TIMESTAMP", kTimestamp, 0, 0}, {"TIMESTAMP_NS", kTimestamp, 0, 0}, {"timestamp(3)", kTimestamp, 0, 0},
		{"TIMESTAMPTZ", kTimestampTZ, 0, 0}, {"TIMESTAMP WITH TIME ZONE", kTimestampTZ, 0, 0},
		{"TIME", kTime, 0, 0}, {"INTERVAL", kInterval, 0, 0}, {"UUID", kUUID, 0, 0},
		{"BLOB", kBlob, 0, 0}, {"BYTEA", kBlob, 0, 0},
		{"JSON", kJSON, 0, 0}, {"jsonb", kJSON, 0, 0}, {"INTEGER[]", kJSON, 0, 0}, {"VARCHAR[3]", kJSON, 0, 0}, {"_int4", kJSON, 0, 0},
		{"STRUCT(a INTEGER)", kJSON, 0, 0}, {"MAP(VARCHAR, INTEGER)", kJSON, 0, 0}, {"UNION(a INTEGER)", kJSON, 0, 0},
		{"INTEGER ARRAY", kJSON, 0, 0},
	} {
		k, w, s := kindOf(tc.typ)
		if k != tc.kind || w != tc.width || s != tc.scale {
			t.Errorf("kindOf(%q) = %s %d %d, want %s %d %d", tc.typ, k, w, s, tc.kind, tc.width, tc.scale)
		}
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
