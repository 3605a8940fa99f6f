package service

import (
	"context"
	"errors"
	"sync"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/store"
)

// countingMetrics records what the service reports.
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]int
}

func (m *countingMetrics) SignOffRecorded(channel string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[channel]++
}

// TestSignOffsCountedOnlyWhenCommitted checks that a sign-off noted in a
// transaction is counted once when it commits, never when it rolls back,
// and once when the transaction is retried.
func TestSignOffsCountedOnlyWhenCommitted(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, nil)
		metrics := &countingMetrics{counts: map[string]int{}}
		svc.SetMetrics(metrics)
		ctx := context.Background()
		paperAgree := &model.SignOff{Channel: ChannelPaper, Decision: DecisionAgree}

		if err := svc.inTx(ctx, SystemActor(), func(tx *store.Tx) error { svc.noteSignOff(tx, paperAgree); return nil }); err != nil {
			t.Fatal(err)
		}
		rolledBack := errors.New("rolled back")
		if err := svc.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			svc.noteSignOff(tx, &model.SignOff{Channel: ChannelOnline, Decision: DecisionAgree})
			return rolledBack
		}); err == nil {
			t.Fatal("the failing transaction succeeded")
		}
		attempts := 0
		if err := svc.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			attempts++
			svc.noteSignOff(tx, &model.SignOff{Channel: ChannelDoor, Decision: DecisionDisagree})
			if attempts == 1 {
				return errRetry
			}
			return nil
		}); err != nil || attempts != 2 {
			t.Fatalf("retried transaction: err %v after %d attempts, want success after 2", err, attempts)
		}

		want := map[string]int{ChannelPaper: 1, ChannelDoor: 1}
		if len(metrics.counts) != len(want) || metrics.counts[ChannelPaper] != 1 || metrics.counts[ChannelDoor] != 1 {
			t.Fatalf("counted %v, want %v", metrics.counts, want)
		}
		svc.SetMetrics(nil)
		if err := svc.inTx(ctx, SystemActor(), func(tx *store.Tx) error { svc.noteSignOff(tx, paperAgree); return nil }); err != nil {
			t.Fatal(err)
		}
		if metrics.counts[ChannelPaper] != 1 {
			t.Fatal("counted after SetMetrics(nil)")
		}
	})
}
