package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
	"minyi/wechat/wechattest"
)

// storyYear carries one estate through its renovation year over HTTP, on a
// clock the test moves. It reuses residentWorld's helpers (WeChat login,
// binding codes) with the world built on that clock.
type storyYear struct {
	*residentWorld
	clock      *workersClock
	workerID   string
	supervisor string
	residents  map[string]string // room → resident token
	openids    map[string]string // room → WeChat openid
	boardETag  string
}

const storyCode = "xingfuli"

// newStoryYear is step 1: the admin creates the estate, its staff and ten households.
func newStoryYear(t *testing.T, db *model.DB) *storyYear {
	t.Helper()
	clock := &workersClock{now: time.Now().UTC().Truncate(time.Second)}
	srv := newTestServerAt(t, db, clock)
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	srv.svc.SetWeChat(client)
	srv.svc.SetModerator(service.WeChatModerator{Client: client})
	w := &residentWorld{t: t, srv: srv, fake: fake, household: map[string]string{}}
	s := &storyYear{residentWorld: w, clock: clock, residents: map[string]string{}, openids: map[string]string{}}
	s.login()
	workerID, _ := srv.staff(w.admin, "story-worker", "worker")
	designerID, _ := srv.staff(w.admin, "story-designer", "designer")
	supervisorID, _ := srv.staff(w.admin, "story-supervisor", "supervisor")
	s.workerID = workerID
	w.estateID = w.createEstate("幸福里小区", storyCode)
	for id, role := range map[string]string{workerID: "worker", designerID: "designer", supervisorID: "supervisor"} {
		srv.must(http.StatusNoContent, "PUT", "/api/v1/estates/"+w.estateID+"/staff/"+id, w.admin, map[string]string{"role": role})
	}
	s.login()
	rooms := make([]string, 10)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("%d", 101+i)
	}
	w.household = w.createHouseholds(w.estateID, rooms...)
	if len(w.household) != 10 {
		t.Fatalf("created %d households, want 10", len(w.household))
	}
	for _, room := range []string{"101", "102", "103"} {
		s.openids[room] = "o-story-" + room
		s.residents[room], _ = w.bind(s.openids[room], room)
	}
	return s
}

// login (again) logs every staff member and resident in, at the clock's now.
func (s *storyYear) login() {
	srv := s.srv
	s.admin = srv.adminToken()
	if s.estateID == "" {
		return
	}
	s.worker = srv.login("story-worker", "password-story-worker")
	s.designer = srv.login("story-designer", "password-story-designer")
	s.supervisor = srv.login("story-supervisor", "password-story-supervisor")
	for room, openid := range s.openids {
		s.residents[room] = s.residentWorld.login(openid).AccessToken
	}
}

// advance moves the clock, runs the service's scheduled jobs as `minyi serve`
// does on a tick, logs everyone in again and returns how many objects each job changed.
func (s *storyYear) advance(d time.Duration) map[string]int {
	s.clock.advance(d)
	changed := map[string]int{}
	for _, job := range s.srv.svc.ScheduledJobs() {
		n, err := job.Run(context.Background())
		if err != nil {
			s.t.Fatalf("job %s: %v", job.Name, err)
		}
		changed[job.Name] = n
	}
	s.login()
	return changed
}

// board reads the public board once it reflects the latest change.
func (s *storyYear) board() noticeJSON {
	s.t.Helper()
	path := "/api/v1/public/estates/" + storyCode
	var resp *testResponse
	if s.boardETag == "" {
		resp = s.srv.must(http.StatusOK, "GET", path, "", nil)
	} else {
		resp = awaitNewETag(s.t, s.srv, path, s.boardETag)
	}
	s.boardETag = resp.Header.Get("ETag")
	// The estate's updated_at (part of the board's version) is the clock's
	// now: step it on, or the next changes would leave the version as it is.
	s.clock.advance(time.Second)
	var out noticeJSON
	resp.decode(s.t, &out)
	return out
}

