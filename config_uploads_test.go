package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// TestUploadConfig: the quota and janitor variables have defaults, are read,
// and a bad value stops the start naming the variable.
func TestUploadConfig(t *testing.T) {
	clearEnv(t)
	t.Setenv("MINYI_DATA_DIR", t.TempDir())
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UploadDailyFiles != 30 || cfg.UploadDailyBytes != 100<<20 || cfg.JanitorInterval != 10*time.Minute {
		t.Fatalf("defaults: %d files, %d bytes, janitor every %v", cfg.UploadDailyFiles, cfg.UploadDailyBytes, cfg.JanitorInterval)
	}
	t.Setenv("MINYI_UPLOAD_DAILY_FILES", "5")
	t.Setenv("MINYI_UPLOAD_DAILY_MB", "20")
	t.Setenv("MINYI_JANITOR_INTERVAL", "1h")
	if cfg, err = loadConfig(); err != nil || cfg.UploadDailyFiles != 5 || cfg.UploadDailyBytes != 20<<20 || cfg.JanitorInterval != time.Hour {
		t.Fatalf("read %+v, %v", cfg, err)
	}
	for name, value := range map[string]string{"MINYI_UPLOAD_DAILY_FILES": "0", "MINYI_UPLOAD_DAILY_MB": "lots", "MINYI_JANITOR_INTERVAL": "1s"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := loadConfig()
			var cfgErr *configError
			if !errors.As(err, &cfgErr) || cfgErr.name != name {
				t.Fatalf("%s=%s: %v, want a configError naming it", name, value, err)
			}
		})
	}
}

// fixedClock is a clock that stays where it is set.
type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time { return c.now }

// TestJanitorLoopPurgesAndStops: the serve loop purges at once (a stale
// unattached upload loses its row and file) and returns when cancelled.
func TestJanitorLoopPurgesAndStops(t *testing.T) {
	db := testdb.OpenSQLite(t)
	created := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	svc := service.New(db, service.Config{JWTSecret: []byte("test-secret-test-secret-test-secret!")}, fixedClock{created.Add(25 * time.Hour)})
	dir := t.TempDir()
	stale := model.Upload{ID: "0190f1a2-0000-7000-8000-000000000001", StoredName: "stale.png", ContentType: "image/png",
		SizeBytes: 1, SHA256: "x", UploaderKind: "user", UploaderID: "u1", CreatedAt: created}
	if err := db.Gorm.Create(&stale).Error; err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stale.StoredName), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runJanitor(ctx, svc, dir, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	for {
		var n int64
		if err := db.Gorm.Model(&model.Upload{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if _, err := os.Stat(filepath.Join(dir, stale.StoredName)); !os.IsNotExist(err) {
		t.Fatalf("the stale upload's file is still there: %v", err)
	}
}
