package service

import (
	"context"
	"sort"

	"minyi/model"
	"minyi/store"
)

// occupancyLabels are the Chinese words the roster spreadsheet uses.
var occupancyLabels = map[string]string{"owner": "自住", "rented": "出租", "vacant": "空置"}

// ExportRoster writes an estate's roster as .xlsx or .csv, with the columns
// and words of the import (楼栋, 单元, 房号, 面积, 业主, 电话, 状态, 参与表决), so
// that an exported file can be edited and imported again. Rows are in
// building, unit and room order. Errors: estate_not_found, validation_failed (format).
func (s *Service) ExportRoster(ctx context.Context, actor Actor, estateID, format string) (*Spreadsheet, error) {
	format, err := checkFormat(format)
	if err != nil {
		return nil, err
	}
	tx := s.read(ctx)
	if err := s.authorize(tx, actor, estateID, ActExportRoster); err != nil {
		return nil, AsError(estateNotFound(err))
	}
	estate, err := store.ByID[model.Estate](tx, estateID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "estate_not_found"))
	}
	households, err := loadRoster(tx, estateID)
	if err != nil {
		return nil, AsError(err)
	}
	sort.Slice(households, func(i, j int) bool { return addressLess(households[i], households[j]) })
	rows := make([][]any, len(households))
	for i, h := range households {
		eligible := "是"
		if !h.Eligible {
			eligible = "否"
		}
		rows[i] = []any{h.Building, h.Unit, h.Room, areaCell(h.AreaHundredths), h.OwnerName, h.Phone,
			occupancyLabels[h.Occupancy], eligible}
	}
	name := safeFileName(estate.Name + "-住户名册." + format)
	return renderTable(format, name, sheet{Name: "住户名册", Header: rosterHeader(), Rows: rows,
		Widths: []float64{8, 8, 10, 12, 14, 16, 8, 10}})
}

// ImportTemplate is the empty roster workbook to fill in: the header row
// and a sheet that explains each column.
func ImportTemplate() (*Spreadsheet, error) {
	guide := make([][]any, len(rosterColumns))
	for i, c := range rosterColumns {
		required := "否"
		if c.Required {
			required = "是"
		}
		guide[i] = []any{c.Header, required, c.Rule, c.Example}
	}
	guide = append(guide, []any{}, []any{"说明", "", "第一行为表头，从第二行起每行一户；楼栋、单元、房号相同的住户导入时会被更新，其余新建。表头也可用英文：building, unit, room, area_m2, owner_name, phone, occupancy, eligible。", ""})
	data, err := writeXLSX([]sheet{
		{Name: "住户名册", Header: rosterHeader(), Widths: []float64{8, 8, 10, 12, 14, 16, 8, 10},
			Choices: map[int][]string{fieldOrder("occupancy"): {"自住", "出租", "空置"}, fieldOrder("eligible"): {"是", "否"}}},
		{Name: "填写说明", Header: []string{"列", "必填", "填写要求", "示例"}, Rows: guide, Widths: []float64{10, 6, 60, 12}},
	})
	if err != nil {
		return nil, err
	}
	return &Spreadsheet{FileName: "住户名册导入模板.xlsx", ContentType: ContentTypeXLSX, Data: data}, nil
}

// fieldOrder is the index of a field's column in the roster spreadsheets.
func fieldOrder(field string) int {
	for i, c := range rosterColumns {
		if c.Field == field {
			return i
		}
	}
	return -1
}

func rosterHeader() []string {
	header := make([]string, len(rosterColumns))
	for i, c := range rosterColumns {
		header[i] = c.Header
	}
	return header
}

// renderTable writes one table as a workbook or as CSV.
func renderTable(format, fileName string, table sheet) (*Spreadsheet, error) {
	if format == FormatCSV {
		data, err := writeCSV(table.Header, table.Rows)
		if err != nil {
			return nil, err
		}
		return &Spreadsheet{FileName: fileName, ContentType: ContentTypeCSV, Data: data}, nil
	}
	data, err := writeXLSX([]sheet{table})
	if err != nil {
		return nil, err
	}
	return &Spreadsheet{FileName: fileName, ContentType: ContentTypeXLSX, Data: data}, nil
}

// addressLess orders households by building, unit and room, numbers by value.
func addressLess(a, b model.Household) bool {
	if a.Building != b.Building {
		return naturalLess(a.Building, b.Building)
	}
	if a.Unit != b.Unit {
		return naturalLess(a.Unit, b.Unit)
	}
	return naturalLess(a.Room, b.Room)
}
