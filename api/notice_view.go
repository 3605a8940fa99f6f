package api

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"minyi/service"
)

// noticePage is what the notice board template shows: every text already in
// Chinese and every number formatted, so the template only lays it out.
type noticePage struct {
	Estate    estateView
	Current   *revisionView
	Earlier   []revisionView
	Rounds    []roundView
	Answers   []answerView
	Surveys   []surveyView
	Timeline  []eventView
	Updated   string
	NoticeURL string
	QRPath    string
	JSONPath  string
	// Lifecycle is the stage timeline and the site information (lifecycle_notice.go).
	Lifecycle lifecycleView
}

type estateView struct {
	Name string
	// Lines are the estate's details, one short line each.
	Lines []string
}

type revisionView struct {
	Heading, Published, Summary, ChangesTitle, Changes, Addressed string
	Attachments                                                   []linkView
}

type linkView struct {
	Text, Path string
}

type answerView struct {
	Topic, Summary, Outcome, OutcomeClass, Explanation, Revision, Answered string
}

type roundView struct {
	Title, Kind, Status, StatusClass, Scope string
	Plan                                    string
	Dates                                   []string
	Rule                                    string
	Checks                                  []checkView
	Electorate, Participated                string
	Agree, Disagree, Abstain                string
	// AsOf says when the figures were taken ("截至 HH:MM…"); SplitNote explains withheld splits.
	AsOf, SplitNote string
	// SplitHidden withholds the decisions of a small open round; BuildingSplit shows the buildings' agree column.
	SplitHidden, BuildingSplit bool
	Open                       bool
	Result, ResultClass        string
	Shortfall                  string
	Buildings                  []buildingView
	Others                     string
	HasBuildings               bool
}

type checkView struct {
	Label, Actual, Required string
	Passed                  bool
	// BarPercent and MarkPercent are the bar's fill and the threshold mark, 0 to 100.
	BarPercent, MarkPercent int64
}

type buildingView struct {
	Building, Electorate, Participated, Agree string
	// ParticipatedPercent is the share of the building's households that responded, 0 to 100.
	ParticipatedPercent int64
}

type eventView struct {
	Date, Text string
}

var (
	roundKindText   = map[string]string{service.KindWillingness: "意愿征询", service.KindPlan: "方案征询"}
	roundStatusText = map[string]string{service.RoundOpen: "征询中", service.RoundClosed: "已结束（结果公示中）",
		service.RoundFinal: "已结束（结果已最终确定）", service.RoundVoided: "结果已作废"}
	eventKindText = map[string]string{
		service.EventRoundOpened:       "开始征询",
		service.EventRoundClosed:       "征询结束",
		service.EventRevisionPublished: "发布方案修改",
	}
)

// newNoticePage prepares the board for the template.
func newNoticePage(board *service.NoticeBoard, noticeURL, qrPath, jsonPath, attachmentPath string) noticePage {
	e := board.Estate
	page := noticePage{
		Estate:    estateView{Name: e.Name},
		Updated:   chineseDateTime(board.ComputedAt),
		NoticeURL: noticeURL, QRPath: qrPath, JSONPath: jsonPath,
	}
	built := ""
	if e.BuiltYear != nil {
		built = fmt.Sprintf("%d 年建成", *e.BuiltYear)
	}
	for _, line := range []string{
		joinNonEmpty(" · ", joinNonEmpty(" ", e.District, e.Street, e.Community), built),
		e.Address,
	} {
		if line != "" {
			page.Estate.Lines = append(page.Estate.Lines, line)
		}
	}
	if e.ContactPhone != "" {
		page.Estate.Lines = append(page.Estate.Lines, "咨询电话："+e.ContactPhone)
	}
	for i, rev := range board.Revisions {
		view := newRevisionView(rev, attachmentPath)
		if i == len(board.Revisions)-1 {
			page.Current = &view
		} else {
			page.Earlier = append([]revisionView{view}, page.Earlier...) // newest first
		}
	}
	for _, a := range board.Answers {
		page.Answers = append(page.Answers, newAnswerView(a))
	}
	page.Surveys = newSurveyViews(board.Surveys)
	// Newest round first: that is what a resident opening the page wants to see.
	for i := len(board.Rounds) - 1; i >= 0; i-- {
		page.Rounds = append(page.Rounds, newRoundView(board.Rounds[i]))
	}
	for _, ev := range board.Timeline {
		page.Timeline = append(page.Timeline, eventView{Date: chineseDate(ev.At), Text: eventKindText[ev.Kind] + "：" + ev.Title})
	}
	page.Lifecycle = newLifecycleView(board.Lifecycle)
	return page
}

