package console_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

func (b *browserless) upload(path, field, name string, data []byte) response {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.csrf)
	part, _ := w.CreateFormFile(field, name)
	part.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.site.url+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

var hiddenFile = regexp.MustCompile(`name="file_data" value="([^"]*)"`)

func TestRosterImportPreviewsThenConfirms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		b := s.client()
		b.login(adminName, adminPassword)
		b.get("/console/estates/new")
		created := b.post("/console/estates", url.Values{"name": {"导入小区"}, "code": {"import-estate"}})
		estateURL := created.header.Get("Location")
		estates, _, _ := s.svc.ListEstates(ctx, service.SystemActor(), service.Page{})
		if len(estates) != 1 {
			t.Fatalf("no estate: %d %s", created.status, estateURL)
		}
		estateID := estates[0].ID
		b.get("/console/estates/" + estateID + "/import")
		// The headers a street office's own roster uses, with a column the roster does not keep.
		csv := []byte("楼号,单元,室号,建筑面积（㎡）,产权人,联系电话,车位\n1,1,101,85.5,王建国,13900000001,A-1\n1,1,102,八十,李秀英,13900000002,\n1,1,201,90,张海燕,13900000003,\n")
		preview := b.upload("/console/estates/"+estateID+"/import", "file", "roster.csv", csv)
		if preview.status != http.StatusOK {
			t.Fatalf("preview: %d %s", preview.status, preview.body)
		}
		preview.mustContain(t, "预览（尚未保存）", "<td>3</td><td>D</td>", "确认导入",
			"<td>建筑面积（㎡）</td><td>面积</td>", "<td>产权人</td><td>业主</td>", "G 列「车位」不是名册的列，未导入", "面积「八十」")
		count := func() int64 {
			n, err := s.svc.CountHouseholds(ctx, service.SystemActor(), estateID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 0 {
			t.Fatalf("the preview wrote %d households", n)
		}
		m := hiddenFile.FindStringSubmatch(preview.body)
		if m == nil {
			t.Fatal("the preview does not carry the file to the confirmation")
		}
		m[1] = html.UnescapeString(m[1])
		// Without consenting to skip the bad row nothing is written.
		refused := b.post("/console/estates/"+estateID+"/import/confirm", url.Values{"file_name": {"roster.csv"}, "file_data": {m[1]}})
		refused.mustContain(t, "未导入")
		if n := count(); n != 0 {
			t.Fatalf("an import with a bad row wrote %d households", n)
		}
		done := b.post("/console/estates/"+estateID+"/import/confirm", url.Values{"file_name": {"roster.csv"}, "file_data": {m[1]}, "skip_invalid": {"1"}})
		done.mustContain(t, "已导入")
		if n := count(); n != 2 {
			t.Fatalf("after confirming, %d households, want the 2 valid rows", n)
		}
		var owners []string
		if err := db.Gorm.Model(&model.Household{}).Where("estate_id = ?", estateID).Order("room").Pluck("owner_name", &owners).Error; err != nil {
			t.Fatal(err)
		}
		if len(owners) != 2 || owners[0] == "" || owners[1] == "" {
			t.Errorf("the owners under 产权人 were not imported: %q", owners)
		}
		if res := b.post("/console/estates/"+estateID+"/import/confirm", url.Values{"file_name": {"roster.csv"}, "file_data": {m[1]}, "csrf": {"forged"}}); res.status != http.StatusForbidden {
			t.Errorf("a confirmation without the session's token: %d", res.status)
		}
	})
}