// stage moves one stage and checks the answer.
func (s *storyYear) stage(name, status string) {
	s.t.Helper()
	var out stageJSON
	s.srv.must(http.StatusOK, "PATCH", "/api/v1/estates/"+s.estateID+"/stages/"+name, s.admin, map[string]string{"status": status}).decode(s.t, &out)
	if out.Stage != name || out.Status != status || out.StartedAt == nil || (status == "done") != (out.FinishedAt != nil) {
		s.t.Fatalf("stage %s → %s answered %+v", name, status, out)
	}
}

// storyRound is the part of a round the story checks (roundResponse itself
// cannot be decoded once it carries a result: its shortfall's optional
// counts only marshal).
type storyRound struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Rule   struct {
		Preset string `json:"preset"`
	} `json:"rule"`
	Electorate *struct {
		Households int64 `json:"households"`
	} `json:"electorate"`
	Result *struct {
		Passed bool `json:"passed"`
	} `json:"result"`
	NoticeEndsAt *string `json:"notice_ends_at"`
	FinalizedAt  *string `json:"finalized_at"`
	CloseReason  string  `json:"close_reason"`
}

// round reads a round as the admin.
func (s *storyYear) round(id string) storyRound {
	s.t.Helper()
	var out storyRound
	s.srv.must(http.StatusOK, "GET", "/api/v1/rounds/"+id, s.admin, nil).decode(s.t, &out)
	return out
}

// signOff records a sign-off: online for the rooms with a resident, on paper by the worker otherwise.
func (s *storyYear) signOff(roundID, room, decision string) {
	s.t.Helper()
	if token, ok := s.residents[room]; ok {
		var mine mySignOffResponse
		s.srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+roundID+"/my-signoff", token, map[string]string{"decision": decision}).decode(s.t, &mine)
		if mine.Decision != decision || mine.Channel != "online" || mine.HouseholdID != s.household[room] {
			s.t.Fatalf("online sign-off of %s = %+v", room, mine)
		}
		return
	}
	s.srv.must(http.StatusOK, "PUT", "/api/v1/rounds/"+roundID+"/signoffs/"+s.household[room], s.worker,
		map[string]string{"decision": decision, "channel": "paper", "signer_name": "业主" + room})
}

// TestEstateRenovationYear carries one estate from a needs survey through two
// plan rounds, the preconditions, construction with a problem report and a
// joint acceptance to a satisfaction survey, through the API on both
// databases, checking the answers and the public board at each step
// (issue 15's Done-when).
func TestEstateRenovationYear(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newStoryYear(t, db)
		s.stage("survey", "in_progress")
		s.stage("survey", "done")
		s.stage("needs", "in_progress")
		s.needsSurvey()
		s.stage("needs", "done")
		revisionID := s.firstRound()
		s.secondRound(revisionID)
		s.construction()
		s.problemReport()
		s.jointAcceptance()
		s.stage("evaluation", "in_progress")
		s.satisfactionSurvey()
		s.stage("evaluation", "done")

		board := s.board()
		done := map[string]bool{}
		for _, st := range board.Stages {
			done[st.Stage] = st.Status == "done"
		}
		if !done["survey"] || !done["needs"] || !done["evaluation"] || len(board.Stages) != 11 {
			t.Errorf("board stages at the end of the year = %+v", board.Stages)
		}
	})
}

