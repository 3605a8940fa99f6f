package console_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive one headless Chromium (found through
// $MINYI_CHROMIUM or the PATH; skipped without it unless
// MINYI_TEST_REQUIRE_BROWSER is set), check every page with axe-core and keep
// screenshots at 375×812 and 1280×800 under $MINYI_TEST_ARTIFACTS (default
// .ci/out/).

//go:embed testdata/axe-core/axe.min.js
var axeSource string

func chromiumPath(t testing.TB) string {
	t.Helper()
	if named := os.Getenv("MINYI_CHROMIUM"); named != "" {
		if info, err := os.Stat(named); err != nil || info.IsDir() {
			t.Fatalf("MINYI_CHROMIUM=%s is not a file: %v", named, err)
		}
		return named
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("MINYI_TEST_REQUIRE_BROWSER") != "" {
		t.Fatal("MINYI_TEST_REQUIRE_BROWSER is set but Chromium was not found (set MINYI_CHROMIUM)")
	}
	t.Skip("SKIPPED: the console's browser tests need Chromium (set MINYI_CHROMIUM); MINYI_TEST_REQUIRE_BROWSER=1 makes this a failure")
	return ""
}

func artifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("MINYI_TEST_ARTIFACTS")
	if dir == "" {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, ".ci", "out")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts the one Chromium the browser tests share.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("hide-scrollbars", true), chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// tab is one person's browser tab with its own cookies.
type tab struct {
	t             testing.TB
	ctx           context.Context
	base          string
	artifacts     string
	width, height int64
	mobile        bool
	checked       map[string]bool
}

func newTab(t testing.TB, browser context.Context, base string, width, height int64, mobile bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, base: base, artifacts: artifactsDir(t), width: width, height: height, mobile: mobile, checked: map[string]bool{}}
	// The first action starts the tab and binds it to the context it runs
	// with, so it runs with the tab's own context, not one with a deadline.
	if err := chromedp.Do(ctx, tb.viewport(width, height, mobile)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tb
}

func (tb *tab) viewport(width, height int64, mobile bool) chromedp.Action[chromedp.Void] {
	if mobile {
		return chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(width, height)
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

func run[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
	return v
}

// open loads a page and fails unless it answered 200.
func (tb *tab) open(path string) {
	tb.t.Helper()
	res := run(tb, chromedp.NavigateResponse(tb.base+path))
	if res.Status != 200 {
		tb.t.Fatalf("GET %s: %d", path, res.Status)
	}
}

// submit clicks a button that loads a new page, waits for it and fails unless it answered 200.
func (tb *tab) submit(css string) {
	tb.t.Helper()
	if status := tb.submitStatus(css); status != 200 {
		tb.t.Fatalf("click %s: the page answered %d", css, status)
	}
}

// submitStatus clicks a button that loads a new page and returns its status.
func (tb *tab) submitStatus(css string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		tb.t.Fatalf("click %s: %v", css, err)
	}
	return res.Status
}

func (tb *tab) fill(css, value string) {
	tb.t.Helper()
	tb.do(chromedp.SetValue(chromedp.CSS(css), value))
}

func (tb *tab) text(css string) string {
	tb.t.Helper()
	return run(tb, chromedp.Text(chromedp.CSS(css)))
}

func (tb *tab) location() string { tb.t.Helper(); return run(tb, chromedp.Location()) }

func (tb *tab) mustSee(texts ...string) {
	tb.t.Helper()
	body := tb.text("body")
	for _, text := range texts {
		if !strings.Contains(body, text) {
			tb.t.Errorf("%s lacks %q", tb.location(), text)
		}
	}
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// check runs axe-core on the page (zero violations wanted) and keeps its
// screenshots at both sizes, once per page name.
func (tb *tab) check(name string) {
	tb.t.Helper()
	if tb.checked[name] {
		return
	}
	tb.checked[name] = true
	violations := tb.axe()
	for _, v := range violations {
		tb.t.Errorf("axe on %s (%s): %s [%s] %s at %v", name, tb.location(), v.ID, v.Impact, v.Help, v.Nodes)
	}
	for _, size := range [][2]int64{{375, 812}, {1280, 800}} {
		tb.do(tb.viewport(size[0], size[1], size[0] < 600))
		shot := run(tb, chromedp.CaptureScreenshot())
		file := filepath.Join(tb.artifacts, fmt.Sprintf("console-%s-%dx%d.png", name, size[0], size[1]))
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	tb.do(tb.viewport(tb.width, tb.height, tb.mobile))
}

func (tb *tab) axe() []axeViolation {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](axeSource))
	raw := run(tb, chromedp.Evaluate[[]byte](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	var violations []axeViolation
	if err := json.Unmarshal(raw, &violations); err != nil {
		tb.t.Fatalf("axe result: %v: %s", err, raw)
	}
	return violations
}

// waitText waits until the element's text contains want (the page's script changes it).
func (tb *tab) waitText(css, want string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`(document.querySelector(%q) || {}).textContent?.includes(%q)`, css, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		tb.t.Fatalf("%s never said %q (it says %q): %v", css, want, tb.text(css), err)
	}
}

// loadedImages waits (up to 20 s) until at least want of the images css
// selects have loaded, and returns how many have: pictures load after the
// page, later on a busy machine.
func (tb *tab) loadedImages(css string, want int) int {
	tb.t.Helper()
	count := fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(i => i.complete && i.naturalWidth > 0).length`, css)
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`%s >= %d`, count, want))) // on timeout, the count below says what loaded
	return run(tb, chromedp.Evaluate[int](count))
}
