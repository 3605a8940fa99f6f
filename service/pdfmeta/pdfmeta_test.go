package pdfmeta

import (
	"bytes"
	"errors"
	"testing"
)

const drawing = "%PDF-1.7\n" +
	"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>\nendobj\n" +
	"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
	"3 0 obj\n<< /Author (Zhang San \\(302\\)) /Title <E5BCA0> /Producer (CAD) /Nested << /X (Room 302) >> >>\nendobj\n" +
	"4 0 obj\n<< /Type /Metadata /Subtype /XML /Length 52 >>\nstream\n<x:xmpmeta><dc:creator>张三 302室</dc:creator></x:xmpmeta>\nendstream\nendobj\n" +
	"13 0 obj\n<< /Keep (this) >>\nendobj\n" +
	"trailer\n<< /Size 5 /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"

// TestStripBlanksInfoAndXMPInPlace: the author, title and XMP go, every
// other byte stays where it was (so the xref offsets hold).
func TestStripBlanksInfoAndXMPInPlace(t *testing.T) {
	out, err := Strip([]byte(drawing))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(drawing) {
		t.Fatalf("length %d, want %d", len(out), len(drawing))
	}
	for _, leak := range []string{"Zhang San", "E5BCA0", "CAD", "Room 302", "张三", "dc:creator"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Fatalf("the stripped PDF still holds %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"/Info 3 0 R", "3 0 obj\n<<", ">>\nendobj\n4 0 obj", "/Type /Pages /Kids [] /Count 0", "13 0 obj\n<< /Keep (this) >>", "stream\n", "endstream"} {
		if !bytes.Contains(out, []byte(kept)) {
			t.Fatalf("the stripped PDF lost %q:\n%s", kept, out)
		}
	}
}

func TestStripRefusesInfoItCannotReach(t *testing.T) {
	compressed := "%PDF-1.7\n1 0 obj\n<< /Type /XRef /Root 2 0 R /Info 7 0 R /Filter /FlateDecode >>\nstream\nxx\nendstream\nendobj\n"
	if _, err := Strip([]byte(compressed)); !errors.Is(err, ErrUnstrippable) {
		t.Fatalf("an Info dictionary inside an object stream: %v, want ErrUnstrippable", err)
	}
	plain := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
	out, err := Strip([]byte(plain))
	if err != nil || string(out) != plain {
		t.Fatalf("a PDF without metadata changed: %q, %v", out, err)
	}
}
