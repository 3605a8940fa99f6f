package service

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/store"
)

// newEmptyEstate creates an estate without households.
func newEmptyEstate(tb testing.TB, svc *Service) string {
	tb.Helper()
	name := "导入测试小区"
	estate, err := svc.CreateEstate(context.Background(), SystemActor(), EstateFields{Name: &name})
	if err != nil {
		tb.Fatal(err)
	}
	return estate.ID
}

// xlsxFile builds a workbook whose first sheet holds the rows (cells may be
// strings, ints or floats, as Excel stores them).
func xlsxFile(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// gbk encodes text as Excel in China saves a CSV.
func gbk(tb testing.TB, text string) []byte {
	tb.Helper()
	encoded, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	return encoded
}

// rosterOf reads an estate's households keyed "building-unit-room".
func rosterOf(tb testing.TB, db *model.DB, estateID string) map[string]model.Household {
	tb.Helper()
	households, err := loadRoster(store.New(db).Read(context.Background()), estateID)
	if err != nil {
		tb.Fatal(err)
	}
	byAddress := map[string]model.Household{}
	for _, h := range households {
		byAddress[h.Building+"-"+h.Unit+"-"+h.Room] = h
	}
	return byAddress
}

func TestImportXLSXCreatesThenUpdates(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		file := xlsxFile(t, [][]any{
			{"幸福里小区住户名册"}, // a title above the header
			{"楼栋", "单元", "房号", "面积（㎡）", "业主", "电话", "状态", "参与表决", "备注"},
			{1, 1, 101, 86.75, "张三", 13800001234, "自住", "是", "ignored"},
			{"1", "1", "102", "120.1", "李四", "139-0000-0000", "出租", "否"},
			{},
			{"2号楼", "2单元", "301室", 0.01, "王五", "", "空置", ""},
		})
		report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "名册.xlsx", Data: file}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !report.Written || report.Created != 3 || report.Updated != 0 || report.ErrorCount != 0 {
			t.Fatalf("report = %+v, want 3 created and written", report)
		}
		roster := rosterOf(t, db, estateID)
		want := map[string]model.Household{
			"1-1-101": {AreaHundredths: 8675, OwnerName: "张三", Phone: "13800001234", Occupancy: "owner", Eligible: true},
			"1-1-102": {AreaHundredths: 12010, OwnerName: "李四", Phone: "139-0000-0000", Occupancy: "rented", Eligible: false},
			"2-2-301": {AreaHundredths: 1, OwnerName: "王五", Phone: "", Occupancy: "vacant", Eligible: true},
		}
		for address, w := range want {
			got, ok := roster[address]
			if !ok {
				t.Fatalf("household %s missing; roster: %v", address, roster)
			}
			if got.AreaHundredths != w.AreaHundredths || got.OwnerName != w.OwnerName || got.Phone != w.Phone ||
				got.Occupancy != w.Occupancy || got.Eligible != w.Eligible {
				t.Errorf("%s = %+v, want %+v", address, got, w)
			}
		}
		// The same file with one change: one update, the rest unchanged, ids kept.
		changed := xlsxFile(t, [][]any{
			{"building", "unit", "room", "area_m2", "owner_name"},
			{"1", "1", "101", "90", "张三"},
			{"1", "1", "102", "120.10", "李四"},
		})
		report, err = svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "roster.xlsx", Data: changed}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if report.Created != 0 || report.Updated != 1 || report.Unchanged != 1 {
			t.Fatalf("second import report = %+v, want 1 updated, 1 unchanged", report)
		}
		after := rosterOf(t, db, estateID)
		if h := after["1-1-101"]; h.AreaHundredths != 9000 || h.ID != roster["1-1-101"].ID || h.Phone != "13800001234" {
			t.Errorf("updated household = %+v: area 90.00, same id, phone kept (no phone column)", h)
		}
		if len(after) != 3 {
			t.Errorf("roster has %d households, want 3", len(after))
		}
	})
}

