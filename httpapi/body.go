package httpapi

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// minBodyRate is the slowest a request body may arrive on average: a body
// of n bytes gets BodyTimeout + n/minBodyRate in all (128 kbit/s: a 512 MiB
// course bundle may take over nine hours, a 1 MiB JSON body a minute).
const minBodyRate = 16 << 10

// DefaultBodyTimeout is the longest a request body may pause.
const DefaultBodyTimeout = 30 * time.Second

// timeBodies gives every request body read deadlines, so that a client
// that sends its body slowly or not at all ("slow loris") does not hold a
// connection and a handler forever: the body must keep arriving (no pause
// longer than BodyTimeout) and be complete within BodyTimeout + its length
// at minBodyRate, its length being Content-Length or, without one, the
// most the route reads (1 MiB of JSON; uploads raise it, uploadBody).
// A body that is late is a 408 error. The deadlines end with the body:
// reading it to the end clears them, and a handler that does not read it
// leaves net/http to discard the rest under them.
func (s *Server) timeBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		idle := s.BodyTimeout
		if idle <= 0 {
			idle = DefaultBodyTimeout
		}
		b := &timedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle, start: time.Now(), length: r.ContentLength}
		b.allow(maxJSONBody)
		b.rc.SetReadDeadline(earlier(b.start.Add(idle), b.end))
		r.Body = b
		next.ServeHTTP(w, r)
	})
}

// uploadBody lets a route read bodies of up to MaxUploadBytes (course
// bundles) in the time their length takes at minBodyRate.
func (s *Server) uploadBody(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if b, ok := r.Body.(*timedBody); ok {
			b.allow(s.MaxUploadBytes)
		}
		return h(w, r)
	}
}

type timedBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	idle   time.Duration
	start  time.Time
	length int64     // Content-Length, or -1
	end    time.Time // when the whole body must be in
}

// allow sets the deadline of the whole body for a route that reads up to
// limit bytes.
func (b *timedBody) allow(limit int64) {
	n := limit
	if b.length >= 0 {
		n = min(b.length, limit)
	}
	b.end = b.start.Add(b.idle + time.Duration(float64(n)/minBodyRate*float64(time.Second)))
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == nil && n > 0 {
		// More arrived: wait for the next bytes up to idle, and never past
		// the end. (At the body's end net/http clears the deadline itself.)
		b.rc.SetReadDeadline(earlier(time.Now().Add(b.idle), b.end))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		late := "it paused for more than " + b.idle.String()
		if !time.Now().Before(b.end) {
			late = "it came slower than " + strconv.Itoa(minBodyRate>>10) + " KiB/s"
		}
		return n, &clientError{http.StatusRequestTimeout, "request_timeout", "the request body did not arrive in time (" + late + "); send it again"}
	}
	return n, err
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
