package service

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// BenchmarkMySignOff compares residents' online sign-offs (which first
// resolve the resident's household and re-check the binding inside the
// transaction) with staff sign-offs through the same path, at 64 concurrent
// clients on one round of 1,000 households each with its own resident.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench MySignOff -benchtime 5s ./service/
func BenchmarkMySignOff(b *testing.B) {
	for _, driver := range []string{"sqlite", "mysql"} {
		open := func(b *testing.B) *model.DB {
			if driver == "mysql" {
				return testdb.OpenMySQL(b)
			}
			return testdb.OpenSQLite(b)
		}
		b.Run(driver+"/online", func(b *testing.B) { benchSignOffs(b, open(b), true) })
		b.Run(driver+"/staff", func(b *testing.B) { benchSignOffs(b, open(b), false) })
	}
}

func benchSignOffs(b *testing.B, db *model.DB, online bool) {
	const households = 1000
	f := newFixture(b, db, households, 10, "")
	ctx := context.Background()
	residents := make([]Actor, households)
	if online {
		for i := range residents {
			tokens, err := f.svc.LoginResident(ctx, ResidentIdentity{OpenID: fmt.Sprintf("o-bench-%d", i)})
			if err != nil {
				b.Fatal(err)
			}
			residents[i] = Actor{Kind: ActorResident, ID: tokens.ResidentID, Role: RoleResident, Channel: ChannelOnline}
			code, err := f.svc.IssueBindingCode(ctx, f.worker, f.estateID, f.households[i])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.svc.RedeemBindingCode(ctx, residents[i], code.Code, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	var next atomic.Int64
	setClients(b, 64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			var err error
			if online {
				_, err = f.svc.RecordMySignOff(ctx, residents[i%households], f.roundID, MySignOffInput{Decision: decisions[i%3]})
			} else {
				_, err = f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[i%households],
					SignOffInput{Decision: decisions[i%3], Channel: ChannelPaper, SignerName: "户主"})
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signoffs/s")
	f.tally(b) // the counters must still match a recount
}
