package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"minyi/model"
	"minyi/model/testdb"
)

// workersRound is the estate of newWorkersEnv with five households
// (1-1-101, 1-1-102, 1-2-101, 2-1-101, 2-1-102) and an open two-80 round.
// The service clock stands at opened, when the round opens, and then moves
// on an hour, so that offline records can be dated in between.
type workersRound struct {
	*workersEnv
	roundID string
	ids     map[string]string
	clock   *workersClock
	opened  time.Time
}

func newWorkersRoundEnv(t *testing.T, db *model.DB) *workersRound {
	t.Helper()
	clock := &workersClock{now: time.Now().UTC().Truncate(time.Second)}
	e := newWorkersEnvAt(t, db, clock)
	w := &workersRound{workersEnv: e, ids: map[string]string{}, clock: clock, opened: clock.Now()}
	var created createHouseholdsResponse
	e.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/households", e.admin, map[string]any{"items": []map[string]any{
		{"building": "1", "unit": "1", "room": "101", "area_m2": 80, "owner_name": "张三丰"},
		{"building": "1", "unit": "1", "room": "102", "area_m2": 90.5, "owner_name": "李四"},
		{"building": "1", "unit": "2", "room": "101", "area_m2": 70, "owner_name": "王五"},
		{"building": "2", "unit": "1", "room": "101", "area_m2": 60, "owner_name": "赵六"},
		{"building": "2", "unit": "1", "room": "102", "area_m2": 65.25, "owner_name": "钱七"},
	}}).decode(t, &created)
	for _, h := range created.Items {
		w.ids[h.Building+"-"+h.Unit+"-"+h.Room] = h.ID
	}
	var round roundResponse
	e.srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+e.estateID+"/rounds", e.worker,
		map[string]any{"title": "加装电梯意愿征询", "kind": "willingness"}).decode(t, &round)
	w.roundID = round.ID
	e.srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+w.roundID+"/open", e.admin, nil)
	clock.advance(time.Hour)
	return w
}

func (w *workersRound) path(suffix string) string { return "/api/v1/rounds/" + w.roundID + suffix }

