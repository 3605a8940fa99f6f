package service

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// handmadeXLSX writes a minimal workbook whose one sheet's <sheetData> is
// what writeRows writes, as an attacker would build it (excelize itself
// would fill every column up to the last one in memory).
func handmadeXLSX(tb testing.TB, writeRows func(w io.Writer)) []byte {
	tb.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	part := func(name, text string) io.Writer {
		w, err := z.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(w, text); err != nil {
			tb.Fatal(err)
		}
		return w
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w := part("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	writeRows(w)
	if _, err := io.WriteString(w, `</sheetData></worksheet>`); err != nil {
		tb.Fatal(err)
	}
	if err := z.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// inlineRow writes one row of inline-string cells from column A, and a last
// cell at lastColumn ("" for none).
func inlineRow(w io.Writer, number int, cells []string, lastColumn string) {
	fmt.Fprintf(w, `<row r="%d">`, number)
	for i, c := range cells {
		fmt.Fprintf(w, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, columnLetter(i), number, c)
	}
	if lastColumn != "" {
		fmt.Fprintf(w, `<c r="%s%d"><v>1</v></c>`, lastColumn, number)
	}
	io.WriteString(w, `</row>`)
}

// wideRowsXLSX is the file of issue 11 item 7: a roster whose every row
// also has one cell in the last column, XFD (small zipped, 16,384 columns
// wide for a reader that fills the gaps).
func wideRowsXLSX(tb testing.TB, rows int) []byte {
	return handmadeXLSX(tb, func(w io.Writer) {
		inlineRow(w, 1, []string{"楼栋", "单元", "房号", "面积"}, "XFD")
		for r := 2; r <= rows+1; r++ {
			inlineRow(w, r, []string{"1", "1", fmt.Sprint(r), "80.5"}, "XFD")
		}
	})
}

// fullRosterXLSX is a roster as large as the import accepts: MaxImportRows
// households with every column and a remark of remarkChars characters
// (1,000 is the cell limit; the file then unzips to about 33 MiB).
func fullRosterXLSX(tb testing.TB, remarkChars int) []byte {
	remark := strings.Repeat("备", remarkChars)
	return handmadeXLSX(tb, func(w io.Writer) {
		inlineRow(w, 1, []string{"楼栋", "单元", "房号", "建筑面积（㎡）", "产权人", "联系电话", "状态", "参与表决", "备注"}, "")
		for r := 2; r <= MaxImportRows+1; r++ {
			inlineRow(w, r, []string{fmt.Sprint(r / 500), fmt.Sprint(r % 5), fmt.Sprint(r), "86.75", "张三丰", "13800001234", "自住", "是", remark}, "")
		}
	})
}

// peakHeap samples the live heap while fn runs and returns the highest
// value above the level before it.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > before.HeapAlloc && m.HeapAlloc-before.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc - before.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak.Load()
}

// BenchmarkRosterImportMemory reads the worst files (a dry run, so the
// database plays no part) and reports the peak live heap above the level
// before the import and the bytes allocated per import.
//
//	go test -run XXX -bench RosterImportMemory -benchtime 3x ./service/
func BenchmarkRosterImportMemory(b *testing.B) {
	files := map[string][]byte{
		"xfd-column-3400-rows": wideRowsXLSX(b, 3400),
		"full-10000-rows":      fullRosterXLSX(b, 20),
		"longest-10000-rows":   fullRosterXLSX(b, MaxImportCellChars),
	}
	for name, data := range files {
		b.Run(name, func(b *testing.B) {
			svc := newService(testdb.OpenSQLite(b))
			estateID := newEmptyEstate(b, svc)
			ctx := context.Background()
			b.ReportAllocs()
			var worst uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				peak := peakHeap(func() {
					_, _ = svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: data}, ImportOptions{DryRun: true})
				})
				worst = max(worst, peak)
			}
			b.ReportMetric(float64(worst)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(len(data))/1024, "file-KiB")
		})
	}
}

// BenchmarkRosterImport2000 imports a 2,000-household roster into an empty
// estate (create) and then the same roster with every area changed
// (update), on SQLite and MariaDB.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench RosterImport2000 -benchtime 5x ./service/
func BenchmarkRosterImport2000(b *testing.B) {
	for _, dialect := range []string{"sqlite", "mysql"} {
		b.Run(dialect, func(b *testing.B) {
			var db *model.DB
			if dialect == "mysql" {
				db = testdb.OpenMySQL(b)
			} else {
				db = testdb.OpenSQLite(b)
			}
			svc := newService(db)
			ctx := context.Background()
			created, updated := roster2000(b, "80.50"), roster2000(b, "81.25")
			var createTime, updateTime, createCPU, updateCPU time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				estateID := newEmptyEstate(b, svc)
				b.StartTimer()
				for _, step := range []struct {
					data       []byte
					spent, cpu *time.Duration
				}{{created, &createTime, &createCPU}, {updated, &updateTime, &updateCPU}} {
					start, startCPU := time.Now(), processCPU()
					report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: step.data}, ImportOptions{})
					if err != nil || !report.Written || report.Created+report.Updated != 2000 {
						b.Fatalf("import: %+v, %v", report, err)
					}
					*step.spent += time.Since(start)
					*step.cpu += processCPU() - startCPU
				}
			}
			b.ReportMetric(float64(createTime.Milliseconds())/float64(b.N), "create-ms")
			b.ReportMetric(float64(updateTime.Milliseconds())/float64(b.N), "update-ms")
			b.ReportMetric(float64(createCPU.Milliseconds())/float64(b.N), "create-cpu-ms")
			b.ReportMetric(float64(updateCPU.Milliseconds())/float64(b.N), "update-cpu-ms")
		})
	}
}

// roster2000 is 2,000 households in 10 buildings with the given area.
func roster2000(tb testing.TB, area string) []byte {
	rows := [][]any{{"楼栋", "单元", "房号", "面积", "业主", "电话"}}
	for i := 0; i < 2000; i++ {
		rows = append(rows, []any{fmt.Sprint(i/200 + 1), fmt.Sprint(i%200/50 + 1), fmt.Sprint(100*(i%50/2+1) + i%2 + 1), area, "业主" + fmt.Sprint(i), "1380000" + fmt.Sprintf("%04d", i)})
	}
	return xlsxFile(tb, rows)
}
