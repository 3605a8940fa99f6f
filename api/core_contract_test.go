package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// contractFlow walks the core contract the way its users do: an admin sets
// up an estate and its staff, a worker loads the roster and records paper
// and door sign-offs, everyone reads the tally, and the round is closed.
// Every response on the way is validated against openapi.yaml by the harness.
type contractFlow struct {
	t     *testing.T
	srv   *testServer
	clock *workersClock // the service's clock, moved by hand

	admin, worker, designer string // access tokens
	workerID, designerID    string
	estateID                string
	household               map[string]householdResponse // by room
	roundID                 string                       // the two-80 round that is opened and closed
	customRoundID           string                       // a draft round that stays a draft
}

// roster is the estate's households: room → building, unit, area, eligible.
// Room 106 is not eligible; the electorate of a whole-estate round is the
// other seven households, 614.5 m² in all.
var roster = []struct {
	room, building, area, owner, phone string
	eligible                           bool
}{
	{"101", "1", "80.5", "张三丰", "13812341234", true},
	{"102", "1", "90", "李四", "13812345678", true},
	{"103", "1", "75.25", "王五", "13900001111", true},
	{"104", "1", "100", "赵六", "13900002222", true},
	{"105", "1", "60", "钱七", "13900003333", true},
	{"106", "1", "50", "孙八", "13900004444", false},
	{"201", "2", "120.75", "周九", "13900005555", true},
	{"202", "2", "88", "吴十", "13900006666", true},
}

func TestCoreContract(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		clock := &workersClock{now: time.Now().UTC()}
		f := &contractFlow{t: t, srv: newTestServerAt(t, db, clock), clock: clock, household: map[string]householdResponse{}}
		f.health()
		f.staffAndEstate()
		f.loadRoster()
		f.listAndEditRoster()
		f.createRounds()
		f.openRound()
		f.recordSignOffs()
		f.checkOpenTally()
		f.idempotentSignOff()
		f.closeRound()
		f.otherEstateSeesNothing()
	})
}

func (f *contractFlow) health() {
	var h struct{ Status string }
	f.srv.must(http.StatusOK, "GET", "/healthz", "", nil).decode(f.t, &h)
	if h.Status != "ok" {
		f.t.Errorf("healthz status %q", h.Status)
	}
	f.srv.must(http.StatusOK, "GET", "/readyz", "", nil)
	f.srv.must(http.StatusOK, "GET", "/openapi.yaml", "", nil)
}

