// Media probes: the duration of an MP4 or WebM video, read from its
// container headers without decoding it.

package bundle

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// formatError is a video file that is not what its name says, or is
// damaged: the bundle's fault, unlike an I/O error.
type formatError string

func (e formatError) Error() string { return string(e) }

func formatErrorf(format string, args ...any) error { return formatError(fmt.Sprintf(format, args...)) }

// maxBoxes bounds how many boxes or elements a duration probe looks at, so
// that a file made of millions of tiny boxes cannot keep it busy.
const maxBoxes = 4096

// mp4Duration returns the duration in seconds that the movie header box
// (moov/mvhd) of an MP4 file declares. It walks the top-level boxes to moov,
// seeking over the media data when r can seek and reading through it when it
// cannot (a file in a zip), so a file written with -movflags +faststart
// costs a few hundred bytes. 0 means the file does not say (a fragmented
// MP4).
func mp4Duration(r io.Reader) (float64, error) {
	for i := 0; i < maxBoxes; i++ {
		typ, size, err := readBox(r)
		if errors.Is(err, io.EOF) {
			if i == 0 {
				return 0, formatError("the file is empty")
			}
			return 0, formatError("it has no movie header (moov box)")
		}
		if err != nil {
			return 0, err
		}
		if i == 0 && typ != "ftyp" {
			return 0, formatError("it is not an MP4 file (it does not start with an ftyp box)")
		}
		if typ == "moov" {
			if size < 0 {
				return mvhdDuration(r)
			}
			return mvhdDuration(io.LimitReader(r, size))
		}
		if size < 0 {
			return 0, formatError("it has no movie header (moov box)")
		}
		if err := skip(r, size); err != nil {
			return 0, err
		}
	}
	return 0, formatErrorf("it has more than %d boxes before its movie header", maxBoxes)
}

// mvhdDuration finds mvhd among the children of a moov box.
func mvhdDuration(moov io.Reader) (float64, error) {
	for i := 0; i < maxBoxes; i++ {
		typ, size, err := readBox(moov)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		if typ != "mvhd" {
			if size < 0 {
				break
			}
			if err := skip(moov, size); err != nil {
				return 0, err
			}
			continue
		}
		// version(1) flags(3), then creation and modification times, the
		// timescale and the duration: 32-bit in version 0, 64-bit in 1.
		var b [32]byte
		if _, err := io.ReadFull(moov, b[:4]); err != nil {
			return 0, truncated(err)
		}
		var timescale, duration uint64
		switch b[0] {
		case 0:
			if _, err := io.ReadFull(moov, b[:16]); err != nil {
				return 0, truncated(err)
			}
			timescale = uint64(binary.BigEndian.Uint32(b[8:]))
			duration = uint64(binary.BigEndian.Uint32(b[12:]))
			if duration == math.MaxUint32 {
				duration = 0
			}
		case 1:
			if _, err := io.ReadFull(moov, b[:28]); err != nil {
				return 0, truncated(err)
			}
			timescale = uint64(binary.BigEndian.Uint32(b[16:]))
			duration = binary.BigEndian.Uint64(b[20:])
			if duration == math.MaxUint64 {
				duration = 0
			}
		default:
			return 0, formatErrorf("its movie header has unknown version %d", b[0])
		}
		if timescale == 0 {
			return 0, formatError("its movie header has a time scale of 0")
		}
		return float64(duration) / float64(timescale), nil
	}
	return 0, formatError("its moov box has no movie header (mvhd box)")
}

// readBox reads an MP4 box header and returns the box's type and the size
// of its body, -1 for a box that runs to the end of the file.
func readBox(r io.Reader) (string, int64, error) {
	var h [16]byte
	if _, err := io.ReadFull(r, h[:8]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", 0, formatError("it ends in the middle of a box header")
		}
		return "", 0, err
	}
	typ, size, header := string(h[4:8]), int64(binary.BigEndian.Uint32(h[:4])), int64(8)
	switch size {
	case 0:
		return typ, -1, nil
	case 1:
		if _, err := io.ReadFull(r, h[8:16]); err != nil {
			return "", 0, truncated(err)
		}
		size, header = int64(binary.BigEndian.Uint64(h[8:16])), 16
	}
	if size < header {
		return "", 0, formatErrorf("it has a malformed %q box", typ)
	}
	return typ, size - header, nil
}

// skip discards n bytes of r, seeking when it can.
func skip(r io.Reader, n int64) error {
	if s, ok := r.(io.Seeker); ok {
		pos, err := s.Seek(n, io.SeekCurrent)
		if err != nil {
			return err
		}
		end, err := s.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		if pos > end {
			return formatError("it is cut short")
		}
		_, err = s.Seek(pos, io.SeekStart)
		return err
	}
	_, err := io.CopyN(io.Discard, r, n)
	return truncated(err)
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatError("it is cut short")
	}
	return err
}

// Matroska/WebM element ids.
const (
	ebmlHeader     = 0x1A45DFA3
	ebmlDocType    = 0x4282
	mkvSegment     = 0x18538067
	mkvInfo        = 0x1549A966
	mkvCluster     = 0x1F43B675
	mkvTimestampSc = 0x2AD7B1
	mkvDuration    = 0x4489
)

