package service

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// TestIdempotencyRecordsKeepNothingReadable: the stored response body and
// request hash reveal neither the phone number nor the binding code in
// them, and a replay still answers the first response byte for byte.
// Before: both were stored in clear.
func TestIdempotencyRecordsKeepNothingReadable(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		svc := newService(db)
		ctx := context.Background()
		body := []byte(`{"code":"K7M2Q9XH","phone":"13912345678"}`)
		const hash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
		if replay, err := svc.LookupIdempotencyKey(ctx, NewIdempotencyClaim("user:u1", "k1", hash)); err != nil || replay != nil {
			t.Fatalf("reserve: %v, %v", replay, err)
		}
		if err := svc.CompleteIdempotencyKey(ctx, NewIdempotencyClaim("user:u1", "k1", hash), Replay{Status: 201, ContentType: "application/json", Body: body}); err != nil {
			t.Fatal(err)
		}
		var rec model.IdempotencyRecord
		if err := db.Gorm.Where("caller = ? AND `key` = ?", "user:u1", "k1").Take(&rec).Error; err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(rec.Body, []byte("13912345678")) || bytes.Contains(rec.Body, []byte("K7M2Q9XH")) || rec.RequestHash == hash {
			t.Fatalf("stored in clear: body %q, hash %q", rec.Body, rec.RequestHash)
		}
		replay, err := svc.LookupIdempotencyKey(ctx, NewIdempotencyClaim("user:u1", "k1", hash))
		if err != nil || replay == nil || !bytes.Equal(replay.Body, body) || replay.Status != 201 {
			t.Fatalf("replay %+v, %v", replay, err)
		}
		if _, err := svc.LookupIdempotencyKey(ctx, NewIdempotencyClaim("user:u1", "k1", "another")); AsError(err).Code != "idempotency_key_reused" {
			t.Fatalf("another request under the key: %v", err)
		}
	})
}

// TestPurgeExpired: one pass deletes exactly what outlived its time (and
// the files of stale unattached uploads), keeps the rest, seals a body left
// in clear; two instances running it at once delete each row once.
// Before: nothing was ever deleted.
func TestPurgeExpired(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
		clock := &pinnedClock{now: start}
		svc := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
		other := New(db, Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, clock)
		ctx := context.Background()
		dir := t.TempDir()
		old, fresh := start, start.Add(23*time.Hour)
		mustCreate := func(rows ...any) {
			t.Helper()
			for _, r := range rows {
				if err := db.Gorm.Create(r).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		upload := func(owner string, at time.Time) model.Upload {
			u := model.Upload{ID: newID(), StoredName: newID() + ".png", ContentType: TypePNG, SizeBytes: 1, SHA256: "x",
				UploaderKind: ActorUser, UploaderID: "u1", OwnerKind: owner, CreatedAt: at}
			if owner != "" {
				u.OwnerID = newID()
			}
			if err := os.WriteFile(filepath.Join(dir, u.StoredName), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			mustCreate(&u)
			return u
		}
		var stale []model.Upload
		for i := 0; i < 6; i++ {
			stale = append(stale, upload("", old))
		}
		kept := []model.Upload{upload("", fresh), upload(uploadOwnerObjection, old)}
		mustCreate(
			&model.IdempotencyRecord{Caller: "user:u1", Key: "old", RequestHash: "h", Status: 201, Body: []byte("x"), CreatedAt: old},
			&model.IdempotencyRecord{Caller: "user:u1", Key: "clear", RequestHash: "h", Status: 201, Body: []byte(`{"phone":"13912345678"}`), CreatedAt: fresh},
			&model.LoginFailure{ID: newID(), PairHash: "p", FailedAt: old},
			&model.LoginFailure{ID: newID(), PairHash: "p", FailedAt: start.Add(25*time.Hour - time.Minute)},
			&model.BindingFailure{ID: newID(), ResidentID: "r1", AttemptedAt: old},
			&model.BindingFailure{ID: newID(), ResidentID: "r1", AttemptedAt: start.Add(25*time.Hour - time.Minute)},
			&model.RefreshToken{ID: newID(), TokenHash: "t1", FamilyID: "f", SubjectKind: "user", SubjectID: "u1", ExpiresAt: start.Add(time.Hour), CreatedAt: old},
			&model.RefreshToken{ID: newID(), TokenHash: "t2", FamilyID: "f", SubjectKind: "user", SubjectID: "u1", ExpiresAt: start.Add(30 * 24 * time.Hour), CreatedAt: old},
		)
		clock.set(start.Add(25 * time.Hour))

		reports := make([]PurgeReport, 2)
		var wg sync.WaitGroup
		for i, s := range []*Service{svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.PurgeExpired(ctx, dir)
				if err != nil {
					t.Error(err)
				}
				reports[i] = r
			}()
		}
		wg.Wait()
		sum := PurgeReport{}
		for _, r := range reports {
			sum.IdempotencyRecords += r.IdempotencyRecords
			sum.LoginFailures += r.LoginFailures
			sum.BindingFailures += r.BindingFailures
			sum.RefreshTokens += r.RefreshTokens
			sum.Uploads += r.Uploads
			sum.Sealed += r.Sealed
		}
		want := PurgeReport{IdempotencyRecords: 1, LoginFailures: 1, BindingFailures: 1, RefreshTokens: 1, Uploads: 6, Sealed: 1}
		if sum != want {
			t.Fatalf("two passes deleted %+v, want %+v in all", sum, want)
		}
		for _, u := range stale {
			if _, err := os.Stat(filepath.Join(dir, u.StoredName)); !os.IsNotExist(err) {
				t.Fatalf("the file of stale upload %s is still there (%v)", u.ID, err)
			}
		}
		for _, u := range kept {
			if _, err := os.Stat(filepath.Join(dir, u.StoredName)); err != nil {
				t.Fatalf("the file of upload %s (owner %q) was removed: %v", u.ID, u.OwnerKind, err)
			}
		}
		counts := map[any]int64{&model.Upload{}: 2, &model.IdempotencyRecord{}: 1, &model.LoginFailure{}: 1,
			&model.BindingFailure{}: 1, &model.RefreshToken{}: 1}
		for m, n := range counts {
			var got int64
			if err := db.Gorm.Model(m).Count(&got).Error; err != nil || got != n {
				t.Fatalf("%T: %d rows left (%v), want %d", m, got, err, n)
			}
		}
		var rec model.IdempotencyRecord
		db.Gorm.Where("`key` = ?", "clear").Take(&rec)
		if bytes.Contains(rec.Body, []byte("13912345678")) {
			t.Fatalf("the body left in clear was not sealed: %q", rec.Body)
		}
		if replay, err := svc.LookupIdempotencyKey(ctx, NewIdempotencyClaim("user:u1", "clear", "h")); err == nil && replay != nil {
			t.Fatalf("a record reserved under a clear request hash replayed: %+v", replay)
		}
		again, err := svc.PurgeExpired(ctx, dir)
		if err != nil || again != (PurgeReport{}) {
			t.Fatalf("a second pass found %+v (%v)", again, err)
		}
	})
}
