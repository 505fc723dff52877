package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenZipReadsABundle(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for name, f := range tinyBundle(t) {
		files[name] = f.Data
	}
	z := zipOf(t, files)
	fsys, err := OpenZip(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(fsys); err != nil {
		t.Fatal(err)
	}
	// What Lyceum exports, it imports.
	b, _ := Read(fsys)
	var out bytes.Buffer
	if err := WriteZip(&out, b.Course, func(p string) (io.ReadCloser, error) { return fsys.Open(p) }); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenZip(bytes.NewReader(out.Bytes()), int64(out.Len())); err != nil {
		t.Fatalf("an export does not pass the upload checks: %v", err)
	}
}

func TestOpenZipNotAZip(t *testing.T) {
	t.Parallel()
	for _, data := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte("PK\x05\x06"), 100)} {
		if _, err := OpenZip(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrNotZip) {
			t.Errorf("%q: got %v, want ErrNotZip", data, err)
		}
	}
}

// TestOpenZipBoundsTheTableOfContents: zip.NewReader reads every entry of
// the table of contents into memory, however many the archive's end record
// declares; a 512 MiB upload could list ten million. OpenZip stops reading
// it at a few MiB.
func TestOpenZipBoundsTheTableOfContents(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 50000 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%s/%06d", strings.Repeat("d", 100), i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	_, err := OpenZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	var ve *lyceum.ValidationError
	if !errors.As(err, &ve) || ve.Field != "archive" || !strings.Contains(ve.Message, "table of contents is larger than 4.0 MiB") {
		t.Fatalf("got %v", err)
	}
}
