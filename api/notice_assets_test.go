package api

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// tinyPNG is a small image to upload.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNoticeAttachments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		srv := newTestServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "attach-estate", "附件小区", []int{5}, func(int) string { return "" })
		seedNoticeEstate(t, srv.svc, "other-estate", "别的小区", []int{5}, func(int) string { return "" })
		system := service.SystemActor()
		drawing, err := srv.svc.SaveUpload(ctx, system, srv.api.uploadDir(), seed.estateID, bytes.NewReader(tinyPNG(t)))
		if err != nil {
			t.Fatal(err)
		}
		photo, err := srv.svc.SaveUpload(ctx, system, srv.api.uploadDir(), seed.estateID, bytes.NewReader(tinyPNG(t)))
		if err != nil {
			t.Fatal(err)
		}
		household := seed.households[0].ID
		if _, err := srv.svc.FileObjection(ctx, seed.worker, seed.estateID, service.ObjectionInput{HouseholdID: &household,
			Category: "facade", Content: "外墙脱落", Photos: []string{photo.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.svc.PublishRevision(ctx, system, seed.estateID, service.RevisionInput{Title: "外立面方案",
			Changes: "更换外墙涂料", Attachments: []string{drawing.ID}}); err != nil {
			t.Fatal(err)
		}
		path := "/notice/attach-estate/attachments/" + drawing.ID
		if html := string(srv.must(http.StatusOK, "GET", "/notice/attach-estate", "", nil).Body); !strings.Contains(html, `href="`+path+`"`) {
			t.Fatalf("the page does not link the revision's drawing %s", path)
		}
		if data := string(srv.must(http.StatusOK, "GET", "/api/v1/public/estates/attach-estate", "", nil).Body); !strings.Contains(data, `"https://minyi.example.cn`+path+`"`) {
			t.Fatalf("the JSON does not give the drawing's URL: %s", data)
		}
		resp := srv.must(http.StatusOK, "GET", path, "", nil)
		if _, err := png.Decode(bytes.NewReader(resp.Body)); err != nil || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the drawing: %s, %v", resp.Header.Get("Content-Type"), err)
		}
		for path, code := range map[string]string{
			"/notice/attach-estate/attachments/" + photo.ID:    "upload_not_found", // an objection's photo is never public
			"/notice/other-estate/attachments/" + drawing.ID:   "upload_not_found", // another estate's board
			"/notice/attach-estate/attachments/no-such-file":   "upload_not_found",
			"/notice/no-such-estate/attachments/" + drawing.ID: "estate_not_found",
		} {
			if got := srv.must(http.StatusNotFound, "GET", path, "", nil).errorCode(); got != code {
				t.Errorf("GET %s: %s, want %s", path, got, code)
			}
		}
	})
}

// decodeQR reads a QR code PNG and returns its text and error-correction level.
func decodeQR(t *testing.T, body []byte) (text, level string, width, height int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bitmap, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	result, err := zxingqr.NewQRCodeReader().Decode(bitmap, nil)
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	level, _ = result.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return result.GetText(), level, img.Bounds().Dx(), img.Bounds().Dy()
}

func TestNoticeQRCode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seedNoticeEstate(t, srv.svc, "qr-estate", "二维码小区", []int{5}, func(int) string { return "" })
		for path, size := range map[string]int{"": 256, "?size=128": 128, "?size=256": 256, "?size=1024": 1024, "?size=500": 500} {
			resp := srv.must(http.StatusOK, "GET", "/notice/qr-estate/qrcode.png"+path, "", nil)
			if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
				t.Fatalf("Content-Type %q", ct)
			}
			text, level, w, h := decodeQR(t, resp.Body)
			if text != "https://minyi.example.cn/notice/qr-estate" {
				t.Fatalf("size %d: the QR code says %q", size, text)
			}
			if level != "M" && level != "Q" && level != "H" {
				t.Fatalf("error-correction level %q, want M or higher", level)
			}
			if w != size || h != size {
				t.Fatalf("size %d: the image is %dx%d", size, w, h)
			}
		}
		for _, bad := range []string{"127", "1025", "0", "-256", "abc", "", "256.5"} {
			resp := srv.must(http.StatusUnprocessableEntity, "GET", "/notice/qr-estate/qrcode.png?size="+bad, "", nil)
			if resp.errorCode() != "invalid_qr_size" || !strings.Contains(string(resp.Body), `"size"`) {
				t.Fatalf("size=%q: %s", bad, resp.Body)
			}
		}
	})
}

func TestNoticePoster(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seedNoticeEstate(t, srv.svc, "poster-estate", "海报小区", []int{5}, func(int) string { return "" })
		resp := srv.must(http.StatusOK, "GET", "/notice/poster-estate/poster", "", nil)
		html := string(resp.Body)
		for _, want := range []string{"海报小区", "扫码查看改造方案与征询进度", "https://minyi.example.cn/notice/poster-estate",
			// 110 mm wide with a quiet zone of 4 modules each side: the code itself
			// is over 8 cm (any notice URL needs QR version 2 or more: 25 of 33
			// modules, 83 mm), which phones read from about 1.5 m.
			`src="/notice/poster-estate/qrcode.png?size=1024"`, "size:A4", "width:110mm"} {
			if !strings.Contains(html, want) {
				t.Errorf("the poster lacks %q", want)
			}
		}
		assertPageSecurityHeaders(t, resp)
		// The image the poster links to is a QR code of the notice board's URL.
		qr := srv.must(http.StatusOK, "GET", "/notice/poster-estate/qrcode.png?size=1024", "", nil)
		if text, _, _, _ := decodeQR(t, qr.Body); text != "https://minyi.example.cn/notice/poster-estate" {
			t.Fatalf("the poster's QR code says %q", text)
		}
	})
}
