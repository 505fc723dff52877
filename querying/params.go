package querying

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lyceum/lyceum"
)

var paramPattern = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// Params lists the {{name}} parameters of sql, in order of first use.
func Params(sql string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range paramPattern.FindAllStringSubmatch(sql, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// Bind turns {{name}} parameters into the engine's positional parameters
// ($1, $2, …) and returns their values in order: values are never pasted
// into the SQL text. Every parameter needs a value; values are text (cast
// in SQL for other types: {{n}}::INTEGER).
func Bind(sql string, values map[string]string) (string, []any, error) {
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
	out := paramPattern.ReplaceAllStringFunc(sql, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-2])
		return fmt.Sprintf("$%d", index[name])
	})
	return out, args, nil
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}
