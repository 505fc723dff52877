package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Once a body is read to its end its deadlines are gone: a handler that
// then takes longer than the body timeout to answer keeps its request's
// context (net/http's read behind the handler must not time out and
// cancel it), as the query API's ?wait=true needs. Without a body, no
// deadline is set at all.
func TestBodyDeadlinesEndWithTheBody(t *testing.T) {
	s := &Server{BodyTimeout: 100 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(s.timeBodies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		select {
		case <-time.After(500 * time.Millisecond):
			io.WriteString(w, "read "+string(b))
		case <-r.Context().Done():
			http.Error(w, "context ended: "+r.Context().Err().Error(), 500)
		}
	})))
	defer ts.Close()
	for _, body := range []string{"hello", ""} {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		res, err := http.Post(ts.URL, "text/plain", rd)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(got) != "read "+body {
			t.Errorf("body %q: %d %s", body, res.StatusCode, got)
		}
	}
}