// needsSurvey is step 2: a needs survey answered by six households (two
// residents online, four on paper), closed, its counts on the board.
func (s *storyYear) needsSurvey() {
	t, srv := s.t, s.srv
	body := sampleSurveyBody()
	var survey surveyResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+s.estateID+"/surveys", s.worker, body).decode(t, &survey)
	srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+survey.ID+"/open", s.worker, nil).decode(t, &survey)
	if survey.Status != "open" {
		t.Fatalf("opened needs survey = %+v", survey)
	}
	const remark = "楼道灯坏了很久"
	for _, room := range []string{"101", "102"} {
		var mine surveyAnswersResponse
		srv.must(http.StatusOK, "PUT", "/api/v1/surveys/"+survey.ID+"/my-response", s.residents[room], map[string]any{"answers": []map[string]any{
			answer("priority", "choice", "加装电梯"), answer("current", "rating", 2), answer("remarks", "text", remark)}}).decode(t, &mine)
		if mine.Channel != "online" || mine.HouseholdID != s.household[room] {
			t.Fatalf("resident's needs answer = %+v", mine)
		}
	}
	for i, room := range []string{"104", "105", "106", "107"} {
		priority := []string{"外墙保温", "雨污分流"}[i%2]
		resp := s.paperAnswers(survey.ID, room, answer("priority", "choice", priority), answer("current", "rating", 3+i%2))
		if resp.Status != http.StatusOK {
			t.Fatalf("paper answers of %s: %d %s", room, resp.Status, resp.Body)
		}
	}
	srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+survey.ID+"/close", s.worker, nil).decode(t, &survey)
	if survey.Status != "closed" {
		t.Fatalf("closed needs survey = %+v", survey)
	}
	results := s.surveyResults(survey.ID)
	current := questionResult(t, results, "current")
	// Ratings 2, 2, 3, 4, 3, 4: sum 18 over 6 → 3.00.
	if results.Responses != 6 || current.Rating == nil || current.Rating.Sum != 18 || current.Rating.Mean == nil || *current.Rating.Mean != "3.00" {
		t.Fatalf("needs results: %d responses, current %+v", results.Responses, current.Rating)
	}
	board := s.board()
	if len(board.Surveys) != 1 || board.Surveys[0].Purpose != "needs" || board.Surveys[0].Responses != 6 {
		t.Fatalf("board surveys = %+v", board.Surveys)
	}
	counts := map[string]int64{}
	for _, q := range board.Surveys[0].Questions {
		for _, o := range q.Options {
			counts[o.Option] = o.Count
		}
	}
	if counts["加装电梯"] != 2 || counts["外墙保温"] != 2 || counts["雨污分流"] != 2 {
		t.Errorf("board priority counts = %v", counts)
	}
	if raw := string(srv.must(http.StatusOK, "GET", "/api/v1/public/estates/"+storyCode, "", nil).Body); strings.Contains(raw, remark) {
		t.Error("the board shows a resident's free text")
	}
}

