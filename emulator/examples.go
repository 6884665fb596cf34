package emulator

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
)

// exampleHandler answers an operation of Plaid's schema that has no
// stateful handler in apiRoutes: the request is validated like every
// other (prepare), an access_token, where the operation takes one, must
// open an Item, and the answer is the operation's success response from
// the schema (its example, or one synthesized from the schema) with a
// fresh request_id. Responses carry Plaid-Emulator-Fidelity: example.
func exampleHandler(op *plaidspec.Operation) handlerFunc {
	takesToken := op.TakesAccessToken()
	return func(e *Emulator, c *call) (any, *sandbox.Error) {
		if err := e.prepare(c, fieldSpec{}); err != nil {
			return nil, err
		}
		if takesToken && c.accessToken != "" {
			e.mu.Lock()
			_, err := e.itemLocked(c.accessToken)
			e.mu.Unlock()
			if err != nil {
				return nil, err
			}
		}
		switch op.ContentType {
		case "application/json":
			if op.NoRequestID {
				return json.RawMessage(op.Body), nil
			}
			out := make([]byte, 0, len(op.Before)+len(c.requestID)+2+len(op.After))
			out = append(out, op.Before...)
			out = append(out, '"')
			out = append(out, c.requestID...)
			out = append(out, '"')
			return json.RawMessage(append(out, op.After...)), nil
		case "application/pdf":
			return rawResponse{contentType: pdfContentType, body: examplePDF()}, nil
		case "application/zip":
			return rawResponse{contentType: []string{"application/zip"}, body: exampleZIP()}, nil
		case "":
			return rawResponse{}, nil
		}
		return rawResponse{contentType: []string{op.ContentType}}, nil
	}
}

// examplePDF is a small, valid one-page PDF that says where it came from.
var examplePDF = sync.OnceValue(func() []byte {
	return buildPDF("Plaid Sandbox (linkexplorer emulator): example document")
})

// buildPDF writes a one-page PDF 1.4 showing text, with a correct xref.
func buildPDF(text string) []byte {
	content := fmt.Sprintf("BT /F1 14 Tf 72 720 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// exampleZIP is a small, valid ZIP holding the example PDF.
var exampleZIP = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if w, err := zw.Create("document.pdf"); err == nil {
		_, _ = w.Write(examplePDF())
	}
	_ = zw.Close()
	return b.Bytes()
})
