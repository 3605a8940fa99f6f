package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestDisputeTableInTheConsole: the estate page counts the overdue
// objections; the dispute table marks them in words and filters them; an
// admin hands one to a worker and moves its due date, a bad date changes
// nothing, a worker takes one on, and a designer sees no form.
func TestDisputeTableInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "台账小区", "dispute-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		file := func(content string) string {
			o, err := s.svc.FileObjection(ctx, system, estate.ID, service.ObjectionInput{Category: "parking", Content: content, Channel: "paper"})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		late := file("停车位规划不合理，请重新考虑")
		s.clock.advance(8 * 24 * time.Hour) // past the default seven days
		fresh := file("绿化带太窄")
		workerID := s.user("worker-dispute", "worker-password-1", service.RoleWorker)
		designerID := s.user("designer-dispute", "designer-password-1", service.RoleDesigner)
		for id, role := range map[string]string{workerID: service.RoleWorker, designerID: service.RoleDesigner} {
			if err := s.svc.AssignStaff(ctx, system, estate.ID, id, role); err != nil {
				t.Fatal(err)
			}
		}

		admin := s.client()
		admin.login(adminName, adminPassword)
		admin.get("/console/estates/"+estate.ID).mustContain(t, "已逾期 1 条", "/disputes?overdue=1")
		table := admin.get("/console/estates/" + estate.ID + "/disputes")
		table.mustContain(t, "停车位规划不合理", "绿化带太窄", "⚠ 已逾期", "worker-dispute（社区工作人员）")
		if n := strings.Count(table.body, "⚠ 已逾期"); n != 1 {
			t.Errorf("the table marks %d objections overdue, want 1", n)
		}
		only := admin.get("/console/estates/" + estate.ID + "/disputes?overdue=1")
		if !strings.Contains(only.body, "停车位规划不合理") || strings.Contains(only.body, "绿化带太窄") {
			t.Errorf("the overdue filter kept the wrong objections:\n%s", only.body)
		}

		bad := admin.post("/console/objections/"+late+"/assign", url.Values{"handler_id": {workerID}, "due_date": {"明天"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "处理期限") {
			t.Errorf("a bad due date: %d", bad.status)
		}
		if o, _ := s.svc.GetObjection(ctx, system, late); o.HandlerID != "" || !o.Overdue {
			t.Fatalf("a refused assignment changed the objection: handler %q, overdue %v", o.HandlerID, o.Overdue)
		}
		due := s.clock.Now().Add(72 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		res := admin.post("/console/objections/"+late+"/assign", url.Values{"handler_id": {workerID}, "due_date": {due}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		o, err := s.svc.GetObjection(ctx, system, late)
		if err != nil {
			t.Fatal(err)
		}
		if o.HandlerID != workerID || o.Overdue || o.Due.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") != due {
			t.Errorf("after assigning: handler %q, overdue %v, due %s (want %s)", o.HandlerID, o.Overdue, o.Due, due)
		}
		admin.get("/console/estates/"+estate.ID).mustContain(t, "已逾期 0 条")

		worker := s.client()
		worker.login("worker-dispute", "worker-password-1")
		worker.get("/console/estates/"+estate.ID+"/disputes").mustContain(t, "由我处理", "worker-dispute")
		if res := worker.post("/console/objections/"+fresh+"/assign", url.Values{"handler_id": {workerID}}); res.status != http.StatusSeeOther {
			t.Fatalf("a worker takes an objection on: %d %s", res.status, res.body)
		}
		if o, _ := s.svc.GetObjection(ctx, system, fresh); o.HandlerID != workerID {
			t.Errorf("the worker's objection has handler %q", o.HandlerID)
		}

		designer := s.client()
		designer.login("designer-dispute", "designer-password-1")
		page := designer.get("/console/estates/" + estate.ID + "/disputes")
		if page.status != http.StatusOK || strings.Contains(page.body, "/assign\"") {
			t.Errorf("a designer's dispute table (%d) offers the assign form", page.status)
		}
		if res := designer.post("/console/objections/"+fresh+"/assign", url.Values{"handler_id": {designerID}}); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
			t.Errorf("a designer assigned an objection: %d", res.status)
		}
	})
}
