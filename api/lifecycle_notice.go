package api

import (
	"fmt"
	"strings"

	"minyi/service"
)

// noticeStageJSON is one stage on the public board.
type noticeStageJSON struct {
	Stage      string `json:"stage"`
	Label      string `json:"label"`
	Status     string `json:"status"`
	StartedAt  *Time  `json:"started_at"`
	FinishedAt *Time  `json:"finished_at"`
	Note       string `json:"note"`
}

// noticeSiteJSON is the public site information (明白墙 / 公示牌).
type noticeSiteJSON struct {
	Builder         string `json:"builder"`
	SupervisingUnit string `json:"supervising_unit"`
	DesignerUnit    string `json:"designer_unit"`
	StartsOn        string `json:"starts_on"`
	EndsOn          string `json:"ends_on"`
	BudgetFen       int64  `json:"budget_fen"`
	ContactPhone    string `json:"contact_phone"`
}

// noticeAcceptanceJSON is a joint acceptance on the public board: counts,
// open rectification items and the signing roles with masked names.
type noticeAcceptanceJSON struct {
	At        Time                 `json:"at"`
	Status    string               `json:"status"`
	Items     int                  `json:"items"`
	Passed    int                  `json:"passed"`
	Rectified int                  `json:"rectified"`
	OpenItems []noticeOpenItemJSON `json:"open_items"`
	Signers   []noticeSignerJSON   `json:"signers"`
}

type noticeOpenItemJSON struct {
	Name string `json:"name"`
	Note string `json:"note"`
}

type noticeSignerJSON struct {
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	Name      string `json:"name"`
}

// noticeReportsJSON counts the problem reports by status: never texts or photos.
type noticeReportsJSON struct {
	Reported  int64 `json:"reported"`
	Assigned  int64 `json:"assigned"`
	Fixed     int64 `json:"fixed"`
	Confirmed int64 `json:"confirmed"`
}

// addLifecycleJSON puts the stage timeline and the site information on the board's JSON.
func addLifecycleJSON(out *noticeJSON, l service.NoticeLifecycle) {
	out.Stages = make([]noticeStageJSON, len(l.Stages))
	for i, s := range l.Stages {
		out.Stages[i] = noticeStageJSON{Stage: s.Stage, Label: s.Label, Status: s.Status,
			StartedAt: timePtr(s.StartedAt), FinishedAt: timePtr(s.FinishedAt), Note: s.Note}
	}
	out.Reports = noticeReportsJSON{Reported: l.Reports[service.ReportReported], Assigned: l.Reports[service.ReportAssigned],
		Fixed: l.Reports[service.ReportFixed], Confirmed: l.Reports[service.ReportConfirmed]}
	out.Acceptances = make([]noticeAcceptanceJSON, len(l.Acceptances))
	for i, a := range l.Acceptances {
		j := noticeAcceptanceJSON{At: Time(a.At), Status: a.Status, Items: a.Items, Passed: a.Passed, Rectified: a.Rectified,
			OpenItems: make([]noticeOpenItemJSON, len(a.OpenItems)), Signers: make([]noticeSignerJSON, len(a.Signers))}
		for k, it := range a.OpenItems {
			j.OpenItems[k] = noticeOpenItemJSON{Name: it.Name, Note: it.Note}
		}
		for k, sg := range a.Signers {
			j.Signers[k] = noticeSignerJSON{Role: sg.Role, RoleLabel: sg.RoleLabel, Name: sg.MaskedName}
		}
		out.Acceptances[i] = j
	}
	if s := l.Site; s != nil {
		out.Site = &noticeSiteJSON{Builder: s.Builder, SupervisingUnit: s.SupervisingUnit, DesignerUnit: s.DesignerUnit,
			StartsOn: s.StartsOn, EndsOn: s.EndsOn, BudgetFen: s.BudgetFen, ContactPhone: s.ContactPhone}
	}
}

// lifecycleView is the board's section on the renovation's stages and site.
type lifecycleView struct {
	Stages []stageView
	// Site lines ("施工单位：…"), empty before the site information is set.
	Site []string
	// Acceptances are the latest joint acceptances, newest first.
	Acceptances []acceptanceView
	// Reports is the line counting the problem reports ("" when there are none).
	Reports string
}

type acceptanceView struct {
	Heading, Summary, Signers string
	OpenItems                 []string
}

type stageView struct {
	Label, Status, StatusClass, Dates, Note string
}

var stageStatusText = map[string]string{
	service.StagePending: "未开始", service.StageInProgress: "进行中", service.StageDone: "已完成",
}

// newLifecycleView formats the stages and site information for the page.
func newLifecycleView(l service.NoticeLifecycle) lifecycleView {
	var v lifecycleView
	for _, s := range l.Stages {
		sv := stageView{Label: s.Label, Status: stageStatusText[s.Status], StatusClass: strings.ReplaceAll(s.Status, "_", "-"), Note: s.Note}
		switch {
		case s.StartedAt != nil && s.FinishedAt != nil:
			sv.Dates = chineseDate(*s.StartedAt) + " 至 " + chineseDate(*s.FinishedAt)
		case s.StartedAt != nil:
			sv.Dates = chineseDate(*s.StartedAt) + " 开始"
		}
		v.Stages = append(v.Stages, sv)
	}
	for _, a := range l.Acceptances {
		av := acceptanceView{Heading: chineseDate(a.At) + " 联合验收",
			Summary: fmt.Sprintf("共 %d 项：通过 %d 项，整改完成 %d 项，待整改 %d 项", a.Items, a.Passed, a.Rectified, len(a.OpenItems))}
		var signers []string
		for _, sg := range a.Signers {
			signers = append(signers, sg.RoleLabel+" "+sg.MaskedName)
		}
		av.Signers = "签字：" + strings.Join(signers, "、")
		for _, it := range a.OpenItems {
			av.OpenItems = append(av.OpenItems, joinNonEmpty("：", it.Name, it.Note))
		}
		v.Acceptances = append(v.Acceptances, av)
	}
	var reports int64
	for _, n := range l.Reports {
		reports += n
	}
	if reports > 0 {
		v.Reports = fmt.Sprintf("随手拍问题反映 %d 件：待派单 %d，处理中 %d，已处理待确认 %d，居民已确认 %d", reports,
			l.Reports[service.ReportReported], l.Reports[service.ReportAssigned], l.Reports[service.ReportFixed], l.Reports[service.ReportConfirmed])
	}
	if s := l.Site; s != nil {
		schedule := joinNonEmpty(" 至 ", s.StartsOn, s.EndsOn)
		budget := ""
		if s.BudgetFen > 0 {
			budget = yuanText(s.BudgetFen)
		}
		for _, line := range [][2]string{{"施工单位", s.Builder}, {"监理单位", s.SupervisingUnit}, {"设计单位", s.DesignerUnit},
			{"工期", schedule}, {"投资预算", budget}, {"现场联系电话", s.ContactPhone}} {
			if line[1] != "" {
				v.Site = append(v.Site, line[0]+"："+line[1])
			}
		}
	}
	return v
}

// yuanText writes an amount in fen as yuan with thousands separators: 3,580,000.00 元.
func yuanText(fen int64) string {
	yuan := fmt.Sprint(fen / 100)
	var b strings.Builder
	for i, r := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s.%02d 元", b.String(), fen%100)
}
