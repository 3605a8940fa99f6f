package api

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minyi/model"
	"minyi/model/testdb"
)

// The browser test opens the notice board in a real headless Chromium at a
// phone's viewport, keeps a screenshot under $MINYI_TEST_ARTIFACTS (default
// .ci/out/) and fails on console errors. Chromium is found through
// $MINYI_CHROMIUM or the PATH; without it the test is skipped, unless
// MINYI_TEST_REQUIRE_BROWSER is set (CI sets it), when it fails.

// chromiumPath finds the browser or skips (fails when it is required).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if named := os.Getenv("MINYI_CHROMIUM"); named != "" {
		if info, err := os.Stat(named); err != nil || info.IsDir() {
			t.Fatalf("MINYI_CHROMIUM=%s is not a file: %v", named, err)
		}
		return named
	}
	var candidates []string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, path)
		}
	}
	candidates = append(candidates, "/usr/bin/chromium")
	for _, path := range candidates {
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			return path
		}
	}
	if os.Getenv("MINYI_TEST_REQUIRE_BROWSER") != "" {
		t.Fatal("MINYI_TEST_REQUIRE_BROWSER is set but Chromium was not found (set MINYI_CHROMIUM or install the chromium package)")
	}
	t.Skip("SKIPPED: the browser test needs Chromium (apt-get install chromium, or set MINYI_CHROMIUM); set MINYI_TEST_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// artifactsDir is where screenshots are kept: $MINYI_TEST_ARTIFACTS, else .ci/out at the project root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MINYI_TEST_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Fatalf("cannot find the project root from %s", root)
		}
		dir = filepath.Join(root, ".ci", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser runs headless Chromium, one process per call.
type browser struct {
	t    *testing.T
	path string
}

// run starts Chromium with the shared flags plus extra and returns stdout
// and stderr (where --enable-logging=stderr sends console messages).
func (b browser) run(width, height int, extra ...string) (stdout, stderr []byte) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--hide-scrollbars", "--user-data-dir=" + b.t.TempDir(), fmt.Sprintf("--window-size=%d,%d", width, height),
		"--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, b.path, append(args, extra...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		b.t.Fatalf("chromium %v: %v\nstderr:\n%s", extra, err, errOut.Bytes())
	}
	return out.Bytes(), errOut.Bytes()
}

// consoleErrors returns the log lines that report a console message or an
// uncaught error: the public pages run no script, so any is a fault (a
// resource the Content-Security-Policy blocked, a failed load).
func consoleErrors(stderr []byte) []string {
	var found []string
	for line := range strings.SplitSeq(string(stderr), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			found = append(found, line)
		}
	}
	return found
}

// screenshot loads url, saves a screenshot at the viewport size and returns
// the decoded image; it fails on console errors.
func (b browser) screenshot(url, file string, width, height int) image.Image {
	b.t.Helper()
	_, stderr := b.run(width, height, "--screenshot="+file, url)
	if errs := consoleErrors(stderr); len(errs) > 0 {
		b.t.Fatalf("console errors on %s:\n%s", url, strings.Join(errs, "\n"))
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		b.t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		b.t.Fatalf("the screenshot is not a valid PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != width || got.Y != height {
		b.t.Fatalf("the screenshot is %dx%d, want %dx%d", got.X, got.Y, width, height)
	}
	return img
}

// dumpDOM returns the page's DOM after loading, failing on console errors.
func (b browser) dumpDOM(url string) string {
	b.t.Helper()
	stdout, stderr := b.run(375, 812, "--dump-dom", url)
	if errs := consoleErrors(stderr); len(errs) > 0 {
		b.t.Fatalf("console errors on %s:\n%s", url, strings.Join(errs, "\n"))
	}
	return string(stdout)
}

func TestNoticeBoardInBrowser(t *testing.T) {
	chrome := browser{t: t, path: chromiumPath(t)}
	artifacts := artifactsDir(t)

	t.Run("console errors are detected", func(t *testing.T) {
		// The check below would be worthless if it could not see an error:
		// a page that logs one must be caught.
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!DOCTYPE html><title>x</title><script>console.error("deliberate"); undefinedFunction();</script>`)
		}))
		defer page.Close()
		_, stderr := browser{t: t, path: chrome.path}.run(375, 812, "--dump-dom", page.URL)
		if errs := consoleErrors(stderr); len(errs) == 0 {
			t.Fatalf("a page with console errors passed the check; stderr:\n%s", stderr)
		}
	})

	testdb.Each(t, func(t *testing.T, db *model.DB) {
		chrome := browser{t: t, path: chrome.path}
		srv := newTestServer(t, db)
		seed := seedNoticeEstate(t, srv.svc, "browser-estate", "幸福里小区", []int{20, 20, 20, 4}, agreeMostly)
		publishObjectionAnswers(t, db, srv.svc, seed)
		server := httptest.NewServer(srv.handler)
		defer server.Close()

		dom := chrome.dumpDOM(server.URL + "/notice/browser-estate")
		for _, want := range []string{"幸福里小区", "加装电梯意愿征询（第一轮）", "已表态", "入户征询率", "还需", "户同意即可达到通过要求"} {
			if !strings.Contains(dom, want) {
				t.Errorf("the rendered page lacks %q", want)
			}
		}

		suffix := ""
		if db.Dialect != model.SQLite {
			suffix = "-" + string(db.Dialect)
		}
		shot := filepath.Join(artifacts, "notice-375x812"+suffix+".png")
		img := chrome.screenshot(server.URL+"/notice/browser-estate", shot, 375, 812)
		// The header is drawn in the board's red: the inline styles were
		// applied under the Content-Security-Policy.
		if r, g, bl, _ := img.At(8, 8).RGBA(); r>>8 < 150 || g>>8 > 60 || bl>>8 > 60 {
			t.Errorf("the top-left pixel is (%d,%d,%d), not the header's red: were the styles blocked?", r>>8, g>>8, bl>>8)
		}
		t.Logf("screenshot: %s", shot)
		full := filepath.Join(artifacts, "notice-375x2400"+suffix+".png")
		chrome.screenshot(server.URL+"/notice/browser-estate", full, 375, 2400)

		// The poster loads its QR code image from the server: the policy must allow it.
		poster := filepath.Join(artifacts, "poster-794x1123"+suffix+".png")
		chrome.screenshot(server.URL+"/notice/browser-estate/poster", poster, 794, 1123)
		t.Logf("poster: %s", poster)
	})
}
