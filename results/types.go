package results

import (
	"bytes"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum/warehouse"
)

// kind is how a column is stored: a handful of Parquet types that the
// warehouse's kinds map onto (storageOf). The engine's own type name is
// kept beside it in the file's metadata, so the query page still shows
// "INT4" or "JSONB"; this package never reads it.
type kind string

const (
	kText        kind = "text"        // VARCHAR; also every type we do not know
	kJSON        kind = "json"        // VARCHAR holding JSON text: JSON, JSONB, lists, arrays, structs, maps, unions
	kUUID        kind = "uuid"        // VARCHAR, canonical 8-4-4-4-12 lower-case hex (sorts like the bytes)
	kTime        kind = "time"        // VARCHAR, "15:04:05.999999" (sorts correctly as text)
	kInterval    kind = "interval"    // VARCHAR
	kBool        kind = "bool"        // BOOLEAN
	kInt         kind = "int"         // BIGINT: every integer type that fits in 64 signed bits
	kFloat       kind = "float"       // DOUBLE
	kDecimal     kind = "decimal"     // DECIMAL(p,s), p ≤ 38: decimals with a precision, 128-bit integers
	kNumeric     kind = "numeric"     // VARCHAR, the exact digits of a number without a declared precision
	kDate        kind = "date"        // DATE
	kTimestamp   kind = "timestamp"   // TIMESTAMP (µs), taken as UTC
	kTimestampTZ kind = "timestamptz" // TIMESTAMPTZ (µs)
	kBlob        kind = "blob"        // BLOB
)

// column is one stored column: what the source said, and how it is kept.
type column struct {
	Name  string `json:"name"`
	Type  string `json:"type"`  // the engine's type name, as the source reported it
	Field string `json:"field"` // the Parquet column name (unique, non-empty)
	Kind  kind   `json:"kind"`  // storage
	// Source is the column's warehouse kind, as the engine reported it.
	Source warehouse.Type `json:"source,omitzero"`
	Width  uint8          `json:"width,omitempty"` // DECIMAL precision
	Scale  uint8          `json:"scale,omitempty"` // DECIMAL scale
}

func (c column) sqlType() string {
	switch c.Kind {
	case kBool:
		return "BOOLEAN"
	case kInt:
		return "BIGINT"
	case kFloat:
		return "DOUBLE"
	case kDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", c.Width, c.Scale)
	case kDate:
		return "DATE"
	case kTimestamp:
		return "TIMESTAMP"
	case kTimestampTZ:
		return "TIMESTAMPTZ"
	case kBlob:
		return "BLOB"
	default:
		return "VARCHAR"
	}
}

func (c column) typeInfo() (duck.TypeInfo, error) {
	switch c.Kind {
	case kBool:
		return duck.NewTypeInfo(duck.TYPE_BOOLEAN)
	case kInt:
		return duck.NewTypeInfo(duck.TYPE_BIGINT)
	case kFloat:
		return duck.NewTypeInfo(duck.TYPE_DOUBLE)
	case kDecimal:
		return duck.NewDecimalInfo(c.Width, c.Scale)
	case kDate:
		return duck.NewTypeInfo(duck.TYPE_DATE)
	case kTimestamp:
		return duck.NewTypeInfo(duck.TYPE_TIMESTAMP)
	case kTimestampTZ:
		return duck.NewTypeInfo(duck.TYPE_TIMESTAMP_TZ)
	case kBlob:
		return duck.NewTypeInfo(duck.TYPE_BLOB)
	default:
		return duck.NewTypeInfo(duck.TYPE_VARCHAR)
	}
}

// planColumns decides how each source column is stored.
func planColumns(src []warehouse.Column) []column {
	cols := make([]column, len(src))
	used := map[string]bool{"file_row_number": true} // read_parquet's own
	for i, c := range src {
		k, w, s := storageOf(c.Kind)
		cols[i] = column{Name: c.Name, Type: c.Type, Kind: k, Width: w, Scale: s, Source: c.Kind}
		// Parquet needs unique, non-empty column names; results may repeat
		// a name (SELECT a.id, b.id) or have none.
		field := c.Name
		if field == "" {
			field = fmt.Sprintf("column%d", i+1)
		}
		for n := 2; used[strings.ToLower(field)]; n++ {
			field = fmt.Sprintf("%s_%d", c.Name, n)
		}
		used[strings.ToLower(field)] = true
		cols[i].Field = field
	}
	return cols
}

