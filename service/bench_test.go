package service

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minyi/model"
	"minyi/model/testdb"
)

// BenchmarkTally reads the tally of an open two-80 round whose households
// have mostly signed; the cost must not grow with the number of households.
//
//	go test -run XXX -bench BenchmarkTally ./service/
func BenchmarkTally(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("sqlite/households=%d", n), func(b *testing.B) {
			benchTally(b, testdb.OpenSQLite(b), n)
		})
		b.Run(fmt.Sprintf("mysql/households=%d", n), func(b *testing.B) {
			benchTally(b, testdb.OpenMySQL(b), n)
		})
	}
}

func benchTally(b *testing.B, db *model.DB, n int) {
	f := newFixture(b, db, n, 20, "")
	// Sign 90% directly in bulk through the service would take long for
	// 100,000; sign a sample and the result's cost is the same: the tally
	// reads counter rows, one per building and decision.
	for i := 0; i < 500 && i < n; i++ {
		f.sign(b, i, decisions[i%3])
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.svc.GetTally(ctx, f.worker, f.roundID, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignOffMySQL compares sign-off writes through the service with a
// bare single-row INSERT … ON DUPLICATE KEY UPDATE transaction through the
// same driver, at 64 concurrent clients (b.SetParallelism over GOMAXPROCS).
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench SignOffMySQL -benchtime 5s ./service/
func BenchmarkSignOffMySQL(b *testing.B) {
	const households = 2000
	b.Run("service", func(b *testing.B) {
		db := testdb.OpenMySQL(b)
		f := newFixture(b, db, households, 10, "")
		ctx := context.Background()
		var next atomic.Int64
		setClients(b, 64)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[i%households],
					SignOffInput{Decision: decisions[i%3], Channel: ChannelPaper, SignerName: fmt.Sprint(i)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("bare_upsert", func(b *testing.B) {
		db := testdb.OpenMySQL(b)
		f := newFixture(b, db, households, 10, "")
		ctx := context.Background()
		var next atomic.Int64
		setClients(b, 64)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				row := model.SignOff{ID: newID(), RoundID: f.roundID, HouseholdID: f.households[i%households], Building: "1",
					Decision: decisions[i%3], Channel: ChannelPaper, SignerName: fmt.Sprint(i), Version: 1,
					ActorKind: ActorUser, ActorID: "bench"}
				err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "round_id"}, {Name: "household_id"}},
						DoUpdates: clause.AssignmentColumns([]string{"decision", "signer_name"})}).Create(&row).Error
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// setClients makes RunParallel use the given number of goroutines.
func setClients(b *testing.B, clients int) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((clients + procs - 1) / procs)
}
