package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"minyi/service"
)

// Bounds of the upload quota variables.
const (
	maxUploadDailyFiles = 10000
	maxUploadDailyMB    = 100000
	// DefaultJanitorInterval is how often serve purges expired rows and files.
	defaultJanitorInterval = 10 * time.Minute
)

// loadUploadConfig reads MINYI_UPLOAD_DAILY_FILES and MINYI_UPLOAD_DAILY_MB
// (one account's upload quota per 24 hours; default 30 files, 100 MiB) and
// MINYI_JANITOR_INTERVAL (default 10m).
func loadUploadConfig(cfg *config) error {
	files, err := positiveEnv("MINYI_UPLOAD_DAILY_FILES", service.DefaultUploadDailyFiles, maxUploadDailyFiles)
	if err != nil {
		return err
	}
	mb, err := positiveEnv("MINYI_UPLOAD_DAILY_MB", service.DefaultUploadDailyBytes>>20, maxUploadDailyMB)
	if err != nil {
		return err
	}
	cfg.UploadDailyFiles, cfg.UploadDailyBytes = files, int64(mb)<<20
	cfg.JanitorInterval = defaultJanitorInterval
	if text := strings.TrimSpace(os.Getenv("MINYI_JANITOR_INTERVAL")); text != "" {
		d, err := time.ParseDuration(text)
		if err != nil || d < time.Minute || d > 24*time.Hour {
			return &configError{"MINYI_JANITOR_INTERVAL", "must be a duration between 1m and 24h (e.g. 10m)"}
		}
		cfg.JanitorInterval = d
	}
	return nil
}

// positiveEnv reads a whole number from 1 to limit, or the fallback when unset.
func positiveEnv(name string, fallback, limit int) (int, error) {
	text := strings.TrimSpace(os.Getenv(name))
	if text == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > limit {
		return 0, &configError{name, "must be a whole number from 1 to " + strconv.Itoa(limit)}
	}
	return n, nil
}

// runJanitor purges expired rows and stale unattached uploads now and then
// every interval, until ctx ends. Several instances may run it on one
// database: every delete is conditional, so each row goes once.
func runJanitor(ctx context.Context, svc *service.Service, uploadDir string, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		pass, cancel := context.WithTimeout(ctx, interval)
		report, err := svc.PurgeExpired(pass, uploadDir)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("janitor: purge failed", "error", err)
		case report != (service.PurgeReport{}):
			logger.Info("janitor: purged expired records", "idempotency_records", report.IdempotencyRecords,
				"login_failures", report.LoginFailures, "binding_failures", report.BindingFailures,
				"refresh_tokens", report.RefreshTokens, "uploads", report.Uploads, "sealed_bodies", report.Sealed)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
