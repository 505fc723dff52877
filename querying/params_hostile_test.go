package querying

import (
	"slices"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

// TestParamsOnlyOutsideLiterals: {{name}} is a parameter only where the
// engine's lexer (PostgreSQL's, which DuckDB's parser shares) would read
// SQL tokens, never inside a string, a quoted identifier or a comment.
func TestParamsOnlyOutsideLiterals(t *testing.T) {
	for _, tt := range []struct {
		name, sql string
		params    []string
		bound     string // with every parameter given the value "v"
	}{
		{"plain", `SELECT {{a}}`, []string{"a"}, `SELECT $1`},
		{"string", `SELECT '{{a}}'`, nil, `SELECT '{{a}}'`},
		{"string with doubled quote", `SELECT 'it''s {{a}}', {{b}}`, []string{"b"}, `SELECT 'it''s {{a}}', $1`},
		{"E string with backslash quote", `SELECT E'it\'s {{a}}', {{b}}`, []string{"b"}, `SELECT E'it\'s {{a}}', $1`},
		{"e string lower case", `SELECT e'\\' , {{b}}, e'\' {{a}}'`, []string{"b"}, `SELECT e'\\' , $1, e'\' {{a}}'`},
		{"E string with doubled quote", `SELECT E'a''{{a}}\\', {{b}}`, []string{"b"}, `SELECT E'a''{{a}}\\', $1`},
		{"backslash in a standard string is no escape", `SELECT 'a\', {{b}}`, []string{"b"}, `SELECT 'a\', $1`},
		{"identifier ending in E is no E string", `SELECT typE'\', {{b}}`, []string{"b"}, `SELECT typE'\', $1`},
		{"dollar quote", `SELECT $${{a}}$$, {{b}}`, []string{"b"}, `SELECT $${{a}}$$, $1`},
		{"dollar quote with quotes inside", `SELECT $$it's {{a}} "x$$, {{b}}`, []string{"b"}, `SELECT $$it's {{a}} "x$$, $1`},
		{"tagged dollar quote", `SELECT $fn$ {{a}} $$ {{c}} $fn$, {{b}}`, []string{"b"}, `SELECT $fn$ {{a}} $$ {{c}} $fn$, $1`},
		{"tag is case-sensitive", `SELECT $q$ {{a}} $Q$ {{c}} $q$, {{b}}`, []string{"b"}, `SELECT $q$ {{a}} $Q$ {{c}} $q$, $1`},
		{"unterminated dollar quote", `SELECT {{b}}, $$ {{a}}`, []string{"b"}, `SELECT $1, $$ {{a}}`},
		{"dollar inside an identifier is no quote", `SELECT a$$b, {{b}}`, []string{"b"}, `SELECT a$$b, $1`},
		{"quoted identifier", `SELECT 1 AS "{{a}}", {{b}}`, []string{"b"}, `SELECT 1 AS "{{a}}", $1`},
		{"quoted identifier with doubled quote", `SELECT 1 AS "x""{{a}}", {{b}}`, []string{"b"}, `SELECT 1 AS "x""{{a}}", $1`},
		{"line comment", "SELECT {{b}} -- {{a}}\n, {{c}}", []string{"b", "c"}, "SELECT $1 -- {{a}}\n, $2"},
		{"line comment at the end", "SELECT {{b}} -- {{a}}", []string{"b"}, "SELECT $1 -- {{a}}"},
		{"block comment", `SELECT /* {{a}} */ {{b}}`, []string{"b"}, `SELECT /* {{a}} */ $1`},
		{"nested block comment", `SELECT /* x /* y */ {{a}} */ {{b}}`, []string{"b"}, `SELECT /* x /* y */ {{a}} */ $1`},
		{"unterminated block comment", `SELECT {{b}} /* {{a}}`, []string{"b"}, `SELECT $1 /* {{a}}`},
		{"quote inside a comment", "SELECT {{b}} -- it's\n, {{c}}", []string{"b", "c"}, "SELECT $1 -- it's\n, $2"},
		{"comment marker inside a string", `SELECT '--', {{b}}, '/*', {{c}}`, []string{"b", "c"}, `SELECT '--', $1, '/*', $2`},
		{"dollar marker inside a string", `SELECT '$$', {{b}}, '$$'`, []string{"b"}, `SELECT '$$', $1, '$$'`},
		{"string inside a dollar quote", `SELECT $$'$$, {{b}}, '{{a}}'`, []string{"b"}, `SELECT $$'$$, $1, '{{a}}'`},
		{"spaces in braces", `SELECT {{ a }}`, []string{"a"}, `SELECT $1`},
		{"not a name", `SELECT '{' || '}', {{1a}}`, nil, `SELECT '{' || '}', {{1a}}`},
		{"glued to an identifier", `SELECT x{{a}}y`, []string{"a"}, `SELECT x $1 y`},
		{"glued to digits", `SELECT {{a}}1`, []string{"a"}, `SELECT $1 1`},
		{"cast", `SELECT {{a}}::INTEGER`, []string{"a"}, `SELECT $1::INTEGER`},
		{"non-ASCII identifier before a dollar", `SELECT é$$x, {{b}}`, []string{"b"}, `SELECT é$$x, $1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Params(tt.sql); !slices.Equal(got, tt.params) {
				t.Fatalf("Params(%s) = %v, want %v", tt.sql, got, tt.params)
			}
			values := map[string]string{}
			for _, p := range tt.params {
				values[p] = "v"
			}
			bound, args, err := Bind(tt.sql, values)
			if err != nil {
				t.Fatalf("Bind(%s): %v", tt.sql, err)
			}
			if bound != tt.bound || len(args) != len(tt.params) {
				t.Fatalf("Bind(%s) =\n%s (%d args), want\n%s", tt.sql, bound, len(args), tt.bound)
			}
		})
	}
}

// TestBindRefusesEngineParameters: a $1 (or DuckDB's $name) written in
// the SQL has no value, and would read the value of a {{name}} bound to
// the same position: it is refused naming the parameter, not sent to the
// engine to fail there.
func TestBindRefusesEngineParameters(t *testing.T) {
	for _, tt := range []struct {
		sql  string
		want string // in the message
	}{
		{`SELECT $1`, "$1"},
		{`SELECT {{a}}, $1`, "$1"},
		{`SELECT * FROM t WHERE x = $12`, "$12"},
		{`SELECT $name`, "$name"},
		{`SELECT 1 WHERE x=$2`, "$2"},
	} {
		_, _, err := Bind(tt.sql, map[string]string{"a": "v"})
		var ve *lyceum.ValidationError
		if !asValidation(err, &ve) || ve.Field != "sql" || !strings.Contains(ve.Message, tt.want) {
			t.Errorf("Bind(%s) = %v, want a validation error of sql naming %s", tt.sql, err, tt.want)
		}
	}
	// Where they are not parameters, they stay.
	for _, sql := range []string{`SELECT '$1'`, `SELECT "$1"`, `SELECT $$ $1 $$`, `SELECT a$1`, "SELECT 1 -- $1", `SELECT /* $1 */ 1`, `SELECT $q$ $1 $q$`, `SELECT 'a' || $$$$`} {
		if _, _, err := Bind(sql, nil); err != nil {
			t.Errorf("Bind(%s): %v", sql, err)
		}
	}
}

func asValidation(err error, ve **lyceum.ValidationError) bool {
	v, ok := err.(*lyceum.ValidationError)
	*ve = v
	return ok
}
