package service

import (
	"context"
	"fmt"
	"testing"

	"minyi/model/testdb"
)

// BenchmarkFeedback reads the grouped feedback of an estate with 2,000
// objections over 200 households (SQLite).
func BenchmarkFeedback(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, testdb.OpenSQLite(b), 200, 4, "")
	staff := Actor{Kind: ActorSystem, ID: "worker-1", Role: RoleWorker, Channel: ChannelAPI}
	for i := range 2000 {
		household := f.households[i%len(f.households)]
		c := ObjectionCategories[i%len(ObjectionCategories)].Code
		_, err := f.svc.FileObjection(ctx, staff, f.estateID, ObjectionInput{RoundID: &f.roundID, HouseholdID: &household,
			Category: c, PlanItem: fmt.Sprintf("条目%d", i%7), Content: "电梯井挡住我家窗户采光，希望调整位置"})
		if err != nil {
			b.Fatal(err)
		}
	}
	designer := Actor{Kind: ActorSystem, ID: "designer-1", Role: RoleDesigner}
	for b.Loop() {
		feedback, err := f.svc.Feedback(ctx, designer, f.estateID, f.roundID)
		if err != nil || feedback.Totals.Objections != 2000 {
			b.Fatalf("feedback: %v, %+v", err, feedback.Totals)
		}
	}
}
