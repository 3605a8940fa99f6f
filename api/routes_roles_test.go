package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// placeholderID stands for a path parameter the role world has no object
// for (a route added after this test): authentication and the role check
// are still tried, and allowed callers may meet a 404.
const placeholderID = "00000000-0000-7000-8000-000000000000"

// caller is one identity the route table is tried with.
type caller struct {
	name  string
	token string
	role  string // "" for anonymous
	// foreign marks staff and residents of another estate: the objects of
	// the world's estate must be invisible to them (404, never 403 or 2xx).
	foreign bool
}

// roleWorld is an estate with an object of every kind, its staff, a bound
// resident, and callers of other estates, for the route × role table.
type roleWorld struct {
	*residentWorld
	callers []caller
	params  map[string]string // path parameter → id of an object of the estate
}

// outcome is what a caller should meet on a route.
type outcome string

const (
	outcomeAllowed   outcome = "allowed" // not 401/403/404; a GET answers 2xx
	outcomeUnauth    outcome = "401"     // no token
	outcomeForbidden outcome = "403"     // the role may never do it
	outcomeHidden    outcome = "404"     // the object is another estate's
	outcomePublic    outcome = "public"  // anyone: not 403, no 5xx (401 only for bad credentials in the body)
	// outcomeHiddenOrInvalid is outcomeHidden for a write route without a
	// sample body: the empty body may be refused (400/415/422) before the
	// estate is looked at; still never 403 and never 2xx.
	outcomeHiddenOrInvalid outcome = "404-or-invalid"
	outcomeNotFound        outcome = "not-found" // allowed, but the world has no such object
)

// roleExceptions are the cases whose outcome differs from the one derived
// from the route's action, keyed "METHOD path caller", with the reason.
var roleExceptions = map[string]struct {
	want   outcome
	reason string
}{
	// The worker unbinds the spare resident first; the admin then finds no binding.
	"DELETE /api/v1/households/:household_id/residents/:resident_id admin": {outcomeNotFound, "the worker already removed the binding"},
	// Pinned (issue 11): a designer reaches no household and so no room.
	"GET /api/v1/estates/:estate_id/households designer":      {outcomeForbidden, "designers get no roster"},
	"GET /api/v1/households/:household_id designer":           {outcomeForbidden, "designers get no household"},
	"GET /api/v1/households/:household_id/residents designer": {outcomeForbidden, "designers get no household's residents"},
}

// estateScoped tells whether a route addresses an object of one estate.
func estateScoped(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, ":") && seg != ":user_id" && seg != ":code" {
			return true
		}
	}
	return false
}

// expectedOutcome derives what a caller should meet on a route from the
// route's action and service.RolesFor, then applies the exceptions.
func expectedOutcome(rt Route, c caller, resolved bool) (outcome, string) {
	key := rt.Method + " " + rt.Path + " " + c.name
	if ex, ok := roleExceptions[key]; ok {
		return ex.want, ex.reason
	}
	switch {
	case rt.Action == service.ActPublic:
		return outcomePublic, "public route"
	case c.role == "":
		return outcomeUnauth, "no token"
	case c.role == service.RoleSupervisor && !supervisorMay[rt.Method+" "+rt.Path]:
		return outcomeForbidden, "supervisors are read-only: not among the routes pinned in supervisorMay"
	case c.role != service.RoleSupervisor && !service.RoleAllowed(rt.Action, c.role):
		return outcomeForbidden, fmt.Sprintf("%s is not in RolesFor(%s) = %v", c.role, rt.Action, service.RolesFor(rt.Action))
	case c.foreign && estateScoped(rt.Path):
		if _, ok := sampleBodies[rt.Method+" "+rt.Path]; !ok && rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
			return outcomeHiddenOrInvalid, "another estate's object, and no sample body: the empty body may be refused first"
		}
		return outcomeHidden, "the object belongs to an estate the caller cannot see"
	case !resolved:
		return outcomeNotFound, "a path parameter has no object in the world"
	}
	return outcomeAllowed, fmt.Sprintf("%s is in RolesFor(%s)", c.role, rt.Action)
}

var pathParam = regexp.MustCompile(`:[a-z_]+`)

// fillPath puts the world's ids into a route's path; resolved is false when
// a parameter had none.
func (w *roleWorld) fillPath(path string) (filled string, resolved bool) {
	resolved = true
	filled = pathParam.ReplaceAllStringFunc(path, func(p string) string {
		if id, ok := w.params[p[1:]]; ok {
			return id
		}
		resolved = false
		return placeholderID
	})
	return filled, resolved
}

