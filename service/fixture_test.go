package service

import (
	"context"
	"fmt"
	"testing"

	"minyi/model"
	"minyi/service/rule"
)

// fixture is an estate with a roster and an open round, for service tests.
type fixture struct {
	svc        *Service
	estateID   string
	roundID    string
	households []string
	worker     Actor
}

func newService(db *model.DB) *Service {
	return New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, nil)
}

// newFixture creates an estate of n households in `buildings` buildings
// (areas 50.00 + i m²) and opens a round with the given rule (nil: two-80).
func newFixture(tb testing.TB, db *model.DB, n, buildings int, preset string) *fixture {
	tb.Helper()
	ctx := context.Background()
	svc := newService(db)
	system := SystemActor()
	name := "测试小区"
	estate, err := svc.CreateEstate(ctx, system, EstateFields{Name: &name})
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{svc: svc, estateID: estate.ID}
	for start := 0; start < n; start += MaxHouseholdsPerRequest {
		var items []HouseholdFields
		for i := start; i < n && i < start+MaxHouseholdsPerRequest; i++ {
			b, u, r := fmt.Sprint(i%buildings+1), "1", fmt.Sprint(i)
			area := int64(5000 + i%7000)
			items = append(items, HouseholdFields{Building: &b, Unit: &u, Room: &r, AreaHundredths: &area})
		}
		created, err := svc.CreateHouseholds(ctx, system, estate.ID, items)
		if err != nil {
			tb.Fatal(err)
		}
		for _, h := range created {
			f.households = append(f.households, h.ID)
		}
	}
	title, kind := "第一轮征询", KindWillingness
	fields := RoundFields{Title: &title, Kind: &kind}
	if preset != "" {
		fields.Rule = &rule.Spec{Preset: preset}
	}
	round, err := svc.CreateRound(ctx, system, estate.ID, fields)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.OpenRound(ctx, system, round.ID, false); err != nil {
		tb.Fatal(err)
	}
	f.roundID = round.ID
	worker, err := svc.CreateUser(ctx, system, NewUser{Username: "worker-" + estate.Code, Password: "worker-password", Role: RoleWorker})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.AssignStaff(ctx, system, estate.ID, worker.ID, RoleWorker); err != nil {
		tb.Fatal(err)
	}
	f.worker = Actor{Kind: ActorUser, ID: worker.ID, Role: RoleWorker, Channel: ChannelAPI}
	return f
}

// sign records a decision for household i.
func (f *fixture) sign(tb testing.TB, i int, decision string) {
	tb.Helper()
	_, err := f.svc.RecordSignOff(context.Background(), f.worker, f.roundID, f.households[i],
		SignOffInput{Decision: decision, Channel: ChannelPaper, SignerName: "户主"})
	if err != nil {
		tb.Fatalf("sign household %d: %v", i, err)
	}
}

// tally reads the tally with a recount and fails when the counters disagree with the rows.
func (f *fixture) tally(tb testing.TB) *Tally {
	tb.Helper()
	t, err := f.svc.GetTally(context.Background(), SystemActor(), f.roundID, true)
	if err != nil {
		tb.Fatal(err)
	}
	if !t.Recount.Matches {
		tb.Fatalf("counters disagree with the sign-off rows: %+v", t.Recount.Differences)
	}
	return t
}
