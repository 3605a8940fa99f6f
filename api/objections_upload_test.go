package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// multipartFile builds a multipart body with one file part and optional fields.
func multipartFile(t *testing.T, filename string, content []byte, fields ...string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		w.WriteField(fields[i], fields[i+1])
	}
	part, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// upload sends a file and returns the response.
func (s *testServer) upload(token, filename string, content []byte, fields ...string) *testResponse {
	s.t.Helper()
	body, contentType := multipartFile(s.t, filename, content, fields...)
	return s.call("POST", "/api/v1/uploads", token, body, "Content-Type", contentType)
}

func testPicture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		img.Set(i%8, i/8, color.RGBA{R: uint8(i * 4), G: 120, B: 30, A: 255})
	}
	return img
}

func testPNG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testPicture()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testJPEGWithGPS is a JPEG with an APP1 EXIF segment holding a location.
func testJPEGWithGPS(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testPicture(), nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00GPSInfo 30.5928N 114.3055E")
	segment := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(exif)+2))
	plain := buf.Bytes()
	out := append(append(append([]byte{}, plain[:2]...), segment...), exif...)
	return append(out, plain[2:]...)
}

// TestUploadTypesAndMetadata: the type comes from the bytes (a PNG named
// .pdf is a PNG, text is refused), stored names are random, EXIF is gone
// from a served JPEG, and oversized or malformed requests are refused.
func TestUploadTypesAndMetadata(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "types")

		picture := testPNG(t)
		u := srv.mustUpload(e.worker, "drawing.pdf", picture)
		if u.ContentType != "image/png" || u.URL != "/api/v1/uploads/"+u.ID {
			t.Fatalf("a PNG named .pdf was stored as %+v", u)
		}
		served := srv.must(http.StatusOK, "GET", u.URL, e.worker, nil)
		if served.Header.Get("Content-Type") != "image/png" || u.SizeBytes != int64(len(served.Body)) || !samePixels(t, served.Body, picture) {
			t.Fatalf("served %q, %d bytes; want the PNG's picture back", served.Header.Get("Content-Type"), len(served.Body))
		}
		stored, err := os.ReadDir(filepath.Join(srv.api.cfg.DataDir, "uploads"))
		if err != nil || len(stored) != 1 {
			t.Fatalf("upload dir holds %d files (%v), want 1", len(stored), err)
		}
		if name := stored[0].Name(); strings.Contains(name, "drawing") || len(name) != 32+len(".png") {
			t.Fatalf("stored as %q: the client's name leaked or the name is not random hex", name)
		}

		expectError(t, srv.upload(e.worker, "photo.jpg", []byte("这只是一段文字，不是照片。")), http.StatusUnprocessableEntity, "unsupported_file_type")
		expectError(t, srv.upload(e.worker, "empty.png", nil), http.StatusUnprocessableEntity, "validation_failed")
		expectError(t, srv.call("POST", "/api/v1/uploads", e.worker, map[string]string{"file": "x"}), http.StatusUnsupportedMediaType, "unsupported_media_type")
		body, contentType := multipartFile(t, "x.png", picture)
		body = bytes.Replace(body, []byte(`name="file"`), []byte(`name="photo"`), 1)
		expectError(t, srv.call("POST", "/api/v1/uploads", e.worker, body, "Content-Type", contentType), http.StatusUnprocessableEntity, "validation_failed")
		tooLarge := append(append([]byte{}, picture...), make([]byte, 10<<20)...)
		expectError(t, srv.upload(e.worker, "big.png", tooLarge), http.StatusRequestEntityTooLarge, "file_too_large")
		expectError(t, srv.upload(e.worker, "broken.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00}), http.StatusUnprocessableEntity, "validation_failed")

		withGPS := testJPEGWithGPS(t)
		photo := srv.mustUpload(e.worker, "IMG_0001.JPG", withGPS)
		served = srv.must(http.StatusOK, "GET", photo.URL, e.worker, nil)
		if bytes.Contains(served.Body, []byte("Exif")) || bytes.Contains(served.Body, []byte("GPSInfo")) {
			t.Fatal("the served JPEG still carries its EXIF location")
		}
		if photo.ContentType != "image/jpeg" || photo.SizeBytes != int64(len(served.Body)) {
			t.Fatalf("photo %+v, served %d bytes of %d sent", photo, len(served.Body), len(withGPS))
		}
		if _, err := jpeg.Decode(bytes.NewReader(served.Body)); err != nil {
			t.Fatalf("the stripped JPEG does not decode: %v", err)
		}
	})
}

// mustUpload sends a file and fails the test unless it is stored.
func (s *testServer) mustUpload(token, filename string, content []byte, fields ...string) uploadResponse {
	s.t.Helper()
	resp := s.upload(token, filename, content, fields...)
	if resp.Status != http.StatusCreated {
		s.t.Fatalf("upload %s: %d %s", filename, resp.Status, resp.Body)
	}
	var u uploadResponse
	resp.decode(s.t, &u)
	return u
}