// newRoleWorld builds the estate and its objects through the API.
func newRoleWorld(t *testing.T, db *model.DB) *roleWorld {
	t.Helper()
	rw := &roleWorld{residentWorld: newResidentWorld(t, db)}
	srv, admin := rw.srv, rw.admin
	estate := rw.estateID

	// Callers of another estate: staff assigned there, and a resident bound there.
	foreignEstate := rw.createEstate("别处小区", "elsewhere")
	foreignHouse := rw.createHouseholds(foreignEstate, "301")["301"]
	foreignWorkerID, foreignWorker := srv.staff(admin, "role-foreign-worker", "worker")
	foreignDesignerID, foreignDesigner := srv.staff(admin, "role-foreign-designer", "designer")
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+foreignEstate+"/staff/"+foreignWorkerID, admin, map[string]string{"role": "worker"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+foreignEstate+"/staff/"+foreignDesignerID, admin, map[string]string{"role": "designer"})
	foreignResident := rw.login("openid-role-foreign")
	var code bindingCodeResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+foreignEstate+"/households/"+foreignHouse+"/binding-codes", admin, nil).decode(t, &code)
	srv.must(http.StatusCreated, "POST", "/api/v1/me/bindings", foreignResident.AccessToken, map[string]string{"code": code.Code})

	// The estate's own resident, and a spare one (bound to the same
	// household) for the route that unbinds.
	resident, _ := rw.bind("openid-role-resident", "101")
	_, spareResident := rw.bind("openid-role-spare", "101")
	// A spare worker for the routes that change or unassign a user.
	spareID, _ := srv.staff(admin, "role-spare", "worker")
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+estate+"/staff/"+spareID, admin, map[string]string{"role": "worker"})

	// A sign-off, an objection with a photo, a revision, a held comment.
	rw.staffSignOff("101", "agree", "业主101")
	photo := srv.mustUpload(rw.worker, "photo.png", testPNG(t), "estate_id", estate)
	var objection objectionResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+estate+"/objections", rw.worker, map[string]any{
		"household_id": rw.household["101"], "category": "drainage", "plan_item": "雨水管",
		"content": "下雨天楼道积水", "photos": []string{photo.ID}}).decode(t, &objection)
	var revision revisionResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+estate+"/revisions", rw.designer, map[string]any{
		"title": "修订一", "summary": "说明", "changes": "变更内容", "addresses": []string{}}).decode(t, &revision)
	item := model.ModerationItem{ID: "0190f000-0000-7000-8000-00000000a001", EstateID: estate, Status: "held",
		SubjectKind: "signoff_comment", SubjectID: "0190f000-0000-7000-8000-00000000a002", Text: "待审核的留言",
		Reason: "risky", AuthorKind: "resident", AuthorID: spareResident, CreatedAt: time.Now().UTC()}
	if err := db.Gorm.WithContext(context.Background()).Create(&item).Error; err != nil {
		t.Fatal(err)
	}

	var estateCode struct {
		Code string `json:"code"`
	}
	srv.must(http.StatusOK, "GET", "/api/v1/estates/"+estate, admin, nil).decode(t, &estateCode)
	rw.params = map[string]string{
		"estate_id": estate, "household_id": rw.household["101"], "round_id": rw.roundID,
		"user_id": spareID, "resident_id": spareResident, "objection_id": objection.ID,
		"revision_id": revision.ID, "upload_id": photo.ID, "item_id": item.ID, "code": estateCode.Code,
	}
	rw.params["survey_id"] = rw.openSurvey(roleWorldSurveyBody).ID
	supervisor, foreignSupervisor := rw.supervisors(foreignEstate)
	rw.callers = []caller{
		{name: "anonymous"},
		{name: "resident", token: resident, role: service.RoleResident},
		{name: "other-estate resident", token: foreignResident.AccessToken, role: service.RoleResident, foreign: true},
		{name: "other-estate worker", token: foreignWorker, role: service.RoleWorker, foreign: true},
		{name: "other-estate designer", token: foreignDesigner, role: service.RoleDesigner, foreign: true},
		{name: "designer", token: rw.designer, role: service.RoleDesigner},
		{name: "worker", token: rw.worker, role: service.RoleWorker},
		{name: "admin", token: admin, role: service.RoleAdmin},
		{name: "supervisor", token: supervisor, role: service.RoleSupervisor},
		{name: "other-estate supervisor", token: foreignSupervisor, role: service.RoleSupervisor, foreign: true},
	}
	return rw
}

