// Package httpapi serves Lyceum's versioned JSON API under /api/v1/, the
// health and metrics endpoints, and the embedded web apps.
package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/querying"
)

// SessionCookie holds the session token.
const SessionCookie = "lyceum_session"

// Server is the HTTP face of the services.
type Server struct {
	Accounts *accounts.Service
	Learning *learning.Service
	// Querying is the query page's access point to the warehouse; nil
	// serves no /api/v1/data routes.
	Querying *querying.Service
	// Tokens checks the data API's tokens (set with Querying).
	Tokens *accounts.Tokens
	Logger *slog.Logger
	// Web holds the built web apps, one directory per app (learn, studio,
	// data, admin); nil serves no UI.
	Web fs.FS
	// SecureCookies marks cookies Secure even when the request did not come
	// over TLS (set it behind a TLS-terminating proxy).
	SecureCookies bool
	// MaxUploadBytes bounds a course bundle upload.
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// (clientAddr); none by default.
	TrustedProxies []netip.Prefix
	// UploadDir is where uploads are spooled while they are imported;
	// "" is the system's temporary directory.
	UploadDir string
	// BodyTimeout is the longest a request body may pause (timeBodies);
	// 0 is DefaultBodyTimeout.
	BodyTimeout time.Duration
	// Registry receives the HTTP metrics; nil uses a new one.
	Registry *prometheus.Registry
	// Ready reports whether the store answers, for /healthz.
	Ready func(ctx context.Context) error

	routes     []route
	gzipped    sync.Map // web file name → gzipped bytes
	pageRoutes sync.Map // web app → its client-side route patterns
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

type route struct{ method, pattern string }

// Handler returns the server's routes wrapped in its middleware.
func (s *Server) Handler() http.Handler {
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lyceum_http_requests_total",
		Help: "HTTP requests by route (the pattern; \"unmatched\" for none), method and status code (200, 404)."}, []string{"route", "method", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lyceum_http_request_duration_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"})
	s.Registry.MustRegister(s.requests, s.latency)

	mux := http.NewServeMux()
	api := func(method, pattern string, h func(http.ResponseWriter, *http.Request) error) {
		s.routes = append(s.routes, route{method, pattern})
		mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				s.writeError(w, r, err)
			}
		})
	}

	api("POST", "/api/v1/auth/signup", s.signUp)
	api("POST", "/api/v1/auth/login", s.logIn)
	api("POST", "/api/v1/auth/logout", s.logOut)
	api("POST", "/api/v1/auth/reset", s.resetPassword)
	api("GET", "/api/v1/me", s.me)
	api("PATCH", "/api/v1/me", s.updateMe)
	api("POST", "/api/v1/me/password", s.changePassword)
	api("GET", "/api/v1/me/sessions", s.mySessions)
	api("DELETE", "/api/v1/me/sessions/{sessionId}", s.endMySession)
	api("GET", "/api/v1/me/export", s.exportMe)
	api("POST", "/api/v1/me/delete", s.deleteMe)
	api("GET", "/api/v1/me/enrollments", s.myEnrollments)

	api("GET", "/api/v1/courses", s.listCourses)
	api("GET", "/api/v1/courses/{courseId}", s.getCourse)
	api("POST", "/api/v1/courses/{courseId}/enroll", s.enroll)
	api("POST", "/api/v1/courses/{courseId}/leave", s.leaveCourse)
	api("GET", "/api/v1/courses/{courseId}/progress", s.getProgress)
	api("GET", "/api/v1/courses/{courseId}/media/{path...}", s.getMedia)
	api("GET", "/api/v1/courses/{courseId}/items/{itemId}", s.getItem)
	api("POST", "/api/v1/courses/{courseId}/items/{itemId}/open", s.openItem)
	api("POST", "/api/v1/courses/{courseId}/items/{itemId}/video-progress", s.videoProgress)
	api("POST", "/api/v1/courses/{courseId}/items/{itemId}/questions/{questionId}/answer", s.answerQuestion)
	api("POST", "/api/v1/courses/{courseId}/items/{itemId}/quiz", s.submitQuiz)
	api("POST", "/api/v1/events", s.postEvent)

	api("POST", "/api/v1/courses/import", s.uploadBody(s.importCourse))
	api("GET", "/api/v1/courses/{courseId}/export", s.exportCourse)
	api("POST", "/api/v1/courses/{courseId}/publish", s.publish)
	api("POST", "/api/v1/courses/{courseId}/unpublish", s.unpublish)
	api("GET", "/api/v1/studio/courses", s.studioCourses)

	api("GET", "/api/v1/admin/users", s.adminUsers)
	api("GET", "/api/v1/admin/users/{userId}", s.adminUser)
	api("PUT", "/api/v1/admin/users/{userId}/role", s.adminSetRole)
	api("POST", "/api/v1/admin/users/{userId}/deactivate", s.adminSetActive(false))
	api("POST", "/api/v1/admin/users/{userId}/reactivate", s.adminSetActive(true))
	api("POST", "/api/v1/admin/users/{userId}/sign-out", s.adminSignOut)
	api("POST", "/api/v1/admin/users/{userId}/password-reset", s.adminPasswordReset)
	api("GET", "/api/v1/admin/courses", s.adminCourses)
	api("PUT", "/api/v1/admin/courses/{courseId}/owner", s.adminTransferCourse)
	api("GET", "/api/v1/admin/audit", s.adminAudit)

	if s.Querying != nil {
		api("GET", "/api/v1/data/schema", s.dataSchema)
		api("POST", "/api/v1/data/runs", s.dataRun)
		api("GET", "/api/v1/data/runs", s.dataMyRuns)
		api("GET", "/api/v1/data/runs/{runId}", s.dataGetRun)
		api("POST", "/api/v1/data/runs/{runId}/cancel", s.dataCancelRun)
		api("GET", "/api/v1/data/runs/{runId}/rows", s.dataRunRows)
		api("GET", "/api/v1/data/runs/{runId}/csv", s.dataRunCSV)
		api("GET", "/api/v1/data/queries", s.dataQueries)
		api("POST", "/api/v1/data/queries", s.dataSaveQuery)
		api("GET", "/api/v1/data/queries/{queryId}", s.dataGetQuery)
		api("PUT", "/api/v1/data/queries/{queryId}", s.dataUpdateQuery)
		api("DELETE", "/api/v1/data/queries/{queryId}", s.dataDeleteQuery)
		api("GET", "/api/v1/data/queries/{queryId}/versions", s.dataQueryVersions)
		api("GET", "/api/v1/data/queries/{queryId}/runs", s.dataQueryRuns)
		api("POST", "/api/v1/data/queries/{queryId}/fork", s.dataForkQuery)
		api("POST", "/api/v1/data/queries/{queryId}/run", s.dataRunQuery)
		api("GET", "/api/v1/data/queries/{queryId}/result", s.dataQueryResult)
		api("GET", "/api/v1/data/admin/queries", s.dataAdminQueries)
		api("GET", "/api/v1/me/tokens", s.listTokens)
		api("POST", "/api/v1/me/tokens", s.createToken)
		api("DELETE", "/api/v1/me/tokens/{tokenId}", s.revokeToken)
	}

	api("GET", "/api/v1/openapi.json", s.openAPI)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.writeError(w, r, &clientError{http.StatusMethodNotAllowed, "method_not_allowed",
				r.Method + " is not allowed on " + r.URL.Path + "; it takes " + allow})
			return
		}
		s.writeError(w, r, &clientError{http.StatusNotFound, "not_found", "no API route " + r.Method + " " + r.URL.Path})
	})
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	mux.Handle("/", s.webApps())

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &clientError{http.StatusForbidden, "forbidden",
			"cross-origin request refused: this API answers state-changing requests from Lyceum's own pages only"})
	}))
	return s.observe(s.recoverPanics(s.timeBodies(s.checkURL(s.authenticate(csrf.Handler(mux))))))
}

