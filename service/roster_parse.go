package service

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ImportColumn is how one header cell of the file was understood.
type ImportColumn struct {
	// Sheet names the worksheet when the roster spans several; "" otherwise.
	Sheet  string
	Index  int    // zero-based column index
	Column string // the column letter, e.g. "D"
	Header string // the header as the file writes it
	Field  string // the household field it fills; "" when the column is ignored
}

// Codes of import warnings.
const (
	WarningIgnoredColumn      = "ignored_column"       // a header the import does not read
	WarningShadowedColumn     = "shadowed_column"      // a second column for a field, not read
	WarningEmptyColumn        = "empty_column"         // a read column without any value
	WarningUnnamedColumn      = "unnamed_column"       // values under a blank header, not read
	WarningSheetWithoutHeader = "sheet_without_header" // a worksheet with content but no roster header
)

// ImportWarning is something in the file the import did not use, or found
// empty; unlike an ImportIssue it does not stop the import.
type ImportWarning struct {
	Sheet  string
	Column string // the column letter; "" for a whole worksheet
	Header string
	Code   string
	// Reason says it in English, Message in Chinese.
	Reason, Message string
}

// rosterTable is a table of the file with a roster header.
type rosterTable struct {
	name   string // the worksheet, "" for a CSV file
	header *headerRow
	filled map[int]bool // the columns with a value under the header
}

// rosterParse is what a roster file holds: the valid rows, the problems of
// the others, and how its columns were read.
type rosterParse struct {
	rows     []rosterRow
	issues   []ImportIssue
	columns  []ImportColumn
	warnings []ImportWarning
}

// rowPlace is where a row of the file is: its sheet ("" for a single
// table) and its row number.
type rowPlace struct {
	Sheet string
	Row   int
}

func (p rowPlace) chinese() string {
	if p.Sheet == "" {
		return fmt.Sprintf("第%d行", p.Row)
	}
	return fmt.Sprintf("工作表「%s」第%d行", p.Sheet, p.Row)
}

func (p rowPlace) english() string {
	if p.Sheet == "" {
		return fmt.Sprintf("row %d", p.Row)
	}
	return fmt.Sprintf("row %d of sheet %s", p.Row, p.Sheet)
}

// parseRoster reads the file in two passes over its rows, streamed: the
// first rows of each table to find its header (a workbook may hold one
// sheet per building, and sheets of notes), then each table's rows under
// its header into household fields, validated as the roster API validates
// them. Blank rows are skipped; a household that appears twice is an error
// on its second row. Sheet names are kept only when the roster spans
// several sheets. Errors: *ImportFileError for a missing header, a header
// naming a column twice, or a file over a limit.
func parseRoster(src sheetSource) (*rosterParse, error) {
	var found []*rosterTable
	var skipped []ImportWarning
	for _, name := range src.tables() {
		var first []sheetRow
		err := src.eachRow(name, func(row sheetRow) (bool, error) {
			first = append(first, row)
			return len(first) < maxHeaderSearchRows, nil
		})
		if err != nil {
			return nil, err
		}
		header, err := findHeader(first)
		if errors.Is(err, errNoHeader) {
			if name != "" && hasContent(first) {
				skipped = append(skipped, ImportWarning{Sheet: name, Code: WarningSheetWithoutHeader,
					Reason:  "the sheet has no roster header in its first 10 rows and is not imported",
					Message: "该工作表前 10 行没有名册表头，未导入"})
			}
			continue
		}
		var fileErr *ImportFileError
		if errors.As(err, &fileErr) && name != "" {
			return nil, refuseFile(name+": "+fileErr.Reason, "工作表「"+name+"」"+fileErr.Message)
		}
		if err != nil {
			return nil, err
		}
		found = append(found, &rosterTable{name: name, header: header, filled: map[int]bool{}})
	}
	if len(found) == 0 {
		return nil, noHeaderError()
	}
	p := &rosterParse{}
	firstPlaceOf := map[string]rowPlace{}
	count := 0
	for _, table := range found {
		sheet := table.name
		if len(found) == 1 {
			sheet = ""
		}
		fields := table.header.Fields
		err := src.eachRow(table.name, func(line sheetRow) (bool, error) {
			if line.Number <= table.header.Row || line.empty() {
				return true, nil
			}
			if count++; count > MaxImportRows {
				return false, tooManyRows()
			}
			for i := range line.Cells {
				if !table.filled[i] && line.cell(i) != "" {
					table.filled[i] = true
				}
			}
			household, rowIssues := parseRosterLine(line, fields)
			key := addressKey(derefString(household.Building), derefString(household.Unit), derefString(household.Room))
			if len(rowIssues) == 0 {
				if first, repeated := firstPlaceOf[key]; repeated {
					rowIssues = append(rowIssues, issueAt(line.Number, fields, "room",
						"repeats "+first.english()+" (same building, unit and room)",
						"与"+first.chinese()+"的楼栋、单元、房号重复"))
				} else {
					firstPlaceOf[key] = rowPlace{Sheet: sheet, Row: line.Number}
				}
			}
			for i := range rowIssues {
				rowIssues[i].Sheet = sheet
			}
			if len(rowIssues) > 0 {
				p.issues = append(p.issues, rowIssues...)
				return true, nil
			}
			p.rows = append(p.rows, rosterRow{Number: line.Number, Fields: household, Key: key})
			return true, nil
		})
		if err != nil {
			return nil, err
		}
		p.describe(sheet, table)
	}
	if len(p.rows) == 0 && len(p.issues) == 0 {
		return nil, refuseFile("no household rows under the header row", "表头下面没有住户数据")
	}
	p.warnings = append(p.warnings, skipped...)
	return p, nil
}