// firstRound is step 3: a two-80 plan round on the first revision, signed by
// residents and the worker, objected to by a resident, answered by the
// designer, closed by the scheduler at closes_at + late_sync_hours, and a
// second revision addressing the objection. It returns that revision's id.
func (s *storyYear) firstRound() string {
	t, srv, base := s.t, s.srv, "/api/v1/estates/"+s.estateID
	s.stage("design", "in_progress")
	var rev1 revisionResponse
	srv.must(http.StatusCreated, "POST", base+"/revisions", s.designer, map[string]any{
		"title": "初步设计方案", "summary": "外墙保温、雨污分流和加装电梯", "changes": "首版", "addresses": []string{}}).decode(t, &rev1)
	var round storyRound
	closesAt := s.clock.Now().Add(72 * time.Hour)
	srv.must(http.StatusCreated, "POST", base+"/rounds", s.admin, map[string]any{
		"title": "第一轮方案征询", "kind": "plan", "revision_id": rev1.ID, "rule": map[string]any{"preset": "two-80"},
		"closes_at": closesAt.Format(time.RFC3339), "late_sync_hours": 2}).decode(t, &round)
	srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/open", s.admin, nil).decode(t, &round)
	if round.Status != "open" || round.Rule.Preset != "two-80" || round.Electorate == nil || round.Electorate.Households != 10 {
		t.Fatalf("opened round 1 = %+v", round)
	}
	s.stage("design", "done")
	s.stage("round1", "in_progress")
	for i := 0; i < 10; i++ {
		room := fmt.Sprintf("%d", 101+i)
		decision := "agree"
		if i >= 6 {
			decision = "disagree"
		}
		s.signOff(round.ID, room, decision)
	}
	photo := srv.mustUpload(s.residents["103"], "window.png", testPNG(t))
	var objection objectionResponse
	srv.must(http.StatusCreated, "POST", base+"/objections", s.residents["103"], map[string]any{
		"household_id": s.household["103"], "round_id": round.ID, "category": "elevator", "plan_item": "1号楼电梯",
		"content": "电梯井挡住我家窗户采光", "photos": []string{photo.ID}}).decode(t, &objection)
	if objection.Status != "open" || objection.Channel != "online" {
		t.Fatalf("resident's objection = %+v", objection)
	}

	// Nothing closes before closes_at + late_sync_hours; then the scheduler closes the round.
	if changed := s.advance(73 * time.Hour); changed["close_rounds_at_deadline"] != 0 || s.round(round.ID).Status != "open" {
		t.Fatalf("the round closed inside the late-sync window: %v", changed)
	}
	if changed := s.advance(time.Hour + time.Minute); changed["close_rounds_at_deadline"] != 1 {
		t.Fatalf("the scheduler closed %v, want round 1", changed)
	}
	round = s.round(round.ID)
	if round.Status != "closed" || round.Result == nil || round.NoticeEndsAt == nil {
		t.Fatalf("round 1 after its deadline = %+v", round)
	}
	board := s.board()
	if len(board.Rounds) != 1 || board.Rounds[0].Passed == nil || *board.Rounds[0].Passed || board.Rounds[0].Decisions.Agree.Households != 6 {
		t.Fatalf("board round 1 = %+v", board.Rounds)
	}
	s.stage("round1", "done")

	s.stage("revision", "in_progress")
	var rev2 revisionResponse
	srv.must(http.StatusCreated, "POST", base+"/revisions", s.designer, map[string]any{
		"title": "修改后方案", "summary": "电梯移到北侧", "changes": "1号楼电梯井北移 3 米", "addresses": []string{objection.ID}}).decode(t, &rev2)
	if rev2.Version != 2 || len(rev2.Addresses) != 1 || rev2.Addresses[0] != objection.ID {
		t.Fatalf("revision 2 = %+v", rev2)
	}
	const summary = "居民担心电梯井影响采光"
	srv.must(http.StatusOK, "POST", "/api/v1/objections/"+objection.ID+"/response", s.designer, map[string]any{
		"outcome": "adopted", "explanation": "电梯井北移 3 米，不再遮挡南窗", "revision_id": rev2.ID, "public_summary": summary}).decode(t, &objection)
	if objection.Status != "answered" || objection.Answer == nil || objection.Answer.PublicSummary != summary {
		t.Fatalf("answered objection = %+v", objection)
	}
	board = s.board()
	if len(board.Answers) != 1 || board.Answers[0].PublicSummary != summary || board.Answers[0].Outcome != "adopted" ||
		board.Answers[0].RevisionVersion == nil || *board.Answers[0].RevisionVersion != 2 ||
		board.CurrentRevision == nil || board.CurrentRevision.Version != 2 || board.CurrentRevision.AddressedObjections != 1 {
		t.Fatalf("board answers %+v, current revision %+v", board.Answers, board.CurrentRevision)
	}
	s.stage("revision", "done")
	return rev2.ID
}

// secondRound is step 4: a plan round on the revision passes, closes early
// with a reason, and is final after the notice period.
func (s *storyYear) secondRound(revisionID string) {
	t, srv := s.t, s.srv
	s.stage("round2", "in_progress")
	var round storyRound
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+s.estateID+"/rounds", s.admin, map[string]any{
		"title": "第二轮方案征询", "kind": "plan", "revision_id": revisionID,
		"closes_at": s.clock.Now().Add(10 * 24 * time.Hour).Format(time.RFC3339), "notice_days": 7}).decode(t, &round)
	srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/open", s.admin, nil)
	for i := 0; i < 10; i++ {
		decision := "agree"
		if i == 9 {
			decision = "abstain"
		}
		s.signOff(round.ID, fmt.Sprintf("%d", 101+i), decision)
	}
	srv.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/close", s.admin, map[string]string{"reason": "全部住户已表态，提前结束"}).decode(t, &round)
	if round.Status != "closed" || round.Result == nil || round.NoticeEndsAt == nil || round.CloseReason == "" {
		t.Fatalf("round 2 closed = %+v", round)
	}
	s.stage("round2", "done")
	s.stage("notice", "in_progress")
	if changed := s.advance(6 * 24 * time.Hour); changed["finalize_round_results"] != 0 {
		t.Fatalf("a result was final inside its notice period: %v", changed)
	}
	if changed := s.advance(24*time.Hour + time.Minute); changed["finalize_round_results"] < 1 {
		t.Fatalf("the notice period ended and nothing was finalized: %v", changed)
	}
	round = s.round(round.ID)
	if round.Status != "final" || round.FinalizedAt == nil {
		t.Fatalf("round 2 after the notice period = %+v", round)
	}
	board := s.board()
	if len(board.Rounds) != 2 {
		t.Fatalf("board rounds = %+v", board.Rounds)
	}
	for _, r := range board.Rounds {
		if r.ID == round.ID && (r.Passed == nil || !*r.Passed || r.NoticePeriod == nil || !r.NoticePeriod.Final ||
			r.Decisions.Agree.Households != 9 || r.RevisionVersion == nil || *r.RevisionVersion != 2) {
			t.Errorf("board round 2 = %+v", r)
		}
	}
	s.stage("notice", "done")
}

