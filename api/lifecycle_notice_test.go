package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestNoticeBoardShowsStagesAndSite: the public board (JSON and page) shows
// the stage timeline and, once an admin sets it, the site information; a
// stage move or a site update changes a board already served (the cache
// follows the estate's change).
func TestNoticeBoardShowsStagesAndSite(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv, base := w.srv, "/api/v1/estates/"+w.estateID
		var board noticeJSON
		first := srv.must(http.StatusOK, "GET", "/api/v1/public/estates/hepingli", "", nil)
		first.decode(t, &board)
		if len(board.Stages) != 11 || board.Stages[0].Status != "pending" || board.Site != nil {
			t.Fatalf("before: stages %+v, site %+v", board.Stages, board.Site)
		}
		srv.must(http.StatusOK, "PATCH", base+"/stages/survey", w.admin, map[string]string{"status": "done", "note": "入户摸底 312 户"})
		srv.must(http.StatusOK, "PUT", base+"/site", w.admin, map[string]any{"builder": "某建设公司", "supervising_unit": "某监理公司",
			"starts_on": "2027-03-01", "ends_on": "2027-09-30", "budget_fen": 358000000, "contact_phone": "0715-8123456"})
		awaitNewETag(t, srv, "/api/v1/public/estates/hepingli", first.Header.Get("ETag")).decode(t, &board)
		if board.Stages[0].Status != "done" || board.Stages[0].FinishedAt == nil || board.Stages[0].Note != "入户摸底 312 户" {
			t.Errorf("survey on the board = %+v", board.Stages[0])
		}
		if board.Site == nil || board.Site.Builder != "某建设公司" || board.Site.BudgetFen != 358000000 {
			t.Errorf("site on the board = %+v", board.Site)
		}
		page := string(srv.must(http.StatusOK, "GET", "/notice/hepingli", "", nil).Body)
		for _, want := range []string{"改造进度", "摸底调查", "已完成", "入户摸底 312 户", "施工单位：某建设公司",
			"工期：2027-03-01 至 2027-09-30", "投资预算：3,580,000.00 元", "现场联系电话：0715-8123456"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if strings.Contains(page, "设计单位：") {
			t.Error("the page shows an empty designer unit")
		}
	})
}

// TestYuanText writes fen as yuan with separators.
func TestYuanText(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00 元", 5: "0.05 元", 123456: "1,234.56 元", 358000000: "3,580,000.00 元", 100000: "1,000.00 元"} {
		if got := yuanText(fen); got != want {
			t.Errorf("yuanText(%d) = %q, want %q", fen, got, want)
		}
	}
}
