package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRanges bounds the ranges of one request: a player asks for one; many
// small or overlapping ones only make the response larger than the file.
const maxRanges = 8

var errBadRange = &clientError{http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable",
	"the Range header is not one this server understands: ask for bytes=FIRST-LAST, bytes=FIRST- or bytes=-LENGTH"}

// vetRange checks the Range header of a request for a file of size bytes
// before http.ServeContent serves it, following RFC 9110 §14: a range the
// file cannot satisfy (bytes=-0, or starting past the end), a malformed
// one and too many of them are refused with a 416 error whose
// Content-Range tells the size; ranges past the end are cut to it; a unit
// other than bytes, or a stale If-Range, means the whole file. What it
// leaves in the header is in the one form ServeContent reads as it should.
func vetRange(w http.ResponseWriter, r *http.Request, size int64, modTime time.Time) error {
	h := r.Header.Get("Range")
	if h == "" || answeredByPreconditions(r, modTime) {
		return nil
	}
	if ir := r.Header.Get("If-Range"); ir != "" {
		t, err := http.ParseTime(ir)
		if err != nil || modTime.IsZero() || !t.Equal(modTime.Truncate(time.Second)) {
			r.Header.Del("Range") // not the version the client has: send it all
			return nil
		}
	}
	refuse := func(err *clientError) error {
		w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		return err
	}
	unit, set, ok := strings.Cut(h, "=")
	if !ok {
		return refuse(errBadRange)
	}
	if !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		r.Header.Del("Range") // a unit we do not serve: ignore it (§14.2)
		return nil
	}
	var out []string
	n := 0
	for _, spec := range strings.Split(set, ",") {
		spec = strings.Trim(spec, " \t")
		if spec == "" {
			continue // empty list elements are allowed
		}
		if n++; n > maxRanges {
			return refuse(&clientError{http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable",
				"ask for at most " + strconv.Itoa(maxRanges) + " ranges at once"})
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return refuse(errBadRange)
		}
		var start, end int64
		if first == "" { // bytes=-LENGTH: the last LENGTH bytes
			length, ok := byteCount(last)
			if !ok {
				return refuse(errBadRange)
			}
			if length == 0 || size == 0 {
				continue // satisfies nothing
			}
			start, end = size-min(length, size), size-1
		} else {
			var ok bool
			if start, ok = byteCount(first); !ok {
				return refuse(errBadRange)
			}
			end = size - 1
			if last != "" {
				l, ok := byteCount(last)
				if !ok || l < start {
					return refuse(errBadRange)
				}
				end = min(l, size-1)
			}
			if start >= size {
				continue // starts past the end: satisfies nothing
			}
		}
		out = append(out, strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10))
	}
	if n == 0 {
		return refuse(errBadRange)
	}
	if len(out) == 0 {
		return refuse(&clientError{http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable",
			"no requested range is within the file's " + strconv.FormatInt(size, 10) + " bytes"})
	}
	r.Header.Set("Range", "bytes="+strings.Join(out, ","))
	return nil
}

// answeredByPreconditions reports whether ServeContent will answer 304 or
// 412 from the request's conditional headers, which come before Range
// (RFC 9110 §13.2.2). The files have no ETag, so an If-Match other than *
// fails and an If-None-Match matches only as *.
func answeredByPreconditions(r *http.Request, modTime time.Time) bool {
	mod := modTime.Truncate(time.Second)
	if im := r.Header.Get("If-Match"); im != "" {
		return strings.TrimSpace(im) != "*"
	}
	if t, err := http.ParseTime(r.Header.Get("If-Unmodified-Since")); err == nil && !modTime.IsZero() && mod.After(t) {
		return true
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return strings.TrimSpace(inm) == "*"
	}
	t, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modTime.IsZero() && !mod.After(t)
}

// byteCount parses a byte position: digits only (no sign, no spaces).
// A number too large for int64 is past the end of any file, so it counts
// as the largest.
func byteCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 1<<63 - 1, true // out of range: all digits, so too large
	}
	return n, true
}
