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

// lifecycleErrorBody is an error envelope with its details.
type lifecycleErrorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
		Details struct {
			Missing    []string `json:"missing"`
			PlanPassed *bool    `json:"final_plan_round_passed"`
		} `json:"details"`
	} `json:"error"`
}

// TestStagesAndPreconditionsOverHTTP walks an estate to construction through
// the API: the eleven stages, preconditions_unmet naming what is missing (in
// Chinese and English), a precondition with its evidence, a forced start
// that needs a note, and refusals that change nothing.
func TestStagesAndPreconditionsOverHTTP(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv, base := w.srv, "/api/v1/estates/"+w.estateID
		var stages listResponse[stageJSON]
		srv.must(http.StatusOK, "GET", base+"/stages", w.designer, nil).decode(t, &stages)
		if len(stages.Items) != 11 || stages.Items[7].Stage != "construction" || stages.Items[7].Label != "施工" || stages.Items[7].Status != "pending" {
			t.Fatalf("stages = %+v", stages.Items)
		}
		resident, _ := w.bind("o-stages-resident", "101")
		expectCode(t, srv.call("GET", base+"/stages", resident, nil), http.StatusForbidden, "forbidden")
		expectCode(t, srv.call("PATCH", base+"/stages/survey", w.worker, map[string]string{"status": "in_progress"}), http.StatusForbidden, "forbidden")
		expectCode(t, srv.call("PATCH", base+"/stages/demolition", w.admin, map[string]string{"status": "in_progress"}), http.StatusNotFound, "stage_not_found")

		start := map[string]string{"status": "in_progress"}
		var refused lifecycleErrorBody
		resp := srv.call("PATCH", base+"/stages/construction", w.admin, start)
		expectCode(t, resp, http.StatusConflict, "preconditions_unmet")
		resp.decode(t, &refused)
		if len(refused.Error.Details.Missing) != 6 || refused.Error.Details.PlanPassed == nil || *refused.Error.Details.PlanPassed ||
			!strings.Contains(refused.Error.Message, "六项前提条件") {
			t.Errorf("refusal = %+v", refused.Error)
		}
		resp = srv.call("PATCH", base+"/stages/construction", w.admin, start, "Accept-Language", "en")
		resp.decode(t, &refused)
		if !strings.Contains(refused.Error.Message, "six preconditions") {
			t.Errorf("English message = %q", refused.Error.Message)
		}
		resp = srv.call("PATCH", base+"/stages/construction?force=true", w.admin, start)
		expectCode(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		resp.decode(t, &refused)
		if refused.Error.Fields["note"] != "强制开工须填写说明（note）" {
			t.Errorf("force without a note: fields %v", refused.Error.Fields)
		}

		photo := srv.mustUpload(w.worker, "pact.png", testPNG(t), "estate_id", w.estateID)
		expectCode(t, srv.call("PUT", base+"/preconditions/residents_pact", w.worker, map[string]any{"note": "无 met"}), http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, srv.call("PUT", base+"/preconditions/street_lights", w.worker, map[string]any{"met": true}), http.StatusNotFound, "precondition_not_found")
		expectCode(t, srv.call("PUT", base+"/preconditions/residents_pact", w.designer, map[string]any{"met": true}), http.StatusForbidden, "forbidden")
		var pact preconditionJSON
		srv.must(http.StatusOK, "PUT", base+"/preconditions/residents_pact", w.worker, map[string]any{
			"met": true, "note": "居民公约已于业主大会通过", "evidence_upload_ids": []string{photo.ID}}).decode(t, &pact)
		if !pact.Met || pact.Label != "居民公约" || !slices.Equal(pact.EvidenceUploadIDs, []string{photo.ID}) {
			t.Errorf("precondition = %+v", pact)
		}
		srv.must(http.StatusOK, "GET", "/api/v1/uploads/"+photo.ID, w.designer, nil)
		var list listResponse[preconditionJSON]
		srv.must(http.StatusOK, "GET", base+"/preconditions", w.designer, nil).decode(t, &list)
		if len(list.Items) != 6 || !list.Items[2].Met || list.Items[0].Met {
			t.Errorf("preconditions = %+v", list.Items)
		}
		resp = srv.call("PATCH", base+"/stages/construction", w.admin, start)
		resp.decode(t, &refused)
		if len(refused.Error.Details.Missing) != 5 || slices.Contains(refused.Error.Details.Missing, "residents_pact") {
			t.Errorf("missing after the pact = %v", refused.Error.Details.Missing)
		}

		var forced stageJSON
		srv.must(http.StatusOK, "PATCH", base+"/stages/construction?force=true", w.admin, map[string]string{
			"status": "in_progress", "note": "区里决定先行施工"}).decode(t, &forced)
		if forced.Status != "in_progress" || !forced.Forced || forced.StartedAt == nil {
			t.Errorf("forced = %+v", forced)
		}
		expectCode(t, srv.call("PATCH", base+"/stages/construction", w.admin, map[string]string{"status": "pending"}), http.StatusConflict, "stage_transition_invalid")
	})
}

