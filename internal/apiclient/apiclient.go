// Package apiclient is a small client of Lyceum's JSON API for the project's
// own tools and end-to-end tests: it signs in like a browser (cookie jar and
// CSRF token) and runs queries on the query page.
package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// Client talks to one Lyceum as one signed-in user.
type Client struct {
	Base string // e.g. http://127.0.0.1:8080
	HTTP *http.Client
	CSRF string
}

// New returns a signed-out client with its own cookie jar.
func New(base string, timeout time.Duration) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, Timeout: timeout}}
}

// SignUp creates a learner account and signs in as it.
func (c *Client) SignUp(email, password, name string) error {
	return c.signIn("/api/v1/auth/signup", map[string]string{"email": email, "password": password, "name": name}, http.StatusCreated)
}

// LogIn signs in.
func (c *Client) LogIn(email, password string) error {
	return c.signIn("/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK)
}

func (c *Client) signIn(path string, body any, want int) error {
	var me struct{ CSRFToken string }
	if err := c.Call("POST", path, body, want, &me); err != nil {
		return err
	}
	c.CSRF = me.CSRFToken
	return nil
}

// Request builds a request with a JSON body (nil for none) and the CSRF
// token.
func (c *Client) Request(method, path string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	return req, nil
}

// Call sends a request and decodes the JSON answer into out (nil to
// discard it); an answer other than want is an error with its body.
func (c *Client) Call(method, path string, body any, want int, out any) error {
	req, err := c.Request(method, path, body)
	if err != nil {
		return err
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s %s", method, path, res.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Query runs sql on the query page, waits until it finishes and returns the
// run's id; a run that did not succeed is an error.
func (c *Client) Query(sql string) (string, error) {
	var v struct {
		Run struct{ ID, Status, Error string }
	}
	if err := c.Call("POST", "/api/v1/data/runs", map[string]string{"sql": sql}, http.StatusAccepted, &v); err != nil {
		return "", err
	}
	for v.Run.Status == "queued" || v.Run.Status == "running" {
		time.Sleep(20 * time.Millisecond)
		if err := c.Call("GET", "/api/v1/data/runs/"+v.Run.ID, nil, http.StatusOK, &v); err != nil {
			return "", err
		}
	}
	if v.Run.Status != "succeeded" {
		return "", fmt.Errorf("run %s of %q: %s %s", v.Run.ID, sql, v.Run.Status, v.Run.Error)
	}
	return v.Run.ID, nil
}

// Page is a page of a run's result.
type Page struct {
	Rows  [][]any
	Total int64
}

// Rows fetches the first limit rows of a finished run.
func (c *Client) Rows(runID string, limit int) (*Page, error) {
	var p Page
	return &p, c.Call("GET", fmt.Sprintf("/api/v1/data/runs/%s/rows?limit=%d", runID, limit), nil, http.StatusOK, &p)
}
