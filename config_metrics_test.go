package main

import "testing"

func TestConfigMetricsToken(t *testing.T) {
	clearEnv(t)
	t.Setenv("MINYI_DATA_DIR", t.TempDir())
	cfg, err := loadConfig()
	if err != nil || cfg.MetricsToken != "" {
		t.Fatalf("unset: token %q, err %v (want /metrics off)", cfg.MetricsToken, err)
	}
	for _, bad := range []string{"short", " padded-token-0123456789abcdef "} {
		t.Setenv("MINYI_METRICS_TOKEN", bad)
		if _, err := loadConfig(); err == nil || err.(*configError).name != "MINYI_METRICS_TOKEN" {
			t.Errorf("MINYI_METRICS_TOKEN=%q: err %v, want a configError naming it", bad, err)
		}
	}
	t.Setenv("MINYI_METRICS_TOKEN", "a-good-scrape-token-0123456789")
	if cfg, err := loadConfig(); err != nil || cfg.MetricsToken != "a-good-scrape-token-0123456789" {
		t.Fatalf("good token: %+v %v", cfg, err)
	}
}
