package service

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"minyi/model"
	"minyi/model/testdb"
)

// reportCPU adds the process's CPU time per operation (user and system,
// all goroutines; the MySQL server's own CPU is not included) to a
// benchmark, a figure less disturbed than wall time on a busy machine.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		b.ReportMetric((processCPU()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
}

func processCPU() time.Duration {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// benchDatabases runs a benchmark on SQLite and, when MINYI_TEST_MYSQL_URL
// is set, on MySQL.
func benchDatabases(b *testing.B, fn func(b *testing.B, db *model.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, testdb.OpenSQLite(b)) })
	b.Run("mysql", func(b *testing.B) { fn(b, testdb.OpenMySQL(b)) })
}

// rosterWorkbook is an .xlsx roster of n households, 20 buildings of 4
// units; extra is added to every area (to make a changed copy).
func rosterWorkbook(b *testing.B, n int, extra int) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	w, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	w.SetRow("A1", []any{"楼栋", "单元", "房号", "面积", "业主", "电话", "状态", "参与表决"})
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		area := float64(5000+i%7000+extra) / 100
		row := []any{fmt.Sprint(i%20 + 1), fmt.Sprint(i/20%4 + 1), fmt.Sprint(1000 + i/80), area,
			fmt.Sprintf("业主%05d", i), fmt.Sprintf("139%08d", i), "自住", "是"}
		if err := w.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImport10000 imports a roster of MaxImportRows (10,000) rows, the
// most one file may hold: into an empty estate (10,000 inserts), and the
// same roster with every area changed (10,000 updates). The target is
// under 5 s per import.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench Import10000 -benchtime 3x ./service/
func BenchmarkImport10000(b *testing.B) {
	const rows = MaxImportRows
	created := rosterWorkbook(b, rows, 0)
	changed := rosterWorkbook(b, rows, 1)
	benchDatabases(b, func(b *testing.B, db *model.DB) {
		svc := newService(db)
		ctx := context.Background()
		b.Run("create", func(b *testing.B) {
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				estateID := newEmptyEstate(b, svc)
				b.StartTimer()
				report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: created}, ImportOptions{})
				if err != nil || report.Created != rows {
					b.Fatalf("import: %+v, %v", report, err)
				}
			}
		})
		b.Run("update", func(b *testing.B) {
			b.StopTimer()
			estateID := newEmptyEstate(b, svc)
			if _, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: created}, ImportOptions{}); err != nil {
				b.Fatal(err)
			}
			files := [][]byte{changed, created}
			defer reportCPU(b)()
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				report, err := svc.ImportHouseholds(ctx, SystemActor(), estateID, RosterFile{Name: "r.xlsx", Data: files[i%2]}, ImportOptions{})
				if err != nil || report.Updated != rows {
					b.Fatalf("import: %+v, %v", report, err)
				}
			}
		})
	})
}

// BenchmarkSync1000 applies a batch of 1,000 offline sign-offs (each
// household of a 1,000-household round changes its decision) by an
// assigned worker, with different numbers of records per transaction. The
// target is under 1 s per batch on MySQL.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench Sync1000 -benchtime 5x ./service/
func BenchmarkSync1000(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db *model.DB) {
		var layout []unitLayout
		for building := 1; building <= 10; building++ {
			for unit := 1; unit <= 4; unit++ {
				layout = append(layout, unitLayout{fmt.Sprint(building), fmt.Sprint(unit), 25})
			}
		}
		w := newWorkersRound(b, db, layout)
		var addresses []string
		for address := range w.ids {
			addresses = append(addresses, address)
		}
		batch := 0
		for _, chunk := range []int{1, 25, 100, 1000} {
			b.Run(fmt.Sprintf("chunk=%d", chunk), func(b *testing.B) {
				defer func(size int) { syncChunkSize = size }(syncChunkSize)
				syncChunkSize = chunk
				defer reportCPU(b)()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					batch++
					records := make([]SyncRecordInput, len(addresses))
					for j, address := range addresses {
						records[j] = SyncRecordInput{ClientID: uuid.NewString(), Type: SyncSignOff, HouseholdID: w.ids[address],
							RecordedAt: w.opened.Add(time.Duration(batch)*time.Minute + time.Duration(j)*time.Millisecond),
							SignOff:    SignOffInput{Decision: decisions[(batch+j)%3], Channel: ChannelPaper, SignerName: "户主"}}
					}
					b.StartTimer()
					report := w.sync(b, records...)
					if report.Applied != len(records) {
						b.Fatalf("applied %d of %d: %+v", report.Applied, len(records), report.Results[0])
					}
				}
			})
		}
	})
}

// BenchmarkProgressAndRegister reads the progress and writes the register
// (xlsx) of a 2,000-household round in which half the households signed
// and a quarter were visited.
//
//	MINYI_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test -run XXX -bench ProgressAndRegister ./service/
func BenchmarkProgressAndRegister(b *testing.B) {
	benchDatabases(b, func(b *testing.B, db *model.DB) {
		var layout []unitLayout
		for building := 1; building <= 20; building++ {
			for unit := 1; unit <= 4; unit++ {
				layout = append(layout, unitLayout{fmt.Sprint(building), fmt.Sprint(unit), 25})
			}
		}
		w := newWorkersRound(b, db, layout)
		var records []SyncRecordInput
		i := 0
		for address := range w.ids {
			switch {
			case i%2 == 0:
				records = append(records, w.signOffRecord(address, decisions[i%3], 1+i%600))
			case i%4 == 1:
				records = append(records, w.visitRecord(address, VisitNotHome, 1+i%600))
			}
			i++
		}
		for start := 0; start < len(records); start += MaxSyncRecords {
			w.sync(b, records[start:min(start+MaxSyncRecords, len(records))]...)
		}
		ctx := context.Background()
		b.Run("progress", func(b *testing.B) {
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				if _, err := w.svc.GetProgress(ctx, w.worker, w.roundID); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("register", func(b *testing.B) {
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				if _, err := w.svc.ExportRegister(ctx, w.worker, w.roundID, FormatXLSX, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
