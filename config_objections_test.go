package main

import (
	"errors"
	"testing"
)

// TestObjectionDueDaysConfig reads MINYI_OBJECTION_DUE_DAYS (7 by default)
// and refuses values outside 1..90, naming the variable.
func TestObjectionDueDaysConfig(t *testing.T) {
	clearEnv(t)
	t.Setenv("MINYI_DATA_DIR", t.TempDir())
	cfg, err := loadConfig()
	if err != nil || cfg.ObjectionDueDays != 7 {
		t.Fatalf("default: %d %v", cfg.ObjectionDueDays, err)
	}
	t.Setenv("MINYI_OBJECTION_DUE_DAYS", "14")
	if cfg, err = loadConfig(); err != nil || cfg.ObjectionDueDays != 14 {
		t.Fatalf("14: %d %v", cfg.ObjectionDueDays, err)
	}
	for _, bad := range []string{"0", "91", "seven"} {
		t.Setenv("MINYI_OBJECTION_DUE_DAYS", bad)
		_, err := loadConfig()
		var cfgErr *configError
		if !errors.As(err, &cfgErr) || cfgErr.name != "MINYI_OBJECTION_DUE_DAYS" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
