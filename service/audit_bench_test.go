package service

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"minyi/model/testdb"
)

// BenchmarkAuditOverheadMySQL measures what the audit ledger costs the
// hottest write on a machine whose load drifts: it alternates one-second
// slices of two writers at 64 clients — sign-offs through the service with
// their audit events and a bare single-row upsert transaction — and reports
// the median throughput of each and the median ratio of neighbouring
// slices. (The audit events' own share of a sign-off is in the database's
// statements: see docs/benchmarks.md.)
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench AuditOverheadMySQL -benchtime 1x ./service/
func BenchmarkAuditOverheadMySQL(b *testing.B) {
	const households, clients, slices = 2000, 64, 7
	db := testdb.OpenMySQL(b)
	f := newFixture(b, db, households, 10, "")
	ctx := context.Background()
	var next atomic.Int64
	signOff := func() error {
		i := int(next.Add(1))
		_, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[i%households],
			SignOffInput{Decision: decisions[i%3], Channel: ChannelPaper, SignerName: fmt.Sprint(i)})
		return err
	}
	bare := func() error {
		i := int(next.Add(1))
		return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO sign_offs (id, round_id, household_id, building, decision, channel, signer_name,
				evidence_url, comment, version, actor_kind, actor_id, recorded_at) VALUES (?, ?, ?, '1', ?, 'paper', ?, '', '', 1, 'user', 'bench', ?)
				ON DUPLICATE KEY UPDATE decision = VALUES(decision), signer_name = VALUES(signer_name)`,
				newID(), f.roundID, f.households[i%households], decisions[i%3], fmt.Sprint(i), time.Now()).Error
		})
	}
	slice := func(op func() error) float64 {
		var done atomic.Int64
		var wg sync.WaitGroup
		deadline := time.Now().Add(time.Second)
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(done.Load()) / time.Since(start).Seconds()
	}
	var audited, bareRate, ratioAudited []float64
	for i := 0; i < slices; i++ {
		a := slice(signOff)
		r := slice(bare)
		audited, bareRate = append(audited, a), append(bareRate, r)
		ratioAudited = append(ratioAudited, a/r)
	}
	b.ReportMetric(median(audited), "audited/s")
	b.ReportMetric(median(bareRate), "bare/s")
	b.ReportMetric(median(ratioAudited), "ratio_audited")
	if _, err := f.svc.VerifyAudit(ctx, ""); err != nil {
		b.Fatal(err)
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
