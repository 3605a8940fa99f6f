package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// objectionEstate is an estate with an assigned worker and designer and a
// roster of five households in building 1, unit 2, for objection tests.
type objectionEstate struct {
	t                    *testing.T
	srv                  *testServer
	admin                string
	worker, designer     string // access tokens
	workerID, designerID string
	estateID             string
	household            map[string]string // room → household id
}

// newObjectionEstate creates the estate; prefix keeps usernames and codes
// apart when a test needs two estates on one server.
func newObjectionEstate(t *testing.T, srv *testServer, admin, prefix string) *objectionEstate {
	t.Helper()
	e := &objectionEstate{t: t, srv: srv, admin: admin, household: map[string]string{}}
	e.workerID, e.worker = srv.staff(admin, prefix+"-worker", "worker")
	e.designerID, e.designer = srv.staff(admin, prefix+"-designer", "designer")
	var estate estateResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": prefix + "小区", "code": prefix + "-estate"}).decode(t, &estate)
	e.estateID = estate.ID
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+e.estateID+"/staff/"+e.workerID, admin, map[string]string{"role": "worker"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+e.estateID+"/staff/"+e.designerID, admin, map[string]string{"role": "designer"})
	var items []string
	for i := 1; i <= 5; i++ {
		items = append(items, fmt.Sprintf(`{"building":"1","unit":"2","room":"%d01","area_m2":80,"owner_name":"业主%d","phone":"1381234%04d"}`, i, i, i))
	}
	var created createHouseholdsResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/households", e.worker, `{"items":[`+strings.Join(items, ",")+`]}`).decode(t, &created)
	for _, h := range created.Items {
		e.household[h.Room] = h.ID
	}
	return e
}

// revision publishes a revision addressing the objections and returns it.
func (e *objectionEstate) revision(token, title string, addresses ...string) revisionResponse {
	e.t.Helper()
	if addresses == nil {
		addresses = []string{}
	}
	var rev revisionResponse
	e.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/revisions", token, map[string]any{
		"title": title, "summary": title + "的说明", "changes": "变更内容", "addresses": addresses}).decode(e.t, &rev)
	return rev
}

// planRound creates a draft plan round on a revision and returns its id.
func (e *objectionEstate) planRound(title, revisionID string) string {
	e.t.Helper()
	var r roundResponse
	e.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/rounds", e.worker, map[string]any{
		"title": title, "kind": "plan", "revision_id": revisionID}).decode(e.t, &r)
	return r.ID
}

// object files an objection as a worker on a resident's behalf.
func (e *objectionEstate) object(roundID, room, category, planItem, content string, photos ...string) objectionResponse {
	e.t.Helper()
	if photos == nil {
		photos = []string{}
	}
	var o objectionResponse
	e.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/objections", e.worker, map[string]any{
		"round_id": roundID, "household_id": e.household[room], "category": category, "plan_item": planItem,
		"content": content, "photos": photos}).decode(e.t, &o)
	return o
}

// answer answers an objection as the designer.
func (e *objectionEstate) answer(objectionID, outcome, explanation string, revisionID *string) objectionResponse {
	e.t.Helper()
	var o objectionResponse
	e.srv.must(http.StatusOK, "POST", "/api/v1/objections/"+objectionID+"/response", e.designer, map[string]any{
		"outcome": outcome, "explanation": explanation, "revision_id": revisionID,
		"public_summary": "居民对方案提出的意见"}).decode(e.t, &o)
	return o
}
