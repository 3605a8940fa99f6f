package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// yearStory is one estate carried through its renovation year in the browser.
type yearStory struct {
	t             *testing.T
	s             *site
	db            *model.DB
	estateID      string
	workerID      string
	households    map[string]string // room → household id
	admin, worker *tab
	pdf, photo    string // files to upload
}

// TestRenovationYearInBrowser carries one estate through a year in headless
// Chromium: a needs survey with a closing time is created, opened, answered
// on paper by a worker and closed, its results drawn; two plan rounds (set up
// through the service; their pages have their own journeys) end in a final
// pass; the page then says construction lacks only the six preconditions,
// which are recorded with evidence files; construction starts; a problem
// report is assigned, fixed with a photo and confirmed; a joint acceptance
// with one rectify item is recorded with photos and rectified; a Xuchang
// satisfaction survey is answered and its results drawn. Every new page
// passes axe-core and is photographed at 375 and 1280 px.
func TestRenovationYearInBrowser(t *testing.T) {
	browser := startBrowser(t)
	db := testdb.OpenSQLite(t)
	y := &yearStory{t: t, s: newSite(t, db), db: db, households: map[string]string{}}
	y.setUp()
	y.admin = newTab(t, browser, y.s.url, 1280, 800, false)
	y.worker = newTab(t, browser, y.s.url, 375, 812, true)
	y.loginAll()

	y.needsSurvey()
	y.planRounds()
	y.loginAll() // a week passed: the sessions ended
	y.preconditionsAndConstruction()
	y.problemReport()
	y.jointAcceptance()
	y.satisfactionSurvey()
}

