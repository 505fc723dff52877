package querying

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lyceum/lyceum"
)

var paramPattern = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// placeholder is one {{name}} in the SQL text.
type placeholder struct {
	start, end int
	name       string
}

// placeholders finds the {{name}} parameters that are SQL: those inside
// comments (-- …, /* … */), string literals ('…') and quoted identifiers
// ("…") are left alone.
func placeholders(sql string) []placeholder {
	var out []placeholder
	for i := 0; i < len(sql); {
		switch {
		case strings.HasPrefix(sql[i:], "--"):
			if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(sql)
			}
		case strings.HasPrefix(sql[i:], "/*"):
			if j := strings.Index(sql[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(sql)
			}
		case sql[i] == '\'' || sql[i] == '"':
			q := sql[i]
			i++
			for i < len(sql) {
				if sql[i] == q {
					if i+1 < len(sql) && sql[i+1] == q { // doubled quote
						i += 2
						continue
					}
					break
				}
				i++
			}
			i++
		case strings.HasPrefix(sql[i:], "{{"):
			if m := paramPattern.FindStringSubmatchIndex(sql[i:]); m != nil && m[0] == 0 {
				out = append(out, placeholder{i, i + m[1], sql[i+m[2] : i+m[3]]})
				i += m[1]
			} else {
				i += 2
			}
		default:
			i++
		}
	}
	return out
}

// Params lists the {{name}} parameters of sql, in order of first use.
func Params(sql string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range placeholders(sql) {
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
// in SQL for other types: {{n}}::INTEGER).
func Bind(sql string, values map[string]string) (string, []any, error) {
	ps := placeholders(sql)
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
		fmt.Fprintf(&b, "$%d", index[p.name])
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
