package bundle

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"unicode"

	"github.com/lyceum/lyceum"
)

// Limits on an uploaded zip archive, checked from its table of contents
// before anything is read or written, and again on the bytes actually
// read (a header may lie about sizes).
const (
	MaxZipEntries = 10000
	// MaxZipExpansion is how many times its own size an archive may expand
	// to, all files together, once it expands to more than
	// minExpansionCap: compressed video hardly shrinks, and text shrinks a
	// few times.
	MaxZipExpansion = 20
	// MaxZipTotal bounds the expanded size of an archive, whatever its own.
	MaxZipTotal = 4 << 30
	// MaxEntryExpansion is how many times its compressed size one file
	// larger than minEntryCheck may expand to.
	MaxEntryExpansion = 100

	minExpansionCap = 64 << 20
	minEntryCheck   = 1 << 20
	// maxDirectory bounds the archive's table of contents, which is read
	// into memory before any check can run.
	maxDirectory = 4 << 20
)

// ErrNotZip is returned by OpenZip for an upload that is not a zip archive.
var ErrNotZip = errors.New("not a zip archive")

// zipErr is an error about the archive as a whole or one of its entries.
func zipErr(format string, args ...any) error {
	return &lyceum.ValidationError{Field: "archive", Message: fmt.Sprintf(format, args...)}
}

// OpenZip checks the zip archive of a bundle in r (size bytes long, an
// upload spooled to disk) and returns it as a file system for Read. It
// refuses, before anything is expanded: an archive whose table of contents
// is too large or lists more than MaxZipEntries files; entries that are not
// plain relative paths inside the bundle (.., absolute paths, drive letters,
// backslashes, control characters), symbolic links, names given twice (also
// when they differ only in case, or name both a file and a folder),
// archives inside the archive, encrypted entries, and unknown compression
// methods; and an archive that would expand to more than MaxZipTotal, or
// more than MaxZipExpansion times its size, or with one file expanding more
// than MaxEntryExpansion times. Reading from the returned file system then
// fails with a *lyceum.ValidationError as soon as a file yields more bytes
// than its header declares.
//
// Problems are *lyceum.ValidationErrors on the field "archive"; an upload
// that is no zip at all wraps ErrNotZip.
func OpenZip(r io.ReaderAt, size int64) (fs.FS, error) {
	// The table of contents is read in full by zip.NewReader: bound what
	// it may read before the rest of the archive is looked at.
	lr := &limitedReaderAt{r: r, left: maxDirectory + 128<<10}
	zr, err := zip.NewReader(lr, size)
	switch {
	case lr.exhausted():
		return nil, zipErr("its table of contents is larger than %s; a bundle holds at most %d files", sizeString(maxDirectory), MaxZipEntries)
	case err != nil && !errors.Is(err, zip.ErrInsecurePath):
		return nil, fmt.Errorf("%w: %v", ErrNotZip, err)
	}
	lr.lift()
	if len(zr.File) > MaxZipEntries {
		return nil, zipErr("holds %d files; a bundle holds at most %d", len(zr.File), MaxZipEntries)
	}
	names := map[string]string{} // lower-case name → name
	var total uint64
	for _, f := range zr.File {
		if err := checkEntry(f, names); err != nil {
			return nil, err
		}
		if total += f.UncompressedSize64; total > MaxZipTotal {
			return nil, zipErr("would expand to more than %s; a bundle is at most that", sizeString(MaxZipTotal))
		}
	}
	// A folder implied by a file's path must not also be a file.
	for lower, name := range names {
		for dir := path.Dir(lower); dir != "."; dir = path.Dir(dir) {
			if other, ok := names[dir]; ok && !strings.HasSuffix(other, "/") {
				return nil, zipErr("entry %q is a file, and entry %q puts a file inside it", other, name)
			}
		}
	}
	if limit := max(minExpansionCap, uint64(size)*MaxZipExpansion); total > limit {
		return nil, zipErr("would expand to %s, more than %d times its own size; remove what is not the course's",
			sizeString(int64(total)), MaxZipExpansion)
	}
	return &zipFS{zr: zr}, nil
}

