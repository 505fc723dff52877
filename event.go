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

	// A learner left a course (their progress is kept).
	EventUnenrolled EventType = "unenrolled"

	// A person changed their own account: profile fields (payload: the
	// names of the fields), password, or deleted it.
	EventProfileUpdated  EventType = "profile_updated"
	EventPasswordChanged EventType = "password_changed"
	EventAccountDeleted  EventType = "account_deleted"
	EventDataExported    EventType = "data_exported"

	// Admin actions. UserID is the admin; the payload (AdminAction) names
	// the account or course acted on.
	EventRoleChanged         EventType = "role_changed"
	EventUserDeactivated     EventType = "user_deactivated"
	EventUserReactivated     EventType = "user_reactivated"
	EventUserSignedOut       EventType = "user_signed_out"
	EventPasswordResetIssued EventType = "password_reset_issued"
	EventCourseTransferred   EventType = "course_transferred"
	EventAdminPublished      EventType = "admin_published"
	EventAdminUnpublished    EventType = "admin_unpublished"
)

// AuditEventTypes are the types the audit log lists: every admin action,
// publishing, every change to an account's access, and every query that
// reached the warehouse.
var AuditEventTypes = map[EventType]bool{
	EventQueryRan: true, EventRoleChanged: true, EventUserDeactivated: true, EventUserReactivated: true,
	EventUserSignedOut: true, EventPasswordResetIssued: true, EventCourseTransferred: true,
	EventCoursePublished: true, EventCourseUnpublished: true, EventPasswordChanged: true,
	EventAccountDeleted: true, EventDataExported: true,
}

// AdminAction is the payload of an admin action's event.
type AdminAction struct {
	// TargetUserID is the account acted on; CourseID (in the event) the
	// course.
	TargetUserID string `json:"targetUserId,omitempty"`
	// From and To are the value before and after (a role, an owner).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// AuditFilter selects audit events; zero fields select all.
type AuditFilter struct {
	UserID string    // who acted
	Type   EventType // one of AuditEventTypes
	// From and To bound the event time: From <= t < To.
	From, To time.Time
}

// An AuditPage is one page of the audit log, newest first; Next and
// SearchedTo as in UserPage.
type AuditPage struct {
	Events     []Event   `json:"events"`
	Next       string    `json:"next,omitempty"`
	SearchedTo time.Time `json:"searchedTo,omitzero"`
}

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
