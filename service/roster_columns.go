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

// headerAliases maps a normalised header (see normalizeHeader) to its field:
// the Chinese words found in community workers' rosters and the English field names.
var headerAliases = map[string]string{
	"楼栋": "building", "楼号": "building", "楼栋号": "building", "栋号": "building", "幢号": "building", "building": "building",
	"单元": "unit", "单元号": "unit", "unit": "unit",
	"房号": "room", "房间号": "room", "室号": "room", "户号": "room", "room": "room",
	"面积": "area_m2", "专有部分面积": "area_m2", "专有面积": "area_m2", "房屋面积": "area_m2", "area_m2": "area_m2", "area": "area_m2",
	"业主": "owner_name", "业主姓名": "owner_name", "户主": "owner_name", "户主姓名": "owner_name", "姓名": "owner_name",
	"owner_name": "owner_name", "owner": "owner_name",
	"电话": "phone", "联系电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone", "phone": "phone",
	"状态": "occupancy", "居住状态": "occupancy", "居住情况": "occupancy", "occupancy": "occupancy",
	"参与表决": "eligible", "是否参与表决": "eligible", "表决资格": "eligible", "eligible": "eligible",
}

// normalizeHeader reduces a header cell to the form headerAliases uses:
// half-width, lower case, without spaces, a unit in brackets ("面积（㎡）")
// or a required-field mark ("楼栋*").
func normalizeHeader(s string) string {
	s = strings.ToLower(width.Narrow.String(strings.TrimPrefix(s, "\ufeff")))
	s = strings.Join(strings.Fields(s), "")
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, "*:")
}

// maxHeaderSearchRows bounds how far down a title block may push the header row.
const maxHeaderSearchRows = 10

// errNoHeader is findHeader's answer for a table without a roster header.
var errNoHeader = errors.New("no header row with 楼栋 (building), 房号 (room) and 面积 (area_m2) in the first 10 rows")

// findHeader finds the header row among the first rows (a roster often has
// a title above it): the first row that names the building, room and area
// columns. It returns the row's index and the column index of each field.
// Errors: errNoHeader; validation_failed (file) for a column named twice.
func findHeader(rows []sheetRow) (int, map[string]int, error) {
	for i := 0; i < len(rows) && i < maxHeaderSearchRows; i++ {
		columns := map[string]int{}
		var repeated []string
		for j := range rows[i].Cells {
			field, ok := headerAliases[normalizeHeader(rows[i].cell(j))]
			if !ok {
				continue
			}
			if first, seen := columns[field]; seen {
				repeated = append(repeated, fmt.Sprintf("%s (%s, %s)", rosterColumnOf(field).Header, columnLetter(first), columnLetter(j)))
				continue
			}
			columns[field] = j
		}
		_, hasBuilding := columns["building"]
		_, hasRoom := columns["room"]
		_, hasArea := columns["area_m2"]
		if !hasBuilding || !hasRoom || !hasArea {
			continue
		}
		if len(repeated) > 0 {
			return 0, nil, InvalidField("file", fmt.Sprintf("row %d has a column twice: %s", rows[i].Number, strings.Join(repeated, "; ")))
		}
		return i, columns, nil
	}
	return 0, nil, errNoHeader
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
