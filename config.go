package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// config is everything read from the environment, once, at start.
type config struct {
	Addr          string
	DatabaseURL   string
	DataDir       string
	JWTSecret     []byte
	AdminUsername string
	AdminPassword string
	PublicBaseURL string
	LogFormat     string
	// WeChat mini-program credentials (both or neither) and API host.
	WeChatAppID   string
	WeChatSecret  string
	WeChatAPIBase string
	// DevLogin accepts "dev:<openid>" WeChat login codes (MINYI_DEV_LOGIN=1).
	DevLogin bool
	// DataKey encrypts phone numbers at rest (MINYI_DATA_KEY, 32 bytes).
	DataKey []byte
	// PreviousDataKeys still open values sealed before a rotation (MINYI_DATA_KEY_PREVIOUS).
	PreviousDataKeys [][]byte
	// TrustedProxies may name the client in X-Forwarded-For (MINYI_TRUSTED_PROXIES).
	TrustedProxies []string
	// AdminAddr is the loopback address of the profiler (MINYI_ADMIN_ADDR; "" = off).
	AdminAddr string
	// ReceiptKey keys the household receipts (MINYI_RECEIPT_KEY; "" = derived from the JWT secret).
	ReceiptKey []byte
	// Upload quota per account and 24 hours, and the janitor's period (config_uploads.go).
	UploadDailyFiles int
	UploadDailyBytes int64
	JanitorInterval  time.Duration
	// Notifications: subscribe-message templates and reminders (config_notifications.go).
	Notifications notificationConfig
	// ObjectionDueDays: objections are due this many days after filing (config_objections.go).
	ObjectionDueDays int
	// MetricsToken is the bearer token Prometheus sends to /metrics (MINYI_METRICS_TOKEN; "" = /metrics off).
	MetricsToken string
}

// minMetricsTokenLength is the shortest MINYI_METRICS_TOKEN accepted.
const minMetricsTokenLength = 24

// configError names the variable whose value stops the start.
type configError struct{ name, reason string }

func (e *configError) Error() string { return e.name + ": " + e.reason }

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

