package service

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"
)

// The feedback downloads (CSV and XLSX), shared by the API and the console.
// Designers get them without the room column (withRoom false).

// feedbackStatusLabels are the Chinese names of objection statuses in the downloads.
var feedbackStatusLabels = map[string]string{
	ObjectionOpen: "待答复", ObjectionAnswered: "已答复", ObjectionClosed: "已回访",
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
func feedbackItemRows(f *Feedback, withRoom bool) [][]string {
	var rows [][]string
	for _, g := range f.Groups {
		for _, it := range g.Items {
			source := "意见"
			if it.Kind == FeedbackDisagreeComment {
				source = "反对签字附言"
			}
			revision := ""
			if it.RevisionID != nil {
				revision = *it.RevisionID
			}
			row := []string{g.CategoryLabel, g.Category, g.PlanItem, source, it.Content, feedbackStatusLabels[it.Status],
				OutcomeLabel(it.Outcome), it.Explanation, revision, it.Building, it.Unit}
			if withRoom {
				row = append(row, it.Room)
			}
			answered := ""
			if it.AnsweredAt != nil {
				answered = feedbackTime(*it.AnsweredAt)
			}
			rows = append(rows, append(row, feedbackTime(it.CreatedAt), answered, it.ID))
		}
	}
	return rows
}

func feedbackTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

// FeedbackCSV writes the item table as CSV with a UTF-8 byte order mark, so
// that Excel opens the Chinese text correctly. Cells that a spreadsheet would
// read as a formula are prefixed with an apostrophe.
func FeedbackCSV(f *Feedback, withRoom bool) ([]byte, error) {
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

// FeedbackXLSX writes a workbook with a summary sheet (汇总: one row per
// group with its counts) and an item sheet (明细).
func FeedbackXLSX(f *Feedback, withRoom bool) ([]byte, error) {
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
	if err := writeFeedbackSheet(book, summary, summaryRows); err != nil {
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
	if err := writeFeedbackSheet(book, items, itemRows); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := book.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFeedbackSheet writes rows to a sheet through excelize's stream writer, which
// keeps memory flat for long sheets.
func writeFeedbackSheet(book *excelize.File, sheet string, rows [][]any) error {
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
