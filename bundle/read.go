package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lyceum/lyceum"
)

// Read parses and validates the bundle in fsys (os.DirFS(dir) for a
// directory, a *zip.Reader for an upload). The returned course's Video.Blob
// and Video.Captions hold bundle-relative media paths ("media/intro.mp4");
// Media lists every media path the course refers to, each checked to exist.
//
// An invalid bundle gives a *lyceum.ValidationError whose Field is "file:
// field path" (or just the file), e.g. "course.yaml:
// modules[1].items[0].quiz.questions[2].choices". Other errors (a failing
// disk) are returned wrapped as they are.
func Read(fsys fs.FS) (*Bundle, error) {
	data, err := readCourseYAML(fsys)
	if err != nil {
		return nil, err
	}
	cf, lines, err := decodeCourse(data)
	if err != nil {
		return nil, err
	}
	r := &reader{fsys: fsys, lines: lines, seen: map[string]bool{}}
	c, err := r.course(cf)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		var ve *lyceum.ValidationError
		if errors.As(err, &ve) {
			return nil, courseErr(ve.Field, r.line(ve.Field), "%s", ve.Message)
		}
		return nil, err
	}
	return &Bundle{Course: c, Media: r.media}, nil
}

func readCourseYAML(fsys fs.FS) ([]byte, error) {
	f, err := fsys.Open(CourseFile)
	if errors.Is(err, fs.ErrNotExist) {
		// A zip made of the folder rather than of its contents has
		// everything one level down: say so rather than just "not found".
		entries, _ := fs.ReadDir(fsys, ".")
		for _, e := range entries {
			if _, err := fs.Stat(fsys, e.Name()+"/"+CourseFile); e.IsDir() && err == nil {
				return nil, &lyceum.ValidationError{Field: CourseFile, Message: fmt.Sprintf(
					"not found at the top of the bundle, but in %s/; make the zip from inside that folder", e.Name())}
			}
		}
		return nil, &lyceum.ValidationError{Field: CourseFile, Message: "not found: a bundle has course.yaml at its top"}
	}
	if err != nil {
		return nil, openError(CourseFile, "", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, &lyceum.ValidationError{Field: CourseFile, Message: "is not a file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxTextSize+1))
	if err != nil {
		return nil, openError(CourseFile, "", err)
	}
	if len(data) > MaxTextSize {
		return nil, &lyceum.ValidationError{Field: CourseFile, Message: "is larger than " + sizeString(MaxTextSize)}
	}
	return data, nil
}

// reader turns a decoded course.yaml into a course, reading the files it
// refers to.
type reader struct {
	fsys  fs.FS
	lines map[string]int // field path → line in course.yaml
	media []string
	seen  map[string]bool // media already listed
	kept  int             // bytes of text the course holds so far
}

// languageTag is the shape of a BCP 47 language tag ("en", "pt-BR",
// "zh-Hant-TW"); it does not check the registry.
var languageTag = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

func (r *reader) course(cf *courseFile) (*lyceum.Course, error) {
	c := &lyceum.Course{ID: cf.ID, Title: cf.Title, Summary: cf.Summary, Language: cf.Language, Tags: cf.Tags}
	if c.Language == "" {
		return nil, r.err("language", "is required: the BCP 47 tag of the course's language, e.g. en or pt-BR")
	}
	if !languageTag.MatchString(c.Language) {
		return nil, r.err("language", "must be a BCP 47 language tag such as en or pt-BR, got %q", c.Language)
	}
	if len(c.Language) > lyceum.MaxLanguageLength {
		return nil, r.err("language", "must be at most %d characters, got %d", lyceum.MaxLanguageLength, len(c.Language))
	}
	// Count before reading the files the items name, so that a short
	// course.yaml cannot make the reader open a file a million times.
	if len(cf.Modules) > lyceum.MaxModules {
		return nil, r.err("modules", "a course has at most %d modules, this one %d", lyceum.MaxModules, len(cf.Modules))
	}
	items := 0
	for mi, mf := range cf.Modules {
		if len(mf.Items) > lyceum.MaxItemsPerModule {
			return nil, r.err(fmt.Sprintf("modules[%d].items", mi), "a module has at most %d items, this one %d", lyceum.MaxItemsPerModule, len(mf.Items))
		}
		if items += len(mf.Items); items > lyceum.MaxItems {
			return nil, r.err("modules", "a course has at most %d items, this one more", lyceum.MaxItems)
		}
	}
	for mi, mf := range cf.Modules {
		m := lyceum.Module{ID: mf.ID, Title: mf.Title}
		for ii := range mf.Items {
			it, err := r.item(&mf.Items[ii], fmt.Sprintf("modules[%d].items[%d]", mi, ii))
			if err != nil {
				return nil, err
			}
			m.Items = append(m.Items, it)
		}
		c.Modules = append(c.Modules, m)
	}
	return c, nil
}

func (r *reader) item(f *itemFile, p string) (lyceum.Item, error) {
	it := lyceum.Item{ID: f.ID, Title: f.Title, Optional: f.Optional}
	var kinds []string
	for _, k := range []struct {
		name string
		set  bool
	}{{"video", f.Video != nil}, {"reading", f.Reading != nil}, {"quiz", f.Quiz != nil}, {"assignment", f.Assignment != nil}} {
		if k.set {
			kinds = append(kinds, k.name)
		}
	}
	switch len(kinds) {
	case 0:
		return it, r.err(p, "needs one of video, reading, quiz or assignment")
	case 1:
	default:
		return it, r.err(p, "has both %s and %s; an item is exactly one of video, reading, quiz or assignment", kinds[0], kinds[1])
	}
	var err error
	switch {
	case f.Video != nil:
		it.Kind = lyceum.KindVideo
		it.Video, err = r.video(f.Video, p+".video")
	case f.Reading != nil:
		it.Kind = lyceum.KindReading
		var md string
		md, err = r.markdown(*f.Reading, p+".reading")
		it.Reading = &lyceum.Reading{Markdown: md}
	case f.Quiz != nil:
		it.Kind = lyceum.KindQuiz
		it.Quiz, err = r.quiz(f.Quiz, p+".quiz")
	case f.Assignment != nil:
		it.Kind = lyceum.KindAssignment
		var md string
		md, err = r.markdown(f.Assignment.Instructions, p+".assignment.instructions")
		it.Assignment = &lyceum.Assignment{Instructions: md}
	}
	return it, err
}

func (r *reader) video(f *videoFile, p string) (*lyceum.Video, error) {
	name, err := r.path(f.File, p+".file")
	if err != nil {
		return nil, err
	}
	ct, ok := videoTypes[strings.ToLower(path.Ext(name))]
	if !ok {
		return nil, r.err(p+".file", "must be an .mp4 (H.264/AAC) or .webm (VP8/VP9) video, got %q", name)
	}
	info, err := r.stat(name, p+".file")
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxMediaSize {
		return nil, fileErr(name, p+".file", "is %s, over the %s limit for a video", sizeString(info.Size()), sizeString(MaxMediaSize))
	}
	v := &lyceum.Video{Blob: name, ContentType: ct}
	if f.Duration != nil {
		v.DurationSeconds = *f.Duration
	} else if v.DurationSeconds, err = r.duration(name, ct, p); err != nil {
		return nil, err
	}
	r.addMedia(name)

	if f.Captions != "" {
		cp := p + ".captions"
		name, text, err := r.text(f.Captions, cp)
		if err != nil {
			return nil, err
		}
		if strings.ToLower(path.Ext(name)) != ".vtt" {
			return nil, r.err(cp, "must be a WebVTT file ending in .vtt, got %q", name)
		}
		if !strings.HasPrefix(text, "WEBVTT") {
			return nil, fileErr(name, cp, "is not a WebVTT file: it must start with the line WEBVTT")
		}
		v.Captions = name
		r.addMedia(name)
	}
	if f.Transcript != "" {
		name, text, err := r.text(f.Transcript, p+".transcript")
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(text) == "" {
			return nil, fileErr(name, p+".transcript", "is empty")
		}
		if err := r.keep(name, p+".transcript", text); err != nil {
			return nil, err
		}
		v.Transcript = text
	}
	for i := range f.Questions {
		qf := &f.Questions[i]
		qp := fmt.Sprintf("%s.questions[%d]", p, i)
		if qf.At == nil {
			return nil, r.err(qp+".at", "is required: the second of the video at which the question is asked")
		}
		q, err := r.question(&qf.questionFile, qp)
		if err != nil {
			return nil, err
		}
		v.Questions = append(v.Questions, lyceum.VideoQuestion{At: *qf.At, Question: q})
	}
	return v, nil
}

func (r *reader) duration(name, contentType, p string) (float64, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		return 0, openError(name, p+".file", err)
	}
	defer f.Close()
	var d float64
	if contentType == "video/webm" {
		d, err = webmDuration(f)
	} else {
		d, err = mp4Duration(f)
	}
	var fe formatError
	switch {
	case errors.As(err, &fe):
		return 0, fileErr(name, p+".file", "cannot tell how long the video is: %v; declare its duration in seconds at %s.duration", err, p)
	case err != nil:
		return 0, openError(name, p+".file", err)
	case d <= 0:
		return 0, fileErr(name, p+".file", "does not say how long it is (a fragmented or live-recorded file?); declare its duration in seconds at %s.duration", p)
	case math.IsNaN(d) || d > lyceum.MaxVideoSeconds:
		return 0, fileErr(name, p+".file", "says it lasts %.0f s, longer than the 24-hour limit for a video", d)
	}
	return d, nil
}

func (r *reader) quiz(f *quizFile, p string) (*lyceum.Quiz, error) {
	if f.PassPercent == nil {
		return nil, r.err(p+".passPercent", "is required: the score in percent (0 to 100) that passes the quiz")
	}
	qz := &lyceum.Quiz{PassPercent: *f.PassPercent}
	for i := range f.Questions {
		q, err := r.question(&f.Questions[i], fmt.Sprintf("%s.questions[%d]", p, i))
		if err != nil {
			return nil, err
		}
		qz.Questions = append(qz.Questions, q)
	}
	return qz, nil
}

// question converts a question. Course.Validate checks it; this only
// rejects the fields that belong to another kind of question, which the
// domain would silently ignore but are almost always an author's mistake
// (a number on a single-choice question that was meant to be numeric).
func (r *reader) question(f *questionFile, p string) (lyceum.Question, error) {
	q := lyceum.Question{ID: f.ID, Kind: lyceum.QuestionKind(f.Kind), Prompt: f.Prompt,
		Number: f.Number, Tolerance: f.Tolerance, Accept: f.Accept, Explanation: f.Explanation}
	if f.Points != nil {
		if *f.Points == 0 {
			return q, r.err(p+".points", "must be more than 0; leave points out for 1 point")
		}
		q.Points = *f.Points
	}
	for _, c := range f.Choices {
		q.Choices = append(q.Choices, lyceum.Choice{ID: c.ID, Text: c.Text, Correct: c.Correct, Feedback: c.Feedback})
	}
	stray := func(field, owner string) error {
		return r.err(p+"."+field, "only %s questions have %s; this one is %s", owner, field, f.Kind)
	}
	switch q.Kind {
	case lyceum.SingleChoice, lyceum.MultipleAnswer:
		switch {
		case f.Number != nil:
			return q, stray("number", "numeric")
		case f.Tolerance != 0:
			return q, stray("tolerance", "numeric")
		case f.Accept != nil:
			return q, stray("accept", "text")
		}
	case lyceum.Numeric:
		switch {
		case f.Choices != nil:
			return q, stray("choices", "single and multiple")
		case f.Accept != nil:
			return q, stray("accept", "text")
		}
	case lyceum.ShortText:
		switch {
		case f.Choices != nil:
			return q, stray("choices", "single and multiple")
		case f.Number != nil:
			return q, stray("number", "numeric")
		case f.Tolerance != 0:
			return q, stray("tolerance", "numeric")
		}
	}
	return q, nil
}

// markdown reads the Markdown file that the field at p refers to.
func (r *reader) markdown(ref, p string) (string, error) {
	name, text, err := r.text(ref, p)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(text) == "" {
		return "", fileErr(name, p, "is empty")
	}
	if err := r.keep(name, p, text); err != nil {
		return "", err
	}
	return text, nil
}

// keep counts text that the course document will hold (a reading,
// instructions, a transcript) against lyceum.MaxCourseTextBytes.
func (r *reader) keep(name, p, text string) error {
	if r.kept += len(text); r.kept > lyceum.MaxCourseTextBytes {
		return fileErr(name, p, "brings the course's readings, instructions and transcripts to more than %s of text; a course holds at most that",
			sizeString(lyceum.MaxCourseTextBytes))
	}
	return nil
}

var bom = []byte("\uFEFF")

// text reads the UTF-8 text file that the field at p refers to, without a
// byte order mark, and returns its cleaned name and its text.
func (r *reader) text(ref, p string) (string, string, error) {
	name, err := r.path(ref, p)
	if err != nil {
		return "", "", err
	}
	if _, err := r.stat(name, p); err != nil {
		return "", "", err
	}
	f, err := r.fsys.Open(name)
	if err != nil {
		return "", "", openError(name, p, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTextSize+1))
	if err != nil {
		return "", "", openError(name, p, err)
	}
	if len(data) > MaxTextSize {
		return "", "", fileErr(name, p, "is larger than the %s limit for a text file", sizeString(MaxTextSize))
	}
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		bad := 0
		for bad < len(data) {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		return "", "", fileErr(name, p, "is not UTF-8 text (line %d); save it as UTF-8", bytes.Count(data[:bad], []byte("\n"))+1)
	}
	return name, string(data), nil
}

// path checks the bundle path ref given at p and returns it cleaned.
func (r *reader) path(ref, p string) (string, error) {
	switch {
	case strings.TrimSpace(ref) == "":
		return "", r.err(p, "is required: the path of a file in the bundle")
	case len(ref) > MaxPathLength:
		return "", r.err(p, "must be at most %d bytes long, got %d", MaxPathLength, len(ref))
	case strings.Contains(ref, "://"):
		return "", r.err(p, "must be a file in the bundle, not a URL: %q", ref)
	case strings.Contains(ref, `\`):
		return "", r.err(p, "must separate folders with /, not \\: %q", ref)
	case strings.HasPrefix(ref, "/") || len(ref) >= 2 && ref[1] == ':':
		return "", r.err(p, "must be relative to the bundle's top folder, got the absolute path %q", ref)
	}
	name := path.Clean(ref)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", r.err(p, "%q points outside the bundle", ref)
	}
	if !fs.ValidPath(name) || name == "." {
		return "", r.err(p, "is not a file path: %q", ref)
	}
	return name, nil
}

// stat checks that name, referred to by the field at p, is a regular file
// inside the bundle.
func (r *reader) stat(name, p string) (fs.FileInfo, error) {
	info, err := fs.Lstat(r.fsys, name)
	if err != nil {
		return nil, openError(name, p, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// os.DirFS follows links anywhere; refuse the ones that leave the
		// bundle. (os.Root.FS refuses them itself.) A zip cannot follow
		// links at all.
		if _, ok := r.fsys.(fs.ReadLinkFS); !ok {
			return nil, fileErr(name, p, "is a symbolic link; put the file itself in the archive")
		}
		target, err := fs.ReadLink(r.fsys, name)
		if err != nil {
			return nil, openError(name, p, err)
		}
		if t := path.Join(path.Dir(name), target); path.IsAbs(target) || t == ".." || strings.HasPrefix(t, "../") {
			return nil, fileErr(name, p, "is a symbolic link to outside the bundle")
		}
		if info, err = fs.Stat(r.fsys, name); err != nil {
			return nil, openError(name, p, err)
		}
	}
	if info.IsDir() {
		return nil, fileErr(name, p, "is a folder, not a file")
	}
	if !info.Mode().IsRegular() {
		return nil, fileErr(name, p, "is not a regular file")
	}
	return info, nil
}

func (r *reader) addMedia(name string) {
	if !r.seen[name] {
		r.seen[name] = true
		r.media = append(r.media, name)
	}
}

// err is an error at the field path p of course.yaml.
func (r *reader) err(p, format string, args ...any) error {
	return courseErr(p, r.line(p), format, args...)
}

// line returns the line of the field at path p, or of the nearest enclosing
// field that course.yaml has (a missing key has no line of its own).
func (r *reader) line(p string) int {
	for p != "" {
		if l, ok := r.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0 // a top-level key that is missing: no line to point at
}

// fileErr is an error in the bundle file name, referred to by the field at p
// of course.yaml.
func fileErr(name, p, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if p != "" {
		msg += " (referenced by " + p + ")"
	}
	return &lyceum.ValidationError{Field: name, Message: msg}
}

// openError converts an error opening or reading name. A missing file and a
// damaged zip are the bundle's fault; anything else (a failing disk) is not,
// and is returned as it is.
func openError(name, p string, err error) error {
	var ve *lyceum.ValidationError
	if errors.As(err, &ve) { // a checked archive's finding (zip.go)
		return ve
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fileErr(name, p, "file not found")
	case errors.Is(err, fs.ErrInvalid):
		return fileErr(name, p, "is not a valid path")
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrAlgorithm):
		return fileErr(name, p, "is damaged in the zip archive (%v)", err)
	}
	return fmt.Errorf("bundle: reading %s: %w", name, err)
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