// storageOf maps a warehouse kind to its storage. An unknown kind is text.
func storageOf(t warehouse.Type) (k kind, width, scale uint8) {
	switch t.Kind {
	case warehouse.Boolean:
		return kBool, 0, 0
	case warehouse.Integer, warehouse.BigInt:
		return kInt, 0, 0
	case warehouse.Double:
		return kFloat, 0, 0
	case warehouse.Decimal:
		if t.Precision >= 1 && t.Precision <= 38 && t.Scale <= t.Precision {
			return kDecimal, t.Precision, t.Scale
		}
		return kNumeric, 0, 0
	case warehouse.Numeric:
		return kNumeric, 0, 0
	case warehouse.Date:
		return kDate, 0, 0
	case warehouse.Timestamp:
		return kTimestamp, 0, 0
	case warehouse.TimestampTZ:
		return kTimestampTZ, 0, 0
	case warehouse.Time:
		return kTime, 0, 0
	case warehouse.Interval:
		return kInterval, 0, 0
	case warehouse.UUID:
		return kUUID, 0, 0
	case warehouse.JSON, warehouse.List:
		return kJSON, 0, 0
	case warehouse.Blob:
		return kBlob, 0, 0
	}
	return kText, 0, 0
}

// A conversionError is a value the column's storage cannot hold.
type conversionError struct {
	col   string
	value any
	to    string
}

// Error is shown to the person who ran the query: it names the column, the
// value and the column's type, never a Go type.
func (e *conversionError) Error() string {
	s := fmt.Sprint(e.value)
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return fmt.Sprintf("column %q: the value %q does not fit the column's type %s", e.col, s, e.to)
}

// toStorage converts a value from a source row into what the DuckDB chunk
// writer takes for c's storage, and returns its size for the byte cap: the
// length of text and binary values, 8 bytes for numbers and times (16 for
// wide decimals), 1 for a boolean, 0 for NULL.
func (c *column) toStorage(v any) (any, int64, error) {
	if v == nil {
		return nil, 0, nil
	}
	// Values already of the storage's Go type pass as they are, without
	// boxing them again.
	switch x := v.(type) {
	case string:
		if c.Kind == kText && utf8.ValidString(x) {
			return v, int64(len(x)), nil
		}
	case int64:
		if c.Kind == kInt {
			return v, 8, nil
		}
	case float64:
		if c.Kind == kFloat {
			return v, 8, nil
		}
	case bool:
		if c.Kind == kBool {
			return v, 1, nil
		}
	case time.Time:
		if c.Kind == kTimestamp || c.Kind == kTimestampTZ {
			return v, 8, nil
		}
	}
	switch x := v.(type) {
	case driver.Valuer:
		// Driver types (pgtype.Numeric, …) become plain values first.
		if isNilPointer(v) {
			return nil, 0, nil
		}
		if _, known := v.(*duck.UUID); !known {
			plain, err := x.Value()
			if err != nil {
				return nil, 0, &conversionError{c.Name, v, c.sqlType()}
			}
			if _, again := plain.(driver.Valuer); again {
				plain = fmt.Sprint(plain)
			}
			return c.toStorage(plain)
		}
	}
	var (
		out any
		ok  bool
	)
	switch c.Kind {
	case kBool:
		out, ok = toBool(v)
		return out, 1, c.check(ok, v)
	case kInt:
		out, ok = toInt(v)
		return out, 8, c.check(ok, v)
	case kFloat:
		out, ok = toFloat(v)
		return out, 8, c.check(ok, v)
	case kDecimal:
		d, ok := toDecimal(v, c.Width, c.Scale)
		if !ok {
			return nil, 0, c.check(false, v)
		}
		if c.Width <= 18 {
			return d.Int64(), 8, nil
		}
		return d, 16, nil
	case kDate:
		t, ok := toTime(v)
		if !ok {
			return nil, 0, c.check(false, v)
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), 8, nil
	case kTimestamp, kTimestampTZ:
		t, ok := toTime(v)
		return t, 8, c.check(ok, v)
	case kBlob:
		b := bytes.Clone(toBytes(v)) // a driver may reuse its buffer for the next row
		return b, int64(len(b)), nil
	case kJSON:
		s := jsonText(v)
		return s, int64(len(s)), nil
	case kNumeric:
		s, ok := numericText(v)
		return s, int64(len(s)), c.check(ok, v)
	case kUUID:
		s := uuidText(v)
		return s, int64(len(s)), nil
	default: // kText, kTime, kInterval
		s := text(v)
		return s, int64(len(s)), nil
	}
}

func (c *column) check(ok bool, v any) error {
	if ok {
		return nil
	}
	return &conversionError{c.Name, v, c.sqlType()}
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func toBool(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	case []byte:
		return toBool(string(x))
	}
	if i, ok := toInt(v); ok {
		return i.(int64) != 0, true
	}
	return nil, false
}

