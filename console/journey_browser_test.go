package console_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// rosterCSV is two buildings of two units with six flats each (24
// households), as a street office's spreadsheet would list them.
func rosterCSV() []byte {
	var b strings.Builder
	b.WriteString("楼栋,单元,房号,面积,业主,电话\n")
	names := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋")
	i := 0
	for building := 1; building <= 2; building++ {
		for unit := 1; unit <= 2; unit++ {
			for floor := 1; floor <= 3; floor++ {
				for flat := 1; flat <= 2; flat++ {
					fmt.Fprintf(&b, "%d,%d,%d%02d,%d.%02d,%c建国,1390000%04d\n", building, unit, floor, flat, 70+i*37/100, i*37%100, names[i], i)
					i++
				}
			}
		}
	}
	return []byte(b.String())
}

// TestConsoleJourneysInBrowser: an admin sets up an estate, a worker and a
// round in the browser; the worker records 10 decisions on a phone-sized
// screen, each in three taps; the admin follows the tally and closes the
// round. Every page passes axe-core and is photographed at both sizes.
func TestConsoleJourneysInBrowser(t *testing.T) {
	browser := startBrowser(t)
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx := context.Background()

		admin := newTab(t, browser, s.url, 1280, 800, false)
		admin.open("/console/login")
		admin.check("login")
		admin.fill("#username", adminName)
		admin.fill("#password", adminPassword)
		admin.submit(`button[type=submit]`)
		admin.mustSee("工作台", "还没有小区")
		admin.check("dashboard-empty")

		admin.submit(`a[href="/console/estates/new"]`)
		admin.check("estate-new")
		admin.fill("#name", "阳光花园")
		admin.fill("#code", "sunny-garden")
		admin.fill("#district", "示范区")
		admin.submit(`main button[type=submit]`)
		admin.mustSee("小区已创建", "sunny-garden", "二维码海报")
		estates, _, err := s.svc.ListEstates(ctx, service.SystemActor(), service.Page{})
		if err != nil || len(estates) != 1 || estates[0].Code != "sunny-garden" {
			t.Fatalf("estates after the form: %+v (%v)", estates, err)
		}
		estate := estates[0]
		admin.check("estate")

		roster := filepath.Join(t.TempDir(), "名册.csv")
		if err := os.WriteFile(roster, rosterCSV(), 0o644); err != nil {
			t.Fatal(err)
		}
		admin.submit(`a[href="/console/estates/` + estate.ID + `/import"]`)
		admin.check("import")
		admin.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{roster}))
		admin.submit(`form[action$="/import"] button[type=submit]`)
		admin.mustSee("预览（尚未保存）", "新增")
		admin.check("import-preview")
		admin.submit(`form[action$="/import/confirm"] button[type=submit]`)
		admin.mustSee("已导入")
		if n, err := s.svc.CountHouseholds(ctx, service.SystemActor(), estate.ID); err != nil || n != 24 {
			t.Fatalf("after the import the estate has %d households (%v)", n, err)
		}

		admin.open("/console/users")
		admin.fill("#new-username", "worker01")
		admin.fill("#new-name", "李网格")
		admin.fill("#new-password", "worker-password-1")
		admin.submit(`form[action="/console/users"] button[type=submit]`)
		admin.mustSee("账号已创建", "worker01")
		admin.check("users")

		admin.open("/console/estates/" + estate.ID)
		admin.submit(`form[action$="/staff"] button[type=submit]`)
		admin.mustSee("已分配", "李网格")

		admin.open("/console/estates/" + estate.ID + "/rounds/new")
		if got := admin.text("#rule-example"); !strings.Contains(got, "24 户中需至少 20 户表态、其中至少 16 户同意") {
			t.Errorf("the two-80 example for 24 households says %q", got)
		}
		admin.do(chromedp.Click(chromedp.CSS(`input[value="civil-code-major"]`)))
		admin.waitText("#rule-example", "24 户中需至少 16 户表态、其中至少 12 户同意")
		admin.do(chromedp.Click(chromedp.CSS(`input[value="two-80"]`)))
		admin.waitText("#rule-example", "24 户中需至少 20 户表态")
		admin.check("round-new")
		admin.fill("#title", "加装电梯意愿征询（第一轮）")
		admin.submit(`main button[type=submit]`)
		admin.mustSee("征询轮次已创建", "草稿", "入户征询率≥80%")
		admin.check("round-draft")
		roundURL := strings.TrimPrefix(strings.SplitN(admin.location(), "?", 2)[0], s.url)
		roundID := strings.TrimPrefix(roundURL, "/console/rounds/")
		admin.submit(`form[action$="/open"] button`)
		admin.mustSee("征询已开始", "实时统计", "入户进度")
		admin.check("round-open")

		worker := newTab(t, browser, s.url, 375, 812, true)
		worker.open("/console/login")
		worker.fill("#username", "worker01")
		worker.fill("#password", "worker-password-1")
		worker.submit(`button[type=submit]`)
		worker.mustSee("阳光花园")
		worker.check("dashboard")
		if res := run(worker, chromedp.NavigateResponse(s.url+"/console/estates/no-such-estate")); res.Status != 404 {
			t.Errorf("an unknown estate: %d", res.Status)
		}
		worker.mustSee("找不到该小区")
		worker.check("error-404")
		worker.open("/console/")
		worker.submit(`a[href="/console/estates/` + estate.ID + `"]`)
		worker.submit(`a[href="/console/rounds/` + roundID + `/rooms"]`)
		worker.check("rooms-buildings")
		worker.submit(`a[href="/console/rounds/` + roundID + `/rooms?building=1"]`)
		worker.check("rooms-grid")
		worker.mustSee("已表态 0 / 24 户", "还需至少 20 户同意", "尚未表态 6 户")
		if !run(worker, chromedp.Evaluate[bool](`document.querySelector("ul.missing").textContent.includes("王建国 13900000000")`)) {
			t.Error("the list of flats still to reach lacks the owner's name and phone")
		}
		for i := range 10 {
			// Three taps: the room, the decision, the button (the signer's name is the owner's, filled in).
			worker.submit(`a.cell.s-not_visited`)
			if i == 0 {
				worker.check("household")
			}
			worker.do(chromedp.Click(chromedp.CSS(`input[name=decision][value=agree]`)))
			worker.submit(`form[data-offline=decision] button[type=submit]`)
			if i < 9 && !strings.Contains(worker.location(), "building=1") {
				t.Fatalf("after recording, the worker is at %s, not back on the grid", worker.location())
			}
			if i == 5 {
				worker.open("/console/rounds/" + roundID + "/rooms?building=1") // the second building's rooms come after the first's
			}
		}
		worker.mustSee("表态已记录", "尚未表态")
		worker.submit(`a.cell.s-not_visited`)
		worker.do(chromedp.Click(chromedp.CSS(`input[name=outcome][value=not_home]`)))
		worker.submit(`form[data-offline=visit] button[type=submit]`)
		worker.mustSee("走访已记录")
		if visited := run(worker, chromedp.Evaluate[int](`document.querySelectorAll("a.cell.s-visited").length`)); visited != 1 {
			t.Errorf("after recording a visit the grid shows %d visited flats", visited)
		}
		worker.check("rooms-grid-after")

		workOffline(t, s, worker, roundID)

		worker.open("/console/rounds/" + roundID + "/find?q=" + "2栋1单元101室")
		worker.mustSee("2 栋 1 单元 101 室", "业主")
		worker.open("/console/rounds/" + roundID + "/find?q=" + "建国")
		worker.mustSee("查找住户")
		worker.check("find")

		worker.open("/console/rounds/" + roundID + "/rooms?building=1")
		worker.submit(`form[action$="/slips"] button[type=submit]`)
		worker.mustSee("居民绑定码", "1 栋 1 单元 101 室", "只能使用一次")
		if codes := run(worker, chromedp.Evaluate[int](`[...document.querySelectorAll(".slip .code")].filter(c => /^[2-9A-Z]{8}$/.test(c.textContent)).length`)); codes != 6 {
			t.Errorf("%d binding-code slips for the six flats of unit 1-1", codes)
		}
		worker.check("print-slips")
		worker.open("/console/")
		worker.submit(`form[action="/console/logout"] button`)
		worker.mustSee("已退出登录")
		forgotten := false
		for range 50 {
			forgotten = run(worker, chromedp.Evaluate[bool](`caches.keys().then(keys => !keys.includes("minyi-console-v1")).then(noCache =>
				new Promise(ok => { const r = indexedDB.open("minyi-console", 1); r.onsuccess = () => {
					const c = r.result.transaction("rounds").objectStore("rounds").count(); c.onsuccess = () => ok(noCache && c.result === 0); }; }))`, chromedp.EvalAwaitPromise))
			if forgotten {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !forgotten {
			t.Error("after logout the phone still keeps the room grids or the rooms")
		}

		tally, err := s.svc.GetTally(ctx, service.SystemActor(), roundID, true)
		if err != nil {
			t.Fatal(err)
		}
		if agree := tally.Decisions[service.DecisionAgree].Households; agree != 13 || !tally.Recount.Matches {
			t.Fatalf("after 10 decisions online and 3 offline the tally has %d agreeing (recount matches: %v)", agree, tally.Recount.Matches)
		}

		printRegister(t, admin, roundID)
		admin.open("/console/rounds/" + roundID + "/forms?building=1&unit=1")
		admin.mustSee("征询表", "1 栋 1 单元 101 室", "业主（或委托人）签字")
		admin.check("print-forms")
		admin.loadedImages(".form-head img", 6)
		qrs := run(admin, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".form-head img")].filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)`))
		if len(qrs) != 6 {
			t.Fatalf("%d of the six forms show their QR code", len(qrs))
		}
		for i, qr := range qrs {
			if got, want := decodeQRDataURI(t, qr), "https://minyi.example.cn/console/rounds/"+roundID+"/households/"; !strings.HasPrefix(got, want) {
				t.Errorf("form %d's QR code says %q, want the household's page under %q", i+1, got, want)
			}
		}

		admin.open(roundURL)
		admin.mustSee("已表态", "还需至少")
		admin.check("round-tally")
		admin.do(chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
		admin.submit(`form[action$="/close"] button`)
		admin.mustSee("征询已结束", "表决结果")
		admin.check("round-closed")
		admin.open("/console/rounds/" + roundID + "/announcement")
		admin.mustSee("征询结果公告", "未达到", "公示期")
		admin.check("print-announcement")

		admin.open("/console/estates/" + estate.ID + "/audit?action=signoff")
		admin.mustSee("signoff")
		admin.submit(`form[action$="/audit/verify"] button`)
		admin.mustSee("账本完好")
		admin.check("audit")

		admin.open("/notice/sunny-garden")
		admin.check("notice-board")

		designerJourney(t, s, browser, estate.ID, roundID)
	})
}

// designerJourney: a designer reads the feedback (no rooms), answers an
// objection and publishes a revision with a drawing that addresses it.
func designerJourney(t *testing.T, s *site, browser context.Context, estateID, roundID string) {
	ctx, system := context.Background(), service.SystemActor()
	system.Channel = service.ChannelPaper
	objection, err := s.svc.FileObjection(ctx, system, estateID, service.ObjectionInput{RoundID: &roundID,
		Category: "facade", PlanItem: "外立面涂料", Content: "外墙颜色太深，夏天吸热，建议改浅色", Channel: service.ChannelPaper})
	if err != nil {
		t.Fatal(err)
	}
	designerID := s.user("designer01", "designer-password-1", service.RoleDesigner)
	if err := s.svc.AssignStaff(ctx, system, estateID, designerID, service.RoleDesigner); err != nil {
		t.Fatal(err)
	}
	designer := newTab(t, browser, s.url, 1280, 800, false)
	designer.open("/console/login")
	designer.fill("#username", "designer01")
	designer.fill("#password", "designer-password-1")
	designer.submit(`button[type=submit]`)
	designer.open("/console/estates/" + estateID + "/feedback?round=" + roundID)
	designer.mustSee("外立面", "外墙颜色太深", "待答复 1")
	if body := designer.text("main"); strings.Contains(body, "101") || strings.Contains(body, objection.ID) {
		t.Errorf("the designer's feedback page shows a room or an id:\n%s", body)
	}
	designer.check("feedback")
	designer.submit(`a[href="/console/objections/` + objection.ID + `"]`)
	designer.check("objection")
	designer.do(chromedp.Click(chromedp.CSS(`input[name=outcome][value=not_adopted]`)))
	if status := designer.submitStatus(`form[action$="/answer"] button[type=submit]`); status != 422 {
		t.Errorf("not adopted without an explanation: %d, want 422", status)
	}
	designer.mustSee("填写的内容有误", "说明")
	if o, _ := s.svc.GetObjection(ctx, system, objection.ID); o.Status != service.ObjectionOpen {
		t.Fatalf("an answer without its explanation was saved: %s", o.Status)
	}
	designer.fill("#explanation", "浅色涂料已列入比选，最终以居民投票为准")
	designer.fill("#public_summary", "有居民建议外墙改用浅色涂料")
	designer.do(chromedp.Click(chromedp.CSS(`input[name=outcome][value=partially_adopted]`)))
	designer.submit(`form[action$="/answer"] button[type=submit]`)
	designer.mustSee("答复已保存", "部分采纳")

	drawing := filepath.Join(t.TempDir(), "drawing.png")
	if err := os.WriteFile(drawing, tinyPNG(), 0o644); err != nil {
		t.Fatal(err)
	}
	designer.open("/console/estates/" + estateID + "/revisions/new")
	designer.check("revision-new")
	designer.fill("#rev-title", "外立面方案第二版")
	designer.fill("#rev-summary", "外墙改为浅灰色")
	designer.do(chromedp.Click(chromedp.CSS(`input[name=addresses][value="`+objection.ID+`"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{drawing}))
	designer.submit(`form[action$="/revisions"] button[type=submit]`)
	designer.mustSee("方案修订已发布")
	revisions, _, err := s.svc.ListRevisions(ctx, system, estateID, service.Page{})
	if err != nil || len(revisions) != 1 {
		t.Fatalf("revisions: %d (%v)", len(revisions), err)
	}
	if r := revisions[0]; r.Title != "外立面方案第二版" || len(r.Addresses) != 1 || r.Addresses[0] != objection.ID || len(r.Attachments) != 1 {
		t.Errorf("the published revision: %q addresses %v, %d attachments", r.Title, r.Addresses, len(r.Attachments))
	}
}

