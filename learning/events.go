package learning

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lyceum/lyceum"
)

// ClientEvent is what a browser reports about itself (POST /api/v1/events):
// a page view, or what the learner did with a video's controls. Everything
// else in the event log the server records itself, as a side effect of the
// action it describes, so a client can never claim an enrollment, a grade or
// a completion this way.
type ClientEvent struct {
	Type     lyceum.EventType `json:"type"`
	CourseID string           `json:"courseId,omitempty"`
	ItemID   string           `json:"itemId,omitempty"`
	// Payload depends on Type: {"path": "/courses/x"} for page_viewed,
	// {"position": 12.5} for the video events.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Time is refused: events carry the server's time, so that a client
	// cannot back-date or future-date what the warehouse holds.
	Time json.RawMessage `json:"time,omitempty"`
}

// Limits on what a client event may hold.
const (
	MaxClientEventPayload = 1024 // bytes of JSON
	MaxPageViewPath       = 512  // bytes
)

// TooManyEvents says a user reported more events than the rate limit allows,
// and how long to wait.
type TooManyEvents struct{ RetryAfter time.Duration }

func (e *TooManyEvents) Error() string {
	return fmt.Sprintf("too many events reported; try again in %d s", int(e.RetryAfter.Seconds())+1)
}

func (e *TooManyEvents) Unwrap() error { return lyceum.ErrTooMany }

// The payload of each client event type, as stored.
type pageViewPayload struct {
	Path string `json:"path"`
}

type videoControlPayload struct {
	Position float64 `json:"position"`
}

// RecordClientEvent checks an event a browser reports and records it for u.
// Only signed-in users report, within their rate limit (ClientEventLimit),
// about courses and items they can see; the type must be one a browser
// sees (lyceum.ClientEventTypes), the ids slugs, and the payload the type's
// small JSON object, which is stored re-encoded as checked.
func (s *Service) RecordClientEvent(ctx context.Context, u *lyceum.User, ev ClientEvent) error {
	if u == nil {
		return fmt.Errorf("sign in to report events: %w", lyceum.ErrUnauthorized)
	}
	if s.ClientEventLimit != nil {
		if ok, wait := s.ClientEventLimit.Allow(u.ID, s.now()); !ok {
			return &TooManyEvents{RetryAfter: wait}
		}
	}
	if !lyceum.ClientEventTypes[ev.Type] {
		return lyceum.Invalid("type", "a client may report page_viewed, video_played, video_paused or video_seeked; got %q", ev.Type)
	}
	if len(ev.Time) > 0 {
		return lyceum.Invalid("time", "events are stamped with the server's time; leave time out")
	}
	var c *lyceum.Course
	var it *lyceum.Item
	switch {
	case ev.CourseID != "":
		if !lyceum.SlugPattern.MatchString(ev.CourseID) {
			return lyceum.Invalid("courseId", "must be a course id (lower-case letters, digits and dashes), got %q", ev.CourseID)
		}
		var err error
		if c, err = s.visibleCourse(ctx, u, ev.CourseID); err != nil {
			return err
		}
	case ev.ItemID != "":
		return lyceum.Invalid("courseId", "an event about an item names its course too")
	}
	if ev.ItemID != "" {
		if !lyceum.SlugPattern.MatchString(ev.ItemID) {
			return lyceum.Invalid("itemId", "must be an item id (lower-case letters, digits and dashes), got %q", ev.ItemID)
		}
		var err error
		if it, _, err = c.Item(ev.ItemID); err != nil {
			return fmt.Errorf("item %s in %s: %w", ev.ItemID, c.ID, err)
		}
	}
	var payload any
	switch ev.Type {
	case lyceum.EventPageViewed:
		var p struct {
			Path *string `json:"path"`
		}
		if err := decodePayload(ev.Payload, &p, `{"path": "/courses/…"}`); err != nil {
			return err
		}
		if err := checkPagePath(p.Path); err != nil {
			return err
		}
		payload = pageViewPayload{Path: *p.Path}
	default: // the video controls
		if it == nil || it.Kind != lyceum.KindVideo {
			return lyceum.Invalid("itemId", "a %s event is about a video item: give its courseId and itemId", ev.Type)
		}
		var p struct {
			Position *float64 `json:"position"`
		}
		if err := decodePayload(ev.Payload, &p, `{"position": 12.5}`); err != nil {
			return err
		}
		if dur := it.Video.DurationSeconds; p.Position == nil || !finite(*p.Position) || *p.Position < 0 || *p.Position > dur+durationSlack {
			return lyceum.Invalid("payload.position", "must be the playback position in seconds, from 0 to the video's duration (%.1f s)", dur)
		}
		payload = videoControlPayload{Position: *p.Position}
	}
	e := s.newEvent(ev.Type, u, ev.CourseID, ev.ItemID, payload)
	return s.record(ctx, e)
}

// decodePayload decodes a client event's payload strictly into v: a JSON
// object of at most MaxClientEventPayload bytes with only v's keys.
func decodePayload(raw json.RawMessage, v any, example string) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return lyceum.Invalid("payload", "is required: %s", example)
	case len(raw) > MaxClientEventPayload:
		return lyceum.Invalid("payload", "must be at most %d bytes", MaxClientEventPayload)
	case raw[0] != '{':
		return lyceum.Invalid("payload", "must be a JSON object: %s", example)
	case !utf8.Valid(raw):
		return lyceum.Invalid("payload", "must be UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return lyceum.Invalid("payload."+te.Field, "must be %s, not %s", te.Type, te.Value)
		}
		return lyceum.Invalid("payload", "must be %s: %s", example, strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func checkPagePath(p *string) error {
	switch {
	case p == nil:
		return lyceum.Invalid("payload.path", "is required: the path of the page viewed, e.g. /courses/x")
	case len(*p) > MaxPageViewPath:
		return lyceum.Invalid("payload.path", "must be at most %d bytes", MaxPageViewPath)
	case !strings.HasPrefix(*p, "/") || strings.HasPrefix(*p, "//"):
		return lyceum.Invalid("payload.path", "must be a path on this site starting with one /, got %q", *p)
	case strings.ContainsFunc(*p, unicode.IsControl):
		return lyceum.Invalid("payload.path", "must not hold control characters")
	}
	return nil
}