func (f *contractFlow) staffAndEstate() {
	s, t := f.srv, f.t
	f.admin = s.adminToken()
	f.workerID, f.worker = s.staff(f.admin, "worker1", "worker")
	f.designerID, f.designer = s.staff(f.admin, "designer1", "designer")
	expectError(t, s.call("POST", "/api/v1/users", f.admin, map[string]string{
		"username": "worker1", "password": "another-password", "role": "worker"}), http.StatusConflict, "duplicate_username")
	expectError(t, s.call("POST", "/api/v1/users", f.worker, map[string]string{
		"username": "x-user", "password": "another-password", "role": "worker"}), http.StatusForbidden, "forbidden")

	var users listResponse[userResponse]
	s.must(http.StatusOK, "GET", "/api/v1/users?limit=2", f.admin, nil).decode(t, &users)
	if len(users.Items) != 2 || users.NextCursor == "" {
		t.Fatalf("users page 1: %d items, next_cursor %q; want 2 and a cursor", len(users.Items), users.NextCursor)
	}
	var lastUsers listResponse[userResponse]
	s.must(http.StatusOK, "GET", "/api/v1/users?limit=2&cursor="+users.NextCursor, f.admin, nil).decode(t, &lastUsers)
	if len(lastUsers.Items) != 1 || lastUsers.NextCursor != "" || lastUsers.Items[0].ID == users.Items[1].ID {
		t.Fatalf("users page 2: %d items, next_cursor %q; want 1 new one and no cursor", len(lastUsers.Items), lastUsers.NextCursor)
	}

	var estate estateResponse
	s.must(http.StatusCreated, "POST", "/api/v1/estates", f.admin, map[string]any{
		"name": "幸福里小区", "code": "xingfuli", "district": "江汉区", "built_year": 1988}).decode(t, &estate)
	f.estateID = estate.ID
	if estate.Code != "xingfuli" || estate.BuiltYear == nil || *estate.BuiltYear != 1988 {
		t.Fatalf("created estate %+v", estate)
	}
	expectError(t, s.call("POST", "/api/v1/estates", f.admin, map[string]any{"name": "重名", "code": "xingfuli"}),
		http.StatusConflict, "duplicate_code")
	s.must(http.StatusOK, "PATCH", "/api/v1/estates/"+f.estateID, f.admin, map[string]string{"address": "幸福路1号"}).decode(t, &estate)
	if estate.Address != "幸福路1号" || estate.Name != "幸福里小区" {
		t.Errorf("patched estate %+v", estate)
	}
	s.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+f.estateID+"/staff/"+f.workerID, f.admin, map[string]string{"role": "worker"})
	s.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+f.estateID+"/staff/"+f.designerID, f.admin, map[string]string{"role": "designer"})
	var visible listResponse[estateResponse]
	s.must(http.StatusOK, "GET", "/api/v1/estates", f.worker, nil).decode(t, &visible)
	if len(visible.Items) != 1 || visible.Items[0].ID != f.estateID {
		t.Errorf("the worker sees %d estates, want exactly the assigned one", len(visible.Items))
	}
	s.must(http.StatusOK, "GET", "/api/v1/estates/"+f.estateID, f.designer, nil)
}

func (f *contractFlow) loadRoster() {
	s, t := f.srv, f.t
	items := make([]string, len(roster))
	for i, h := range roster {
		items[i] = fmt.Sprintf(`{"building":%q,"unit":"1","room":%q,"area_m2":%s,"owner_name":%q,"phone":%q,"eligible":%v}`,
			h.building, h.room, h.area, h.owner, h.phone, h.eligible)
	}
	var created createHouseholdsResponse
	s.must(http.StatusCreated, "POST", f.householdsPath(), f.worker, `{"items":[`+strings.Join(items, ",")+`]}`).decode(t, &created)
	if created.Created != len(roster) || len(created.Items) != len(roster) {
		t.Fatalf("created %d households, want %d", created.Created, len(roster))
	}
	for _, h := range created.Items {
		f.household[h.Room] = h
	}
	if got := f.household["103"]; got.AreaM2 != 7525 || got.Occupancy != "owner" || !got.Eligible {
		t.Errorf("household 103 = %+v, want 75.25 m², owner, eligible", got)
	}
	var ineligible householdResponse
	s.must(http.StatusOK, "GET", "/api/v1/households/"+f.household["106"].ID, f.worker, nil).decode(t, &ineligible)
	if f.household["106"].Eligible || ineligible.Eligible {
		t.Errorf("household 106 was created with eligible false but is stored as eligible")
	}
	// A batch with one repeated room is refused as a whole.
	expectError(t, s.call("POST", f.householdsPath(), f.worker,
		`{"items":[{"building":"3","unit":"1","room":"301","area_m2":70},{"building":"1","unit":"1","room":"101","area_m2":70}]}`),
		http.StatusConflict, "duplicate_household")
	var all listResponse[householdResponse]
	s.must(http.StatusOK, "GET", f.householdsPath()+"?building=3", f.worker, nil).decode(t, &all)
	if len(all.Items) != 0 {
		t.Errorf("a refused batch left %d households behind", len(all.Items))
	}
	bad := expectError(t, s.call("POST", f.householdsPath(), f.worker,
		`{"items":[{"building":"3","unit":"1","room":"302","area_m2":12.345}]}`), http.StatusUnprocessableEntity, "validation_failed")
	if bad.Error.Fields["area_m2"] == "" {
		t.Errorf("a third decimal: fields %v do not name area_m2", bad.Error.Fields)
	}
	bad = expectError(t, s.call("POST", f.householdsPath(), f.worker,
		`{"items":[{"building":"3","unit":"1","room":"303","area_m2":70,"floor":3}]}`), http.StatusUnprocessableEntity, "unknown_field")
	if _, ok := bad.Error.Fields["floor"]; !ok {
		t.Errorf("an unknown field: fields %v do not name floor", bad.Error.Fields)
	}
	bad = expectError(t, s.call("POST", f.householdsPath(), f.worker,
		`{"items":[{"building":"3","unit":"1","room":"304","area_m2":70,"occupancy":"squatted"}]}`), http.StatusUnprocessableEntity, "validation_failed")
	if bad.Error.Fields["items[0].occupancy"] == "" && bad.Error.Fields["occupancy"] == "" {
		t.Errorf("a wrong occupancy: fields %v do not name occupancy", bad.Error.Fields)
	}
	expectError(t, s.call("POST", f.householdsPath(), f.designer, `{"items":[{"building":"3","unit":"1","room":"305","area_m2":70}]}`),
		http.StatusForbidden, "forbidden")
}

