package warehouse

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is a column's type as every engine understands it. The tables'
// specification (Tables) is written in kinds, each engine renders them in
// its own DDL, and each engine reports its result columns in them, so that
// code outside the engines (results, scoped) never reads an engine's type
// names.
type Kind string

const (
	Text        Kind = "text"
	Integer     Kind = "integer" // 32-bit signed
	BigInt      Kind = "bigint"  // 64-bit signed
	Double      Kind = "double"
	Decimal     Kind = "decimal"     // exact: Precision digits (1–38), Scale of them after the point
	Numeric     Kind = "numeric"     // exact, without a declared precision (PostgreSQL's NUMERIC); any size
	Boolean     Kind = "boolean"     //
	Date        Kind = "date"        //
	Timestamp   Kind = "timestamp"   // a date and time without a zone; the warehouse's own are UTC
	TimestampTZ Kind = "timestamptz" // an instant
	Time        Kind = "time"        // a time of day
	Interval    Kind = "interval"    //
	UUID        Kind = "uuid"        //
	JSON        Kind = "json"        // a JSON document
	List        Kind = "list"        // a list of Elem; also arrays, structs, maps (kept as JSON)
	Blob        Kind = "blob"        // bytes
)

// Type is a Kind with its parameters: decimal(12,2), list(text).
type Type struct {
	Kind      Kind
	Precision uint8 // Decimal
	Scale     uint8 // Decimal
	Elem      Kind  // List: the elements' kind ("" when not one kind)
}

// Of is the type of kind k, without parameters.
func Of(k Kind) Type { return Type{Kind: k} }

// DecimalOf is decimal(precision,scale).
func DecimalOf(precision, scale uint8) Type {
	return Type{Kind: Decimal, Precision: precision, Scale: scale}
}

// ListOf is list(elem).
func ListOf(elem Kind) Type { return Type{Kind: List, Elem: elem} }

// String writes t as ParseType reads it.
func (t Type) String() string {
	switch {
	case t.Kind == Decimal:
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	case t.Kind == List && t.Elem != "":
		return "list(" + string(t.Elem) + ")"
	case t.Kind == "":
		return string(Text)
	}
	return string(t.Kind)
}

// MarshalText writes t as its String.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (t *Type) UnmarshalText(b []byte) error {
	p, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

var kinds = map[Kind]bool{Text: true, Integer: true, BigInt: true, Double: true, Decimal: true, Numeric: true, Boolean: true,
	Date: true, Timestamp: true, TimestampTZ: true, Time: true, Interval: true, UUID: true, JSON: true, List: true, Blob: true}

// ParseType reads a type as String writes it: a kind, "decimal(p,s)" with
// 1 ≤ p ≤ 38 and s ≤ p, or "list(kind)".
func ParseType(s string) (Type, error) {
	s = strings.TrimSpace(s)
	name, params, hasParams := strings.Cut(s, "(")
	if hasParams {
		if !strings.HasSuffix(params, ")") {
			return Type{}, fmt.Errorf("warehouse type %q: unclosed parenthesis", s)
		}
		params = strings.TrimSuffix(params, ")")
	}
	k := Kind(strings.TrimSpace(name))
	switch {
	case k == Decimal:
		p, sc, ok := strings.Cut(params, ",")
		precision, err1 := strconv.Atoi(strings.TrimSpace(p))
		scale, err2 := strconv.Atoi(strings.TrimSpace(sc))
		if !hasParams || !ok || err1 != nil || err2 != nil || precision < 1 || precision > 38 || scale < 0 || scale > precision {
			return Type{}, fmt.Errorf("warehouse type %q: want decimal(p,s) with 1 ≤ p ≤ 38 and 0 ≤ s ≤ p", s)
		}
		return DecimalOf(uint8(precision), uint8(scale)), nil
	case k == List && hasParams:
		elem := Kind(strings.TrimSpace(params))
		if !kinds[elem] || elem == List || elem == Decimal {
			return Type{}, fmt.Errorf("warehouse type %q: a list's elements are one of the plain kinds", s)
		}
		return ListOf(elem), nil
	case kinds[k] && !hasParams:
		return Of(k), nil
	}
	return Type{}, fmt.Errorf("warehouse type %q: not one of the warehouse's kinds", s)
}

// MustType is ParseType for the specification's literals.
func MustType(s string) Type {
	t, err := ParseType(s)
	if err != nil {
		panic(err)
	}
	return t
}
