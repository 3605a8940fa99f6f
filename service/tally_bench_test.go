package service

import (
	"context"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// BenchmarkTallyManyBuildings measures a staff tally of an open round in 834
// buildings (4 households each, 200 of them decided): the breakdown's cost
// grows with the buildings, not the households.
//
//	go test -run XXX -bench BenchmarkTallyManyBuildings ./service/
//
// (with MINYI_TEST_MYSQL_URL set for the MySQL lines).
func BenchmarkTallyManyBuildings(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchTallyManyBuildings(b, testdb.OpenSQLite(b)) })
	b.Run("mysql", func(b *testing.B) { benchTallyManyBuildings(b, testdb.OpenMySQL(b)) })
}

func benchTallyManyBuildings(b *testing.B, db *model.DB) {
	ctx := context.Background()
	f := newFixture(b, db, 834*4, 834, "")
	for i := 0; i < 200; i++ {
		f.sign(b, i*16, decisions[i%3])
	}
	for b.Loop() {
		tally, err := f.svc.GetTally(ctx, f.worker, f.roundID, false)
		if err != nil {
			b.Fatal(err)
		}
		if len(tally.ByBuilding) != 834 {
			b.Fatalf("%d buildings", len(tally.ByBuilding))
		}
	}
}
