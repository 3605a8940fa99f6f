package console_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// attachment is one file of a multipart form.
type attachment struct {
	field, name string
	data        []byte
}

// filesForm posts a multipart form: the fields, the remembered CSRF token and the files.
func (b *browserless) filesForm(path string, fields url.Values, files ...attachment) response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for _, f := range files {
		part, _ := w.CreateFormFile(f.field, f.name)
		part.Write(f.data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.url+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// tinyPDF is a minimal PDF the service accepts as a drawing or evidence.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")

func countUploads(t *testing.T, db *model.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm.Model(&model.Upload{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

var uploadLink = regexp.MustCompile(`/console/uploads/([0-9A-Za-z-]+)`)

// TestLifecycleFormsWithFiles: the lifecycle page says what construction
// lacks; a precondition is recorded with a PDF and a photo, which are listed
// and downloaded (the PDF as an attachment) by the estate's staff only; a
// refused precondition, survey or acceptance form shows what was typed with
// Chinese field errors and stores nothing; a survey's closing time is read
// in China time; acceptance photos are attached at recording and shown.
func TestLifecycleFormsWithFiles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "材料小区", "evidence-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		workerID := s.user("worker-files", "worker-password-1", service.RoleWorker)
		if err := s.svc.AssignStaff(ctx, system, estate.ID, workerID, service.RoleWorker); err != nil {
			t.Fatal(err)
		}
		s.user("worker-elsewhere", "worker-password-2", service.RoleWorker)
		base := "/console/estates/" + estate.ID
		admin := s.client()
		admin.login(adminName, adminPassword)

		page := admin.get(base + "/lifecycle")
		page.mustContain(t, "施工暂不能开始", "以下前置条件尚未满足（6 项）", "党组织、多方协商", "最终方案征询尚未通过", "强制开始", "尚无证明材料")

		// Forcing without a reason is refused; the form keeps the ticked box.
		refused := admin.post(base+"/stages/construction", url.Values{"status": {"in_progress"}, "note": {""}, "force": {"1"}})
		if refused.status != http.StatusUnprocessableEntity {
			t.Fatalf("force without a reason: %d", refused.status)
		}
		refused.mustContain(t, "备注", `name="force" value="1" checked`)

		// Evidence: a PDF and a photo. Without the form's CSRF token nothing is stored.
		uploadsBefore := countUploads(t, db)
		token := admin.csrf
		admin.csrf = "forged-token"
		forged := admin.filesForm(base+"/preconditions/residents_pact", url.Values{"met": {"1"}, "note": {"伪造"}},
			attachment{"evidence", "公约.pdf", tinyPDF})
		forgedAcceptance := admin.filesForm(base+"/acceptances", url.Values{"item_name": {"外墙"}, "item_result": {"pass"},
			"signer_name": {"张三"}, "signer_role": {"owner_representative"}}, attachment{"item_photos_0", "墙.png", smallPNG(t)})
		admin.csrf = token
		if forged.status != http.StatusForbidden || forgedAcceptance.status != http.StatusForbidden || countUploads(t, db) != uploadsBefore {
			t.Fatalf("forms without the CSRF token: %d and %d, %d files stored", forged.status, forgedAcceptance.status, countUploads(t, db)-uploadsBefore)
		}
		res := admin.filesForm(base+"/preconditions/residents_pact", url.Values{"met": {"1"}, "note": {"居民公约已张贴"}},
			attachment{"evidence", "公约.pdf", tinyPDF}, attachment{"evidence", "张贴.png", smallPNG(t)})
		if res.status != http.StatusSeeOther {
			t.Fatalf("record a precondition with evidence: %d %s", res.status, res.body)
		}
		if n := countUploads(t, db); n != uploadsBefore+2 {
			t.Errorf("%d uploads stored for two files", n-uploadsBefore)
		}
		pcs, err := s.svc.ListPreconditions(ctx, system, estate.ID)
		if err != nil {
			t.Fatal(err)
		}
		var pact service.PreconditionView
		for _, p := range pcs {
			if p.Key == "residents_pact" {
				pact = p
			}
		}
		if !pact.Met || pact.Note != "居民公约已张贴" || len(pact.Evidence) != 2 {
			t.Fatalf("the pact after the form: %+v", pact)
		}
		page = admin.get(base + "/lifecycle?done=precondition_saved")
		page.mustContain(t, "前置条件已更新", "居民公约证明材料 1（下载）", "居民公约证明材料 2（下载）", "/console/uploads/"+pact.Evidence[0],
			"以下前置条件尚未满足（5 项）")
		pdf := admin.get("/console/uploads/" + pact.Evidence[0])
		if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != service.TypePDF ||
			!strings.HasPrefix(pdf.header.Get("Content-Disposition"), "attachment") || pdf.header.Get("Content-Security-Policy") != "sandbox" ||
			!strings.HasPrefix(pdf.body, "%PDF-") {
			t.Errorf("the PDF evidence: %d %v", pdf.status, pdf.header)
		}
		worker := s.client()
		worker.login("worker-files", "worker-password-1")
		if photo := worker.get("/console/uploads/" + pact.Evidence[1]); photo.status != http.StatusOK || photo.header.Get("Content-Type") != service.TypePNG ||
			!strings.HasPrefix(photo.header.Get("Content-Disposition"), "inline") {
			t.Errorf("the estate's worker reads the photo evidence: %d %v", photo.status, photo.header)
		}
		stranger := s.client()
		stranger.login("worker-elsewhere", "worker-password-2")
		if other := stranger.get("/console/uploads/" + pact.Evidence[0]); other.status != http.StatusNotFound || strings.HasPrefix(other.body, "%PDF") {
			t.Errorf("a worker of another estate read the evidence: %d", other.status)
		}

		// A file that is no PDF or photo is refused: nothing changes, the typed note stays.
		uploadsBefore = countUploads(t, db)
		bad := worker.filesForm(base+"/preconditions/party_organisation", url.Values{"met": {"1"}, "note": {"临时党支部"}},
			attachment{"evidence", "说明.txt", []byte("这不是 PDF")})
		if bad.status != http.StatusUnprocessableEntity {
			t.Fatalf("a text file as evidence: %d", bad.status)
		}
		bad.mustContain(t, "只能上传 JPEG、PNG、WebP 照片或 PDF 图纸", `value="临时党支部"`)
		tooLong := worker.filesForm(base+"/preconditions/party_organisation", url.Values{"met": {"1"}, "note": {strings.Repeat("长", 501)}},
			attachment{"evidence", "公约.pdf", tinyPDF})
		if tooLong.status != http.StatusUnprocessableEntity || !strings.Contains(tooLong.body, "说明") && !strings.Contains(tooLong.body, "备注") {
			t.Fatalf("a 501-character note: %d", tooLong.status)
		}
		if n := countUploads(t, db); n != uploadsBefore {
			t.Errorf("refused precondition forms stored %d files", n-uploadsBefore)
		}
		if pcs, _ := s.svc.ListPreconditions(ctx, system, estate.ID); pcs[0].Met || pcs[0].Note != "" {
			t.Errorf("a refused form recorded the party organisation: %+v", pcs[0])
		}

		// A survey's closing time: unreadable, past, then a future one in China time.
		admin.get(base + "/surveys")
		form := url.Values{"template": {""}, "title": {"改前问需"}, "purpose": {"needs"}, "questions": {"加装电梯：需要/不需要"}}
		form.Set("closes_at", "明天")
		garbled := admin.post(base+"/surveys", form)
		if garbled.status != http.StatusUnprocessableEntity {
			t.Fatalf("an unreadable closing time: %d", garbled.status)
		}
		garbled.mustContain(t, "截止时间：请选择日期和时间", `value="改前问需"`)
		past := s.clock.Now().Add(-time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
		form.Set("closes_at", past)
		late := admin.post(base+"/surveys", form)
		if late.status != http.StatusUnprocessableEntity {
			t.Fatalf("a closing time in the past: %d", late.status)
		}
		late.mustContain(t, "截止时间：应为将来的时间", `value="`+past+`"`, "加装电梯：需要/不需要")
		if list, _, _ := s.svc.ListSurveys(ctx, system, estate.ID, service.Page{}); len(list) != 0 {
			t.Fatalf("refused survey forms created %d surveys", len(list))
		}
		future := s.clock.Now().Add(48 * time.Hour).In(time.FixedZone("CST", 8*3600)).Truncate(time.Minute)
		form.Set("closes_at", future.Format("2006-01-02T15:04"))
		if res := admin.post(base+"/surveys", form); res.status != http.StatusSeeOther {
			t.Fatalf("a survey closing in two days: %d %s", res.status, res.body)
		}
		list, _, _ := s.svc.ListSurveys(ctx, system, estate.ID, service.Page{})
		if len(list) != 1 || list[0].ClosesAt == nil || !list[0].ClosesAt.Equal(future) {
			t.Fatalf("the survey closes at %v, want %v", list[0].ClosesAt, future)
		}
		admin.get(base+"/surveys").mustContain(t, future.Format("2006-01-02 15:04"))

		// Acceptance photos: a refused form stores none; a recorded one shows them.
		uploadsBefore = countUploads(t, db)
		rows := url.Values{"item_name": {"外墙保温", "雨水管"}, "item_result": {"pass", "rectify"}, "item_note": {"", ""},
			"signer_name": {"张三丰"}, "signer_role": {"owner_representative"}}
		refusedAcceptance := worker.filesForm(base+"/acceptances", rows, attachment{"item_photos_0", "墙.png", smallPNG(t)})
		if refusedAcceptance.status != http.StatusUnprocessableEntity {
			t.Fatalf("a rectify item without its requirement: %d", refusedAcceptance.status)
		}
		refusedAcceptance.mustContain(t, "验收项 2 的说明", "照片需重新选择", `value="雨水管"`)
		if n := countUploads(t, db); n != uploadsBefore {
			t.Errorf("a refused acceptance stored %d photos", n-uploadsBefore)
		}
		rows.Set("item_note", "")
		rows["item_note"] = []string{"", "落水口松动"}
		if res := worker.filesForm(base+"/acceptances", rows, attachment{"item_photos_0", "墙.png", smallPNG(t)},
			attachment{"item_photos_1", "管1.png", smallPNG(t)}, attachment{"item_photos_1", "管2.png", smallPNG(t)}); res.status != http.StatusSeeOther {
			t.Fatalf("record an acceptance with photos: %d %s", res.status, res.body)
		}
		acceptances, _, err := s.svc.ListAcceptances(ctx, system, estate.ID, service.Page{})
		if err != nil || len(acceptances) != 1 || len(acceptances[0].Items) != 2 {
			t.Fatalf("acceptances: %+v (%v)", acceptances, err)
		}
		items := acceptances[0].Items
		if len(items[0].Photos) != 1 || len(items[1].Photos) != 2 {
			t.Errorf("item photos: %d and %d, want 1 and 2", len(items[0].Photos), len(items[1].Photos))
		}
		shown := worker.get(base + "/acceptances")
		shown.mustContain(t, "验收记录", `alt="外墙保温验收照片 1"`, `alt="雨水管验收照片 2"`, `<img src="/console/uploads/`+items[1].Photos[1])
		if photo := worker.get("/console/uploads/" + items[0].Photos[0]); photo.status != http.StatusOK || photo.header.Get("Content-Type") != service.TypePNG {
			t.Errorf("an acceptance photo: %d", photo.status)
		}
		if got := len(uploadLink.FindAllString(shown.body, -1)); got != 6 {
			t.Errorf("the acceptance page links %d photo addresses, want 6 (three photos, link and image each)", got)
		}

		// A refused rectification keeps its note and stores no photo; a good one attaches its photo.
		rectify := "/console/acceptances/" + acceptances[0].ID + "/items/1/rectify"
		uploadsBefore = countUploads(t, db)
		longNote := strings.Repeat("修", 501)
		refusedFix := worker.filesForm(rectify, url.Values{"note": {longNote}}, attachment{"photos", "修好.png", smallPNG(t)})
		if refusedFix.status != http.StatusUnprocessableEntity || countUploads(t, db) != uploadsBefore {
			t.Fatalf("a 501-character rectification: %d, %d files stored", refusedFix.status, countUploads(t, db)-uploadsBefore)
		}
		refusedFix.mustContain(t, `id="rn-`+items[1].ID+`" name="note" maxlength="500" required value="`+longNote+`"`, "照片需重新选择")
		if res := worker.filesForm(rectify, url.Values{"note": {"落水口已加固"}}, attachment{"photos", "修好.png", smallPNG(t)}); res.status != http.StatusSeeOther {
			t.Fatalf("rectify with a photo: %d %s", res.status, res.body)
		}
		fixed, err := s.svc.GetAcceptance(ctx, system, acceptances[0].ID)
		if err != nil || fixed.Status != service.AcceptanceClosed || len(fixed.Items[1].FixPhotos) != 1 || fixed.Items[1].RectifyNote != "落水口已加固" {
			t.Fatalf("after the rectification: %+v (%v)", fixed, err)
		}
		worker.get(base+"/acceptances?done=item_rectified").mustContain(t, "整改已记录", `alt="雨水管整改照片 1"`, "✔ 已完成")
	})
}
