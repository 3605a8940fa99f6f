package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"minyi/service"
)

// TestEncodeTallyMatchesEncodingJSON: the hand-written breakdown gives the same
// bytes as json.Marshal, for building names that need escaping, an empty and an
// absent breakdown, a recount and an impossible shortfall.
func TestEncodeTallyMatchesEncodingJSON(t *testing.T) {
	full := manyBuildingsTally(834)
	odd := manyBuildingsTally(0)
	for _, name := range []string{"1", "10号楼", `a"b`, `c\d`, "<x>", "a>b", "&", "\u2028行", "tab\tname", "\x01", "bad\xffutf8", "", "🏠"} {
		odd.ByBuilding = append(odd.ByBuilding, service.BuildingTally{Building: name, Electorate: 7, Participated: 3, Agree: 1, Disagree: 1, Abstain: 1})
	}
	withRecount := manyBuildingsTally(2)
	withRecount.Recount = &service.Recount{Matches: false, Differences: []service.CounterDifference{{Building: "by_building", Decision: "agree", CounterHouseholds: 2}}}
	changes := int64(3)
	impossible := manyBuildingsTally(1)
	impossible.Shortfall.Possible, impossible.ChangesNeeded = false, &changes
	for name, tally := range map[string]*service.Tally{"834 buildings": full, "names": odd, "none": manyBuildingsTally(0),
		"recount": withRecount, "impossible": impossible} {
		resp := toTally(tally)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeTally(resp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
		resp.ByBuilding = nil
		want, _ = json.Marshal(resp)
		if got, err = encodeTally(resp); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s without a breakdown:\n got %s\nwant %s", name, got, want)
		}
	}
}
