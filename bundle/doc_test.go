package bundle

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// TestDocExamples checks that the YAML in docs/course-bundle.md is what it
// documents: the short example is a valid bundle, and each fragment decodes
// without unknown keys.
func TestDocExamples(t *testing.T) {
	t.Parallel()
	doc := string(mustRead(t, "../docs/course-bundle.md"))
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) < 5 {
		t.Fatalf("found %d YAML blocks in the docs", len(blocks))
	}
	fsys := fstest.MapFS{
		"course.yaml":                   {Data: []byte(blocks[0][1])},
		"media/mean-and-median.mp4":     {Data: stubMP4(30)},
		"media/mean-and-median.vtt":     {Data: []byte("WEBVTT\n")},
		"readings/averages.md":          {Data: []byte("# Averages\n")},
		"assignments/chart-critique.md": {Data: []byte("# Critique a chart\n")},
	}
	if _, err := Read(fsys); err != nil {
		t.Errorf("the short example: %v", err)
	}
	for _, b := range blocks[1:] {
		text := b[1]
		var v any = &itemFile{}
		if strings.HasPrefix(text, "- ") {
			v = &[]questionFile{}
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(text), &n); err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		d := &decoder{lines: map[string]int{}}
		if err := d.decode(n.Content[0], reflect.ValueOf(v).Elem(), ""); err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
}
