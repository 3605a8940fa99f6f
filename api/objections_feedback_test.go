package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/model/testdb"
)

// TestFeedbackDownloads reads the CSV and XLSX feedback back: the CSV starts
// with a UTF-8 byte order mark and has one row per item, the workbook's
// summary has the same counts as the JSON, designers never get the room
// column or phone numbers, workers do get the room, and a formula typed by a
// resident is not evaluated.
func TestFeedbackDownloads(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		admin := srv.adminToken()
		e := newObjectionEstate(t, srv, admin, "files")
		rev1 := e.revision(e.designer, "方案")
		round := e.planRound("第一轮", rev1.ID)
		srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round+"/open", e.admin, nil)
		a := e.object(round, "101", "drainage", "雨水管", "下雨天楼道积水")
		e.object(round, "201", "drainage", "雨水管", "=HYPERLINK(\"http://evil\")")
		e.object(round, "301", "safety", "", "消防通道被占")
		srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+round+"/signoffs/"+e.household["401"], e.worker, map[string]any{
			"decision": "disagree", "channel": "door", "signer_name": "业主4", "comment": "费用太高"})
		e.answer(a.ID, "not_adopted", "雨水管改造已列入市政计划", nil)

		csvResp := srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/feedback?format=csv&round_id="+round, e.designer, nil)
		if !bytes.HasPrefix(csvResp.Body, []byte("\xEF\xBB\xBF")) {
			t.Fatal("the CSV lacks the UTF-8 byte order mark")
		}
		if bytes.Contains(csvResp.Body, []byte("1381234")) {
			t.Fatal("the designer's CSV shows phone numbers")
		}
		rows, err := csv.NewReader(bytes.NewReader(csvResp.Body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || slices.Contains(rows[0], "房号") || rows[0][0] != "类别" {
			t.Fatalf("designer CSV: %d rows, header %v; want 4 items and no room column", len(rows), rows[0])
		}
		if rows[1][0] != "雨污排水" || rows[1][2] != "雨水管" || rows[1][6] != "未采纳" || rows[1][9] != "1" || rows[1][10] != "2" {
			t.Fatalf("first CSV row %v", rows[1])
		}
		if rows[2][4] != "'=HYPERLINK(\"http://evil\")" {
			t.Fatalf("a formula cell was not defused: %q", rows[2][4])
		}
		if rows[4][3] != "反对签字附言" || rows[4][4] != "费用太高" {
			t.Fatalf("the disagree comment row %v", rows[4])
		}

		workerCSV := srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/feedback?format=csv", e.worker, nil)
		workerRows, err := csv.NewReader(bytes.NewReader(workerCSV.Body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		room := slices.Index(workerRows[0], "房号")
		if room < 0 || workerRows[1][room] != "101" {
			t.Fatalf("the worker's CSV lacks rooms: header %v, row %v", workerRows[0], workerRows[1])
		}

		xlsxResp := srv.must(http.StatusOK, "GET", "/api/v1/estates/"+e.estateID+"/feedback?format=xlsx&round_id="+round, e.designer, nil)
		book, err := excelize.OpenReader(bytes.NewReader(xlsxResp.Body))
		if err != nil {
			t.Fatalf("the XLSX does not open: %v", err)
		}
		defer book.Close()
		summary, err := book.GetRows("汇总")
		if err != nil {
			t.Fatal(err)
		}
		// Header, drainage/雨水管, safety/(none), disagree comments, totals.
		if len(summary) != 5 {
			t.Fatalf("summary has %d rows: %v", len(summary), summary)
		}
		wantDrainage := []string{"雨污排水", "drainage", "雨水管", "2", "2", "0", "1", "1", "0", "0", "1", "0"}
		if !slices.Equal(summary[1], wantDrainage) {
			t.Fatalf("drainage summary %v, want %v", summary[1], wantDrainage)
		}
		if summary[4][0] != "合计" || summary[4][3] != "4" || summary[4][5] != "1" {
			t.Fatalf("totals row %v", summary[4])
		}
		items, err := book.GetRows("明细")
		if err != nil || len(items) != 5 || slices.Contains(items[0], "房号") {
			t.Fatalf("item sheet: %d rows, header %v (%v)", len(items), items, err)
		}
		if formula, _ := book.GetCellFormula("明细", "E3"); formula != "" {
			t.Fatalf("a resident's text became a formula: %q", formula)
		}
		expectError(t, srv.call("GET", "/api/v1/estates/"+e.estateID+"/feedback?format=pdf", e.designer, nil), http.StatusUnprocessableEntity, "validation_failed")
		expectError(t, srv.call("GET", "/api/v1/estates/"+e.estateID+"/feedback?round_id=nope", e.designer, nil), http.StatusNotFound, "round_not_found")
	})
}
