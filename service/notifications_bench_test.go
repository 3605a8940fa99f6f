package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// BenchmarkOpenRoundNotifying measures opening a round of 1,000 households
// whose residents all accepted round_opened: with notifications off, and
// with the 1,000 outbox rows written in the opening transaction.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench OpenRoundNotifying ./service/
func BenchmarkOpenRoundNotifying(b *testing.B) {
	for _, driver := range []string{"sqlite", "mysql"} {
		for _, notifying := range []bool{false, true} {
			name := fmt.Sprintf("%s/notifying=%v", driver, notifying)
			b.Run(name, func(b *testing.B) {
				db := testdb.OpenSQLite(b)
				if driver == "mysql" {
					db = testdb.OpenMySQL(b)
				}
				benchOpenRound(b, db, notifying)
			})
		}
	}
}

func benchOpenRound(b *testing.B, db *model.DB, notifying bool) {
	const households = 1000
	f := newFixture(b, db, households, 10, "")
	ctx := context.Background()
	now := time.Now().UTC()
	var bindings []model.ResidentBinding
	var residents []model.Resident
	var subscriptions []model.ResidentSubscription
	for i, h := range f.households {
		id := newID()
		residents = append(residents, model.Resident{ID: id, OpenID: fmt.Sprintf("o-bench-%d", i), CreatedAt: now, UpdatedAt: now})
		bindings = append(bindings, model.ResidentBinding{ID: newID(), ResidentID: id, HouseholdID: h, EstateID: f.estateID, Relation: RelationOwner, CreatedAt: now})
		subscriptions = append(subscriptions, model.ResidentSubscription{ResidentID: id, Kind: NotifyRoundOpened, Remaining: 1000, UpdatedAt: now})
	}
	for _, rows := range []any{residents, bindings, subscriptions} {
		if err := db.Gorm.CreateInBatches(rows, 200).Error; err != nil {
			b.Fatal(err)
		}
	}
	if notifying {
		f.svc.SetNotifier(NotifierConfig{Templates: map[string]string{NotifyRoundOpened: "tpl-open"}})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		title, kind := fmt.Sprintf("第%d轮", i+2), KindWillingness
		round, err := f.svc.CreateRound(ctx, SystemActor(), f.estateID, RoundFields{Title: &title, Kind: &kind})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := f.svc.OpenRound(ctx, SystemActor(), round.ID, false); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var queued int64
	db.Gorm.Model(&model.Notification{}).Count(&queued)
	if notifying && queued != int64(households*(b.N)) {
		b.Fatalf("%d messages queued, want %d", queued, households*b.N)
	}
}