// tinyPNG is a valid 1×1 PNG.
func tinyPNG() []byte {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// printRegister opens the register's print page, checks under print media
// that no cell or page overflows, prints it to PDF and checks that every
// page is A4 landscape and that there are as many pages as the page says.
func printRegister(t *testing.T, tb *tab, roundID string) {
	t.Helper()
	tb.open("/console/rounds/" + roundID + "/register")
	tb.mustSee("签字登记表", "第 1 页 共 2 页", "第 2 页 共 2 页", "经办人（签字）", "盖章")
	tb.check("print-register")
	tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	cut := run(tb, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".register th, .register td, .sheet")]
		.filter(c => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
		.map(c => c.tagName + ":" + c.textContent.slice(0, 40))`))
	if len(cut) > 0 {
		t.Errorf("under print media these cells or pages overflow (would be cut): %v", cut)
	}
	headers := run(tb, chromedp.Evaluate[int](`document.querySelectorAll(".register thead th").length`))
	if headers != 2*11 {
		t.Errorf("%d header cells, want the 11 columns repeated on both pages", headers)
	}
	pdf := run(tb, chromedp.Action[[]byte](func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, target, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), PrintBackground: ptr(true)})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}))
	tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}))
	if err := os.WriteFile(filepath.Join(tb.artifacts, "console-register.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	boxes := mediaBoxPattern.FindAllSubmatch(pdf, -1)
	if len(boxes) != 2 {
		t.Fatalf("the PDF has %d pages (MediaBoxes), want 2", len(boxes))
	}
	for i, box := range boxes {
		w, _ := strconv.ParseFloat(string(box[1]), 64)
		h, _ := strconv.ParseFloat(string(box[2]), 64)
		if math.Abs(w-841.89) > 2 || math.Abs(h-595.28) > 2 {
			t.Errorf("PDF page %d is %.1f×%.1f pt, want A4 landscape 841.9×595.3", i+1, w, h)
		}
	}
}

var mediaBoxPattern = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)

func ptr[T any](v T) *T { return &v }

// setOffline cuts the tab's network (and the service worker's) or gives it back.
func (tb *tab) setOffline(offline bool) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := cdp.Call(ctx, target, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		conditions := []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}
		if _, err := cdp.Call(ctx, target, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: ptr(offline), MatchedNetworkConditions: conditions}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, target, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

// waitJS waits until a script expression is true.
func (tb *tab) waitJS(expr, what string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		tb.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// workOffline: the worker's phone loses the network; three decisions are
// queued on the device (three taps each), survive a reload with no network,
// and are synced and counted once when the network returns; sending them
// again changes nothing.
func workOffline(t *testing.T, s *site, worker *tab, roundID string) {
	t.Helper()
	grid := "/console/rounds/" + roundID + "/rooms?building=2"
	worker.open(grid)
	worker.waitJS(`navigator.serviceWorker.controller !== null`, "the service worker to take over")
	worker.open(grid) // through the service worker, which keeps a copy
	worker.waitJS(`new Promise(ok => { const r = indexedDB.open("minyi-console", 1); r.onsuccess = () => {
		const g = r.result.transaction("rounds").objectStore("rounds").get(`+strconv.Quote(roundID)+`);
		g.onsuccess = () => ok(!!g.result && g.result.rooms.length === 24); }; })`, "the rooms to be kept on the device")

	worker.setOffline(true)
	worker.waitJS(`navigator.onLine === false`, "the page to see it is offline")
	for i := 1; i <= 3; i++ {
		worker.do(chromedp.Click(chromedp.CSS(`a.cell.s-not_visited:not(.queued)`)),
			chromedp.Click(chromedp.CSS(`#offline-panel input[value=agree]`)),
			chromedp.Click(chromedp.CSS(`#offline-panel button[type=submit]`)))
		worker.waitText("#queue", fmt.Sprintf("待上传 %d 条", i))
	}
	queued := run(worker, chromedp.Evaluate[[]byte](`new Promise(ok => { const r = indexedDB.open("minyi-console", 1); r.onsuccess = () => {
		const g = r.result.transaction("queue").objectStore("queue").getAll(); g.onsuccess = () => ok(g.result); }; })`, chromedp.EvalAwaitPromise))
	if tally, _ := s.svc.GetTally(context.Background(), service.SystemActor(), roundID, false); tally.Decisions[service.DecisionAgree].Households != 10 {
		t.Fatalf("while offline the server already counts %d agreeing", tally.Decisions[service.DecisionAgree].Households)
	}

	worker.do(chromedp.Navigate(worker.base + grid)) // the page closes and opens again, still offline
	worker.waitText("#queue", "待上传 3 条")
	worker.check("rooms-offline")

	worker.setOffline(false)
	worker.waitText("#sync-results", "成功 3 条，重复 0 条，未通过 0 条")
	worker.mustSee("2-1-101：已上传")
	worker.waitJS(`document.getElementById("queue").hidden`, "the queue to empty")

	resend := run(worker, chromedp.Evaluate[string](`fetch(location.pathname.replace(/rooms$/, "sync"), {method: "POST",
		headers: {"Content-Type": "application/json", "X-CSRF-Token": document.querySelector("[data-csrf]").dataset.csrf},
		body: JSON.stringify({records: `+string(queued)+`.map(r => { delete r.round_id; delete r.label; return r; })})}).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if !strings.Contains(resend, `"duplicates":3`) || !strings.Contains(resend, "此前已上传过") {
		t.Errorf("sending the three records again: %s", resend)
	}
}

// decodeQRDataURI reads the QR code of a data: URI holding a PNG.
func decodeQRDataURI(t *testing.T, uri string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(uri, "data:image/png;base64,"))
	if err != nil {
		t.Fatalf("not a PNG data URI: %.60s", uri)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bitmap, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The code is a clean generated image: read it as such. Without the hint,
	// gozxing's finder-pattern search misses about 1 in 100 valid codes
	// (measured: 4 of 400 random household links, 0 of 400 with it).
	pure := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	result, err := zxingqr.NewQRCodeReader().Decode(bitmap, pure)
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return result.GetText()
}
