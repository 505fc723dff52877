package httpapi

import (
	"testing"

	"github.com/lyceum/lyceum"
)

func TestCheckJSONText(t *testing.T) {
	for _, tt := range []struct {
		body  string
		field string // "" when the body passes
	}{
		{`{"a": "plain", "b": ["x", {"c": "é"}]}`, ""},
		{`{"a": "\ud83d\ude00"}`, ""},
		{`{"a": "\\ud800"}`, ""},        // an escaped backslash, then text
		{`{"a": "\\\ud83d\ude00"}`, ""}, // a backslash, then a pair
		{`{"a": "x\"\ud800"}`, "a"},     // an escaped quote does not end the string
		{`{"a": "\ud83d"}`, "a"},        // a high half at the end
		{`{"a": "\ud83d\u0041"}`, "a"},  // a high half, then no low one
		{`{"a": "\ude00\ud83d"}`, "a"},  // the halves the wrong way round
		{`{"a": 1, "b": {"c": "\udfff"}}`, "b.c"},
		{`{"a": [1, "x", "\udfff"]}`, "a[2]"},
		{`[{"a": 1}, {"b": ["\udfff"]}]`, "[1].b[0]"},
		{`{"a": {}, "b": [], "c": "\udfff"}`, "c"},
		{"{\"a\": \"\xff\"}", "a"},
		{"{\"\xff\": 1}", "\ufffd"},
		{`{"a": "\ud83d`, ""}, // malformed: the decoder reports it
		{"not json \xff", ""},
	} {
		err := checkJSONText([]byte(tt.body))
		var ve *lyceum.ValidationError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%q: %v, want it to pass", tt.body, err)
		case tt.field != "" && (err == nil || !asValidation(err, &ve) || ve.Field != tt.field):
			t.Errorf("%q: %v, want a validation error of %q", tt.body, err, tt.field)
		}
	}
}

func asValidation(err error, ve **lyceum.ValidationError) bool {
	v, ok := err.(*lyceum.ValidationError)
	*ve = v
	return ok
}
