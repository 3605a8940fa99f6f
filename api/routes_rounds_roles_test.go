package api

import (
	"slices"
	"testing"

	"minyi/service"
)

// TestRoundRouteRolesFollowTheContract pins who may call each round-management route,
// written from the contract ("Changed: round management and deadlines") rather than read
// from the route table under test: workers draft rounds, admins open and close them and
// answer result objections. TestEveryRouteAsEveryRole then checks each route's answers
// against its declared roles. (Old code: workers could open and close.)
func TestRoundRouteRolesFollowTheContract(t *testing.T) {
	staff := []string{service.RoleAdmin, service.RoleWorker}
	want := map[string][]string{
		"POST /api/v1/estates/:estate_id/rounds":                         staff,
		"PATCH /api/v1/rounds/:round_id":                                 staff,
		"POST /api/v1/rounds/:round_id/open":                             {service.RoleAdmin},
		"POST /api/v1/rounds/:round_id/close":                            {service.RoleAdmin},
		"POST /api/v1/rounds/:round_id/result-objections":                {service.RoleAdmin, service.RoleWorker, service.RoleResident},
		"GET /api/v1/rounds/:round_id/result-objections":                 {service.RoleAdmin, service.RoleWorker, service.RoleDesigner, service.RoleResident},
		"POST /api/v1/result-objections/:result_objection_id/resolution": {service.RoleAdmin},
	}
	a := &API{}
	found := map[string]bool{}
	for _, rt := range a.Routes() {
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
			t.Errorf("%s is not registered", key)
		}
	}
}
