package learning

import (
	"math"
	"time"

	"github.com/lyceum/lyceum"
)

// CompletionWatchedFraction is how much of a video must be watched, in
// addition to answering its questions, for it to complete.
const CompletionWatchedFraction = 0.9

type ItemState string

const (
	NotStarted ItemState = "not_started"
	InProgress ItemState = "in_progress"
	Completed  ItemState = "completed"
)

// ItemStatus is one learner's state in one item, as the UI shows it.
type ItemStatus struct {
	Status         ItemState  `json:"status"`
	CompletedAt    *time.Time `json:"completedAt,omitempty"`
	Position       float64    `json:"position"`
	WatchedPercent *float64   `json:"watchedPercent,omitempty"`
	Score          *float64   `json:"score,omitempty"`
	MaxScore       *float64   `json:"maxScore,omitempty"`
}

type ModuleProgress struct {
	ModuleID       string  `json:"moduleId"`
	CompletedItems int     `json:"completedItems"`
	RequiredItems  int     `json:"requiredItems"`
	Score          float64 `json:"score"`
	MaxScore       float64 `json:"maxScore"`
}

// CourseProgress is a learner's completion and grades in one course.
type CourseProgress struct {
	Percent        float64               `json:"percent"`
	CompletedItems int                   `json:"completedItems"`
	RequiredItems  int                   `json:"requiredItems"`
	CompletedAt    *time.Time            `json:"completedAt,omitempty"`
	Score          float64               `json:"score"`
	MaxScore       float64               `json:"maxScore"`
	Items          map[string]ItemStatus `json:"items"`
	Modules        []ModuleProgress      `json:"modules"`
}

// Required reports whether it counts toward course completion. Peer-assessed
// assignments do not yet: they complete through peer review, which does not
// exist yet.
func Required(it *lyceum.Item) bool {
	return !it.Optional && it.Kind != lyceum.KindAssignment
}

// learnerState is everything about one learner in one course that progress
// is computed from.
type learnerState struct {
	progress map[string]*lyceum.ItemProgress     // by item id
	answers  map[string]map[string]lyceum.Answer // item id → question id → answer
}

func newLearnerState(progress []lyceum.ItemProgress, answers []lyceum.Answer) *learnerState {
	s := &learnerState{progress: map[string]*lyceum.ItemProgress{}, answers: map[string]map[string]lyceum.Answer{}}
	for i := range progress {
		s.progress[progress[i].ItemID] = &progress[i]
	}
	for _, a := range answers {
		if s.answers[a.ItemID] == nil {
			s.answers[a.ItemID] = map[string]lyceum.Answer{}
		}
		s.answers[a.ItemID][a.QuestionID] = a
	}
	return s
}

// videoDone reports whether a video meets its completion rule.
func (s *learnerState) videoDone(it *lyceum.Item) bool {
	if s.progress[it.ID].WatchedFraction(it.Video) < CompletionWatchedFraction {
		return false
	}
	for _, q := range it.Video.Questions {
		if _, ok := s.answers[it.ID][q.ID]; !ok {
			return false
		}
	}
	return true
}

func (s *learnerState) status(it *lyceum.Item) ItemStatus {
	p := s.progress[it.ID]
	st := ItemStatus{Status: NotStarted}
	if p != nil || len(s.answers[it.ID]) > 0 {
		st.Status = InProgress
	}
	if p != nil {
		st.Position = p.Position
		if p.CompletedAt != nil {
			st.Status, st.CompletedAt = Completed, p.CompletedAt
		}
	}
	switch it.Kind {
	case lyceum.KindVideo:
		w := p.WatchedPercent(it.Video)
		st.WatchedPercent = &w
		if n := len(it.Video.Questions); n > 0 {
			var score, max float64
			for _, q := range it.Video.Questions {
				max += q.MaxPoints()
				if a, ok := s.answers[it.ID][q.ID]; ok {
					score += a.Grade.Score
				}
			}
			st.Score, st.MaxScore = &score, &max
		}
	case lyceum.KindQuiz:
		max := 0.0
		for _, q := range it.Quiz.Questions {
			max += q.MaxPoints()
		}
		st.MaxScore = &max
		if p != nil && p.Score != nil {
			score := *p.Score
			st.Score = &score
		}
	}
	return st
}

// computeProgress is the learner's progress in course c.
func computeProgress(c *lyceum.Course, e *lyceum.Enrollment, s *learnerState) *CourseProgress {
	cp := &CourseProgress{Items: map[string]ItemStatus{}, Modules: []ModuleProgress{}}
	if e != nil {
		cp.CompletedAt = e.CompletedAt
	}
	for mi := range c.Modules {
		m := &c.Modules[mi]
		mp := ModuleProgress{ModuleID: m.ID}
		for ii := range m.Items {
			it := &m.Items[ii]
			st := s.status(it)
			cp.Items[it.ID] = st
			if Required(it) {
				mp.RequiredItems++
				if st.Status == Completed {
					mp.CompletedItems++
				}
			}
			if st.MaxScore != nil {
				mp.MaxScore += *st.MaxScore
				if st.Score != nil {
					mp.Score += *st.Score
				}
			}
		}
		cp.Modules = append(cp.Modules, mp)
		cp.RequiredItems += mp.RequiredItems
		cp.CompletedItems += mp.CompletedItems
		cp.Score += mp.Score
		cp.MaxScore += mp.MaxScore
	}
	if cp.RequiredItems > 0 {
		cp.Percent = math.Round(float64(cp.CompletedItems)/float64(cp.RequiredItems)*1000) / 10
	} else {
		cp.Percent = 100
	}
	return cp
}

// allRequiredDone reports whether every required item of c is completed.
func (cp *CourseProgress) allRequiredDone() bool {
	return cp.CompletedItems == cp.RequiredItems
}