// construction is step 5: the start is refused until the six preconditions
// are met (one with evidence), then construction is in progress; the site
// information and the timeline are on the board.
func (s *storyYear) construction() {
	t, srv, base := s.t, s.srv, "/api/v1/estates/"+s.estateID
	start := map[string]string{"status": "in_progress"}
	var refused lifecycleErrorBody
	resp := srv.call("PATCH", base+"/stages/construction", s.admin, start)
	expectCode(t, resp, http.StatusConflict, "preconditions_unmet")
	resp.decode(t, &refused)
	if len(refused.Error.Details.Missing) != 6 || refused.Error.Details.PlanPassed == nil || !*refused.Error.Details.PlanPassed {
		t.Fatalf("refusal with the final plan round = %+v", refused.Error.Details)
	}
	evidence := srv.mustUpload(s.worker, "pact.png", testPNG(t), "estate_id", s.estateID)
	for i, key := range service.PreconditionKeys {
		body := map[string]any{"met": true, "note": "已落实"}
		if i == 0 {
			body["evidence_upload_ids"] = []string{evidence.ID}
		}
		var pre preconditionJSON
		srv.must(http.StatusOK, "PUT", base+"/preconditions/"+key, s.worker, body).decode(t, &pre)
		if !pre.Met || (i == 0 && (len(pre.EvidenceUploadIDs) != 1 || pre.EvidenceUploadIDs[0] != evidence.ID)) {
			t.Fatalf("precondition %s = %+v", key, pre)
		}
		if i == len(service.PreconditionKeys)-2 {
			resp := srv.call("PATCH", base+"/stages/construction", s.admin, start)
			expectCode(t, resp, http.StatusConflict, "preconditions_unmet")
			resp.decode(t, &refused)
			if len(refused.Error.Details.Missing) != 1 {
				t.Fatalf("missing with one precondition left = %v", refused.Error.Details.Missing)
			}
		}
	}
	var started stageJSON
	srv.must(http.StatusOK, "PATCH", base+"/stages/construction", s.admin, start).decode(t, &started)
	if started.Status != "in_progress" || started.Forced || started.StartedAt == nil {
		t.Fatalf("construction = %+v", started)
	}
	site := siteJSON{Builder: "幸福建设公司", SupervisingUnit: "幸福监理公司", DesignerUnit: "幸福设计院", StartsOn: "2027-03-01",
		EndsOn: "2027-09-30", BudgetFen: 358000000, ContactPhone: "0715-8123456"}
	srv.must(http.StatusOK, "PUT", base+"/site", s.admin, site)
	board := s.board()
	if board.Site == nil || board.Site.Builder != site.Builder || board.Site.BudgetFen != site.BudgetFen || board.Site.EndsOn != site.EndsOn {
		t.Errorf("board site = %+v", board.Site)
	}
	status := map[string]string{}
	for _, st := range board.Stages {
		status[st.Stage] = st.Status
	}
	if status["construction"] != "in_progress" || status["round2"] != "done" || status["acceptance"] != "pending" {
		t.Errorf("board stages = %v", status)
	}
	if len(board.Timeline) == 0 {
		t.Error("the board has no timeline")
	}
}

