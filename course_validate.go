package lyceum

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Validate checks that c is a well-formed course: ids are slugs and unique,
// every item has the content its kind needs, every question can be graded.
// The error names the first offending field, e.g.
// "modules[1].items[0].video.questions[2].choices: ...".
func (c *Course) Validate() error {
	if !SlugPattern.MatchString(c.ID) {
		return Invalid("id", "must be 1-63 lower-case letters, digits and dashes, got %q", c.ID)
	}
	if err := checkTitle("title", c.Title); err != nil {
		return err
	}
	if utf8.RuneCountInString(c.Summary) > 2000 {
		return Invalid("summary", "must be at most 2000 characters")
	}
	if len(c.Modules) == 0 {
		return Invalid("modules", "a course needs at least one module")
	}
	modules, items := map[string]bool{}, map[string]bool{}
	for mi := range c.Modules {
		m := &c.Modules[mi]
		mf := fmt.Sprintf("modules[%d]", mi)
		if !SlugPattern.MatchString(m.ID) {
			return Invalid(mf+".id", "must be lower-case letters, digits and dashes, got %q", m.ID)
		}
		if modules[m.ID] {
			return Invalid(mf+".id", "duplicate module id %q", m.ID)
		}
		modules[m.ID] = true
		if err := checkTitle(mf+".title", m.Title); err != nil {
			return err
		}
		if len(m.Items) == 0 {
			return Invalid(mf+".items", "a module needs at least one item")
		}
		for ii := range m.Items {
			it := &m.Items[ii]
			f := fmt.Sprintf("%s.items[%d]", mf, ii)
			if !SlugPattern.MatchString(it.ID) {
				return Invalid(f+".id", "must be lower-case letters, digits and dashes, got %q", it.ID)
			}
			if items[it.ID] {
				return Invalid(f+".id", "duplicate item id %q (item ids are unique within a course)", it.ID)
			}
			items[it.ID] = true
			if err := checkTitle(f+".title", it.Title); err != nil {
				return err
			}
			if err := it.validateContent(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (it *Item) validateContent(f string) error {
	set := 0
	for _, p := range []bool{it.Video != nil, it.Reading != nil, it.Quiz != nil, it.Assignment != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return Invalid(f, "an item has exactly one of video, reading, quiz, assignment")
	}
	switch it.Kind {
	case KindVideo:
		v := it.Video
		if v == nil {
			return Invalid(f+".video", "a video item needs a video")
		}
		if v.Blob == "" {
			return Invalid(f+".video.file", "is required")
		}
		if v.DurationSeconds <= 0 {
			return Invalid(f+".video.duration", "must be a positive number of seconds")
		}
		ids := map[string]bool{}
		for qi := range v.Questions {
			q := &v.Questions[qi]
			qf := fmt.Sprintf("%s.video.questions[%d]", f, qi)
			if q.At < 0 || q.At > v.DurationSeconds {
				return Invalid(qf+".at", "must be between 0 and the video's duration (%.1fs), got %.1f", v.DurationSeconds, q.At)
			}
			if ids[q.ID] {
				return Invalid(qf+".id", "duplicate question id %q", q.ID)
			}
			ids[q.ID] = true
			if err := q.Question.validate(qf); err != nil {
				return err
			}
		}
	case KindReading:
		if it.Reading == nil || strings.TrimSpace(it.Reading.Markdown) == "" {
			return Invalid(f+".reading", "a reading item needs Markdown text")
		}
	case KindQuiz:
		qz := it.Quiz
		if qz == nil || len(qz.Questions) == 0 {
			return Invalid(f+".quiz.questions", "a quiz needs at least one question")
		}
		if qz.PassPercent < 0 || qz.PassPercent > 100 {
			return Invalid(f+".quiz.passPercent", "must be between 0 and 100")
		}
		ids := map[string]bool{}
		for qi := range qz.Questions {
			q := &qz.Questions[qi]
			qf := fmt.Sprintf("%s.quiz.questions[%d]", f, qi)
			if ids[q.ID] {
				return Invalid(qf+".id", "duplicate question id %q", q.ID)
			}
			ids[q.ID] = true
			if err := q.validate(qf); err != nil {
				return err
			}
		}
	case KindAssignment:
		if it.Assignment == nil || strings.TrimSpace(it.Assignment.Instructions) == "" {
			return Invalid(f+".assignment", "an assignment needs instructions")
		}
	default:
		return Invalid(f+".kind", "must be one of video, reading, quiz, assignment; got %q", it.Kind)
	}
	return nil
}

func checkTitle(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return Invalid(field, "is required")
	}
	if utf8.RuneCountInString(s) > 200 {
		return Invalid(field, "must be at most 200 characters")
	}
	return nil
}
