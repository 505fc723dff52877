package querying

import (
	"slices"
	"testing"

	"github.com/lyceum/lyceum"
)

func TestBind(t *testing.T) {
	sql, args, err := Bind(`SELECT * FROM t WHERE c = {{course_id}} AND u = {{ user }} OR c2 = {{course_id}}`,
		map[string]string{"course_id": "c1", "user": "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if sql != `SELECT * FROM t WHERE c = $1 AND u = $2 OR c2 = $1` || !slices.Equal(args, []any{"c1", "u1"}) {
		t.Fatalf("%s %v", sql, args)
	}
	if _, _, err := Bind(`SELECT {{a}}`, nil); !lyceum.IsValidation(err) {
		t.Fatal("missing value accepted")
	}
	if _, _, err := Bind(`SELECT 1`, map[string]string{"x": "1"}); !lyceum.IsValidation(err) {
		t.Fatal("unknown parameter accepted")
	}
	if got := Params(`{{b}} {{a}} {{b}}`); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatal(got)
	}
}

func TestBindLeavesCommentsAndStrings(t *testing.T) {
	sql := "SELECT '{{not}}' AS \"{{col}}\", {{a}} -- {{commented}}\n/* {{block}} */ FROM t WHERE x = {{a}} AND s = 'it''s {{x}}'"
	if got := Params(sql); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("params = %v", got)
	}
	out, args, err := Bind(sql, map[string]string{"a": "1"})
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT '{{not}}' AS \"{{col}}\", $1 -- {{commented}}\n/* {{block}} */ FROM t WHERE x = $1 AND s = 'it''s {{x}}'"
	if out != want || len(args) != 1 {
		t.Fatalf("bound:\n%s\nwant\n%s", out, want)
	}
}
