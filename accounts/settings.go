package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
)

// What every person may do with their own account: change their profile
// and password, see and end their sessions, download their data, and
// delete the account.

// record appends one event by actor.
func (s *Service) record(ctx context.Context, typ lyceum.EventType, actor, courseID string, payload any) error {
	e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: s.now(), Type: typ, UserID: actor, CourseID: courseID}
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		e.Payload = b
	}
	return s.Store.AppendEvents(ctx, e)
}

// ProfileChange holds the fields to change; nil ones stay.
type ProfileChange struct {
	Name     *string `json:"name"`
	Language *string `json:"language"`
	TimeZone *string `json:"timeZone"`
}

// checkName trims and checks a person's name.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", lyceum.Invalid("name", "is required")
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", lyceum.Invalid("name", "must be at most 100 characters")
	}
	return name, nil
}

// CheckTimeZone accepts "" (the browser's zone) or an IANA zone name.
func CheckTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	// LoadLocation also takes "Local" and file paths' shapes; a zone name
	// is letters, digits and _+-/ only, without "..".
	valid := len(tz) <= 64 && tz != "Local" && !strings.Contains(tz, "..") && strings.IndexFunc(tz, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_+-/", r))
	}) < 0
	if valid {
		if _, err := time.LoadLocation(tz); err == nil {
			return nil
		}
	}
	return lyceum.Invalid("timeZone", "%q is not a time zone name such as Europe/Paris or America/New_York", tz)
}

// UpdateProfile changes u's name, language or time zone.
func (s *Service) UpdateProfile(ctx context.Context, u *lyceum.User, c ProfileChange) (*lyceum.User, error) {
	next := *u
	var changed []string
	if c.Name != nil {
		name, err := checkName(*c.Name)
		if err != nil {
			return nil, err
		}
		next.Name, changed = name, append(changed, "name")
	}
	if c.Language != nil {
		if *c.Language != "" && !slices.Contains(lyceum.UILanguages, *c.Language) {
			return nil, lyceum.Invalid("language", "must be one of %s, or empty for the browser's; got %q",
				strings.Join(lyceum.UILanguages, ", "), *c.Language)
		}
		next.Language, changed = *c.Language, append(changed, "language")
	}
	if c.TimeZone != nil {
		if err := CheckTimeZone(*c.TimeZone); err != nil {
			return nil, err
		}
		next.TimeZone, changed = *c.TimeZone, append(changed, "timeZone")
	}
	if len(changed) == 0 {
		return u, nil
	}
	if err := s.Store.UpdateUser(ctx, &next); err != nil {
		return nil, err
	}
	if err := s.record(ctx, lyceum.EventProfileUpdated, u.ID, "", map[string]any{"fields": changed}); err != nil {
		return nil, err
	}
	return &next, nil
}

