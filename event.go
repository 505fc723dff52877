package lyceum

import (
	"encoding/json"
	"time"
)

type EventType string

const (
	EventEnrolled         EventType = "enrolled"
	EventVideoPlayed      EventType = "video_played"
	EventVideoPaused      EventType = "video_paused"
	EventVideoSeeked      EventType = "video_seeked"
	EventVideoCompleted   EventType = "video_completed"
	EventQuestionAnswered EventType = "question_answered"
	EventQuizSubmitted    EventType = "quiz_submitted"
	EventItemOpened       EventType = "item_opened"
	EventItemCompleted    EventType = "item_completed"
	EventCourseCompleted  EventType = "course_completed"
	EventPageViewed       EventType = "page_viewed"
	EventSignedUp         EventType = "signed_up"

	// Course changes, so that readers of the log (the warehouse loader)
	// learn which courses to refresh.
	EventCourseImported    EventType = "course_imported"
	EventCoursePublished   EventType = "course_published"
	EventCourseUnpublished EventType = "course_unpublished"

	// A query reached the warehouse (the audit log; payload AuditEntry).
	EventQueryRan EventType = "query_ran"
)

// ClientEventTypes are the types a browser may report itself; the others are
// recorded by the server as a side effect of the action they describe.
var ClientEventTypes = map[EventType]bool{
	EventVideoPlayed: true, EventVideoPaused: true, EventVideoSeeked: true, EventPageViewed: true,
}

// An Event is one action, appended to the event log. ID is unique (a UUIDv7,
// so ids sort by time), which makes appending the same event twice harmless.
type Event struct {
	ID       string          `json:"id"`
	Time     time.Time       `json:"time"`
	Type     EventType       `json:"type"`
	UserID   string          `json:"userId,omitempty"`
	CourseID string          `json:"courseId,omitempty"`
	ItemID   string          `json:"itemId,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
}

// EventPosition is where a reader of the event log is. It is opaque: each
// engine encodes its own. The zero value is the start of the log.
type EventPosition string
