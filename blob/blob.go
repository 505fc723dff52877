// Package blob stores large binary objects (videos, captions, uploads) by
// key. The embedded default keeps them as files under a directory; an
// S3-compatible implementation comes with scale-out.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lyceum/lyceum"
)

// Object is an open blob: readable, seekable (for HTTP range requests).
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Store keeps blobs by key. Keys are slash-separated paths such as
// "courses/intro/media/welcome.mp4".
type Store interface {
	// Put stores r under key, replacing what was there. The blob is durable
	// and complete when Put returns; readers never see a partial blob.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns lyceum.ErrNotFound for a missing key, and for a key
	// nothing can be stored under; the error's message leaves the key out.
	Open(ctx context.Context, key string) (Object, error)
	Delete(ctx context.Context, key string) error
}

// Dir is a Store of files under a directory.
type Dir struct{ root string }

func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &Dir{root: root}, nil
}

// CheckKey rejects keys that are empty, absolute, climb out of the store,
// or hold a NUL (which no file name can).
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") || !fs.ValidPath(key) {
		return lyceum.Invalid("key", "must be a relative path of slash-separated names, without . or .. names, backslashes or NUL")
	}
	return nil
}

// notFound is a missing blob. Its message, which a client may see, leaves
// the key out: keys are the store's business.
type notFound struct{}

func (notFound) Error() string { return "file not found" }
func (notFound) Unwrap() error { return lyceum.ErrNotFound }

func (d *Dir) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

func (d *Dir) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	p, err := d.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return n, fmt.Errorf("put blob %s: %w", key, err)
	}
	return n, syncDir(filepath.Dir(p))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

type file struct {
	*os.File
	info fs.FileInfo
}

func (f file) Size() int64        { return f.info.Size() }
func (f file) ModTime() time.Time { return f.info.ModTime() }

func (d *Dir) Open(ctx context.Context, key string) (Object, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, notFound{} // nothing can be stored under such a key
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ENAMETOOLONG) {
		return nil, notFound{}
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		f.Close()
		return nil, notFound{}
	}
	return file{f, info}, nil
}

func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// ContextReader reads r until ctx ends: a long copy from it stops at the
// next read after a cancel.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