// problemReport is step 6: a resident reports with a photo, the worker
// assigns and fixes it with a photo, the resident confirms; the board counts.
func (s *storyYear) problemReport() {
	t, srv := s.t, s.srv
	resident := s.residents["102"]
	const text = "3 号楼门口路面被施工车压坏"
	photo := srv.mustUpload(resident, "road.png", testPNG(t), "estate_id", s.estateID)
	var rep reportJSON
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+s.estateID+"/reports", resident, map[string]any{
		"text": text, "location": "3 号楼东门", "photo_upload_ids": []string{photo.ID}}).decode(t, &rep)
	if rep.Status != "reported" {
		t.Fatalf("report = %+v", rep)
	}
	board := s.board()
	if board.Reports != (noticeReportsJSON{Reported: 1}) {
		t.Errorf("board reports after filing = %+v", board.Reports)
	}
	path := "/api/v1/reports/" + rep.ID
	srv.must(http.StatusOK, "PATCH", path, s.worker, map[string]any{"status": "assigned", "assignee_id": s.workerID}).decode(t, &rep)
	if rep.Status != "assigned" {
		t.Fatalf("assigned = %+v", rep)
	}
	fixPhoto := srv.mustUpload(s.worker, "road-fixed.png", testPNG(t), "estate_id", s.estateID)
	srv.must(http.StatusOK, "PATCH", path, s.worker, map[string]any{"status": "fixed", "photo_upload_ids": []string{fixPhoto.ID}}).decode(t, &rep)
	if rep.Status != "fixed" || rep.FixedAt == nil {
		t.Fatalf("fixed = %+v", rep)
	}
	srv.must(http.StatusOK, "POST", path+"/confirmation", resident, map[string]any{"satisfied": true, "note": "修好了"}).decode(t, &rep)
	if rep.Status != "confirmed" || rep.ConfirmedAt == nil {
		t.Fatalf("confirmed = %+v", rep)
	}
	board = s.board()
	if board.Reports != (noticeReportsJSON{Confirmed: 1}) {
		t.Errorf("board reports after the confirmation = %+v", board.Reports)
	}
	if raw := string(srv.must(http.StatusOK, "GET", "/api/v1/public/estates/"+storyCode, "", nil).Body); strings.Contains(raw, text) || strings.Contains(raw, photo.ID) {
		t.Error("the board shows a report's text or photo")
	}
}

// jointAcceptance is step 7: a joint acceptance with one item to rectify and
// five signatures; the supervisor reads it and writes nothing; the item is
// rectified and the board shows the acceptance closed.
func (s *storyYear) jointAcceptance() {
	t, srv := s.t, s.srv
	s.stage("construction", "done")
	s.stage("acceptance", "in_progress")
	signatures := []map[string]string{{"name": "张三丰", "role": "owner_representative"}, {"name": "李四", "role": "supervisor"},
		{"name": "王五", "role": "builder"}, {"name": "赵六", "role": "designer"}, {"name": "钱七", "role": "street_office"}}
	var acc acceptanceJSON
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+s.estateID+"/acceptances", s.worker, map[string]any{
		"items": []map[string]any{
			{"name": "雨污分流管道", "result": "pass"},
			{"name": "外墙保温", "result": "rectify", "note": "3 号楼东侧空鼓"}},
		"signatures": signatures}).decode(t, &acc)
	if acc.Status != "open" || acc.OpenItems != 1 || len(acc.Signatures) != 5 {
		t.Fatalf("acceptance = %+v", acc)
	}
	board := s.board()
	if len(board.Acceptances) != 1 || board.Acceptances[0].Status != "open" || len(board.Acceptances[0].OpenItems) != 1 || len(board.Acceptances[0].Signers) != 5 {
		t.Fatalf("board acceptance while open = %+v", board.Acceptances)
	}

	var read acceptanceJSON
	srv.must(http.StatusOK, "GET", "/api/v1/acceptances/"+acc.ID, s.supervisor, nil).decode(t, &read)
	if read.ID != acc.ID || read.OpenItems != 1 {
		t.Errorf("the supervisor read %+v", read)
	}
	rectified := "/api/v1/acceptances/" + acc.ID + "/items/1/rectified"
	fix := map[string]any{"note": "已重新粘贴保温板"}
	expectCode(t, srv.call("POST", rectified, s.supervisor, fix), http.StatusForbidden, "forbidden")
	expectCode(t, srv.call("PATCH", "/api/v1/estates/"+s.estateID+"/stages/acceptance", s.supervisor, map[string]string{"status": "done"}),
		http.StatusForbidden, "forbidden")
	expectCode(t, srv.call("PUT", "/api/v1/estates/"+s.estateID+"/site", s.supervisor, map[string]any{"builder": "某公司"}), http.StatusForbidden, "forbidden")
	srv.must(http.StatusOK, "GET", "/api/v1/acceptances/"+acc.ID, s.admin, nil).decode(t, &read)
	if read.Status != "open" || read.Items[1].Rectified {
		t.Fatalf("the supervisor's refused write changed the acceptance: %+v", read)
	}

	srv.must(http.StatusOK, "POST", rectified, s.worker, fix).decode(t, &acc)
	if acc.Status != "closed" || acc.OpenItems != 0 || !acc.Items[1].Rectified {
		t.Fatalf("rectified = %+v", acc)
	}
	board = s.board()
	if len(board.Acceptances) != 1 || board.Acceptances[0].Status != "closed" || board.Acceptances[0].Rectified != 1 || len(board.Acceptances[0].OpenItems) != 0 {
		t.Errorf("board acceptance after the rectification = %+v", board.Acceptances)
	}
	s.stage("acceptance", "done")
}

