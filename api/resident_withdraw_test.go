package api

import (
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestResidentWithdraws: a resident withdraws online; the household leaves
// the tally, the withdrawal stays in the history, and it can sign again.
func TestResidentWithdraws(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, _ := w.bind("o-withdraw", "101")
		expectCode(t, s.call("DELETE", w.mySignOffPath(), token, nil), http.StatusNotFound, "signoff_not_found")
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree"})
		if participated, agree := w.tallyCounts(); participated != 1 || agree != 1 {
			t.Fatalf("before the withdrawal: participated %d, agree %d", participated, agree)
		}
		s.must(http.StatusNoContent, "DELETE", w.mySignOffPath()+"?household_id="+w.household["101"], token, nil)
		if participated, agree := w.tallyCounts(); participated != 0 || agree != 0 {
			t.Fatalf("after the withdrawal: participated %d, agree %d; want 0", participated, agree)
		}
		got := w.myRounds(token)[0]
		if got.MyDecision == nil || got.MyDecision.Decision != "withdrawn" || len(got.History) != 2 || got.History[1].NewDecision != "withdrawn" {
			t.Fatalf("after the withdrawal: %+v", got)
		}
		expectCode(t, s.call("DELETE", w.mySignOffPath()+"?household_id="+w.household["102"], token, nil), http.StatusNotFound, "household_not_found")
		var mine mySignOffResponse
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "disagree"}).decode(t, &mine)
		if mine.Version != 3 {
			t.Fatalf("signing again gave version %d, want 3", mine.Version)
		}
		if participated, agree := w.tallyCounts(); participated != 1 || agree != 0 {
			t.Fatalf("after signing again: participated %d, agree %d", participated, agree)
		}
	})
}

// TestMyRoundsShowThePlanRevision: a plan round shows the revision it consults on.
func TestMyRoundsShowThePlanRevision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, _ := w.bind("o-plan", "101")
		var rev struct {
			ID string `json:"id"`
		}
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/revisions", w.designer, map[string]any{
			"title": "方案第二版", "summary": "调整电梯位置", "changes": "电梯移至北侧", "addresses": []string{}}).decode(t, &rev)
		var round struct {
			ID string `json:"id"`
		}
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/rounds", w.worker, map[string]any{
			"title": "方案征询", "kind": "plan", "revision_id": rev.ID}).decode(t, &round)
		s.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/open", w.admin, nil)
		found := false
		for _, item := range w.myRounds(token) {
			if item.Round.ID != round.ID {
				if item.Revision != nil {
					t.Errorf("the willingness round shows revision %+v", item.Revision)
				}
				continue
			}
			found = true
			if item.Round.RevisionID == nil || *item.Round.RevisionID != rev.ID || item.Revision == nil ||
				item.Revision.Title != "方案第二版" || item.Revision.Version != 1 || item.Revision.Summary != "调整电梯位置" {
				t.Fatalf("the plan round shows %+v / %+v", item.Round, item.Revision)
			}
		}
		if !found {
			t.Fatal("the plan round is missing from my rounds")
		}
	})
}
