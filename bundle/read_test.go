package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lyceum/lyceum"
)

// tinyYAML is a valid bundle's course.yaml with one item of each kind.
const tinyYAML = `id: tiny-course
title: Tiny course
language: en
modules:
  - id: m1
    title: Module one
    items:
      - id: intro
        title: Intro
        video:
          file: media/intro.mp4
          captions: media/intro.vtt
          questions:
            - at: 1
              id: vq
              kind: single
              prompt: Pick a
              choices:
                - {id: a, text: A, correct: true}
                - {id: b, text: B}
      - id: read
        title: Read me
        reading: readings/read.md
      - id: quiz
        title: Quiz
        quiz:
          passPercent: 50
          questions:
            - id: q1
              kind: single
              prompt: Which?
              choices:
                - {id: a, text: A, correct: true}
                - {id: b, text: B}
            - {id: q2, kind: numeric, prompt: "How many?", number: 3}
            - {id: q3, kind: text, prompt: "Name?", accept: [x]}
      - id: task
        title: Task
        assignment:
          instructions: assignments/task.md
`

// tinyBundle returns a valid bundle; its video lasts 1.5 s.
func tinyBundle(t *testing.T) fstest.MapFS {
	t.Helper()
	return fstest.MapFS{
		"course.yaml":         {Data: []byte(tinyYAML)},
		"media/intro.mp4":     {Data: mustRead(t, "testdata/tiny.mp4")},
		"media/intro.vtt":     {Data: []byte("WEBVTT\n\n00:00.000 --> 00:01.500\nHello\n")},
		"readings/read.md":    {Data: []byte("# Reading\n\nSome text.\n")},
		"assignments/task.md": {Data: []byte("Do the task.\n")},
	}
}

