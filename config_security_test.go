package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minyi/service"
)

// TestDataKeyConfig checks MINYI_DATA_KEY: a bad key or a MySQL database
// without one stops the start naming the variable; a good one is used; the
// embedded default creates a key once and keeps it.
func TestDataKeyConfig(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	bad := []struct {
		name     string
		env      map[string]string
		variable string
	}{
		{"not a key", map[string]string{"MINYI_DATA_KEY": "swordfish"}, "MINYI_DATA_KEY"},
		{"16 bytes", map[string]string{"MINYI_DATA_KEY": base64.StdEncoding.EncodeToString(key[:16])}, "MINYI_DATA_KEY"},
		{"MySQL without a key", map[string]string{"MINYI_DATABASE_URL": "mysql://u:p@127.0.0.1:3306/minyi",
			"MINYI_JWT_SECRET": "0123456789abcdef0123456789abcdef"}, "MINYI_DATA_KEY"},
		{"bad previous key", map[string]string{"MINYI_DATA_KEY_PREVIOUS": "short"}, "MINYI_DATA_KEY_PREVIOUS"},
		{"bad proxy", map[string]string{"MINYI_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, "MINYI_TRUSTED_PROXIES"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("MINYI_DATA_DIR", t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := loadConfig()
			var cfgErr *configError
			if !errors.As(err, &cfgErr) || cfgErr.name != tc.variable {
				t.Fatalf("loadConfig() = %v, want an error naming %s", err, tc.variable)
			}
		})
	}
	t.Run("given", func(t *testing.T) {
		clearEnv(t)
		t.Setenv("MINYI_DATA_DIR", t.TempDir())
		t.Setenv("MINYI_DATA_KEY", base64.StdEncoding.EncodeToString(key))
		t.Setenv("MINYI_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
		cfg, err := loadConfig()
		if err != nil || !bytes.Equal(cfg.DataKey, key) || len(cfg.TrustedProxies) != 2 {
			t.Fatalf("cfg %+v, %v", cfg, err)
		}
	})
	t.Run("kept beside the embedded database", func(t *testing.T) {
		clearEnv(t)
		dir := t.TempDir()
		t.Setenv("MINYI_DATA_DIR", dir)
		first, err := loadConfig()
		if err != nil || len(first.DataKey) != 32 {
			t.Fatalf("first start: %v", err)
		}
		info, err := os.Stat(filepath.Join(dir, "data-key"))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v %v", err, info)
		}
		second, err := loadConfig()
		if err != nil || !bytes.Equal(first.DataKey, second.DataKey) {
			t.Fatal("the data key changed between starts")
		}
	})
}

// TestRotateDataKeyCommand runs `minyi rotate-data-key` as an operator
// would: numbers written under the old key, the command run with the new key
// and the old one as MINYI_DATA_KEY_PREVIOUS, then the service started with
// the new key alone reads every number.
func TestRotateDataKeyCommand(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	oldKey, newKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	t.Setenv("MINYI_DATA_DIR", dir)
	t.Setenv("MINYI_DATABASE_URL", "sqlite:"+filepath.Join(dir, "minyi.db"))
	t.Setenv("MINYI_DATA_KEY", oldKey)
	_, db, svc, err := openAll()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	name, building, room, phone, area := "轮换", "1", "101", "13800001111", int64(8000)
	estate, err := svc.CreateEstate(ctx, service.SystemActor(), service.EstateFields{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	created, err := svc.CreateHouseholds(ctx, service.SystemActor(), estate.ID, []service.HouseholdFields{
		{Building: &building, Room: &room, AreaHundredths: &area, Phone: &phone}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	t.Setenv("MINYI_DATA_KEY", newKey)
	t.Setenv("MINYI_DATA_KEY_PREVIOUS", oldKey)
	if err := rotateDataKey(); err != nil {
		t.Fatal(err)
	}

	t.Setenv("MINYI_DATA_KEY_PREVIOUS", "")
	_, db, svc, err = openAll()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := svc.GetHousehold(ctx, service.SystemActor(), created[0].ID)
	if err != nil || h.Phone != phone {
		t.Fatalf("after the rotation, with the new key alone: %v, %v", h, err)
	}
}

// TestPlaceholderSecretsStopTheStart: the deploy examples' placeholders
// ("change-me…") and a weak first-admin password were accepted at start.
// Each now stops the start naming its variable. Fails on the old code.
func TestPlaceholderSecretsStopTheStart(t *testing.T) {
	goodKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	bad := []struct {
		name     string
		env      map[string]string
		variable string
	}{
		{"JWT secret of the example", map[string]string{"MINYI_JWT_SECRET": "change-me-to-a-long-random-string"}, "MINYI_JWT_SECRET"},
		{"data key of the example", map[string]string{"MINYI_DATA_KEY": "change-me"}, "MINYI_DATA_KEY"},
		{"receipt key placeholder", map[string]string{"MINYI_RECEIPT_KEY": "CHANGEME-CHANGEME-CHANGEME-CHANGEME"}, "MINYI_RECEIPT_KEY"},
		{"WeChat secret of the example", map[string]string{"MINYI_WECHAT_APPID": "wx123", "MINYI_WECHAT_SECRET": "change-me"}, "MINYI_WECHAT_SECRET"},
		{"database password of the example", map[string]string{"MINYI_DATABASE_URL": "mysql://minyi:change-me@mysql:3306/minyi",
			"MINYI_JWT_SECRET": "0123456789abcdef0123456789abcdef", "MINYI_DATA_KEY": goodKey}, "MINYI_DATABASE_URL"},
		{"admin password of the example", map[string]string{"MINYI_ADMIN_USERNAME": "admin", "MINYI_ADMIN_PASSWORD": "change-me"}, "MINYI_ADMIN_PASSWORD"},
		{"short admin password", map[string]string{"MINYI_ADMIN_USERNAME": "admin", "MINYI_ADMIN_PASSWORD": "Tr0ub4dor&3"}, "MINYI_ADMIN_PASSWORD"},
		{"common admin password", map[string]string{"MINYI_ADMIN_USERNAME": "admin", "MINYI_ADMIN_PASSWORD": "Password123"}, "MINYI_ADMIN_PASSWORD"},
		{"one repeated character", map[string]string{"MINYI_ADMIN_USERNAME": "admin", "MINYI_ADMIN_PASSWORD": "aaaaaaaaaaaaaaaa"}, "MINYI_ADMIN_PASSWORD"},
		{"admin password over 72 bytes", map[string]string{"MINYI_ADMIN_USERNAME": "admin", "MINYI_ADMIN_PASSWORD": strings.Repeat("居民征询意见", 5)}, "MINYI_ADMIN_PASSWORD"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("MINYI_DATA_DIR", t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := loadConfig()
			var cfgErr *configError
			if !errors.As(err, &cfgErr) || cfgErr.name != tc.variable {
				t.Fatalf("loadConfig() = %v, want an error naming %s", err, tc.variable)
			}
		})
	}
	t.Run("real secrets start", func(t *testing.T) {
		clearEnv(t)
		t.Setenv("MINYI_DATA_DIR", t.TempDir())
		t.Setenv("MINYI_JWT_SECRET", "k3J9x0QmZ7vP2sL8wR4tY6uN1bH5cF0a")
		t.Setenv("MINYI_DATA_KEY", goodKey)
		t.Setenv("MINYI_ADMIN_USERNAME", "admin")
		t.Setenv("MINYI_ADMIN_PASSWORD", "correct-horse-battery")
		if _, err := loadConfig(); err != nil {
			t.Fatal(err)
		}
	})
}