// record is an offline record as the mini-program sends it.
func (w *workersRound) record(kind, address string, at time.Time, extra map[string]any) map[string]any {
	r := map[string]any{"client_id": uuid.NewString(), "type": kind, "household_id": w.ids[address],
		"recorded_at": at.In(shanghai).Format(time.RFC3339)}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func (w *workersRound) sync(token string, records ...map[string]any) syncResponse {
	w.t.Helper()
	var resp syncResponse
	w.srv.must(http.StatusOK, "POST", w.path("/sync"), token, map[string]any{"records": records}).decode(w.t, &resp)
	return resp
}

func TestWorkersVisitsSyncProgressRegister(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRoundEnv(t, db)
		s := w.srv

		// A visit at the door.
		var visit visitResponse
		s.must(http.StatusCreated, "POST", w.path("/visits"), w.worker, map[string]any{
			"household_id": w.ids["2-1-101"], "outcome": "not_home", "note": "晚上再来"}).decode(t, &visit)
		if visit.Outcome != "not_home" || visit.Channel != "api" || visit.Note != "晚上再来" {
			t.Errorf("visit = %+v", visit)
		}
		expectError(t, s.call("POST", w.path("/visits"), w.worker, map[string]any{"household_id": w.ids["2-1-101"], "outcome": "gone"}),
			http.StatusUnprocessableEntity, "validation_failed")
		expectError(t, s.call("POST", w.path("/visits"), w.designer, map[string]any{"household_id": w.ids["2-1-101"], "outcome": "refused"}),
			http.StatusForbidden, "forbidden")
		expectError(t, s.call("POST", w.path("/visits"), w.stranger, map[string]any{"household_id": w.ids["2-1-101"], "outcome": "refused"}),
			http.StatusNotFound, "round_not_found")

		// A day of offline work: two phones disagree about 1-1-101 (the later
		// says disagree), one record is sent twice, one is for no household.
		start := w.opened
		paper := func(decision string) map[string]any {
			return map[string]any{"decision": decision, "channel": "paper", "signer_name": "户主本人"}
		}
		later := w.record("signoff", "1-1-101", start.Add(20*time.Minute), paper("disagree"))
		earlier := w.record("signoff", "1-1-101", start.Add(10*time.Minute), paper("agree"))
		agree102 := w.record("signoff", "1-1-102", start.Add(5*time.Minute), paper("agree"))
		letter := w.srv.mustUpload(w.worker, "letter.png", testPNG(t))
		agree121 := w.record("signoff", "1-2-101", start.Add(6*time.Minute), map[string]any{
			"decision": "agree", "channel": "proxy", "signer_name": "王五之子", "principal_name": "王五", "evidence_upload_id": letter.ID})
		consulted := w.record("visit", "2-1-102", start.Add(7*time.Minute), map[string]any{"outcome": "consulted"})
		unknown := w.record("signoff", "1-1-101", start, paper("agree"))
		unknown["household_id"] = "0190f000-0000-7000-8000-0000000000ff" // canonical, but no such household
		badTime := w.record("signoff", "2-1-101", start, paper("agree"))
		badTime["recorded_at"] = "yesterday"
		report := w.sync(w.worker, later, earlier, agree102, agree121, consulted, agree102, unknown, badTime)
		wantStatus := []string{"applied", "applied", "applied", "applied", "applied", "duplicate", "rejected", "rejected"}
		for i, want := range wantStatus {
			if report.Results[i].Status != want {
				t.Fatalf("result %d = %+v, want %s", i, report.Results[i], want)
			}
		}
		if report.Results[0].SignOff == nil || report.Results[0].SignOff.Decision != "disagree" || report.Results[0].SignOff.Version != 2 {
			t.Errorf("the later record must win at version 2: %+v", report.Results[0])
		}
		if e := report.Results[6].Error; e == nil || e.Code != "household_not_in_round" || e.Message == "" {
			t.Errorf("unknown household = %+v", report.Results[6])
		}
		if e := report.Results[7].Error; e == nil || e.Code != "validation_failed" || e.Fields["recorded_at"] == "" {
			t.Errorf("bad time = %+v", report.Results[7])
		}
		if report.Applied != 5 || report.Duplicates != 1 || report.Rejected != 2 {
			t.Errorf("counts = %d/%d/%d", report.Applied, report.Duplicates, report.Rejected)
		}
		// The batch again: every applied record is a duplicate, nothing moves.
		again := w.sync(w.worker, later, earlier)
		if again.Duplicates != 2 || again.Results[0].FirstStatus != "applied" {
			t.Errorf("resent batch = %+v", again)
		}
		var history listResponse[signOffEventResponse]
		s.must(http.StatusOK, "GET", w.path("/signoffs/"+w.ids["1-1-101"]+"/history"), w.worker, nil).decode(t, &history)
		if len(history.Items) != 2 || history.Items[0].NewDecision != "agree" || history.Items[1].NewDecision != "disagree" ||
			history.Items[1].RequestID != "sync:"+later["client_id"].(string) || history.Items[1].Channel != "paper" {
			t.Fatalf("history = %+v", history.Items)
		}

		// The visits: the one at the door, then the synced one dated by the phone.
		var visits listResponse[visitResponse]
		s.must(http.StatusOK, "GET", w.path("/visits?limit=1"), w.worker, nil).decode(t, &visits)
		if len(visits.Items) != 1 || visits.Items[0].ID != visit.ID || visits.NextCursor == "" {
			t.Fatalf("visits page 1 = %+v", visits)
		}
		s.must(http.StatusOK, "GET", w.path("/visits?cursor="+visits.NextCursor), w.worker, nil).decode(t, &visits)
		if len(visits.Items) != 1 || visits.Items[0].Channel != "sync" || visits.Items[0].Outcome != "consulted" ||
			!time.Time(visits.Items[0].VisitedAt).Equal(start.Add(7*time.Minute)) {
			t.Fatalf("visits page 2 = %+v", visits)
		}
		s.must(http.StatusOK, "GET", w.path("/visits?household_id="+w.ids["1-1-101"]), w.worker, nil).decode(t, &visits)
		if len(visits.Items) != 0 {
			t.Errorf("1-1-101 has no visit, got %+v", visits.Items)
		}
		expectError(t, s.call("GET", w.path("/visits"), w.designer, nil), http.StatusForbidden, "forbidden")

		// Progress: E=5; visited 1-1-101, 1-1-102, 1-2-101 (sign-offs), 2-1-101 and 2-1-102 (visits) = 5;
		// participated 3 (agree 2, disagree 1). Two-80 needs P >= 4 and A >= 80% of P: one more
		// agreement gives 3 of 4 (75%), two give 4 of 5: two more agreements.
		var progress progressResponse
		s.must(http.StatusOK, "GET", w.path("/progress"), w.worker, nil).decode(t, &progress)
		want := progressCountsJSON{Electorate: 5, Visited: 5, Participated: 3, Agree: 2, Disagree: 1, Pending: 2, VisitRate: "100.00%"}
		if progress.progressCountsJSON != want || progress.Passed || progress.Shortfall.AgreeHouseholdsNeeded == nil ||
			*progress.Shortfall.AgreeHouseholdsNeeded != 2 {
			t.Fatalf("progress = %+v, shortfall %+v; want %+v and 2 more", progress.progressCountsJSON, progress.Shortfall, want)
		}
		first := progress.ByUnit[0]
		if first.Building != "2" || first.Pending != 2 || len(first.ToReach) != 2 || first.ToReach[0].OwnerName != "赵*" ||
			first.ToReach[0].LastVisitOutcome != "not_home" || first.ToReach[1].LastVisitOutcome != "consulted" {
			t.Fatalf("the unit most held back = %+v", first)
		}
		if len(progress.ByBuilding) != 2 || progress.ByBuilding[0].Building != "2" || progress.ByBuilding[1].Disagree != 1 {
			t.Errorf("buildings = %+v", progress.ByBuilding)
		}
		expectError(t, s.call("GET", w.path("/progress"), w.designer, nil), http.StatusForbidden, "forbidden")

		// The register, read back.
		resp := s.must(http.StatusOK, "GET", w.path("/export"), w.worker, nil)
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "signoff-register.xlsx") {
			t.Errorf("Content-Disposition = %q", resp.Header.Get("Content-Disposition"))
		}
		sheets := readSheets(t, resp.Body)
		rows := sheets["签字登记表"][1:] // under the title row (estate and round)
		if title := sheets["签字登记表"][0][0]; !strings.Contains(title, "签字登记表") || !strings.Contains(title, "第1轮") {
			t.Errorf("register title = %q", title)
		}
		if len(rows) != 6 || strings.Join(rows[0], ",") != "楼栋,单元,房号,面积,业主,意见,方式,签字人,时间,凭证" {
			t.Fatalf("register rows = %q", rows)
		}
		wantTime := start.Add(20 * time.Minute).In(shanghai).Format("2006-01-02 15:04:05")
		if got := strings.Join(rows[1], ","); got != "1,1,101,80.00,张三丰,反对,纸质签字,户主本人,"+wantTime {
			t.Errorf("register row 1 = %q, want the later paper decision at %s", got, wantTime)
		}
		if got := strings.Join(rows[3], ","); !strings.HasPrefix(got, "1,2,101,70.00,王五,同意,代签,王五之子,") ||
			!strings.HasSuffix(got, ",https://minyi.example.cn/api/v1/uploads/"+letter.ID) {
			t.Errorf("register row 3 = %q", got)
		}
		if got := strings.Join(rows[5], ","); got != "2,1,102,65.25,钱七,未表态" {
			t.Errorf("register row 5 = %q", got)
		}
		summary := map[string][]string{}
		for _, row := range sheets["汇总"] {
			if len(row) > 0 {
				summary[row[0]] = row[1:]
			}
		}
		checks := []struct{ label, want string }{
			{"应参与表决", "5 户，365.75 ㎡"}, {"同意", "2 户，160.50 ㎡"}, {"反对", "1 户，80.00 ㎡"},
			{"结论", "未通过"}, {"距通过", "还需 2 户同意"}, {"入户户数（走访或签字）", "5 户，入户率 100.00%"},
		}
		for _, c := range checks {
			if got := summary[c.label]; len(got) == 0 || got[0] != c.want {
				t.Errorf("summary %s = %q, want %q", c.label, got, c.want)
			}
		}
		if got := summary["参与表决户数占总户数"]; len(got) < 3 || got[0] != "80%" || got[1] != "60.00%" || got[2] != "未通过" {
			t.Errorf("participation check row = %q", got)
		}
		csvResp := s.must(http.StatusOK, "GET", w.path("/export?format=csv"), w.admin, nil)
		if !bytes.HasPrefix(csvResp.Body, []byte("\ufeff楼栋,单元,房号,面积,业主,意见")) || bytes.Count(csvResp.Body, []byte("\r\n")) != 6 {
			t.Errorf("register CSV = %q", csvResp.Body)
		}
		expectError(t, s.call("GET", w.path("/export"), w.stranger, nil), http.StatusNotFound, "round_not_found")

		// Once the round is closed, records are refused and the register keeps the frozen result.
		s.must(http.StatusOK, "POST", w.path("/close"), w.admin, nil)
		closed := w.sync(w.worker, w.record("signoff", "2-1-101", w.opened.Add(30*time.Minute), paper("agree")))
		if closed.Rejected != 1 || closed.Results[0].Error.Code != "round_not_open" {
			t.Fatalf("sync after close = %+v", closed)
		}
		expectError(t, s.call("POST", w.path("/visits"), w.worker, map[string]any{"household_id": w.ids["2-1-101"], "outcome": "refused"}),
			http.StatusConflict, "round_not_open")
		sheets = readSheets(t, s.must(http.StatusOK, "GET", w.path("/export"), w.worker, nil).Body)
		if fmt.Sprint(sheets["汇总"][4][1]) != "已结束（统计为结束时冻结的结果）；公示期中，结果尚未最终确定" {
			t.Errorf("closed register status = %q", sheets["汇总"][4])
		}
	})
}

