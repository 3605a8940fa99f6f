package service

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/width"
)

// rosterColumn is one column of the roster spreadsheet: the household field
// it fills, its Chinese header and what a valid value looks like.
type rosterColumn struct {
	Field    string
	Header   string
	Required bool
	// Rule says in Chinese what the column accepts, for import errors and
	// the template's instructions.
	Rule string
	// Example is a sample value for the template's instructions.
	Example string
}

// rosterColumns are the roster's columns in the order of the export and
// the import template.
var rosterColumns = []rosterColumn{
	{"building", "楼栋", true, "必填，1至32个字符，如 1 或 A", "1"},
	{"unit", "单元", false, "最多32个字符，没有单元可留空", "2"},
	{"room", "房号", true, "必填，1至32个字符", "301"},
	{"area_m2", "面积", true, "必填，专有部分面积（平方米），大于0、不超过100000，最多两位小数", "86.75"},
	{"owner_name", "业主", false, "最多100个字符", "张三"},
	{"phone", "电话", false, "只能包含数字、空格、+ 和 -，最多32位", "13800001234"},
	{"occupancy", "状态", false, "自住、出租 或 空置（也可填 owner、rented、vacant），留空为自住", "自住"},
	{"eligible", "参与表决", false, "是 或 否，留空为是", "是"},
}

// rosterColumnOf returns the column of a field.
func rosterColumnOf(field string) rosterColumn {
	for _, c := range rosterColumns {
		if c.Field == field {
			return c
		}
	}
	return rosterColumn{Field: field, Header: field}
}

// headerAlias is a header word and how strongly it names its field: when
// two columns name the same field, the higher rank is read and the other
// ignored with a warning (建筑面积 over 套内面积, 手机 over 电话); equal
// ranks are an error.
type headerAlias struct {
	Field string
	Rank  int
}

// headerAliases maps a normalised header (see normalizeHeader) to its field:
// the Chinese words found in street offices' and community workers'
// rosters and the English field names. A field "" marks a column known to
// hold nothing the roster keeps (备注, 序号): it is listed as ignored.
var headerAliases = buildHeaderAliases()

func buildHeaderAliases() map[string]headerAlias {
	aliases := map[string]headerAlias{}
	words := []struct {
		field string
		rank  int
		words string
	}{
		{"building", 2, "楼栋 楼栋号 楼号 栋号 幢号 楼幢 楼幢号 栋 幢 楼 楼宇 building"},
		{"unit", 2, "单元 单元号 unit"},
		{"room", 2, "房号 房间号 室号 户号 门牌号 门牌 房屋号 室 room"},
		{"area_m2", 3, "面积 专有部分面积 专有面积 建筑面积 房屋建筑面积 产权面积 area_m2 area"},
		{"area_m2", 2, "房屋面积 住宅面积"},
		{"area_m2", 1, "套内面积 套内建筑面积 使用面积"},
		{"owner_name", 3, "业主 业主姓名 产权人 产权人姓名 权利人 所有权人 房屋所有权人 owner_name owner"},
		{"owner_name", 2, "户主 户主姓名 房主"},
		{"owner_name", 1, "姓名 name"},
		{"phone", 2, "手机 手机号 手机号码 业主电话 业主手机 phone"},
		{"phone", 1, "电话 联系电话 电话号码 联系方式 联系人电话"},
		{"occupancy", 2, "状态 居住状态 居住情况 occupancy"},
		{"eligible", 2, "参与表决 是否参与表决 表决资格 eligible"},
		{"", 0, "备注 说明 序号 编号 no"},
	}
	for _, w := range words {
		for _, word := range strings.Fields(w.words) {
			aliases[word] = headerAlias{Field: w.field, Rank: w.rank}
		}
	}
	return aliases
}

// headerUnits are the units a header may carry after its name without
// brackets ("面积㎡", "建筑面积/平方米").
var headerUnits = []string{"平方米", "平米", "㎡", "m²", "m2", "/", "(", ")"}

