package console_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestDesignerDownloadsTheFeedback: the feedback page offers its Excel
// twin; a designer's workbook has the residents' words but no room column,
// and staff of another estate get nothing.
func TestDesignerDownloadsTheFeedback(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newSite(t, db)
		ctx, system := context.Background(), service.SystemActor()
		system.Channel = service.ChannelPaper
		name, code := "意见小区", "feedback-estate"
		estate, err := s.svc.CreateEstate(ctx, system, service.EstateFields{Name: &name, Code: &code})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.FileObjection(ctx, system, estate.ID, service.ObjectionInput{Category: "facade",
			PlanItem: "外立面涂料", Content: "外墙颜色太深，建议改浅色", Channel: service.ChannelPaper}); err != nil {
			t.Fatal(err)
		}
		designerID := s.user("designer-xlsx", "designer-password-1", service.RoleDesigner)
		if err := s.svc.AssignStaff(ctx, system, estate.ID, designerID, service.RoleDesigner); err != nil {
			t.Fatal(err)
		}
		s.user("designer-other", "designer-password-2", service.RoleDesigner)

		designer := s.client()
		designer.login("designer-xlsx", "designer-password-1")
		designer.get("/console/estates/"+estate.ID+"/feedback").mustContain(t, "下载 Excel", "/feedback.xlsx")
		res := designer.get("/console/estates/" + estate.ID + "/feedback.xlsx")
		if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("download: %d %q", res.status, res.header.Get("Content-Disposition"))
		}
		book, err := excelize.OpenReader(bytes.NewReader([]byte(res.body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows("明细")
		if err != nil || len(rows) != 2 {
			t.Fatalf("item sheet: %d rows (%v)", len(rows), err)
		}
		if slices.Contains(rows[0], "房号") {
			t.Errorf("the designer's workbook has a room column: %v", rows[0])
		}
		if !slices.Contains(rows[1], "外墙颜色太深，建议改浅色") {
			t.Errorf("the item row lacks the resident's words: %v", rows[1])
		}

		other := s.client()
		other.login("designer-other", "designer-password-2")
		if res := other.get("/console/estates/" + estate.ID + "/feedback.xlsx"); res.status == http.StatusOK {
			t.Errorf("a designer of no estate downloaded its feedback: %d", res.status)
		}
	})
}