func newRevisionView(rev service.PublicRevision, attachmentPath string) revisionView {
	v := revisionView{Heading: fmt.Sprintf("第 %d 版：%s", rev.Version, rev.Title), Published: "发布于 " + chineseDate(rev.PublishedAt),
		Summary: rev.Summary, Changes: rev.Changes, ChangesTitle: "与上一版相比的修改"}
	if rev.Version == 1 {
		v.ChangesTitle = "方案内容"
	}
	if rev.AddressedCount > 0 {
		v.Addressed = fmt.Sprintf("本版回应了 %d 条居民意见", rev.AddressedCount)
	}
	for i, id := range rev.AttachmentIDs {
		v.Attachments = append(v.Attachments, linkView{Text: fmt.Sprintf("附件 %d", i+1), Path: attachmentPath + url.PathEscape(id)})
	}
	return v
}

// answerOutcomeClass colours an answer's outcome.
var answerOutcomeClass = map[string]string{
	service.OutcomeAdopted: "adopted", service.OutcomePartiallyAdopted: "partial", service.OutcomeNotAdopted: "rejected",
}

func newAnswerView(a service.PublicAnswer) answerView {
	v := answerView{Topic: joinNonEmpty(" · ", service.CategoryLabel(a.Category), a.PlanItem), Summary: a.PublicSummary,
		Outcome: service.OutcomeLabel(a.Outcome), OutcomeClass: answerOutcomeClass[a.Outcome], Explanation: a.Explanation}
	if a.RevisionVersion != nil {
		v.Revision = fmt.Sprintf("已在第 %d 版方案中体现", *a.RevisionVersion)
	}
	if !a.AnsweredAt.IsZero() {
		v.Answered = "答复于 " + chineseDate(a.AnsweredAt)
	}
	return v
}