func TestReadTiny(t *testing.T) {
	t.Parallel()
	b, err := Read(tinyBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	c := b.Course
	if c.ID != "tiny-course" || len(c.Modules) != 1 || len(c.Modules[0].Items) != 4 {
		t.Fatalf("got %+v", c)
	}
	v := c.Modules[0].Items[0].Video
	if v.Blob != "media/intro.mp4" || v.ContentType != "video/mp4" || v.DurationSeconds != 1.5 || v.Captions != "media/intro.vtt" {
		t.Errorf("video: got %+v", v)
	}
	if got := strings.Join(b.Media, ","); got != "media/intro.mp4,media/intro.vtt" {
		t.Errorf("media: got %s", got)
	}
	if md := c.Modules[0].Items[1].Reading.Markdown; md != "# Reading\n\nSome text.\n" {
		t.Errorf("reading: got %q", md)
	}
}

// bigFS reports one file as larger than it is.
type bigFS struct {
	m    fstest.MapFS
	name string
}

func (b bigFS) Open(name string) (fs.File, error) {
	f, err := b.m.Open(name)
	if err != nil || name != b.name {
		return f, err
	}
	return bigFile{f}, nil
}

type bigFile struct{ fs.File }

func (f bigFile) Stat() (fs.FileInfo, error) {
	info, err := f.File.Stat()
	return bigInfo{info}, err
}

type bigInfo struct{ fs.FileInfo }

func (bigInfo) Size() int64 { return MaxMediaSize + 1 }

func TestReadInvalid(t *testing.T) {
	t.Parallel()
	// edit returns an edit of course.yaml replacing old with new.
	edit := func(old, new string) func(*testing.T, fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) {
			t.Helper()
			s := string(m["course.yaml"].Data)
			if !strings.Contains(s, old) {
				t.Fatalf("course.yaml has no %q", old)
			}
			m["course.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	file := func(name, data string) func(*testing.T, fstest.MapFS) {
		return func(_ *testing.T, m fstest.MapFS) { m[name] = &fstest.MapFile{Data: []byte(data)} }
	}
	both := func(a, b func(*testing.T, fstest.MapFS)) func(*testing.T, fstest.MapFS) {
		return func(t *testing.T, m fstest.MapFS) { a(t, m); b(t, m) }
	}
	remove := func(name string) func(*testing.T, fstest.MapFS) {
		return func(_ *testing.T, m fstest.MapFS) { delete(m, name) }
	}
	for _, tc := range []struct {
		name  string
		edit  func(*testing.T, fstest.MapFS)
		big   string // a file reported as over the media size cap
		field string
		msg   string
	}{
		{name: "YAML syntax", edit: edit("title: Module one", "title: [Module one"),
			field: "course.yaml line 5", msg: "did not find expected ',' or ']'"},
		{name: "unknown field", edit: edit("reading: readings", "raeding: readings"),
			field: "course.yaml: modules[0].items[1].raeding",
			msg:   "unknown field; expected one of id, title, optional, video, reading, quiz, assignment (line 23)"},
		{name: "not a number", edit: edit("passPercent: 50", "passPercent: fifty"),
			field: "course.yaml: modules[0].items[2].quiz.passPercent", msg: `must be a number, got "fifty" (line 27)`},
		{name: "not a list", edit: edit("accept: [x]", "accept: {x: 1}"),
			field: "course.yaml: modules[0].items[2].quiz.questions[2].accept", msg: "must be a list, got a mapping"},
		{name: "not a boolean", edit: edit("{id: b, text: B}", "{id: b, text: B, correct: yes}"),
			field: "course.yaml: modules[0].items[0].video.questions[0].choices[1].correct", msg: `must be true or false, got "yes"`},
		{name: "key given twice", edit: edit("title: Tiny course", "title: Tiny course\ntitle: Again"),
			field: "course.yaml: title", msg: "is given twice (line 3)"},
		{name: "alias", edit: both(edit("prompt: Pick a", "prompt: &pick Pick a"), edit("prompt: Which?", "prompt: *pick")),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].prompt", msg: "YAML aliases (*pick) are not supported; write the value out (line 31)"},
		{name: "two YAML documents", edit: edit("language: en\n", "language: en\n---\nid: other\n"),
			field: "course.yaml", msg: "more than one YAML document"},
		{name: "missing language", edit: edit("language: en\n", ""),
			field: "course.yaml: language", msg: "is required"},
		{name: "bad language", edit: edit("language: en", "language: en_US"),
			field: "course.yaml: language", msg: "must be a BCP 47 language tag"},
		{name: "upper-case tag", edit: edit("language: en\n", "language: en\ntags: [statistics, Python]\n"),
			field: "course.yaml: tags[1]", msg: "must be lower-case letters"},
		{name: "tag twice", edit: edit("language: en\n", "language: en\ntags: [r, r]\n"),
			field: "course.yaml: tags[1]", msg: "listed twice"},
		{name: "tags not a list", edit: edit("language: en\n", "language: en\ntags: statistics\n"),
			field: "course.yaml: tags", msg: "list"},
		{name: "single choice with two correct", edit: edit("                - {id: b, text: B}\n            - {id: q2",
			"                - {id: b, text: B, correct: true}\n            - {id: q2"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].choices",
			msg:   "a single-choice question needs exactly one correct choice, has 2 (line 33)"},
		{name: "numeric without number", edit: edit(`prompt: "How many?", number: 3`, `prompt: "How many?"`),
			field: "course.yaml: modules[0].items[2].quiz.questions[1].number", msg: "a numeric question needs the correct number (line 35)"},
		{name: "number on a single-choice question", edit: edit("prompt: Which?", "prompt: Which?\n              number: 2"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].number", msg: "only numeric questions have number; this one is single"},
		{name: "unknown question kind", edit: edit("kind: text", "kind: essay"),
			field: "course.yaml: modules[0].items[2].quiz.questions[2].kind", msg: `got "essay"`},
		{name: "duplicate item id", edit: edit("- id: read", "- id: intro"),
			field: "course.yaml: modules[0].items[1].id", msg: `duplicate item id "intro"`},
		{name: "missing pass percent", edit: edit("          passPercent: 50\n", ""),
			field: "course.yaml: modules[0].items[2].quiz.passPercent", msg: "is required"},
		{name: "item of two kinds", edit: edit("        reading: readings/read.md", "        reading: readings/read.md\n        quiz: {passPercent: 1}"),
			field: "course.yaml: modules[0].items[1]", msg: "has both reading and quiz"},
		{name: "item of no kind", edit: edit("        assignment:\n          instructions: assignments/task.md\n", ""),
			field: "course.yaml: modules[0].items[3]", msg: "needs one of video, reading, quiz or assignment"},
		{name: "question after the video's end", edit: edit("- at: 1", "- at: 5"),
			field: "course.yaml: modules[0].items[0].video.questions[0].at", msg: "between 0 and the video's duration (1.5s)"},
		{name: "question without at", edit: edit("- at: 1\n              id: vq", "- id: vq"),
			field: "course.yaml: modules[0].items[0].video.questions[0].at", msg: "is required"},
		{name: "reading file not found", edit: remove("readings/read.md"),
			field: "readings/read.md", msg: "file not found (referenced by modules[0].items[1].reading)"},
		{name: "reading is a folder", edit: edit("reading: readings/read.md", "reading: readings"),
			field: "readings", msg: "is a folder, not a file"},
		{name: "path escapes the bundle", edit: edit("reading: readings/read.md", "reading: readings/../../secret.md"),
			field: "course.yaml: modules[0].items[1].reading", msg: `"readings/../../secret.md" points outside the bundle`},
		{name: "absolute path", edit: edit("instructions: assignments/task.md", "instructions: /etc/passwd"),
			field: "course.yaml: modules[0].items[3].assignment.instructions", msg: `absolute path "/etc/passwd"`},
		{name: "URL", edit: edit("file: media/intro.mp4", "file: https://example.com/intro.mp4"),
			field: "course.yaml: modules[0].items[0].video.file", msg: "not a URL"},
		{name: "non-UTF-8 Markdown", edit: file("readings/read.md", "# Café\n\nna\xefve\n"),
			field: "readings/read.md", msg: "is not UTF-8 text (line 3); save it as UTF-8 (referenced by modules[0].items[1].reading)"},
		{name: "empty Markdown", edit: file("assignments/task.md", "\n  \n"),
			field: "assignments/task.md", msg: "is empty (referenced by modules[0].items[3].assignment.instructions)"},
		{name: "unsupported video format", edit: edit("file: media/intro.mp4", "file: media/intro.avi"),
			field: "course.yaml: modules[0].items[0].video.file", msg: "must be an .mp4 (H.264/AAC) or .webm (VP8/VP9) video"},
		{name: "video over the size cap", big: "media/intro.mp4",
			field: "media/intro.mp4", msg: "over the 1.0 GiB limit for a video (referenced by modules[0].items[0].video.file)"},
		{name: "video that is not an MP4", edit: file("media/intro.mp4", "<html>not found</html>"),
			field: "media/intro.mp4", msg: "cannot tell how long the video is: it is not an MP4 file"},
		{name: "captions that are not WebVTT", edit: file("media/intro.vtt", "1\n00:00:00,000 --> 00:00:01,000\nHi\n"),
			field: "media/intro.vtt", msg: "is not a WebVTT file"},
		{name: "captions not found", edit: remove("media/intro.vtt"),
			field: "media/intro.vtt", msg: "file not found (referenced by modules[0].items[0].video.captions)"},
		{name: "no course.yaml", edit: remove("course.yaml"),
			field: "course.yaml", msg: "not found"},
		{name: "course.yaml one folder down", edit: func(_ *testing.T, m fstest.MapFS) {
			for name, f := range maps.Clone(m) {
				m["tiny/"+name] = f
				delete(m, name)
			}
		}, field: "course.yaml", msg: "not found at the top of the bundle, but in tiny/; make the zip from inside that folder"},
		{name: "empty course.yaml", edit: file("course.yaml", "# nothing yet\n"),
			field: "course.yaml", msg: "is empty"},
		{name: "course.yaml is a folder", edit: both(remove("course.yaml"), file("course.yaml/x", "")),
			field: "course.yaml", msg: "is not a file"},
		// Every number in a sane range, so that no sum of points or
		// difference of answers overflows.
		{name: "points huge", edit: edit("prompt: Which?", "prompt: Which?\n              points: 1e308"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].points", msg: "at most 1000"},
		{name: "points zero", edit: edit("prompt: Which?", "prompt: Which?\n              points: 0"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].points", msg: "leave points out for 1 point"},
		{name: "points infinite", edit: edit("prompt: Which?", "prompt: Which?\n              points: .inf"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].points", msg: "must be a finite number"},
		{name: "points not a number", edit: edit("prompt: Which?", "prompt: Which?\n              points: .nan"),
			field: "course.yaml: modules[0].items[2].quiz.questions[0].points", msg: "must be a finite number"},
		{name: "pass percent huge", edit: edit("passPercent: 50", "passPercent: 1e308"),
			field: "course.yaml: modules[0].items[2].quiz.passPercent", msg: "between 0 and 100"},
		{name: "number huge", edit: edit("number: 3", "number: 1e300"),
			field: "course.yaml: modules[0].items[2].quiz.questions[1].number", msg: "between -1e+15 and 1e+15"},
		{name: "number overflowing", edit: edit("number: 3", "number: 1e999"),
			field: "course.yaml: modules[0].items[2].quiz.questions[1].number", msg: "must be a finite number"},
		{name: "tolerance huge", edit: edit("number: 3", "number: 3, tolerance: 1e300"),
			field: "course.yaml: modules[0].items[2].quiz.questions[1].tolerance", msg: "from 0 to 1e+15"},
		{name: "tolerance negative", edit: edit("number: 3", "number: 3, tolerance: -1"),
			field: "course.yaml: modules[0].items[2].quiz.questions[1].tolerance", msg: "from 0 to 1e+15"},
		{name: "duration huge", edit: edit("file: media/intro.mp4", "file: media/intro.mp4\n          duration: 1e308"),
			field: "course.yaml: modules[0].items[0].video.duration", msg: "at most 86400"},
		{name: "duration zero", edit: edit("file: media/intro.mp4", "file: media/intro.mp4\n          duration: 0"),
			field: "course.yaml: modules[0].items[0].video.duration", msg: "positive"},
		{name: "duration in the file huge", edit: func(t *testing.T, m fstest.MapFS) {
			m["media/intro.mp4"] = &fstest.MapFile{Data: withMovieDuration(t, m["media/intro.mp4"].Data, 1, 0xFFFFFFFE)}
		}, field: "media/intro.mp4", msg: "longer than the 24-hour limit"},
		{name: "question at negative", edit: edit("- at: 1", "- at: -1"),
			field: "course.yaml: modules[0].items[0].video.questions[0].at", msg: "between 0 and the video's duration"},
		// Counts and lengths, refused before the files they name are read.
		{name: "too many modules", edit: func(t *testing.T, m fstest.MapFS) {
			var b strings.Builder
			b.WriteString(string(m["course.yaml"].Data))
			for i := range lyceum.MaxModules {
				b.WriteString("  - id: extra-" + strconv.Itoa(i) + "\n    title: X\n    items:\n      - {id: r-" + strconv.Itoa(i) + ", title: R, reading: readings/read.md}\n")
			}
			m["course.yaml"] = &fstest.MapFile{Data: []byte(b.String())}
		}, field: "course.yaml: modules", msg: "at most 100 modules"},
		{name: "too many items", edit: func(t *testing.T, m fstest.MapFS) {
			var b strings.Builder
			b.WriteString(string(m["course.yaml"].Data))
			b.WriteString("  - id: extra\n    title: X\n    items:\n")
			for i := range lyceum.MaxItemsPerModule + 1 {
				b.WriteString("      - {id: r-" + strconv.Itoa(i) + ", title: R, reading: readings/read.md}\n")
			}
			m["course.yaml"] = &fstest.MapFile{Data: []byte(b.String())}
		}, field: "course.yaml: modules[1].items", msg: "at most 200 items"},
		{name: "too much text", edit: func(t *testing.T, m fstest.MapFS) {
			m["readings/big.md"] = &fstest.MapFile{Data: bytes.Repeat([]byte("words "), MaxTextSize/6)}
			var b strings.Builder
			b.WriteString(string(m["course.yaml"].Data))
			b.WriteString("  - id: extra\n    title: X\n    items:\n")
			for i := range 5 {
				b.WriteString("      - {id: r-" + strconv.Itoa(i) + ", title: R, reading: readings/big.md}\n")
			}
			m["course.yaml"] = &fstest.MapFile{Data: []byte(b.String())}
		}, field: "readings/big.md", msg: "8.0 MiB of text"},
		{name: "language too long", edit: edit("language: en", "language: en"+strings.Repeat("-abcdefgh", 10)),
			field: "course.yaml: language", msg: "at most 35 characters"},
		{name: "path too long", edit: edit("reading: readings/read.md", "reading: readings/"+strings.Repeat("a", 300)+".md"),
			field: "course.yaml: modules[0].items[1].reading", msg: "at most 255 bytes"},
		{name: "no modules", edit: edit("modules:", "modulez: []\nmodules:"),
			field: "course.yaml: modulez", msg: "unknown field; expected one of id, title, summary, language, tags, modules (line 4)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tinyBundle(t)
			if tc.edit != nil {
				tc.edit(t, m)
			}
			var fsys fs.FS = m
			if tc.big != "" {
				fsys = bigFS{m, tc.big}
			}
			b, err := Read(fsys)
			var ve *lyceum.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, %v; want a *lyceum.ValidationError", b, err)
			}
			if ve.Field != tc.field || !strings.Contains(ve.Message, tc.msg) {
				t.Errorf("got field %q, message %q\nwant field %q, message containing %q", ve.Field, ve.Message, tc.field, tc.msg)
			}
		})
	}
}

func TestReadSymlinkOutside(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	for name, f := range tinyBundle(t) {
		if name == "readings/read.md" {
			continue
		}
		writeTestFile(t, filepath.Join(dir, name), f.Data)
	}
	writeTestFile(t, filepath.Join(outside, "secret.md"), []byte("secret\n"))
	if err := os.MkdirAll(filepath.Join(dir, "readings"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(dir, "readings", "read.md")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, fsys := range []fs.FS{os.DirFS(dir), root.FS()} {
		_, err := Read(fsys)
		var ve *lyceum.ValidationError
		if !errors.As(err, &ve) || ve.Field != "readings/read.md" || !strings.Contains(ve.Message, "symbolic link to outside the bundle") {
			t.Errorf("%T: got %v", fsys, err)
		}
	}
	// A link inside the bundle is fine.
	os.Remove(filepath.Join(dir, "readings", "read.md"))
	writeTestFile(t, filepath.Join(dir, "shared", "read.md"), []byte("# Shared\n"))
	if err := os.Symlink("../shared/read.md", filepath.Join(dir, "readings", "read.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(os.DirFS(dir)); err != nil {
		t.Errorf("link inside the bundle: %v", err)
	}
}

func TestReadZipSymlink(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range tinyBundle(t) {
		h := &zip.FileHeader{Name: name}
		data := f.Data
		if name == "readings/read.md" {
			h.SetMode(fs.ModeSymlink | 0o777)
			data = []byte("../../../etc/passwd")
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Read(zr)
	var ve *lyceum.ValidationError
	if !errors.As(err, &ve) || ve.Field != "readings/read.md" || !strings.Contains(ve.Message, "is a symbolic link") {
		t.Errorf("got %v", err)
	}
}

func writeTestFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sampleFS returns the sample course. Its videos are generated by
// scripts/sample-media.sh and not committed; where one is missing, it stands
// in an MP4 header that lasts as long as the video's captions, which is
// what the script makes.
func sampleFS(t *testing.T) (fstest.MapFS, bool) {
	t.Helper()
	m := fstest.MapFS{}
	dir := filepath.Join("..", "courses", "sample")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	real := true
	for name, f := range m {
		video := strings.TrimSuffix(name, ".vtt") + ".mp4"
		if strings.HasSuffix(name, ".vtt") && m[video] == nil {
			m[video] = &fstest.MapFile{Data: stubMP4(lastCueEnd(t, f.Data))}
			real = false
		}
	}
	return m, real
}

// lastCueEnd returns when the last cue of a WebVTT file ends, in seconds.
func lastCueEnd(t *testing.T, vtt []byte) float64 {
	t.Helper()
	var end float64
	for _, line := range strings.Split(string(vtt), "\n") {
		if _, to, ok := strings.Cut(line, "-->"); ok {
			end = 0
			for _, part := range strings.Split(strings.Fields(to)[0], ":") {
				f, err := strconv.ParseFloat(part, 64)
				if err != nil {
					t.Fatalf("cue time %q: %v", to, err)
				}
				end = end*60 + f
			}
		}
	}
	return end
}

func TestReadSample(t *testing.T) {
	t.Parallel()
	fsys, realMedia := sampleFS(t)
	b, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c := b.Course
	if c.ID != "data-literacy-basics" || c.Language != "en" || len(c.Modules) != 3 {
		t.Fatalf("got %s (%s) with %d modules", c.ID, c.Language, len(c.Modules))
	}
	assignments := 0
	for _, m := range c.Modules {
		kinds := map[lyceum.ItemKind]int{}
		questionKinds := map[lyceum.QuestionKind]bool{}
		for _, it := range m.Items {
			kinds[it.Kind]++
			switch it.Kind {
			case lyceum.KindVideo:
				v := it.Video
				if v.DurationSeconds < 10 || v.DurationSeconds > 30 {
					t.Errorf("%s: lasts %.1fs, want 10-30s", it.ID, v.DurationSeconds)
				}
				if n := len(v.Questions); n < 1 || n > 2 {
					t.Errorf("%s: has %d in-video questions, want 1 or 2", it.ID, n)
				}
				if v.Captions == "" || v.Transcript == "" {
					t.Errorf("%s: no captions or transcript", it.ID)
				}
				if realMedia {
					if want := lastCueEnd(t, fsys[v.Captions].Data); v.DurationSeconds < want || v.DurationSeconds > want+0.1 {
						t.Errorf("%s: lasts %.3fs, but its captions end at %.3fs", it.ID, v.DurationSeconds, want)
					}
				}
			case lyceum.KindQuiz:
				for _, q := range it.Quiz.Questions {
					questionKinds[q.Kind] = true
				}
			}
		}
		assignments += kinds[lyceum.KindAssignment]
		if kinds[lyceum.KindVideo] != 1 || kinds[lyceum.KindReading] < 1 || kinds[lyceum.KindQuiz] != 1 {
			t.Errorf("module %s: items %v, want a video, readings and a quiz", m.ID, kinds)
		}
		if len(questionKinds) != 4 {
			t.Errorf("module %s: quiz has question kinds %v, want all four", m.ID, questionKinds)
		}
	}
	if assignments != 1 {
		t.Errorf("%d assignments, want 1", assignments)
	}
	if len(b.Media) != 6 {
		t.Errorf("media: %v, want 3 videos and 3 caption files", b.Media)
	}
	for _, name := range b.Media {
		if fsys[name] == nil {
			t.Errorf("media %s is not in the bundle", name)
		}
	}
}

// TestRoundTrip reads the sample, writes it as a directory and as a zip,
// and reads both back: the course must be the same.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	fsys, _ := sampleFS(t)
	b, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	open := func(key string) (io.ReadCloser, error) { return fsys.Open(key) }

	dir := filepath.Join(t.TempDir(), "export")
	if err := Write(dir, b.Course, open); err != nil {
		t.Fatal(err)
	}
	fromDir, err := Read(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	assertSameCourse(t, "directory", b.Course, fromDir.Course)
	if tags := strings.Join(fromDir.Course.Tags, ","); tags != "data literacy,statistics,beginner" {
		t.Errorf("tags after the round trip: %q", tags)
	}
	if strings.Join(fromDir.Media, ",") != strings.Join(b.Media, ",") {
		t.Errorf("media: got %v, want %v", fromDir.Media, b.Media)
	}
	for _, name := range b.Media {
		if got := mustRead(t, filepath.Join(dir, name)); !bytes.Equal(got, fsys[name].Data) {
			t.Errorf("%s: written bytes differ", name)
		}
	}

	var buf bytes.Buffer
	if err := WriteZip(&buf, b.Course, open); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	fromZip, err := Read(zr)
	if err != nil {
		t.Fatal(err)
	}
	assertSameCourse(t, "zip", b.Course, fromZip.Course)
}

// withMovieDuration returns an MP4 whose movie header (mvhd, version 0) says
// it lasts duration/timescale seconds.
func withMovieDuration(t *testing.T, mp4 []byte, timescale, duration uint32) []byte {
	t.Helper()
	out := bytes.Clone(mp4)
	i := bytes.Index(out, []byte("mvhd"))
	if i < 0 || out[i+4] != 0 {
		t.Fatal("no version 0 mvhd box in the test video")
	}
	// mvhd: version, flags (4), creation, modification (8), timescale, duration.
	binary.BigEndian.PutUint32(out[i+4+12:], timescale)
	binary.BigEndian.PutUint32(out[i+4+16:], duration)
	return out
}
