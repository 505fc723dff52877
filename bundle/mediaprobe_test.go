package bundle

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"strings"
	"testing"
)

// box returns an MP4 box of type typ holding body.
func box(typ string, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(bytes.Join(body, nil))))
	return append(append(b, typ...), bytes.Join(body, nil)...)
}

// mvhd returns a version-0 movie header box.
func mvhd(timescale, duration uint32) []byte {
	b := []byte{0, 0, 0, 0}           // version, flags
	b = append(b, make([]byte, 8)...) // creation, modification
	b = binary.BigEndian.AppendUint32(b, timescale)
	b = binary.BigEndian.AppendUint32(b, duration)
	return box("mvhd", b, make([]byte, 80))
}

// stubMP4 is the smallest file that mp4Duration reads as lasting seconds:
// an ftyp box, then a moov box with an mvhd.
func stubMP4(seconds float64) []byte {
	return append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), box("moov", mvhd(1000, uint32(math.Round(seconds*1000))))...)
}

// onlyReader hides Seek, as a file in a zip archive does.
type onlyReader struct{ io.Reader }

func TestMP4Duration(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"testdata/tiny.mp4", "testdata/tiny-moov-last.mp4"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
			d, err := mp4Duration(r)
			if err != nil || d != 1.5 {
				t.Errorf("%s (%T): got %v, %v; want 1.5", name, r, d, err)
			}
		}
	}

	v1 := []byte{1, 0, 0, 0}
	v1 = append(v1, make([]byte, 16)...)
	v1 = binary.BigEndian.AppendUint32(v1, 90000)
	v1 = binary.BigEndian.AppendUint64(v1, 90000*42)
	ftyp := box("ftyp", []byte("mp42"))
	largeMdat := append(binary.BigEndian.AppendUint64([]byte{0, 0, 0, 1, 'm', 'd', 'a', 't'}, 16+3), 1, 2, 3)
	for _, tc := range []struct {
		name string
		data []byte
		want float64
	}{
		{"version 1 header after a 64-bit mdat", bytes.Join([][]byte{ftyp, largeMdat, box("moov", box("mvhd", v1))}, nil), 42},
		{"mvhd after other moov children", append(ftyp, box("moov", box("iods", make([]byte, 9)), mvhd(600, 600*7))...), 7},
		{"fragmented: duration unknown", append(ftyp, box("moov", mvhd(1000, 0))...), 0},
		{"stub", stubMP4(12.5), 12.5},
	} {
		if d, err := mp4Duration(bytes.NewReader(tc.data)); err != nil || d != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.name, d, err, tc.want)
		}
	}
}

func TestMP4DurationErrors(t *testing.T) {
	t.Parallel()
	moovLast, err := os.ReadFile("testdata/tiny-moov-last.mp4")
	if err != nil {
		t.Fatal(err)
	}
	ftyp := box("ftyp", []byte("isom"))
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"text", []byte("this is not a video at all"), "not an MP4 file"},
		{"no moov", append(ftyp, box("mdat", []byte{1, 2, 3})...), "no movie header"},
		{"cut short", moovLast[:200], "cut short"},
		{"moov without mvhd", append(ftyp, box("moov", box("trak"))...), "no movie header (mvhd box)"},
		{"malformed box", append(ftyp, 0, 0, 0, 3, 'm', 'o', 'o', 'v'), "malformed"},
		{"zero timescale", append(ftyp, box("moov", mvhd(0, 10))...), "time scale of 0"},
		{"webm named mp4", mustRead(t, "testdata/tiny.webm"), "not an MP4 file"},
	} {
		for _, r := range []io.Reader{bytes.NewReader(tc.data), onlyReader{bytes.NewReader(tc.data)}} {
			_, err := mp4Duration(r)
			if _, ok := err.(formatError); !ok || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s (%T): got %v, want a formatError containing %q", tc.name, r, err, tc.want)
			}
		}
	}
}

func TestWebMDuration(t *testing.T) {
	t.Parallel()
	d, err := webmDuration(bytes.NewReader(mustRead(t, "testdata/tiny.webm")))
	if err != nil || math.Abs(d-2.5) > 0.001 {
		t.Errorf("tiny.webm: got %v, %v; want 2.5", d, err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a WebM file"},
		{"mp4", mustRead(t, "testdata/tiny.mp4"), "not a WebM file"},
		{"cut short", mustRead(t, "testdata/tiny.webm")[:60], "cut short"},
	} {
		_, err := webmDuration(bytes.NewReader(tc.data))
		if _, ok := err.(formatError); !ok || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a formatError containing %q", tc.name, err, tc.want)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