func (f *contractFlow) listAndEditRoster() {
	s, t := f.srv, f.t
	var page1, page2 listResponse[householdResponse]
	s.must(http.StatusOK, "GET", f.householdsPath()+"?limit=1", f.worker, nil).decode(t, &page1)
	if len(page1.Items) != 1 || page1.NextCursor == "" {
		t.Fatalf("limit=1: %d items, next_cursor %q", len(page1.Items), page1.NextCursor)
	}
	s.must(http.StatusOK, "GET", f.householdsPath()+"?limit=1&cursor="+page1.NextCursor, f.worker, nil).decode(t, &page2)
	if len(page2.Items) != 1 || page2.Items[0].ID == page1.Items[0].ID {
		t.Fatalf("the second page repeats the first: %+v", page2.Items)
	}
	var building2 listResponse[householdResponse]
	s.must(http.StatusOK, "GET", f.householdsPath()+"?building=2&unit=1", f.worker, nil).decode(t, &building2)
	if len(building2.Items) != 2 || building2.NextCursor != "" {
		t.Errorf("building 2 has %d households listed, want 2 on one page", len(building2.Items))
	}
	expectError(t, s.call("GET", f.householdsPath()+"?limit=0", f.worker, nil), http.StatusUnprocessableEntity, "validation_failed")
	expectError(t, s.call("GET", f.householdsPath()+"?cursor=%21%21", f.worker, nil), http.StatusUnprocessableEntity, "validation_failed")

	var patched householdResponse
	id202 := f.household["202"].ID
	s.must(http.StatusOK, "PATCH", "/api/v1/households/"+id202, f.worker, map[string]any{"phone": "13912345678", "occupancy": "rented"}).decode(t, &patched)
	if patched.Phone != "13912345678" || patched.Occupancy != "rented" || patched.AreaM2 != 8800 {
		t.Errorf("patched household %+v", patched)
	}

	// Designers reach no household at all (issue 11): no room, name or phone.
	expectError(t, s.call("GET", "/api/v1/households/"+f.household["101"].ID, f.designer, nil), http.StatusForbidden, "forbidden")
	expectError(t, s.call("GET", f.householdsPath(), f.designer, nil), http.StatusForbidden, "forbidden")
	var full householdResponse
	s.must(http.StatusOK, "GET", "/api/v1/households/"+f.household["101"].ID, f.worker, nil).decode(t, &full)
	if full.OwnerName != "张三丰" || full.Phone != "13812341234" {
		t.Errorf("the worker sees owner %q phone %q, want them in full", full.OwnerName, full.Phone)
	}
	expectError(t, s.call("PATCH", "/api/v1/households/"+id202, f.designer, map[string]any{"phone": "1"}), http.StatusForbidden, "forbidden")
}

