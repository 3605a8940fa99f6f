package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// noticeForms is one read of a public resource in both content codings.
type noticeForms struct {
	plain, zipped *testResponse
	inflated      []byte
}

// readBothForms reads path without and with gzip and checks what holds for
// every version: the gzip body inflates to exactly the plain body, both
// carry Vary, their own ETag and their true Content-Length, and a client
// without gzip gets the plain body.
func readBothForms(t *testing.T, srv *testServer, path, contentType string) noticeForms {
	t.Helper()
	plain := rawGet(t, srv, http.StatusOK, path)
	zipped := rawGet(t, srv, http.StatusOK, path, "Accept-Encoding", "gzip, deflate, br")
	for name, resp := range map[string]*testResponse{"plain": plain, "gzip": zipped} {
		if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Fatalf("%s %s: Vary %q", path, name, got)
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(resp.Body)) {
			t.Fatalf("%s %s: Content-Length %q for %d bytes", path, name, got, len(resp.Body))
		}
		if got := resp.Header.Get("Content-Type"); got != contentType {
			t.Fatalf("%s %s: Content-Type %q", path, name, got)
		}
	}
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("%s: a client without gzip got Content-Encoding %q", path, plain.Header.Get("Content-Encoding"))
	}
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: a client with gzip got Content-Encoding %q", path, zipped.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	inflated, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(inflated, plain.Body) {
		t.Fatalf("%s: the gzip body does not inflate to exactly the plain body (%v)", path, err)
	}
	if len(zipped.Body) >= len(plain.Body) {
		t.Fatalf("%s: gzip %d bytes, plain %d", path, len(zipped.Body), len(plain.Body))
	}
	plainTag, zippedTag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if plainTag == "" || plainTag == zippedTag {
		t.Fatalf("%s: ETags plain %q, gzip %q", path, plainTag, zippedTag)
	}
	for _, encoding := range []string{"", "gzip"} {
		for _, tag := range []string{plainTag, zippedTag} {
			resp := rawGet(t, srv, http.StatusNotModified, path, "Accept-Encoding", encoding, "If-None-Match", tag)
			want := plainTag
			if encoding == "gzip" {
				want = zippedTag
			}
			if len(resp.Body) != 0 || resp.Header.Get("ETag") != want || resp.Header.Get("Vary") != "Accept-Encoding" ||
				resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Length") != "" {
				t.Fatalf("%s: 304 (Accept-Encoding %q, If-None-Match %s): body %q, headers %v", path, encoding, tag, resp.Body, resp.Header)
			}
		}
	}
	return noticeForms{plain: plain, zipped: zipped, inflated: inflated}
}

// rawGet is GET path through the router with the headers (name, value
// pairs), without the harness's check against the spec (which reads only
// plain JSON).
func rawGet(t *testing.T, srv *testServer, want int, path string, headers ...string) *testResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.handler.ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("GET %s %v: status %d, want %d: %s", path, headers, rec.Code, want, rec.Body.Bytes())
	}
	return &testResponse{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// TestNoticeBoardServedForms reads the page and the JSON in both codings
// before and after a snapshot changes the board: both forms change, and the
// new gzip body inflates to the new plain body.
func TestNoticeBoardServedForms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv, clock := newNoticeServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "forms-estate", "编码小区", []int{6, 6}, func(i int) string {
			if i < 4 {
				return service.DecisionAgree
			}
			return ""
		})
		paths := map[string]string{"/notice/forms-estate": htmlContentType, "/api/v1/public/estates/forms-estate": jsonContentType}
		before := map[string]noticeForms{}
		for path, contentType := range paths {
			before[path] = readBothForms(t, srv, path, contentType)
		}

		seed.sign(t, srv.svc, 5, service.DecisionAgree)
		clock.publishAfter() // the fifth changed household, past the interval: a snapshot
		for path, contentType := range paths {
			awaitNewETag(t, srv, path, before[path].plain.Header.Get("ETag"))
			after := readBothForms(t, srv, path, contentType)
			if bytes.Equal(after.plain.Body, before[path].plain.Body) || bytes.Equal(after.zipped.Body, before[path].zipped.Body) {
				t.Fatalf("%s: a form did not change with the snapshot", path)
			}
			if after.zipped.Header.Get("ETag") == before[path].zipped.Header.Get("ETag") {
				t.Fatalf("%s: the gzip form kept its ETag across the snapshot", path)
			}
			rawGet(t, srv, http.StatusOK, path, "Accept-Encoding", "gzip", "If-None-Match", before[path].zipped.Header.Get("ETag"))
		}
		if page := readBothForms(t, srv, "/notice/forms-estate", htmlContentType); !strings.Contains(string(page.inflated), "已表态<b>5 户</b>") {
			t.Fatal("the gzip page after the snapshot does not show the 5 sign-offs")
		}
	})
}