func newRoundView(r service.NoticeRound) roundView {
	v := roundView{
		Title: r.Title, Kind: roundKindText[r.Kind], Status: roundStatusText[r.Status], StatusClass: r.Status,
		Scope: scopeText(r.ScopeBuilding, r.ScopeUnit), Rule: r.RuleDescription, Open: r.Status == service.RoundOpen,
		Electorate:   amountText(r.Electorate.Households, r.Electorate.AreaHundredths, r.UsesArea),
		Participated: amountText(r.Participated.Households, r.Participated.AreaHundredths, r.UsesArea),
		Agree:        amountText(r.Agree.Households, r.Agree.AreaHundredths, r.UsesArea),
		Disagree:     amountText(r.Disagree.Households, r.Disagree.AreaHundredths, r.UsesArea),
		Abstain:      amountText(r.Abstain.Households, r.Abstain.AreaHundredths, r.UsesArea),
	}
	if r.RevisionVersion != nil {
		v.Plan = fmt.Sprintf("征询方案：第 %d 版", *r.RevisionVersion)
	}
	v.SplitHidden, v.BuildingSplit = r.SplitHidden, !r.BuildingSplitHidden
	if !r.AsOf.IsZero() {
		at := r.AsOf.In(shanghai)
		v.AsOf = "截至 " + at.Format("15:04") + "（" + at.Format("1月2日") + "）的数据"
		if v.Open {
			v.AsOf += fmt.Sprintf("；征询期间，累计至少 %d 户的表态发生变化、且距上次更新至少 %d 分钟后才更新公示数据",
				service.NoticeBatchHouseholds, int(service.NoticeBatchInterval.Minutes()))
		}
	}
	if r.SplitHidden {
		v.SplitNote = fmt.Sprintf("本轮征询不足 %d 户，为保护隐私，征询结束前不公示同意、不同意、弃权的户数", service.MinPublicBuildingHouseholds)
	} else if r.BuildingSplitHidden {
		v.SplitNote = "为保护隐私，征询结束前分楼栋只公示表态进度，不公示各楼栋的同意户数"
	}
	if r.OpenedAt != nil {
		v.Dates = append(v.Dates, "开始："+chineseDate(*r.OpenedAt))
	}
	if r.ClosesAt != nil {
		v.Dates = append(v.Dates, "截止："+chineseDate(*r.ClosesAt))
	}
	if r.ClosedAt != nil {
		v.Dates = append(v.Dates, "结束："+chineseDate(*r.ClosedAt))
	}
	for _, ch := range r.Checks {
		if r.SplitHidden {
			break
		}
		v.Checks = append(v.Checks, checkView{Label: ch.Label, Actual: ch.Actual, Required: ch.Required, Passed: ch.Passed,
			BarPercent: clampPercent(ch.ActualBasisPoints / 100), MarkPercent: clampPercent(ch.RequiredBasisPoints / 100)})
	}
	addNoticePeriod(&v, r.NoticePeriod)
	switch {
	case r.Status == service.RoundVoided:
		v.Result, v.ResultClass = "结果已作废："+r.NoticePeriod.VoidedExplanation, "failed"
	case service.RoundEnded(r.Status) && r.Passed:
		v.Result, v.ResultClass = "结果：通过"+finality(r.Status), "passed"
	case service.RoundEnded(r.Status):
		v.Result, v.ResultClass = "结果：未通过"+finality(r.Status), "failed"
	case r.Passed:
		v.Result, v.ResultClass = "目前已达到通过要求（以征询结束时为准）", "passed"
	}
	if r.Shortfall != nil && !r.Passed {
		if r.Shortfall.Possible {
			v.Shortfall = fmt.Sprintf("还需 %d 户同意即可达到通过要求", r.Shortfall.AgreeHouseholdsNeeded)
		} else {
			v.Shortfall = "即使尚未表态的住户全部同意，也无法达到通过要求"
		}
	}
	for _, b := range r.Buildings {
		view := buildingView{Building: b.Building + " 号楼",
			Electorate: fmt.Sprint(b.Electorate), Participated: fmt.Sprint(b.Participated),
			ParticipatedPercent: share(b.Participated, b.Electorate)}
		if v.BuildingSplit {
			view.Agree = fmt.Sprint(b.Agree)
		}
		v.Buildings = append(v.Buildings, view)
	}
	if g := r.OtherBuildings; g != nil {
		if v.BuildingSplit {
			v.Others = fmt.Sprintf("另有 %d 栋楼户数较少，合并统计：共 %d 户，已表态 %d 户，同意 %d 户（为保护隐私，不分栋公示）",
				g.Buildings, g.Electorate, g.Participated, g.Agree)
		} else {
			v.Others = fmt.Sprintf("另有 %d 栋楼户数较少，合并统计：共 %d 户，已表态 %d 户（为保护隐私，不分栋公示）",
				g.Buildings, g.Electorate, g.Participated)
		}
	}
	v.HasBuildings = len(v.Buildings) > 0 || v.Others != ""
	return v
}

func scopeText(building, unit string) string {
	switch {
	case building == "":
		return "全小区"
	case unit == "":
		return building + " 号楼"
	default:
		return building + " 号楼 " + unit + " 单元"
	}
}

// amountText writes "120 户" or, for rules that count area, "120 户 / 8,650.5 m²".
func amountText(households, areaHundredths int64, withArea bool) string {
	text := fmt.Sprintf("%d 户", households)
	if withArea {
		text += " / " + formatArea(areaHundredths) + " m²"
	}
	return text
}

func share(part, whole int64) int64 {
	if whole <= 0 {
		return 0
	}
	return clampPercent(part * 100 / whole)
}

func clampPercent(p int64) int64 {
	return min(max(p, 0), 100)
}

func chineseDate(t time.Time) string {
	return t.In(shanghai).Format("2006年1月2日")
}

func chineseDateTime(t time.Time) string {
	return t.In(shanghai).Format("2006年1月2日 15:04")
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// addNoticePeriod adds a closed round's notice period and early-close reason to its dates.
func addNoticePeriod(v *roundView, p *service.NoticePeriod) {
	if p == nil {
		return
	}
	if p.CloseReason != "" {
		v.Dates = append(v.Dates, "提前结束，理由："+p.CloseReason)
	}
	if p.EndsAt != nil {
		v.Dates = append(v.Dates, "公示期至："+chineseDate(*p.EndsAt))
	}
}

// finality says whether a closed round's result is final yet.
func finality(status string) string {
	if status == service.RoundFinal {
		return "（公示期满，结果为最终结果）"
	}
	return "（公示期内可书面提出异议，结果尚未最终确定）"
}
