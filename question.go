package lyceum

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

type QuestionKind string

const (
	SingleChoice   QuestionKind = "single"   // exactly one correct choice
	MultipleAnswer QuestionKind = "multiple" // every correct choice and no other
	Numeric        QuestionKind = "numeric"  // a number within Tolerance of Number
	ShortText      QuestionKind = "text"     // one of Accept, compared without case and extra spaces
)

// A Question is asked in a quiz or over a video. The fields that hold the
// answer (Correct, Number, Tolerance, Accept) never leave the server before
// the learner has answered: see Public.
type Question struct {
	ID          string       `json:"id"`
	Kind        QuestionKind `json:"kind"`
	Prompt      string       `json:"prompt"`
	Choices     []Choice     `json:"choices,omitempty"`
	Number      *float64     `json:"number,omitempty"`
	Tolerance   float64      `json:"tolerance,omitempty"`
	Accept      []string     `json:"accept,omitempty"`
	Explanation string       `json:"explanation,omitempty"` // shown after answering
	Points      float64      `json:"points,omitempty"`      // 0 means 1
}

type Choice struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Correct  bool   `json:"correct,omitempty"`
	Feedback string `json:"feedback,omitempty"` // shown when this choice was picked
}

// Response is a learner's answer to one question. Which field is used depends
// on the question's kind.
type Response struct {
	Choices []string `json:"choices,omitempty"` // single: one id; multiple: any number
	Number  *float64 `json:"number,omitempty"`
	Text    string   `json:"text,omitempty"`
}

// Grade is the result of grading one response.
type Grade struct {
	Correct  bool     `json:"correct"`
	Score    float64  `json:"score"`
	Max      float64  `json:"max"`
	Feedback []string `json:"feedback,omitempty"` // choice feedback, then the explanation
}

// MaxPoints is what a fully correct answer scores.
func (q *Question) MaxPoints() float64 {
	if q.Points <= 0 {
		return 1
	}
	return q.Points
}

// Grade grades r against q. It returns a *ValidationError when r is not a
// possible answer to q (an unknown choice, a missing number), so that a
// malformed answer is a 4xx and never silently wrong.
func (q *Question) Grade(r Response) (Grade, error) {
	g := Grade{Max: q.MaxPoints()}
	switch q.Kind {
	case SingleChoice, MultipleAnswer:
		if len(r.Choices) == 0 {
			return g, Invalid("choices", "pick at least one choice")
		}
		if q.Kind == SingleChoice && len(r.Choices) != 1 {
			return g, Invalid("choices", "pick exactly one choice")
		}
		picked := map[string]bool{}
		for _, id := range r.Choices {
			c := q.choice(id)
			if c == nil {
				return g, Invalid("choices", "unknown choice %q", id)
			}
			if picked[id] {
				return g, Invalid("choices", "choice %q picked twice", id)
			}
			picked[id] = true
			if c.Feedback != "" {
				g.Feedback = append(g.Feedback, c.Feedback)
			}
		}
		g.Correct = true
		for _, c := range q.Choices {
			if c.Correct != picked[c.ID] {
				g.Correct = false
			}
		}
	case Numeric:
		if r.Number == nil || math.IsNaN(*r.Number) || math.IsInf(*r.Number, 0) {
			return g, Invalid("number", "enter a number")
		}
		g.Correct = math.Abs(*r.Number-*q.Number) <= q.Tolerance
	case ShortText:
		got := normalizeText(r.Text)
		if got == "" {
			return g, Invalid("text", "enter an answer")
		}
		g.Correct = slices.ContainsFunc(q.Accept, func(a string) bool { return normalizeText(a) == got })
	default:
		return g, fmt.Errorf("question %s: unknown kind %q", q.ID, q.Kind)
	}
	if g.Correct {
		g.Score = g.Max
	}
	if q.Explanation != "" {
		g.Feedback = append(g.Feedback, q.Explanation)
	}
	return g, nil
}

func (q *Question) choice(id string) *Choice {
	for i := range q.Choices {
		if q.Choices[i].ID == id {
			return &q.Choices[i]
		}
	}
	return nil
}