// TestSiteInformationOverHTTP: bad fields get Chinese reasons and change
// nothing; an admin sets the site information and staff read it.
func TestSiteInformationOverHTTP(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		srv, path := w.srv, "/api/v1/estates/"+w.estateID+"/site"
		var refused lifecycleErrorBody
		resp := srv.call("PUT", path, w.admin, map[string]any{"starts_on": "2027-03-01", "ends_on": "2027-02-01", "budget_fen": -5, "contact_phone": "打电话"})
		expectCode(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		resp.decode(t, &refused)
		if refused.Error.Fields["ends_on"] != "不能早于开工日期（starts_on）" || refused.Error.Fields["budget_fen"] == "" || refused.Error.Fields["contact_phone"] == "" {
			t.Errorf("fields = %v", refused.Error.Fields)
		}
		expectCode(t, srv.call("PUT", path, w.worker, map[string]any{"builder": "某公司"}), http.StatusForbidden, "forbidden")
		var site siteJSON
		srv.must(http.StatusOK, "GET", path, w.worker, nil).decode(t, &site)
		if site != (siteJSON{}) {
			t.Errorf("site after the refusals = %+v", site)
		}
		want := siteJSON{Builder: "某建设公司", SupervisingUnit: "某监理公司", DesignerUnit: "某设计院", StartsOn: "2027-03-01",
			EndsOn: "2027-09-30", BudgetFen: 358000000, ContactPhone: "0715-8123456"}
		srv.must(http.StatusOK, "PUT", path, w.admin, want)
		srv.must(http.StatusOK, "GET", path, w.designer, nil).decode(t, &site)
		if site != want {
			t.Errorf("site = %+v, want %+v", site, want)
		}
	})
}

// TestLifecycleRouteRolesFollowTheContract pins who may call the lifecycle
// routes, written from the contract ("New: the lifecycle around the vote")
// rather than read from the route table: admins move stages and edit the
// site information, admins and workers record preconditions, the estate's
// staff read them.
func TestLifecycleRouteRolesFollowTheContract(t *testing.T) {
	staff := []string{service.RoleAdmin, service.RoleWorker, service.RoleDesigner}
	want := map[string][]string{
		"GET /api/v1/estates/:estate_id/stages":             staff,
		"PATCH /api/v1/estates/:estate_id/stages/:stage":    {service.RoleAdmin},
		"GET /api/v1/estates/:estate_id/preconditions":      staff,
		"PUT /api/v1/estates/:estate_id/preconditions/:key": {service.RoleAdmin, service.RoleWorker},
		"GET /api/v1/estates/:estate_id/site":               staff,
		"PUT /api/v1/estates/:estate_id/site":               {service.RoleAdmin},
	}
	checkRouteRoles(t, want)
}

// checkRouteRoles compares the roles each route allows with the wanted ones
// and fails on a wanted route the router lacks.
func checkRouteRoles(t *testing.T, want map[string][]string) {
	t.Helper()
	found := map[string]bool{}
	for _, rt := range (&API{}).Routes() {
		key := rt.Method + " " + rt.Path
		roles, ok := want[key]
		if !ok {
			continue
		}
		found[key] = true
		for _, role := range []string{service.RoleAdmin, service.RoleWorker, service.RoleDesigner, service.RoleResident} {
			if got, allowed := service.RoleAllowed(rt.Action, role), slices.Contains(roles, role); got != allowed {
				t.Errorf("%s as %s: allowed=%v, the contract says %v", key, role, got, allowed)
			}
		}
	}
	for key := range want {
		if !found[key] {
			t.Errorf("no route %s", key)
		}
	}
}
