package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigRejectsBadValues checks that a bad value stops the start with an
// error naming the variable.
func TestConfigRejectsBadValues(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		variable string
	}{
		{"address without port", map[string]string{"MINYI_ADDR": "localhost"}, "MINYI_ADDR"},
		{"unknown database", map[string]string{"MINYI_DATABASE_URL": "postgres://x"}, "MINYI_DATABASE_URL"},
		{"public base URL not http", map[string]string{"MINYI_PUBLIC_BASE_URL": "ftp://example.cn"}, "MINYI_PUBLIC_BASE_URL"},
		{"log format", map[string]string{"MINYI_LOG_FORMAT": "xml"}, "MINYI_LOG_FORMAT"},
		{"admin username without password", map[string]string{"MINYI_ADMIN_USERNAME": "root"}, "MINYI_ADMIN_PASSWORD"},
		{"short admin password", map[string]string{"MINYI_ADMIN_USERNAME": "root", "MINYI_ADMIN_PASSWORD": "short"}, "MINYI_ADMIN_PASSWORD"},
		{"short JWT secret", map[string]string{"MINYI_JWT_SECRET": "too-short"}, "MINYI_JWT_SECRET"},
		{"MySQL without JWT secret", map[string]string{"MINYI_DATABASE_URL": "mysql://u:p@127.0.0.1:3306/minyi"}, "MINYI_JWT_SECRET"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("MINYI_DATA_DIR", t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := loadConfig()
			var cfgErr *configError
			if !errors.As(err, &cfgErr) {
				t.Fatalf("loadConfig() = %v, want a configError", err)
			}
			if cfgErr.name != tc.variable || !strings.Contains(err.Error(), tc.variable) {
				t.Fatalf("error %q names %s, want %s", err, cfgErr.name, tc.variable)
			}
		})
	}
}

// TestConfigDefaultsKeepTheSecret checks the embedded default: no variables
// needed, and the generated JWT secret is kept across starts.
func TestConfigDefaultsKeepTheSecret(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	t.Setenv("MINYI_DATA_DIR", dir)
	first, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if first.Addr != ":8080" || first.DatabaseURL != "sqlite:data/minyi.db" || len(first.JWTSecret) < 32 {
		t.Fatalf("defaults: addr %q, database %q, secret %d bytes", first.Addr, first.DatabaseURL, len(first.JWTSecret))
	}
	info, err := os.Stat(filepath.Join(dir, "jwt-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v", err, info)
	}
	second, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if string(first.JWTSecret) != string(second.JWTSecret) {
		t.Fatal("the JWT secret changed between starts")
	}
}

func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MINYI_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}
