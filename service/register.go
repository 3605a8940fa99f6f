package service

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/service/rule"
	"minyi/store"
)

// registerHeader are the columns of the sign-off register.
var registerHeader = []string{"楼栋", "单元", "房号", "面积", "业主", "意见", "方式", "签字人", "时间", "凭证"}

var decisionLabels = map[string]string{
	DecisionAgree: "同意", DecisionDisagree: "反对", DecisionAbstain: "弃权", DecisionWithdrawn: "已撤回", "": "未表态",
}

var channelLabels = map[string]string{
	ChannelOnline: "线上", ChannelPaper: "纸质签字", ChannelDoor: "入户", ChannelProxy: "代签", ChannelSync: "离线同步", ChannelAPI: "接口",
}

// registerLine is one household of the electorate with its current decision.
type registerLine store.RegisterLine

// ExportRegister writes a round's sign-off register, the document workers
// file upward: one row per household of the electorate (楼栋, 单元, 房号, 面积,
// 业主, 意见, 方式, 签字人, 时间 in +08:00, 凭证) and, in the workbook, a summary
// sheet with the tally and each rule check. The CSV (UTF-8 with BOM) holds
// the rows only. Evidence paths on this server are made absolute with
// publicBaseURL. Errors: round_not_found, round_not_open (draft),
// validation_failed (format).
func (s *Service) ExportRegister(ctx context.Context, actor Actor, roundID, format, publicBaseURL string) (*Spreadsheet, error) {
	format, err := checkFormat(format)
	if err != nil {
		return nil, err
	}
	tx := s.read(ctx)
	var round model.Round
	if err := s.loadRoundFor(tx, actor, roundID, ActExportRegister, &round); err != nil {
		return nil, AsError(err)
	}
	if round.Status == RoundDraft {
		return nil, Conflict("round_not_open", "a draft round has no electorate yet")
	}
	estate, err := store.ByID[model.Estate](tx, round.EstateID)
	if err != nil {
		return nil, AsError(err)
	}
	lines, err := registerLines(tx, round.ID)
	if err != nil {
		return nil, AsError(err)
	}
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = l.cells(publicBaseURL)
	}
	name := safeFileName(fmt.Sprintf("%s-第%d轮签字登记表.%s", estate.Name, round.Seq, format))
	table := sheet{Name: "签字登记表", Header: registerHeader, Rows: rows,
		Widths: []float64{8, 8, 10, 12, 14, 8, 10, 14, 20, 40}}
	if format == FormatXLSX {
		table.Title, table.Borders, table.Prepare = registerTitle(&estate, &round), true, printRegister
	}
	if format == FormatCSV {
		return renderTable(format, name, table)
	}
	now := s.Now()
	tally, err := s.roundTally(tx, round, now)
	if err != nil {
		return nil, AsError(err)
	}
	visits, err := s.lastVisits(tx, round.ID)
	if err != nil {
		return nil, AsError(err)
	}
	visited := int64(0)
	for _, l := range lines {
		if _, ok := visits[l.HouseholdID]; ok || l.Decision != nil {
			visited++
		}
	}
	view, err := decodeRound(round)
	if err != nil {
		return nil, AsError(err)
	}
	summary := registerSummary(&estate, view, tally, visited, now)
	data, err := writeXLSX([]sheet{table, {Name: "汇总", Header: []string{"项目", "内容", "", ""}, Rows: summary,
		Widths: []float64{22, 40, 12, 10}}})
	if err != nil {
		return nil, AsError(err)
	}
	return &Spreadsheet{FileName: name, ContentType: ContentTypeXLSX, Data: data}, nil
}

// registerLines reads the electorate with each household's current
// decision, in building, unit and room order.
func registerLines(tx *store.Tx, roundID string) ([]registerLine, error) {
	rows, err := tx.RegisterLines(roundID)
	if err != nil {
		return nil, err
	}
	lines := make([]registerLine, len(rows))
	for i, row := range rows {
		lines[i] = registerLine(row)
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		return addressLess(model.Household{Building: a.Building, Unit: a.Unit, Room: a.Room},
			model.Household{Building: b.Building, Unit: b.Unit, Room: b.Room})
	})
	return lines, nil
}

// cells is the register row of a household; a withdrawn decision shows as
// 已撤回 with the time of the withdrawal.
func (l registerLine) cells(publicBaseURL string) []any {
	text := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	decision := text(l.Decision)
	when, signer, channel := "", "", ""
	if l.RecordedAt != nil {
		when = localTime(*l.RecordedAt)
	}
	if l.Decision != nil {
		channel = channelLabels[text(l.Channel)]
		if decision != DecisionWithdrawn {
			signer = text(l.SignerName)
		}
	}
	evidence := text(l.EvidenceURL)
	if strings.HasPrefix(evidence, "/") && publicBaseURL != "" {
		evidence = strings.TrimRight(publicBaseURL, "/") + evidence
	}
	return []any{l.Building, l.Unit, l.Room, areaCell(l.AreaHundredths), l.OwnerName, decisionLabels[decision],
		channel, signer, when, evidence}
}

