package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
	"minyi/wechat/wechattest"
)

// sampleBodies are valid JSON requests of the write routes, keyed "METHOD
// path"; {name} stands for the id of the world's object of that path
// parameter (see roleWorld.params). The route × role table sends them so
// that only authorisation can refuse a caller; the fuzz test seeds its
// corpus with them. A write route without a sample is sent "{}".
var sampleBodies = map[string]string{
	"POST /api/v1/auth/login":                                                `{"username":"admin","password":"not-the-password"}`,
	"POST /api/v1/auth/refresh":                                              `{"refresh_token":"made-up-refresh-token"}`,
	"POST /api/v1/auth/logout":                                               `{"refresh_token":"made-up-refresh-token"}`,
	"POST /api/v1/auth/wechat":                                               `{"code":"not-a-wechat-code"}`,
	"POST /api/v1/users":                                                     `{"username":"sample-user","password":"sample-password","role":"worker","display_name":"样例"}`,
	"PATCH /api/v1/users/:user_id":                                           `{"display_name":"改过的名字"}`,
	"POST /api/v1/estates":                                                   `{"name":"样例小区","code":"sample-estate"}`,
	"PATCH /api/v1/estates/:estate_id":                                       `{"district":"东城区"}`,
	"PUT /api/v1/estates/:estate_id/staff/:user_id":                          `{"role":"worker"}`,
	"POST /api/v1/estates/:estate_id/households":                             `{"items":[{"building":"9","unit":"1","room":"901","area_m2":70.25,"owner_name":"样例","phone":"13900009010"}]}`,
	"PATCH /api/v1/households/:household_id":                                 `{"owner_name":"新业主"}`,
	"POST /api/v1/estates/:estate_id/rounds":                                 `{"title":"二期征询","kind":"willingness"}`,
	"PATCH /api/v1/rounds/:round_id":                                         `{"title":"改过的标题"}`,
	"POST /api/v1/rounds/:round_id/close":                                    `{"reason":"提前结束的理由"}`,
	"POST /api/v1/rounds/:round_id/result-objections":                        `{"text":"结果统计有误","household_id":"{household_id}"}`,
	"POST /api/v1/result-objections/:result_objection_id/resolution":         `{"outcome":"rejected","explanation":"经核对无误"}`,
	"PUT /api/v1/rounds/:round_id/signoffs/:household_id":                    `{"decision":"agree","channel":"paper","signer_name":"业主","comment":"同意"}`,
	"POST /api/v1/estates/:estate_id/objections":                             `{"household_id":"{household_id}","category":"drainage","plan_item":"雨水管","content":"楼道积水","photos":[]}`,
	"POST /api/v1/objections/:objection_id/response":                         `{"outcome":"not_adopted","explanation":"管线位置无法调整","public_summary":"居民希望调整管线位置"}`,
	"POST /api/v1/objections/:objection_id/follow-up":                        `{"satisfied":true,"note":"已回访"}`,
	"PATCH /api/v1/objections/:objection_id":                                 `{"due_at":"2030-01-01T00:00:00+08:00"}`,
	"PUT /api/v1/objections/:objection_id/my-confirmation":                   `{"satisfied":true}`,
	"POST /api/v1/estates/:estate_id/revisions":                              `{"title":"修订二","summary":"说明","changes":"变更","addresses":[]}`,
	"POST /api/v1/me/bindings":                                               `{"code":"ABCDEFGH"}`,
	"POST /api/v1/me/phone":                                                  `{"code":"not-a-phone-code"}`,
	"PUT /api/v1/rounds/:round_id/my-signoff":                                `{"decision":"agree"}`,
	"POST /api/v1/moderation/:item_id/review":                                `{"outcome":"reject"}`,
	"POST /api/v1/rounds/:round_id/visits":                                   `{"household_id":"{household_id}","outcome":"not_home","note":"敲门无人"}`,
	"POST /api/v1/rounds/:round_id/sync":                                     `{"records":[{"client_id":"c-1","type":"visit","household_id":"{household_id}","recorded_at":"2026-03-01T10:00:00+08:00","outcome":"not_home"}]}`,
	"POST /api/v1/estates/:estate_id/households/:household_id/binding-codes": `{}`,
	"POST /api/v1/estates/:estate_id/surveys":                                `{"template":"xuchang-satisfaction"}`,
	"PUT /api/v1/surveys/:survey_id/my-response":                             `{"answers":[{"question_id":"q","choice":"好"}]}`,
	"PUT /api/v1/surveys/:survey_id/responses/:household_id":                 `{"answers":[{"question_id":"q","choice":"不好"}]}`,
}

