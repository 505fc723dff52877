package server_test

import (
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

// A parameter the SQL uses without a value is the user's mistake: 422
// naming it, before anything reaches the warehouse.
func TestQueryParameterMistakes(t *testing.T) {
	ts := startServer(t)
	a := ts.userWithRole(t, lyceum.RoleAnalyst)
	for _, tt := range []struct {
		body        map[string]any
		field, want string
	}{
		{map[string]any{"sql": "SELECT {{course}}"}, "params.course", "{{course}}"},
		{map[string]any{"sql": "SELECT $1"}, "sql", "$1"},
		{map[string]any{"sql": "SELECT {{a}} || $1", "params": map[string]string{"a": "x"}}, "sql", "$1"},
		{map[string]any{"sql": "SELECT $name"}, "sql", "$name"},
	} {
		res := must(t, a.post("/api/v1/data/runs", tt.body), 422)
		var e struct {
			Error struct{ Field, Message string }
		}
		res.json(t, &e)
		if e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%v: %s, want field %s naming %s", tt.body, res.body, tt.field, tt.want)
		}
	}
	// Inside a dollar-quoted string {{x}} is text, not a parameter.
	var v runView
	must(t, a.post("/api/v1/data/runs", map[string]any{"sql": "SELECT $$ {{x}} $$ AS s"}), 202).json(t, &v)
	if done := waitRun(t, a, v.Run.ID); done.Run.Status != "succeeded" {
		t.Fatalf("run: %+v", done.Run)
	}
}

// A CSV download does not carry formulas into a spreadsheet: text that
// starts like one is defused, numbers stay numbers.
func TestCSVDownloadDefusesFormulas(t *testing.T) {
	ts := startServer(t)
	a := ts.userWithRole(t, lyceum.RoleAnalyst)
	var v runView
	must(t, a.post("/api/v1/data/runs", map[string]any{"sql": `SELECT '=HYPERLINK("http://evil.example","x")' AS "@title", -3.5 AS n, '-1' AS s`}), 202).json(t, &v)
	if done := waitRun(t, a, v.Run.ID); done.Run.Status != "succeeded" {
		t.Fatalf("run: %+v", done.Run)
	}
	want := "'@title,n,s\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-3.5,'-1\r\n"
	if got := string(must(t, a.get("/api/v1/data/runs/"+v.Run.ID+"/csv"), 200).body); got != want {
		t.Fatalf("csv = %q, want %q", got, want)
	}
}