func TestWorkersSyncRefusesWholeBatches(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRoundEnv(t, db)
		s := w.srv
		expectError(t, s.call("POST", w.path("/sync"), w.worker, map[string]any{"records": []any{}}), http.StatusUnprocessableEntity, "validation_failed")
		tooMany := make([]map[string]any, 1001)
		for i := range tooMany {
			tooMany[i] = map[string]any{"client_id": uuid.NewString(), "type": "visit", "household_id": "x", "recorded_at": "2026-01-01T00:00:00Z"}
		}
		expectError(t, s.call("POST", w.path("/sync"), w.worker, map[string]any{"records": tooMany}), http.StatusUnprocessableEntity, "validation_failed")
		expectError(t, s.call("POST", w.path("/sync"), w.worker, map[string]any{"records": []map[string]any{{"client_id": "x", "colour": "red"}}}),
			http.StatusUnprocessableEntity, "unknown_field")
		expectError(t, s.call("POST", "/api/v1/rounds/nope/sync", w.worker, map[string]any{"records": tooMany[:1]}), http.StatusNotFound, "round_not_found")
		expectError(t, s.call("POST", w.path("/sync"), w.designer, map[string]any{"records": tooMany[:1]}), http.StatusForbidden, "forbidden")
		// A draft round has no progress or register yet.
		var draft roundResponse
		s.must(http.StatusCreated, "POST", "/api/v1/estates/"+w.estateID+"/rounds", w.worker,
			map[string]any{"title": "第二轮", "kind": "plan"}).decode(t, &draft)
		expectError(t, s.call("GET", "/api/v1/rounds/"+draft.ID+"/progress", w.worker, nil), http.StatusConflict, "round_not_open")
		expectError(t, s.call("GET", "/api/v1/rounds/"+draft.ID+"/export", w.worker, nil), http.StatusConflict, "round_not_open")
	})
}