func (f *contractFlow) createRounds() {
	s, t := f.srv, f.t
	var round roundResponse
	resp := s.must(http.StatusCreated, "POST", f.roundsPath(), f.worker, map[string]any{"title": "加装电梯意愿征询", "kind": "willingness"})
	resp.decode(t, &round)
	f.roundID = round.ID
	if round.Status != "draft" || round.Rule.Preset != "two-80" || len(round.Rule.Checks) != 2 || round.RuleText == "" || round.Seq != 1 {
		t.Errorf("default round: status %s preset %s with %d checks, rule_text %q, seq %d", round.Status, round.Rule.Preset, len(round.Rule.Checks), round.RuleText, round.Seq)
	}
	if !strings.Contains(string(resp.Body), `"electorate":null`) || round.OpenedAt != nil {
		t.Errorf("a draft round shows an electorate or an opening time: %s", resp.Body)
	}
	for preset, wantChecks := range map[string]int{"civil-code-major": 4, "civil-code-ordinary": 4} {
		s.must(http.StatusCreated, "POST", f.roundsPath(), f.admin, map[string]any{
			"title": "方案征询 " + preset, "kind": "plan", "rule": map[string]string{"preset": preset}}).decode(t, &round)
		if round.Rule.Preset != preset || len(round.Rule.Checks) != wantChecks {
			t.Errorf("preset %s: got %s with %d checks", preset, round.Rule.Preset, len(round.Rule.Checks))
		}
	}
	custom := map[string]any{"title": "一单元加装电梯", "kind": "plan", "scope": map[string]string{"building": "1", "unit": "1"},
		"rule": map[string]any{"preset": "custom", "checks": []map[string]any{
			{"name": "unit_area_agree", "measure": "area", "base": "electorate", "ratio": "2/3", "of": "agree"}}}}
	expectError(t, s.call("POST", f.roundsPath(), f.worker, custom), http.StatusForbidden, "custom_rule_admin_only")
	s.must(http.StatusCreated, "POST", f.roundsPath(), f.admin, custom).decode(t, &round)
	f.customRoundID = round.ID
	if round.Rule.Preset != "custom" || len(round.Rule.Checks) != 1 || round.Rule.Checks[0].Ratio != "2/3" || round.Scope.Unit != "1" {
		t.Errorf("custom round: %+v", round)
	}
	for _, badRule := range []struct {
		rule  map[string]any
		field string
	}{
		{map[string]any{"preset": "custom", "checks": []any{}}, "rule.checks"},
		{map[string]any{"preset": "custom", "checks": []map[string]any{{"measure": "rooms", "base": "electorate", "ratio": "80%"}}}, "rule.checks[0].measure"},
		{map[string]any{"preset": "three-90"}, "rule.preset"},
	} {
		bad := expectError(t, s.call("POST", f.roundsPath(), f.worker, map[string]any{"title": "坏规则", "kind": "plan", "rule": badRule.rule}),
			http.StatusUnprocessableEntity, "validation_failed")
		if bad.Error.Fields[badRule.field] == "" {
			t.Errorf("rule %v: fields %v do not name %s", badRule.rule, bad.Error.Fields, badRule.field)
		}
	}
	bad := expectError(t, s.call("POST", f.roundsPath(), f.worker, map[string]any{"title": "x", "kind": "vote"}), http.StatusUnprocessableEntity, "validation_failed")
	if bad.Error.Fields["kind"] == "" {
		t.Errorf("a wrong kind: fields %v do not name kind", bad.Error.Fields)
	}
	expectError(t, s.call("PATCH", "/api/v1/rounds/"+f.customRoundID, f.worker, map[string]string{"title": "x"}), http.StatusForbidden, "custom_rule_admin_only")
	s.must(http.StatusOK, "PATCH", "/api/v1/rounds/"+f.customRoundID, f.admin, map[string]string{"title": "一单元加装电梯（修订）"}).decode(t, &round)
	if round.Title != "一单元加装电梯（修订）" || round.Status != "draft" {
		t.Errorf("patched draft round: title %q status %s", round.Title, round.Status)
	}
	var rounds listResponse[roundResponse]
	s.must(http.StatusOK, "GET", f.roundsPath(), f.designer, nil).decode(t, &rounds)
	if len(rounds.Items) != 4 {
		t.Errorf("the estate lists %d rounds, want 4", len(rounds.Items))
	}
}

