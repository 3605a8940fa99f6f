package console

import (
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