// checkEntry checks one entry of the archive; names collects the entries
// seen, by their lower-case name.
func checkEntry(f *zip.File, names map[string]string) error {
	name := f.Name
	isDir := strings.HasSuffix(name, "/")
	clean := strings.TrimSuffix(name, "/")
	switch {
	case !strings.ContainsFunc(name, func(r rune) bool { return r != '/' }):
		return zipErr("an entry has no name")
	case strings.ContainsFunc(name, unicode.IsControl):
		return zipErr("entry %q has control characters in its name", name)
	case strings.Contains(name, `\`):
		return zipErr("entry %q separates folders with \\; make the zip with a tool that uses /", name)
	case strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':':
		return zipErr("entry %q is an absolute path; a bundle's files are relative to its top folder", name)
	case clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, "/../") || strings.HasSuffix(clean, "/.."):
		return zipErr("entry %q points outside the bundle", name)
	case !fs.ValidPath(clean):
		return zipErr("entry %q is not a plain path (no ., .. or empty folder names)", name)
	case f.Mode()&fs.ModeSymlink != 0:
		return zipErr("entry %q is a symbolic link; put the file itself in the archive", name)
	case !isDir && !f.Mode().IsRegular():
		return zipErr("entry %q is not a regular file", name)
	case f.Flags&1 != 0:
		return zipErr("entry %q is encrypted; upload the bundle without a password", name)
	case f.Method != zip.Store && f.Method != zip.Deflate:
		return zipErr("entry %q is compressed with method %d; use deflate (what every zip tool does by default)", name, f.Method)
	case strings.EqualFold(path.Ext(clean), ".zip"):
		return zipErr("entry %q is an archive inside the archive; Lyceum does not unpack those: unzip it into the bundle, or leave it out", name)
	case !isDir && f.UncompressedSize64 > MaxMediaSize:
		return zipErr("entry %q is %s, over the %s limit for one file", name, sizeString(int64(min(f.UncompressedSize64, 1<<62))), sizeString(MaxMediaSize))
	case !isDir && f.UncompressedSize64 > minEntryCheck && f.UncompressedSize64 > f.CompressedSize64*MaxEntryExpansion:
		return zipErr("entry %q would expand to %s from %s, more than %d times; a bundle's files do not compress that much",
			name, sizeString(int64(f.UncompressedSize64)), sizeString(int64(f.CompressedSize64)), MaxEntryExpansion)
	}
	lower := strings.ToLower(clean)
	if other, ok := names[lower]; ok {
		if isDir && strings.HasSuffix(other, "/") {
			return nil // a folder listed twice holds nothing
		}
		if other == name {
			return zipErr("entry %q is in the archive twice", name)
		}
		return zipErr("entries %q and %q differ only in case (or one is a folder); rename one", other, name)
	}
	names[lower] = name
	return nil
}

// zipFS is a checked archive. Reading a file counts its bytes against what
// its header declared, and OpenZip checked those against the limits: so no
// file yields more than the limits allow, whatever its compressed bytes say.
type zipFS struct {
	zr *zip.Reader
}

func (z *zipFS) Open(name string) (fs.File, error) {
	f, err := z.zr.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		return f, err
	}
	return &zipFile{File: f, name: name, declared: uint64(info.Size())}, nil
}

type zipFile struct {
	fs.File
	name     string
	declared uint64
	read     uint64
}

func (f *zipFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	if f.read += uint64(n); f.read > f.declared {
		return 0, &lyceum.ValidationError{Field: f.name, Message: "holds more bytes than the archive's table of contents says; the archive is damaged or forged"}
	}
	return n, err
}

// limitedReaderAt reads from r until left bytes were read, then fails;
// lift takes the limit away.
type limitedReaderAt struct {
	r    io.ReaderAt
	mu   sync.Mutex
	left int64 // < 0: no limit
	hit  bool
}

var errReadLimit = errors.New("read limit")

func (l *limitedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	l.mu.Lock()
	if l.left >= 0 {
		if int64(len(p)) > l.left {
			l.hit = true
			l.mu.Unlock()
			return 0, errReadLimit
		}
		l.left -= int64(len(p))
	}
	l.mu.Unlock()
	return l.r.ReadAt(p, off)
}

func (l *limitedReaderAt) lift() {
	l.mu.Lock()
	l.left = -1
	l.mu.Unlock()
}

func (l *limitedReaderAt) exhausted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hit
}

// ReadError converts an error reading bundle file name (referred to by the
// field at p of course.yaml, "" if none) into what the importer reports: a
// damaged or forged file is the bundle's fault (a *lyceum.ValidationError),
// anything else (a failing disk) is returned as it is.
func ReadError(name, p string, err error) error {
	return openError(name, p, err)
}
