package service

import (
	"context"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

func TestPublicBuildings(t *testing.T) {
	b := func(name string, electorate int64) BuildingTally {
		return BuildingTally{Building: name, Electorate: electorate, Participated: electorate / 2, Agree: electorate / 3}
	}
	names := func(shown []NoticeBuildingFigures) []string {
		var out []string
		for _, s := range shown {
			out = append(out, s.Building)
		}
		return out
	}
	tests := []struct {
		name        string
		buildings   []BuildingTally
		wantShown   []string
		wantGrouped int   // buildings merged (0: no group)
		wantGroupE  int64 // electorate of the merged group
	}{
		{"all large enough are shown", []BuildingTally{b("1", 5), b("2", 40), b("10", 6)}, []string{"1", "2", "10"}, 0, 0},
		{"small ones together reach 5 and hide alone", []BuildingTally{b("1", 3), b("2", 2), b("3", 30)}, []string{"3"}, 2, 5},
		{"a lone small building takes the smallest large one with it", []BuildingTally{b("1", 3), b("2", 30), b("3", 8)}, []string{"2"}, 2, 11},
		{"two buildings, one small: nothing per building", []BuildingTally{b("1", 4), b("2", 100)}, nil, 2, 104},
		{"only small buildings", []BuildingTally{b("1", 1), b("2", 2)}, nil, 2, 3},
		{"a building of 4 is never alone", []BuildingTally{b("1", 4)}, nil, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown, group := publicBuildings(tt.buildings)
			if got := names(shown); len(got) != len(tt.wantShown) || (len(got) > 0 && !equalStrings(got, tt.wantShown)) {
				t.Fatalf("shown %v, want %v", got, tt.wantShown)
			}
			for _, s := range shown {
				if s.Electorate < MinPublicBuildingHouseholds {
					t.Fatalf("building %s with %d households is shown", s.Building, s.Electorate)
				}
			}
			switch {
			case tt.wantGrouped == 0 && group != nil:
				t.Fatalf("unexpected group %+v", group)
			case tt.wantGrouped > 0 && (group == nil || group.Buildings != tt.wantGrouped || group.Electorate != tt.wantGroupE):
				t.Fatalf("group %+v, want %d buildings with %d households", group, tt.wantGrouped, tt.wantGroupE)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPercentToBasisPoints(t *testing.T) {
	for text, want := range map[string]int64{"71.43%": 7143, "0.00%": 0, "100.00%": 10000, "80%": 8000, "5.5%": 550, "junk": 0} {
		if got := percentToBasisPoints(text); got != want {
			t.Errorf("percentToBasisPoints(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestNoticeBoardRounds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		system := SystemActor()
		f := newFixture(t, db, 10, 2, "")
		for i := 0; i < 9; i++ {
			f.sign(t, i, DecisionAgree)
		}
		if _, err := f.svc.CloseRound(ctx, system, f.roundID); err != nil {
			t.Fatal(err)
		}
		title, kind := "第二轮征询（草稿）", KindPlan
		if _, err := f.svc.CreateRound(ctx, system, f.estateID, RoundFields{Title: &title, Kind: &kind}); err != nil {
			t.Fatal(err)
		}
		title2 := "第二轮征询"
		open, err := f.svc.CreateRound(ctx, system, f.estateID, RoundFields{Title: &title2, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.OpenRound(ctx, system, open.ID, true); err != nil {
			t.Fatal(err)
		}
		estate, _ := f.svc.GetEstate(ctx, system, f.estateID)
		board, err := f.svc.GetNoticeBoard(ctx, estate.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(board.Rounds) != 2 {
			t.Fatalf("%d rounds on the board, want the closed and the open one (not the draft)", len(board.Rounds))
		}
		closed, current := board.Rounds[0], board.Rounds[1]
		if closed.Status != RoundClosed || !closed.Passed || closed.Shortfall != nil || closed.Agree.Households != 9 {
			t.Fatalf("closed round: %+v", closed)
		}
		if closed.RuleDescription != "入户征询率≥80%，签字同意率≥80%" {
			t.Fatalf("rule in words: %q", closed.RuleDescription)
		}
		if len(closed.Checks) != 2 || closed.Checks[0].RequiredBasisPoints != 8000 || closed.Checks[0].ActualBasisPoints != 9000 {
			t.Fatalf("checks: %+v", closed.Checks)
		}
		if current.Status != RoundOpen || current.Shortfall == nil || current.Shortfall.AgreeHouseholdsNeeded != 8 {
			t.Fatalf("open round: %+v (shortfall %+v)", current, current.Shortfall)
		}
		if len(current.Buildings) != 2 || current.OtherBuildings != nil {
			t.Fatalf("two buildings of 5 should both be shown: %+v %+v", current.Buildings, current.OtherBuildings)
		}
		if len(board.Timeline) != 3 {
			t.Fatalf("timeline: %+v", board.Timeline)
		}
	})
}
