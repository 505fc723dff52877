package lyceum

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func num(f float64) *float64 { return &f }

func TestGrade(t *testing.T) {
	single := Question{ID: "q", Kind: SingleChoice, Prompt: "?", Explanation: "Because.", Choices: []Choice{
		{ID: "a", Text: "A", Correct: true, Feedback: "Yes, A."}, {ID: "b", Text: "B", Feedback: "Not B."}}}
	multi := Question{ID: "q", Kind: MultipleAnswer, Prompt: "?", Points: 2, Choices: []Choice{
		{ID: "a", Text: "A", Correct: true}, {ID: "b", Text: "B", Correct: true}, {ID: "c", Text: "C"}}}
	numeric := Question{ID: "q", Kind: Numeric, Prompt: "?", Number: num(3.14), Tolerance: 0.01}
	exact := Question{ID: "q", Kind: Numeric, Prompt: "?", Number: num(42)}
	text := Question{ID: "q", Kind: ShortText, Prompt: "?", Accept: []string{"Mean", "arithmetic mean"}}

	tests := []struct {
		name     string
		q        Question
		r        Response
		correct  bool
		score    float64
		feedback string
		invalid  bool
	}{
		{"single right", single, Response{Choices: []string{"a"}}, true, 1, "Yes, A.", false},
		{"single wrong", single, Response{Choices: []string{"b"}}, false, 0, "Not B.", false},
		{"single explanation", single, Response{Choices: []string{"b"}}, false, 0, "Because.", false},
		{"single two picks", single, Response{Choices: []string{"a", "b"}}, false, 0, "", true},
		{"single none", single, Response{}, false, 0, "", true},
		{"single unknown", single, Response{Choices: []string{"z"}}, false, 0, "", true},
		{"multi all right", multi, Response{Choices: []string{"b", "a"}}, true, 2, "", false},
		{"multi missing one", multi, Response{Choices: []string{"a"}}, false, 0, "", false},
		{"multi one extra", multi, Response{Choices: []string{"a", "b", "c"}}, false, 0, "", false},
		{"multi duplicate", multi, Response{Choices: []string{"a", "a"}}, false, 0, "", true},
		{"numeric exact", numeric, Response{Number: num(3.14)}, true, 1, "", false},
		{"numeric within tolerance", numeric, Response{Number: num(3.1455)}, true, 1, "", false},
		{"numeric at tolerance edge", numeric, Response{Number: num(3.15)}, true, 1, "", false},
		{"numeric outside tolerance", numeric, Response{Number: num(3.16)}, false, 0, "", false},
		{"numeric no tolerance", exact, Response{Number: num(42.0001)}, false, 0, "", false},
		{"numeric missing", numeric, Response{Text: "3.14"}, false, 0, "", true},
		{"numeric NaN", numeric, Response{Number: num(math.NaN())}, false, 0, "", true},
		{"text exact", text, Response{Text: "Mean"}, true, 1, "", false},
		{"text case and spaces", text, Response{Text: "  ARITHMETIC   mean "}, true, 1, "", false},
		{"text wrong", text, Response{Text: "median"}, false, 0, "", false},
		{"text empty", text, Response{Text: "   "}, false, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.q.Grade(tt.r)
			if tt.invalid {
				if !IsValidation(err) {
					t.Fatalf("err = %v, want a validation error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Correct != tt.correct || g.Score != tt.score || g.Max != tt.q.MaxPoints() {
				t.Fatalf("grade = %+v, want correct=%v score=%v", g, tt.correct, tt.score)
			}
			if tt.feedback != "" && !strings.Contains(strings.Join(g.Feedback, "|"), tt.feedback) {
				t.Fatalf("feedback %q lacks %q", g.Feedback, tt.feedback)
			}
		})
	}
}

func TestPublicHidesAnswers(t *testing.T) {
	q := Question{ID: "q", Kind: SingleChoice, Prompt: "?", Explanation: "secret", Number: num(1), Accept: []string{"x"},
		Choices: []Choice{{ID: "a", Text: "A", Correct: true, Feedback: "secret"}, {ID: "b", Text: "B"}}}
	p := q.Public()
	if p.Explanation != "" || p.Number != nil || p.Accept != nil || p.Choices[0].Correct || p.Choices[0].Feedback != "" {
		t.Fatalf("public question leaks the answer: %+v", p)
	}
	if !q.Choices[0].Correct {
		t.Fatal("Public changed the original question")
	}
}

func validCourse() *Course {
	return &Course{ID: "stats", Title: "Statistics", Modules: []Module{{ID: "m1", Title: "One", Items: []Item{
		{ID: "v1", Kind: KindVideo, Title: "V", Video: &Video{Blob: "media/v.mp4", DurationSeconds: 20,
			Questions: []VideoQuestion{{At: 5, Question: Question{ID: "q1", Kind: Numeric, Prompt: "?", Number: num(1)}}}}},
		{ID: "r1", Kind: KindReading, Title: "R", Reading: &Reading{Markdown: "text"}},
		{ID: "z1", Kind: KindQuiz, Title: "Q", Quiz: &Quiz{PassPercent: 50, Questions: []Question{
			{ID: "q1", Kind: ShortText, Prompt: "?", Accept: []string{"x"}}}}},
		{ID: "a1", Kind: KindAssignment, Title: "A", Assignment: &Assignment{Instructions: "do it"}},
	}}}}
}

func TestCourseValidate(t *testing.T) {
	if err := validCourse().Validate(); err != nil {
		t.Fatalf("valid course: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(c *Course)
		field string
	}{
		{"bad id", func(c *Course) { c.ID = "Stats 101" }, "id"},
		{"no title", func(c *Course) { c.Title = " " }, "title"},
		{"no modules", func(c *Course) { c.Modules = nil }, "modules"},
		{"duplicate item", func(c *Course) { c.Modules[0].Items[1].ID = "v1" }, "modules[0].items[1].id"},
		{"question after end", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].At = 21 }, "modules[0].items[0].video.questions[0].at"},
		{"no duration", func(c *Course) { c.Modules[0].Items[0].Video.DurationSeconds = 0 }, "modules[0].items[0].video.duration"},
		{"empty reading", func(c *Course) { c.Modules[0].Items[1].Reading.Markdown = "" }, "modules[0].items[1].reading"},
		{"kind mismatch", func(c *Course) { c.Modules[0].Items[1].Kind = KindQuiz }, "modules[0].items[1].quiz.questions"},
		{"two contents", func(c *Course) { c.Modules[0].Items[1].Quiz = &Quiz{} }, "modules[0].items[1]"},
		{"numeric without number", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Number = nil }, "modules[0].items[0].video.questions[0].number"},
		{"text without accept", func(c *Course) { c.Modules[0].Items[2].Quiz.Questions[0].Accept = nil }, "modules[0].items[2].quiz.questions[0].accept"},
		{"single with two correct", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0] = Question{ID: "q", Kind: SingleChoice, Prompt: "?",
				Choices: []Choice{{ID: "a", Text: "A", Correct: true}, {ID: "b", Text: "B", Correct: true}}}
		}, "modules[0].items[2].quiz.questions[0].choices"},
		{"unknown kind", func(c *Course) { c.Modules[0].Items[2].Quiz.Questions[0].Kind = "essay" }, "modules[0].items[2].quiz.questions[0].kind"},
		{"pass percent", func(c *Course) { c.Modules[0].Items[2].Quiz.PassPercent = 120 }, "modules[0].items[2].quiz.passPercent"},
		// Numbers: finite, and in ranges that no sum or difference overflows.
		{"pass percent NaN", func(c *Course) { c.Modules[0].Items[2].Quiz.PassPercent = math.NaN() }, "modules[0].items[2].quiz.passPercent"},
		{"points huge", func(c *Course) { c.Modules[0].Items[2].Quiz.Questions[0].Points = 1e308 }, "modules[0].items[2].quiz.questions[0].points"},
		{"points over the cap", func(c *Course) { c.Modules[0].Items[2].Quiz.Questions[0].Points = MaxPoints + 1 }, "modules[0].items[2].quiz.questions[0].points"},
		{"points infinite", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Points = math.Inf(1) }, "modules[0].items[0].video.questions[0].points"},
		{"points NaN", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Points = math.NaN() }, "modules[0].items[0].video.questions[0].points"},
		{"points negative", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Points = -1 }, "modules[0].items[0].video.questions[0].points"},
		{"number huge", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Number = num(1e308) }, "modules[0].items[0].video.questions[0].number"},
		{"number NaN", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Number = num(math.NaN()) }, "modules[0].items[0].video.questions[0].number"},
		{"tolerance huge", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Tolerance = 1e300 }, "modules[0].items[0].video.questions[0].tolerance"},
		{"tolerance NaN", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].Tolerance = math.NaN() }, "modules[0].items[0].video.questions[0].tolerance"},
		{"duration huge", func(c *Course) { c.Modules[0].Items[0].Video.DurationSeconds = 1e308 }, "modules[0].items[0].video.duration"},
		{"duration over a day", func(c *Course) { c.Modules[0].Items[0].Video.DurationSeconds = MaxVideoSeconds + 1 }, "modules[0].items[0].video.duration"},
		{"duration NaN", func(c *Course) { c.Modules[0].Items[0].Video.DurationSeconds = math.NaN() }, "modules[0].items[0].video.duration"},
		{"question at NaN", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].At = math.NaN() }, "modules[0].items[0].video.questions[0].at"},
		{"question at negative", func(c *Course) { c.Modules[0].Items[0].Video.Questions[0].At = -1 }, "modules[0].items[0].video.questions[0].at"},
		// Counts and lengths.
		{"too many modules", func(c *Course) {
			for i := range MaxModules {
				m := c.Modules[0]
				m.ID = fmt.Sprintf("extra-%d", i)
				m.Items = []Item{{ID: fmt.Sprintf("r-%d", i), Kind: KindReading, Title: "R", Reading: &Reading{Markdown: "x"}}}
				c.Modules = append(c.Modules, m)
			}
		}, "modules"},
		{"too many items in a module", func(c *Course) {
			for i := range MaxItemsPerModule {
				c.Modules[0].Items = append(c.Modules[0].Items, Item{ID: fmt.Sprintf("r-%d", i), Kind: KindReading, Title: "R", Reading: &Reading{Markdown: "x"}})
			}
		}, "modules[0].items"},
		{"too many items in the course", func(c *Course) {
			for mi := range MaxItems/MaxItemsPerModule + 1 {
				m := Module{ID: fmt.Sprintf("extra-%d", mi), Title: "M"}
				for i := range MaxItemsPerModule {
					m.Items = append(m.Items, Item{ID: fmt.Sprintf("r-%d-%d", mi, i), Kind: KindReading, Title: "R", Reading: &Reading{Markdown: "x"}})
				}
				c.Modules = append(c.Modules, m)
			}
		}, "modules"},
		{"too many quiz questions", func(c *Course) {
			qs := &c.Modules[0].Items[2].Quiz.Questions
			for i := range MaxQuestions {
				*qs = append(*qs, Question{ID: fmt.Sprintf("q-%d", i), Kind: ShortText, Prompt: "?", Accept: []string{"x"}})
			}
		}, "modules[0].items[2].quiz.questions"},
		{"too many video questions", func(c *Course) {
			qs := &c.Modules[0].Items[0].Video.Questions
			for i := range MaxQuestions {
				*qs = append(*qs, VideoQuestion{At: 1, Question: Question{ID: fmt.Sprintf("q-%d", i), Kind: Numeric, Prompt: "?", Number: num(1)}})
			}
		}, "modules[0].items[0].video.questions"},
		{"too many choices", func(c *Course) {
			q := Question{ID: "q", Kind: MultipleAnswer, Prompt: "?"}
			for i := range MaxChoices + 1 {
				q.Choices = append(q.Choices, Choice{ID: fmt.Sprintf("c%d", i), Text: "C", Correct: true})
			}
			c.Modules[0].Items[2].Quiz.Questions[0] = q
		}, "modules[0].items[2].quiz.questions[0].choices"},
		{"too many accepted answers", func(c *Course) {
			q := &c.Modules[0].Items[2].Quiz.Questions[0]
			for i := range MaxAccepted + 1 {
				q.Accept = append(q.Accept, fmt.Sprint("a", i))
			}
		}, "modules[0].items[2].quiz.questions[0].accept"},
		{"prompt too long", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0].Prompt = strings.Repeat("é", MaxPromptLength+1)
		}, "modules[0].items[2].quiz.questions[0].prompt"},
		{"explanation too long", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0].Explanation = strings.Repeat("x", MaxFeedbackLength+1)
		}, "modules[0].items[2].quiz.questions[0].explanation"},
		{"accepted answer too long", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0].Accept = []string{strings.Repeat("x", MaxAcceptLength+1)}
		}, "modules[0].items[2].quiz.questions[0].accept[0]"},
		{"choice text too long", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0] = Question{ID: "q", Kind: SingleChoice, Prompt: "?",
				Choices: []Choice{{ID: "a", Text: strings.Repeat("x", MaxChoiceLength+1), Correct: true}, {ID: "b", Text: "B"}}}
		}, "modules[0].items[2].quiz.questions[0].choices[0].text"},
		{"choice feedback too long", func(c *Course) {
			c.Modules[0].Items[2].Quiz.Questions[0] = Question{ID: "q", Kind: SingleChoice, Prompt: "?",
				Choices: []Choice{{ID: "a", Text: "A", Correct: true, Feedback: strings.Repeat("x", MaxFeedbackLength+1)}, {ID: "b", Text: "B"}}}
		}, "modules[0].items[2].quiz.questions[0].choices[0].feedback"},
		{"language too long", func(c *Course) { c.Language = "en" + strings.Repeat("-abcdefgh", 10) }, "language"},
		{"too much text", func(c *Course) {
			for i := range 5 {
				c.Modules[0].Items = append(c.Modules[0].Items, Item{ID: fmt.Sprintf("big-%d", i), Kind: KindReading, Title: "R",
					Reading: &Reading{Markdown: strings.Repeat("x", MaxCourseTextBytes/4)}})
			}
		}, "modules[0].items[7].reading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCourse()
			tt.edit(c)
			err := c.Validate()
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}
