package postgres

import (
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lyceum/lyceum/warehouse"
)

// column describes a result column: PostgreSQL's type name, for people,
// and its warehouse kind (with a numeric's precision and scale, from the
// column's type modifier), for code.
func column(m *pgtype.Map, fd pgconn.FieldDescription) warehouse.Column {
	name := "TEXT"
	if t, ok := m.TypeForOID(fd.DataTypeOID); ok {
		name = upper(t.Name)
	}
	return warehouse.Column{Name: fd.Name, Type: name, Kind: kindOf(m, fd.DataTypeOID, fd.TypeModifier)}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// kindOf maps a PostgreSQL type (by OID, with its type modifier) to its
// warehouse kind. Types it does not know are text.
func kindOf(m *pgtype.Map, oid uint32, typmod int32) warehouse.Type {
	switch oid {
	case pgtype.BoolOID:
		return warehouse.Of(warehouse.Boolean)
	case pgtype.Int2OID, pgtype.Int4OID:
		return warehouse.Of(warehouse.Integer)
	case pgtype.Int8OID, pgtype.OIDOID, pgtype.XIDOID, pgtype.CIDOID:
		return warehouse.Of(warehouse.BigInt)
	case pgtype.Float4OID, pgtype.Float8OID:
		return warehouse.Of(warehouse.Double)
	case pgtype.NumericOID:
		// numeric(p,s) carries ((p << 16) | s) + 4; without one, -1.
		if typmod >= 4 {
			p, s := (typmod-4)>>16&0xffff, (typmod-4)&0xffff
			if p >= 1 && p <= 38 && s >= 0 && s <= p {
				return warehouse.DecimalOf(uint8(p), uint8(s))
			}
		}
		return warehouse.Of(warehouse.Numeric)
	case pgtype.DateOID:
		return warehouse.Of(warehouse.Date)
	case pgtype.TimestampOID:
		return warehouse.Of(warehouse.Timestamp)
	case pgtype.TimestamptzOID:
		return warehouse.Of(warehouse.TimestampTZ)
	case pgtype.TimeOID, pgtype.TimetzOID:
		return warehouse.Of(warehouse.Time)
	case pgtype.IntervalOID:
		return warehouse.Of(warehouse.Interval)
	case pgtype.UUIDOID:
		return warehouse.Of(warehouse.UUID)
	case pgtype.JSONOID, pgtype.JSONBOID:
		return warehouse.Of(warehouse.JSON)
	case pgtype.ByteaOID:
		return warehouse.Of(warehouse.Blob)
	}
	if t, ok := m.TypeForOID(oid); ok {
		if ac, ok := t.Codec.(*pgtype.ArrayCodec); ok {
			elem := kindOf(m, ac.ElementType.OID, -1)
			if elem.Kind == warehouse.List || elem.Kind == warehouse.Decimal {
				return warehouse.Of(warehouse.List)
			}
			return warehouse.ListOf(elem.Kind)
		}
	}
	return warehouse.Of(warehouse.Text)
}
