package service

import (
	"context"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestRectificationIsRecordedOnce: two workers recording the same
// rectification at once: exactly one succeeds, the other gets
// item_already_rectified, and one audit event is written.
func TestRectificationIsRecordedOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		acc, err := e.svc.RecordAcceptance(ctx, e.worker, e.estateID, AcceptanceInput{
			Items:      []AcceptanceItemInput{{Name: "屋面防水", Result: ItemRectify, Note: "5 号楼渗水"}},
			Signatures: []SignatureInput{{Name: "张三丰", Role: "owner_representative"}}})
		if err != nil || acc.Status != AcceptanceOpen {
			t.Fatalf("record = %+v, %v", acc, err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, actor := range []Actor{e.worker, e.admin} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.RectifyAcceptanceItem(ctx, actor, acc.ID, 0, RectifyInput{Note: "已重做防水层"})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, "the second rectification", err, "item_already_rectified")
			}
		}
		if ok != 1 {
			t.Fatalf("%d rectifications succeeded, want 1: %v", ok, errs)
		}
		got, err := e.svc.GetAcceptance(ctx, e.designer, acc.ID)
		if err != nil || got.Status != AcceptanceClosed || got.ClosedAt == nil {
			t.Errorf("after: %+v, %v", got, err)
		}
		n := 0
		for _, a := range auditActions(t, e.svc, e.estateID) {
			if a == "acceptance.rectify" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d acceptance.rectify events, want 1", n)
		}
	})
}

// TestReportConfirmationIsRecordedOnce: a reporter confirming twice at once
// (two devices): one confirmation, the other report_not_fixed.
func TestReportConfirmationIsRecordedOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		ctx := context.Background()
		e := newLifecycleEstate(t, db)
		resident := e.bindResident(t, "o-report-race", 0)
		r, err := e.svc.FileReport(ctx, resident, e.estateID, ReportInput{Text: "井盖松动", Location: "2 号楼"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateReport(ctx, e.worker, r.ID, ReportUpdate{Status: ReportAssigned}); err != nil {
			t.Fatal(err)
		}
		photo := uploadLetter(t, e.svc, e.worker, e.estateID)
		if _, err := e.svc.UpdateReport(ctx, e.worker, r.ID, ReportUpdate{Status: ReportFixed, Photos: []string{photo}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.ConfirmReport(ctx, resident, r.ID, i == 0, "确认")
			}()
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				wantCode(t, "the second confirmation", err, "report_not_fixed")
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%d confirmations failed, want 1: %v", failed, errs)
		}
	})
}
