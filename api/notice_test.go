package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
	"minyi/service/rule"
)

// publishObjectionAnswers files three objections for households of the seed:
// one answered and adopted by revision 1 (its text has markup in it), one
// answered but then held by moderation, one left open. It returns the texts.
func publishObjectionAnswers(t *testing.T, db *model.DB, svc *service.Service, seed *noticeSeed) (answered, held, open string) {
	t.Helper()
	ctx := context.Background()
	system := service.SystemActor()
	answered = `<script>alert("xss")</script>楼下停车位不够，希望增加`
	held = "被暂扣的意见文本HELD"
	open = "尚未答复的意见文本OPEN"
	file := func(i int, category, content string) string {
		household := seed.households[i].ID
		o, err := svc.FileObjection(ctx, seed.worker, seed.estateID, service.ObjectionInput{
			RoundID: &seed.roundID, HouseholdID: &household, Category: category, PlanItem: "停车位", Content: content})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	first, second := file(0, "parking", answered), file(1, "greening", held)
	file(2, "other", open)
	revision, err := svc.PublishRevision(ctx, system, seed.estateID, service.RevisionInput{Title: "调整停车位布局",
		Summary: "增加 12 个停车位", Changes: "东侧绿地改为停车位，保留大树", Addresses: []string{first}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AnswerObjection(ctx, system, first, service.AnswerInput{Outcome: service.OutcomeAdopted,
		Explanation: "已在第 1 版方案中增加停车位", RevisionID: &revision.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AnswerObjection(ctx, system, second, service.AnswerInput{Outcome: service.OutcomeNotAdopted,
		Explanation: "绿化面积不能再减少"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Model(&model.Objection{}).Where("id = ?", second).Update("moderation", service.ModerationHeld).Error; err != nil {
		t.Fatal(err)
	}
	return answered, held, open
}

// assertNoSecrets fails when any personal string of the seed is in the body.
func assertNoSecrets(t *testing.T, what string, body []byte, secrets []string) {
	t.Helper()
	for _, secret := range secrets {
		if bytes.Contains(body, []byte(secret)) {
			t.Fatalf("%s contains personal data %q", what, secret)
		}
	}
}

func TestNoticeBoardShowsProgressWithoutPersonalData(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		// Building 2 has 3 households and must never be shown alone; then
		// building 3 (6) must join it, or the totals minus building 1 would reveal it.
		seed := seedNoticeEstate(t, srv.svc, "xingfu-li", "幸福里小区", []int{8, 3, 6}, agreeMostly)
		answered, held, open := publishObjectionAnswers(t, db, srv.svc, seed)

		page := srv.must(http.StatusOK, "GET", "/notice/xingfu-li", "", nil)
		if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
		html := string(page.Body)
		for _, want := range []string{
			"幸福里小区", "加装电梯意愿征询（第一轮）", "征询中", "入户征询率≥80%，签字同意率≥80%",
			"已表态<b>12 户</b>", "同意<b>9 户</b>", "还需 3 户同意即可达到通过要求",
			"1 号楼", "另有 2 栋楼户数较少，合并统计：共 9 户",
			"第 1 版：调整停车位布局", "东侧绿地改为停车位，保留大树", "已采纳", "已在第 1 版方案中体现",
			"&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;楼下停车位不够", "咨询电话：027-88886666",
			"https://minyi.example.cn/notice/xingfu-li",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, banned := range []string{"<script", "2 号楼", "3 号楼", held, open} {
			if strings.Contains(html, banned) {
				t.Errorf("the page shows %q", banned)
			}
		}
		assertNoSecrets(t, "the page", page.Body, seed.secrets)
		assertPageSecurityHeaders(t, page)

		var board struct {
			Estate struct {
				Name string `json:"name"`
			} `json:"estate"`
			CurrentRevision *struct {
				Version int `json:"version"`
			} `json:"current_revision"`
			Rounds []struct {
				Participated struct {
					Households int64 `json:"households"`
				} `json:"participated"`
				Shortfall *struct {
					AgreeHouseholdsNeeded *int64 `json:"agree_households_needed"`
				} `json:"shortfall"`
				ByBuilding []struct {
					Building   string `json:"building"`
					Electorate int64  `json:"electorate"`
				} `json:"by_building"`
				OtherBuildings *struct {
					Buildings  int   `json:"buildings"`
					Electorate int64 `json:"electorate"`
				} `json:"other_buildings"`
			} `json:"rounds"`
			Answers []struct {
				Objection string `json:"objection"`
				Outcome   string `json:"outcome"`
			} `json:"answers"`
		}
		resp := srv.must(http.StatusOK, "GET", "/api/v1/public/estates/xingfu-li", "", nil)
		resp.decode(t, &board)
		assertNoSecrets(t, "the JSON", resp.Body, seed.secrets)
		for _, banned := range []string{held, open} {
			if bytes.Contains(resp.Body, []byte(banned)) {
				t.Errorf("the JSON shows %q", banned)
			}
		}
		if board.Estate.Name != "幸福里小区" || board.CurrentRevision == nil || board.CurrentRevision.Version != 1 {
			t.Fatalf("estate or revision: %s", resp.Body)
		}
		if len(board.Rounds) != 1 {
			t.Fatalf("%d rounds", len(board.Rounds))
		}
		r := board.Rounds[0]
		if r.Participated.Households != 12 || r.Shortfall == nil || r.Shortfall.AgreeHouseholdsNeeded == nil || *r.Shortfall.AgreeHouseholdsNeeded != 3 {
			t.Fatalf("round figures: %+v", r)
		}
		if len(r.ByBuilding) != 1 || r.ByBuilding[0].Building != "1" || r.OtherBuildings == nil ||
			r.OtherBuildings.Buildings != 2 || r.OtherBuildings.Electorate != 9 {
			t.Fatalf("per building: %+v, merged: %+v", r.ByBuilding, r.OtherBuildings)
		}
		if len(board.Answers) != 1 || board.Answers[0].Objection != answered || board.Answers[0].Outcome != service.OutcomeAdopted {
			t.Fatalf("answers: %+v", board.Answers)
		}
	})
}

func TestNoticeBoardShowsClosedResultAndHidesDrafts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "he-ping", "<b>和平</b>小区", []int{5, 5}, func(i int) string {
			if i < 9 {
				return service.DecisionAgree
			}
			return service.DecisionAbstain
		})
		ctx := context.Background()
		if _, err := srv.svc.CloseRound(ctx, service.SystemActor(), seed.roundID); err != nil {
			t.Fatal(err)
		}
		title, kind := "草稿轮次DRAFT", service.KindPlan
		if _, err := srv.svc.CreateRound(ctx, service.SystemActor(), seed.estateID, service.RoundFields{Title: &title, Kind: &kind}); err != nil {
			t.Fatal(err)
		}
		html := string(srv.must(http.StatusOK, "GET", "/notice/he-ping", "", nil).Body)
		for _, want := range []string{"&lt;b&gt;和平&lt;/b&gt;小区", "已结束", "结果：通过", "1 号楼", "2 号楼", "征询结束"} {
			if !strings.Contains(html, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, banned := range []string{"<b>和平", "草稿轮次DRAFT", "还需"} {
			if strings.Contains(html, banned) {
				t.Errorf("the page shows %q", banned)
			}
		}
	})
}

func TestNoticeBoardAreaRule(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "area-rule", "面积小区", []int{6}, func(int) string { return "" })
		ctx := context.Background()
		title, kind := "维修资金筹集表决", service.KindPlan
		round, err := srv.svc.CreateRound(ctx, service.SystemActor(), seed.estateID, service.RoundFields{Title: &title, Kind: &kind,
			Rule: &rule.Spec{Preset: rule.PresetCivilCodeMajor}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.svc.OpenRound(ctx, service.SystemActor(), round.ID, true); err != nil {
			t.Fatal(err)
		}
		html := string(srv.must(http.StatusOK, "GET", "/notice/area-rule", "", nil).Body)
		// 4 of the 6 largest-first households reach 2/3 of households and of area
		// (the two-80 round of the seed, shown too, needs 5).
		for _, want := range []string{"维修资金筹集表决", "方案征询", "参与表决面积≥2/3", "同意面积≥3/4", "m²", "还需 4 户同意即可达到通过要求"} {
			if !strings.Contains(html, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
}

func assertPageSecurityHeaders(t *testing.T, resp *testResponse) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'none'", "img-src 'self' data:", "style-src 'unsafe-inline'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, directive)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q allows scripts", csp)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := resp.Header.Get("Referrer-Policy"); got == "" {
		t.Error("no Referrer-Policy")
	}
}

func TestNoticeBoardCaching(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "cache-test", "缓存小区", []int{6, 6}, func(i int) string {
			if i < 4 {
				return service.DecisionAgree
			}
			return ""
		})
		for _, path := range []string{"/notice/cache-test", "/api/v1/public/estates/cache-test", "/notice/cache-test/poster", "/notice/cache-test/qrcode.png"} {
			first := srv.must(http.StatusOK, "GET", path, "", nil)
			etag := first.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("%s: ETag %q", path, etag)
			}
			if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=30" {
				t.Fatalf("%s: Cache-Control %q", path, cc)
			}
			if again := srv.must(http.StatusOK, "GET", path, "", nil); again.Header.Get("ETag") != etag || !bytes.Equal(again.Body, first.Body) {
				t.Fatalf("%s: a second read without a change differs", path)
			}
			for _, header := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				resp := srv.must(http.StatusNotModified, "GET", path, "", nil, "If-None-Match", header)
				if len(resp.Body) != 0 || resp.Header.Get("ETag") != etag {
					t.Fatalf("%s: 304 with If-None-Match %s has body %q, ETag %q", path, header, resp.Body, resp.Header.Get("ETag"))
				}
			}
			srv.must(http.StatusOK, "GET", path, "", nil, "If-None-Match", `"something-else"`)
		}

		etagOf := func(path string) string { return srv.must(http.StatusOK, "GET", path, "", nil).Header.Get("ETag") }
		page, data := etagOf("/notice/cache-test"), etagOf("/api/v1/public/estates/cache-test")
		if page == data {
			t.Fatal("the page and the JSON share an ETag")
		}
		before := srv.must(http.StatusOK, "GET", "/notice/cache-test", "", nil)
		seed.sign(t, srv.svc, 5, service.DecisionAgree) // a sign-off does not touch the estate row
		after := awaitNewETag(t, srv, "/notice/cache-test", page)
		if bytes.Equal(after.Body, before.Body) || !strings.Contains(string(after.Body), "已表态<b>5 户</b>") {
			t.Fatal("the page after a sign-off still shows the old count")
		}
		awaitNewETag(t, srv, "/api/v1/public/estates/cache-test", data)

		page = etagOf("/notice/cache-test")
		name := "缓存小区（更名）"
		if _, err := srv.svc.UpdateEstate(context.Background(), service.SystemActor(), seed.estateID, service.EstateFields{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if renamed := awaitNewETag(t, srv, "/notice/cache-test", page); !strings.Contains(string(renamed.Body), name) {
			t.Fatal("the page did not follow the estate's new name")
		}
	})
}

