package api

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"minyi/service"
	"minyi/service/rule"
)

// manyBuildingsTally is a tally of an open round in n buildings.
func manyBuildingsTally(n int) *service.Tally {
	t := &service.Tally{RoundID: "01a22f78-e03b-74dd-8eab-108d9b91167e", Status: "open",
		Rule: rule.Spec{Preset: rule.PresetTwo80}, ComputedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC),
		Decisions: map[string]rule.Amount{"agree": {Households: 67, AreaHundredths: 670000}, "disagree": {}, "abstain": {}},
		Checks:    []rule.CheckResult{{Name: "participation_households", Required: "80%", Actual: "0.20%", ActualFraction: "200/100000"}},
		Shortfall: rule.Shortfall{AgreeHouseholdsNeeded: 66000, Possible: true}}
	for i := range n {
		t.ByBuilding = append(t.ByBuilding, service.BuildingTally{Building: fmt.Sprint(i + 1), Electorate: 120,
			Participated: int64(i % 3), Agree: int64(i % 2), Disagree: int64(i % 3 / 2)})
	}
	return t
}

// BenchmarkTallyEncoding measures the tally's JSON for a round in 834 buildings.
//
//	go test -run XXX -bench BenchmarkTallyEncoding ./api/
func BenchmarkTallyEncoding(b *testing.B) {
	tally := manyBuildingsTally(834)
	for b.Loop() {
		if _, err := encodeTally(toTally(tally)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTallyEncodingReflection is the same through json.Marshal alone.
func BenchmarkTallyEncodingReflection(b *testing.B) {
	tally := manyBuildingsTally(834)
	for b.Loop() {
		if _, err := json.Marshal(toTally(tally)); err != nil {
			b.Fatal(err)
		}
	}
}
