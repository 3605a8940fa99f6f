package service

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/model"
)

// pinnedClock is a clock the test sets.
type pinnedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *pinnedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *pinnedClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// unitLayout is one building unit of a test roster: rooms 101, 102, ...
type unitLayout struct {
	Building, Unit string
	Households     int
}

// workersRound is an estate laid out by building and unit, with an open
// two-80 round, a real worker assigned to the estate and a pinned clock
// (the round opens at Opened, and the clock then stands one day later).
type workersRound struct {
	svc      *Service
	clock    *pinnedClock
	estateID string
	roundID  string
	ids      map[string]string // "building-unit-room" → household id
	opened   time.Time
	worker   Actor
}

func newWorkersRound(tb testing.TB, db *model.DB, layout []unitLayout) *workersRound {
	tb.Helper()
	ctx := context.Background()
	opened := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	clock := &pinnedClock{now: opened}
	svc := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
	system := SystemActor()
	w := &workersRound{svc: svc, clock: clock, opened: opened, ids: map[string]string{}}
	w.estateID = newEmptyEstate(tb, svc)
	var items []HouseholdFields
	for _, u := range layout {
		for i := 1; i <= u.Households; i++ {
			b, unit, room := u.Building, u.Unit, fmt.Sprint(100+i)
			area := int64(6000 + 100*i)
			owner := "业主" + b + unit + room
			items = append(items, HouseholdFields{Building: &b, Unit: &unit, Room: &room, AreaHundredths: &area, OwnerName: &owner})
		}
	}
	created, err := svc.CreateHouseholds(ctx, system, w.estateID, items)
	if err != nil {
		tb.Fatal(err)
	}
	for _, h := range created {
		w.ids[h.Building+"-"+h.Unit+"-"+h.Room] = h.ID
	}
	title, kind := "加装电梯意愿征询", KindWillingness
	round, err := svc.CreateRound(ctx, system, w.estateID, RoundFields{Title: &title, Kind: &kind})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := svc.OpenRound(ctx, system, round.ID, false); err != nil {
		tb.Fatal(err)
	}
	w.roundID = round.ID
	user, err := svc.CreateUser(ctx, system, NewUser{Username: "gridworker", Password: "password-1234", DisplayName: "网格员", Role: RoleWorker})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.AssignStaff(ctx, system, w.estateID, user.ID, RoleWorker); err != nil {
		tb.Fatal(err)
	}
	w.worker = Actor{Kind: ActorUser, ID: user.ID, Role: RoleWorker, Channel: ChannelAPI, RequestID: "req-1"}
	clock.set(opened.Add(24 * time.Hour))
	return w
}

// at is a device time: minutes after the round opened.
func (w *workersRound) at(minutes int) time.Time {
	return w.opened.Add(time.Duration(minutes) * time.Minute)
}

// signOffRecord is a paper sign-off made offline.
func (w *workersRound) signOffRecord(address, decision string, minutes int) SyncRecordInput {
	return SyncRecordInput{ClientID: uuid.NewString(), Type: SyncSignOff, HouseholdID: w.ids[address], RecordedAt: w.at(minutes),
		SignOff: SignOffInput{Decision: decision, Channel: ChannelPaper, SignerName: "签字人"}}
}

// visitRecord is a visit made offline.
func (w *workersRound) visitRecord(address, outcome string, minutes int) SyncRecordInput {
	return SyncRecordInput{ClientID: uuid.NewString(), Type: SyncVisit, HouseholdID: w.ids[address], RecordedAt: w.at(minutes),
		Visit: VisitInput{Outcome: outcome, Note: "上门"}}
}

// sync sends records and fails the test on a batch-level error.
func (w *workersRound) sync(tb testing.TB, records ...SyncRecordInput) *SyncReport {
	tb.Helper()
	report, err := w.svc.SyncRecords(context.Background(), w.worker, w.roundID, records)
	if err != nil {
		tb.Fatal(err)
	}
	return report
}

// tally reads the tally with a recount that must match the counters.
func (w *workersRound) tally(tb testing.TB) *Tally {
	tb.Helper()
	t, err := w.svc.GetTally(context.Background(), SystemActor(), w.roundID, true)
	if err != nil {
		tb.Fatal(err)
	}
	if !t.Recount.Matches {
		tb.Fatalf("counters disagree with the sign-off rows: %+v", t.Recount.Differences)
	}
	return t
}
