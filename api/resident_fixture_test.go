package api

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"minyi/model"
	"minyi/service"
	"minyi/wechat/wechattest"
)

// residentWorld is a test server wired to a fake WeChat server, with one
// estate, its worker and designer, six households (building 1, rooms
// 101-106) and an open round.
type residentWorld struct {
	t          *testing.T
	srv        *testServer
	fake       *wechattest.Server
	admin      string
	worker     string
	designer   string
	estateID   string
	household  map[string]string // room → household id
	roundID    string
	otherRound string // an open round of another estate
	otherHouse string // a household of another estate
}

// newResidentWorld builds the world; WeChat is configured against the fake
// and texts are checked by the WeChat moderator.
func newResidentWorld(t *testing.T, db *model.DB) *residentWorld {
	t.Helper()
	srv := newTestServer(t, db)
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	srv.svc.SetWeChat(client)
	srv.svc.SetModerator(service.WeChatModerator{Client: client})
	w := &residentWorld{t: t, srv: srv, fake: fake, household: map[string]string{}}
	w.admin = srv.adminToken()
	workerID, worker := srv.staff(w.admin, "res-worker", "worker")
	designerID, designer := srv.staff(w.admin, "res-designer", "designer")
	w.worker, w.designer = worker, designer
	w.estateID = w.createEstate("和平里小区", "hepingli")
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+workerID, w.admin, map[string]string{"role": "worker"})
	srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+designerID, w.admin, map[string]string{"role": "designer"})
	for room, id := range w.createHouseholds(w.estateID, "101", "102", "103", "104", "105", "106") {
		w.household[room] = id
	}
	w.roundID = w.openRound(w.estateID, "一期改造方案征询")

	otherEstate := w.createEstate("对照小区", "duizhao")
	other := w.createHouseholds(otherEstate, "201")
	w.otherHouse = other["201"]
	w.otherRound = w.openRound(otherEstate, "对照征询")
	return w
}

func (w *residentWorld) createEstate(name, code string) string {
	var estate struct {
		ID string `json:"id"`
	}
	w.srv.must(http.StatusCreated, "POST", "/api/v1/estates", w.admin, map[string]any{"name": name, "code": code}).decode(w.t, &estate)
	return estate.ID
}

func (w *residentWorld) createHouseholds(estateID string, rooms ...string) map[string]string {
	items := make([]map[string]any, len(rooms))
	for i, room := range rooms {
		items[i] = map[string]any{"building": "1", "unit": "1", "room": room, "area_m2": 80.5, "owner_name": "业主" + room, "phone": "1390000" + room + "0"}
	}
	var created struct {
		Items []struct {
			ID   string `json:"id"`
			Room string `json:"room"`
		} `json:"items"`
	}
	w.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/households", w.admin, map[string]any{"items": items}).decode(w.t, &created)
	out := map[string]string{}
	for _, h := range created.Items {
		out[h.Room] = h.ID
	}
	return out
}

func (w *residentWorld) openRound(estateID, title string) string {
	var round struct {
		ID string `json:"id"`
	}
	w.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/rounds", w.admin, map[string]any{"title": title, "kind": "willingness"}).decode(w.t, &round)
	w.srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/open", w.admin, nil)
	return round.ID
}

// loginResponse is the answer of the WeChat login.
type loginResponse struct {
	AccessToken  string           `json:"access_token"`
	RefreshToken string           `json:"refresh_token"`
	Resident     residentResponse `json:"resident"`
}

// login logs a resident in through the fake WeChat and returns the answer.
func (w *residentWorld) login(openid string) loginResponse {
	w.t.Helper()
	var out loginResponse
	w.srv.must(http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": w.fake.LoginCode(openid, "")}).decode(w.t, &out)
	return out
}

var bindingCodePattern = regexp.MustCompile(`^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$`)

// bindingCode has the worker issue a code for a room's household.
func (w *residentWorld) bindingCode(room string) string {
	w.t.Helper()
	var out bindingCodeResponse
	w.srv.must(http.StatusCreated, "POST", w.bindingCodesPath(room), w.worker, nil).decode(w.t, &out)
	if !bindingCodePattern.MatchString(out.Code) {
		w.t.Fatalf("binding code %q is not 8 characters of the unambiguous alphabet", out.Code)
	}
	return out.Code
}

func (w *residentWorld) bindingCodesPath(room string) string {
	return fmt.Sprintf("/api/v1/estates/%s/households/%s/binding-codes", w.estateID, w.household[room])
}

// bind logs a resident in and binds them to the rooms' households.
func (w *residentWorld) bind(openid string, rooms ...string) (token, residentID string) {
	w.t.Helper()
	login := w.login(openid)
	for _, room := range rooms {
		w.srv.must(http.StatusCreated, "POST", "/api/v1/me/bindings", login.AccessToken, map[string]string{"code": w.bindingCode(room)})
	}
	return login.AccessToken, login.Resident.ID
}

// bindAs logs a resident in and binds them to the rooms' households with
// the given relation.
func (w *residentWorld) bindAs(openid, relation string, rooms ...string) (token, residentID string) {
	w.t.Helper()
	login := w.login(openid)
	for _, room := range rooms {
		w.srv.must(http.StatusCreated, "POST", "/api/v1/me/bindings", login.AccessToken,
			map[string]string{"code": w.bindingCode(room), "relation": relation})
	}
	return login.AccessToken, login.Resident.ID
}

func (w *residentWorld) mySignOffPath() string { return "/api/v1/rounds/" + w.roundID + "/my-signoff" }

// myRounds returns the resident's rounds.
func (w *residentWorld) myRounds(token string) []myRoundJSON {
	w.t.Helper()
	var out listResponse[myRoundJSON]
	w.srv.must(http.StatusOK, "GET", "/api/v1/me/rounds", token, nil).decode(w.t, &out)
	return out.Items
}

// staffSignOff records a paper sign-off for a room.
func (w *residentWorld) staffSignOff(room, decision, signer string) {
	w.t.Helper()
	w.srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.household[room], w.worker,
		map[string]string{"decision": decision, "channel": "paper", "signer_name": signer})
}

// tallyCounts returns the round's participated and agree household counts,
// recounted from the rows by the admin, and fails when the counters disagree.
func (w *residentWorld) tallyCounts() (participated, agree int64) {
	w.t.Helper()
	var tally struct {
		Participated struct{ Households int64 } `json:"participated"`
		Decisions    map[string]struct {
			Households int64 `json:"households"`
		} `json:"decisions"`
		Recount *struct {
			Matches bool `json:"matches"`
		} `json:"recount"`
	}
	w.srv.must(http.StatusOK, "GET", "/api/v1/rounds/"+w.roundID+"/tally?recount=true", w.admin, nil).decode(w.t, &tally)
	if tally.Recount == nil || !tally.Recount.Matches {
		w.t.Fatalf("the recount does not match the counters: %+v", tally.Recount)
	}
	return tally.Participated.Households, tally.Decisions["agree"].Households
}

// expectCode fails unless the response has the status and error code.
func expectCode(t *testing.T, resp *testResponse, status int, code string) {
	t.Helper()
	if resp.Status != status || resp.errorCode() != code {
		t.Fatalf("status %d code %q, want %d %q: %s", resp.Status, resp.errorCode(), status, code, resp.Body)
	}
}
