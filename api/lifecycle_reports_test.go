package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestProblemReportLoop walks a 随手拍 report through the API: a resident
// reports with a photo, a worker assigns it and records the fix with a
// photo, the reporter sends it back once and then confirms; out-of-order
// moves, a fix without a photo, strangers and bad bodies are refused and
// change nothing; residents see only their own reports; the board shows
// counts by status and never the text.
func TestProblemReportLoop(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv, base := w.srv, "/api/v1/estates/"+w.estateID+"/reports"
		reporter, _ := w.bind("o-report-reporter", "101")
		neighbour, _ := w.bind("o-report-neighbour", "102")
		workerID, _ := srv.staff(w.admin, "report-worker-2", "worker")
		srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+workerID, w.admin, map[string]string{"role": "worker"})

		photo := srv.mustUpload(reporter, "crack.png", testPNG(t), "estate_id", w.estateID)
		var refused lifecycleErrorBody
		resp := srv.call("POST", base, reporter, map[string]any{"text": " ", "location": ""})
		expectCode(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		resp.decode(t, &refused)
		if refused.Error.Fields["text"] != "须为 1 到 1000 个字" || refused.Error.Fields["location"] == "" {
			t.Errorf("fields = %v", refused.Error.Fields)
		}
		expectCode(t, srv.call("POST", base, w.worker, map[string]any{"text": "路面塌陷", "location": "3 号楼"}), http.StatusForbidden, "forbidden")

		var rep reportJSON
		srv.must(http.StatusCreated, "POST", base, reporter, map[string]any{
			"text": "3 号楼门口路面塌陷，老人容易摔倒", "location": "3 号楼东门", "photo_upload_ids": []string{photo.ID}}).decode(t, &rep)
		if rep.Status != "reported" || !slices.Equal(rep.PhotoUploadIDs, []string{photo.ID}) {
			t.Fatalf("report = %+v", rep)
		}
		srv.must(http.StatusCreated, "POST", base, neighbour, map[string]any{"text": "脚手架挡住消防通道", "location": "5 号楼"})

		var mine, theirs, all listResponse[reportJSON]
		srv.must(http.StatusOK, "GET", base, reporter, nil).decode(t, &mine)
		srv.must(http.StatusOK, "GET", base, neighbour, nil).decode(t, &theirs)
		srv.must(http.StatusOK, "GET", base+"?status=reported", w.designer, nil).decode(t, &all)
		if len(mine.Items) != 1 || mine.Items[0].ID != rep.ID || len(theirs.Items) != 1 || theirs.Items[0].ID == rep.ID || len(all.Items) != 2 {
			t.Errorf("lists: reporter %d, neighbour %d, staff %d", len(mine.Items), len(theirs.Items), len(all.Items))
		}
		expectCode(t, srv.call("GET", base+"?status=lost", w.worker, nil), http.StatusUnprocessableEntity, "validation_failed")

		path := "/api/v1/reports/" + rep.ID
		fixPhoto := srv.mustUpload(w.worker, "fixed.png", testPNG(t), "estate_id", w.estateID)
		expectCode(t, srv.call("PATCH", path, w.worker, map[string]any{"status": "fixed", "photo_upload_ids": []string{fixPhoto.ID}}),
			http.StatusConflict, "report_transition_invalid")
		resp = srv.call("PATCH", path, w.worker, map[string]any{"status": "fixed"})
		expectCode(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		resp.decode(t, &refused)
		if refused.Error.Fields["photo_upload_ids"] != "登记已处理须附处理后的照片" {
			t.Errorf("fix without a photo: %v", refused.Error.Fields)
		}
		expectCode(t, srv.call("PATCH", path, w.worker, map[string]any{"status": "assigned", "assignee_id": w.otherHouse}),
			http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, srv.call("PATCH", path, reporter, map[string]any{"status": "assigned"}), http.StatusForbidden, "forbidden")
		expectCode(t, srv.call("POST", path+"/confirmation", reporter, map[string]any{"satisfied": true}), http.StatusConflict, "report_not_fixed")

		srv.must(http.StatusOK, "PATCH", path, w.worker, map[string]any{"status": "assigned", "assignee_id": workerID, "note": "已联系施工队"}).decode(t, &rep)
		if rep.Status != "assigned" || rep.AssigneeID == nil || *rep.AssigneeID != workerID || rep.Note != "已联系施工队" {
			t.Fatalf("assigned = %+v", rep)
		}
		srv.must(http.StatusOK, "PATCH", path, w.worker, map[string]any{"status": "fixed", "photo_upload_ids": []string{fixPhoto.ID}}).decode(t, &rep)
		if rep.Status != "fixed" || rep.FixedAt == nil || !slices.Equal(rep.FixPhotoUploadIDs, []string{fixPhoto.ID}) {
			t.Fatalf("fixed = %+v", rep)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/uploads/"+fixPhoto.ID, reporter, nil)
		if resp := srv.call("GET", "/api/v1/uploads/"+photo.ID, neighbour, nil); resp.Status == http.StatusOK {
			t.Error("a neighbour read the reporter's photo")
		}
		expectCode(t, srv.call("POST", path+"/confirmation", neighbour, map[string]any{"satisfied": true}), http.StatusNotFound, "report_not_found")
		expectCode(t, srv.call("POST", path+"/confirmation", reporter, map[string]any{"satisfied": false}), http.StatusUnprocessableEntity, "validation_failed")
		srv.must(http.StatusOK, "POST", path+"/confirmation", reporter, map[string]any{"satisfied": false, "note": "边上还有一块没补"}).decode(t, &rep)
		if rep.Status != "assigned" || rep.FixedAt != nil || rep.Satisfied == nil || *rep.Satisfied || rep.AssigneeID != nil {
			t.Fatalf("sent back = %+v (a resident sees no assignee)", rep)
		}
		second := srv.mustUpload(w.worker, "fixed-again.png", testPNG(t), "estate_id", w.estateID)
		srv.must(http.StatusOK, "PATCH", path, w.worker, map[string]any{"status": "fixed", "photo_upload_ids": []string{second.ID}})
		srv.must(http.StatusOK, "POST", path+"/confirmation", reporter, map[string]any{"satisfied": true, "note": "修好了，谢谢"}).decode(t, &rep)
		if rep.Status != "confirmed" || rep.ConfirmedAt == nil || len(rep.FixPhotoUploadIDs) != 2 {
			t.Fatalf("confirmed = %+v", rep)
		}
		expectCode(t, srv.call("PATCH", path, w.worker, map[string]any{"status": "assigned"}), http.StatusConflict, "report_transition_invalid")

		var board noticeJSON
		srv.must(http.StatusOK, "GET", "/api/v1/public/estates/hepingli", "", nil).decode(t, &board)
		if board.Reports != (noticeReportsJSON{Reported: 1, Confirmed: 1}) {
			t.Errorf("board counts = %+v", board.Reports)
		}
		page := string(srv.must(http.StatusOK, "GET", "/notice/hepingli", "", nil).Body)
		if !strings.Contains(page, "随手拍问题反映 2 件") || strings.Contains(page, "路面塌陷") || strings.Contains(page, "脚手架") {
			t.Error("the page lacks the counts or shows a report's text")
		}
	})
}

// TestReportRouteRolesFollowTheContract pins who may call the report routes
// (contract: residents report and confirm, workers handle, staff list).
func TestReportRouteRolesFollowTheContract(t *testing.T) {
	checkRouteRoles(t, map[string][]string{
		"POST /api/v1/estates/:estate_id/reports":      {service.RoleResident},
		"GET /api/v1/estates/:estate_id/reports":       {service.RoleAdmin, service.RoleWorker, service.RoleDesigner, service.RoleResident},
		"PATCH /api/v1/reports/:report_id":             {service.RoleAdmin, service.RoleWorker},
		"POST /api/v1/reports/:report_id/confirmation": {service.RoleResident},
	})
}
