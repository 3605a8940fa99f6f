package service

import (
	"context"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// snapshotFixture is a fixture whose service runs on a clock the test moves.
type snapshotFixture struct {
	*fixture
	clock *pinnedClock
	code  string
}

func newSnapshotFixture(t *testing.T, db *model.DB, households, buildings int) *snapshotFixture {
	t.Helper()
	f := newFixture(t, db, households, buildings, "")
	var round model.Round
	if err := db.Gorm.Where("id = ?", f.roundID).Take(&round).Error; err != nil || round.OpenedAt == nil {
		t.Fatalf("round: %v", err)
	}
	// Real clocks move on between an opening and the first sign-off.
	clock := &pinnedClock{now: round.OpenedAt.UTC().Add(time.Second)}
	f.svc.clock = clock
	estate, err := f.svc.GetEstate(context.Background(), SystemActor(), f.estateID)
	if err != nil {
		t.Fatal(err)
	}
	return &snapshotFixture{fixture: f, clock: clock, code: estate.Code}
}

func (f *snapshotFixture) advance(d time.Duration) { f.clock.set(f.clock.Now().Add(d)) }

func (f *snapshotFixture) version(t *testing.T) string {
	t.Helper()
	v, err := f.svc.NoticeVersion(context.Background(), f.code)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// round is the board's first round as the public sees it, after asking for the version (as the HTTP layer does).
func (f *snapshotFixture) round(t *testing.T) NoticeRound {
	t.Helper()
	f.version(t)
	board, err := f.svc.GetNoticeBoard(context.Background(), f.code)
	if err != nil {
		t.Fatal(err)
	}
	if len(board.Rounds) != 1 {
		t.Fatalf("%d rounds on the board, want 1", len(board.Rounds))
	}
	return board.Rounds[0]
}

// TestNoticeSnapshotsBatchDisclosure fails on the code before snapshots,
// where every sign-off moved the public figures and the board's version.
func TestNoticeSnapshotsBatchDisclosure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		f := newSnapshotFixture(t, db, 12, 2)
		opening := f.round(t)
		if opening.Participated.Households != 0 || opening.OpenedAt == nil || !opening.AsOf.Equal(*opening.OpenedAt) {
			t.Fatalf("opening snapshot: participated %d, as of %v, opened %v", opening.Participated.Households, opening.AsOf, opening.OpenedAt)
		}
		v0 := f.version(t)

		for i := 0; i < 5; i++ {
			f.sign(t, i, DecisionAgree)
			if got := f.round(t); got.Participated.Households != 0 || f.version(t) != v0 {
				t.Fatalf("after %d sign-offs within 15 minutes the board moved: participated %d", i+1, got.Participated.Households)
			}
		}
		f.clock.set(opening.AsOf.Add(NoticeBatchInterval - time.Millisecond))
		if f.version(t) != v0 {
			t.Fatal("a snapshot was taken before 15 minutes had passed")
		}
		f.clock.set(opening.AsOf.Add(NoticeBatchInterval))
		taken := f.clock.Now()
		first := f.round(t)
		if first.Participated.Households != 5 || first.Agree.Households != 5 || !first.AsOf.Equal(taken) || f.version(t) == v0 {
			t.Fatalf("after 5 households and 15 minutes: participated %d agree %d as of %v (want %v)",
				first.Participated.Households, first.Agree.Households, first.AsOf, taken)
		}
		if !first.BuildingSplitHidden || first.Buildings[0].Agree != 0 || first.Buildings[0].Participated == 0 {
			t.Fatalf("open round's buildings must show participation without a split: %+v", first.Buildings)
		}
		v1 := f.version(t)
		f.advance(time.Second)

		// Five households touched, three changed: a change and its reversal
		// cancel out, a new signer name is no change of decision.
		f.sign(t, 0, DecisionDisagree)
		f.sign(t, 0, DecisionAgree)
		if _, err := f.svc.RecordSignOff(ctx, f.worker, f.roundID, f.households[1],
			SignOffInput{Decision: DecisionAgree, Channel: ChannelPaper, SignerName: "户主之子"}); err != nil {
			t.Fatal(err)
		}
		for i := 5; i < 8; i++ {
			f.sign(t, i, DecisionDisagree)
		}
		f.advance(time.Hour)
		if got := f.round(t); got.Participated.Households != 5 || f.version(t) != v1 {
			t.Fatalf("a snapshot covering 3 changed households was published: participated %d", got.Participated.Households)
		}
		if err := f.svc.WithdrawSignOff(ctx, f.worker, f.roundID, f.households[2]); err != nil {
			t.Fatal(err)
		}
		f.sign(t, 8, DecisionAbstain)
		second := f.round(t)
		if second.Participated.Households != 8-1+1 || second.Disagree.Households != 3 || second.Abstain.Households != 1 {
			t.Fatalf("after 5 changed households: %+v", second)
		}
		f.sign(t, 9, DecisionAgree)
		if _, err := f.svc.CloseRound(ctx, SystemActor(), f.roundID); err != nil {
			t.Fatal(err)
		}
		final := f.round(t)
		if final.Status != RoundClosed || final.Participated.Households != 9 || final.Agree.Households != 5 ||
			final.ClosedAt == nil || !final.AsOf.Equal(*final.ClosedAt) || final.BuildingSplitHidden || final.Buildings[0].Agree == 0 {
			t.Fatalf("the final result must be public at once: %+v", final)
		}
	})
}

// TestNoticeSmallRoundShowsNoSplitWhileOpen fails on the code before the
// small-group rule, where a round of 4 showed its split.
func TestNoticeSmallRoundShowsNoSplitWhileOpen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newSnapshotFixture(t, db, 4, 1)
		for i := 0; i < 4; i++ {
			f.sign(t, i, DecisionAgree)
		}
		f.sign(t, 0, DecisionDisagree)
		f.advance(24 * time.Hour)
		open := f.round(t)
		if !open.SplitHidden || open.Agree.Households != 0 || open.Disagree.Households != 0 || open.Passed || open.Shortfall != nil {
			t.Fatalf("an open round of 4 shows a split: %+v", open)
		}
		for _, c := range open.Checks {
			if c.Actual != "" || c.ActualBasisPoints != 0 {
				t.Fatalf("an open round of 4 shows a check's share: %+v", c)
			}
		}
		if open.OtherBuildings == nil || open.OtherBuildings.Agree != 0 || open.OtherBuildings.Disagree != 0 {
			t.Fatalf("merged buildings of an open round of 4: %+v", open.OtherBuildings)
		}
		if _, err := f.svc.CloseRound(context.Background(), SystemActor(), f.roundID); err != nil {
			t.Fatal(err)
		}
		closed := f.round(t)
		if closed.SplitHidden || closed.Agree.Households != 3 || closed.Disagree.Households != 1 {
			t.Fatalf("the closed round's result: %+v", closed)
		}
	})
}