// normalizeHeader reduces a header cell to the form headerAliases uses:
// half-width, lower case, without spaces, a unit in brackets of any width
// ("建筑面积（㎡）", "面积(m²)", "面积【平方米】") or after the name ("面积㎡"),
// or a required-field mark ("*楼栋", "楼栋*", "楼栋：").
func normalizeHeader(s string) string {
	s = strings.ToLower(width.Narrow.String(strings.TrimPrefix(s, "\ufeff")))
	s = strings.Join(strings.Fields(s), "")
	if i := strings.IndexAny(s, "([【〔<"); i > 0 {
		s = s[:i]
	}
	s = strings.Trim(s, "*:")
	if _, known := headerAliases[s]; known {
		return s // "area_m2" ends like a unit
	}
	for changed := true; changed; {
		changed = false
		for _, unit := range headerUnits {
			if trimmed, ok := strings.CutSuffix(s, unit); ok && trimmed != "" {
				s, changed = trimmed, true
			}
		}
	}
	return s
}

// maxHeaderSearchRows bounds how far down a title block may push the header row.
const maxHeaderSearchRows = 10

// errNoHeader is findHeader's answer for a table without a roster header.
var errNoHeader = errors.New("no header row with 楼栋 (building), 房号 (room) and 面积 (area_m2) in the first 10 rows")

// noHeaderError is errNoHeader for the caller, in both languages.
func noHeaderError() *ImportFileError {
	return refuseFile(errNoHeader.Error(),
		"前 10 行中没有找到表头：表头须包含 楼栋（或 楼号、幢）、房号（或 室号、门牌号）和 面积（或 建筑面积）")
}

// headerColumn is one non-blank cell of a header row and how it was read.
type headerColumn struct {
	Index  int
	Header string
	Field  string // "" for an ignored column
	// Shadowed names the field a lower-ranked column also named.
	Shadowed string
	// Known marks a header the roster knows, read or not (备注, 序号).
	Known bool
}

// headerRow is a header row: where it is and how each column was read.
type headerRow struct {
	Row     int            // the row number as Excel shows it
	Fields  map[string]int // field → column index
	Columns []headerColumn
}

// findHeader finds the header row among the first rows (a roster often has
// a title above it): the first row that names the building, room and area
// columns. Errors: errNoHeader; *ImportFileError for a field two columns
// name with the same rank.
func findHeader(rows []sheetRow) (*headerRow, error) {
	for i := 0; i < len(rows) && i < maxHeaderSearchRows; i++ {
		header, repeated := readHeader(rows[i])
		_, hasBuilding := header.Fields["building"]
		_, hasRoom := header.Fields["room"]
		_, hasArea := header.Fields["area_m2"]
		if !hasBuilding || !hasRoom || !hasArea {
			continue
		}
		if len(repeated) > 0 {
			return nil, refuseFile(
				fmt.Sprintf("row %d has a column twice: %s", rows[i].Number, strings.Join(repeated, "; ")),
				fmt.Sprintf("第%d行的表头有重复的列：%s，请删除或改名其中一列", rows[i].Number, strings.Join(repeated, "；")))
		}
		return header, nil
	}
	return nil, errNoHeader
}

// readHeader reads a row as a header. It returns the columns named twice
// with the same rank ("面积 (D, F)").
func readHeader(row sheetRow) (*headerRow, []string) {
	header := &headerRow{Row: row.Number, Fields: map[string]int{}}
	ranks := map[string]int{}
	var repeated []string
	for j := range row.Cells {
		text := row.cell(j)
		if text == "" {
			continue
		}
		alias, ok := headerAliases[normalizeHeader(text)]
		header.Columns = append(header.Columns, headerColumn{Index: j, Header: text, Known: ok})
		if alias.Field == "" {
			continue
		}
		column := &header.Columns[len(header.Columns)-1]
		first, seen := header.Fields[alias.Field]
		switch {
		case !seen:
		case alias.Rank == ranks[alias.Field]:
			repeated = append(repeated, fmt.Sprintf("%s (%s, %s)", rosterColumnOf(alias.Field).Header, columnLetter(first), columnLetter(j)))
			continue
		case alias.Rank < ranks[alias.Field]:
			column.Shadowed = alias.Field
			continue
		default: // this column outranks the one read so far
			for k := range header.Columns {
				if header.Columns[k].Index == first {
					header.Columns[k].Field, header.Columns[k].Shadowed = "", alias.Field
				}
			}
		}
		column.Field = alias.Field
		header.Fields[alias.Field], ranks[alias.Field] = j, alias.Rank
	}
	return header, repeated
}

// addressSuffixes are the words a roster may add to an address part
// ("3号楼", "2单元", "301室"); they are dropped so that "3号楼" matches "3".
var addressSuffixes = map[string][]string{
	"building": {"号楼", "栋", "幢", "号"},
	"unit":     {"单元"},
	"room":     {"室", "号"},
}

