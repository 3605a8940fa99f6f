package console_test

import (
	"context"

	"fmt"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
	estateID, roundID := seedBenchEstate(b, s)
	round := struct{ ID string }{roundID}
	estate := struct{ ID string }{estateID}
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

// seedBenchEstate creates a 2,000-household estate (four buildings of 500 in
// five units) with an open round in which half the households agreed.
func seedBenchEstate(b testing.TB, s *site) (estateID, roundID string) {
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
	return estate.ID, round.ID
}

// BenchmarkGridInBrowser loads the room grid of a 500-household building in
// headless Chromium with the CPU slowed down four times (as on a cheap
// phone) and reports the time from the start of the navigation to the end
// of the load event, as the page measured it.
func BenchmarkGridInBrowser(b *testing.B) {
	s := newSite(b, testdb.OpenSQLite(b))
	_, roundID := seedBenchEstate(b, s)
	browser := startBrowser(b)
	tb := newTab(b, browser, s.url, 375, 812, true)
	tb.open("/console/login")
	tb.fill("#username", adminName)
	tb.fill("#password", adminPassword)
	tb.submit(`button[type=submit]`)
	tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
		return err
	}))
	var took []float64
	for b.Loop() {
		tb.open("/console/rounds/" + roundID + "/rooms?building=1")
		took = append(took, run(tb, chromedp.Evaluate[float64](`performance.getEntriesByType("navigation")[0].loadEventEnd`)))
	}
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "median-load-ms")
	b.ReportMetric(took[len(took)-1], "max-load-ms")
	cells := run(tb, chromedp.Evaluate[int](`document.querySelectorAll("a.cell").length`))
	if cells != 500 {
		b.Fatalf("the grid shows %d cells, want 500", cells)
	}
}
