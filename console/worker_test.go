package console

import (
	"strings"
	"testing"

	"minyi/service"
)

func TestMatchRoomsReadsAddressesAndNames(t *testing.T) {
	rooms := []service.RoomState{
		{HouseholdID: "a", Building: "3", Unit: "2", Room: "502", OwnerName: "王建国"},
		{HouseholdID: "b", Building: "3", Unit: "2", Room: "501", OwnerName: "李秀英"},
		{HouseholdID: "c", Building: "12", Unit: "1", Room: "502", OwnerName: "王海燕"},
	}
	for query, want := range map[string]string{
		"3-2-502": "a", "3栋2单元502": "a", "3号楼2单元502室": "a", "3幢2单元502": "a", " 3 - 2 - 502 ": "a",
		"12-1-502": "c", "李秀英": "b", "秀英": "b", "王": "ac", "3-2-503": "", "": "", "4-2-502": "",
	} {
		got := ""
		for _, r := range matchRooms(rooms, query) {
			got += r.HouseholdID
		}
		if got != want {
			t.Errorf("matchRooms(%q) = %q, want %q", query, got, want)
		}
	}
}

func TestGridEscapesEveryValue(t *testing.T) {
	got := string(gridHTML(`r"1`, []service.RoomState{{HouseholdID: "h<1>", Building: "1", Unit: "2", Room: `3"&`,
		OwnerName: `<script>alert(1)</script>`, State: service.DecisionAgree, OpenObjection: true}}))
	for _, bad := range []string{"<script>", `r"1`, `h<1>`, `3"&`} {
		if strings.Contains(got, bad) {
			t.Errorf("the grid writes %q unescaped:\n%s", bad, got)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "s-agree objection", "✔!", "同意，有未答复的异议"} {
		if !strings.Contains(got, want) {
			t.Errorf("the grid lacks %q:\n%s", want, got)
		}
	}
}
