package api

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// samePixels tells whether two encoded pictures decode to the same pixels.
func samePixels(t *testing.T, a, b []byte) bool {
	t.Helper()
	ia, _, errA := image.Decode(bytes.NewReader(a))
	ib, _, errB := image.Decode(bytes.NewReader(b))
	if errA != nil || errB != nil {
		t.Fatalf("decode: %v, %v", errA, errB)
	}
	if ia.Bounds() != ib.Bounds() {
		return false
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if color.NRGBAModel.Convert(ia.At(x, y)) != color.NRGBAModel.Convert(ib.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// newQuotaServer is a test server whose service has the given upload quota.
func newQuotaServer(t *testing.T, db *model.DB, files int, bytes int64) *testServer {
	t.Helper()
	svc := service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!"),
		UploadDailyFiles: files, UploadDailyBytes: bytes}, nil)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: t.TempDir(), Logger: logger})
	return &testServer{t: t, db: db, svc: svc, api: a, handler: handler}
}

// phonePhoto is what a phone sends: a 40×20 JPEG stored sideways (EXIF
// orientation 6) with the owner's name and a GPS position in its EXIF, and
// a second picture (an MPF preview in APP2) carrying its own EXIF.
func phonePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{R: uint8(200 * (x / 20)), G: 90, B: 40, A: 255})
		}
	}
	var main, preview bytes.Buffer
	jpeg.Encode(&main, img, &jpeg.Options{Quality: 95})
	jpeg.Encode(&preview, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x02")
	tiff = append(tiff, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0) // orientation 6
	name := []byte("Li Si GPSLatitude 30.5928N 114.3055E\x00")
	tiff = append(tiff, 0x01, 0x3B, 0x00, 0x02)
	tiff = binary.BigEndian.AppendUint32(tiff, uint32(len(name)))
	tiff = binary.BigEndian.AppendUint32(tiff, uint32(len(tiff)+8))
	tiff = append(append(tiff, 0, 0, 0, 0), name...)
	segment := func(marker byte, payload []byte) []byte {
		return append(binary.BigEndian.AppendUint16([]byte{0xFF, marker}, uint16(len(payload)+2)), payload...)
	}
	second := append(append([]byte{0xFF, 0xD8}, segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))...), preview.Bytes()[2:]...)
	out := append([]byte{0xFF, 0xD8}, segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))...)
	out = append(out, segment(0xE2, append([]byte("MPF\x00"), second...))...)
	return append(out, main.Bytes()[2:]...)
}

// TestUploadedPhotosAreReencodedUpright: a phone photo with a second image
// comes back as one fresh picture, upright, with no name or position
// anywhere in it; a PDF loses its author. Before re-encoding, the EXIF of
// the second image (and the PDF's /Info) came back intact.
func TestUploadedPhotosAreReencodedUpright(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		e := newObjectionEstate(t, srv, srv.adminToken(), "reenc")
		photo := srv.mustUpload(e.worker, "IMG_2048.JPG", phonePhoto(t))
		served := srv.must(http.StatusOK, "GET", photo.URL, e.worker, nil)
		for _, leak := range []string{"Exif", "MPF", "Li Si", "GPSLatitude", "114.3055"} {
			if bytes.Contains(served.Body, []byte(leak)) {
				t.Fatalf("the served photo still holds %q", leak)
			}
		}
		img, err := jpeg.Decode(bytes.NewReader(served.Body))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
			t.Fatalf("the photo is %v, want it turned upright to 20×40", b.Size())
		}
		// Turned clockwise: the stored left half (dark) is now the top.
		if r, _, _, _ := img.At(10, 5).RGBA(); r>>8 > 60 {
			t.Fatalf("the top of the upright photo is %v, want the dark half", img.At(10, 5))
		}

		pdf := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Author (Wang Wu 13900001111) /Creator (Word) >>\nendobj\ntrailer\n<< /Root 1 0 R /Info 2 0 R >>\n%%EOF\n"
		drawing := srv.mustUpload(e.designer, "plan.pdf", []byte(pdf), "estate_id", e.estateID)
		served = srv.must(http.StatusOK, "GET", drawing.URL, e.designer, nil)
		if bytes.Contains(served.Body, []byte("Wang Wu")) || bytes.Contains(served.Body, []byte("13900001111")) || len(served.Body) != len(pdf) {
			t.Fatalf("the served PDF still holds its author: %q", served.Body)
		}
		if served.Header.Get("Content-Security-Policy") != "sandbox" || served.Header.Get("Content-Disposition")[:11] != "attachment;" {
			t.Fatalf("PDF headers %v", served.Header)
		}
		unreachable := "%PDF-1.7\n1 0 obj\n<< /Type /XRef /Info 9 0 R /Filter /FlateDecode /Length 2 >>\nstream\nxx\nendstream\nendobj\n%%EOF\n"
		expectError(t, srv.upload(e.designer, "compressed.pdf", []byte(unreachable)), http.StatusUnprocessableEntity, "pdf_metadata_unremovable")

		var huge bytes.Buffer
		png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1, 1)))
		bomb := huge.Bytes()
		binary.BigEndian.PutUint32(bomb[16:], 60000)
		binary.BigEndian.PutUint32(bomb[20:], 60000)
		binary.BigEndian.PutUint32(bomb[29:], crc32IEEE(bomb[12:29]))
		expectError(t, srv.upload(e.worker, "bomb.png", bomb), http.StatusUnprocessableEntity, "picture_too_large")
	})
}

