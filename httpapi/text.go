package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lyceum/lyceum"
)

// Text comes in as UTF-8, or not at all: encoding/json and net/url would
// otherwise replace bytes that are not UTF-8 (and JSON's unpaired
// surrogate escapes, "\ud800") with U+FFFD without a word, and what the
// user typed would be stored changed.

// checkJSONText refuses a JSON body with a string (or a key) that is not
// UTF-8, naming where it is, e.g. "params.a" or "responses.m.choices[1]".
// A body that is not JSON at all is left to the decoder to describe.
func checkJSONText(body []byte) error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
		return nil // the common case: nothing to look at closely
	}
	type level struct {
		array bool
		key   string // the current key of an object
		index int    // the next index of an array
		onKey bool   // the next string of an object is a key
	}
	var stack []*level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			switch {
			case l.array:
				b.WriteString("[" + strconv.Itoa(l.index-1) + "]")
			default:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or malformed: decode says which
		}
		off := dec.InputOffset()
		raw := body[prev:off]
		prev = off
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.array {
			if d, ok := tok.(json.Delim); !ok || d != ']' {
				top.index++
			}
		}
		if s, ok := tok.(string); ok {
			if top != nil && !top.array && top.onKey {
				top.key, top.onKey = strings.ToValidUTF8(s, "\uFFFD"), false
				if !validJSONString(raw) {
					return lyceum.Invalid(path(), "the name of this field is not valid UTF-8 text")
				}
				continue
			}
			if !validJSONString(raw) {
				return lyceum.Invalid(path(), "is not valid UTF-8 text")
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, &level{onKey: true})
				continue
			case '[':
				stack = append(stack, &level{array: true})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		}
		// A value ends: an object expects its next key.
		if len(stack) > 0 && !stack[len(stack)-1].array {
			stack[len(stack)-1].onKey = true
		}
	}
}

// validJSONString reports whether the raw bytes of a JSON string token
// (with any separators before it) are UTF-8 and every \u escape of a
// surrogate is one half of a pair.
func validJSONString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // \" \\ \n …: one escaped character
			continue
		}
		r, ok := hex4(raw, i+2)
		if !ok {
			return true // malformed: the decoder says so
		}
		i += 5
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00: // high: a low must follow
			lo, ok := hex4(raw, i+3)
			if i+2 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' || !ok || lo < 0xdc00 || lo > 0xdfff {
				return false
			}
			i += 6
		case utf16.IsSurrogate(r): // a low without a high
			return false
		}
	}
	return true
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// checkURLText refuses a request whose path or query is not UTF-8: a
// query parameter is named; a path is simply malformed.
func checkURLText(r *http.Request) error {
	if !utf8.ValidString(r.URL.Path) {
		return badRequest("the URL path is not valid UTF-8 text")
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	for name, values := range r.URL.Query() {
		if !utf8.ValidString(name) {
			return lyceum.Invalid(strings.ToValidUTF8(name, "\uFFFD"), "the name of this query parameter is not valid UTF-8 text")
		}
		for _, v := range values {
			if !utf8.ValidString(v) {
				return lyceum.Invalid(name, "is not valid UTF-8 text")
			}
		}
	}
	return nil
}
