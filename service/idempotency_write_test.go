package service

import (
	"context"
	"errors"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/store"
)

// TestIdempotencyKeyCommitsWithItsWrite: a request's Idempotency-Key is
// recorded by the write's own transaction: not at all when the write
// fails, once when it commits (the request's later writes do not record it
// again). Before: the key was reserved in a transaction of its own before
// the write ran, so a write that never committed left the key taken.
func TestIdempotencyKeyCommitsWithItsWrite(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		ctx := context.Background()
		actor := SystemActor()
		actor.Idempotency = NewIdempotencyClaim("user:u1", "k-atomic", "h")
		records := func() int64 {
			var n int64
			if err := db.Gorm.Model(&model.IdempotencyRecord{}).Where("`key` = ?", "k-atomic").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		refused := errors.New("refused by a rule")
		if err := svc.inTx(ctx, actor, func(tx *store.Tx) error { return refused }); err == nil {
			t.Fatal("the failing write succeeded")
		}
		if n := records(); n != 0 {
			t.Fatalf("a write that rolled back left %d idempotency records", n)
		}
		for i := 0; i < 2; i++ {
			if err := svc.inTx(ctx, actor, func(tx *store.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if n := records(); n != 1 {
			t.Fatalf("after two committed writes of one request: %d records, want 1", n)
		}
		if _, err := svc.LookupIdempotencyKey(ctx, actor.Idempotency); AsError(err).Code != "idempotency_in_progress" {
			t.Fatalf("a repeat while the first request's response is on its way: %v", err)
		}
	})
}
