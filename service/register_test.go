package service

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/model/testdb"
)

// Fails on 49b9fef: the register had no title, page setup, print titles,
// footer or borders (it printed as split pages without numbers).
func TestRegisterWorkbookIsSetUpForPaper(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		f := newFixture(t, db, 12, 2, "")
		f.sign(t, 0, DecisionAgree)
		f.sign(t, 1, DecisionDisagree)
		sheet, err := f.svc.ExportRegister(context.Background(), f.worker, f.roundID, FormatXLSX, "")
		if err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(bytes.NewReader(sheet.Data))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		const name = "签字登记表"

		layout, err := book.GetPageLayout(name)
		if err != nil {
			t.Fatal(err)
		}
		if layout.Orientation == nil || layout.Size == nil || layout.FitToWidth == nil || layout.FitToHeight == nil {
			t.Errorf("page layout %+v: orientation, size or fit missing", layout)
		} else if *layout.Orientation != "landscape" || *layout.Size != 9 || *layout.FitToWidth != 1 || *layout.FitToHeight != 0 {
			t.Errorf("page layout: orientation %s, size %d, fit %d wide × %d tall; want landscape A4 (9), 1 × 0",
				*layout.Orientation, *layout.Size, *layout.FitToWidth, *layout.FitToHeight)
		}
		props, err := book.GetSheetProps(name)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("fit to page is off: %+v, %v", props, err)
		}
		footer, err := book.GetHeaderFooter(name)
		if err != nil || footer == nil || footer.OddFooter != "&C第 &P 页 共 &N 页" {
			t.Errorf("footer = %+v, %v", footer, err)
		}
		titles := ""
		for _, d := range book.GetDefinedName() {
			if d.Name == "_xlnm.Print_Titles" && d.Scope == name {
				titles = d.RefersTo
			}
		}
		if titles != "'签字登记表'!$1:$2" {
			t.Errorf("print titles = %q, want the title and header rows", titles)
		}

		title, _ := book.GetCellValue(name, "A1")
		if !strings.Contains(title, "测试小区") || !strings.Contains(title, "第1轮") || !strings.Contains(title, "第一轮征询") {
			t.Errorf("title = %q, want the estate and the round", title)
		}
		merged, err := book.GetMergeCells(name)
		if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "J1" {
			t.Errorf("merged cells = %v, %v; want the title across A1:J1", merged, err)
		}
		if header, _ := book.GetRows(name); len(header) != 14 || strings.Join(header[1], ",") != strings.Join(registerHeader, ",") {
			t.Fatalf("rows = %q, want title, header and 12 households", header)
		}
		panes, err := book.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != 2 {
			t.Errorf("panes = %+v, want the title and header frozen", panes)
		}
		// Every cell of the header and of each household has four borders.
		for row := 2; row <= 14; row++ {
			for col := 1; col <= len(registerHeader); col++ {
				cell, _ := excelize.CoordinatesToCellName(col, row)
				id, err := book.GetCellStyle(name, cell)
				if err != nil {
					t.Fatal(err)
				}
				style, err := book.GetStyle(id)
				if err != nil {
					t.Fatal(err)
				}
				sides := map[string]bool{}
				for _, b := range style.Border {
					if b.Style > 0 {
						sides[b.Type] = true
					}
				}
				if len(sides) != 4 {
					t.Fatalf("cell %s has borders %v, want all four", cell, sides)
				}
			}
		}
		// The area keeps its number format under the border.
		if id, _ := book.GetCellStyle(name, "D3"); id != 0 {
			if style, _ := book.GetStyle(id); style.NumFmt != 2 {
				t.Errorf("area format = %d, want 2 (0.00)", style.NumFmt)
			}
		}
	})
}
