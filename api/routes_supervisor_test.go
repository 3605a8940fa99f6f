package api

import "net/http"

// supervisorMay pins, from the contract ("supervisors: read-only (tally,
// progress without names or phones, objections, audit, acceptance)") and
// not from service.RolesFor, the routes a supervisor (监督员) may use: the
// reads that lead to those (their account, their estates and rounds, the
// photos of objections, the joint acceptances) and nothing else. Every other
// route, every write among them, answers 403.
var supervisorMay = map[string]bool{
	"GET /api/v1/me":                                    true,
	"GET /api/v1/estates":                               true,
	"GET /api/v1/estates/:estate_id":                    true,
	"GET /api/v1/estates/:estate_id/rounds":             true,
	"GET /api/v1/rounds/:round_id":                      true,
	"GET /api/v1/rounds/:round_id/tally":                true,
	"GET /api/v1/rounds/:round_id/progress":             true,
	"GET /api/v1/estates/:estate_id/objections":         true,
	"GET /api/v1/objections/:objection_id":              true,
	"GET /api/v1/estates/:estate_id/objections/summary": true,
	"GET /api/v1/uploads/:upload_id":                    true,
	"GET /api/v1/estates/:estate_id/audit":              true,
	"GET /api/v1/estates/:estate_id/acceptances":        true,
	"GET /api/v1/acceptances/:acceptance_id":            true,
}

// supervisors creates a supervisor assigned to the world's estate and one
// assigned to another estate, and gives their tokens.
func (rw *roleWorld) supervisors(foreignEstate string) (own, foreign string) {
	srv, admin := rw.srv, rw.admin
	ownID, own := srv.staff(admin, "role-supervisor", "supervisor")
	foreignID, foreign := srv.staff(admin, "role-foreign-supervisor", "supervisor")
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+rw.estateID+"/staff/"+ownID, admin, map[string]string{"role": "supervisor"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+foreignEstate+"/staff/"+foreignID, admin, map[string]string{"role": "supervisor"})
	return own, foreign
}