// hasContent tells whether any of the rows has a value.
func hasContent(rows []sheetRow) bool {
	for _, r := range rows {
		if !r.empty() {
			return true
		}
	}
	return false
}

// describe lists how a table's columns were read and warns about the
// columns not read, the read columns that are empty, and values under a
// blank header.
func (p *rosterParse) describe(sheet string, table *rosterTable) {
	named := map[int]bool{}
	for _, c := range table.header.Columns {
		named[c.Index] = true
		letter := columnLetter(c.Index)
		p.columns = append(p.columns, ImportColumn{Sheet: sheet, Index: c.Index, Column: letter, Header: c.Header, Field: c.Field})
		warning := ImportWarning{Sheet: sheet, Column: letter, Header: c.Header}
		switch {
		case c.Shadowed != "":
			reader := columnLetter(table.header.Fields[c.Shadowed])
			label := rosterColumnOf(c.Shadowed).Header
			warning.Code = WarningShadowedColumn
			warning.Reason = fmt.Sprintf("column %s (%s) is not imported: %s is read from column %s", letter, c.Header, c.Shadowed, reader)
			warning.Message = fmt.Sprintf("%s 列「%s」未导入：%s取自 %s 列", letter, c.Header, label, reader)
		case c.Field == "" && c.Known:
			warning.Code = WarningIgnoredColumn
			warning.Reason = fmt.Sprintf("column %s (%s) is not kept by the roster and is not imported", letter, c.Header)
			warning.Message = fmt.Sprintf("%s 列「%s」名册不保存，未导入", letter, c.Header)
		case c.Field == "":
			warning.Code = WarningIgnoredColumn
			warning.Reason = fmt.Sprintf("column %s (%s) is not a roster column and is not imported", letter, c.Header)
			warning.Message = fmt.Sprintf("%s 列「%s」不是名册的列，未导入", letter, c.Header)
		case !table.filled[c.Index]:
			warning.Code = WarningEmptyColumn
			warning.Reason = fmt.Sprintf("column %s (%s) is empty", letter, c.Header)
			warning.Message = fmt.Sprintf("%s 列「%s」没有内容", letter, c.Header)
		default:
			continue
		}
		p.warnings = append(p.warnings, warning)
	}
	var unnamed []int
	for i := range table.filled {
		if !named[i] {
			unnamed = append(unnamed, i)
		}
	}
	sort.Ints(unnamed)
	for _, i := range unnamed {
		letter := columnLetter(i)
		p.warnings = append(p.warnings, ImportWarning{Sheet: sheet, Column: letter, Code: WarningUnnamedColumn,
			Reason:  fmt.Sprintf("column %s has values but no header and is not imported", letter),
			Message: fmt.Sprintf("%s 列有内容但没有表头，未导入", letter)})
	}
}

