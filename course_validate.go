package lyceum

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a course holds, so that no course (however it arrives) can
// make its pages or grades misbehave: a sum of points that overflows to
// infinity, an outline too long to show, a document too large to store.
// docs/course-bundle.md lists them for authors.
const (
	MaxModules         = 100  // per course
	MaxItemsPerModule  = 200  // per module
	MaxItems           = 1000 // per course
	MaxQuestions       = 200  // per quiz, and per video
	MaxChoices         = 50   // per question
	MaxAccepted        = 50   // accepted answers of a text question
	MaxPoints          = 1000 // what one question scores
	MaxVideoSeconds    = 24 * 60 * 60
	MaxAnswerMagnitude = 1e15 // of a numeric question's number and tolerance
	MaxTitleLength     = 200  // characters, of a course, module or item title
	MaxSummaryLength   = 2000 // characters
	MaxPromptLength    = 2000 // characters
	MaxChoiceLength    = 500  // characters of a choice's text
	MaxFeedbackLength  = 2000 // characters of a choice's feedback or a question's explanation
	MaxAcceptLength    = 200  // characters of one accepted answer
	MaxLanguageLength  = 35   // characters of a BCP 47 tag
	MaxTags            = 10   // tags of a course
	MaxTagLength       = 30   // characters of a tag
	// MaxCourseTextBytes bounds the readings, assignment instructions and
	// transcripts of one course together: the course is stored and read as
	// one document.
	MaxCourseTextBytes = 8 << 20
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
	if utf8.RuneCountInString(c.Summary) > MaxSummaryLength {
		return Invalid("summary", "must be at most %d characters", MaxSummaryLength)
	}
	if utf8.RuneCountInString(c.Language) > MaxLanguageLength {
		return Invalid("language", "must be at most %d characters", MaxLanguageLength)
	}
	if err := checkTags(c.Tags); err != nil {
		return err
	}
	if len(c.Modules) == 0 {
		return Invalid("modules", "a course needs at least one module")
	}
	if len(c.Modules) > MaxModules {
		return Invalid("modules", "a course has at most %d modules, this one %d", MaxModules, len(c.Modules))
	}
	if n := c.itemCount(); n > MaxItems {
		return Invalid("modules", "a course has at most %d items, this one %d", MaxItems, n)
	}
	text := 0 // bytes of readings, instructions and transcripts so far
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
		if len(m.Items) > MaxItemsPerModule {
			return Invalid(mf+".items", "a module has at most %d items, this one %d", MaxItemsPerModule, len(m.Items))
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
			if text += it.textBytes(); text > MaxCourseTextBytes {
				return Invalid(f+"."+string(it.Kind), "the course's readings, instructions and transcripts are over %d MiB together", MaxCourseTextBytes>>20)
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
		if !finite(v.DurationSeconds) || v.DurationSeconds <= 0 || v.DurationSeconds > MaxVideoSeconds {
			return Invalid(f+".video.duration", "must be a positive number of seconds, at most %d (24 hours)", MaxVideoSeconds)
		}
		if len(v.Questions) > MaxQuestions {
			return Invalid(f+".video.questions", "a video has at most %d questions, this one %d", MaxQuestions, len(v.Questions))
		}
		ids := map[string]bool{}
		for qi := range v.Questions {
			q := &v.Questions[qi]
			qf := fmt.Sprintf("%s.video.questions[%d]", f, qi)
			if !finite(q.At) || q.At < 0 || q.At > v.DurationSeconds {
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
		if len(qz.Questions) > MaxQuestions {
			return Invalid(f+".quiz.questions", "a quiz has at most %d questions, this one %d", MaxQuestions, len(qz.Questions))
		}
		if !finite(qz.PassPercent) || qz.PassPercent < 0 || qz.PassPercent > 100 {
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
	return checkLength(field, s, MaxTitleLength)
}

// checkLength refuses s if it is longer than max characters.
func checkLength(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return Invalid(field, "must be at most %d characters", max)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (c *Course) itemCount() int {
	n := 0
	for _, m := range c.Modules {
		n += len(m.Items)
	}
	return n
}

// textBytes is the size of its long texts: a reading, instructions, a
// transcript.
func (it *Item) textBytes() int {
	switch {
	case it.Reading != nil:
		return len(it.Reading.Markdown)
	case it.Assignment != nil:
		return len(it.Assignment.Instructions)
	case it.Video != nil:
		return len(it.Video.Transcript)
	}
	return 0
}

// checkTags checks a course's tags: at most MaxTags, each 1 to
// MaxTagLength characters of lower-case letters, digits, spaces and
// dashes, none twice.
func checkTags(tags []string) error {
	if len(tags) > MaxTags {
		return Invalid("tags", "a course has at most %d tags, this one %d", MaxTags, len(tags))
	}
	seen := map[string]bool{}
	for i, t := range tags {
		field := fmt.Sprintf("tags[%d]", i)
		if t == "" || utf8.RuneCountInString(t) > MaxTagLength || strings.TrimSpace(t) != t {
			return Invalid(field, "must be 1 to %d characters without spaces at either end, got %q", MaxTagLength, t)
		}
		if strings.IndexFunc(t, func(r rune) bool { return !(unicode.IsLower(r) || unicode.IsDigit(r) || r == ' ' || r == '-') }) >= 0 {
			return Invalid(field, "must be lower-case letters, digits, spaces and dashes, got %q", t)
		}
		if seen[t] {
			return Invalid(field, "%q is listed twice", t)
		}
		seen[t] = true
	}
	return nil
}