// checkPassword checks u's current password, with the sign-in limits: a
// stolen session cannot guess it at leisure.
func (s *Service) checkPassword(ctx context.Context, u *lyceum.User, password string, client Client) error {
	attempt, err := s.takeAttempt(u.Email, client.Addr)
	if err != nil {
		return err
	}
	ok, err := s.verify(ctx, password, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return lyceum.Invalid("currentPassword", "is not your current password")
	}
	attempt.refund()
	return nil
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of u (keep is the one in use).
func (s *Service) ChangePassword(ctx context.Context, u *lyceum.User, keep *lyceum.Session, current, next string, client Client) error {
	if err := auth.CheckPassword(next); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, u, current, client); err != nil {
		return err
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	changed := *u
	changed.PasswordHash = hash
	if err := s.Store.UpdateUser(ctx, &changed); err != nil {
		return err
	}
	if _, err := s.endSessions(ctx, u.ID, keep); err != nil {
		return err
	}
	return s.record(ctx, lyceum.EventPasswordChanged, u.ID, "", nil)
}

// endSessions deletes every session of user but keep (nil: all), and
// says how many it ended.
func (s *Service) endSessions(ctx context.Context, userID string, keep *lyceum.Session) (int, error) {
	list, err := s.Store.SessionsByUser(ctx, userID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sess := range list {
		if keep != nil && sess.ID == keep.ID {
			continue
		}
		if err := s.Store.DeleteSession(ctx, sess.TokenHash); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SessionView is a session as its owner and admins see it.
type SessionView struct {
	lyceum.Session
	Current bool `json:"current"`
}

// Sessions lists u's sessions; current marks the one in use.
func (s *Service) Sessions(ctx context.Context, u *lyceum.User, current *lyceum.Session) ([]SessionView, error) {
	list, err := s.Store.SessionsByUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]SessionView, len(list))
	for i, sess := range list {
		out[i] = SessionView{Session: sess, Current: current != nil && sess.ID == current.ID}
	}
	return out, nil
}

// EndSession signs one of u's sessions out (ErrNotFound for another's).
func (s *Service) EndSession(ctx context.Context, u *lyceum.User, id string) error {
	list, err := s.Store.SessionsByUser(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if sess.ID == id {
			return s.Store.DeleteSession(ctx, sess.TokenHash)
		}
	}
	return fmt.Errorf("session %s: %w", id, lyceum.ErrNotFound)
}

// Export is everything Lyceum keeps about one person, as they download it.
type Export struct {
	ExportedAt  time.Time           `json:"exportedAt"`
	Profile     lyceum.User         `json:"profile"`
	Enrollments []lyceum.Enrollment `json:"enrollments"`
	// Progress, Answers and QuizSubmissions are by course id.
	Progress        map[string][]lyceum.ItemProgress   `json:"progress"`
	Answers         map[string][]lyceum.Answer         `json:"answers"`
	QuizSubmissions map[string][]lyceum.QuizSubmission `json:"quizSubmissions"`
	Sessions        []lyceum.Session                   `json:"sessions"`
	APITokens       []lyceum.APIToken                  `json:"apiTokens"`
	SavedQueries    []lyceum.SavedQuery                `json:"savedQueries"`
	Events          []lyceum.Event                     `json:"events"`
}

// ExportData writes u's data to w as one JSON document, events last (all
// of them, newest first, read page by page).
func (s *Service) ExportData(ctx context.Context, u *lyceum.User, w io.Writer) error {
	x := Export{ExportedAt: s.now(), Profile: *u, Progress: map[string][]lyceum.ItemProgress{},
		Answers: map[string][]lyceum.Answer{}, QuizSubmissions: map[string][]lyceum.QuizSubmission{}}
	var err error
	if x.Enrollments, err = s.Store.EnrollmentsByUser(ctx, u.ID); err != nil {
		return err
	}
	for _, e := range x.Enrollments {
		if x.Progress[e.CourseID], err = s.Store.CourseProgress(ctx, u.ID, e.CourseID); err != nil {
			return err
		}
		if x.Answers[e.CourseID], err = s.Store.Answers(ctx, u.ID, e.CourseID); err != nil {
			return err
		}
		c, err := s.Store.CourseByID(ctx, e.CourseID)
		if errors.Is(err, lyceum.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for _, m := range c.Modules {
			for _, it := range m.Items {
				if it.Kind != lyceum.KindQuiz {
					continue
				}
				subs, err := s.Store.QuizSubmissions(ctx, lyceum.ItemKey{UserID: u.ID, CourseID: c.ID, ItemID: it.ID})
				if err != nil {
					return err
				}
				x.QuizSubmissions[c.ID] = append(x.QuizSubmissions[c.ID], subs...)
			}
		}
	}
	if x.Sessions, err = s.Store.SessionsByUser(ctx, u.ID); err != nil {
		return err
	}
	if x.APITokens, err = s.Store.APITokensByUser(ctx, u.ID); err != nil {
		return err
	}
	if x.SavedQueries, err = s.Store.SavedQueriesByOwner(ctx, u.ID); err != nil {
		return err
	}
	x.Events = []lyceum.Event{}
	cursor := ""
	for {
		page, next, err := s.Store.UserEvents(ctx, u.ID, cursor, 1000)
		if err != nil {
			return err
		}
		x.Events = append(x.Events, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if err := s.record(ctx, lyceum.EventDataExported, u.ID, "", nil); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// DeleteAccount erases u's account after checking their password: the
// personal fields go (name, email, password, preferences), sessions end,
// API tokens are revoked; the id stays as the pseudonym of the learning
// events the warehouse keeps. The last active admin cannot leave.
func (s *Service) DeleteAccount(ctx context.Context, u *lyceum.User, password string, client Client) error {
	if err := s.checkPassword(ctx, u, password, client); err != nil {
		var v *lyceum.ValidationError
		if errors.As(err, &v) {
			v.Field = "password"
		}
		return err
	}
	if u.Role == lyceum.RoleAdmin {
		if err := s.keepAnAdmin(ctx, u.ID, "delete the account of"); err != nil {
			return err
		}
	}
	return s.erase(ctx, u.ID, u.ID)
}

// erase deletes the account id (by actor): tokens, sessions, then the
// personal fields, and records it.
func (s *Service) erase(ctx context.Context, id, actor string) error {
	tokens, err := s.Store.APITokensByUser(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	for _, t := range tokens {
		if t.RevokedAt == nil {
			t.RevokedAt = &now
			if err := s.Store.PutAPIToken(ctx, &t); err != nil {
				return err
			}
		}
	}
	if _, err := s.endSessions(ctx, id, nil); err != nil {
		return err
	}
	if err := s.Store.EraseUser(ctx, id); err != nil {
		return err
	}
	return s.record(ctx, lyceum.EventAccountDeleted, actor, "", lyceum.AdminAction{TargetUserID: id})
}