func TestImportGBKCSV(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		text := "楼栋,单元,房号,面积,业主,电话,状态,参与表决\r\n" +
			"3,1,101,75.5,欧阳娜娜,13912345678,自住,是\r\n" +
			"3,1,102,\"1,0\",x,,,\r\n" // an area with a comma is invalid
		data := gbk(t, text)
		if bytes.Equal(data, []byte(text)) {
			t.Fatal("the GBK encoder did not change the text")
		}
		// Invalid rows: nothing is written, and the error names the row and column.
		report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "名册.csv", Data: data}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !report.Rejected || report.Written || len(report.Errors) != 1 {
			t.Fatalf("report = %+v, want rejected with one error", report)
		}
		if e := report.Errors[0]; e.Row != 3 || e.Column != "D" || e.Field != "area_m2" || e.Message != "面积「1,0」不是数字" {
			t.Errorf("error = %+v, want row 3, column D, area_m2", e)
		}
		if n := len(rosterOf(t, db, estateID)); n != 0 {
			t.Fatalf("a rejected import wrote %d households", n)
		}
		// skip_invalid imports the valid row, decoded from GBK.
		report, err = svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "名册.csv", Data: data}, ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if !report.Written || report.Created != 1 || report.Skipped != 1 {
			t.Fatalf("report = %+v, want 1 created, 1 skipped", report)
		}
		if h := rosterOf(t, db, estateID)["3-1-101"]; h.OwnerName != "欧阳娜娜" || h.AreaHundredths != 7550 {
			t.Errorf("household = %+v, want 欧阳娜娜 with 75.50 m²", h)
		}
	})
}

func TestImportDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		csv := "\ufeffbuilding,unit,room,area_m2,occupancy,eligible\n1,1,101,50,owner,yes\n1,1,102,60,rented,no\n"
		report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.csv", Data: []byte(csv)}, ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !report.DryRun || report.Written || report.Created != 2 {
			t.Fatalf("dry run report = %+v, want 2 to create, not written", report)
		}
		if n := len(rosterOf(t, db, estateID)); n != 0 {
			t.Fatalf("a dry run wrote %d households", n)
		}
	})
}

func TestImportReportsEachBadCell(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		file := xlsxFile(t, [][]any{
			{"楼栋", "单元", "房号", "面积", "状态", "参与表决", "电话"},
			{"1", "1", "101", "86.755", "自住", "是", ""},   // row 2: three decimals
			{"1", "1", "", "50", "自住", "是", ""},          // row 3: no room
			{"1", "1", "103", "50", "借住", "也许", "phone"}, // row 4: occupancy, eligible, phone
			{"1", "1", "104", "0", "", "", ""},           // row 5: area 0
			{"1", "1", "105", "50", "", "", ""},          // row 6: fine
			{"1", "1", "105", "51", "", "", ""},          // row 7: repeats row 6
		})
		report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: file}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range report.Errors {
			got = append(got, fmt.Sprintf("%d%s:%s", e.Row, e.Column, e.Field))
		}
		want := []string{"2D:area_m2", "3C:room", "4E:occupancy", "4F:eligible", "4G:phone", "5D:area_m2", "7C:room"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("errors = %v, want %v", got, want)
		}
		if !report.Rejected || report.Skipped != 5 || report.Written {
			t.Fatalf("report = %+v, want rejected with 5 rows skipped", report)
		}
	})
}

func TestImportRefusesFilesItCannotRead(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		cases := map[string]RosterFile{
			"legacy xls":      {Name: "r.xls", Data: []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}},
			"no header":       {Name: "r.csv", Data: []byte("a,b,c\n1,2,3\n")},
			"header only":     {Name: "r.csv", Data: []byte("楼栋,房号,面积\n")},
			"broken xlsx":     {Name: "r.xlsx", Data: []byte("PK\x03\x04 not really")},
			"pdf":             {Name: "r.pdf", Data: []byte("%PDF-1.4")},
			"empty":           {Name: "r.csv", Data: nil},
			"repeated header": {Name: "r.csv", Data: []byte("楼栋,房号,面积,楼号\n1,1,1,1\n")},
		}
		for name, file := range cases {
			_, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, file, ImportOptions{})
			if se := AsError(err); err == nil || se.Code != "validation_failed" || se.Fields["file"] == "" {
				t.Errorf("%s: err = %v, want validation_failed on file", name, err)
			}
		}
		// Another estate's worker cannot import here.
		worker := Actor{Kind: ActorUser, ID: "someone", Role: RoleWorker}
		_, err := svc.ImportHouseholds(ctx, worker, estateID, RosterFile{Name: "r.csv", Data: []byte("楼栋,房号,面积\n1,1,1\n")}, ImportOptions{})
		if codeOf(err) != "estate_not_found" {
			t.Errorf("unassigned worker: %v, want estate_not_found", err)
		}
	})
}

