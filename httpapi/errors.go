package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
)

// apiError is the body of every error response:
// {"error": {"code": "...", "message": "...", "field": "...", "requestId": "..."}}.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// clientError is an error the handlers raise about the request itself
// (malformed JSON, wrong content type, too large a body).
type clientError struct {
	status  int
	code    string
	message string
}

func (e *clientError) Error() string { return e.message }

func badRequest(msg string) error { return &clientError{http.StatusBadRequest, "bad_request", msg} }

// The one table from domain errors to HTTP statuses.
var statusOf = []struct {
	err    error
	status int
	code   string
}{
	{lyceum.ErrNotFound, http.StatusNotFound, "not_found"},
	{lyceum.ErrConflict, http.StatusConflict, "conflict"},
	{lyceum.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{lyceum.ErrForbidden, http.StatusForbidden, "forbidden"},
	{lyceum.ErrTooMany, http.StatusTooManyRequests, "too_many_requests"},
}

// writeError answers with the status and message err deserves. Client
// mistakes say what was wrong; internal failures are logged in full and
// shown only as "internal error" with the request id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	rid := requestID(r.Context())
	body := apiError{RequestID: rid}
	status := http.StatusInternalServerError
	var ce *clientError
	var ve *lyceum.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ce):
		status, body.Code, body.Message = ce.status, ce.code, ce.message
	case errors.As(err, &mbe):
		status, body.Code = http.StatusRequestEntityTooLarge, "too_large"
		body.Message = "request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes"
	case errors.As(err, &ve):
		status, body.Code, body.Message, body.Field = http.StatusUnprocessableEntity, "invalid", ve.Error(), ve.Field
	default:
		for _, e := range statusOf {
			if errors.Is(err, e.err) {
				status, body.Code, body.Message = e.status, e.code, err.Error()
				break
			}
		}
	}
	var tma *accounts.TooManyAttempts
	if errors.As(err, &tma) {
		w.Header().Set("Retry-After", strconv.Itoa(int(tma.RetryAfter.Seconds())+1))
	}
	if status == http.StatusInternalServerError {
		body.Code, body.Message = "internal", "internal error; quote request id "+rid+" when reporting it"
		s.Logger.ErrorContext(r.Context(), "request failed", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", rid)
	} else {
		s.Logger.DebugContext(r.Context(), "request refused", "err", err, "status", status, "request_id", rid)
	}
	writeJSON(w, status, map[string]apiError{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}
