package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"minyi/service"
)

type feedbackCountsJSON struct {
	Total            int `json:"total"`
	Objections       int `json:"objections"`
	Comments         int `json:"comments"`
	Open             int `json:"open"`
	Answered         int `json:"answered"`
	Adopted          int `json:"adopted"`
	PartiallyAdopted int `json:"partially_adopted"`
	NotAdopted       int `json:"not_adopted"`
	Closed           int `json:"closed"`
}

type feedbackItemJSON struct {
	Kind        string  `json:"kind"`
	ID          string  `json:"id"`
	RoundID     *string `json:"round_id"`
	Content     string  `json:"content"`
	Status      string  `json:"status,omitempty"`
	Outcome     string  `json:"outcome,omitempty"`
	Explanation string  `json:"explanation,omitempty"`
	RevisionID  *string `json:"revision_id,omitempty"`
	Building    string  `json:"building"`
	Unit        string  `json:"unit"`
	Room        string  `json:"room,omitempty"`
	CreatedAt   Time    `json:"created_at"`
	AnsweredAt  *Time   `json:"answered_at,omitempty"`
}

type feedbackGroupJSON struct {
	Category      string             `json:"category"`
	CategoryLabel string             `json:"category_label"`
	PlanItem      string             `json:"plan_item"`
	Counts        feedbackCountsJSON `json:"counts"`
	Items         []feedbackItemJSON `json:"items"`
}

type feedbackResponse struct {
	EstateID    string              `json:"estate_id"`
	RoundID     *string             `json:"round_id"`
	Totals      feedbackCountsJSON  `json:"totals"`
	Groups      []feedbackGroupJSON `json:"groups"`
	GeneratedAt Time                `json:"generated_at"`
}

func toFeedbackCounts(c service.FeedbackCounts) feedbackCountsJSON {
	return feedbackCountsJSON(c)
}

func toFeedback(f *service.Feedback) feedbackResponse {
	resp := feedbackResponse{EstateID: f.EstateID, RoundID: f.RoundID, Totals: toFeedbackCounts(f.Totals),
		Groups: make([]feedbackGroupJSON, len(f.Groups)), GeneratedAt: Time(f.GeneratedAt)}
	for i, g := range f.Groups {
		group := feedbackGroupJSON{Category: g.Category, CategoryLabel: g.CategoryLabel, PlanItem: g.PlanItem,
			Counts: toFeedbackCounts(g.Counts), Items: make([]feedbackItemJSON, len(g.Items))}
		for j, it := range g.Items {
			group.Items[j] = feedbackItemJSON{Kind: it.Kind, ID: it.ID, RoundID: it.RoundID, Content: it.Content,
				Status: it.Status, Outcome: it.Outcome, Explanation: it.Explanation, RevisionID: it.RevisionID,
				Building: it.Building, Unit: it.Unit, Room: it.Room, CreatedAt: Time(it.CreatedAt), AnsweredAt: timePtr(it.AnsweredAt)}
		}
		resp.Groups[i] = group
	}
	return resp
}

// Content types of the feedback downloads.
const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// feedback serves the grouped feedback as JSON, CSV or XLSX (?format=).
func (a *API) feedback(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"format": "must be json, csv or xlsx"}, nil)
		return
	}
	actor := actorOf(c)
	f, err := a.svc.Feedback(c.Request.Context(), actor, c.Param("estate_id"), c.Query("round_id"))
	if err != nil {
		fail(c, err)
		return
	}
	withRoom := actor.Role != service.RoleDesigner
	filename := "feedback-" + f.GeneratedAt.In(shanghai).Format("20060102-1504")
	switch format {
	case "csv":
		body, err := feedbackCSV(f, withRoom)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
		c.Data(http.StatusOK, contentTypeCSV, body)
	case "xlsx":
		body, err := feedbackXLSX(f, withRoom)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
		c.Data(http.StatusOK, contentTypeXLSX, body)
	default:
		c.JSON(http.StatusOK, toFeedback(f))
	}
}

// feedbackStatusLabels are the Chinese names of objection statuses in the downloads.
var feedbackStatusLabels = map[string]string{
	service.ObjectionOpen: "待答复", service.ObjectionAnswered: "已答复", service.ObjectionClosed: "已回访",
}

