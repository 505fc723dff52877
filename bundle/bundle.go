// Package bundle reads and writes course bundles: a course as a folder (or a
// zip archive of one) of course.yaml, Markdown files and media files, so that
// a course can be written in an editor, kept in git, imported, and exported
// again. The format is documented in docs/course-bundle.md; format.go holds
// it as Go types.
//
// Read turns a bundle into a validated *lyceum.Course whose video and
// caption "blob keys" are still bundle paths; the caller copies Bundle.Media
// into its blob store and replaces them. Write and WriteZip do the reverse
// with a function that opens blob keys. Every problem with a bundle is a
// *lyceum.ValidationError whose Field names the file and the field in it, so
// that the HTTP API answers it with a 4xx and the author knows where to look.
package bundle

import (
	"github.com/lyceum/lyceum"
)

// Limits on what a bundle may hold. A text file is course.yaml, a Markdown
// reading or instructions file, a transcript or a WebVTT caption file.
const (
	MaxMediaSize  = 1 << 30 // bytes per video file
	MaxTextSize   = 2 << 20 // bytes per text file
	MaxPathLength = 255     // bytes of a path in course.yaml
)

// CourseFile is the name of the file at the top of every bundle.
const CourseFile = "course.yaml"

// Bundle is a course read from a bundle.
type Bundle struct {
	// Course is valid (Course.Validate passed). Its Video.Blob and
	// Video.Captions hold bundle paths such as "media/intro.mp4"; OwnerID,
	// Published and the timestamps are left for the importer to set.
	Course *lyceum.Course
	// Media lists every media file the course refers to (videos and
	// captions), each once, in course order. Each was checked to exist and
	// to be within MaxMediaSize.
	Media []string
}

// videoTypes maps the file extensions a video may have to its content type.
var videoTypes = map[string]string{
	".mp4":  "video/mp4",
	".m4v":  "video/mp4",
	".webm": "video/webm",
}

// videoExts is the reverse of videoTypes, for Write.
var videoExts = map[string]string{
	"video/mp4":  ".mp4",
	"video/webm": ".webm",
}