// TestUploadVisibility: an upload is seen by its uploader while unattached,
// then by whoever may see what it is attached to, and by nobody else (404).
func TestUploadVisibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "vis")
		other := newObjectionEstate(t, srv, admin, "vis-other")

		photo := srv.mustUpload(e.worker, "photo.png", testPNG(t))
		srv.must(http.StatusOK, "GET", photo.URL, e.worker, nil)
		srv.must(http.StatusOK, "GET", photo.URL, admin, nil)
		expectError(t, srv.call("GET", photo.URL, e.designer, nil), http.StatusNotFound, "upload_not_found")
		expectError(t, srv.call("GET", photo.URL, other.worker, nil), http.StatusNotFound, "upload_not_found")
		expectError(t, srv.call("GET", "/api/v1/uploads/no-such-upload", e.worker, nil), http.StatusNotFound, "upload_not_found")

		// Another estate's worker cannot attach it.
		env := expectError(t, srv.call("POST", "/api/v1/estates/"+other.estateID+"/objections", other.worker, map[string]any{
			"category": "facade", "content": "外墙脱落", "photos": []string{photo.ID}}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["photos"] == "" {
			t.Fatalf("fields %v do not name photos", env.Error.Fields)
		}
		objection := e.object("", "101", "facade", "外墙保温", "外墙保温层脱落", photo.ID)
		if len(objection.Photos) != 1 || objection.Photos[0] != photo.ID {
			t.Fatalf("objection photos %v", objection.Photos)
		}
		srv.must(http.StatusOK, "GET", photo.URL, e.designer, nil)
		expectError(t, srv.call("GET", photo.URL, other.worker, nil), http.StatusNotFound, "upload_not_found")
		expectError(t, srv.call("GET", photo.URL, other.designer, nil), http.StatusNotFound, "upload_not_found")
		env = expectError(t, srv.call("POST", "/api/v1/estates/"+e.estateID+"/objections", e.worker, map[string]any{
			"category": "facade", "content": "再次使用同一张照片", "photos": []string{photo.ID}}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["photos"] == "" {
			t.Fatalf("reusing an attached photo: fields %v", env.Error.Fields)
		}

		// An upload for the estate is readable by the estate's workers and
		// attached by its uploader; a PDF is a drawing, not a photo.
		drawing := srv.mustUpload(e.designer, "平面图.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), "estate_id", e.estateID)
		if drawing.ContentType != "application/pdf" || drawing.EstateID == nil || *drawing.EstateID != e.estateID {
			t.Fatalf("drawing %+v", drawing)
		}
		srv.must(http.StatusOK, "GET", drawing.URL, e.worker, nil)
		if served := srv.must(http.StatusOK, "GET", drawing.URL, e.designer, nil); !strings.HasPrefix(served.Header.Get("Content-Disposition"), "attachment;") ||
			served.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Fatalf("a PDF is served with %q and CSP %q, want an attachment in a sandbox",
				served.Header.Get("Content-Disposition"), served.Header.Get("Content-Security-Policy"))
		}
		expectError(t, srv.upload(other.worker, "x.png", testPNG(t), "estate_id", e.estateID), http.StatusNotFound, "estate_not_found")
		expectError(t, srv.call("POST", "/api/v1/estates/"+e.estateID+"/objections", e.worker, map[string]any{
			"category": "other", "content": "图纸当照片", "photos": []string{drawing.ID}}), http.StatusUnprocessableEntity, "validation_failed")
		var rev revisionResponse
		srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/revisions", e.designer, map[string]any{
			"title": "外墙修改", "addresses": []string{objection.ID}, "attachments": []string{drawing.ID}}).decode(t, &rev)
		if len(rev.Attachments) != 1 || rev.Attachments[0] != drawing.ID {
			t.Fatalf("revision attachments %v", rev.Attachments)
		}
		srv.must(http.StatusOK, "GET", drawing.URL, e.worker, nil)
		expectError(t, srv.call("GET", drawing.URL, other.designer, nil), http.StatusNotFound, "upload_not_found")

		// The notice board's read model lists the attachment, and serves it
		// for this estate only.
		ctx := context.Background()
		public, err := srv.svc.PublicRevisions(ctx, e.estateID)
		if err != nil || len(public) != 1 || public[0].AddressedCount != 1 || len(public[0].AttachmentIDs) != 1 || public[0].AttachmentIDs[0] != drawing.ID {
			t.Fatalf("public revisions %+v (%v)", public, err)
		}
		dir := filepath.Join(srv.api.cfg.DataDir, "uploads")
		if _, f, err := srv.svc.OpenPublicAttachment(ctx, dir, e.estateID, drawing.ID); err != nil {
			t.Fatalf("public attachment: %v", err)
		} else {
			f.Close()
		}
		for _, try := range [][2]string{{other.estateID, drawing.ID}, {e.estateID, photo.ID}} {
			if _, _, err := srv.svc.OpenPublicAttachment(ctx, dir, try[0], try[1]); err == nil {
				t.Fatalf("upload %s was served publicly for estate %s", try[1], try[0])
			}
		}
	})
}