// TestEveryRouteAsEveryRole calls every route of a.Routes() as anonymous, a
// resident of the estate and of another, a worker and a designer of
// another estate, the estate's designer and worker, and an admin, and
// checks the outcome derived from the route's action: 401 without a token,
// 403 for a role outside RolesFor, 404 (never 403, never 2xx) for objects of
// an estate the caller cannot see (and no id of the estate's objects in any
// answer to such a caller, lists included), and for allowed callers neither 401 nor
// 403 nor 404 (GETs answer 2xx). Routes added later are covered by being in
// a.Routes(); a path parameter this world has no object for gets a
// placeholder id.
func TestEveryRouteAsEveryRole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newRoleWorld(t, db)
		routes := w.srv.api.Routes()
		// Closing the round and deletions last, so that what they end is
		// not needed by later routes.
		late := func(rt Route) int {
			switch {
			case rt.Method == http.MethodDelete:
				return 2
			case strings.HasSuffix(rt.Path, "/close"):
				return 1
			}
			return 0
		}
		sort.SliceStable(routes, func(i, j int) bool { return late(routes[i]) < late(routes[j]) })
		cases := 0
		byOutcome := map[outcome]int{}
		for _, rt := range routes {
			path, resolved := w.fillPath(rt.Path)
			if !resolved {
				t.Logf("%s %s: a path parameter has no object in the role world; add it to roleWorld.params", rt.Method, rt.Path)
			}
			for _, c := range w.callers {
				want, why := expectedOutcome(rt, c, resolved)
				var body any
				if rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
					body = sampleBody(rt, w.params)
				}
				resp := w.srv.call(rt.Method, path, c.token, body)
				cases++
				byOutcome[want]++
				if msg := checkOutcome(rt, want, resp); msg != "" {
					t.Errorf("%s %s as %s: %s (expected %s: %s): %.300s", rt.Method, rt.Path, c.name, msg, want, why, resp.Body)
				}
				if c.foreign && rt.Action != service.ActPublic {
					if leaked := w.leakedIDs(resp.Body); leaked != "" {
						t.Errorf("%s %s as %s: the answer names the estate's %s", rt.Method, rt.Path, c.name, leaked)
					}
				}
			}
		}
		t.Logf("%d routes × %d callers = %d cases: %v", len(routes), len(w.callers), cases, byOutcome)
		if cases < 8*40 {
			t.Errorf("only %d cases: the route list looks truncated", cases)
		}
	})
}

// leakedIDs names the first object of the world's estate whose id appears
// in an answer ("" when none does): a caller of another estate must never
// see one, not even in a list.
func (w *roleWorld) leakedIDs(body []byte) string {
	for _, name := range []string{"estate_id", "household_id", "round_id", "objection_id", "revision_id", "item_id", "upload_id", "resident_id", "survey_id"} {
		if strings.Contains(string(body), w.params[name]) {
			return name
		}
	}
	return ""
}

// checkOutcome says what is wrong with a response for the expected outcome ("" when right).
func checkOutcome(rt Route, want outcome, resp *testResponse) string {
	status := resp.Status
	if status >= 500 {
		return fmt.Sprintf("server error %d", status)
	}
	switch want {
	case outcomeUnauth:
		if status != http.StatusUnauthorized {
			return fmt.Sprintf("status %d, want 401", status)
		}
	case outcomeForbidden:
		if status != http.StatusForbidden {
			return fmt.Sprintf("status %d, want 403", status)
		}
	case outcomeHidden:
		if status != http.StatusNotFound {
			return fmt.Sprintf("status %d, want 404", status)
		}
	case outcomeHiddenOrInvalid:
		if status == http.StatusForbidden || status < 400 {
			return fmt.Sprintf("status %d, want 404 or a refusal of the empty body", status)
		}
	case outcomePublic:
		if status == http.StatusForbidden || (status == http.StatusUnauthorized && !strings.HasPrefix(rt.Path, "/api/v1/auth/")) {
			return fmt.Sprintf("status %d on a public route", status)
		}
	case outcomeNotFound:
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return fmt.Sprintf("status %d on a route the caller may use", status)
		}
	case outcomeAllowed:
		if status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound {
			return fmt.Sprintf("status %d (%s) for an allowed caller", status, resp.errorCode())
		}
		if rt.Method == http.MethodGet && (status < 200 || status > 299) {
			return fmt.Sprintf("status %d, want 2xx for a GET", status)
		}
	}
	return ""
}
