package bundle

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

// assertSameCourse fails t when got differs from want, showing the first
// difference of their JSON.
func assertSameCourse(t *testing.T, what string, want, got *lyceum.Course) {
	t.Helper()
	if reflect.DeepEqual(want, got) {
		return
	}
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	for i := range min(len(wl), len(gl)) {
		if wl[i] != gl[i] {
			t.Fatalf("%s: courses differ at JSON line %d:\nwant %s\ngot  %s", what, i+1, wl[i], gl[i])
		}
	}
	t.Fatalf("%s: courses differ (nil versus empty?):\nwant %s\ngot  %s", what, w, g)
}

// storedCourse is a course as the store holds it: blob keys that are not
// bundle paths, owner and timestamps, fields of other question kinds left
// behind by editing.
func storedCourse() (*lyceum.Course, map[string]string) {
	three := 3.0
	blobs := map[string]string{"blobs/7f3a": "video bytes", "blobs/91c2": "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"}
	return &lyceum.Course{
		ID: "stored", Title: "Stored course", Language: "pt-BR", OwnerID: "u1",
		CreatedAt: lyceum.TimeNow(), UpdatedAt: lyceum.TimeNow(),
		Modules: []lyceum.Module{{ID: "m", Title: "Módulo", Items: []lyceum.Item{
			{ID: "v", Kind: lyceum.KindVideo, Title: "Vídeo", Optional: true, Video: &lyceum.Video{
				Blob: "blobs/7f3a", ContentType: "video/webm", DurationSeconds: 61.25, Captions: "blobs/91c2",
				Transcript: "Olá.\n",
				Questions: []lyceum.VideoQuestion{{At: 0, Question: lyceum.Question{ID: "q", Kind: lyceum.ShortText,
					Prompt: "Nome?", Accept: []string{"Ana"}, Number: &three}}},
			}},
			{ID: "z", Kind: lyceum.KindQuiz, Title: "Quiz", Quiz: &lyceum.Quiz{PassPercent: 66.5, Questions: []lyceum.Question{
				{ID: "n", Kind: lyceum.Numeric, Prompt: "Quanto?\nEm metros.", Number: &three, Tolerance: 0.25, Points: 2},
				{ID: "s", Kind: lyceum.SingleChoice, Prompt: "yes", Accept: []string{"stale"}, Choices: []lyceum.Choice{
					{ID: "a", Text: "true", Correct: true, Feedback: "Sim: 100%"}, {ID: "b", Text: "42"}}},
			}}},
		}}},
	}, blobs
}

func TestWriteStoredCourse(t *testing.T) {
	t.Parallel()
	c, blobs := storedCourse()
	open := func(key string) (io.ReadCloser, error) {
		s, ok := blobs[key]
		if !ok {
			return nil, lyceum.ErrNotFound
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, c, open); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"media/v.webm": "video bytes", "media/v.vtt": blobs["blobs/91c2"], "media/v.txt": "Olá.\n"} {
		if got := string(mustRead(t, filepath.Join(dir, name))); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	// The video bytes are not a real WebM; its duration is declared.
	b, err := Read(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := *c
	want.OwnerID, want.CreatedAt, want.UpdatedAt = "", b.Course.CreatedAt, b.Course.UpdatedAt
	want.Modules = []lyceum.Module{c.Modules[0]}
	want.Modules[0].Items = append([]lyceum.Item(nil), c.Modules[0].Items...)
	v := *c.Modules[0].Items[0].Video
	v.Blob, v.Captions = "media/v.webm", "media/v.vtt"
	v.Questions = []lyceum.VideoQuestion{v.Questions[0]}
	v.Questions[0].Number = nil // a text question has no number
	want.Modules[0].Items[0].Video = &v
	qz := *c.Modules[0].Items[1].Quiz
	qz.Questions = append([]lyceum.Question(nil), qz.Questions...)
	qz.Questions[1].Accept = nil // a single-choice question has no accepted answers
	want.Modules[0].Items[1].Quiz = &qz
	assertSameCourse(t, "stored course", &want, b.Course)
}

func TestWriteRefuses(t *testing.T) {
	t.Parallel()
	c, _ := storedCourse()
	open := func(key string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }

	full := t.TempDir()
	writeTestFile(t, filepath.Join(full, "keep.txt"), []byte("mine"))
	if err := Write(full, c, open); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty dir: got %v", err)
	}

	bad := *c
	bad.Title = ""
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, &bad, open); !lyceum.IsValidation(err) {
		t.Errorf("invalid course: got %v, want a validation error", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("invalid course: %s was created", dir)
	}

	// A blob that cannot be opened fails the export and leaves nothing.
	failing := func(string) (io.ReadCloser, error) { return nil, lyceum.ErrNotFound }
	if err := Write(dir, c, failing); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("missing blob: got %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 0 {
		t.Errorf("missing blob: left %v behind", entries)
	}

	// An existing empty directory is fine.
	empty := t.TempDir()
	if err := Write(empty, c, open); err != nil {
		t.Errorf("empty dir: %v", err)
	}
}