// feedbackItemHeader names the columns of the item table; the room column
// is left out for designers.
func feedbackItemHeader(withRoom bool) []string {
	header := []string{"类别", "类别代码", "方案条目", "来源", "内容", "状态", "答复结果", "答复说明", "采纳方案版本ID", "楼栋", "单元"}
	if withRoom {
		header = append(header, "房号")
	}
	return append(header, "提交时间", "答复时间", "编号")
}

// feedbackItemRows gives one row per item, in group order.
func feedbackItemRows(f *service.Feedback, withRoom bool) [][]string {
	var rows [][]string
	for _, g := range f.Groups {
		for _, it := range g.Items {
			source := "意见"
			if it.Kind == service.FeedbackDisagreeComment {
				source = "反对签字附言"
			}
			revision := ""
			if it.RevisionID != nil {
				revision = *it.RevisionID
			}
			row := []string{g.CategoryLabel, g.Category, g.PlanItem, source, it.Content, feedbackStatusLabels[it.Status],
				service.OutcomeLabel(it.Outcome), it.Explanation, revision, it.Building, it.Unit}
			if withRoom {
				row = append(row, it.Room)
			}
			answered := ""
			if it.AnsweredAt != nil {
				answered = spreadsheetTime(*it.AnsweredAt)
			}
			rows = append(rows, append(row, spreadsheetTime(it.CreatedAt), answered, it.ID))
		}
	}
	return rows
}

func spreadsheetTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

// feedbackCSV writes the item table as CSV with a UTF-8 byte order mark, so
// that Excel opens the Chinese text correctly. Cells that a spreadsheet would
// read as a formula are prefixed with an apostrophe.
func feedbackCSV(f *service.Feedback, withRoom bool) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(feedbackItemHeader(withRoom)); err != nil {
		return nil, err
	}
	for _, row := range feedbackItemRows(f, withRoom) {
		for i, cell := range row {
			row[i] = defuseFormula(cell)
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// defuseFormula keeps a spreadsheet from evaluating user text as a formula.
func defuseFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// feedbackXLSX writes a workbook with a summary sheet (汇总: one row per
// group with its counts) and an item sheet (明细).
func feedbackXLSX(f *service.Feedback, withRoom bool) ([]byte, error) {
	book := excelize.NewFile()
	defer book.Close()
	const summary, items = "汇总", "明细"
	if err := book.SetSheetName("Sheet1", summary); err != nil {
		return nil, err
	}
	if _, err := book.NewSheet(items); err != nil {
		return nil, err
	}
	summaryRows := [][]any{{"类别", "类别代码", "方案条目", "合计", "意见", "反对签字附言", "待答复", "已答复", "采纳", "部分采纳", "未采纳", "已回访"}}
	for _, g := range f.Groups {
		c := g.Counts
		summaryRows = append(summaryRows, []any{g.CategoryLabel, g.Category, g.PlanItem, c.Total, c.Objections, c.Comments,
			c.Open, c.Answered, c.Adopted, c.PartiallyAdopted, c.NotAdopted, c.Closed})
	}
	t := f.Totals
	summaryRows = append(summaryRows, []any{"合计", "", "", t.Total, t.Objections, t.Comments, t.Open, t.Answered,
		t.Adopted, t.PartiallyAdopted, t.NotAdopted, t.Closed})
	if err := writeSheet(book, summary, summaryRows); err != nil {
		return nil, err
	}
	itemRows := [][]any{}
	for _, row := range append([][]string{feedbackItemHeader(withRoom)}, feedbackItemRows(f, withRoom)...) {
		cells := make([]any, len(row))
		for i, cell := range row {
			cells[i] = cell
		}
		itemRows = append(itemRows, cells)
	}
	if err := writeSheet(book, items, itemRows); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := book.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSheet writes rows to a sheet through excelize's stream writer, which
// keeps memory flat for long sheets.
func writeSheet(book *excelize.File, sheet string, rows [][]any) error {
	stream, err := book.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := stream.SetRow(cell, row); err != nil {
			return fmt.Errorf("sheet %s row %d: %w", sheet, i+1, err)
		}
	}
	return stream.Flush()
}
