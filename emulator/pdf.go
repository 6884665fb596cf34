package emulator

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// pdfDoc builds a small, valid PDF 1.4 document of plain text pages
// (Helvetica, Letter size): what the emulator serves for asset reports and
// bank statements. Only printable ASCII is kept; other characters become
// '?'.
type pdfDoc struct {
	title string
	pages [][]pdfLine
}

// pdfLine is one line of text; bold lines use Helvetica-Bold.
type pdfLine struct {
	text string
	bold bool
	size float64
}

const (
	pdfLinesPerPage = 48
	pdfPageWidth    = 612
	pdfPageHeight   = 792
	pdfMargin       = 54
)

// newPDF starts a document with a title (shown in viewers' title bars).
func newPDF(title string) *pdfDoc { return &pdfDoc{title: title} }

// heading adds a bold line.
func (d *pdfDoc) heading(text string) { d.add(pdfLine{text: text, bold: true, size: 14}) }

// line adds a line of text.
func (d *pdfDoc) line(format string, args ...any) {
	d.add(pdfLine{text: fmt.Sprintf(format, args...), size: 10})
}

// blank adds an empty line.
func (d *pdfDoc) blank() { d.add(pdfLine{size: 10}) }

func (d *pdfDoc) add(l pdfLine) {
	if len(d.pages) == 0 || len(d.pages[len(d.pages)-1]) >= pdfLinesPerPage {
		d.pages = append(d.pages, nil)
	}
	d.pages[len(d.pages)-1] = append(d.pages[len(d.pages)-1], l)
}

// pdfText escapes s for a PDF literal string.
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 32 && r < 127:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// bytes renders the document. created dates it (the virtual clock).
func (d *pdfDoc) bytes(created time.Time) []byte {
	if len(d.pages) == 0 {
		d.blank()
	}
	var buf bytes.Buffer
	var offsets []int
	obj := func(body string) int {
		offsets = append(offsets, buf.Len())
		n := len(offsets)
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", n, body)
		return n
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects 1-4 are fixed: catalog, page tree, the two fonts. Pages
	// follow as (content, page) pairs.
	nPages := len(d.pages)
	kids := make([]string, nPages)
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), nPages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	for i, page := range d.pages {
		var content strings.Builder
		content.WriteString("BT\n")
		y := float64(pdfPageHeight - pdfMargin)
		fmt.Fprintf(&content, "%d %.0f Td\n", pdfMargin, y)
		prev := 0.0
		for j, l := range page {
			font := "F1"
			if l.bold {
				font = "F2"
			}
			lead := l.size * 1.4
			if j > 0 {
				fmt.Fprintf(&content, "0 %.1f Td\n", -max(lead, prev))
			}
			prev = lead
			fmt.Fprintf(&content, "/%s %.0f Tf (%s) Tj\n", font, l.size, pdfText(l.text))
		}
		fmt.Fprintf(&content, "ET\nBT /F1 8 Tf %d %d Td (%s - page %d of %d) Tj ET\n", pdfMargin, pdfMargin/2, pdfText(d.title), i+1, nPages)
		stream := content.String()
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(stream), stream))
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>",
			pdfPageWidth, pdfPageHeight, 5+2*i))
	}
	info := obj(fmt.Sprintf("<< /Title (%s) /Producer (linkexplorer emulator) /CreationDate (D:%s) >>",
		pdfText(d.title), created.UTC().Format("20060102150405Z")))
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, info, xref)
	return buf.Bytes()
}