// TestUploadQuotaAndBinding: a resident bound to no household may not
// upload (403); a bound one, and staff, get their daily quota and then 429
// with Retry-After, counted per account; the byte quota holds as well.
// Before: any resident uploaded without limit.
func TestUploadQuotaAndBinding(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv := newQuotaServer(t, db, 3, 100<<20)
		srv.svc.SetWeChat(w.fake.Client(t))
		unbound := w.login("o-unbound-uploader")
		expectError(t, srv.upload(unbound.AccessToken, "p.png", testPNG(t)), http.StatusForbidden, "household_binding_required")

		resident, _ := w.bind("o-bound-uploader", "101")
		for i := 0; i < 3; i++ {
			srv.mustUpload(resident, "p.png", testPNG(t))
		}
		resp := srv.upload(resident, "p.png", testPNG(t))
		env := expectError(t, resp, http.StatusTooManyRequests, "upload_quota_exceeded")
		if wait, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 24*3600 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		if env.Error.Fields["file"] == "" {
			t.Fatalf("fields %v do not state the quota", env.Error.Fields)
		}
		srv.mustUpload(w.worker, "p.png", testPNG(t)) // another account has its own quota

		bySize := newQuotaServer(t, db, 100, 1)
		expectError(t, bySize.upload(w.worker, "p.png", testPNG(t)), http.StatusTooManyRequests, "upload_quota_exceeded")
	})
}

// TestUnattachedUploadsStayTheUploaders: a worker's unattached upload for
// the estate is not readable by the estate's designer, and nobody else, even
// of the same estate, can attach it (and so publish it). Before: the
// designer read it and attached it to a published revision.
func TestUnattachedUploadsStayTheUploaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "owner")
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
		letter := srv.mustUpload(e.worker, "委托书.pdf", pdf, "estate_id", e.estateID)
		expectError(t, srv.call("GET", letter.URL, e.designer, nil), http.StatusNotFound, "upload_not_found")
		objection := e.object("", "101", "facade", "外墙", "外墙保温层脱落")
		env := expectError(t, srv.call("POST", "/api/v1/estates/"+e.estateID+"/revisions", e.designer, map[string]any{
			"title": "外墙修改", "addresses": []string{objection.ID}, "attachments": []string{letter.ID}}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["attachments"] == "" {
			t.Fatalf("fields %v do not name attachments", env.Error.Fields)
		}
		photo := srv.mustUpload(e.designer, "photo.png", testPNG(t), "estate_id", e.estateID)
		env = expectError(t, srv.call("POST", "/api/v1/estates/"+e.estateID+"/objections", e.worker, map[string]any{
			"category": "facade", "content": "用设计师的照片", "photos": []string{photo.ID}}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["photos"] == "" {
			t.Fatalf("fields %v do not name photos", env.Error.Fields)
		}
		srv.must(http.StatusOK, "GET", letter.URL, e.worker, nil)
		srv.must(http.StatusOK, "GET", letter.URL, admin, nil)
	})
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
