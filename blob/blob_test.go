package blob

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

func TestDir(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Put(ctx, "courses/c1/media/a.mp4", strings.NewReader("first")); err != nil {
		t.Fatal(err)
	}
	n, err := d.Put(ctx, "courses/c1/media/a.mp4", strings.NewReader("second version"))
	if err != nil || n != 14 {
		t.Fatal(n, err)
	}
	o, err := d.Open(ctx, "courses/c1/media/a.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Size() != 14 {
		t.Fatalf("size %d", o.Size())
	}
	o.Seek(7, io.SeekStart)
	b, _ := io.ReadAll(o)
	if string(b) != "version" {
		t.Fatalf("read %q", b)
	}
	if _, err := d.Open(ctx, "courses/none"); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := d.Open(ctx, "courses/c1"); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("directory as blob: %v", err)
	}
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", "a\\b", "a\x00b", "courses/c1/media/a.mp4\x00"} {
		if _, err := d.Put(ctx, bad, strings.NewReader("x")); !lyceum.IsValidation(err) {
			t.Errorf("Put(%q) = %v, want a validation error", bad, err)
		}
	}
	// Keys that cannot name a blob are not found; the message, which a
	// client may see, does not show the key.
	for _, key := range []string{"courses/none", "courses/c1", "courses/c1/media/a.mp4\x00", "courses/c1/media/a.mp4/x",
		"courses/c1/" + strings.Repeat("x", 300), "", "../x", "a\\b"} {
		_, err := d.Open(ctx, key)
		if !errors.Is(err, lyceum.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want not found", key, err)
		} else if strings.Contains(err.Error(), "courses") {
			t.Errorf("Open(%q): the message %q shows the key", key, err)
		}
	}
	if err := d.Delete(ctx, "courses/c1/media/a.mp4"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "courses/c1/media/a.mp4"); err != nil {
		t.Fatal("second delete:", err)
	}
}
