package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"minyi/api"
)

// loadAdminConfig reads MINYI_ADMIN_ADDR: the address of the admin listener
// (the Go profiler), off when unset. Only a loopback address is accepted,
// so the profiler is never reachable from the network.
func loadAdminConfig(cfg *config) error {
	addr := strings.TrimSpace(os.Getenv("MINYI_ADMIN_ADDR"))
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return &configError{"MINYI_ADMIN_ADDR", fmt.Sprintf("%q is not host:port (e.g. 127.0.0.1:6060)", addr)}
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return &configError{"MINYI_ADMIN_ADDR", fmt.Sprintf("%q is not a loopback address: the profiler listens on 127.0.0.1, ::1 or localhost only", addr)}
	}
	cfg.AdminAddr = addr
	return nil
}

// startAdminServer serves the profiler on the admin address, when one is
// set; the returned server (nil otherwise) has the bound address in Addr. A
// failure to listen stops the start.
func startAdminServer(addr string, logger *slog.Logger) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("MINYI_ADMIN_ADDR: %w", err)
	}
	// Addr is informative here (Serve uses the listener): the bound address.
	server := &http.Server{Addr: listener.Addr().String(), Handler: api.AdminHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin listener stopped", "error", err.Error())
		}
	}()
	logger.Info("admin listener (pprof) on loopback", "addr", server.Addr, "path", "/debug/pprof/")
	return server, nil
}
