package service

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Formats of the downloadable spreadsheets.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// Content types of the downloadable spreadsheets.
const (
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypeCSV  = "text/csv; charset=utf-8"
)

// Spreadsheet is a generated file for download.
type Spreadsheet struct {
	FileName    string
	ContentType string
	Data        []byte
}

// checkFormat accepts "xlsx" (also when empty) or "csv".
func checkFormat(format string) (string, error) {
	switch format {
	case "", FormatXLSX:
		return FormatXLSX, nil
	case FormatCSV:
		return FormatCSV, nil
	}
	return "", InvalidField("format", "must be xlsx or csv")
}

// areaCell is an area in hundredths of m², written as a number with two decimals.
type areaCell int64

func (a areaCell) String() string {
	h := int64(a)
	return fmt.Sprintf("%d.%02d", h/100, h%100)
}

// sheet is one worksheet: a header row, data rows and column widths. Cells
// are strings, areaCell or integers.
type sheet struct {
	Name   string
	Header []string
	Rows   [][]any
	Widths []float64
	// Choices offers a drop-down list of values in a column (by index) of
	// the rows under the header.
	Choices map[int][]string
	// Title, when set, is a bold row above the header, merged across its
	// width (the header and rows move down one row).
	Title string
	// Borders draws thin borders around every cell of the header and rows.
	Borders bool
	// Prepare, when set, adjusts the worksheet before its rows are
	// streamed (page setup, print titles): the stream writer keeps what
	// is set then and allows nothing after.
	Prepare func(f *excelize.File, name string) error
}

// writeXLSX writes the sheets into a workbook, streaming the rows; headers
// are bold and frozen, areas are numbers shown with two decimals.
func writeXLSX(sheets []sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	headerStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	areaStyle, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // built-in format "0.00"
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), sh.Name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return nil, err
		}
		if err := addChoices(f, sh); err != nil { // before streaming, which writes the sheet whole
			return nil, err
		}
		if sh.Prepare != nil {
			if err := sh.Prepare(f, sh.Name); err != nil {
				return nil, err
			}
		}
		styles := sheetStyles{header: headerStyle, area: areaStyle}
		if sh.Title != "" || sh.Borders {
			if styles, err = borderedStyles(f, styles, sh.Borders); err != nil {
				return nil, err
			}
		}
		if err := streamSheet(f, sh, styles); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetStyles are the cell styles of a worksheet; plain and title are 0
// (none) unless the sheet has borders or a title.
type sheetStyles struct {
	header, area, plain, title int
}

// borderedStyles adds the title style and, with borders, bordered versions
// of the header, area and plain styles.
func borderedStyles(f *excelize.File, styles sheetStyles, borders bool) (sheetStyles, error) {
	var err error
	if styles.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}); err != nil {
		return styles, err
	}
	if !borders {
		return styles, nil
	}
	var thin []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		thin = append(thin, excelize.Border{Type: side, Color: "000000", Style: 1})
	}
	if styles.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: thin,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return styles, err
	}
	if styles.area, err = f.NewStyle(&excelize.Style{NumFmt: 2, Border: thin}); err != nil {
		return styles, err
	}
	styles.plain, err = f.NewStyle(&excelize.Style{Border: thin})
	return styles, err
}

func streamSheet(f *excelize.File, sh sheet, styles sheetStyles) error {
	w, err := f.NewStreamWriter(sh.Name)
	if err != nil {
		return err
	}
	for col, width := range sh.Widths {
		if err := w.SetColWidth(col+1, col+1, width); err != nil {
			return err
		}
	}
	first := 1 // the row of the header (of the data without one), under the title
	if sh.Title != "" {
		first = 2
	}
	if len(sh.Header) > 0 {
		topLeft := fmt.Sprintf("A%d", first+1)
		if err := w.SetPanes(&excelize.Panes{Freeze: true, YSplit: first, TopLeftCell: topLeft, ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if sh.Title != "" {
		if err := w.SetRow("A1", []any{excelize.Cell{StyleID: styles.title, Value: sh.Title}}, excelize.RowOpts{Height: 28}); err != nil {
			return err
		}
		if len(sh.Header) > 1 {
			last, err := excelize.CoordinatesToCellName(len(sh.Header), 1)
			if err != nil {
				return err
			}
			if err := w.MergeCell("A1", last); err != nil {
				return err
			}
		}
	}
	if len(sh.Header) > 0 {
		cells := make([]any, len(sh.Header))
		for i, h := range sh.Header {
			cells[i] = excelize.Cell{StyleID: styles.header, Value: h}
		}
		if err := w.SetRow(fmt.Sprintf("A%d", first), cells); err != nil {
			return err
		}
		first++
	}
	for r, row := range sh.Rows {
		width := len(row)
		if sh.Borders {
			width = max(width, len(sh.Header)) // a border on every cell, blank ones too
		}
		cells := make([]any, width)
		for i := range cells {
			var v any = ""
			if i < len(row) {
				v = row[i]
			}
			switch v := v.(type) {
			case areaCell:
				// float64 of a hundredths value prints back to the same two decimals.
				cells[i] = excelize.Cell{StyleID: styles.area, Value: float64(v) / 100}
			default:
				if styles.plain != 0 {
					cells[i] = excelize.Cell{StyleID: styles.plain, Value: v}
				} else {
					cells[i] = v
				}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, first+r)
		if err != nil {
			return err
		}
		if err := w.SetRow(cell, cells); err != nil {
			return err
		}
	}
	return w.Flush()
}

// addChoices adds the sheet's drop-down lists, down to the last row an import accepts.
func addChoices(f *excelize.File, sh sheet) error {
	for col, values := range sh.Choices {
		letter, err := excelize.ColumnNumberToName(col + 1)
		if err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", letter, letter, MaxImportRows+1)
		if err := dv.SetDropList(values); err != nil {
			return err
		}
		if err := f.AddDataValidation(sh.Name, dv); err != nil {
			return err
		}
	}
	return nil
}

// writeCSV writes a header and rows as UTF-8 CSV with a byte-order mark (so
// that Excel opens it in the right encoding). Text that a spreadsheet would
// take for a formula gets a leading apostrophe; the import removes it.
func writeCSV(header []string, rows [][]any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.Write(header); err != nil {
		return nil, err
	}
	record := make([]string, len(header))
	for _, row := range rows {
		record = record[:0]
		for _, v := range row {
			switch v := v.(type) {
			case string:
				record = append(record, defuseFormula(v))
			case areaCell:
				record = append(record, v.String())
			case int64:
				record = append(record, strconv.FormatInt(v, 10))
			case int:
				record = append(record, strconv.Itoa(v))
			default:
				record = append(record, fmt.Sprint(v))
			}
		}
		if err := w.Write(record); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// defuseFormula prefixes text starting with = + - @, a tab or a carriage
// return with an apostrophe, so that a spreadsheet never reads user text as a
// formula (the one guard of every download: registers, rosters, feedback).
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// shanghai is the zone the spreadsheets show times in.
var shanghai = time.FixedZone("UTC+8", 8*3600)

// localTime formats a time in +08:00 for a spreadsheet cell.
func localTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04:05") }

// safeFileName removes from a name the characters file systems refuse.
func safeFileName(name string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, name)
}
