package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"minyi/model/testdb"
	"minyi/service"
)

// The notice board must stay fast when a whole estate scans the poster at
// once. These benchmarks serve it over real HTTP (loopback TCP, keep-alive)
// from the real router on SQLite, for a 2,000-household estate (20 buildings)
// with an open round in which two thirds have signed, next to /healthz on the
// same server at the same concurrency. Run:
//
//	go test -run '^$' -bench 'NoticeBoard' -benchtime 5s ./api/
//
// and compare the req/s of each notice run with the healthz run after it;
// cpu-µs/req (client and server together) gives the same comparison in a
// form that other load on the machine disturbs less.

// benchClients is how many requests are in flight at once: b.SetParallelism
// multiplies it by GOMAXPROCS.
const benchClientsPerCPU = 16

// BenchmarkNoticeBoard measures the notice board (page, JSON, revalidation
// with If-None-Match) and /healthz on one server.
func BenchmarkNoticeBoard(b *testing.B) {
	svc, handler := newBenchServer(b)
	buildings := make([]int, 20)
	for i := range buildings {
		buildings[i] = 100
	}
	seedNoticeEstate(b, svc, "bench-estate", "基准测试小区", buildings, agreeMostly)
	server := httptest.NewServer(handler)
	defer server.Close()
	etag := fetchOnce(b, server.URL+"/notice/bench-estate", "").Header.Get("ETag")

	b.Logf("page %d bytes, JSON %d bytes", len(fetchBody(b, server.URL+"/notice/bench-estate")),
		len(fetchBody(b, server.URL+"/api/v1/public/estates/bench-estate")))
	// The page and /healthz take turns, so that other work on a shared
	// machine weighs on both alike; compare each pair.
	for range benchPairs {
		b.Run("notice", func(b *testing.B) { benchGet(b, server.URL+"/notice/bench-estate", "", http.StatusOK) })
		b.Run("healthz", func(b *testing.B) { benchGet(b, server.URL+"/healthz", "", http.StatusOK) })
	}
	b.Run("notice-json", func(b *testing.B) { benchGet(b, server.URL+"/api/v1/public/estates/bench-estate", "", http.StatusOK) })
	b.Run("notice-304", func(b *testing.B) { benchGet(b, server.URL+"/notice/bench-estate", etag, http.StatusNotModified) })
}

// benchPairs is how many times the page and /healthz take turns.
const benchPairs = 3

// BenchmarkHealthz measures /healthz alone, the floor of any request's cost.
func BenchmarkHealthz(b *testing.B) {
	_, handler := newBenchServer(b)
	server := httptest.NewServer(handler)
	defer server.Close()
	benchGet(b, server.URL+"/healthz", "", http.StatusOK)
}

// newBenchServer is the real router over a fresh SQLite database, without
// the test harness's per-response spec validation.
func newBenchServer(b *testing.B) (*service.Service, http.Handler) {
	svc := service.New(testdb.OpenSQLite(b), service.Config{JWTSecret: []byte("bench-secret-bench-secret-bench-secret")}, nil)
	handler, _ := New(svc, Config{OpenAPI: specBytes, PublicBaseURL: "https://minyi.example.cn", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return svc, handler
}

func fetchBody(b *testing.B, url string) []byte {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func fetchOnce(b *testing.B, url, ifNoneMatch string) *http.Response {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// benchGet sends GET url from many clients in parallel and reports req/s.
func benchGet(b *testing.B, url, ifNoneMatch string, wantStatus int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024}}
	defer client.CloseIdleConnections()
	b.SetParallelism(benchClientsPerCPU)
	cpuBefore := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			// As a phone's browser does; set by hand, the body is read as
			// sent (the client's inflating is not the server's cost).
			req.Header.Set("Accept-Encoding", "gzip")
			if ifNoneMatch != "" {
				req.Header.Set("If-None-Match", ifNoneMatch)
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != wantStatus {
				b.Errorf("GET %s: status %d, want %d", url, resp.StatusCode, wantStatus)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(processCPU()-cpuBefore)/float64(time.Microsecond)/float64(b.N), "cpu-µs/req")
}

// processCPU is the CPU time (user and system) this process has used. Client
// and server share the process, so CPU per request compares two routes
// fairly even when other work on the machine disturbs the req/s figures.
func processCPU() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