// sampleBody returns a route's sample request with the world's ids filled
// in, or "{}" when it has none.
func sampleBody(rt Route, params map[string]string) string {
	body, ok := sampleBodies[rt.Method+" "+rt.Path]
	if !ok {
		return "{}"
	}
	for name, id := range params {
		body = strings.ReplaceAll(body, "{"+name+"}", id)
	}
	return body
}

// edgeBodies are malformed or hostile bodies every write route is seeded with.
var edgeBodies = []string{
	``, `{}`, `null`, `[]`, `"text"`, `0`, `{`, `{"a":`, `{"items":null}`, `{"items":[null]}`,
	`{"title":1e309}`, `{"area_m2":-1e308}`, `{"area_m2":1.7976931348623157e308}`, `{"area_m2":"80"}`,
	`{"name":"\u0000\ud800"}`, `{"title":"` + strings.Repeat("长", 300) + `"}`,
	`{"decision":["agree"]}`, `{"records":[{}]}`, `{"records":[{"type":"signoff","recorded_at":"9999-99-99"}]}`,
	`{"code":"dev:x"}`, `{"refresh_token":""}`, `{"outcome":{}}`, `{"satisfied":"yes"}`,
	`{"items":[{"building":"1","unit":"1","room":"1","area_m2":0.001}]}`,
	`{"a":{"b":{"c":{"d":{"e":{"f":{"g":[[[[[[[[[[]]]]]]]]]]}}}}}}}`,
	"{\"title\":\"x\"}\n{\"title\":\"y\"}", `{"title":"x","title":"y"}`, "\xef\xbb\xbf{}", "\xff\xfe",
}

// fuzzWorld is a server over one SQLite database with an estate and one
// object of each kind, and the tokens of an admin and a bound resident.
type fuzzWorld struct {
	handler  http.Handler
	admin    string
	resident string
	params   map[string]string
	routes   []Route // the POST, PUT and PATCH routes
}

// send calls the router and returns the status and body.
func (w *fuzzWorld) send(method, path, token string, body []byte) (int, []byte, http.Header) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), rec.Header()
}

// mustSend calls the router and stops the test unless the status is the wanted one.
func (w *fuzzWorld) mustSend(tb testing.TB, want int, method, path, token string, body any, dst any) {
	tb.Helper()
	raw, _ := json.Marshal(body)
	if body == nil {
		raw = nil
	}
	status, out, _ := w.send(method, path, token, raw)
	if status != want {
		tb.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, out)
	}
	if dst != nil {
		if err := json.Unmarshal(out, dst); err != nil {
			tb.Fatal(err)
		}
	}
}