// webmDuration returns the duration in seconds of a WebM (Matroska) file,
// from the Duration element of the segment's Info. 0 means the file does
// not say (a live recording).
func webmDuration(r io.Reader) (float64, error) {
	br := bufio.NewReader(r)
	id, size, err := readElement(br)
	if err != nil || id != ebmlHeader || size < 0 || size > 1024 {
		if err != nil && !errors.Is(err, io.EOF) && !errors.As(err, new(formatError)) {
			return 0, err
		}
		return 0, formatError("it is not a WebM file (it does not start with an EBML header)")
	}
	header := make([]byte, size)
	if _, err := io.ReadFull(br, header); err != nil {
		return 0, truncated(err)
	}
	docType := ""
	if err := elements(header, func(id uint64, body []byte) {
		if id == ebmlDocType {
			docType = string(body)
		}
	}); err != nil {
		return 0, err
	}
	if docType != "webm" && docType != "matroska" {
		return 0, formatErrorf("it is not a WebM file (its document type is %q)", docType)
	}
	if id, _, err := readElement(br); err != nil || id != mkvSegment {
		return 0, formatError("it has no segment after its EBML header")
	}
	// The segment's size may be unknown (live recordings); its children
	// are read one by one until Info.
	for i := 0; i < maxBoxes; i++ {
		id, size, err := readElement(br)
		if err != nil {
			return 0, truncated(err)
		}
		if id == mkvCluster {
			break
		}
		if size < 0 {
			return 0, formatErrorf("element %#x has an unknown size", id)
		}
		if id != mkvInfo {
			if _, err := io.CopyN(io.Discard, br, size); err != nil {
				return 0, truncated(err)
			}
			continue
		}
		if size > 1<<20 {
			return 0, formatErrorf("its segment info is %d bytes long", size)
		}
		info := make([]byte, size)
		if _, err := io.ReadFull(br, info); err != nil {
			return 0, truncated(err)
		}
		scale, duration := uint64(1_000_000), 0.0 // ns per tick, ticks
		err = elements(info, func(id uint64, body []byte) {
			switch {
			case id == mkvTimestampSc && len(body) >= 1 && len(body) <= 8:
				scale = 0
				for _, b := range body {
					scale = scale<<8 | uint64(b)
				}
			case id == mkvDuration && len(body) == 4:
				duration = float64(math.Float32frombits(binary.BigEndian.Uint32(body)))
			case id == mkvDuration && len(body) == 8:
				duration = math.Float64frombits(binary.BigEndian.Uint64(body))
			}
		})
		if err != nil {
			return 0, err
		}
		d := duration * float64(scale) / 1e9
		if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
			return 0, formatErrorf("it declares an impossible duration")
		}
		return d, nil
	}
	return 0, formatError("it has no segment info before its first cluster")
}

// elements calls f for each element of the EBML body b.
func elements(b []byte, f func(id uint64, body []byte)) error {
	for len(b) > 0 {
		id, n, err := vint(b, true)
		if err != nil {
			return err
		}
		size, m, err := vint(b[n:], false)
		if err != nil {
			return err
		}
		b = b[n+m:]
		if size < 0 || size > int64(len(b)) {
			return formatError("it has an element that overruns its parent")
		}
		f(uint64(id), b[:size])
		b = b[size:]
	}
	return nil
}

// readElement reads an EBML element header: its id and the size of its
// body, -1 if unknown.
func readElement(br *bufio.Reader) (uint64, int64, error) {
	var id, size int64
	for i, isID := range []bool{true, false} {
		b, err := br.Peek(1)
		if err != nil {
			if i > 0 {
				err = truncated(err)
			}
			return 0, 0, err
		}
		n := vintLen(b[0])
		if b, err = br.Peek(n); err != nil {
			return 0, 0, truncated(err)
		}
		v, _, err := vint(b, isID)
		if err != nil {
			return 0, 0, err
		}
		br.Discard(n)
		if isID {
			id = v
		} else {
			size = v
		}
	}
	return uint64(id), size, nil
}

// vintLen is the length of the EBML variable-length integer starting with
// b, 9 when b is invalid.
func vintLen(b byte) int {
	for n := 1; n <= 8; n++ {
		if b&(0x80>>(n-1)) != 0 {
			return n
		}
	}
	return 9
}

// vint decodes an EBML variable-length integer from b and returns it and
// its length. An id keeps its length marker; a size drops it, and a size of
// all ones is unknown (-1).
func vint(b []byte, isID bool) (int64, int, error) {
	if len(b) == 0 {
		return 0, 0, formatError("it is cut short")
	}
	n := vintLen(b[0])
	if n > 8 || isID && n > 4 || len(b) < n {
		return 0, 0, formatError("it has a malformed EBML element")
	}
	v := uint64(b[0])
	if !isID {
		v &= 0xFF >> n
	}
	allOnes := v == 0xFF>>n
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xFF
	}
	if !isID && allOnes {
		return -1, n, nil
	}
	return int64(v), n, nil
}
