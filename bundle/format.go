package bundle

// The types below are course.yaml, field for field. They are decoded by
// decode.go (which reports unknown keys and wrong types with their path and
// line) and encoded by yaml.v3 in write.go, so the yaml tags are the format:
// change a tag and docs/course-bundle.md must change with it.
//
// Field names match the paths the domain's Course.Validate uses in its
// errors ("modules[0].items[2].quiz.passPercent", "...video.file"), so that
// a domain error points at the key the author wrote.

type courseFile struct {
	ID       string       `yaml:"id"`
	Title    string       `yaml:"title"`
	Summary  string       `yaml:"summary,omitempty"`
	Language string       `yaml:"language,omitempty"`
	Tags     []string     `yaml:"tags,omitempty"`
	Modules  []moduleFile `yaml:"modules"`
}

type moduleFile struct {
	ID    string     `yaml:"id"`
	Title string     `yaml:"title"`
	Items []itemFile `yaml:"items"`
}

// itemFile is one item; which of Video, Reading, Quiz and Assignment is
// present says its kind.
type itemFile struct {
	ID         string          `yaml:"id"`
	Title      string          `yaml:"title"`
	Optional   bool            `yaml:"optional,omitempty"`
	Video      *videoFile      `yaml:"video,omitempty"`
	Reading    *string         `yaml:"reading,omitempty"` // path of a Markdown file
	Quiz       *quizFile       `yaml:"quiz,omitempty"`
	Assignment *assignmentFile `yaml:"assignment,omitempty"`
}

type videoFile struct {
	File       string              `yaml:"file"`
	Duration   *float64            `yaml:"duration,omitempty"`   // seconds; read from the file when absent
	Captions   string              `yaml:"captions,omitempty"`   // path of a WebVTT file
	Transcript string              `yaml:"transcript,omitempty"` // path of a UTF-8 text file
	Questions  []videoQuestionFile `yaml:"questions,omitempty"`
}

type videoQuestionFile struct {
	At           *float64 `yaml:"at"`
	questionFile `yaml:",inline"`
}

type quizFile struct {
	PassPercent *float64       `yaml:"passPercent"`
	Questions   []questionFile `yaml:"questions"`
}

type assignmentFile struct {
	Instructions string `yaml:"instructions"` // path of a Markdown file
}

type questionFile struct {
	ID          string       `yaml:"id"`
	Kind        string       `yaml:"kind"`
	Prompt      string       `yaml:"prompt"`
	Points      *float64     `yaml:"points,omitempty"` // absent: 1
	Choices     []choiceFile `yaml:"choices,omitempty"`
	Number      *float64     `yaml:"number,omitempty"`
	Tolerance   float64      `yaml:"tolerance,omitempty"`
	Accept      []string     `yaml:"accept,omitempty"`
	Explanation string       `yaml:"explanation,omitempty"`
}

type choiceFile struct {
	ID       string `yaml:"id"`
	Text     string `yaml:"text"`
	Correct  bool   `yaml:"correct,omitempty"`
	Feedback string `yaml:"feedback,omitempty"`
}