// satisfactionSurvey is step 8: the Xuchang satisfaction form, six
// responses, closed; the staff's results and the board's aggregates.
func (s *storyYear) satisfactionSurvey() {
	t, srv := s.t, s.srv
	var survey surveyResponse
	srv.must(http.StatusCreated, "POST", "/api/v1/estates/"+s.estateID+"/surveys", s.worker, map[string]any{"template": "xuchang-satisfaction"}).decode(t, &survey)
	if survey.Purpose != "satisfaction" || len(survey.Questions) != 8 {
		t.Fatalf("satisfaction survey = %+v", survey)
	}
	srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+survey.ID+"/open", s.worker, nil)
	items := []string{"quality", "progress", "civilised_works", "outcome", "communication", "maintenance", "overall"}
	form := func(overall string) []map[string]any {
		answers := make([]map[string]any, 0, len(items))
		for _, id := range items {
			choice := "满意"
			if id == "overall" {
				choice = overall
			}
			answers = append(answers, answer(id, "choice", choice))
		}
		return answers
	}
	for _, room := range []string{"101", "103"} {
		srv.must(http.StatusOK, "PUT", "/api/v1/surveys/"+survey.ID+"/my-response", s.residents[room], map[string]any{"answers": form("满意")})
	}
	for i, room := range []string{"104", "105", "106", "108"} {
		overall := []string{"满意", "基本满意", "不满意", "基本满意"}[i]
		srv.must(http.StatusOK, "PUT", "/api/v1/surveys/"+survey.ID+"/responses/"+s.household[room], s.worker, map[string]any{"answers": form(overall)})
	}
	srv.must(http.StatusOK, "POST", "/api/v1/surveys/"+survey.ID+"/close", s.worker, nil)
	results := s.surveyResults(survey.ID)
	overall := questionResult(t, results, "overall")
	want := map[string]int64{"满意": 3, "基本满意": 2, "不满意": 1}
	if results.Responses != 6 || overall.Answered != 6 || len(overall.Options) != 3 {
		t.Fatalf("satisfaction results: %d responses, overall %+v", results.Responses, overall)
	}
	for _, o := range overall.Options {
		if o.Count != want[o.Option] {
			t.Errorf("overall %s = %d, want %d", o.Option, o.Count, want[o.Option])
		}
	}
	board := s.board()
	var onBoard *noticeSurveyJSON
	for i := range board.Surveys {
		if board.Surveys[i].Purpose == "satisfaction" {
			onBoard = &board.Surveys[i]
		}
	}
	if onBoard == nil || onBoard.Responses != 6 || len(board.Surveys) != 2 {
		t.Fatalf("board surveys = %+v", board.Surveys)
	}
}
