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

// TestSurveysInTheConsole: an admin drafts the Xuchang form and a survey of
// typed questions (a bad one is refused and creates nothing), opens it; a
// worker enters paper forms by address (an unknown room is refused); the
// results page draws a titled SVG bar chart per question with the figures
// beside it and the mean rating, and the workbook downloads; a designer
// sees the results but no form.
func TestSurveysInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "问卷小区", "survey-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		building, unit, area := "3", "1", int64(7000)
		var items []service.HouseholdFields
		for _, room := range []string{"101", "102", "201"} {
			room := room
			items = append(items, service.HouseholdFields{Building: &building, Unit: &unit, Room: &room, AreaHundredths: &area})
		}
		if _, err := s.svc.CreateHouseholds(ctx, system, estate.ID, items); err != nil {
			t.Fatal(err)
		}
		workerID := s.user("worker-survey", "worker-password-1", service.RoleWorker)
		designerID := s.user("designer-survey", "designer-password-1", service.RoleDesigner)
		for id, role := range map[string]string{workerID: service.RoleWorker, designerID: service.RoleDesigner} {
			if err := s.svc.AssignStaff(ctx, system, estate.ID, id, role); err != nil {
				t.Fatal(err)
			}
		}
		admin := s.client()
		admin.login(adminName, adminPassword)
		admin.get("/console/estates/"+estate.ID).mustContain(t, "/surveys\"")
		admin.get("/console/estates/" + estate.ID + "/surveys")
		if res := admin.post("/console/estates/"+estate.ID+"/surveys", url.Values{"template": {"xuchang-satisfaction"}}); res.status != http.StatusSeeOther {
			t.Fatalf("create from the template: %d %s", res.status, res.body)
		}
		bad := admin.post("/console/estates/"+estate.ID+"/surveys", url.Values{"template": {""}, "title": {"需求调查"}, "purpose": {"needs"}, "questions": {"  "}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "题目") {
			t.Errorf("a survey without questions: %d", bad.status)
		}
		res := admin.post("/console/estates/"+estate.ID+"/surveys", url.Values{"template": {""}, "title": {"加装电梯需求调查"},
			"purpose": {"needs"}, "questions": {"您对加装电梯的迫切程度\n希望的停车方式：地面/立体车库\n文字：其他需求"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create from typed questions: %d %s", res.status, res.body)
		}
		surveys, _, err := s.svc.ListSurveys(ctx, system, estate.ID, service.Page{})
		if err != nil || len(surveys) != 2 {
			t.Fatalf("surveys: %d (%v)", len(surveys), err)
		}
		needs := surveys[1]
		if needs.Title != "加装电梯需求调查" || len(needs.Questions) != 3 || needs.Questions[0].Kind != service.QuestionRating ||
			needs.Questions[1].Kind != service.QuestionSingle || len(needs.Questions[1].Options) != 2 || needs.Questions[2].Kind != service.QuestionText {
			t.Fatalf("the typed survey: %+v", needs)
		}
		if surveys[0].Template != service.SurveyTemplateXuchang || len(surveys[0].Questions) != 8 {
			t.Errorf("the template survey: %s with %d questions", surveys[0].Template, len(surveys[0].Questions))
		}
		admin.get("/console/surveys/" + needs.ID)
		if res := admin.post("/console/surveys/"+needs.ID+"/open", url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("open: %d %s", res.status, res.body)
		}

		worker := s.client()
		worker.login("worker-survey", "worker-password-1")
		worker.get("/console/surveys/"+needs.ID).mustContain(t, "录入纸质问卷", `name="q_q2" value="立体车库"`)
		path := "/console/surveys/" + needs.ID + "/responses"
		unknown := worker.post(path, url.Values{"building": {"3"}, "unit": {"1"}, "room": {"999"}, "q_q1": {"5"}, "q_q2": {"地面"}})
		if unknown.status != http.StatusNotFound || !strings.Contains(unknown.body, "找不到该户") {
			t.Errorf("an unknown room: %d", unknown.status)
		}
		for room, answers := range map[string]url.Values{"101": {"q_q1": {"5"}, "q_q2": {"地面"}}, "102": {"q_q1": {"4"}, "q_q2": {"地面"}},
			"201": {"q_q1": {"2"}, "q_q2": {"立体车库"}, "q_q3": {"希望增加充电桩"}}} {
			answers.Set("building", "3")
			answers.Set("unit", "1")
			answers.Set("room", room)
			if res := worker.post(path, answers); res.status != http.StatusSeeOther {
				t.Fatalf("paper response of %s: %d %s", room, res.status, res.body)
			}
		}

		designer := s.client()
		designer.login("designer-survey", "designer-password-1")
		if page := designer.get("/console/surveys/" + needs.ID); page.status != http.StatusOK || strings.Contains(page.body, "<form method=\"post\" action=\"/console/surveys/") {
			t.Errorf("a designer's survey page (%d) offers a form", page.status)
		}
		results := designer.get("/console/surveys/" + needs.ID + "/results")
		results.mustContain(t, "共 3 户作答", "平均分 3.67", `role="img"`, "<title id=\"t-q2\">希望的停车方式：地面 2 户，立体车库 1 户</title>",
			"<td>地面</td><td>2</td><td>66.7%</td>", "希望增加充电桩")
		if n := strings.Count(results.body, "<svg"); n != 2 {
			t.Errorf("the results page draws %d charts, want 2 (rating and choice)", n)
		}
		sheet := designer.get("/console/surveys/" + needs.ID + "/results.xlsx")
		if sheet.status != http.StatusOK || !strings.HasPrefix(sheet.body, "PK") || !strings.Contains(sheet.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("the workbook: %d %q", sheet.status, sheet.header.Get("Content-Disposition"))
		}
	})
}
