package lyceum

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// A Course is modules of items. It is stored and read as one document: the
// outline of a course is always needed whole, and a course is small.
type Course struct {
	ID       string `json:"id"` // slug, unique, chosen by the author
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Language string `json:"language"` // BCP 47 tag of the course's content, e.g. "en"
	// Tags are what the catalog's search and filters find the course by:
	// topics such as "statistics" or "python".
	Tags      []string  `json:"tags,omitempty"`
	OwnerID   string    `json:"ownerId"`
	Published bool      `json:"published"`
	Modules   []Module  `json:"modules"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// CourseSummary is what catalogs and listings show: no modules.
type CourseSummary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Language  string    `json:"language"`
	Tags      []string  `json:"tags,omitempty"`
	OwnerID   string    `json:"ownerId"`
	Published bool      `json:"published"`
	ItemCount int       `json:"itemCount"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Listing returns the listing view of c.
func (c *Course) Listing() CourseSummary {
	n := 0
	for _, m := range c.Modules {
		n += len(m.Items)
	}
	return CourseSummary{ID: c.ID, Title: c.Title, Summary: c.Summary, Language: c.Language, Tags: c.Tags,
		OwnerID: c.OwnerID, Published: c.Published, ItemCount: n, UpdatedAt: c.UpdatedAt}
}

// Item returns the item with the given id and the module holding it.
func (c *Course) Item(id string) (*Item, *Module, error) {
	for mi := range c.Modules {
		m := &c.Modules[mi]
		for ii := range m.Items {
			if m.Items[ii].ID == id {
				return &m.Items[ii], m, nil
			}
		}
	}
	return nil, nil, ErrNotFound
}

type Module struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Items []Item `json:"items"`
}

type ItemKind string

const (
	KindVideo      ItemKind = "video"
	KindReading    ItemKind = "reading"
	KindQuiz       ItemKind = "quiz"
	KindAssignment ItemKind = "assignment"
)

// An Item is one step of a module. Exactly one of Video, Reading, Quiz and
// Assignment is set, matching Kind.
type Item struct {
	ID       string   `json:"id"`
	Kind     ItemKind `json:"kind"`
	Title    string   `json:"title"`
	Optional bool     `json:"optional,omitempty"` // optional items do not count toward course completion

	Video      *Video      `json:"video,omitempty"`
	Reading    *Reading    `json:"reading,omitempty"`
	Quiz       *Quiz       `json:"quiz,omitempty"`
	Assignment *Assignment `json:"assignment,omitempty"`
}

// Video is a lecture: a video file in the blob store and the questions that
// pause it at given times.
type Video struct {
	Blob            string          `json:"blob"` // blob store key of the video file
	ContentType     string          `json:"contentType"`
	DurationSeconds float64         `json:"durationSeconds"`
	Captions        string          `json:"captions,omitempty"` // blob key of a WebVTT file
	Transcript      string          `json:"transcript,omitempty"`
	Questions       []VideoQuestion `json:"questions"`
}

// VideoQuestion is a question shown over the video at At seconds.
type VideoQuestion struct {
	At float64 `json:"at"`
	Question
}

type Reading struct {
	Markdown string `json:"markdown"`
}

// Quiz is a graded quiz. PassPercent is the score a learner needs for the quiz
// to count as passed; the item completes on submission either way.
type Quiz struct {
	PassPercent float64    `json:"passPercent"`
	Questions   []Question `json:"questions"`
}

// Assignment is a peer-assessed assignment. Only its description exists yet.
type Assignment struct {
	Instructions string `json:"instructions"` // Markdown
}

// SlugPattern is what course, module, item and question ids look like.
var SlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// TimeNow is the clock used for timestamps the domain sets itself. Tests
// may not replace it; it exists so that every timestamp is UTC and truncated
// the same way on every engine.
func TimeNow() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// SortCourseSummaries orders listings by title (ignoring case), then id: the
// order every engine returns them in.
func SortCourseSummaries(list []CourseSummary) {
	slices.SortFunc(list, func(a, b CourseSummary) int {
		if c := strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
