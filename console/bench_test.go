package console_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"minyi/model/testdb"
	"minyi/service"
)

// BenchmarkConsolePages serves the console's heaviest pages for a
// 2,000-household estate (four buildings of 500, half of them signed) and
// reports the 99th percentile of the server's time per page.
func BenchmarkConsolePages(b *testing.B) {
	s := newSite(b, testdb.OpenSQLite(b))
	ctx, system := context.Background(), service.SystemActor()
	name, code := "基准小区", "bench-estate"
	estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
	if err != nil {
		b.Fatal(err)
	}
	var items []service.HouseholdFields
	for building := 1; building <= 4; building++ {
		for unit := 1; unit <= 5; unit++ {
			for room := 1; room <= 100; room++ {
				bd, u, r := fmt.Sprint(building), fmt.Sprint(unit), fmt.Sprintf("%d%02d", (room-1)/4+1, (room-1)%4+1)
				area, owner, phone := int64(6000+room*13), fmt.Sprintf("业主%d", room), fmt.Sprintf("139%08d", building*10000+unit*1000+room)
				items = append(items, service.HouseholdFields{Building: &bd, Unit: &u, Room: &r, AreaHundredths: &area, OwnerName: &owner, Phone: &phone})
			}
		}
	}
	households, err := s.svc.CreateHouseholds(ctx, system, estate.ID, items)
	if err != nil {
		b.Fatal(err)
	}
	title, kind := "基准轮次", service.KindWillingness
	round, err := s.svc.CreateRound(ctx, system, estate.ID, service.RoundFields{Title: &title, Kind: &kind})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.svc.OpenRound(ctx, system, round.ID, false); err != nil {
		b.Fatal(err)
	}
	worker := system
	worker.Channel = service.ChannelPaper
	for i, h := range households {
		if i%2 == 0 {
			if _, err := s.svc.RecordSignOff(ctx, worker, round.ID, h.ID, service.SignOffInput{Decision: service.DecisionAgree, Channel: service.ChannelPaper, SignerName: h.OwnerName}); err != nil {
				b.Fatal(err)
			}
		}
	}
	client := s.client()
	client.login(adminName, adminPassword)
	for _, p := range []struct{ name, path string }{
		{"round", "/console/rounds/" + round.ID},
		{"grid-500", "/console/rounds/" + round.ID + "/rooms?building=1"},
		{"find", "/console/rounds/" + round.ID + "/find?q=" + "1-1-101"},
		{"register-2000", "/console/rounds/" + round.ID + "/register"},
		{"estate", "/console/estates/" + estate.ID},
	} {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				res := client.get(p.path)
				took = append(took, time.Since(start))
				if res.status != http.StatusOK && res.status != http.StatusSeeOther {
					b.Fatalf("%s: %d", p.path, res.status)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
