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

func TestPlanRoundOnARevision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "方案小区", "plan-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		revision, err := s.svc.PublishRevision(ctx, system, estate.ID, service.RevisionInput{Title: "加装电梯方案第一版"})
		if err != nil {
			t.Fatal(err)
		}
		b := s.client()
		b.login(adminName, adminPassword)
		form := b.get("/console/estates/" + estate.ID + "/rounds/new")
		form.mustContain(t, "第 1 版 加装电梯方案第一版", "“两个 80%”")
		bad := b.post("/console/estates/"+estate.ID+"/rounds", url.Values{"title": {""}, "kind": {"plan"}, "preset": {"two-80"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "标题") {
			t.Errorf("a round without a title: %d", bad.status)
		}
		if !strings.Contains(bad.body, "标题：须为 1 到 200 个字") || strings.Contains(bad.body, "characters") {
			t.Errorf("the reason for the missing title is not in Chinese:\n%s", bad.body)
		}
		res := b.post("/console/estates/"+estate.ID+"/rounds", url.Values{"title": {"方案征询"}, "kind": {"plan"},
			"preset": {"civil-code-major"}, "revision_id": {revision.ID}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		rounds, _, err := s.svc.ListRounds(ctx, system, estate.ID, service.Page{})
		if err != nil || len(rounds) != 1 {
			t.Fatalf("rounds: %d (%v)", len(rounds), err)
		}
		r := rounds[0]
		if r.Kind != service.KindPlan || r.RevisionID == nil || *r.RevisionID != revision.ID || r.Rule.Preset != "civil-code-major" {
			t.Errorf("the round: kind %s, revision %v, rule %s", r.Kind, r.RevisionID, r.Rule.Preset)
		}
	})
}

// TestEarlyCloseInTheConsole: only an admin sees the open and close forms
// (opening and closing are admin actions); closing before the deadline asks
// for a reason, refuses to close without one, and records the one given.
func TestEarlyCloseInTheConsole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "提前结束小区", "early-close"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		building, unit, area := "1", "1", int64(8000)
		var items []service.HouseholdFields
		for _, room := range []string{"101", "102", "201", "202", "301"} {
			room := room
			items = append(items, service.HouseholdFields{Building: &building, Unit: &unit, Room: &room, AreaHundredths: &area})
		}
		if _, err := s.svc.CreateHouseholds(ctx, system, estate.ID, items); err != nil {
			t.Fatal(err)
		}
		title, kind, closesAt := "外墙改造意愿征询", service.KindWillingness, s.clock.Now().Add(48*time.Hour)
		round, err := s.svc.CreateRound(ctx, system, estate.ID, service.RoundFields{Title: &title, Kind: &kind, ClosesAt: &closesAt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.OpenRound(ctx, system, round.ID, false); err != nil {
			t.Fatal(err)
		}
		workerID := s.user("worker-early", "worker-password-1", service.RoleWorker)
		if err := s.svc.AssignStaff(ctx, system, estate.ID, workerID, service.RoleWorker); err != nil {
			t.Fatal(err)
		}
		worker := s.client()
		worker.login("worker-early", "worker-password-1")
		if page := worker.get("/console/rounds/" + round.ID); page.status != http.StatusOK || strings.Contains(page.body, "/close\"") {
			t.Errorf("a worker's round page (%d) offers the close form", page.status)
		}

		admin := s.client()
		admin.login(adminName, adminPassword)
		admin.get("/console/rounds/"+round.ID).mustContain(t, "提前结束的理由")
		refused := admin.post("/console/rounds/"+round.ID+"/close", url.Values{"reason": {"  "}})
		if refused.status == http.StatusSeeOther {
			t.Errorf("an early close without a reason was accepted")
		}
		if r, _ := s.svc.GetRound(ctx, system, round.ID); r.Status != service.RoundOpen {
			t.Fatalf("after a refused close the round is %s", r.Status)
		}
		admin.get("/console/rounds/" + round.ID)
		if res := admin.post("/console/rounds/"+round.ID+"/close", url.Values{"reason": {"施工单位提前进场，经街道批准提前结束"}}); res.status != http.StatusSeeOther {
			t.Fatalf("an early close with a reason: %d %s", res.status, res.body)
		}
		var stored model.Round
		if err := db.Gorm.Where("id = ?", round.ID).Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored.Status != service.RoundClosed || stored.CloseReason != "施工单位提前进场，经街道批准提前结束" {
			t.Errorf("closed round: status %s, reason %q", stored.Status, stored.CloseReason)
		}
	})
}
