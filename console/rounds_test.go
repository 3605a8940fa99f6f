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

func TestPlanRoundOnARevision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		t.Parallel()
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
