package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestLifecycleInTheConsole: an admin moves a stage; starting construction
// before its preconditions is refused with what is missing in Chinese and
// changes nothing; a worker records a precondition but sees no stage or
// site form; the site form stores the budget in fen and refuses a bad amount;
// an admin forces construction with a reason.
func TestLifecycleInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "进度小区", "lifecycle-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		workerID := s.user("worker-life", "worker-password-1", service.RoleWorker)
		if err := s.svc.AssignStaff(ctx, system, estate.ID, workerID, service.RoleWorker); err != nil {
			t.Fatal(err)
		}
		base := "/console/estates/" + estate.ID
		admin := s.client()
		admin.login(adminName, adminPassword)
		admin.get(base).mustContain(t, base+"/lifecycle")
		admin.get(base+"/lifecycle").mustContain(t, "摸底调查", "违建拆除", "施工信息")
		if res := admin.post(base+"/stages/survey", url.Values{"status": {"in_progress"}, "note": {"入户摸底"}}); res.status != http.StatusSeeOther {
			t.Fatalf("move a stage: %d %s", res.status, res.body)
		}
		refused := admin.post(base+"/stages/construction", url.Values{"status": {"in_progress"}, "note": {""}})
		if refused.status != http.StatusConflict {
			t.Fatalf("construction before its preconditions: %d", refused.status)
		}
		refused.mustContain(t, "施工不能开始", "党组织", "物业费承诺", "最终方案征询尚未通过")
		stages, err := s.svc.ListStages(ctx, system, estate.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stages {
			want := service.StagePending
			if st.Stage == "survey" {
				want = service.StageInProgress
			}
			if st.Status != want {
				t.Errorf("stage %s is %s, want %s", st.Stage, st.Status, want)
			}
		}

		worker := s.client()
		worker.login("worker-life", "worker-password-1")
		page := worker.get(base + "/lifecycle")
		if strings.Contains(page.body, "/stages/") || strings.Contains(page.body, "/site\"") {
			t.Errorf("a worker's lifecycle page offers the stage or site form")
		}
		if res := worker.post(base+"/preconditions/party_organisation", url.Values{"met": {"1"}, "note": {"已成立临时党支部"}}); res.status != http.StatusSeeOther {
			t.Fatalf("a worker records a precondition: %d %s", res.status, res.body)
		}
		worker.get(base+"/lifecycle").mustContain(t, "✔ 已满足", "已成立临时党支部")
		if res := worker.post(base+"/site", url.Values{"builder": {"某建设公司"}}); res.status == http.StatusSeeOther {
			t.Errorf("a worker saved the site information")
		}

		admin.get(base + "/lifecycle")
		bad := admin.post(base+"/site", url.Values{"builder": {"某建设公司"}, "budget": {"一百万"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "预算") || !strings.Contains(bad.body, `value="一百万"`) {
			t.Errorf("a bad budget: %d", bad.status)
		}
		if site, _ := s.svc.GetSite(ctx, system, estate.ID); site.Builder != "" {
			t.Errorf("a refused site form stored the builder %q", site.Builder)
		}
		if res := admin.post(base+"/site", url.Values{"builder": {"某建设公司"}, "budget": {"1234567.8"}, "starts_on": {"2027-03-01"}}); res.status != http.StatusSeeOther {
			t.Fatalf("save the site: %d %s", res.status, res.body)
		}
		if site, _ := s.svc.GetSite(ctx, system, estate.ID); site.BudgetFen != 123456780 || site.StartsOn != "2027-03-01" {
			t.Errorf("the site: budget %d fen, starts %q", site.BudgetFen, site.StartsOn)
		}
		admin.get(base+"/lifecycle").mustContain(t, `value="1234567.80"`)
		if res := admin.post(base+"/stages/construction", url.Values{"status": {"in_progress"}, "note": {"区政府专题会议决定先行施工"}, "force": {"1"}}); res.status != http.StatusSeeOther {
			t.Fatalf("force construction: %d %s", res.status, res.body)
		}
		admin.get(base+"/lifecycle").mustContain(t, "⚠ 前置条件未齐时强制开始")
	})
}
