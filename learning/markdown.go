package learning

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders course Markdown to HTML safely: raw HTML in the source is
// dropped (goldmark's default without WithUnsafe) and dangerous link
// destinations such as javascript: are not rendered as links.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

func renderMarkdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
