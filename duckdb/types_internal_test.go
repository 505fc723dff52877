package duckdb

import (
	"testing"

	"github.com/lyceum/lyceum/warehouse"
)

func TestKindOf(t *testing.T) {
	for typ, want := range map[string]string{
		"VARCHAR": "text", "ENUM": "text", "BIT": "text", "": "text",
		"TINYINT": "integer", "INTEGER": "integer", "USMALLINT": "integer", "UINTEGER": "bigint", "BIGINT": "bigint",
		"UBIGINT": "decimal(38,0)", "HUGEINT": "decimal(38,0)",
		"FLOAT": "double", "DOUBLE": "double",
		"DECIMAL(18,3)": "decimal(18,3)", "DECIMAL(5,2)": "decimal(5,2)", "DECIMAL": "decimal(18,3)",
		"BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP_NS": "timestamp",
		"TIMESTAMPTZ": "timestamptz", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIME": "time", "INTERVAL": "interval",
		"UUID": "uuid", "BLOB": "blob", "JSON": "json",
		"INTEGER[]": "list(integer)", "VARCHAR[3]": "list(text)", "DECIMAL(2,1)[][]": "list", "DECIMAL(2,1)[]": "list",
		`STRUCT("k" VARCHAR)`: "json", "MAP(VARCHAR, INTEGER)": "json", "UNION(a INTEGER)": "json",
	} {
		if got := kindOf(typ); got != warehouse.MustType(want) {
			t.Errorf("kindOf(%q) = %s, want %s", typ, got, want)
		}
	}
}
