package querying

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lyceum/lyceum"
)

var paramPattern = regexp.MustCompile(`^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// placeholder is one {{name}} in the SQL text.
type placeholder struct {
	start, end int
	name       string
}

// scan finds the {{name}} parameters that are SQL, as the engines' lexer
// reads it (DuckDB's parser is PostgreSQL's, so one reading serves both):
// those inside string literals ('…' with ” escapes, E'…' with backslash
// escapes, $$…$$ and $tag$…$tag$), quoted identifiers ("…") and comments
// (-- … and /* … */, which nest) are text, and left alone. It also
// returns the first parameter of the engine's own syntax ($1, or DuckDB's
// $name) written in the SQL, if any: those have no value to bind.
func scan(sql string) (ps []placeholder, engineParam string) {
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(sql)
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			i = endOfComment(sql, i)
		case c == '\'':
			i = endOfQuoted(sql, i, '\'', false)
		case c == '"':
			i = endOfQuoted(sql, i, '"', false)
		case (c == 'E' || c == 'e') && i+1 < len(sql) && sql[i+1] == '\'' && !identAt(sql, i-1):
			i = endOfQuoted(sql, i+1, '\'', true)
		case c == '$' && !identAt(sql, i-1):
			j := i + 1
			for j < len(sql) && identAt(sql, j) && sql[j] != '$' {
				j++
			}
			tag := sql[i:j]
			switch {
			case j < len(sql) && sql[j] == '$' && (len(tag) == 1 || !isDigit(tag[1])):
				// $$ or $tag$: a dollar-quoted string up to the same delimiter.
				delim := sql[i : j+1]
				if k := strings.Index(sql[j+1:], delim); k >= 0 {
					i = j + 1 + k + len(delim)
				} else {
					i = len(sql)
				}
			case len(tag) > 1:
				if engineParam == "" {
					engineParam = tag
				}
				i = j
			default:
				i++
			}
		case c == '{' && strings.HasPrefix(sql[i:], "{{"):
			if m := paramPattern.FindStringSubmatchIndex(sql[i:]); m != nil {
				ps = append(ps, placeholder{i, i + m[1], sql[i+m[2] : i+m[3]]})
				i += m[1]
			} else {
				i += 2
			}
		case identAt(sql, i):
			// Skip the rest of a word, so that a quote or dollar inside it
			// (typE'…', a$$b) is read as the lexer reads it.
			for i < len(sql) && identAt(sql, i) {
				i++
			}
		default:
			i++
		}
	}
	return ps, engineParam
}

// identAt reports whether sql[i] continues an identifier or keyword:
// letters, digits, _, $ and every byte of a non-ASCII character.
func identAt(sql string, i int) bool {
	if i < 0 || i >= len(sql) {
		return false
	}
	c := sql[i]
	return c == '_' || c == '$' || isDigit(c) || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// endOfQuoted returns the index after the literal that opens at sql[i]
// with the quote q: a doubled quote is one quote inside it and, when
// backslash is set (E'…'), a backslash escapes the next byte. An
// unterminated literal runs to the end.
func endOfQuoted(sql string, i int, q byte, backslash bool) int {
	for i++; i < len(sql); i++ {
		switch {
		case backslash && sql[i] == '\\':
			i++
		case sql[i] == q:
			if i+1 < len(sql) && sql[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(sql)
}

// endOfComment returns the index after the block comment that opens at
// sql[i]; block comments nest.
func endOfComment(sql string, i int) int {
	depth := 0
	for i < len(sql) {
		switch {
		case strings.HasPrefix(sql[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(sql[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(sql)
}

// Params lists the {{name}} parameters of sql, in order of first use.
func Params(sql string) []string {
	ps, _ := scan(sql)
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.name] {
			seen[p.name] = true
			out = append(out, p.name)
		}
	}
	return out
}

// Bind turns {{name}} parameters into the engine's positional parameters
// ($1, $2, …) and returns their values in order: values are never pasted
// into the SQL text. Every parameter needs a value; values are text (cast
// in SQL for other types: {{n}}::INTEGER). The engine's own parameters
// ($1, $name) written in the SQL are refused: nothing gives them a value.
func Bind(sql string, values map[string]string) (string, []any, error) {
	ps, engineParam := scan(sql)
	if engineParam != "" {
		return "", nil, lyceum.Invalid("sql", "%s is a parameter without a value: write parameters as {{name}} and give their values", engineParam)
	}
	names := Params(sql)
	for name := range values {
		if !containsName(names, name) {
			return "", nil, lyceum.Invalid("params."+name, "the query has no parameter {{%s}}", name)
		}
	}
	index := map[string]int{}
	var args []any
	for _, name := range names {
		v, ok := values[name]
		if !ok {
			return "", nil, lyceum.Invalid("params."+name, "give a value for {{%s}}", name)
		}
		args = append(args, v)
		index[name] = len(args)
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		b.WriteString(sql[last:p.start])
		// Keep $N a token of its own: x{{a}} must not become the
		// identifier x$1, nor {{a}}1 the parameter $11.
		if identAt(sql, p.start-1) {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "$%d", index[p.name])
		if identAt(sql, p.end) {
			b.WriteByte(' ')
		}
		last = p.end
	}
	b.WriteString(sql[last:])
	return b.String(), args, nil
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}
