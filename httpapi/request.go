package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// decode reads a JSON request body into v strictly: the content type must be
// JSON, unknown fields and trailing data are errors, and so is text that
// is not UTF-8 (checkJSONText). Its messages speak of
// JSON (a string, a list), never of the Go types behind it.
func decode(r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &clientError{http.StatusUnsupportedMediaType, "bad_request", "send the body as JSON with Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		var ce *clientError
		if errors.As(err, &mbe) || errors.As(err, &ce) {
			return err
		}
		return fmt.Errorf("%w: %w", badRequest("the request body could not be read"), err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var ce *clientError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe), errors.As(err, &ce):
			return err
		case errors.As(err, &se):
			return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
		case errors.As(err, &te):
			return typeError(te)
		case errors.Is(err, io.EOF):
			return badRequest("request body is empty; send a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest("the JSON ends before it is complete")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return badRequest(strings.TrimPrefix(err.Error(), "json: "))
		default:
			// The client sees the first; the log, both.
			return fmt.Errorf("%w: %w", badRequest("the request body could not be read as JSON"), err)
		}
	}
	if dec.More() {
		return badRequest("send one JSON object, not several")
	}
	return nil
}

// typeError says which field has a value of the wrong JSON type, and what
// it should be.
func typeError(te *json.UnmarshalTypeError) error {
	if n, ok := strings.CutPrefix(te.Value, "number "); ok {
		// A number too large for its field: 1e999.
		if te.Field == "" {
			return badRequest(fmt.Sprintf("the number %s is out of range", n))
		}
		return badRequest(fmt.Sprintf("field %q: the number %s is out of range", te.Field, n))
	}
	got := map[string]string{"string": "a string", "number": "a number", "bool": "true or false",
		"array": "a list", "object": "an object"}[te.Value]
	if got == "" {
		got = te.Value
	}
	if te.Field == "" {
		return badRequest(fmt.Sprintf("the body must be %s, not %s", jsonKind(te.Type), got))
	}
	return badRequest(fmt.Sprintf("field %q must be %s, not %s", te.Field, jsonKind(te.Type), got))
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a string" // []byte is base64 text
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value"
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