func toInt(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case float64:
		return int64(x), x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63
	case float32:
		return toInt(float64(x))
	case *big.Int:
		return x.Int64(), x.IsInt64()
	case duck.Decimal:
		if x.Value == nil {
			return nil, false
		}
		return toInt(decimalRat(x))
	case *big.Rat:
		if !x.IsInt() {
			return nil, false
		}
		return toInt(x.Num())
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return i, err == nil
	case []byte:
		return toInt(string(x))
	case json.Number:
		return toInt(string(x))
	}
	return nil, false
}

func toFloat(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	case duck.Decimal:
		if x.Value == nil {
			return nil, false
		}
		return x.Float64(), true
	case string:
		s := strings.TrimSpace(x)
		switch strings.ToLower(s) {
		case "infinity", "+infinity", "inf":
			return math.Inf(1), true
		case "-infinity", "-inf":
			return math.Inf(-1), true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil || errorsIsRange(err)
	case []byte:
		return toFloat(string(x))
	case json.Number:
		return toFloat(string(x))
	}
	if i, ok := toInt(v); ok {
		return float64(i.(int64)), true
	}
	return nil, false
}

func errorsIsRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// toDecimal returns v as an unscaled integer of the given scale, rounded
// half away from zero, or false when it does not fit width digits.
func toDecimal(v any, width, scale uint8) (*big.Int, bool) {
	var r *big.Rat
	switch x := v.(type) {
	case duck.Decimal:
		if x.Value == nil {
			return nil, false
		}
		if x.Scale == scale {
			return x.Value, fitsDigits(x.Value, width)
		}
		r = decimalRat(x)
	case *big.Int:
		r = new(big.Rat).SetInt(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		// The shortest decimal that reads back as x, not its binary expansion.
		r, _ = new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	case float32:
		r, _ = new(big.Rat).SetString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	case string, []byte, json.Number:
		var ok bool
		r, ok = new(big.Rat).SetString(strings.TrimSpace(fmt.Sprintf("%s", x)))
		if !ok {
			return nil, false
		}
	default:
		i, ok := toInt(v)
		if !ok {
			if u, isU := v.(uint64); isU {
				r = new(big.Rat).SetInt(new(big.Int).SetUint64(u))
				break
			}
			return nil, false
		}
		r = new(big.Rat).SetInt64(i.(int64))
	}
	r.Mul(r, new(big.Rat).SetInt(pow10(int(scale))))
	n, d := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if m.Sign() != 0 { // round half away from zero
		m.Abs(m).Lsh(m, 1)
		if m.Cmp(d) >= 0 {
			if n.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return q, fitsDigits(q, width)
}

func decimalRat(d duck.Decimal) *big.Rat {
	return new(big.Rat).SetFrac(d.Value, pow10(int(d.Scale)))
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func fitsDigits(i *big.Int, width uint8) bool {
	return new(big.Int).Abs(i).Cmp(pow10(int(width))) < 0
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		s := strings.TrimSpace(x)
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
	case []byte:
		return toTime(string(x))
	}
	return time.Time{}, false
}

func toBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return []byte(text(v))
}

// text renders a value for a text column.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return validUTF8(x)
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return `\x` + hex.EncodeToString(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	case time.Time:
		if x.Year() <= 1 { // a time of day (DuckDB's TIME, TIMETZ)
			if x.Location() == time.UTC {
				return x.Format("15:04:05.999999")
			}
			return x.Format("15:04:05.999999Z07:00")
		}
		return x.UTC().Format(time.RFC3339Nano)
	case duck.Decimal:
		return formatDecimal(x.Value, x.Scale)
	case *big.Int:
		return x.String()
	case duck.Interval:
		return formatInterval(x)
	case fmt.Stringer:
		if isNilPointer(v) {
			return ""
		}
		return validUTF8(x.String())
	}
	if i, ok := toInt(v); ok {
		return strconv.FormatInt(i.(int64), 10)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
		return jsonText(v)
	}
	return validUTF8(fmt.Sprint(v))
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func uuidText(v any) string {
	switch x := v.(type) {
	case []byte:
		if len(x) == 16 {
			return formatUUID(x)
		}
	case [16]byte:
		return formatUUID(x[:])
	case duck.UUID:
		return formatUUID(x[:])
	case string:
		return strings.ToLower(strings.TrimSpace(x))
	}
	return strings.ToLower(text(v))
}

func formatUUID(b []byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], b[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], b[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], b[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], b[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], b[10:])
	return string(buf[:])
}

