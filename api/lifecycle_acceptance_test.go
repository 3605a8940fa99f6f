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

// TestJointAcceptanceOverHTTP records a joint acceptance with one item to
// rectify, refuses bad bodies, other people's uploads, drawings as photos,
// wrong indexes and double rectification (each changing nothing), closes
// it with the rectification, and checks what staff, residents and the
// public board see (signers masked, no photos or full names on the board).
func TestJointAcceptanceOverHTTP(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv, base := w.srv, "/api/v1/estates/"+w.estateID+"/acceptances"
		photo := srv.mustUpload(w.worker, "wall.png", testPNG(t), "estate_id", w.estateID)
		fixPhoto := srv.mustUpload(w.worker, "wall-fixed.png", testPNG(t), "estate_id", w.estateID)
		adminsPhoto := srv.mustUpload(w.admin, "admin.png", testPNG(t), "estate_id", w.estateID)
		drawing := srv.mustUpload(w.worker, "plan.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), "estate_id", w.estateID)
		signatures := []map[string]string{{"name": "张三丰", "role": "owner_representative"}, {"name": "李四", "role": "supervisor"},
			{"name": "王五", "role": "builder"}}

		var refused lifecycleErrorBody
		resp := srv.call("POST", base, w.worker, map[string]any{
			"items":      []map[string]any{{"name": "", "result": "maybe"}, {"name": "外墙", "result": "rectify"}},
			"signatures": []map[string]string{{"name": "某人", "role": "mayor"}}})
		expectCode(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		resp.decode(t, &refused)
		if refused.Error.Fields["items[0].result"] != "只能是 pass（通过）或 rectify（整改）" || refused.Error.Fields["items[1].note"] == "" ||
			refused.Error.Fields["signatures[0].role"] == "" || refused.Error.Fields["items[0].name"] == "" {
			t.Errorf("fields = %v", refused.Error.Fields)
		}
		expectCode(t, srv.call("POST", base, w.worker, map[string]any{"items": []map[string]any{{"name": "外墙", "result": "pass"}}}),
			http.StatusUnprocessableEntity, "validation_failed")
		for _, upload := range []string{adminsPhoto.ID, drawing.ID} {
			expectCode(t, srv.call("POST", base, w.worker, map[string]any{
				"items": []map[string]any{{"name": "外墙", "result": "pass", "photo_upload_ids": []string{upload}}}, "signatures": signatures}),
				http.StatusUnprocessableEntity, "validation_failed")
		}
		expectCode(t, srv.call("POST", base, w.designer, map[string]any{"items": []map[string]any{{"name": "外墙", "result": "pass"}}, "signatures": signatures}),
			http.StatusForbidden, "forbidden")
		var none listResponse[acceptanceJSON]
		srv.must(http.StatusOK, "GET", base, w.admin, nil).decode(t, &none)
		if len(none.Items) != 0 {
			t.Fatalf("the refusals recorded %d acceptances", len(none.Items))
		}

		var acc acceptanceJSON
		srv.must(http.StatusCreated, "POST", base, w.worker, map[string]any{
			"items": []map[string]any{
				{"name": "雨污分流管道", "result": "pass", "photo_upload_ids": []string{photo.ID}},
				{"name": "外墙保温", "result": "rectify", "note": "3 号楼东侧空鼓"}},
			"signatures": signatures}).decode(t, &acc)
		if acc.Status != "open" || acc.OpenItems != 1 || len(acc.Items) != 2 || !slices.Equal(acc.Items[0].PhotoUploadIDs, []string{photo.ID}) ||
			acc.Signatures[0].Name != "张三丰" || acc.Signatures[1].RoleLabel != "监督员" {
			t.Fatalf("acceptance = %+v", acc)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/uploads/"+photo.ID, w.designer, nil)
		resident, _ := w.bind("o-acceptance-resident", "101")
		expectCode(t, srv.call("GET", "/api/v1/acceptances/"+acc.ID, resident, nil), http.StatusForbidden, "forbidden")
		if resp := srv.call("GET", "/api/v1/uploads/"+photo.ID, resident, nil); resp.Status == http.StatusOK {
			t.Error("a resident read an acceptance photo")
		}

		var board noticeJSON
		served := srv.must(http.StatusOK, "GET", "/api/v1/public/estates/hepingli", "", nil)
		served.decode(t, &board)
		if len(board.Acceptances) != 1 || len(board.Acceptances[0].OpenItems) != 1 || board.Acceptances[0].OpenItems[0].Note != "3 号楼东侧空鼓" ||
			board.Acceptances[0].Signers[0].Name != "张*丰" || board.Acceptances[0].Signers[1].Name != "李*" {
			t.Errorf("board acceptances = %+v", board.Acceptances)
		}
		page := string(srv.must(http.StatusOK, "GET", "/notice/hepingli", "", nil).Body)
		if !strings.Contains(page, "待整改") || !strings.Contains(page, "业主代表 张*丰") || strings.Contains(page, "张三丰") || strings.Contains(page, photo.ID) {
			t.Error("the page does not show the open item with masked signers, or shows a full name or a photo")
		}

		rectified := "/api/v1/acceptances/" + acc.ID + "/items/"
		fix := map[string]any{"note": "已重新粘贴保温板", "photo_upload_ids": []string{fixPhoto.ID}}
		expectCode(t, srv.call("POST", rectified+"0/rectified", w.worker, fix), http.StatusConflict, "item_not_rectifiable")
		expectCode(t, srv.call("POST", rectified+"5/rectified", w.worker, fix), http.StatusNotFound, "acceptance_item_not_found")
		expectCode(t, srv.call("POST", rectified+"x/rectified", w.worker, fix), http.StatusNotFound, "acceptance_item_not_found")
		expectCode(t, srv.call("POST", rectified+"1/rectified", w.worker, map[string]any{"note": " "}), http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, srv.call("POST", rectified+"1/rectified", w.worker, map[string]any{"note": "好了", "photo_upload_ids": []string{adminsPhoto.ID}}),
			http.StatusUnprocessableEntity, "validation_failed")
		srv.must(http.StatusOK, "GET", "/api/v1/acceptances/"+acc.ID, w.designer, nil).decode(t, &acc)
		if acc.Status != "open" || acc.Items[1].Rectified {
			t.Fatalf("after the refusals: %+v", acc)
		}
		srv.must(http.StatusOK, "POST", rectified+"1/rectified", w.worker, fix).decode(t, &acc)
		if acc.Status != "closed" || acc.OpenItems != 0 || acc.ClosedAt == nil || !acc.Items[1].Rectified ||
			!slices.Equal(acc.Items[1].RectifyPhotoUploadIDs, []string{fixPhoto.ID}) {
			t.Errorf("rectified = %+v", acc)
		}
		expectCode(t, srv.call("POST", rectified+"1/rectified", w.admin, map[string]any{"note": "再次"}), http.StatusConflict, "item_already_rectified")

		awaitNewETag(t, srv, "/api/v1/public/estates/hepingli", served.Header.Get("ETag")).decode(t, &board)
		if len(board.Acceptances) != 1 || board.Acceptances[0].Status != "closed" || len(board.Acceptances[0].OpenItems) != 0 || board.Acceptances[0].Rectified != 1 {
			t.Errorf("board after the rectification = %+v", board.Acceptances)
		}
		srv.must(http.StatusCreated, "POST", base, w.admin, map[string]any{
			"items": []map[string]any{{"name": "绿化", "result": "pass"}}, "signatures": signatures[:1]})
		var page1, page2 listResponse[acceptanceJSON]
		srv.must(http.StatusOK, "GET", base+"?limit=1", w.worker, nil).decode(t, &page1)
		if len(page1.Items) != 1 || page1.Items[0].ID != acc.ID || page1.NextCursor == "" {
			t.Fatalf("first page = %+v", page1)
		}
		srv.must(http.StatusOK, "GET", base+"?limit=1&cursor="+page1.NextCursor, w.worker, nil).decode(t, &page2)
		if len(page2.Items) != 1 || page2.Items[0].Status != "closed" || page2.NextCursor != "" {
			t.Errorf("second page = %+v", page2)
		}
	})
}

// TestAcceptanceRouteRolesFollowTheContract pins who may call the acceptance
// routes (contract: "Joint acceptance … (admin, worker)"; staff read it).
func TestAcceptanceRouteRolesFollowTheContract(t *testing.T) {
	recorders := []string{service.RoleAdmin, service.RoleWorker}
	staff := []string{service.RoleAdmin, service.RoleWorker, service.RoleDesigner}
	checkRouteRoles(t, map[string][]string{
		"POST /api/v1/estates/:estate_id/acceptances":                    recorders,
		"GET /api/v1/estates/:estate_id/acceptances":                     staff,
		"GET /api/v1/acceptances/:acceptance_id":                         staff,
		"POST /api/v1/acceptances/:acceptance_id/items/:index/rectified": recorders,
	})
}