// TestNoticeBoardOverHTTP reads the page over a real connection: the body
// goes with its Content-Length (not chunked), and Go's client, which asks
// for gzip and inflates as a phone's browser does, reads the same page.
func TestNoticeBoardOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv := newTestServer(t, db)
		seedNoticeEstate(t, srv.svc, "wire-estate", "传输小区", []int{6, 6}, agreeMostly)
		server := httptest.NewServer(srv.handler)
		defer server.Close()
		get := func(transport *http.Transport, acceptEncoding string) (*http.Response, []byte) {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, server.URL+"/notice/wire-estate", nil)
			if err != nil {
				t.Fatal(err)
			}
			if acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", acceptEncoding)
			}
			resp, err := (&http.Client{Transport: transport}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d (%v)", resp.StatusCode, err)
			}
			return resp, body
		}
		plainResp, plain := get(&http.Transport{DisableCompression: true}, "")
		zippedResp, zipped := get(&http.Transport{DisableCompression: true}, "gzip")
		for name, resp := range map[string]*http.Response{"plain": plainResp, "gzip": zippedResp} {
			if len(resp.TransferEncoding) != 0 || resp.ContentLength <= 0 {
				t.Fatalf("%s: Transfer-Encoding %v, Content-Length %d", name, resp.TransferEncoding, resp.ContentLength)
			}
		}
		if plainResp.ContentLength != int64(len(plain)) || zippedResp.ContentLength != int64(len(zipped)) || len(zipped) >= len(plain) {
			t.Fatalf("Content-Length plain %d for %d bytes, gzip %d for %d bytes", plainResp.ContentLength, len(plain),
				zippedResp.ContentLength, len(zipped))
		}
		inflatingResp, inflated := get(&http.Transport{}, "")
		if !inflatingResp.Uncompressed || !bytes.Equal(inflated, plain) {
			t.Fatalf("Go's inflating client: uncompressed %v, %d bytes, want the %d of the page", inflatingResp.Uncompressed, len(inflated), len(plain))
		}
	})
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"br;q=1.0, gzip;q=0.8, *;q=0.1"}, true},
		{[]string{"br", " gzip "}, true},
		{[]string{"identity"}, false},
		{[]string{"x-gzip-ish"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; Q=0.000"}, false},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip;q=nonsense"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*", "gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
	} {
		if got := acceptsGzip(tc.lines); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.lines, got, tc.want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	const etag = `"h-abc"`
	for _, tc := range []struct {
		lines []string
		want  bool
	}{
		{nil, false},
		{[]string{`"h-abc"`}, true},
		{[]string{`W/"h-abc"`}, true},
		{[]string{`"other", "h-abc"`}, true},
		{[]string{`"other"`, ` "h-abc" `}, true},
		{[]string{"*"}, true},
		{[]string{`"h-abc-gz"`}, false},
		{[]string{`h-abc`}, false},
	} {
		if got := etagMatches(tc.lines, etag); got != tc.want {
			t.Errorf("etagMatches(%q) = %v, want %v", tc.lines, got, tc.want)
		}
	}
}

// TestServePreparedAllocatesNothing: serving a prepared body (headers,
// choice of coding, body) allocates nothing per request, in either coding,
// and neither does a 304. (In a real answer the header map is fresh and
// grows once past eight keys: net/http's map, the same for any handler.)
func TestServePreparedAllocatesNothing(t *testing.T) {
	prepared := prepareBody(htmlContentType, "h-test", bytes.Repeat([]byte("<p>公示内容</p>"), 200), true)
	if prepared.gzipped.body == nil {
		t.Fatal("no gzip form of a compressible body")
	}
	for _, headers := range []map[string]string{
		{},
		{"Accept-Encoding": "gzip, deflate, br"},
		{"Accept-Encoding": "gzip", "If-None-Match": `"h-test-gz"`},
	} {
		c, _ := gin.CreateTestContext(discardWriter{header: http.Header{}})
		c.Request = httptest.NewRequest(http.MethodGet, "/notice/x", nil)
		for name, value := range headers {
			c.Request.Header.Set(name, value)
		}
		servePrepared(c, prepared) // the header map's keys exist from now on
		if allocs := testing.AllocsPerRun(100, func() {
			setPublicPageHeaders(c.Writer.Header())
			servePrepared(c, prepared)
		}); allocs != 0 {
			t.Errorf("request headers %v: %v allocations per answer", headers, allocs)
		}
	}
}

// discardWriter is a ResponseWriter that keeps its headers and drops the rest.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w discardWriter) WriteHeader(int)             {}

// BenchmarkNoticeHandlers serves the page, the JSON and /healthz through the
// whole router without a network, so that allocs/op and ns/op show the
// server's own work per answer (plain and gzip):
//
//	go test -run '^$' -bench NoticeHandlers -benchmem ./api/
func BenchmarkNoticeHandlers(b *testing.B) {
	svc, handler := newBenchServer(b)
	seedNoticeEstate(b, svc, "handler-estate", "处理小区", []int{20, 20, 20}, agreeMostly)
	for _, tc := range []struct{ name, path, acceptEncoding string }{
		{"page-plain", "/notice/handler-estate", ""},
		{"page-gzip", "/notice/handler-estate", "gzip, deflate, br"},
		{"json-gzip", "/api/v1/public/estates/handler-estate", "gzip, deflate, br"},
		{"healthz", "/healthz", "gzip, deflate, br"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tc.acceptEncoding)
			}
			handler.ServeHTTP(discardWriter{header: http.Header{}}, req) // builds the board
			b.ReportAllocs()
			for b.Loop() {
				handler.ServeHTTP(discardWriter{header: http.Header{}}, req)
			}
		})
	}
}

// TestNoticeErrorPagesPrepared: the public pages' error answers are the
// pages rendered at start, in Chinese, and not kept by caches.
func TestNoticeErrorPagesPrepared(t *testing.T) {
	for page, title := range map[*[]byte]string{&notFoundPage: "未找到该小区的公示", &unavailablePage: "服务暂时不可用"} {
		if !strings.Contains(string(*page), title) {
			t.Fatalf("error page without %q: %s", title, *page)
		}
	}
	srv := newTestServer(t, testdb.OpenSQLite(t))
	resp := srv.must(http.StatusNotFound, "GET", "/notice/no-such-estate", "", nil)
	if !bytes.Equal(resp.Body, notFoundPage) || resp.Header.Get("Cache-Control") != "no-store" ||
		resp.Header.Get("Content-Length") != strconv.Itoa(len(notFoundPage)) {
		t.Fatalf("404 page: %v %s", resp.Header, resp.Body)
	}
}