func TestNoticeBoardGzip(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	seedNoticeEstate(t, srv.svc, "gzip-estate", "压缩小区", []int{6, 6}, agreeMostly)
	plain := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil)
	zipped := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "br, gzip")
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers of the gzip answer: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain.Body) {
		t.Fatalf("the gzip body does not inflate to the page (%v)", err)
	}
	if len(zipped.Body)*2 > len(plain.Body) {
		t.Errorf("gzip only shrank %d bytes to %d", len(plain.Body), len(zipped.Body))
	}
	plainTag, zippedTag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if plainTag == zippedTag || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("the two encodings share ETag %s, or the plain one is encoded", plainTag)
	}
	for _, tag := range []string{plainTag, zippedTag} {
		srv.must(http.StatusNotModified, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "gzip", "If-None-Match", tag)
	}
	if refused := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "gzip;q=0"); refused.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip was sent although refused with q=0")
	}
}

// TestNoticeBoardUnderConcurrentSignOffs reads the board from many clients
// while sign-offs are recorded (run with -race): every answer is a complete
// page, and once the writes stop the board shows the final count.
func TestNoticeBoardUnderConcurrentSignOffs(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	seed := seedNoticeEstate(t, srv.svc, "busy-estate", "繁忙小区", []int{10, 10}, func(int) string { return "" })
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				req := httptest.NewRequest("GET", "/notice/busy-estate", nil)
				rec := httptest.NewRecorder()
				srv.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.HasSuffix(strings.TrimSpace(rec.Body.String()), "</html>") {
					errs <- fmt.Errorf("status %d, body of %d bytes", rec.Code, rec.Body.Len())
					return
				}
			}
		}()
	}
	for i := range 12 {
		seed.sign(t, srv.svc, i, service.DecisionAgree)
	}
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(noticeFreshFor + 2*time.Second)
	for !strings.Contains(string(srv.must(http.StatusOK, "GET", "/notice/busy-estate", "", nil).Body), "已表态<b>12 户</b>") {
		if time.Now().After(deadline) {
			t.Fatal("the board does not show the 12 sign-offs")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

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

// awaitNewETag asks for path with If-None-Match: old until the answer is a
// 200 with another ETag, which must come within the board's freshness
// window (plus a margin for a slow machine).
func awaitNewETag(t *testing.T, srv *testServer, path, old string) *testResponse {
	t.Helper()
	deadline := time.Now().Add(noticeFreshFor + 2*time.Second)
	for {
		resp := srv.call("GET", path, "", nil, "If-None-Match", old)
		switch {
		case resp.Status == http.StatusOK && resp.Header.Get("ETag") != old:
			return resp
		case resp.Status != http.StatusNotModified && resp.Status != http.StatusOK:
			t.Fatalf("GET %s: status %d: %s", path, resp.Status, resp.Body)
		case time.Now().After(deadline):
			t.Fatalf("GET %s: the ETag is still %s %v after the change", path, old, noticeFreshFor+2*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNoticeBoardUnknownEstate(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	for _, path := range []string{"/notice/no-such-estate", "/notice/no-such-estate/poster", "/notice/BAD%20CODE"} {
		resp := srv.must(http.StatusNotFound, "GET", path, "", nil)
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(string(resp.Body), "未找到该小区的公示") {
			t.Fatalf("%s: %s %s", path, ct, resp.Body)
		}
		assertPageSecurityHeaders(t, resp)
	}
	for _, path := range []string{"/api/v1/public/estates/no-such-estate", "/notice/no-such-estate/qrcode.png"} {
		if code := srv.must(http.StatusNotFound, "GET", path, "", nil).errorCode(); code != "estate_not_found" {
			t.Fatalf("%s: error code %q", path, code)
		}
	}
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

// TestNoticeJSONMatchesPage checks the JSON tells the same numbers as the page.
func TestNoticeJSONMatchesPage(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	seedNoticeEstate(t, srv.svc, "twins", "双生小区", []int{7, 7}, agreeMostly)
	var board map[string]any
	if err := json.Unmarshal(srv.must(http.StatusOK, "GET", "/api/v1/public/estates/twins", "", nil).Body, &board); err != nil {
		t.Fatal(err)
	}
	round := board["rounds"].([]any)[0].(map[string]any)
	participated := round["participated"].(map[string]any)["households"].(float64)
	html := string(srv.must(http.StatusOK, "GET", "/notice/twins", "", nil).Body)
	if want := "已表态<b>" + strings.TrimSuffix(strings.TrimSuffix(jsonNumber(participated), ".0"), ".00") + " 户</b>"; !strings.Contains(html, want) {
		t.Fatalf("the page lacks %q that the JSON says", want)
	}
	if board["notice_url"] != "https://minyi.example.cn/notice/twins" || board["qrcode_url"] != "https://minyi.example.cn/notice/twins/qrcode.png" {
		t.Fatalf("urls: %v %v", board["notice_url"], board["qrcode_url"])
	}
}

func jsonNumber(f float64) string {
	raw, _ := json.Marshal(f)
	return string(raw)
}
