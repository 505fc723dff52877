package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lyceum/lyceum"
)

// decodeCourse parses course.yaml into a courseFile. It does what yaml.v3's
// KnownFields does and a little more, so that every error names the field's
// path and line: unknown keys, keys given twice, wrong types. It also
// returns the line of every field it decoded, so that errors found later
// (a missing file, a rule of Course.Validate) can say where to look.
func decodeCourse(data []byte) (*courseFile, map[string]int, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, courseErr("", 0, "is empty")
		}
		return nil, nil, syntaxError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, nil, syntaxError(err)
		}
		return nil, nil, courseErr("", next.Line, "holds more than one YAML document; remove the second ---")
	}
	d := &decoder{lines: map[string]int{}}
	var cf courseFile
	if err := d.decode(doc.Content[0], reflect.ValueOf(&cf).Elem(), ""); err != nil {
		return nil, nil, err
	}
	return &cf, d.lines, nil
}

// yamlLine finds the line in yaml.v3's syntax errors ("yaml: line 14: did
// not find expected key"). yaml.v3 has no structured form of them, and its
// messages are frozen with the package.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return &lyceum.ValidationError{Field: CourseFile + " line " + m[1], Message: m[2]}
	}
	return courseErr("", 0, "is not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

type decoder struct {
	lines map[string]int // field path → line
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode {
		// Aliases could make a small file expand into a huge course; nothing
		// in a course needs them.
		return courseErr(path, n.Line, "YAML aliases (*%s) are not supported; write the value out", n.Value)
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		// "key:" with no value is the key's zero value, except that it
		// still marks a pointer field (reading:, video:) as present, so
		// that the error is about what is missing inside it.
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() != reflect.Float64 {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := d.decode(n, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return courseErr(path, n.Line, "must be a list, got %s", describe(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.String:
		// Any scalar is text: a choice may well read "42" or "true".
		if n.Kind != yaml.ScalarNode {
			return courseErr(path, n.Line, "must be text, got %s", describe(n))
		}
		v.SetString(n.Value)
	case reflect.Float64:
		var f float64
		if n.Kind == yaml.ScalarNode && n.Style == 0 {
			// YAML takes a number too large for a float (1e999) for text.
			if _, err := strconv.ParseFloat(n.Value, 64); errors.Is(err, strconv.ErrRange) {
				return courseErr(path, n.Line, "must be a finite number, got %s, which is too large", n.Value)
			}
		}
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
			return courseErr(path, n.Line, "must be a number, got %s", describe(n))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return courseErr(path, n.Line, "must be a finite number, got %s", n.Value)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			return courseErr(path, n.Line, "must be true or false, got %s", describe(n))
		}
		v.SetBool(b)
	default:
		panic("bundle: cannot decode into " + v.Type().String())
	}
	return nil
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.MappingNode {
		return courseErr(path, n.Line, "must be a mapping of keys to values, got %s", describe(n))
	}
	fields, names := map[string]reflect.Value{}, []string(nil)
	structFields(v, fields, &names)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		fp := k.Value
		if path != "" {
			fp = path + "." + k.Value
		}
		f, ok := fields[k.Value]
		if !ok || k.Kind != yaml.ScalarNode {
			return courseErr(fp, k.Line, "unknown field; expected one of %s", strings.Join(names, ", "))
		}
		if seen[k.Value] {
			return courseErr(fp, k.Line, "is given twice")
		}
		seen[k.Value] = true
		if err := d.decode(val, f, fp); err != nil {
			return err
		}
	}
	return nil
}

// structFields collects the fields of the struct v by their yaml names,
// flattening ",inline" fields.
func structFields(v reflect.Value, fields map[string]reflect.Value, names *[]string) {
	t := v.Type()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if opts == "inline" {
			structFields(v.Field(i), fields, names)
			continue
		}
		fields[name] = v.Field(i)
		*names = append(*names, name)
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// courseErr is an error at path in course.yaml ("" for the file itself);
// line is 0 when unknown.
func courseErr(path string, line int, format string, args ...any) error {
	field := CourseFile
	if path != "" {
		field += ": " + path
	}
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg += fmt.Sprintf(" (line %d)", line)
	}
	return &lyceum.ValidationError{Field: field, Message: msg}
}
