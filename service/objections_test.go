package service

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestConcurrentAnswersAreAllKept answers one objection from several
// designers at once: none is lost, the versions count 1..n, and the history
// holds one answer and n-1 amendments.
func TestConcurrentAnswersAreAllKept(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newFixture(t, db, 2, 1, "")
		o, err := f.svc.FileObjection(ctx, SystemActor(), f.estateID, ObjectionInput{Category: "greening", Content: "保留大树"})
		if err != nil {
			t.Fatal(err)
		}
		const designers = 5
		var wg sync.WaitGroup
		errs := make([]error, designers)
		for i := range designers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actor := Actor{Kind: ActorSystem, ID: fmt.Sprintf("designer-%d", i), Role: RoleDesigner}
				_, errs[i] = f.svc.AnswerObjection(ctx, actor, o.ID, AnswerInput{Outcome: OutcomeNotAdopted, Explanation: fmt.Sprintf("说明 %d", i), PublicSummary: "居民意见摘要"})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("designer %d: %v", i, err)
			}
		}
		got, err := f.svc.GetObjection(ctx, SystemActor(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range got.History {
			kinds[e.Kind]++
		}
		if got.AnswerVersion != designers || kinds["answered"] != 1 || kinds["amended"] != designers-1 {
			t.Fatalf("answer version %d, history %v; want %d, 1 answered and %d amended", got.AnswerVersion, kinds, designers, designers-1)
		}
	})
}
