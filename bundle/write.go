package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/lyceum/lyceum"
)

// Write writes c as a bundle directory at dir; open returns the bytes of a
// blob key held in Video.Blob/Captions.
//
// dir must not exist or be empty. The bundle is written into a temporary
// directory beside it and renamed into place, so that a failure leaves
// nothing behind. Files are named after item ids (readings/<id>.md,
// media/<id>.mp4, ...), which Course.Validate guarantees are safe names;
// Read of the result gives c back, except for what a bundle does not hold
// (owner, published, timestamps) and the blob keys, which become those
// names.
func Write(dir string, c *lyceum.Course, open func(key string) (io.ReadCloser, error)) (err error) {
	files, err := layout(c)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("bundle: %s exists and is not empty", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("bundle: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range files {
		if err := writeFile(filepath.Join(tmp, filepath.FromSlash(f.name)), f, open); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if entries != nil {
		if err := os.Remove(dir); err != nil { // empty, checked above
			return fmt.Errorf("bundle: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

func writeFile(name string, f bundleFile, open func(string) (io.ReadCloser, error)) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	w, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	err = f.copyTo(w, open)
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("bundle: %w", cerr)
	}
	return err
}

// WriteZip is Write into a zip archive. The archive holds the bundle's
// files at its top, as Read expects of an upload.
func WriteZip(w io.Writer, c *lyceum.Course, open func(key string) (io.ReadCloser, error)) error {
	files, err := layout(c)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.key != "" && path.Ext(f.name) != ".vtt" {
			h.Method = zip.Store // video is compressed already
		}
		h.SetMode(0o644)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
		if err := f.copyTo(fw, open); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// A bundleFile is one file of a bundle being written: its text, or the blob
// key its bytes come from.
type bundleFile struct {
	name string
	data []byte
	key  string
}

func (f bundleFile) copyTo(w io.Writer, open func(string) (io.ReadCloser, error)) error {
	if f.key == "" {
		if _, err := w.Write(f.data); err != nil {
			return fmt.Errorf("bundle: writing %s: %w", f.name, err)
		}
		return nil
	}
	r, err := open(f.key)
	if err != nil {
		return fmt.Errorf("bundle: opening %s for %s: %w", f.key, f.name, err)
	}
	defer r.Close()
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("bundle: copying %s to %s: %w", f.key, f.name, err)
	}
	return nil
}

const header = "# A Lyceum course bundle. The format is described in docs/course-bundle.md.\n"

// layout lays c out as the files of a bundle, course.yaml first.
func layout(c *lyceum.Course) ([]bundleFile, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("bundle: course %q: %w", c.ID, err)
	}
	cf := courseFile{ID: c.ID, Title: c.Title, Summary: c.Summary, Language: c.Language, Tags: c.Tags}
	if cf.Language == "" {
		cf.Language = "und" // BCP 47 for "undetermined"
	}
	files := []bundleFile{{name: CourseFile}}
	text := func(name, s string) string {
		files = append(files, bundleFile{name: name, data: []byte(s)})
		return name
	}
	blob := func(name, key string) string {
		files = append(files, bundleFile{name: name, key: key})
		return name
	}
	for _, m := range c.Modules {
		mf := moduleFile{ID: m.ID, Title: m.Title}
		for _, it := range m.Items {
			f := itemFile{ID: it.ID, Title: it.Title, Optional: it.Optional}
			switch it.Kind {
			case lyceum.KindVideo:
				v := it.Video
				ext, ok := videoExts[v.ContentType]
				if !ok {
					if ext = path.Ext(v.Blob); videoTypes[ext] == "" {
						return nil, fmt.Errorf("bundle: item %s: unknown video type %q", it.ID, v.ContentType)
					}
				}
				d := v.DurationSeconds
				vf := &videoFile{File: blob("media/"+it.ID+ext, v.Blob), Duration: &d}
				if v.Captions != "" {
					vf.Captions = blob("media/"+it.ID+".vtt", v.Captions)
				}
				if v.Transcript != "" {
					vf.Transcript = text("media/"+it.ID+".txt", v.Transcript)
				}
				for _, q := range v.Questions {
					at := q.At
					vf.Questions = append(vf.Questions, videoQuestionFile{At: &at, questionFile: questionToFile(q.Question)})
				}
				f.Video = vf
			case lyceum.KindReading:
				name := text("readings/"+it.ID+".md", it.Reading.Markdown)
				f.Reading = &name
			case lyceum.KindQuiz:
				pass := it.Quiz.PassPercent
				qf := &quizFile{PassPercent: &pass}
				for _, q := range it.Quiz.Questions {
					qf.Questions = append(qf.Questions, questionToFile(q))
				}
				f.Quiz = qf
			case lyceum.KindAssignment:
				f.Assignment = &assignmentFile{Instructions: text("assignments/"+it.ID+".md", it.Assignment.Instructions)}
			}
			mf.Items = append(mf.Items, f)
		}
		cf.Modules = append(cf.Modules, mf)
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&cf); err != nil {
		return nil, fmt.Errorf("bundle: encoding %s: %w", CourseFile, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("bundle: encoding %s: %w", CourseFile, err)
	}
	files[0].data = buf.Bytes()
	return files, nil
}

// questionToFile converts q, leaving out the fields its kind does not use
// (the domain keeps them, Read would reject them).
func questionToFile(q lyceum.Question) questionFile {
	f := questionFile{ID: q.ID, Kind: string(q.Kind), Prompt: q.Prompt, Explanation: q.Explanation}
	if q.Points > 0 {
		p := q.Points
		f.Points = &p
	}
	switch q.Kind {
	case lyceum.SingleChoice, lyceum.MultipleAnswer:
		for _, c := range q.Choices {
			f.Choices = append(f.Choices, choiceFile{ID: c.ID, Text: c.Text, Correct: c.Correct, Feedback: c.Feedback})
		}
	case lyceum.Numeric:
		n := *q.Number // Validate checked it is set
		f.Number, f.Tolerance = &n, q.Tolerance
	case lyceum.ShortText:
		f.Accept = q.Accept
	}
	return f
}