// cleanAddressPart normalises a building, unit or room cell: half-width
// characters and without the customary suffix.
func cleanAddressPart(field, value string) string {
	value = strings.TrimSpace(width.Narrow.String(value))
	for _, suffix := range addressSuffixes[field] {
		if trimmed, ok := strings.CutSuffix(value, suffix); ok && strings.TrimSpace(trimmed) != "" {
			return strings.TrimSpace(trimmed)
		}
	}
	return value
}

// cleanText undoes the protection the exports add against spreadsheet
// formulas: a leading apostrophe before = + - @.
func cleanText(value string) string {
	if len(value) > 1 && value[0] == '\'' && strings.ContainsRune("=+-@", rune(value[1])) {
		return value[1:]
	}
	return value
}

// occupancyWords maps the words of a roster's 状态 column to occupancy values.
var occupancyWords = map[string]string{
	"owner": "owner", "rented": "rented", "vacant": "vacant",
	"自住": "owner", "业主自住": "owner", "出租": "rented", "租住": "rented", "空置": "vacant", "闲置": "vacant",
}

// eligibleWords maps the words of a roster's 参与表决 column to a boolean.
var eligibleWords = map[string]bool{
	"是": true, "否": false, "yes": true, "no": false, "y": true, "n": false,
	"true": true, "false": false, "1": true, "0": false, "参与": true, "不参与": false,
}

// parseAreaCell reads an area in m² exactly, as integer hundredths, without
// floating point. It accepts what spreadsheets store: "86.75", "86.750000000000014"
// (binary noise past the 6th decimal is rounded away), "8.675E1", and an
// optional unit ("86.75㎡", "86.75平方米").
func parseAreaCell(s string) (int64, bool) {
	s = strings.TrimSpace(width.Narrow.String(s))
	for _, unit := range []string{"平方米", "平米", "㎡", "m²", "m2"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, unit))
	}
	whole, frac, ok := decimalDigits(s)
	if !ok || len(whole) > 9 {
		return 0, false
	}
	hundredths := int64(0)
	for _, d := range whole + (frac + "00")[:2] {
		hundredths = hundredths*10 + int64(d-'0')
	}
	if len(frac) > 2 {
		rest := frac[2:]
		switch {
		case strings.Trim(rest, "0") == "":
		case len(rest) >= 7 && strings.HasPrefix(rest, "000000"):
		case len(rest) >= 7 && strings.HasPrefix(rest, "999999"):
			hundredths++
		default:
			return 0, false // a real third decimal: refuse rather than round
		}
	}
	return hundredths, true
}

// decimalDigits splits a non-negative decimal number, possibly in
// scientific notation, into its integer and fraction digits.
func decimalDigits(s string) (whole, frac string, ok bool) {
	mantissa, exponent := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa = s[:i]
		if _, err := fmt.Sscanf(s[i+1:], "%d", &exponent); err != nil || exponent > 20 || exponent < -20 {
			return "", "", false
		}
	}
	whole, frac, _ = strings.Cut(mantissa, ".")
	if whole == "" && frac == "" || !isNumber(whole) && whole != "" || !isNumber(frac) && frac != "" {
		return "", "", false
	}
	for ; exponent > 0; exponent-- {
		if frac == "" {
			whole += "0"
		} else {
			whole, frac = whole+frac[:1], frac[1:]
		}
	}
	for ; exponent < 0; exponent++ {
		if whole == "" {
			frac = "0" + frac
		} else {
			whole, frac = whole[:len(whole)-1], whole[len(whole)-1:]+frac
		}
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	return whole, frac, true
}

// cleanPhoneCell turns a phone number a spreadsheet stored as a number
// ("1.3800001234E10", "13800001234.0") back into its digits.
func cleanPhoneCell(s string) string {
	s = cleanText(strings.TrimSpace(width.Narrow.String(s)))
	if strings.ContainsAny(s, "eE.") {
		if whole, frac, ok := decimalDigits(s); ok && strings.Trim(frac, "0") == "" {
			return whole
		}
	}
	return s
}

// RosterFieldLabel is the Chinese name of a roster field (楼栋 for building),
// for previews that say how each column of a file was understood.
func RosterFieldLabel(field string) string {
	for _, c := range rosterColumns {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}