// registerSummary is the summary sheet: the round, the tally, each rule
// check and the conclusion.
func registerSummary(estate *model.Estate, round *RoundView, tally *Tally, visited int64, now time.Time) [][]any {
	amount := func(a rule.Amount) string {
		return fmt.Sprintf("%d 户，%s ㎡", a.Households, areaCell(a.AreaHundredths))
	}
	scope := "全小区"
	if round.ScopeBuilding != "" {
		scope = round.ScopeBuilding + " 栋"
		if round.ScopeUnit != "" {
			scope += " " + round.ScopeUnit + " 单元"
		}
	}
	status := map[string]string{RoundOpen: "进行中（统计为导出时的实时数据）", RoundClosed: "已结束（统计为结束时冻结的结果）；公示期中，结果尚未最终确定",
		RoundFinal: "已结束（统计为结束时冻结的结果）；公示期满，结果为最终结果", RoundVoided: "已结束（统计为结束时冻结的结果）；结果因异议成立已作废"}[round.Status]
	notAnswered := rule.Amount{Households: tally.Electorate.Households - tally.Participated.Households,
		AreaHundredths: tally.Electorate.AreaHundredths - tally.Participated.AreaHundredths}
	rows := [][]any{
		{"小区", estate.Name},
		{"征询轮次", fmt.Sprintf("第%d轮：%s", round.Seq, round.Title)},
		{"征询范围", scope},
		{"状态", status},
		{"表决规则", round.Rule.Describe()},
		{"开始时间", optionalTime(round.OpenedAt)},
		{"结束时间", optionalTime(round.ClosedAt)},
		{"应参与表决", amount(tally.Electorate)},
		{"已表决", amount(tally.Participated)},
		{"同意", amount(tally.Decisions[DecisionAgree])},
		{"反对", amount(tally.Decisions[DecisionDisagree])},
		{"弃权", amount(tally.Decisions[DecisionAbstain])},
		{"未表态", amount(notAnswered)},
		{"入户户数（走访或签字）", fmt.Sprintf("%d 户，入户率 %s", visited, formatPercent(visited, tally.Electorate.Households))},
		{},
		{"规则检查", "要求", "实际", "结果"},
	}
	for i, check := range tally.Checks {
		label := check.Name
		if i < len(round.Rule.Checks) {
			label = checkLabel(round.Rule.Checks[i])
		}
		rows = append(rows, []any{label, check.Required, check.Actual, passedLabel(check.Passed)})
	}
	needed := "已达到通过条件"
	switch {
	case !tally.Shortfall.Possible:
		needed = "即使全部未表态住户同意也无法通过，需有住户改变意见"
	case !tally.Passed:
		needed = fmt.Sprintf("还需 %d 户同意", tally.Shortfall.AgreeHouseholdsNeeded)
	}
	return append(rows, []any{},
		[]any{"结论", passedLabel(tally.Passed)},
		[]any{"距通过", needed},
		[]any{"导出时间", localTime(now)},
		[]any{"说明", "时间均为北京时间（UTC+08:00）；面积为专有部分面积（平方米）。"},
	)
}

func optionalTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return localTime(*t)
}

func passedLabel(passed bool) string {
	if passed {
		return "通过"
	}
	return "未通过"
}

// checkLabel names a rule check in Chinese, e.g. "同意户数占参与表决户数".
func checkLabel(c rule.Check) string {
	unit := "户数"
	if c.Measure == rule.MeasureArea {
		unit = "面积"
	}
	who := "参与表决" + unit
	if c.Of == rule.OfAgree {
		who = "同意" + unit
	}
	of := "总" + unit
	if c.Base == rule.BaseParticipants {
		of = "参与表决" + unit
	}
	return who + "占" + of
}

// registerTitle is the title row of the register: the estate and the round.
func registerTitle(estate *model.Estate, round *model.Round) string {
	return fmt.Sprintf("%s　第%d轮征询「%s」签字登记表", estate.Name, round.Seq, round.Title)
}

// registerFooter numbers the printed pages ("第 1 页 共 3 页"), centred.
const registerFooter = "&C第 &P 页 共 &N 页"

// printRegister sets up the register's worksheet for paper: A4 landscape,
// fitted to one page wide (as many pages tall as needed), the title and
// header rows repeated on every page, and page numbers in the footer.
func printRegister(f *excelize.File, name string) error {
	landscape, a4, oneWide, anyTall := "landscape", 9, 1, 0
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4,
		FitToWidth: &oneWide, FitToHeight: &anyTall}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	margin, edge := 0.5, 0.3
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin,
		Top: &margin, Bottom: &margin, Header: &edge, Footer: &edge}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: registerFooter}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: name,
		RefersTo: fmt.Sprintf("'%s'!$1:$2", name)})
}
