package service

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits of a roster file, enforced while it is read, so that a small file
// cannot make the server hold a large one in memory.
const (
	// MaxImportRows bounds the household rows of one file (non-blank rows
	// under the header, over all its sheets).
	MaxImportRows = 10_000
	// MaxImportColumns bounds the columns a row may use (A to BL).
	MaxImportColumns = 64
	// MaxImportCellChars bounds the characters of one cell.
	MaxImportCellChars = 1_000
	// MaxImportUncompressedBytes bounds the total size of an .xlsx file's
	// parts once unzipped (64 MiB).
	MaxImportUncompressedBytes = 64 << 20
)

// importXMLMemoryBytes is the size above which excelize keeps a worksheet
// in a temporary file rather than in memory.
const importXMLMemoryBytes = 8 << 20

// ImportFileError refuses a whole roster file: it cannot be read, or it is
// over one of the limits. It unwraps to a validation_failed *Error on the
// field "file" with the English reason, so callers that only know *Error
// still answer 422.
type ImportFileError struct {
	// TooLarge marks a size limit (rows, unzipped size): HTTP 413.
	TooLarge bool
	// Reason is the English text, Message the Chinese one.
	Reason, Message string
}

func (e *ImportFileError) Error() string { return e.Reason }

// Unwrap gives the validation error the rest of the service uses.
func (e *ImportFileError) Unwrap() error { return InvalidField("file", e.Reason) }

// refuseFile builds an ImportFileError for a file that cannot be imported.
func refuseFile(reason, message string) *ImportFileError {
	return &ImportFileError{Reason: reason, Message: message}
}

// tooLarge builds an ImportFileError for a file over a size limit.
func tooLarge(reason, message string) *ImportFileError {
	return &ImportFileError{TooLarge: true, Reason: reason, Message: message}
}

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

// sheetSource is an opened spreadsheet read one row at a time: the visible
// worksheets of a workbook, or the one table of a CSV file (named "").
type sheetSource interface {
	// tables names the tables in their order.
	tables() []string
	// eachRow calls visit with each row of a table, blank rows included,
	// until visit answers false or an error; a row over a limit stops the
	// reading with an *ImportFileError.
	eachRow(table string, visit func(sheetRow) (bool, error)) error
	close()
}

// openSheets opens an .xlsx file, or a .csv file in UTF-8 (with or without
// BOM), UTF-16 with BOM, or GBK/GB18030.
// Errors: *ImportFileError when the file is neither or is over a limit.
func openSheets(name string, data []byte) (sheetSource, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, refuseFile("the file is empty", "文件是空的")
	case bytes.HasPrefix(data, oleSignature) || ext == ".xls":
		return nil, refuseFile("the old .xls format is not supported: save the file as .xlsx or .csv",
			"不支持旧的 .xls 格式，请在 Excel 中另存为 .xlsx 或 .csv")
	case bytes.HasPrefix(data, zipSignature):
		return openXLSX(data)
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, notAWorkbook()
	case ext == ".csv" || ext == ".txt" || ext == "":
		return readCSV(data)
	}
	return nil, refuseFile("must be an .xlsx or .csv file", "只能导入 .xlsx 或 .csv 文件")
}

func notAWorkbook() *ImportFileError {
	return refuseFile("the file is not a valid .xlsx workbook", "文件不是有效的 .xlsx 工作簿")
}

// xlsxSource reads a workbook's worksheets with excelize's row iterator.
type xlsxSource struct {
	file  *excelize.File
	names []string
}

// openXLSX checks the unzipped size the zip directory declares (archive/zip
// refuses a part longer than declared while reading), then opens the
// workbook with raw cell values (numbers as stored, so areas keep their
// decimals) and lists its visible worksheets.
func openXLSX(data []byte) (*xlsxSource, error) {
	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, notAWorkbook()
	}
	var unzipped uint64
	for _, part := range archive.File {
		unzipped += part.UncompressedSize64
		if unzipped > MaxImportUncompressedBytes {
			return nil, tooLarge(fmt.Sprintf("the workbook is over %d MiB once unzipped", MaxImportUncompressedBytes>>20),
				fmt.Sprintf("工作簿解压后超过 %d MiB，请删除多余的工作表、图片或格式后再导入", MaxImportUncompressedBytes>>20))
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: MaxImportUncompressedBytes, UnzipXMLSizeLimit: importXMLMemoryBytes})
	if err != nil {
		return nil, notAWorkbook()
	}
	source := &xlsxSource{file: f}
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && !visible {
			continue
		}
		source.names = append(source.names, name)
	}
	if len(source.names) == 0 {
		f.Close()
		return nil, refuseFile("the workbook has no visible worksheet", "工作簿中没有可见的工作表")
	}
	return source, nil
}