func (f *contractFlow) openRound() {
	s, t := f.srv, f.t
	var round roundResponse
	expectError(t, s.call("POST", "/api/v1/rounds/"+f.roundID+"/open?force=false", f.worker, nil), http.StatusForbidden, "forbidden")
	s.must(http.StatusOK, "POST", "/api/v1/rounds/"+f.roundID+"/open?force=false", f.admin, nil).decode(t, &round)
	if round.Status != "open" || round.OpenedAt == nil || round.Electorate == nil {
		t.Fatalf("opened round: %+v", round)
	}
	if round.Electorate.Households != 7 || round.Electorate.AreaM2 != 61450 {
		t.Errorf("electorate %+v, want 7 households and 614.5 m² (room 106 is not eligible)", *round.Electorate)
	}
	expectError(t, s.call("POST", "/api/v1/rounds/"+f.roundID+"/open", f.admin, nil), http.StatusConflict, "round_not_draft")
	expectError(t, s.call("PATCH", "/api/v1/rounds/"+f.roundID, f.worker, map[string]string{"title": "改名"}), http.StatusConflict, "round_not_draft")

	// The electorate is frozen: a household added or made ineligible now does not move it.
	var added createHouseholdsResponse
	s.must(http.StatusCreated, "POST", f.householdsPath(), f.worker,
		`{"items":[{"building":"2","unit":"1","room":"203","area_m2":66.6}]}`).decode(t, &added)
	f.household["203"] = added.Items[0]
	s.must(http.StatusOK, "PATCH", "/api/v1/households/"+f.household["105"].ID, f.worker, map[string]bool{"eligible": false})
	s.must(http.StatusOK, "GET", "/api/v1/rounds/"+f.roundID, f.designer, nil).decode(t, &round)
	if round.Electorate == nil || round.Electorate.Households != 7 || round.Electorate.AreaM2 != 61450 {
		t.Errorf("after roster changes the electorate is %+v, want it frozen at 7 and 614.5 m²", round.Electorate)
	}
}

// signOff records a decision as the worker and returns the sign-off.
func (f *contractFlow) signOff(room, decision, channel string) signOffResponse {
	f.t.Helper()
	var so signOffResponse
	f.srv.must(http.StatusOK, "PUT", f.signOffPath(room), f.worker, map[string]string{
		"decision": decision, "channel": channel, "signer_name": "户主" + room}).decode(f.t, &so)
	return so
}