// parseRosterLine reads one row's cells into household fields; a column
// the file does not have stays nil (unchanged on update, default on
// creation). Each problem names the bad value.
func parseRosterLine(line sheetRow, columns map[string]int) (HouseholdFields, []ImportIssue) {
	var f HouseholdFields
	var issues []ImportIssue
	text := func(field string) *string {
		i, ok := columns[field]
		if !ok {
			return nil
		}
		v := line.cell(i)
		return &v
	}
	problem := func(field, value, english, chinese string) {
		label := rosterColumnOf(field).Header
		issues = append(issues, issueAt(line.Number, columns, field,
			fmt.Sprintf("%s %q %s", field, echo(value), english), label+"「"+echo(value)+"」"+chinese))
	}
	for field, dst := range map[string]**string{"building": &f.Building, "unit": &f.Unit, "room": &f.Room} {
		if v := text(field); v != nil {
			cleaned := cleanAddressPart(field, cleanText(*v))
			*dst = &cleaned
		}
	}
	if v := text("area_m2"); v != nil && *v != "" {
		area, ok := parseAreaCell(*v)
		switch {
		case ok:
			f.AreaHundredths = &area
		case hasThirdDecimal(*v):
			problem("area_m2", *v, "has more than 2 decimals", "最多两位小数")
		default:
			problem("area_m2", *v, "is not a number", "不是数字")
		}
	}
	if v := text("owner_name"); v != nil {
		name := cleanText(*v)
		f.OwnerName = &name
	}
	if v := text("phone"); v != nil {
		phone := cleanPhoneCell(*v)
		f.Phone = &phone
	}
	if v := text("occupancy"); v != nil && *v != "" {
		if occupancy, ok := occupancyWords[strings.ToLower(*v)]; ok {
			f.Occupancy = &occupancy
		} else {
			problem("occupancy", *v, "must be 自住, 出租 or 空置 (owner, rented, vacant)", "应为 自住、出租 或 空置")
		}
	}
	if v := text("eligible"); v != nil && *v != "" {
		if eligible, ok := eligibleWords[strings.ToLower(*v)]; ok {
			f.Eligible = &eligible
		} else {
			problem("eligible", *v, "must be 是 or 否", "应为 是 或 否")
		}
	}
	reasons := map[string]string{}
	f.validate("", true, reasons)
	for field := range reasons {
		if hasIssue(issues, field) {
			continue
		}
		value := ""
		if v := text(field); v != nil {
			value = *v
		}
		if value == "" {
			label := rosterColumnOf(field).Header
			issues = append(issues, issueAt(line.Number, columns, field, field+" is required", label+"不能为空"))
			continue
		}
		english, chinese := fieldRule(field)
		problem(field, value, english, chinese)
	}
	sort.Slice(issues, func(i, j int) bool {
		return columnOrder(columns, issues[i].Field) < columnOrder(columns, issues[j].Field)
	})
	return f, issues
}

// fieldRule says what a field accepts, for a value HouseholdFields.validate refused.
func fieldRule(field string) (english, chinese string) {
	switch field {
	case "building", "unit", "room":
		return "is longer than 32 characters", "超过32个字"
	case "area_m2":
		return "must be more than 0 and at most 100000 m²", "须大于0且不超过100000平方米"
	case "owner_name":
		return "is longer than 100 characters", "超过100个字"
	case "phone":
		return "may hold only digits, spaces, + and -, at most 32", "只能包含数字、空格、+ 和 -，最多32位"
	}
	return "is not valid", "不符合要求：" + rosterColumnOf(field).Rule
}

// hasThirdDecimal tells whether a cell is a plain number refused only for
// its decimals.
func hasThirdDecimal(s string) bool {
	whole, frac, ok := decimalDigits(strings.TrimSpace(s))
	return ok && whole != "" && len(frac) > 2
}

// echo shortens a cell for an error message: at most 30 characters, no
// control characters.
func echo(value string) string {
	value = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, value)
	if utf8.RuneCountInString(value) > 30 {
		return string([]rune(value)[:30]) + "…"
	}
	return value
}

func issueAt(row int, columns map[string]int, field, reason, message string) ImportIssue {
	issue := ImportIssue{Row: row, Field: field, Reason: reason, Message: message}
	if i, ok := columns[field]; ok {
		issue.Column = columnLetter(i)
	}
	return issue
}

func hasIssue(issues []ImportIssue, field string) bool {
	for _, issue := range issues {
		if issue.Field == field {
			return true
		}
	}
	return false
}

// columnOrder sorts a row's issues left to right; a missing column last.
func columnOrder(columns map[string]int, field string) int {
	if i, ok := columns[field]; ok {
		return i
	}
	return 1 << 20
}

// countRows counts the distinct rows among the issues.
func countRows(issues []ImportIssue) int {
	rows := map[rowPlace]bool{}
	for _, issue := range issues {
		rows[rowPlace{Sheet: issue.Sheet, Row: issue.Row}] = true
	}
	return len(rows)
}
