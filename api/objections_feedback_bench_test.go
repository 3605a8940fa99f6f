package api

import (
	"fmt"
	"testing"
	"time"

	"minyi/service"
	"minyi/store"
)

// syntheticFeedback is feedback with n items spread over the categories.
func syntheticFeedback(n int) *service.Feedback {
	f := &service.Feedback{EstateID: "e", GeneratedAt: time.Now()}
	groups := map[string]*service.FeedbackGroup{}
	var order []string
	for i := range n {
		c := service.ObjectionCategories[i%len(service.ObjectionCategories)]
		key := fmt.Sprintf("%s/%d", c.Code, i%5)
		g, ok := groups[key]
		if !ok {
			g = &service.FeedbackGroup{Category: c.Code, CategoryLabel: c.Label, PlanItem: fmt.Sprintf("条目%d", i%5)}
			groups[key] = g
			order = append(order, key)
		}
		item := service.FeedbackItem{Kind: service.FeedbackObjection, FeedbackRow: store.FeedbackRow{ID: fmt.Sprint(i),
			Content: "电梯井挡住我家窗户采光，希望调整位置，谢谢！", Status: service.ObjectionAnswered, Outcome: service.OutcomeNotAdopted,
			Explanation: "受结构限制无法调整", Building: "3", Unit: "2", Room: "501", CreatedAt: time.Now()}}
		g.Items = append(g.Items, item)
	}
	for _, key := range order {
		f.Groups = append(f.Groups, *groups[key])
	}
	return f
}

// BenchmarkFeedbackXLSX renders the workbook of 2,000 items.
func BenchmarkFeedbackXLSX(b *testing.B) {
	f := syntheticFeedback(2000)
	for b.Loop() {
		if _, err := service.FeedbackXLSX(f, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedbackCSV renders the CSV of 2,000 items.
func BenchmarkFeedbackCSV(b *testing.B) {
	f := syntheticFeedback(2000)
	for b.Loop() {
		if _, err := service.FeedbackCSV(f, true); err != nil {
			b.Fatal(err)
		}
	}
}