// allowedMethods lists the methods mux has an API route for at r's path
// ("GET, HEAD, POST"), or "" when it has none. The catch-all "/api/"
// answers every method, so ServeMux's own 405 never comes: this is it.
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		probe := *r
		probe.Method = m
		if _, pattern := mux.Handler(&probe); pattern != "" && pattern != "/api/" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// checkURL refuses API requests whose path or query is not UTF-8 text.
func (s *Server) checkURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			if err := checkURLText(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Routes lists the API routes as "METHOD /pattern", for the OpenAPI check.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.method + " " + r.pattern
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, logs it and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := newRequestID()
		w.Header().Set("X-Request-Id", rid)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, rid))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.requests.WithLabelValues(route, metricMethod(r.Method), strconv.Itoa(sw.status)).Inc()
		s.latency.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		s.Logger.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration_ms", float64(d.Microseconds())/1000, "request_id", rid)
	})
}

// metricMethod is the method label: a standard method, or "other", so
// that clients cannot make label values up.
func metricMethod(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return m
	}
	return "other"
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type principal struct {
	user    *lyceum.User
	session *lyceum.Session
}

// authenticate resolves the session cookie to a user, and requires the
// session's CSRF token on every state-changing request it authenticates.
// Other systems use the query API (/api/v1/data/…) with a personal API
// token instead: "Authorization: Bearer lyc_…", no cookie, no CSRF token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			s.authenticateToken(w, r, h, next)
			return
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil || c.Value == "" || len(r.URL.Path) < 5 || r.URL.Path[:5] != "/api/" {
			next.ServeHTTP(w, r)
			return
		}
		u, sess, err := s.Accounts.Authenticate(r.Context(), c.Value)
		if errors.Is(err, lyceum.ErrUnauthorized) {
			// A stale cookie: carry on signed out, and drop it.
			http.SetCookie(w, s.sessionCookie(r, "", -1))
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !safeMethod(r.Method) {
			got := r.Header.Get("X-CSRF-Token")
			if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
				s.writeError(w, r, &clientError{http.StatusForbidden, "forbidden",
					"missing or wrong X-CSRF-Token header; use the csrfToken from /api/v1/me"})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, principal{u, sess})))
	})
}

func (s *Server) authenticateToken(w http.ResponseWriter, r *http.Request, header string, next http.Handler) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || s.Querying == nil || !strings.HasPrefix(r.URL.Path, "/api/v1/data/") {
		s.writeError(w, r, fmt.Errorf("API tokens work only on the query API (/api/v1/data/…), as \"Authorization: Bearer TOKEN\": %w", lyceum.ErrUnauthorized))
		return
	}
	u, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(token))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, principal{user: u})))
}

func safeMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" }

// currentUser is the signed-in user, or nil.
func currentUser(r *http.Request) *lyceum.User {
	p, _ := r.Context().Value(principalKey).(principal)
	return p.user
}

func currentSession(r *http.Request) *lyceum.Session {
	p, _ := r.Context().Value(principalKey).(principal)
	return p.session
}

func (s *Server) sessionCookie(r *http.Request, token string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies || r.TLS != nil}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			s.Logger.Warn("health check failed", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