// jsonText renders a value for a JSON column. Drivers hand JSON over either
// decoded (DuckDB: map[string]any, []any, string, float64…) or as its text
// (string or []byte): text that is valid JSON is kept as it is, anything
// else is encoded.
func jsonText(v any) string {
	switch x := v.(type) {
	case json.RawMessage:
		if json.Valid(x) {
			return validUTF8(string(x))
		}
	case []byte:
		if json.Valid(x) {
			return validUTF8(string(x))
		}
		v = string(x)
	case string:
		if json.Valid([]byte(x)) {
			return validUTF8(x)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(plainJSON(v)); err != nil {
		return validUTF8(fmt.Sprint(v))
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// plainJSON turns driver values nested in lists, structs and maps into
// values encoding/json writes well.
func plainJSON(v any) any {
	switch x := v.(type) {
	case nil, bool, string, json.Number, json.RawMessage,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return x
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	case duck.Decimal:
		if x.Value == nil {
			return nil
		}
		return json.Number(formatDecimal(x.Value, x.Scale))
	case *big.Int:
		if x == nil {
			return nil
		}
		return json.Number(x.String())
	case time.Time, duck.Interval:
		return text(x)
	case []byte:
		return text(x)
	case duck.UUID:
		return formatUUID(x[:])
	case duck.Union:
		return plainJSON(x.Value)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainJSON(e)
		}
		return out
	case duck.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[text(k)] = plainJSON(e)
		}
		return out
	case duck.OrderedMap:
		out := make(map[string]any, x.Len())
		vals := x.Values()
		for i, k := range x.Keys() {
			out[text(k)] = plainJSON(vals[i])
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Kind() == reflect.Array && rv.Len() == 16 {
			b := make([]byte, 16)
			reflect.Copy(reflect.ValueOf(b), rv)
			return formatUUID(b) // [16]byte is how drivers hand over UUIDs
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plainJSON(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[text(it.Key().Interface())] = plainJSON(it.Value().Interface())
		}
		return out
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return plainJSON(rv.Elem().Interface())
	}
	if valuer, ok := v.(driver.Valuer); ok {
		if plain, err := valuer.Value(); err == nil {
			if _, again := plain.(driver.Valuer); !again {
				return plainJSON(plain)
			}
		}
	}
	return v
}

// jsonFloat keeps finite numbers and names the others, which JSON cannot
// hold.
func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// formatFloat writes f the way encoding/json does (shortest form, plain
// digits between 1e-6 and 1e21), and names NaN and the infinities.
func formatFloat(f float64) string {
	if s, ok := jsonFloat(f).(string); ok {
		return s
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatDecimal writes an unscaled integer with scale digits after the
// point, keeping trailing zeros (12.10 stays 12.10).
func formatDecimal(unscaled *big.Int, scale uint8) string {
	s := new(big.Int).Abs(unscaled).String()
	if scale > 0 {
		if len(s) <= int(scale) {
			s = strings.Repeat("0", int(scale)-len(s)+1) + s
		}
		s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	}
	if unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// formatInterval writes an interval the way DuckDB prints one:
// "1 year 2 months 3 days 04:05:06.5".
func formatInterval(iv duck.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		if n != 1 && n != -1 {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "month")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		h, m, s, frac := us/3_600_000_000, us/60_000_000%60, us/1_000_000%60, us%1_000_000
		clock := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s)
		if frac != 0 {
			clock += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		parts = append(parts, clock)
	}
	return strings.Join(parts, " ")
}

// display converts a value read back from a stored result into a
// JSON-friendly one: string, int64, float64, bool, json.Number (decimals,
// exact) or nil. Times are RFC 3339 in UTC, dates "2006-01-02", binary
// values "\x" and hex, and non-finite floats "NaN", "Infinity", "-Infinity".
func display(c *column, v any) any {
	if s, ok := v.(string); ok && c.Kind == kNumeric {
		if json.Valid([]byte(s)) {
			return json.Number(s) // exact, like a decimal
		}
		return s // NaN, Infinity
	}
	switch x := v.(type) {
	case nil, string, int64, bool:
		return x
	case float64:
		return jsonFloat(x)
	case duck.Decimal:
		return json.Number(formatDecimal(x.Value, x.Scale))
	case time.Time:
		if c.Kind == kDate {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return `\x` + hex.EncodeToString(x)
	}
	return text(v)
}

// numericText is the exact text of a number without a declared precision:
// its digits as the engine wrote them ("0.30" stays 0.30), or NaN and the
// infinities by name.
func numericText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if _, ok := new(big.Rat).SetString(s); ok {
			return s, true
		}
		switch strings.ToLower(s) {
		case "nan":
			return "NaN", true
		case "infinity", "+infinity", "inf":
			return "Infinity", true
		case "-infinity", "-inf":
			return "-Infinity", true
		}
		return "", false
	case []byte:
		return numericText(string(x))
	case duck.Decimal:
		if x.Value == nil {
			return "", false
		}
		return formatDecimal(x.Value, x.Scale), true
	case float64, float32:
		f, _ := toFloat(x)
		return formatFloat(f.(float64)), true
	}
	if i, ok := toInt(v); ok {
		return strconv.FormatInt(i.(int64), 10), true
	}
	return "", false
}
