package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/lyceum/lyceum/httpapi"
)

// The API contract is checked, not hoped for: every response the HTTP
// tests get through their clients (client, tokenClient) is validated
// against httpapi/openapi.yaml, and so is every request the server
// accepted. A response the document does not describe (its status, its
// content type, its body's schema, a header it requires) fails the test.

// apiContract is the parsed document and its router, loaded once.
var apiContract = sync.OnceValues(func() (*contractRouter, error) {
	raw, err := httpapi.OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	return newContractRouter(doc), nil
})

// contractRouter finds a request's operation in the document the way the
// server's ServeMux finds its handler: the document's paths become
// ServeMux patterns ({path} at the end, a media file's path, spans
// segments as the server's {path...} does). kin-openapi's own routers
// match an empty segment as a parameter and cannot span segments.
type contractRouter struct {
	mux    *http.ServeMux
	routes map[string]*routers.Route // ServeMux pattern → operation
}

func newContractRouter(doc *openapi3.T) *contractRouter {
	r := &contractRouter{mux: http.NewServeMux(), routes: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		pattern := path
		if p, ok := strings.CutSuffix(path, "/{path}"); ok {
			pattern = p + "/{path...}"
		}
		for method, op := range item.Operations() {
			key := method + " " + pattern
			r.mux.HandleFunc(key, func(http.ResponseWriter, *http.Request) {})
			r.routes[key] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return r
}

// find returns req's operation and path parameters; without one, the
// methods the document has for req's path.
func (r *contractRouter) find(req *http.Request) (*routers.Route, map[string]string, []string) {
	if _, pattern := r.mux.Handler(req); r.routes[pattern] != nil {
		route := r.routes[pattern]
		params := map[string]string{}
		segs, got := strings.Split(route.Path, "/"), strings.Split(req.URL.Path, "/")
		for i, seg := range segs {
			if name, ok := strings.CutPrefix(seg, "{"); ok && i < len(got) {
				name = strings.TrimSuffix(name, "}")
				if i == len(segs)-1 {
					params[name] = strings.Join(got[i:], "/")
				} else {
					params[name] = got[i]
				}
			}
		}
		return route, params, nil
	}
	var allow []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		probe := req.Clone(context.Background())
		probe.Method = m
		if _, pattern := r.mux.Handler(probe); r.routes[pattern] != nil {
			allow = append(allow, m)
		}
	}
	return nil, nil, allow
}

func init() {
	// Bodies the API sends that are not JSON: checked for their content
	// type only.
	for _, ct := range []string{"application/zip", "video/mp4", "text/vtt", "image/png", "image/jpeg", "audio/mpeg", "text/markdown"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// contractTransport checks each exchange against the document.
type contractTransport struct {
	t    *testing.T
	next http.RoundTripper
}

func (c contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// The request body is recorded as it is sent, not read ahead: tests
	// of slow bodies send theirs slowly.
	// Only the first MiB is kept: tests of large uploads check that
	// nothing holds them in memory.
	sent := &cappedBuffer{max: 1 << 20}
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = teeBody{io.TeeReader(req.Body, sent), req.Body}
	}
	res, err := c.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return res, nil // the test sees a short body and says so
	}
	sentBody, over := sent.snapshot()
	if over {
		// Too large to check the request; the response still is.
		checkExchange(c.t, req, nil, true, response{res.StatusCode, body, res.Header})
		return res, nil
	}
	checkExchange(c.t, req, sentBody, false, response{res.StatusCode, body, res.Header})
	return res, nil
}

// cappedBuffer keeps what is written to it up to max bytes. The
// transport may still be writing the request body (in its own goroutine)
// when RoundTrip returns, as when the server answers before reading it
// all: the buffer is read and written under a lock.
type cappedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.over || b.buf.Len()+len(p) > b.max {
		b.over = true
		b.buf.Reset()
		return len(p), nil
	}
	return b.buf.Write(p)
}

// snapshot returns a copy of what was kept, and whether it overflowed.
func (b *cappedBuffer) snapshot() ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes()), b.over
}

type teeBody struct {
	io.Reader
	io.Closer
}

// checkContract checks a response to req, whose body has been sent.
func checkContract(t *testing.T, req *http.Request, res response) {
	t.Helper()
	var body []byte
	if req.GetBody != nil {
		if r, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(r)
		}
	}
	checkExchange(t, req, body, false, res)
}

// contractLog, when LYCEUM_CONTRACT_LOG names a file, gets one line per
// violation, to count them.
var contractLog = sync.OnceValue(func() *os.File {
	name := os.Getenv("LYCEUM_CONTRACT_LOG")
	if name == "" {
		return nil
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	return f
})

func violation(t *testing.T, req *http.Request, status int, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if f := contractLog(); f != nil {
		fmt.Fprintf(f, "%s\t%s %s\t%d\t%s\n", t.Name(), req.Method, req.URL.Path, status, strings.ReplaceAll(msg, "\n", " | "))
	}
	t.Errorf("API contract: %s %s answered %d: %s", req.Method, req.URL.RequestURI(), status, msg)
}

// checkExchange checks res against the document, and req too when the
// server accepted it (without its body when bigBody: an upload too large
// to keep for the check).
func checkExchange(t *testing.T, req *http.Request, reqBody []byte, bigBody bool, res response) {
	t.Helper()
	router, err := apiContract()
	if err != nil {
		t.Fatal(err)
	}
	route, params, allow := router.find(req)
	switch {
	case route == nil && len(allow) > 0:
		// A path of the API with a method it has no operation for: 405,
		// and Allow lists the operations the document has.
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != strings.Join(allow, ", ") {
			violation(t, req, res.status, "a method the document has no operation for must answer 405 with Allow: %s (Allow: %q)",
				strings.Join(allow, ", "), res.header.Get("Allow"))
		}
		return
	case route == nil:
		// Not a path of the document: web pages, and unknown API paths,
		// which must say so.
		// A path with . or .. segments (or doubled slashes) is first sent
		// to its clean form, as ServeMux does: the API never serves it.
		if clean := path.Clean(req.URL.Path); clean != req.URL.Path && res.header.Get("Location") == clean &&
			(res.status == http.StatusMovedPermanently || res.status == http.StatusTemporaryRedirect) {
			return
		}
		if strings.HasPrefix(req.URL.Path, "/api/") && res.status != http.StatusNotFound && res.status != http.StatusBadRequest {
			violation(t, req, res.status, "a path the document does not have must answer 404 (or 400 for a malformed path)")
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if res.status < 300 {
		// What the server accepted, the document accepts.
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
		rin := *in
		rin.Request = r
		if bigBody {
			o := *opts
			o.ExcludeRequestBody = true
			rin.Options = &o
		}
		if err := openapi3filter.ValidateRequest(context.Background(), &rin); err != nil {
			violation(t, req, res.status, "the server accepted a request the document refuses: %v", err)
		}
	}
	if req.Method == http.MethodHead {
		return
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.status, Header: res.header, Options: opts}
	out.SetBodyBytes(res.body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		violation(t, req, res.status, "%v", err)
	}
}
