package service

import (
	"context"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// BenchmarkNoticeBoardBuild measures what the notice board costs the
// database: the version check the page makes at most once a second per
// estate, and the full build after a change, for a 2,000-household estate in
// 20 buildings with an open round that 500 households have signed.
//
//	go test -run XXX -bench BenchmarkNoticeBoardBuild ./service/
//
// (with MINYI_TEST_MYSQL_URL set for the MySQL lines).
func BenchmarkNoticeBoardBuild(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchNoticeBoardBuild(b, testdb.OpenSQLite(b)) })
	b.Run("mysql", func(b *testing.B) { benchNoticeBoardBuild(b, testdb.OpenMySQL(b)) })
}

func benchNoticeBoardBuild(b *testing.B, db *model.DB) {
	ctx := context.Background()
	f := newFixture(b, db, 2_000, 20, "")
	for i := 0; i < 500; i++ {
		f.sign(b, i, decisions[i%3])
	}
	estate, err := f.svc.GetEstate(ctx, SystemActor(), f.estateID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("version", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.svc.NoticeVersion(ctx, estate.Code); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.svc.GetNoticeBoard(ctx, estate.Code); err != nil {
				b.Fatal(err)
			}
		}
	})
}
