package console_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// uploadForm posts a multipart form: the fields, the remembered CSRF token and one file.
func (b *browserless) uploadForm(path string, fields url.Values, fileField, name string, data []byte) response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if data != nil {
		part, _ := w.CreateFormFile(fileField, name)
		part.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.url+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// smallPNG is a real 4×4 PNG photo.
func smallPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 4 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAcceptanceAndReportsInTheConsole: a worker records a joint acceptance
// (a rectify item without its requirement is refused and keeps what was
// typed), marks the item rectified with a photo, which closes it; a problem
// report is assigned, a fix without a photo is refused, a fix with one is
// recorded; a designer sees both pages without a form.
func TestAcceptanceAndReportsInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "验收小区", "acceptance-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		workerID := s.user("worker-accept", "worker-password-1", service.RoleWorker)
		designerID := s.user("designer-accept", "designer-password-1", service.RoleDesigner)
		for id, role := range map[string]string{workerID: service.RoleWorker, designerID: service.RoleDesigner} {
			if err := s.svc.AssignStaff(ctx, system, estate.ID, id, role); err != nil {
				t.Fatal(err)
			}
		}
		base := "/console/estates/" + estate.ID
		worker := s.client()
		worker.login("worker-accept", "worker-password-1")
		worker.get(base).mustContain(t, base+"/acceptances", base+"/reports")
		worker.get(base + "/acceptances")
		form := url.Values{"item_name": {"外墙保温", "雨污分流", ""}, "item_result": {"pass", "rectify", "pass"}, "item_note": {"", "", ""},
			"signer_name": {"王建国", "李监理", ""}, "signer_role": {"owner_representative", "supervisor", "builder"}}
		bad := worker.post(base+"/acceptances", form)
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `value="雨污分流"`) {
			t.Errorf("a rectify item without its requirement: %d", bad.status)
		}
		if list, _, _ := s.svc.ListAcceptances(ctx, system, estate.ID, service.Page{}); len(list) != 0 {
			t.Fatalf("a refused acceptance was stored")
		}
		form["item_note"] = []string{"", "3 号楼检查井未接通", ""}
		if res := worker.post(base+"/acceptances", form); res.status != http.StatusSeeOther {
			t.Fatalf("record: %d %s", res.status, res.body)
		}
		list, _, err := s.svc.ListAcceptances(ctx, system, estate.ID, service.Page{})
		if err != nil || len(list) != 1 {
			t.Fatalf("acceptances: %d (%v)", len(list), err)
		}
		a := list[0]
		if len(a.Items) != 2 || len(a.Signatures) != 2 || a.Status != service.AcceptanceOpen || a.Signatures[1].Role != "supervisor" {
			t.Fatalf("the acceptance: %d items, %d signatures, %s", len(a.Items), len(a.Signatures), a.Status)
		}
		page := worker.get(base + "/acceptances")
		page.mustContain(t, "⚠ 需整改", "3 号楼检查井未接通", "业主代表 王建国", "监督员 李监理")
		rectify := "/console/acceptances/" + a.ID + "/items/" + strconv.Itoa(a.Items[1].Position) + "/rectify"
		if !strings.Contains(page.body, rectify) {
			t.Fatalf("the page lacks the rectify form %s", rectify)
		}
		if res := worker.uploadForm(rectify, url.Values{"note": {"已重新接通并闭水试验"}}, "photos", "fix.png", smallPNG(t)); res.status != http.StatusSeeOther {
			t.Fatalf("rectify: %d %s", res.status, res.body)
		}
		got, err := s.svc.GetAcceptance(ctx, system, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != service.AcceptanceClosed || got.Items[1].RectifiedAt == nil || len(got.Items[1].FixPhotos) != 1 {
			t.Errorf("after rectifying: %s, rectified %v, %d photos", got.Status, got.Items[1].RectifiedAt, len(got.Items[1].FixPhotos))
		}
		worker.get(base+"/acceptances").mustContain(t, "✔ 已完成", "✔ 已整改")

		now := s.clock.Now()
		report := model.ProblemReport{ID: "report-accept-1", EstateID: estate.ID, Status: service.ReportReported, ReporterID: "resident-x",
			Text: "楼道灯不亮", Location: "2 号楼 1 单元", CreatedAt: now, UpdatedAt: now}
		if err := db.Gorm.Create(&report).Error; err != nil {
			t.Fatal(err)
		}
		worker.get(base+"/reports").mustContain(t, "楼道灯不亮", "待处理", "由我处理")
		if res := worker.post("/console/reports/"+report.ID+"/assign", url.Values{"estate_id": {estate.ID}, "assignee_id": {workerID}}); res.status != http.StatusSeeOther {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		worker.get(base + "/reports")
		noPhoto := worker.uploadForm("/console/reports/"+report.ID+"/fix", url.Values{"estate_id": {estate.ID}, "note": {"换了灯泡"}}, "", "", nil)
		if noPhoto.status != http.StatusUnprocessableEntity || !strings.Contains(noPhoto.body, "照片") {
			t.Errorf("a fix without a photo: %d", noPhoto.status)
		}
		if res := worker.uploadForm("/console/reports/"+report.ID+"/fix", url.Values{"estate_id": {estate.ID}, "note": {"换了灯泡"}}, "photos", "lamp.png", smallPNG(t)); res.status != http.StatusSeeOther {
			t.Fatalf("fix: %d %s", res.status, res.body)
		}
		var stored model.ProblemReport
		if err := db.Gorm.Where("id = ?", report.ID).Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored.Status != service.ReportFixed || stored.AssigneeID == nil || *stored.AssigneeID != workerID || stored.StaffNote != "换了灯泡" {
			t.Errorf("the report: %s, assignee %v, note %q", stored.Status, stored.AssigneeID, stored.StaffNote)
		}
		worker.get(base+"/reports?status=fixed").mustContain(t, "已整改，待居民确认", "照片 1 张")

		designer := s.client()
		designer.login("designer-accept", "designer-password-1")
		for _, path := range []string{base + "/acceptances", base + "/reports"} {
			if p := designer.get(path); p.status != http.StatusOK || strings.Contains(p.body, `method="post" action="/console/acceptances`) ||
				strings.Contains(p.body, `action="/console/estates/`+estate.ID+`/acceptances"`) || strings.Contains(p.body, "/console/reports/") {
				t.Errorf("a designer's %s (%d) offers a form", path, p.status)
			}
		}
	})
}