func (x *xlsxSource) tables() []string { return x.names }

func (x *xlsxSource) close() { x.file.Close() }

func (x *xlsxSource) eachRow(table string, visit func(sheetRow) (bool, error)) error {
	rows, err := x.file.Rows(table)
	if err != nil {
		return unreadableSheet(table)
	}
	defer rows.Close()
	for number := 1; rows.Next(); number++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return unreadableSheet(table)
		}
		row := sheetRow{Number: number, Cells: cells}
		if err := checkRowLimits(table, row); err != nil {
			return err
		}
		if more, err := visit(row); err != nil || !more {
			return err
		}
	}
	if rows.Error() != nil {
		return unreadableSheet(table)
	}
	return nil
}

func unreadableSheet(name string) *ImportFileError {
	return refuseFile("the worksheet "+name+" cannot be read", "工作表「"+name+"」无法读取")
}

// checkRowLimits refuses a row that uses a column past MaxImportColumns or
// has a cell longer than MaxImportCellChars.
func checkRowLimits(table string, row sheetRow) error {
	row.Cells = trimTrailingBlanks(row.Cells)
	place := rowPlace{Sheet: table, Row: row.Number}
	if len(row.Cells) > MaxImportColumns {
		column := columnLetter(len(row.Cells) - 1)
		return refuseFile(
			fmt.Sprintf("%s has a value in column %s: a roster may use at most %d columns (A to %s)",
				place.english(), column, MaxImportColumns, columnLetter(MaxImportColumns-1)),
			fmt.Sprintf("%s的 %s 列有内容：名册最多 %d 列（A 至 %s 列），请删除多余的列",
				place.chinese(), column, MaxImportColumns, columnLetter(MaxImportColumns-1)))
	}
	for i, c := range row.Cells {
		if len(c) > MaxImportCellChars && utf8.RuneCountInString(c) > MaxImportCellChars {
			return refuseFile(
				fmt.Sprintf("cell %s%d (%s) has more than %d characters", columnLetter(i), row.Number, place.english(), MaxImportCellChars),
				fmt.Sprintf("%s %s 列的内容超过 %d 个字", place.chinese(), columnLetter(i), MaxImportCellChars))
		}
	}
	return nil
}

// trimTrailingBlanks drops the blank cells at the end of a row.
func trimTrailingBlanks(cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
}

// csvSource is a CSV file's one table, read whole: the file is at most
// MaxImportBytes and its rows are checked against the limits as they are
// split.
type csvSource struct {
	rows []sheetRow
}

func (c *csvSource) tables() []string { return []string{""} }

func (c *csvSource) close() {}

func (c *csvSource) eachRow(_ string, visit func(sheetRow) (bool, error)) error {
	for _, row := range c.rows {
		if more, err := visit(row); err != nil || !more {
			return err
		}
	}
	return nil
}

// readCSV decodes the text and splits it into rows. Row numbers are those
// Excel shows when it opens the file: blank lines count, and a quoted cell
// spanning several lines is one row.
func readCSV(data []byte) (*csvSource, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, refuseFile("the text encoding cannot be read: save the file as UTF-8 or GBK",
			"无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV")
	}
	reader := csv.NewReader(strings.NewReader(text))
	reader.Comma = sniffDelimiter(text)
	reader.FieldsPerRecord = -1
	reader.LazyQuotes = true
	reader.ReuseRecord = true
	source := &csvSource{}
	number, nextLine, filled := 0, 1, 0 // nextLine: the first line after the previous record
	for {
		record, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, refuseFile("the CSV cannot be read: "+err.Error(), "CSV 文件格式有误，无法读取")
		}
		line, _ := reader.FieldPos(0)
		number += 1 + max(line-nextLine, 0) // blank lines the reader skipped are rows in Excel
		lastLine, _ := reader.FieldPos(len(record) - 1)
		nextLine = lastLine + strings.Count(record[len(record)-1], "\n") + 1
		row := sheetRow{Number: number, Cells: append([]string(nil), trimTrailingBlanks(record)...)}
		if err := checkRowLimits("", row); err != nil {
			return nil, err
		}
		if !row.empty() {
			if filled++; filled > MaxImportRows+maxHeaderSearchRows {
				return nil, tooManyRows()
			}
		}
		source.rows = append(source.rows, row)
	}
	return source, nil
}

func tooManyRows() *ImportFileError {
	return tooLarge(fmt.Sprintf("at most %d household rows per file", MaxImportRows),
		fmt.Sprintf("一个文件最多导入 %d 户，请按楼栋拆分成几个文件", MaxImportRows))
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