// newFuzzWorld builds the world through the API (the fuzz target runs many
// times on it, so it is built once).
func newFuzzWorld(tb testing.TB) *fuzzWorld {
	db := testdb.OpenSQLite(tb)
	svc := service.New(db, service.Config{JWTSecret: []byte(testJWTSecret)}, nil)
	fake := wechattest.NewServer(tb)
	svc.SetWeChat(fake.Client(tb))
	handler, a := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: tb.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	w := &fuzzWorld{handler: handler}
	ctx := context.Background()
	if _, _, err := svc.EnsureAdmin(ctx, "admin", "admin-password"); err != nil {
		tb.Fatal(err)
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
		Resident    struct {
			ID string `json:"id"`
		} `json:"resident"`
	}
	w.mustSend(tb, http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "admin-password"}, &tokens)
	w.admin = tokens.AccessToken
	var idOf struct {
		ID    string `json:"id"`
		Code  string `json:"code"`
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/users", w.admin, map[string]string{"username": "spare", "password": "spare-password", "role": "worker", "display_name": "备用"}, &idOf)
	userID := idOf.ID
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates", w.admin, map[string]string{"name": "模糊小区", "code": "fuzz"}, &idOf)
	estateID := idOf.ID
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/households", w.admin, map[string]any{"items": []map[string]any{
		{"building": "1", "unit": "1", "room": "101", "area_m2": 80, "phone": "13900001010"},
		{"building": "1", "unit": "1", "room": "102", "area_m2": 90}}}, &idOf)
	householdID := idOf.Items[0].ID
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/rounds", w.admin, map[string]string{"title": "征询", "kind": "willingness"}, &idOf)
	roundID := idOf.ID
	w.mustSend(tb, http.StatusOK, "POST", "/api/v1/rounds/"+roundID+"/open", w.admin, nil, nil)
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/objections", w.admin, map[string]any{
		"household_id": householdID, "category": "drainage", "content": "积水"}, &idOf)
	objectionID := idOf.ID
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/revisions", w.admin, map[string]any{
		"title": "修订", "summary": "说明", "changes": "变更", "addresses": []string{}}, &idOf)
	revisionID := idOf.ID
	w.mustSend(tb, http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": fake.LoginCode("openid-fuzz", "")}, &tokens)
	w.resident = tokens.AccessToken
	residentID := tokens.Resident.ID
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/estates/"+estateID+"/households/"+householdID+"/binding-codes", w.admin, nil, &idOf)
	w.mustSend(tb, http.StatusCreated, "POST", "/api/v1/me/bindings", w.resident, map[string]string{"code": idOf.Code}, nil)
	item := model.ModerationItem{ID: "0190f000-0000-7000-8000-00000000f001", EstateID: estateID, Status: "held",
		SubjectKind: "signoff_comment", SubjectID: "0190f000-0000-7000-8000-00000000f002", Text: "待审核",
		AuthorKind: "resident", AuthorID: residentID, CreatedAt: time.Now().UTC()}
	if err := db.Gorm.Create(&item).Error; err != nil {
		tb.Fatal(err)
	}
	w.params = map[string]string{"estate_id": estateID, "household_id": householdID, "round_id": roundID, "user_id": userID,
		"resident_id": residentID, "objection_id": objectionID, "revision_id": revisionID, "item_id": item.ID, "code": "fuzz"}
	for _, rt := range a.Routes() {
		if rt.Method == http.MethodPost || rt.Method == http.MethodPut || rt.Method == http.MethodPatch {
			w.routes = append(w.routes, rt)
		}
	}
	return w
}

// tokenFor is the token of a caller the route allows: the admin, or the
// resident for residents' routes, or none for public routes.
func (w *fuzzWorld) tokenFor(rt Route) string {
	switch {
	case rt.Action == service.ActPublic:
		return ""
	case service.RoleAllowed(rt.Action, service.RoleAdmin):
		return w.admin
	}
	return w.resident
}

// FuzzJSONRequests sends fuzzed JSON bodies to every POST, PUT and PATCH
// route of the real router (SQLite), as a caller the route allows, and
// fails on any 5xx (a panic is answered 500 by the recovery middleware), a
// request that takes over 10 s, or an answer openapi.yaml does not document. The input picks the route; the
// corpus is seeded with each route's sample body and the edge bodies.
func FuzzJSONRequests(f *testing.F) {
	w := newFuzzWorld(f)
	for i, rt := range w.routes {
		f.Add(uint16(i), []byte(sampleBody(rt, w.params)))
		for _, body := range edgeBodies {
			f.Add(uint16(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, routeIndex uint16, body []byte) {
		rt := w.routes[int(routeIndex)%len(w.routes)]
		path := pathParam.ReplaceAllStringFunc(rt.Path, func(p string) string {
			if id, ok := w.params[p[1:]]; ok {
				return id
			}
			return placeholderID
		})
		start := time.Now()
		status, out, header := w.send(rt.Method, path, w.tokenFor(rt), body)
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("%s %s with %q took %v: a request must not hang", rt.Method, rt.Path, body, took)
		}
		if status >= 500 {
			t.Fatalf("%s %s with %q: %d %s", rt.Method, rt.Path, body, status, out)
		}
		if err := checkResponseAgainstSpec(rt.Method, path, &testResponse{Status: status, Header: header, Body: out}); err != nil {
			t.Fatalf("%s %s with %q: %d does not match openapi.yaml: %v: %s", rt.Method, rt.Path, body, status, err, out)
		}
	})
}