func TestParseAreaCellIsExact(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{
		"86.75": 8675, "86.7": 8670, "86": 8600, "0.01": 1, "86.750000000000014": 8675, "86.74999999999999": 8675,
		"8.675E1": 8675, "1e2": 10000, "86.75㎡": 8675, "８６.７５": 8675, " 100 平方米": 10000, "007.50": 750,
	}
	for text, want := range cases {
		if got, ok := parseAreaCell(text); !ok || got != want {
			t.Errorf("parseAreaCell(%q) = %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, bad := range []string{"", "86.755", "-5", "abc", "1,000", "86.7.5", ".", "1e99", "86.7551"} {
		if got, ok := parseAreaCell(bad); ok {
			t.Errorf("parseAreaCell(%q) = %d, want refused", bad, got)
		}
	}
}

func TestCSVRowNumbersAreExcels(t *testing.T) {
	t.Parallel()
	text := "楼栋,房号,面积\n\n1,\"10\n1\",50\n2,201,60\n"
	source, err := readCSV([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, r := range source.rows {
		numbers = append(numbers, r.Number)
	}
	// Excel: header 1, blank 2, the two-line cell is row 3, then row 4.
	if fmt.Sprint(numbers) != "[1 3 4]" {
		t.Fatalf("row numbers = %v, want [1 3 4]", numbers)
	}
}

func TestDecodeTextDetectsEncodings(t *testing.T) {
	t.Parallel()
	utf16 := []byte{0xFF, 0xFE, '1', 0, '\t', 0, 0x7C, 0x69} // "1\t楼" in UTF-16LE
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"utf-8 with BOM", []byte("\ufeff楼栋"), "楼栋"},
		{"utf-8", []byte("楼栋"), "楼栋"},
		{"gbk", gbk(t, "楼栋,房号"), "楼栋,房号"},
		{"gb18030 beyond gbk", mustGB18030(t, "𠀀楼"), "𠀀楼"},
		{"utf-16le", utf16, "1\t楼"},
	}
	for _, c := range cases {
		got, err := decodeText(c.data)
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func mustGB18030(tb testing.TB, text string) []byte {
	encoded, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	return encoded
}

func TestImportWorkbookWithOneSheetPerBuilding(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		svc := newService(db)
		estateID := newEmptyEstate(t, svc)
		f := excelize.NewFile()
		defer f.Close()
		put := func(sheet string, rows [][]any) {
			if _, err := f.NewSheet(sheet); err != nil {
				t.Fatal(err)
			}
			for r, row := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, r+1)
				if err := f.SetSheetRow(sheet, cell, &row); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.SetSheetName("Sheet1", "说明")
		f.SetCellValue("说明", "A1", "本表按楼栋分页")
		put("1栋", [][]any{{"楼栋", "单元", "房号", "面积"}, {"1", "1", "101", "80"}, {"1", "1", "102", "81"}})
		put("2栋", [][]any{{"二号楼住户"}, {"楼栋", "单元", "房号", "面积"}, {"2", "1", "101", "x"}, {"1", "1", "102", "81"}, {"2", "1", "102", "70"}})
		put("隐藏", [][]any{{"楼栋", "单元", "房号", "面积"}, {"9", "9", "999", "1"}})
		f.SetSheetVisible("隐藏", false)
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "分楼栋.xlsx", Data: buf.Bytes()}, ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if report.Created != 3 || report.Skipped != 2 || len(report.Errors) != 2 {
			t.Fatalf("report = %+v, want 3 created (1-1-101, 1-1-102, 2-1-102) and 2 skipped", report)
		}
		if e := report.Errors[0]; e.Sheet != "2栋" || e.Row != 3 || e.Field != "area_m2" {
			t.Errorf("first error = %+v, want sheet 2栋 row 3 area_m2", e)
		}
		if e := report.Errors[1]; e.Sheet != "2栋" || e.Row != 4 || !strings.Contains(e.Message, "工作表「1栋」第3行") {
			t.Errorf("second error = %+v, want a repeat of sheet 1栋 row 3", e)
		}
		if _, hidden := rosterOf(t, db, estateID)["9-9-999"]; hidden {
			t.Error("a hidden sheet was imported")
		}
	})
}

func TestImportTemplateOffersTheAllowedWords(t *testing.T) {
	t.Parallel()
	template, err := ImportTemplate()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(template.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	validations, err := f.GetDataValidations("住户名册")
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, v := range validations {
		lists[v.Sqref] = v.Formula1
	}
	if !strings.Contains(lists["G2:G10001"], "自住,出租,空置") || !strings.Contains(lists["H2:H10001"], "是,否") {
		t.Fatalf("drop-down lists = %v, want 状态 (G) and 参与表决 (H)", lists)
	}
	// Filled in with the offered words, it imports.
	f.SetSheetRow("住户名册", "A2", &[]any{"5", "1", "501", 66.6, "周八", "", "出租", "否"})
	buf, _ := f.WriteToBuffer()
	source, err := openSheets("template.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer source.close()
	parsed, err := parseRoster(source)
	if err != nil {
		t.Fatal(err)
	}
	if rows := parsed.rows; len(parsed.issues) != 0 || len(rows) != 1 || *rows[0].Fields.Occupancy != "rented" || *rows[0].Fields.Eligible {
		t.Fatalf("filled template: %+v, %+v", rows, parsed.issues)
	}
}
