package service

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sheetRow is one row of a spreadsheet with its number as Excel shows it
// (the first row is 1).
type sheetRow struct {
	Number int
	Cells  []string
}

// empty tells whether every cell of the row is blank.
func (r sheetRow) empty() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cell returns the trimmed value of column i, "" past the end of the row.
func (r sheetRow) cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(r.Cells[i], "\ufeff"))
}

// File signatures of the spreadsheet formats.
var (
	zipSignature = []byte("PK\x03\x04")
	oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // legacy .xls
)

// sheetTable is one worksheet of a workbook, or the one table of a CSV
// file (whose Name is "").
type sheetTable struct {
	Name string
	Rows []sheetRow
}

// readTables reads the visible worksheets of an .xlsx file, or a .csv file
// in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030.
// Errors: validation_failed (file) when the file is neither.
func readTables(name string, data []byte) ([]sheetTable, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, InvalidField("file", "the file is empty")
	case bytes.HasPrefix(data, oleSignature) || ext == ".xls":
		return nil, InvalidField("file", "the old .xls format is not supported: save the file as .xlsx or .csv")
	case bytes.HasPrefix(data, zipSignature):
		return readXLSX(data)
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, InvalidField("file", "the file is not a valid .xlsx workbook")
	case ext == ".csv" || ext == ".txt" || ext == "":
		rows, err := readCSV(data)
		if err != nil {
			return nil, err
		}
		return []sheetTable{{Rows: rows}}, nil
	}
	return nil, InvalidField("file", "must be an .xlsx or .csv file")
}

// readXLSX reads every visible worksheet with raw cell values (numbers as
// stored, not as formatted for display), so areas keep their decimals.
func readXLSX(data []byte) ([]sheetTable, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, InvalidField("file", "the file is not a valid .xlsx workbook")
	}
	defer f.Close()
	var tables []sheetTable
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && !visible {
			continue
		}
		cells, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, InvalidField("file", "the worksheet "+name+" cannot be read")
		}
		rows := make([]sheetRow, 0, len(cells))
		for i, c := range cells {
			rows = append(rows, sheetRow{Number: i + 1, Cells: c})
		}
		tables = append(tables, sheetTable{Name: name, Rows: rows})
	}
	if len(tables) == 0 {
		return nil, InvalidField("file", "the workbook has no visible worksheet")
	}
	return tables, nil
}

// readCSV decodes the text and splits it into rows. Row numbers are those
// Excel shows when it opens the file: blank lines count, and a quoted cell
// spanning several lines is one row.
func readCSV(data []byte) ([]sheetRow, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, InvalidField("file", "the text encoding cannot be read: save the file as UTF-8 or GBK")
	}
	reader := csv.NewReader(strings.NewReader(text))
	reader.Comma = sniffDelimiter(text)
	reader.FieldsPerRecord = -1
	reader.LazyQuotes = true
	var rows []sheetRow
	number, nextLine := 0, 1 // nextLine: the first line after the previous record
	for {
		record, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, InvalidField("file", "the CSV cannot be read: "+err.Error())
		}
		line, _ := reader.FieldPos(0)
		number += 1 + max(line-nextLine, 0) // blank lines the reader skipped are rows in Excel
		lastLine, _ := reader.FieldPos(len(record) - 1)
		nextLine = lastLine + strings.Count(record[len(record)-1], "\n") + 1
		rows = append(rows, sheetRow{Number: number, Cells: record})
	}
	return rows, nil
}

// decodeText turns the bytes of a text file into UTF-8: a UTF-8 or UTF-16
// byte-order mark decides; otherwise valid UTF-8 is taken as it is, and
// anything else is read as GB18030 (a superset of GBK and GB2312, which is
// what Excel in China saves as "CSV").
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return string(data[3:]), nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		decoded, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), data)
		return string(decoded), err
	case utf8.Valid(data):
		return string(data), nil
	}
	decoded, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return string(decoded), err
}

// sniffDelimiter picks the separator of the first line: a comma unless tabs
// or semicolons are more frequent (Excel's "Unicode text" uses tabs).
func sniffDelimiter(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, count := ',', strings.Count(first, ",")
	for _, candidate := range []rune{'\t', ';'} {
		if n := strings.Count(first, string(candidate)); n > count {
			best, count = candidate, n
		}
	}
	return best
}

// columnLetter is the Excel name of a zero-based column index (0 → A, 26 → AA).
func columnLetter(index int) string {
	name, err := excelize.ColumnNumberToName(index + 1)
	if err != nil {
		return ""
	}
	return name
}
