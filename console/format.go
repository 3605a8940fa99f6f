package console

import (
	"fmt"
	"time"

	"minyi/service"
)

func decisionLabel(d string) string {
	return map[string]string{service.DecisionAgree: "同意", service.DecisionDisagree: "不同意",
		service.DecisionAbstain: "弃权", service.DecisionWithdrawn: "已撤回"}[d]
}

// stateLabel names a room's state on the grid (the legend's words).
func stateLabel(s string) string {
	if l := decisionLabel(s); l != "" {
		return l
	}
	return map[string]string{service.RoomVisited: "已走访", service.RoomNotVisited: "未走访"}[s]
}

func roleLabel(r string) string {
	return map[string]string{service.RoleAdmin: "管理员", service.RoleWorker: "社区工作人员", service.RoleDesigner: "设计师", service.RoleSupervisor: "监督员"}[r]
}

func statusLabel(s string) string {
	return map[string]string{service.RoundDraft: "草稿", service.RoundOpen: "征询中", service.RoundClosed: "已结束"}[s]
}

// formatArea writes hundredths of a square metre as "85.20"
func formatArea(hundredths int64) string {
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

var beijing = time.FixedZone("CST", 8*3600)

// beijingTime writes a time in Beijing time, or "—" when absent.
func beijingTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.In(beijing).Format("2006-01-02 15:04")
	case *time.Time:
		if v != nil {
			return v.In(beijing).Format("2006-01-02 15:04")
		}
	}
	return "—"
}

func itoa(n int) string { return fmt.Sprint(n) }

func outcomeLabel(o string) string {
	return map[string]string{service.OutcomeAdopted: "采纳", service.OutcomePartiallyAdopted: "部分采纳", service.OutcomeNotAdopted: "不采纳"}[o]
}

// objectionStatusLabel says an objection's status in Chinese.
func objectionStatusLabel(s string) string {
	return map[string]string{service.ObjectionOpen: "待答复", service.ObjectionAnswered: "已答复", service.ObjectionClosed: "已办结"}[s]
}

// dateValue writes a time as a date input's value (Beijing date).
func dateValue(t time.Time) string { return t.In(beijing).Format("2006-01-02") }

// surveyStatusLabel says a survey's status in Chinese.
func surveyStatusLabel(s string) string {
	return map[string]string{service.SurveyDraft: "草稿", service.SurveyOpen: "收集中", service.SurveyClosed: "已结束"}[s]
}

// purposeLabel says a survey's purpose in Chinese.
func purposeLabel(p string) string {
	return map[string]string{service.SurveyNeeds: "改前问需", service.SurveySatisfaction: "改后问效", service.SurveyOther: "其他"}[p]
}
