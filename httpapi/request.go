package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// decode reads a JSON request body into v strictly: the content type must be
// JSON, unknown fields and trailing data are errors.
func decode(r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &clientError{http.StatusUnsupportedMediaType, "bad_request", "send the body as JSON with Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.As(err, &se):
			return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
		case errors.As(err, &te):
			return badRequest(fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type, te.Value))
		case errors.Is(err, io.EOF):
			return badRequest("request body is empty; send a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return badRequest(strings.TrimPrefix(err.Error(), "json: "))
		default:
			return badRequest("malformed JSON: " + err.Error())
		}
	}
	if dec.More() {
		return badRequest("send one JSON object, not several")
	}
	return nil
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
)

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
