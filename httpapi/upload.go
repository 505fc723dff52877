package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// spoolUpload copies the request body into a new file in s.UploadDir,
// refusing it (413) as soon as it passes s.MaxUploadBytes, so that an upload
// is never held in memory and a refused one is never read whole. The caller
// closes the file and calls remove.
func (s *Server) spoolUpload(w http.ResponseWriter, r *http.Request) (f *os.File, size int64, remove func(), err error) {
	if r.ContentLength > s.MaxUploadBytes {
		return nil, 0, nil, &http.MaxBytesError{Limit: s.MaxUploadBytes}
	}
	f, err = os.CreateTemp(s.UploadDir, "upload-*.zip")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("spool upload: %w", err)
	}
	remove = func() {
		f.Close()
		os.Remove(f.Name())
	}
	body := &readSide{r: http.MaxBytesReader(w, r.Body, s.MaxUploadBytes)}
	size, err = io.Copy(f, body)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(body.err, &mbe):
		err = body.err
	case body.err != nil:
		err = badRequest("the upload was cut off before its end; send it again")
	case err != nil:
		err = fmt.Errorf("spool upload: %w", err)
	}
	if err != nil {
		remove()
		return nil, 0, nil, err
	}
	return f, size, remove, nil
}

// readSide keeps the error of the reading side of a copy.
type readSide struct {
	r   io.Reader
	err error
}

func (rs *readSide) Read(p []byte) (int, error) {
	n, err := rs.r.Read(p)
	if err != nil && err != io.EOF {
		rs.err = err
	}
	return n, err
}
