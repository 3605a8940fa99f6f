package api

import (
	"net/http"
	"net/http/pprof"
)

// AdminHandler serves Go's profiler (net/http/pprof) under /debug/pprof/,
// for the separate loopback-only admin listener (MINYI_ADMIN_ADDR). It is
// never part of the public router.
func AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