func (y *yearStory) setUp() {
	t, ctx, system := y.t, context.Background(), service.SystemActor()
	name, code := "幸福里小区", "happiness-lane"
	estate, err := y.s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
	if err != nil {
		t.Fatal(err)
	}
	y.estateID = estate.ID
	var items []service.HouseholdFields
	for i := range 10 {
		building, unit, room := "1", "1", fmt.Sprint(101+i)
		area, owner := int64(7000+i*100), fmt.Sprintf("业主%d", i+1)
		items = append(items, service.HouseholdFields{Building: &building, Unit: &unit, Room: &room, AreaHundredths: &area, OwnerName: &owner})
	}
	households, err := y.s.svc.CreateHouseholds(ctx, system, estate.ID, items)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range households {
		y.households[h.Room] = h.ID
	}
	y.workerID = y.s.user("worker-year", "worker-password-1", service.RoleWorker)
	if err := y.s.svc.AssignStaff(ctx, system, estate.ID, y.workerID, service.RoleWorker); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	y.pdf, y.photo = filepath.Join(dir, "证明.pdf"), filepath.Join(dir, "现场.png")
	if err := os.WriteFile(y.pdf, tinyPDF, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(y.photo, smallPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
}

// login signs a tab in through the login form.
func (tb *tab) login(username, password string) {
	tb.t.Helper()
	tb.open("/console/login")
	tb.fill("#username", username)
	tb.fill("#password", password)
	tb.submit(`button[type=submit]`)
	tb.mustSee("工作台")
}

func (y *yearStory) loginAll() {
	y.admin.login(adminName, adminPassword)
	y.worker.login("worker-year", "worker-password-1")
}

// clickAll clicks every element the selector finds, in the page.
func (tb *tab) clickAll(css string) int {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[int](fmt.Sprintf(`(() => { const all = [...document.querySelectorAll(%q)]; all.forEach(e => e.click()); return all.length })()`, css)))
}

// shotAt keeps a 375 px wide screenshot scrolled to an element (check keeps the first screen only).
func (tb *tab) shotAt(name, css string) {
	tb.t.Helper()
	tb.do(tb.viewport(375, 812, true), chromedp.ScrollIntoView(chromedp.CSS(css)))
	shot := run(tb, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(tb.artifacts, "console-"+name+"-375x812.png"), shot, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.do(tb.viewport(tb.width, tb.height, tb.mobile))
}

func (tb *tab) count(css string) int {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
}

// needsSurvey: the admin creates a needs survey closing in a week (China
// time), opens it; the worker records two paper forms; the admin closes it
// and reads the results.
func (y *yearStory) needsSurvey() {
	t, admin, worker := y.t, y.admin, y.worker
	admin.open("/console/estates/" + y.estateID)
	admin.submit(`a[href="/console/estates/` + y.estateID + `/surveys"]`)
	admin.mustSee("问卷调查", "还没有问卷", "截止时间（北京时间")
	admin.check("year-surveys")
	admin.do(chromedp.Click(chromedp.CSS(`input[name=template][value=""]`)))
	admin.fill("#s-title", "改造需求摸底调查")
	admin.fill("#s-questions", "外墙保温：需要/不需要\n楼道照明满意度\n文字：其他需求")
	closes := y.s.clock.Now().Add(7 * 24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Truncate(time.Minute)
	admin.fill("#s-closes", closes.Format("2006-01-02T15:04"))
	admin.submit(`form[action$="/surveys"] button[type=submit]`)
	admin.mustSee("问卷已创建（草稿）", "改造需求摸底调查", "截止："+closes.Format("2006-01-02 15:04"))
	admin.check("year-survey-draft")
	surveyPath := strings.TrimPrefix(strings.SplitN(admin.location(), "?", 2)[0], y.s.url)
	admin.submit(`form[action$="/open"] button`)
	admin.mustSee("问卷已开始收集", "收集中")

	worker.open(surveyPath)
	for i, answer := range []struct{ room, need, rating, text string }{{"101", "需要", "4", "希望加装电梯"}, {"102", "不需要", "2", ""}} {
		worker.fill("#r-building", "1")
		worker.fill("#r-unit", "1")
		worker.fill("#r-room", answer.room)
		worker.do(chromedp.Click(chromedp.CSS(`input[name=q_q1][value="` + answer.need + `"]`)))
		worker.do(chromedp.Click(chromedp.CSS(`input[name=q_q2][value="` + answer.rating + `"]`)))
		if answer.text != "" {
			worker.fill("#q-q3", answer.text)
		}
		if i == 0 {
			worker.check("year-survey-paper")
		}
		worker.submit(`form[action$="/responses"] button[type=submit]`)
		worker.mustSee("纸质问卷已录入")
	}

	admin.open(surveyPath)
	admin.submit(`form[action$="/close"] button`)
	admin.mustSee("问卷已结束", "已结束")
	admin.submit(`a[href$="/results"]`)
	admin.mustSee("共 2 户作答", "外墙保温", "平均分 3.00", "希望加装电梯")
	if svgs := admin.count("svg.bars"); svgs != 2 {
		t.Errorf("the needs survey's results draw %d charts, want 2 (the choice and the rating)", svgs)
	}
	rows := run(admin, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".chart table")][0].innerText.split("\n").map(r => r.replace(/\s+/g, " ").trim()).filter(r => r)`))
	if strings.Join(rows, "|") != "选项 户数 占作答户|需要 1 50.0%|不需要 1 50.0%" {
		t.Errorf("the first question's table reads %q", rows)
	}
	admin.check("year-survey-results")
}

// planRounds sets up two plan rounds through the service: the first fails
// (6 of 10 agree), the second passes (9 agree) and is final after its
// seven-day notice period.
func (y *yearStory) planRounds() {
	t, ctx, system := y.t, context.Background(), service.SystemActor()
	paper := system
	paper.Channel = service.ChannelPaper
	kind, noticeDays := service.KindPlan, 7
	for n, agree := range []int{6, 9} {
		rev, err := y.s.svc.PublishRevision(ctx, system, y.estateID, service.RevisionInput{
			Title: fmt.Sprintf("设计方案第 %d 版", n+1), Summary: "外墙保温、雨污分流、加装电梯", Changes: "按居民意见修改"})
		if err != nil {
			t.Fatal(err)
		}
		title := fmt.Sprintf("第%d轮方案征询", n+1)
		round, err := y.s.svc.CreateRound(ctx, system, y.estateID, service.RoundFields{Title: &title, Kind: &kind, RevisionID: &rev.ID, NoticeDays: &noticeDays})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := y.s.svc.OpenRound(ctx, system, round.ID, false); err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			decision := service.DecisionAgree
			if i >= agree {
				decision = service.DecisionDisagree
			}
			room := fmt.Sprint(101 + i)
			if _, err := y.s.svc.RecordSignOff(ctx, paper, round.ID, y.households[room], service.SignOffInput{Decision: decision,
				Channel: service.ChannelPaper, SignerName: "业主" + fmt.Sprint(i+1)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := y.s.svc.CloseRound(ctx, system, round.ID); err != nil {
			t.Fatal(err)
		}
	}
	y.s.clock.advance(7*24*time.Hour + time.Minute)
	for _, job := range y.s.svc.ScheduledJobs() {
		if _, err := job.Run(ctx); err != nil {
			t.Fatalf("job %s: %v", job.Name, err)
		}
	}
	rounds, _, err := y.s.svc.ListRounds(ctx, system, y.estateID, service.Page{})
	if err != nil || len(rounds) != 2 {
		t.Fatalf("rounds: %d (%v)", len(rounds), err)
	}
	for _, r := range rounds {
		if r.Status != service.RoundFinal {
			t.Fatalf("round %q is %s after its notice period", r.Title, r.Status)
		}
	}
}

// preconditionKeys pairs the six preconditions with their notes.
var preconditionNotes = []struct{ key, label, note string }{
	{"party_organisation", "党组织", "成立小区临时党支部"}, {"multi_party_consultation", "多方协商", "召开多方协商会 3 次"},
	{"residents_pact", "居民公约", "居民公约已张贴"}, {"illegal_structures_removed", "违建拆除", "违建 5 处已拆除"},
	{"resident_contribution", "居民出资", "居民出资协议已签"}, {"property_fee_commitment", "物业费承诺", "物业费承诺书已收齐"},
}

// preconditionsAndConstruction: the page says what construction lacks;
// starting it is refused with that in words; the six preconditions are
// recorded with evidence; construction starts.
func (y *yearStory) preconditionsAndConstruction() {
	t, admin := y.t, y.admin
	lifecycle := "/console/estates/" + y.estateID + "/lifecycle"
	admin.open("/console/estates/" + y.estateID)
	admin.submit(`a[href="` + lifecycle + `"]`)
	admin.mustSee("施工暂不能开始", "以下前置条件尚未满足（6 项）", "党组织、多方协商、居民公约、违建拆除、居民出资、物业费承诺")
	if body := admin.text("#readiness"); strings.Contains(body, "最终方案征询尚未通过") {
		t.Errorf("with a final passed plan round the page still says: %s", body)
	}
	admin.check("year-lifecycle-unmet")
	if status := admin.submitStatus(`form[action$="/stages/construction"] button[type=submit]`); status != 409 {
		t.Errorf("starting construction without its preconditions: %d", status)
	}
	admin.mustSee("施工不能开始：以下前置条件尚未满足：党组织、多方协商", "管理员可填写理由后强制开始")
	admin.check("year-construction-refused")

	for i, p := range preconditionNotes {
		form := "#pc-" + p.key
		admin.do(chromedp.Click(chromedp.CSS(form + ` input[name=met]`)))
		admin.fill(form+` input[name=note]`, p.note)
		files := []string{y.pdf}
		if i%2 == 0 {
			files = append(files, y.photo)
		}
		admin.do(chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), files))
		admin.submit(form + ` button[type=submit]`)
		admin.mustSee("前置条件已更新", p.note, p.label+"证明材料 1（下载）")
	}
	admin.mustSee("六项前置条件均已满足，最终方案征询已通过，可以开始施工")
	if links := admin.count(`.preconditions a[href^="/console/uploads/"]`); links != 9 {
		t.Errorf("the preconditions list %d evidence links, want 9", links)
	}
	pcs, err := y.s.svc.ListPreconditions(context.Background(), service.SystemActor(), y.estateID)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pcs {
		if want := 1 + (i+1)%2; !p.Met || len(p.Evidence) != want {
			t.Errorf("%s: met %v with %d files, want %d", p.Key, p.Met, len(p.Evidence), want)
		}
	}
	admin.check("year-lifecycle-ready")
	admin.shotAt("year-preconditions", "#pc-party_organisation")
	admin.fill("#sn-construction", "施工单位进场")
	admin.submit(`form[action$="/stages/construction"] button[type=submit]`)
	admin.mustSee("阶段已更新", "施工已开始", "施工单位进场")
	if forced := admin.count(`.timeline .tag`); forced == 0 || strings.Contains(admin.text(".timeline"), "强制开始") {
		t.Errorf("construction started with its preconditions met is marked forced: %q", admin.text(".timeline"))
	}
}

// problemReport: a resident's report (filed in the mini-program) is
// assigned by the admin, fixed with a photo by the worker and confirmed.
func (y *yearStory) problemReport() {
	t, admin, worker := y.t, y.admin, y.worker
	now := y.s.clock.Now()
	report := model.ProblemReport{ID: "report-year-1", EstateID: y.estateID, Status: service.ReportReported, ReporterID: "resident-101",
		Text: "施工围挡倒在人行道上", Location: "1 号楼东侧", CreatedAt: now, UpdatedAt: now}
	if err := y.db.Gorm.Create(&report).Error; err != nil {
		t.Fatal(err)
	}
	reports := "/console/estates/" + y.estateID + "/reports"
	admin.open(reports)
	admin.mustSee("施工围挡倒在人行道上", "待处理")
	admin.do(chromedp.SetValue(chromedp.CSS(`#ra-`+report.ID), y.workerID))
	admin.submit(`form[action$="/assign"] button[type=submit]`)
	admin.mustSee("问题已指派", "处理中")

	worker.open(reports)
	worker.do(chromedp.SetUploadFiles(chromedp.CSS(`#fp-`+report.ID), []string{y.photo}))
	worker.fill(`#fn-`+report.ID, "围挡已重新固定")
	worker.submit(`form[action$="/fix"] button[type=submit]`)
	worker.mustSee("等待居民确认", "已整改，待居民确认", "照片 1 张")
	worker.check("year-reports-fixed")
	if _, err := y.s.svc.ConfirmReport(context.Background(), service.SystemActor(), report.ID, true, "已经修好了"); err != nil {
		t.Fatal(err)
	}
	admin.open(reports)
	admin.mustSee("居民已确认", "居民满意：已经修好了")
}

// jointAcceptance: the worker records an acceptance on the phone with a
// photo of each item, one item to rectify, then records the rectification.
func (y *yearStory) jointAcceptance() {
	t, worker := y.t, y.worker
	worker.open("/console/estates/" + y.estateID)
	worker.submit(`a[href="/console/estates/` + y.estateID + `/acceptances"]`)
	worker.mustSee("还没有验收记录")
	worker.fill("#in-0", "外墙保温")
	worker.do(chromedp.SetUploadFiles(chromedp.CSS("#ip-0"), []string{y.photo}))
	worker.fill("#in-1", "雨水管")
	worker.do(chromedp.SetValue(chromedp.CSS("#ir-1"), "rectify"))
	worker.fill("#io-1", "落水口松动，需加固")
	worker.do(chromedp.SetUploadFiles(chromedp.CSS("#ip-1"), []string{y.photo}))
	for i, signer := range [][2]string{{"张三丰", "owner_representative"}, {"李监督", "supervisor"}, {"王施工", "builder"}, {"赵设计", "designer"}, {"街道 刘主任", "street_office"}} {
		worker.fill(fmt.Sprintf("#sn-%d", i), signer[0])
		worker.do(chromedp.SetValue(chromedp.CSS(fmt.Sprintf("#sr-%d", i)), signer[1]))
	}
	worker.check("year-acceptance-form")
	worker.submit(`form[action$="/acceptances"] button[type=submit]`)
	worker.mustSee("验收记录已保存", "整改中", "⚠ 需整改", "落水口松动，需加固", "业主代表 张三丰", "街道办事处 街道 刘主任")
	if loaded := worker.loadedImages(".thumbs img", 2); loaded != 2 {
		t.Errorf("%d acceptance photos show, want 2", loaded)
	}
	worker.check("year-acceptance-open")
	worker.shotAt("year-acceptance-items", ".thumbs")
	worker.fill(`form[action$="/rectify"] input[name=note]`, "落水口已用不锈钢卡箍加固")
	worker.do(chromedp.SetUploadFiles(chromedp.CSS(`form[action$="/rectify"] input[type=file]`), []string{y.photo}))
	worker.submit(`form[action$="/rectify"] button[type=submit]`)
	worker.mustSee("整改已记录", "✔ 已完成", "✔ 已整改", "落水口已用不锈钢卡箍加固")
	if photos := worker.count(`.thumbs img[alt^="雨水管整改照片"]`); photos != 1 {
		t.Errorf("%d rectification photos show, want 1", photos)
	}
	worker.check("year-acceptance-closed")
}

// satisfactionSurvey: the admin creates the Xuchang form; the worker records
// one paper form (all 满意 but progress 基本满意); the admin closes it and
// reads the results.
func (y *yearStory) satisfactionSurvey() {
	t, admin, worker := y.t, y.admin, y.worker
	admin.open("/console/estates/" + y.estateID + "/surveys")
	admin.do(chromedp.Click(chromedp.CSS(`input[name=template][value="xuchang-satisfaction"]`)))
	admin.submit(`form[action$="/surveys"] button[type=submit]`)
	admin.mustSee("问卷已创建（草稿）", "老旧小区改造满意度测评", "改后问效")
	surveyPath := strings.TrimPrefix(strings.SplitN(admin.location(), "?", 2)[0], y.s.url)
	admin.submit(`form[action$="/open"] button`)
	admin.mustSee("问卷已开始收集")

	worker.open(surveyPath)
	worker.fill("#r-building", "1")
	worker.fill("#r-unit", "1")
	worker.fill("#r-room", "105")
	if chosen := worker.clickAll(`input[type=radio][value="满意"]`); chosen != 7 {
		t.Fatalf("the Xuchang form offers 满意 on %d questions, want 7", chosen)
	}
	worker.do(chromedp.Click(chromedp.CSS(`input[name=q_progress][value="基本满意"]`)))
	worker.fill("#q-suggestions", "希望增加健身器材")
	worker.check("year-satisfaction-paper")
	worker.submit(`form[action$="/responses"] button[type=submit]`)
	worker.mustSee("纸质问卷已录入")

	admin.open(surveyPath)
	admin.submit(`form[action$="/close"] button`)
	admin.mustSee("问卷已结束")
	admin.submit(`a[href$="/results"]`)
	admin.mustSee("老旧小区改造满意度测评 结果", "共 1 户作答", "施工质量", "总体评价", "希望增加健身器材")
	if svgs := admin.count("svg.bars"); svgs != 7 {
		t.Errorf("the satisfaction results draw %d charts, want 7", svgs)
	}
	progress := run(admin, chromedp.Evaluate[string](`[...document.querySelectorAll("svg.bars title")].map(t => t.textContent).find(t => t.startsWith("施工进度")) || ""`))
	if progress != "施工进度：满意 0 户，基本满意 1 户，不满意 0 户" {
		t.Errorf("the progress chart's title says %q", progress)
	}
	admin.check("year-satisfaction-results")
}
