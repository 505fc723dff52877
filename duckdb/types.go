package duckdb

import (
	"fmt"
	"strings"

	"github.com/lyceum/lyceum/warehouse"
)

// column describes a result column: DuckDB's type name, for people, and
// its warehouse kind, for code.
func column(name, typeName string) warehouse.Column {
	return warehouse.Column{Name: name, Type: typeName, Kind: kindOf(typeName)}
}

// kindOf maps a DuckDB type name, as duckdb-go reports it, to its
// warehouse kind. Names it does not know are text.
func kindOf(typeName string) warehouse.Type {
	t := strings.ToUpper(strings.TrimSpace(typeName))
	if elem, ok := strings.CutSuffix(t, "]"); ok { // INTEGER[] or INTEGER[3]
		if i := strings.LastIndexByte(elem, '['); i >= 0 {
			inner := kindOf(elem[:i])
			if inner.Kind == warehouse.Decimal || inner.Kind == warehouse.List {
				return warehouse.Of(warehouse.List)
			}
			return warehouse.ListOf(inner.Kind)
		}
	}
	base, params, _ := strings.Cut(t, "(")
	switch strings.TrimSpace(base) {
	case "BOOLEAN":
		return warehouse.Of(warehouse.Boolean)
	case "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT":
		return warehouse.Of(warehouse.Integer)
	case "BIGINT", "UINTEGER":
		return warehouse.Of(warehouse.BigInt)
	case "UBIGINT", "HUGEINT", "UHUGEINT":
		return warehouse.DecimalOf(38, 0)
	case "FLOAT", "DOUBLE":
		return warehouse.Of(warehouse.Double)
	case "DECIMAL":
		var p, s int
		if n, _ := fmt.Sscanf(strings.TrimSuffix(params, ")"), "%d,%d", &p, &s); n == 2 && p >= 1 && p <= 38 && s >= 0 && s <= p {
			return warehouse.DecimalOf(uint8(p), uint8(s))
		}
		return warehouse.DecimalOf(18, 3) // DuckDB's DECIMAL without a width
	case "DATE":
		return warehouse.Of(warehouse.Date)
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return warehouse.Of(warehouse.Timestamp)
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return warehouse.Of(warehouse.TimestampTZ)
	case "TIME", "TIMETZ", "TIME WITH TIME ZONE":
		return warehouse.Of(warehouse.Time)
	case "INTERVAL":
		return warehouse.Of(warehouse.Interval)
	case "UUID":
		return warehouse.Of(warehouse.UUID)
	case "BLOB":
		return warehouse.Of(warehouse.Blob)
	case "JSON", "STRUCT", "MAP", "UNION", "VARIANT":
		return warehouse.Of(warehouse.JSON)
	}
	return warehouse.Of(warehouse.Text)
}
