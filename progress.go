package lyceum

import (
	"math"
	"slices"
	"time"
)

// Enrollment is one learner in one course.
type Enrollment struct {
	UserID      string     `json:"userId"`
	CourseID    string     `json:"courseId"`
	EnrolledAt  time.Time  `json:"enrolledAt"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	// LeftAt is when the learner left the course; nil while they take
	// it. Their progress is kept, and enrolling again clears it.
	LeftAt *time.Time `json:"leftAt,omitempty"`
}

// ItemKey names one learner's state in one item.
type ItemKey struct {
	UserID   string
	CourseID string
	ItemID   string
}

// WatchSegmentSeconds is the resolution at which video watching is tracked:
// segment i covers [i*s, (i+1)*s). A video counts as watched when enough of
// its segments are, so seeking to the end does not complete it.
const WatchSegmentSeconds = 1.0

// MaxPlaybackRate is the fastest a learner can watch: the player's top
// speed (the browsers' own video controls offer up to 2×). Watched segments
// count only as far as this rate allows in the time since the learner
// started watching (WatchedSegments), so a script cannot claim a video
// watched faster than a learner could have watched it.
const MaxPlaybackRate = 2.0

// WatchGraceSeconds of video count on top of that: a player's first report
// may reach the server before its "played", networks delay reports
// unevenly, and ranges round to whole segments.
const WatchGraceSeconds = 10.0

// ItemProgress is one learner's state in one item.
type ItemProgress struct {
	UserID   string     `json:"-"`
	CourseID string     `json:"-"`
	ItemID   string     `json:"itemId"`
	OpenedAt *time.Time `json:"openedAt,omitempty"`
	Position float64    `json:"position"` // resume position in a video, seconds
	// LegacyWatched are segment indices, sorted, recorded before watching
	// was timed (migration 0005); they count as watched as they are.
	LegacyWatched []int `json:"-"`
	// WatchStartedAt is when the learner first reported watching this
	// video, on any device.
	WatchStartedAt *time.Time `json:"-"`
	// WatchedAt holds every segment reported watched since, with the time
	// of its latest report. Which of them count is WatchedSegments' rule.
	WatchedAt   map[int]time.Time `json:"-"`
	CompletedAt *time.Time        `json:"completedAt,omitempty"`
	Score       *float64          `json:"score,omitempty"` // best quiz score
	MaxScore    float64           `json:"maxScore,omitempty"`
	UpdatedAt   time.Time         `json:"updatedAt"`
}

// WatchedFraction is the share of video v's segments p watched; 0 when
// there is no progress yet.
func (p *ItemProgress) WatchedFraction(v *Video) float64 {
	if p == nil || v == nil {
		return 0
	}
	total := int(math.Ceil(v.DurationSeconds / WatchSegmentSeconds))
	if total <= 0 {
		return 0
	}
	n := 0
	for _, s := range p.WatchedSegments() {
		if s >= 0 && s < total {
			n++
		}
	}
	return float64(n) / float64(total)
}

// WatchAllowance is how many segments may count as watched, at t, for a
// learner who started watching at start: as many as MaxPlaybackRate plays
// in the time between, and WatchGraceSeconds more.
func WatchAllowance(start, t time.Time) int {
	secs := max(t.Sub(start).Seconds(), 0)
	n := (secs*MaxPlaybackRate + WatchGraceSeconds) / WatchSegmentSeconds
	if n >= math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// WatchedSegments returns the segments that count as watched, sorted: the
// legacy ones, and the reported ones taken in the order they were reported
// (then by segment), each only while the allowance at the time of its
// report (WatchAllowance) has room for it. Because the rule reads only what
// is stored, reports that raced each other past the allowance do not count
// either, however the store interleaved their writes.
func (p *ItemProgress) WatchedSegments() []int {
	counted, _ := p.countedSegments()
	out := make([]int, 0, len(counted))
	for s := range counted {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// countedSegments is WatchedSegments as a set, and how many of them are
// timed (not legacy).
func (p *ItemProgress) countedSegments() (map[int]bool, int) {
	counted := map[int]bool{}
	if p == nil {
		return counted, 0
	}
	for _, s := range p.LegacyWatched {
		counted[s] = true
	}
	type report struct {
		seg int
		at  time.Time
	}
	reports := make([]report, 0, len(p.WatchedAt))
	for s, at := range p.WatchedAt {
		if !counted[s] {
			reports = append(reports, report{s, at})
		}
	}
	slices.SortFunc(reports, func(a, b report) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.seg - b.seg
	})
	start := p.watchStart(time.Time{})
	timed := 0
	for _, r := range reports {
		if timed < WatchAllowance(start, r.at) {
			counted[r.seg] = true
			timed++
		}
	}
	return counted, timed
}

// watchStart is when the learner started watching: WatchStartedAt, else
// the earliest report, else now.
func (p *ItemProgress) watchStart(now time.Time) time.Time {
	if p == nil {
		return now
	}
	if p.WatchStartedAt != nil {
		return *p.WatchStartedAt
	}
	start := now
	for _, at := range p.WatchedAt {
		if start.IsZero() || at.Before(start) {
			start = at
		}
	}
	return start
}

// NewlyWatched returns which of the segments a report made at now says
// were watched to record, with now as their time: those that do not count
// yet, from the first one, as many as the allowance at now has room for.
// The rest are not recorded: they count once reported again in time.
func (p *ItemProgress) NewlyWatched(segments []int, now time.Time) map[int]time.Time {
	counted, timed := p.countedSegments()
	room := WatchAllowance(p.watchStart(now), now) - timed
	out := map[int]time.Time{}
	for _, s := range segments {
		if room <= 0 {
			break
		}
		if _, dup := out[s]; !dup && !counted[s] {
			out[s] = now
			room--
		}
	}
	return out
}

// WatchedPercent is WatchedFraction in percent, to a tenth: what learners
// see and the warehouse holds.
func (p *ItemProgress) WatchedPercent(v *Video) float64 {
	return math.Round(p.WatchedFraction(v)*1000) / 10
}

// ProgressUpdate changes some columns of an ItemProgress and leaves the rest.
// Every field is idempotent to apply twice: watched segments are merged into
// a map, the start is kept once set, the others overwrite.
type ProgressUpdate struct {
	Opened   *time.Time
	Position *float64
	// WatchStarted sets WatchStartedAt unless one is stored: the first
	// start stays.
	WatchStarted *time.Time
	// WatchedAt adds reported segments with the time of the report; a
	// segment reported again takes the new time.
	WatchedAt map[int]time.Time
	Completed *time.Time
	Score     *float64
	MaxScore  float64
	At        time.Time // the time of the change; becomes UpdatedAt
}

// Answer is a learner's latest answer to one in-video question.
type Answer struct {
	UserID     string    `json:"-"`
	CourseID   string    `json:"-"`
	ItemID     string    `json:"itemId"`
	QuestionID string    `json:"questionId"`
	Response   Response  `json:"response"`
	Grade      Grade     `json:"grade"`
	AnsweredAt time.Time `json:"answeredAt"`
}

// QuizSubmission is one graded attempt at a quiz.
type QuizSubmission struct {
	ID          string              `json:"id"`
	UserID      string              `json:"-"`
	CourseID    string              `json:"courseId"`
	ItemID      string              `json:"itemId"`
	Responses   map[string]Response `json:"responses"`
	Grades      map[string]Grade    `json:"grades"`
	Score       float64             `json:"score"`
	MaxScore    float64             `json:"maxScore"`
	SubmittedAt time.Time           `json:"submittedAt"`
}
