package console

import (
	"fmt"
	"testing"
)

func TestPaginateKeepsRoomForTheSignatureBlock(t *testing.T) {
	rows := func(n int) [][]string {
		out := make([][]string, n)
		for i := range out {
			out[i] = []string{fmt.Sprint(i)}
		}
		return out
	}
	for _, tc := range []struct {
		rows      int
		wantPages []int // rows per page; the last page carries the signature block
	}{
		{0, []int{0}},
		{12, []int{12}},
		{13, []int{13, 0}},
		{18, []int{18, 0}},
		{19, []int{18, 1}},
		{30, []int{18, 12}},
		{31, []int{18, 13, 0}},
		{2000, nil},
	} {
		pages := paginate(rows(tc.rows), 18, 12)
		total := 0
		for i, p := range pages {
			total += len(p.Rows)
			if p.Number != i+1 || p.Of != len(pages) || p.Last != (i == len(pages)-1) {
				t.Errorf("%d rows: page %d is numbered %d of %d (last %v)", tc.rows, i, p.Number, p.Of, p.Last)
			}
			if len(p.Rows) > 18 || p.Last && len(p.Rows) > 12 {
				t.Errorf("%d rows: page %d holds %d rows", tc.rows, i+1, len(p.Rows))
			}
			if tc.wantPages != nil && (len(pages) != len(tc.wantPages) || len(p.Rows) != tc.wantPages[i]) {
				t.Errorf("%d rows: pages hold %v, want %v", tc.rows, pageSizes(pages), tc.wantPages)
				break
			}
		}
		if total != tc.rows {
			t.Errorf("%d rows: the pages hold %d", tc.rows, total)
		}
	}
}

func pageSizes(pages []registerPage) []int {
	var sizes []int
	for _, p := range pages {
		sizes = append(sizes, len(p.Rows))
	}
	return sizes
}

func TestRuleExampleComesFromTheRuleEngine(t *testing.T) {
	for _, tc := range []struct {
		preset string
		n      int64
		want   string
	}{
		{"two-80", 120, "120 户中需至少 96 户表态、其中至少 77 户同意"},
		{"two-80", 24, "24 户中需至少 20 户表态、其中至少 16 户同意"},
		{"civil-code-major", 24, "24 户中需至少 16 户表态、其中至少 12 户同意（面积条件按每户面积相同估算）"},
		{"civil-code-ordinary", 24, "24 户中需至少 16 户表态、其中至少 9 户同意（面积条件按每户面积相同估算）"},
		{"no-such-preset", 24, ""},
	} {
		if got := ruleExample(tc.preset, tc.n); got != tc.want {
			t.Errorf("ruleExample(%s, %d) = %q, want %q", tc.preset, tc.n, got, tc.want)
		}
	}
}