// Public returns q without anything that gives the answer away.
func (q Question) Public() Question {
	q.Number, q.Tolerance, q.Accept, q.Explanation = nil, 0, nil, ""
	cs := make([]Choice, len(q.Choices))
	for i, c := range q.Choices {
		cs[i] = Choice{ID: c.ID, Text: c.Text}
	}
	q.Choices = cs
	return q
}

// normalizeText lower-cases s and collapses runs of white space, so that
// "  Paris " and "paris" are the same answer.
func normalizeText(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
}

// validate checks that q is well formed; field is its path for messages.
func (q *Question) validate(field string) error {
	if !SlugPattern.MatchString(q.ID) {
		return Invalid(field+".id", "must be lower-case letters, digits and dashes, got %q", q.ID)
	}
	if strings.TrimSpace(q.Prompt) == "" {
		return Invalid(field+".prompt", "is required")
	}
	if err := checkLength(field+".prompt", q.Prompt, MaxPromptLength); err != nil {
		return err
	}
	if err := checkLength(field+".explanation", q.Explanation, MaxFeedbackLength); err != nil {
		return err
	}
	if !finite(q.Points) || q.Points < 0 || q.Points > MaxPoints {
		return Invalid(field+".points", "must be a positive number of points, at most %d", MaxPoints)
	}
	switch q.Kind {
	case SingleChoice, MultipleAnswer:
		if len(q.Choices) < 2 {
			return Invalid(field+".choices", "a %s question needs at least two choices", q.Kind)
		}
		if len(q.Choices) > MaxChoices {
			return Invalid(field+".choices", "a question has at most %d choices, this one %d", MaxChoices, len(q.Choices))
		}
		ids, correct := map[string]bool{}, 0
		for i, c := range q.Choices {
			cf := fmt.Sprintf("%s.choices[%d]", field, i)
			if !SlugPattern.MatchString(c.ID) {
				return Invalid(cf+".id", "must be lower-case letters, digits and dashes, got %q", c.ID)
			}
			if ids[c.ID] {
				return Invalid(cf+".id", "duplicate choice id %q", c.ID)
			}
			ids[c.ID] = true
			if strings.TrimSpace(c.Text) == "" {
				return Invalid(cf+".text", "is required")
			}
			if err := checkLength(cf+".text", c.Text, MaxChoiceLength); err != nil {
				return err
			}
			if err := checkLength(cf+".feedback", c.Feedback, MaxFeedbackLength); err != nil {
				return err
			}
			if c.Correct {
				correct++
			}
		}
		if q.Kind == SingleChoice && correct != 1 {
			return Invalid(field+".choices", "a single-choice question needs exactly one correct choice, has %d", correct)
		}
		if q.Kind == MultipleAnswer && correct < 1 {
			return Invalid(field+".choices", "a multiple-answer question needs at least one correct choice")
		}
	case Numeric:
		if q.Number == nil {
			return Invalid(field+".number", "a numeric question needs the correct number")
		}
		if n := *q.Number; !finite(n) || math.Abs(n) > MaxAnswerMagnitude {
			return Invalid(field+".number", "must be a number between %g and %g", -MaxAnswerMagnitude, MaxAnswerMagnitude)
		}
		if !finite(q.Tolerance) || q.Tolerance < 0 || q.Tolerance > MaxAnswerMagnitude {
			return Invalid(field+".tolerance", "must be a number from 0 to %g", MaxAnswerMagnitude)
		}
	case ShortText:
		if len(q.Accept) == 0 {
			return Invalid(field+".accept", "a text question needs at least one accepted answer")
		}
		if len(q.Accept) > MaxAccepted {
			return Invalid(field+".accept", "a question accepts at most %d answers, this one %d", MaxAccepted, len(q.Accept))
		}
		for i, a := range q.Accept {
			af := fmt.Sprintf("%s.accept[%d]", field, i)
			if normalizeText(a) == "" {
				return Invalid(af, "must not be empty")
			}
			if err := checkLength(af, a, MaxAcceptLength); err != nil {
				return err
			}
		}
	default:
		return Invalid(field+".kind", "must be one of single, multiple, numeric, text; got %q", q.Kind)
	}
	return nil
}
