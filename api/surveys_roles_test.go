package api

import (
	"slices"
	"testing"

	"minyi/service"
)

// TestSurveyRouteRolesFollowTheContract pins who may call each survey route, written from
// the contract (issue 15, surveys) rather than read from the route table: admins and
// workers draft, open and close surveys and enter paper answers; staff (designers too)
// list surveys and read results; residents read the surveys of their estates and answer
// them. TestEveryRouteAsEveryRole then checks each route's answers against these roles.
func TestSurveyRouteRolesFollowTheContract(t *testing.T) {
	admin, worker, designer, resident := service.RoleAdmin, service.RoleWorker, service.RoleDesigner, service.RoleResident
	want := map[string][]string{
		"POST /api/v1/estates/:estate_id/surveys":                {admin, worker},
		"GET /api/v1/estates/:estate_id/surveys":                 {admin, worker, designer},
		"GET /api/v1/surveys/:survey_id":                         {admin, worker, designer, resident},
		"POST /api/v1/surveys/:survey_id/open":                   {admin, worker},
		"POST /api/v1/surveys/:survey_id/close":                  {admin, worker},
		"GET /api/v1/me/surveys":                                 {resident},
		"PUT /api/v1/surveys/:survey_id/my-response":             {resident},
		"PUT /api/v1/surveys/:survey_id/responses/:household_id": {admin, worker},
		"GET /api/v1/surveys/:survey_id/results":                 {admin, worker, designer},
	}
	found := map[string]bool{}
	for _, rt := range (&API{}).Routes() {
		key := rt.Method + " " + rt.Path
		roles, ok := want[key]
		if !ok {
			continue
		}
		found[key] = true
		for _, role := range []string{admin, worker, designer, resident} {
			if got, allowed := service.RoleAllowed(rt.Action, role), slices.Contains(roles, role); got != allowed {
				t.Errorf("%s as %s: allowed=%v, the contract says %v", key, role, got, allowed)
			}
		}
	}
	for key := range want {
		if !found[key] {
			t.Errorf("%s is not registered", key)
		}
	}
}
