package httpapi

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/lyceum/lyceum/results"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// Every status the server can send is documented for each operation. Some
// come from the middleware for any API request, whatever the handler does:
// 400 for a path that is not UTF-8, 422 for such a query parameter, 401
// for an Authorization header that is not a valid API token where tokens
// do not work, 500 for an internal failure; 403 for a state-changing
// request without the session's CSRF token or from another site; and, for
// operations with a body, 408 (too slow), 413 (too large), 415 (not its
// content type).
func TestOpenAPIDocumentsEveryStatus(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method, op := range item.Operations() {
			want := []int{400, 401, 422, 500}
			if method != "GET" && method != "HEAD" {
				want = append(want, 403)
			}
			if op.RequestBody != nil {
				want = append(want, 408, 413, 415)
			}
			for _, code := range want {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s %s does not document %d", method, path, code)
				}
			}
		}
	}
}

// Request bodies say exactly what the server accepts: decode refuses
// unknown fields, so every object with properties is closed.
func TestOpenAPIRequestBodiesAreClosed(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			for ct, mt := range op.RequestBody.Value.Content {
				if ct == "application/json" && mt.Schema != nil {
					checkClosed(t, fmt.Sprintf("%s %s body", method, path), mt.Schema, map[*openapi3.Schema]bool{})
				}
			}
		}
	}
}

func checkClosed(t *testing.T, where string, ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	t.Helper()
	s := ref.Value
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if ref.Ref != "" {
		where += " (" + ref.Ref + ")"
	}
	if len(s.Properties) > 0 && (s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) && s.AdditionalProperties.Schema == nil {
		t.Errorf("%s: an object with properties that does not say additionalProperties: false", where)
	}
	for name, p := range s.Properties {
		checkClosed(t, where+"."+name, p, seen)
	}
	if s.Items != nil {
		checkClosed(t, where+"[]", s.Items, seen)
	}
	if s.AdditionalProperties.Schema != nil {
		checkClosed(t, where+"{}", s.AdditionalProperties.Schema, seen)
	}
	for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
		for _, sub := range list {
			checkClosed(t, where, sub, seen)
		}
	}
}

// The page size the API takes is its own limit (MaxPageRows), documented
// as such, and no more than the result store reads in one page.
func TestOpenAPIPageLimit(t *testing.T) {
	if MaxPageRows > results.MaxPageRows {
		t.Fatalf("MaxPageRows %d is over the result store's page of %d", MaxPageRows, results.MaxPageRows)
	}
	doc := loadOpenAPI(t)
	op := doc.Paths.Find("/api/v1/data/runs/{runId}/rows").Get
	p := op.Parameters.GetByInAndName("query", "limit")
	if p == nil || p.Schema.Value.Max == nil || int(*p.Schema.Value.Max) != MaxPageRows {
		t.Fatalf("openapi.yaml's limit of runs/{runId}/rows does not say maximum: %d", MaxPageRows)
	}
	// And the JSON result's bound, as the document says it.
	complete := doc.Components.Schemas["QueryResult"].Value.Properties["complete"].Value.Description
	if n := fmt.Sprintf("%d,%03d", MaxJSONResultRows/1000, MaxJSONResultRows%1000); !strings.Contains(complete, n) {
		t.Fatalf("QueryResult.complete says %q, not the bound %s", complete, n)
	}
}
