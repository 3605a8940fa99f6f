package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

func TestNoticeBoardCaching(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv, clock := newNoticeServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "cache-test", "缓存小区", []int{6, 6}, func(i int) string {
			if i < 4 {
				return service.DecisionAgree
			}
			return ""
		})
		for _, path := range []string{"/notice/cache-test", "/api/v1/public/estates/cache-test", "/notice/cache-test/poster", "/notice/cache-test/qrcode.png"} {
			first := srv.must(http.StatusOK, "GET", path, "", nil)
			etag := first.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("%s: ETag %q", path, etag)
			}
			if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=30" {
				t.Fatalf("%s: Cache-Control %q", path, cc)
			}
			if again := srv.must(http.StatusOK, "GET", path, "", nil); again.Header.Get("ETag") != etag || !bytes.Equal(again.Body, first.Body) {
				t.Fatalf("%s: a second read without a change differs", path)
			}
			for _, header := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				resp := srv.must(http.StatusNotModified, "GET", path, "", nil, "If-None-Match", header)
				if len(resp.Body) != 0 || resp.Header.Get("ETag") != etag {
					t.Fatalf("%s: 304 with If-None-Match %s has body %q, ETag %q", path, header, resp.Body, resp.Header.Get("ETag"))
				}
			}
			srv.must(http.StatusOK, "GET", path, "", nil, "If-None-Match", `"something-else"`)
		}

		etagOf := func(path string) string { return srv.must(http.StatusOK, "GET", path, "", nil).Header.Get("ETag") }
		page, data := etagOf("/notice/cache-test"), etagOf("/api/v1/public/estates/cache-test")
		if page == data {
			t.Fatal("the page and the JSON share an ETag")
		}
		before := srv.must(http.StatusOK, "GET", "/notice/cache-test", "", nil)
		seed.sign(t, srv.svc, 5, service.DecisionAgree) // a sign-off does not touch the estate row
		clock.publishAfter()                            // the fifth changed household, 15 minutes on: a snapshot
		after := awaitNewETag(t, srv, "/notice/cache-test", page)
		if bytes.Equal(after.Body, before.Body) || !strings.Contains(string(after.Body), "已表态<b>5 户</b>") {
			t.Fatal("the page after a sign-off still shows the old count")
		}
		awaitNewETag(t, srv, "/api/v1/public/estates/cache-test", data)

		page = etagOf("/notice/cache-test")
		name := "缓存小区（更名）"
		if _, err := srv.svc.UpdateEstate(context.Background(), service.SystemActor(), seed.estateID, service.EstateFields{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if renamed := awaitNewETag(t, srv, "/notice/cache-test", page); !strings.Contains(string(renamed.Body), name) {
			t.Fatal("the page did not follow the estate's new name")
		}
	})
}

func TestNoticeBoardGzip(t *testing.T) {
	srv := newTestServer(t, testdb.OpenSQLite(t))
	seedNoticeEstate(t, srv.svc, "gzip-estate", "压缩小区", []int{6, 6}, agreeMostly)
	plain := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil)
	zipped := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "br, gzip")
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers of the gzip answer: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain.Body) {
		t.Fatalf("the gzip body does not inflate to the page (%v)", err)
	}
	if len(zipped.Body)*2 > len(plain.Body) {
		t.Errorf("gzip only shrank %d bytes to %d", len(plain.Body), len(zipped.Body))
	}
	plainTag, zippedTag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
	if plainTag == zippedTag || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("the two encodings share ETag %s, or the plain one is encoded", plainTag)
	}
	for _, tag := range []string{plainTag, zippedTag} {
		srv.must(http.StatusNotModified, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "gzip", "If-None-Match", tag)
	}
	if refused := srv.must(http.StatusOK, "GET", "/notice/gzip-estate", "", nil, "Accept-Encoding", "gzip;q=0"); refused.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip was sent although refused with q=0")
	}
}

// TestNoticeBoardUnderConcurrentSignOffs reads the board from many clients
// while sign-offs are recorded (run with -race): every answer is a complete
// page, and once the writes stop the board shows the final count.
func TestNoticeBoardUnderConcurrentSignOffs(t *testing.T) {
	srv, clock := newNoticeServer(t, testdb.OpenSQLite(t))
	seed := seedNoticeEstate(t, srv.svc, "busy-estate", "繁忙小区", []int{10, 10}, func(int) string { return "" })
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				req := httptest.NewRequest("GET", "/notice/busy-estate", nil)
				rec := httptest.NewRecorder()
				srv.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.HasSuffix(strings.TrimSpace(rec.Body.String()), "</html>") {
					errs <- fmt.Errorf("status %d, body of %d bytes", rec.Code, rec.Body.Len())
					return
				}
			}
		}()
	}
	for i := range 12 {
		seed.sign(t, srv.svc, i, service.DecisionAgree)
	}
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	clock.publishAfter()
	deadline := time.Now().Add(noticeFreshFor + 2*time.Second)
	for !strings.Contains(string(srv.must(http.StatusOK, "GET", "/notice/busy-estate", "", nil).Body), "已表态<b>12 户</b>") {
		if time.Now().After(deadline) {
			t.Fatal("the board does not show the 12 sign-offs")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitNewETag asks for path with If-None-Match: old until the answer is a
// 200 with another ETag, which must come within the board's freshness
// window (plus a margin for a slow machine).
func awaitNewETag(t *testing.T, srv *testServer, path, old string) *testResponse {
	t.Helper()
	deadline := time.Now().Add(noticeFreshFor + 2*time.Second)
	for {
		resp := srv.call("GET", path, "", nil, "If-None-Match", old)
		switch {
		case resp.Status == http.StatusOK && resp.Header.Get("ETag") != old:
			return resp
		case resp.Status != http.StatusNotModified && resp.Status != http.StatusOK:
			t.Fatalf("GET %s: status %d: %s", path, resp.Status, resp.Body)
		case time.Now().After(deadline):
			t.Fatalf("GET %s: the ETag is still %s %v after the change", path, old, noticeFreshFor+2*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
