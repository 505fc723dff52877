package server_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
)

// entry is one file of a hand-made zip: a name, its bytes, and what its
// headers say about them.
type entry struct {
	name string
	data []byte
	// edit changes the header before it is written; raw, if set, is the
	// entry's compressed bytes as they are (the header says the rest).
	edit func(h *zip.FileHeader)
	raw  []byte
}

// zipWith returns the zipped bundle base with extra entries after its own;
// replace drops base's entries of those names first.
func zipWith(t *testing.T, base []byte, replace bool, extra ...entry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	drop := map[string]bool{}
	if replace {
		for _, e := range extra {
			drop[e.name] = true
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if drop[f.Name] {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range extra {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.raw != nil {
			h.CRC32 = crc32.ChecksumIEEE(e.data)
			h.CompressedSize64, h.UncompressedSize64 = uint64(len(e.raw)), uint64(len(e.data))
		}
		if e.edit != nil {
			e.edit(h)
		}
		var w io.Writer
		if e.raw != nil {
			w, err = zw.CreateRaw(h)
		} else {
			w, err = zw.CreateHeader(h)
		}
		if err != nil {
			t.Fatal(err)
		}
		data := e.data
		if e.raw != nil {
			data = e.raw
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflate(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// leftovers lists the files under the data dir's blobs of course id and its
// upload spool: what a refused import must not leave behind.
func leftovers(t *testing.T, ts *testServer, id string) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{filepath.Join(ts.DataDir(), "blobs", "courses", id), filepath.Join(ts.DataDir(), "cache", "uploads")} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

func TestImportRefusesHostileZips(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.MaxUploadBytes = 8 << 20 })
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	notes := []byte("# Notes\n\n" + strings.Repeat("A line of the reading.\n", 50000)) // ~1 MiB
	many := make([]entry, lyceum.MaxItems*10+1)
	for i := range many {
		many[i] = entry{name: fmt.Sprintf("junk/%05d.txt", i)}
	}
	for _, tt := range []struct {
		name    string
		replace bool
		entries []entry
		want    string // in the error message
	}{
		{"parent folder", false, []entry{{name: "../evil.md", data: []byte("x")}}, `../evil.md`},
		{"deeper parent folder", false, []entry{{name: "readings/../../evil.md", data: []byte("x")}}, `readings/../../evil.md`},
		{"absolute path", false, []entry{{name: "/etc/cron.d/evil", data: []byte("x")}}, `/etc/cron.d/evil`},
		{"drive letter", false, []entry{{name: "C:/evil.md", data: []byte("x")}}, `C:/evil.md`},
		{"backslashes", false, []entry{{name: `..\..\evil.md`, data: []byte("x")}}, `evil.md`},
		{"dot segment", false, []entry{{name: "readings/./notes2.md", data: []byte("x")}}, `readings/./notes2.md`},
		{"control character", false, []entry{{name: "readings/a\x01.md", data: []byte("x")}}, `readings/a`},
		{"symbolic link", false, []entry{{name: "readings/link.md", data: []byte("/etc/passwd"),
			edit: func(h *zip.FileHeader) { h.SetMode(fs.ModeSymlink | 0o777) }}}, "symbolic link"},
		{"symbolic link replacing a reading", true, []entry{{name: "readings/notes.md", data: []byte("../../../../etc/passwd"),
			edit: func(h *zip.FileHeader) { h.SetMode(fs.ModeSymlink | 0o777) }}}, "symbolic link"},
		{"course.yaml twice", false, []entry{{name: "course.yaml", data: []byte("id: other\n")}}, `course.yaml`},
		{"a reading twice", false, []entry{{name: "readings/notes.md", data: []byte("# Other\n")}}, `readings/notes.md`},
		{"a file and a folder of one name", false, []entry{{name: "media", data: []byte("x")}}, `media`},
		{"names differing in case", false, []entry{{name: "Readings/Notes.md", data: []byte("x")}}, `Readings/Notes.md`},
		{"nested zip", false, []entry{{name: "extras/more.zip", data: testBundle(t, "inner", "Inner")}}, `extras/more.zip`},
		{"encrypted entry", false, []entry{{name: "extras/secret.md", data: []byte("x"), edit: func(h *zip.FileHeader) { h.Flags |= 1 }}}, "encrypted"},
		{"unknown compression", false, []entry{{name: "extras/x.md", data: []byte("x"), raw: []byte("x"), edit: func(h *zip.FileHeader) { h.Method = 99 }}}, "compress"},
		{"huge number of entries", false, many, "at most 10000"},
		{"zero size declared, a megabyte inside", true, []entry{{name: "readings/notes.md", data: notes, raw: deflate(t, notes),
			edit: func(h *zip.FileHeader) { h.UncompressedSize64 = 0 }}}, "readings/notes.md"},
		{"video larger than declared", true, []entry{{name: "media/intro.mp4", data: bytes.Repeat([]byte("v"), 9500), raw: deflate(t, bytes.Repeat([]byte("v"), 9500)),
			edit: func(h *zip.FileHeader) { h.UncompressedSize64 = 100 }}}, "media/intro.mp4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := "hostile-" + strings.NewReplacer(" ", "-", ",", "", ".", "").Replace(tt.name)
			res := inst.importCourse(zipWith(t, testBundle(t, id, "Hostile"), tt.replace, tt.entries...))
			if res.status != 422 {
				t.Fatalf("status %d, want 422: %.500s", res.status, res.body)
			}
			if !strings.Contains(string(res.body), tt.want) {
				t.Errorf("error %s does not mention %s", res.body, tt.want)
			}
			if strings.Contains(string(res.body), ts.DataDir()) {
				t.Errorf("error %s shows a server path", res.body)
			}
			must(t, inst.get("/api/v1/courses/"+id), 404)
			if l := leftovers(t, ts, id); len(l) > 0 {
				t.Errorf("a refused import left %v", l)
			}
		})
	}
	// The same bundle without the hostile entries imports.
	must(t, inst.importCourse(zipWith(t, testBundle(t, "hostile-control", "Control"), false)), 201)
}

// TestImportRefusesZipBombs uploads archives that expand far beyond their
// size: refused before anything is written.
func TestImportRefusesZipBombs(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.MaxUploadBytes = 8 << 20 })
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	zeros := make([]byte, 64<<20)
	packed := deflate(t, zeros)
	video := func(name string) entry { return entry{name: name, data: zeros, raw: packed} }
	// Each small enough to pass a check of single files; together 600 MiB.
	mib := zeros[:1<<20]
	packedMiB := deflate(t, mib)
	small := make([]entry, 600)
	for i := range small {
		small[i] = entry{name: fmt.Sprintf("junk/%03d", i), data: mib, raw: packedMiB}
	}
	for _, tt := range []struct {
		name    string
		id      string
		entries []entry
		refer   bool // course.yaml has a video item for each entry
	}{
		{"one entry", "bomb-one", []entry{video("media/bomb-0.mp4")}, true},
		{"several entries", "bomb-many", []entry{video("media/bomb-0.mp4"), video("media/bomb-1.mp4"), video("media/bomb-2.mp4"), video("media/bomb-3.mp4")}, true},
		{"entries nobody refers to", "bomb-unused", []entry{video("junk/a"), video("junk/b"), video("junk/c")}, false},
		{"many small entries", "bomb-small", small, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			items := ""
			for i, e := range tt.entries {
				if tt.refer {
					items += fmt.Sprintf("      - id: bomb-%d\n        title: Bomb %d\n        video: {file: %s, duration: 60}\n", i, i, e.name)
				}
			}
			z := zipWith(t, testBundleWith(t, tt.id, nil, "    items:\n", "    items:\n"+items), false, tt.entries...)
			if len(z) > 1<<20 {
				t.Fatalf("the bomb is %d bytes", len(z))
			}
			res := inst.importCourse(z)
			if res.status != 422 || !strings.Contains(string(res.body), "expand") {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			must(t, inst.get("/api/v1/courses/"+tt.id), 404)
			if l := leftovers(t, ts, tt.id); len(l) > 0 {
				t.Errorf("a refused import left %v", l)
			}
		})
	}
}

// hiddenLength hides a reader's type, so that the client sends it chunked,
// without a Content-Length: the server learns the size only by reading.
type hiddenLength struct{ io.Reader }

func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestImportStreamsUploadsToDisk sends large uploads without a length: the
// server spools them to disk, refusing one over the limit while reading,
// and holds neither in memory.
func TestImportStreamsUploadsToDisk(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.MaxUploadBytes = 64 << 20 })
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	// A bundle with a 40 MiB video that does not compress.
	video := make([]byte, 40<<20)
	rand.NewChaCha8([32]byte{1}).Read(video)
	big := zipWith(t, testBundle(t, "streamed", "Streamed"), true, entry{name: "media/intro.mp4", data: video, edit: func(h *zip.FileHeader) { h.Method = zip.Store }})
	video = nil
	path := filepath.Join(t.TempDir(), "upload.zip")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	big = nil
	send := func(body io.Reader) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/courses/import", hiddenLength{body})
		req.Header.Set("Content-Type", "application/zip")
		req.Header.Set("X-CSRF-Token", inst.csrf)
		res, err := inst.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}

	var res *http.Response
	n := allocatedDuring(func() {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res = send(f)
	})
	if res.StatusCode != 201 {
		t.Fatalf("streamed import: %d", res.StatusCode)
	}
	if n > 16<<20 {
		t.Errorf("importing a 40 MiB upload allocated %d MiB: it was held in memory", n>>20)
	}

	// Over the limit, without a length: refused while reading.
	n = allocatedDuring(func() {
		res = send(io.LimitReader(zeroReader{}, 80<<20))
	})
	if res.StatusCode != 413 {
		t.Fatalf("oversized chunked upload: %d", res.StatusCode)
	}
	if n > 16<<20 {
		t.Errorf("refusing an 80 MiB upload allocated %d MiB: it was held in memory", n>>20)
	}
	if l := leftovers(t, ts, "no-such-course"); len(l) > 0 {
		t.Errorf("uploads left in the spool: %v", l)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
