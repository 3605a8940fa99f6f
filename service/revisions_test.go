package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestConcurrentRevisionsGetDistinctVersions publishes revisions of one
// estate at the same time: the unique (estate, version) index and the retry
// give them the versions 1..n, each once.
func TestConcurrentRevisionsGetDistinctVersions(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 3, 1, "")
		const publishers = 6
		designer := SystemActor()
		var wg sync.WaitGroup
		versions := make([]int, publishers)
		errs := make([]error, publishers)
		for i := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rev, err := f.svc.PublishRevision(context.Background(), designer, f.estateID,
					RevisionInput{Title: fmt.Sprintf("方案 %d", i)})
				errs[i] = err
				if err == nil {
					versions[i] = rev.Version
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("publisher %d: %v", i, err)
			}
		}
		slices.Sort(versions)
		if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(versions, want) {
			t.Fatalf("versions %v, want %v", versions, want)
		}
	})
}

// TestPublicAnswersCarryNoPersonalData: the notice board's answers have an
// excerpt of at most 80 runes, the revision's version, and nothing about the
// objector or the household; open objections are not listed.
func TestPublicAnswersCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 3, 1, "")
		staff := Actor{Kind: ActorSystem, ID: "worker-7", Role: RoleWorker, Channel: ChannelAPI}
		long := strings.Repeat("楼道灯不亮", 30) // 150 runes
		household := f.households[0]
		answered, err := f.svc.FileObjection(ctx, staff, f.estateID, ObjectionInput{RoundID: &f.roundID,
			HouseholdID: &household, Category: "safety", PlanItem: "楼道照明", Content: long})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.FileObjection(ctx, staff, f.estateID, ObjectionInput{Category: "other", Content: "还没答复"}); err != nil {
			t.Fatal(err)
		}
		rev, err := f.svc.PublishRevision(ctx, SystemActor(), f.estateID, RevisionInput{Title: "照明改造", Addresses: []string{answered.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AnswerObjection(ctx, SystemActor(), answered.ID, AnswerInput{Outcome: OutcomeAdopted, PublicSummary: "居民意见摘要", RevisionID: &rev.ID}); err != nil {
			t.Fatal(err)
		}
		answers, err := f.svc.PublicAnswers(ctx, f.estateID)
		if err != nil {
			t.Fatal(err)
		}
		if len(answers) != 1 {
			t.Fatalf("%d public answers, want only the answered one", len(answers))
		}
		a := answers[0]
		if a.PublicSummary != "居民意见摘要" || strings.Contains(long, a.PublicSummary) {
			t.Fatalf("public summary %q: want the answerer's, never the resident's text", a.PublicSummary)
		}
		if a.RevisionVersion == nil || *a.RevisionVersion != 1 || a.Outcome != OutcomeAdopted || a.Category != "safety" || a.AnsweredAt.IsZero() {
			t.Fatalf("public answer %+v", a)
		}
		revisions, err := f.svc.PublicRevisions(ctx, f.estateID)
		if err != nil || len(revisions) != 1 || revisions[0].AddressedCount != 1 || revisions[0].Version != 1 {
			t.Fatalf("public revisions %+v (%v)", revisions, err)
		}
	})
}
