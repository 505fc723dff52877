package server_test

import (
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

// TestImportRefusesAbsurdNumbers: a quiz worth 1e308 points once imported
// made its course page answer an empty 200 and its submissions a 500.
func TestImportRefusesAbsurdNumbers(t *testing.T) {
	ts := startServer(t)
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	for _, tt := range []struct{ name, old, new, field string }{
		{"points", "- {id: s, kind: single, prompt: \"S?\",", "- {id: s, kind: single, prompt: \"S?\", points: 1e308,", "quiz.questions[0].points"},
		{"tolerance", "tolerance: 0.01", "tolerance: 1e308", "quiz.questions[2].tolerance"},
		{"number", "number: 3.14,", "number: -1e308,", "quiz.questions[2].number"},
		{"pass percent", "passPercent: 50", "passPercent: 1e308", "quiz.passPercent"},
		{"duration", "duration: 20", "duration: 1e308", "video.duration"},
		{"question time", "- at: 12", "- at: .nan", "video.questions[1].at"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := "absurd-" + strings.ReplaceAll(tt.name, " ", "-")
			res := inst.importCourse(testBundleWith(t, id, nil, tt.old, tt.new))
			if res.status != 422 || !strings.Contains(string(res.body), "course.yaml") || !strings.Contains(string(res.body), tt.field) {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			must(t, inst.get("/api/v1/courses/"+id), 404)
		})
	}
}