// loadConfig reads and checks the MINYI_* variables.
func loadConfig() (*config, error) {
	cfg := &config{
		Addr:          env("MINYI_ADDR", ":8080"),
		DatabaseURL:   env("MINYI_DATABASE_URL", "sqlite:data/minyi.db"),
		DataDir:       env("MINYI_DATA_DIR", "data"),
		AdminUsername: os.Getenv("MINYI_ADMIN_USERNAME"),
		AdminPassword: os.Getenv("MINYI_ADMIN_PASSWORD"),
		PublicBaseURL: strings.TrimRight(env("MINYI_PUBLIC_BASE_URL", "http://localhost:8080"), "/"),
		LogFormat:     env("MINYI_LOG_FORMAT", "text"),
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, &configError{"MINYI_ADDR", fmt.Sprintf("%q is not host:port (e.g. :8080)", cfg.Addr)}
	}
	if os.Getenv("MINYI_PUBLIC_BASE_URL") == "" {
		// Unset (the console shows a banner): at least point at the port this process listens on.
		cfg.PublicBaseURL = "http://localhost:" + port
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") && !strings.HasPrefix(cfg.DatabaseURL, "mysql://") {
		return nil, &configError{"MINYI_DATABASE_URL", "must start with sqlite: or mysql://"}
	}
	if u, err := url.Parse(cfg.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &configError{"MINYI_PUBLIC_BASE_URL", fmt.Sprintf("%q is not an http(s) URL", cfg.PublicBaseURL)}
	}
	if cfg.LogFormat != "json" && cfg.LogFormat != "text" {
		return nil, &configError{"MINYI_LOG_FORMAT", "must be json or text"}
	}
	if (cfg.AdminUsername == "") != (cfg.AdminPassword == "") {
		return nil, &configError{"MINYI_ADMIN_PASSWORD", "set both MINYI_ADMIN_USERNAME and MINYI_ADMIN_PASSWORD, or neither"}
	}
	if cfg.AdminPassword != "" && len(cfg.AdminPassword) < 8 {
		return nil, &configError{"MINYI_ADMIN_PASSWORD", "must be at least 8 characters"}
	}
	if err := loadWeChatConfig(cfg); err != nil {
		return nil, err
	}
	cfg.MetricsToken = os.Getenv("MINYI_METRICS_TOKEN")
	if cfg.MetricsToken != "" && (len(cfg.MetricsToken) < minMetricsTokenLength || strings.TrimSpace(cfg.MetricsToken) != cfg.MetricsToken) {
		return nil, &configError{"MINYI_METRICS_TOKEN", fmt.Sprintf("must be at least %d characters without surrounding spaces (e.g. `openssl rand -hex 24`)", minMetricsTokenLength)}
	}
	if err := loadNotificationConfig(cfg); err != nil {
		return nil, err
	}
	if err := loadObjectionConfig(cfg); err != nil {
		return nil, err
	}
	secret := os.Getenv("MINYI_JWT_SECRET")
	switch {
	case secret != "" && len(secret) < 32:
		return nil, &configError{"MINYI_JWT_SECRET", "must be at least 32 characters"}
	case secret != "":
		cfg.JWTSecret = []byte(secret)
	case strings.HasPrefix(cfg.DatabaseURL, "mysql://"):
		return nil, &configError{"MINYI_JWT_SECRET", "is required with MySQL (at least 32 characters), so that every instance signs alike"}
	default:
		s, err := localSecret(filepath.Join(cfg.DataDir, "jwt-secret"))
		if err != nil {
			return nil, &configError{"MINYI_JWT_SECRET", "not set, and no secret could be kept in the data directory: " + err.Error()}
		}
		cfg.JWTSecret = s
	}
	if key := os.Getenv("MINYI_RECEIPT_KEY"); key != "" {
		if len(key) < 32 {
			return nil, &configError{"MINYI_RECEIPT_KEY", "must be at least 32 characters"}
		}
		cfg.ReceiptKey = []byte(key)
	}
	if err := loadSecurityConfig(cfg); err != nil {
		return nil, err
	}
	if err := loadAdminConfig(cfg); err != nil {
		return nil, err
	}
	if err := loadUploadConfig(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// localSecret reads the JWT secret kept beside the embedded database, or
// creates one, so tokens survive restarts of a single-host install.
func localSecret(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, err
	}
	return []byte(secret), nil
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// loadWeChatConfig reads MINYI_WECHAT_APPID, MINYI_WECHAT_SECRET,
// MINYI_WECHAT_API_BASE and MINYI_DEV_LOGIN.
func loadWeChatConfig(cfg *config) error {
	cfg.WeChatAppID = strings.TrimSpace(os.Getenv("MINYI_WECHAT_APPID"))
	cfg.WeChatSecret = strings.TrimSpace(os.Getenv("MINYI_WECHAT_SECRET"))
	cfg.WeChatAPIBase = strings.TrimRight(env("MINYI_WECHAT_API_BASE", "https://api.weixin.qq.com"), "/")
	if (cfg.WeChatAppID == "") != (cfg.WeChatSecret == "") {
		return &configError{"MINYI_WECHAT_SECRET", "set both MINYI_WECHAT_APPID and MINYI_WECHAT_SECRET, or neither"}
	}
	if u, err := url.Parse(cfg.WeChatAPIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &configError{"MINYI_WECHAT_API_BASE", fmt.Sprintf("%q is not an http(s) URL", cfg.WeChatAPIBase)}
	}
	switch os.Getenv("MINYI_DEV_LOGIN") {
	case "", "0", "false":
	case "1", "true":
		cfg.DevLogin = true
	default:
		return &configError{"MINYI_DEV_LOGIN", "must be 1 (on) or 0 (off)"}
	}
	return nil
}
