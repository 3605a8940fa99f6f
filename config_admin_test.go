package main

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestAdminAddrLoopbackOnly checks that the profiler's address is off by
// default, accepted on loopback, and refused elsewhere with an error naming
// MINYI_ADMIN_ADDR.
func TestAdminAddrLoopbackOnly(t *testing.T) {
	cases := []struct {
		value string
		ok    bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{"127.0.0.2:6060", true},
		{":6060", false},
		{"0.0.0.0:6060", false},
		{"[::]:6060", false},
		{"10.0.0.5:6060", false},
		{"example.com:6060", false},
		{"127.0.0.1", false},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("MINYI_DATA_DIR", t.TempDir())
			t.Setenv("MINYI_ADMIN_ADDR", tc.value)
			cfg, err := loadConfig()
			if tc.ok {
				if err != nil {
					t.Fatalf("loadConfig() = %v, want the address accepted", err)
				}
				if cfg.AdminAddr != tc.value {
					t.Fatalf("AdminAddr = %q, want %q", cfg.AdminAddr, tc.value)
				}
				return
			}
			var cfgErr *configError
			if !errors.As(err, &cfgErr) || cfgErr.name != "MINYI_ADMIN_ADDR" || !strings.Contains(err.Error(), "MINYI_ADMIN_ADDR") {
				t.Fatalf("loadConfig() = %v, want an error naming MINYI_ADMIN_ADDR", err)
			}
		})
	}
}

// TestAdminServerServesProfiler starts the admin listener on a free
// loopback port and fetches the profiler's index from it.
func TestAdminServerServesProfiler(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if server, err := startAdminServer("", logger); server != nil || err != nil {
		t.Fatalf("no address: server %v, err %v; want neither", server, err)
	}
	server, err := startAdminServer("127.0.0.1:0", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	resp, err := http.Get("http://" + server.Addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("GET /debug/pprof/ on the admin listener: %d %.200s", resp.StatusCode, body)
	}
}
