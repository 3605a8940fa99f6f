package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

var postForm = regexp.MustCompile(`<form[^>]*method="post"[^>]*>`)

// TestSupervisorConsoleIsReadOnly: every console page a supervisor opens
// offers no form but the sign-out, links to no page they may not use, and
// shows no room, name or phone the service hides from them.
func TestSupervisorConsoleIsReadOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		name, code := "监督小区", "supervised-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		building, unit, room, area := "5", "2", "302", int64(9000)
		owner, phone := "赵秀兰", "13912345678"
		households, err := s.svc.CreateHouseholds(ctx, system, estate.ID, []service.HouseholdFields{{Building: &building, Unit: &unit, Room: &room,
			AreaHundredths: &area, OwnerName: &owner, Phone: &phone}})
		if err != nil {
			t.Fatal(err)
		}
		title, kind := "加装电梯意愿征询", service.KindWillingness
		round, err := s.svc.CreateRound(ctx, system, estate.ID, service.RoundFields{Title: &title, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.OpenRound(ctx, system, round.ID, false); err != nil {
			t.Fatal(err)
		}
		hid := households[0].ID
		if _, err := s.svc.FileObjection(ctx, system, estate.ID, service.ObjectionInput{Category: "elevator", Content: "电梯挡住采光",
			Channel: "paper", HouseholdID: &hid}); err != nil {
			t.Fatal(err)
		}
		s.clock.advance(8 * 24 * time.Hour)
		if _, err := s.svc.RecordAcceptance(ctx, system, estate.ID, service.AcceptanceInput{
			Items:      []service.AcceptanceItemInput{{Name: "电梯井道", Result: service.ItemPass}},
			Signatures: []service.SignatureInput{{Name: "周监督", Role: "supervisor"}}}); err != nil {
			t.Fatal(err)
		}
		supervisorID := s.user("supervisor-1", "supervisor-password-1", service.RoleSupervisor)
		if err := s.svc.AssignStaff(ctx, system, estate.ID, supervisorID, service.RoleSupervisor); err != nil {
			t.Fatal(err)
		}
		b := s.client()
		b.login("supervisor-1", "supervisor-password-1")
		base := "/console/estates/" + estate.ID
		pages := map[string]string{"/console/": "监督小区", base: "已逾期 1 条", "/console/rounds/" + round.ID: "实时统计",
			base + "/disputes": "5 栋 2 单元", base + "/acceptances": "电梯井道"}
		for path, want := range pages {
			p := b.get(path)
			if p.status != http.StatusOK || !strings.Contains(p.body, want) {
				t.Errorf("%s: %d, lacks %q", path, p.status, want)
				continue
			}
			for _, f := range postForm.FindAllString(p.body, -1) {
				if !strings.Contains(f, "/console/logout") {
					t.Errorf("%s offers a supervisor the form %s", path, f)
				}
			}
			for _, hidden := range []string{owner, phone, "302 室", "/rounds/new", "/register\"", "/forms\"", "/import\"", "/rooms\"", "/lifecycle\"", "/surveys\"", "/reports\"", "/feedback\"", "/audit\""} {
				if strings.Contains(p.body, hidden) {
					t.Errorf("%s shows a supervisor %q", path, hidden)
				}
			}
		}
	})
}