func (f *contractFlow) recordSignOffs() {
	s, t := f.srv, f.t
	first := f.signOff("101", "agree", "paper")
	if first.Version != 1 || first.Decision != "agree" || first.Channel != "paper" || first.Building != "1" || first.RoundID != f.roundID {
		t.Errorf("first sign-off %+v", first)
	}
	f.signOff("102", "agree", "door")
	f.signOff("103", "agree", "paper")
	f.signOff("104", "abstain", "door")
	f.signOff("201", "disagree", "paper")
	if changed := f.signOff("201", "agree", "door"); changed.Version != 2 || changed.Decision != "agree" {
		t.Errorf("changed sign-off: version %d decision %s, want 2 agree", changed.Version, changed.Decision)
	}
	// 105 agrees, changes its mind, then withdraws: three history entries.
	f.signOff("105", "agree", "door")
	f.signOff("105", "disagree", "door")
	s.must(http.StatusNoContent, "DELETE", f.signOffPath("105"), f.worker, nil)
	expectError(t, s.call("DELETE", f.signOffPath("105"), f.worker, nil), http.StatusNotFound, "signoff_not_found")
	var history listResponse[signOffEventResponse]
	s.must(http.StatusOK, "GET", f.signOffPath("105")+"/history", f.worker, nil).decode(t, &history)
	var steps []string
	for _, e := range history.Items {
		steps = append(steps, fmt.Sprintf("v%d %s→%s by %s", e.Version, e.OldDecision, e.NewDecision, e.ActorRole))
	}
	if want := "v1 →agree by worker, v2 agree→disagree by worker, v3 disagree→withdrawn by worker"; strings.Join(steps, ", ") != want {
		t.Errorf("history of 105: %s\nwant %s", strings.Join(steps, ", "), want)
	}

	expectError(t, s.call("PUT", f.signOffPath("106"), f.worker, map[string]string{"decision": "agree", "channel": "paper", "signer_name": "孙八"}),
		http.StatusNotFound, "household_not_in_round")
	expectError(t, s.call("PUT", f.signOffPath("203"), f.worker, map[string]string{"decision": "agree", "channel": "paper", "signer_name": "新住户"}),
		http.StatusNotFound, "household_not_in_round")
	expectError(t, s.call("PUT", f.signOffPath("202"), f.designer, map[string]string{"decision": "agree", "channel": "paper", "signer_name": "吴十"}),
		http.StatusForbidden, "forbidden")
	bad := expectError(t, s.call("PUT", f.signOffPath("202"), f.worker, map[string]string{"decision": "maybe", "channel": "fax", "signer_name": "吴十"}),
		http.StatusUnprocessableEntity, "validation_failed")
	if bad.Error.Fields["decision"] == "" || bad.Error.Fields["channel"] == "" {
		t.Errorf("a wrong decision and channel: fields %v", bad.Error.Fields)
	}
	expectError(t, s.call("PUT", f.roundSignOffPath(f.customRoundID, "101"), f.worker,
		map[string]string{"decision": "agree", "channel": "paper", "signer_name": "张三丰"}), http.StatusConflict, "round_not_open")

	var agreed listResponse[signOffResponse]
	s.must(http.StatusOK, "GET", "/api/v1/rounds/"+f.roundID+"/signoffs?decision=agree", f.worker, nil).decode(t, &agreed)
	if len(agreed.Items) != 4 {
		t.Errorf("%d agreeing sign-offs listed, want 4 (101, 102, 103, 201)", len(agreed.Items))
	}
	var page listResponse[signOffResponse]
	s.must(http.StatusOK, "GET", "/api/v1/rounds/"+f.roundID+"/signoffs?building=1&limit=3", f.admin, nil).decode(t, &page)
	if len(page.Items) != 3 || page.NextCursor == "" {
		t.Errorf("building 1, limit 3: %d items, next_cursor %q; want 3 and a cursor (4 decisions)", len(page.Items), page.NextCursor)
	}
	expectError(t, s.call("GET", "/api/v1/rounds/"+f.roundID+"/signoffs", f.designer, nil), http.StatusForbidden, "forbidden")
}

func (f *contractFlow) householdsPath() string {
	return "/api/v1/estates/" + f.estateID + "/households"
}
func (f *contractFlow) roundsPath() string { return "/api/v1/estates/" + f.estateID + "/rounds" }
func (f *contractFlow) signOffPath(room string) string {
	return f.roundSignOffPath(f.roundID, room)
}
func (f *contractFlow) roundSignOffPath(roundID, room string) string {
	return "/api/v1/rounds/" + roundID + "/signoffs/" + f.household[room].ID
}

// expectError fails unless the response is the error envelope with this
// status and code, and returns the envelope.
func expectError(t *testing.T, resp *testResponse, status int, code string) errorBody {
	t.Helper()
	var env errorBody
	resp.decode(t, &env)
	if resp.Status != status || env.Error.Code != code {
		t.Fatalf("got %d %q, want %d %q: %s", resp.Status, env.Error.Code, status, code, resp.Body)
	}
	if env.Error.Message == "" {
		t.Errorf("error %s has no message", code)
	}
	return env
}
