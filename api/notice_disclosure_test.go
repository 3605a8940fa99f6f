package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	promodel "github.com/prometheus/common/model"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/service"
)

// publishedFigures is what one poll read of a round: participation and the split.
type publishedFigures struct {
	asOf                                   time.Time
	participated, agree, disagree, abstain int64
	splitShown                             bool
}

// disclosureWatcher polls the public JSON, the HTML board and /metrics
// every 100 ms, as someone watching a neighbour sign would, and keeps what
// it saw. Requests go straight to the handler (no openapi check: this runs
// in a goroutine, where a test may not stop).
type disclosureWatcher struct {
	srv        *testServer
	big, small string // estate codes: 17 households, and 4

	mu       sync.Mutex
	problems []string
	json     []publishedFigures // the big estate's round, one per poll
	html     []publishedFigures
	polls    int
}

func (w *disclosureWatcher) get(path string, headers ...string) (int, []byte) {
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	w.srv.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (w *disclosureWatcher) problem(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

// noticeRoundOf reads the first round of a public JSON board.
type watchedRound struct {
	Status       string `json:"status"`
	AsOf         string `json:"as_of"`
	SplitHidden  bool   `json:"split_hidden"`
	Participated struct {
		Households int64 `json:"households"`
	} `json:"participated"`
	Decisions *struct {
		Agree, Disagree, Abstain struct {
			Households int64    `json:"households"`
			AreaM2     *float64 `json:"area_m2"`
		}
	} `json:"decisions"`
	Passed     *bool `json:"passed"`
	ByBuilding []struct {
		Agree, Disagree, Abstain *int64
	} `json:"by_building"`
	OtherBuildings *struct {
		Agree, Disagree, Abstain *int64
	} `json:"other_buildings"`
}

var (
	htmlParticipated = regexp.MustCompile(`已表态<b>(\d+) 户</b>`)
	htmlDecision     = regexp.MustCompile(`<div>(同意|不同意|弃权)<b>(\d+) 户</b></div>`)
	htmlAsOf         = regexp.MustCompile(`截至 \d\d:\d\d（`)
)

// poll reads everything once and records what is public.
func (w *disclosureWatcher) poll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.polls++
	for _, code := range []string{w.big, w.small} {
		status, body := w.get("/api/v1/public/estates/" + code)
		var board struct {
			Rounds []watchedRound `json:"rounds"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &board) != nil || len(board.Rounds) != 1 {
			w.problem("%s: JSON status %d: %.200s", code, status, body)
			continue
		}
		r := board.Rounds[0]
		open := r.Status == service.RoundOpen
		asOf, err := time.Parse(time.RFC3339, r.AsOf)
		if err != nil {
			w.problem("%s: as_of %q", code, r.AsOf)
		}
		for _, b := range r.ByBuilding {
			if open && (b.Agree != nil || b.Disagree != nil || b.Abstain != nil) {
				w.problem("%s: a building's split is public while open", code)
			}
		}
		if g := r.OtherBuildings; g != nil && open && (g.Agree != nil || g.Disagree != nil || g.Abstain != nil) {
			w.problem("%s: the merged buildings' split is public while open", code)
		}
		if r.Decisions != nil && r.Decisions.Agree.AreaM2 != nil {
			w.problem("%s: per-decision area under a rule that does not measure area", code)
		}
		if code == w.small {
			if open && (!r.SplitHidden || r.Decisions != nil || r.Passed != nil) {
				w.problem("%s: a round of 4 shows its split while open: %.300s", code, body)
			}
			continue
		}
		seen := publishedFigures{asOf: asOf, participated: r.Participated.Households, splitShown: r.Decisions != nil}
		if r.Decisions != nil {
			seen.agree, seen.disagree, seen.abstain = r.Decisions.Agree.Households, r.Decisions.Disagree.Households, r.Decisions.Abstain.Households
		}
		if open {
			w.json = append(w.json, seen)
		}

		status, page := w.get("/notice/" + code)
		html := string(page)
		if status != http.StatusOK || !htmlAsOf.MatchString(html) {
			w.problem("%s: page status %d without 截至 HH:MM", code, status)
			continue
		}
		if !open {
			continue
		}
		if strings.Contains(html, `<th class="num">同意</th>`) {
			w.problem("%s: the page shows the buildings' agree column while open", code)
		}
		fromPage := publishedFigures{}
		if m := htmlParticipated.FindStringSubmatch(html); m != nil {
			fromPage.participated, _ = strconv.ParseInt(m[1], 10, 64)
		}
		for _, m := range htmlDecision.FindAllStringSubmatch(html, -1) {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			switch m[1] {
			case "同意":
				fromPage.agree = n
			case "不同意":
				fromPage.disagree = n
			case "弃权":
				fromPage.abstain = n
			}
			fromPage.splitShown = true
		}
		w.html = append(w.html, fromPage)
	}
	_, small := w.get("/notice/" + w.small)
	if bytes.Contains(small, []byte("<div>同意<b>")) && !bytes.Contains(small, []byte("已结束")) {
		w.problem("%s: the page of a round of 4 shows its split while open", w.small)
	}

	if status, _ := w.get("/metrics"); status != http.StatusNotFound {
		w.problem("/metrics without the token: %d", status)
	}
	status, metrics := w.get("/metrics", "Authorization", "Bearer "+testMetricsToken)
	parser := expfmt.NewTextParser(promodel.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(metrics))
	if status != http.StatusOK || err != nil {
		w.problem("/metrics with the token: %d %v", status, err)
		return
	}
	for _, m := range families[metricSignOffs].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() != "channel" {
				w.problem("/metrics: %s has the label %s=%s", metricSignOffs, l.GetName(), l.GetValue())
			}
		}
	}
}

// TestWatchingTheBoardRevealsNoHousehold is issue 11's "done when": while
// households sign one by one (and the clock moves 4 minutes a signature),
// a watcher polls every public surface every 100 ms; every change it sees
// must cover at least 5 households and at least 15 minutes, match the true
// figures at that point (never newer), and no small group's split may show.
// On the code before snapshots the figures followed every signature.
func TestWatchingTheBoardRevealsNoHousehold(t *testing.T) {
	t.Parallel() // it mostly waits for the watcher's polls
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		srv, clock := newNoticeServer(t, db)
		big := seedNoticeEstate(t, srv.svc, "watched-big", "观察小区", []int{8, 3, 6}, func(int) string { return "" })
		small := seedNoticeEstate(t, srv.svc, "watched-small", "小楼小区", []int{4}, func(int) string { return "" })
		w := &disclosureWatcher{srv: srv, big: big.code, small: small.code}

		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			ticker := time.NewTicker(100 * time.Millisecond)
			defer ticker.Stop()
			for {
				select {
				case <-stop:
					return
				case <-ticker.C:
					w.poll()
				}
			}
		}()
		awaitPolls := func(n int) {
			w.mu.Lock()
			target := w.polls + n
			w.mu.Unlock()
			for {
				time.Sleep(20 * time.Millisecond)
				w.mu.Lock()
				done := w.polls >= target
				w.mu.Unlock()
				if done {
					return
				}
			}
		}

		decisions := []string{service.DecisionAgree, service.DecisionDisagree, service.DecisionAgree, service.DecisionAbstain, service.DecisionAgree}
		// truth[k] is the split after k signatures (each by a new household).
		truth := []publishedFigures{{}}
		for k := range len(big.households) {
			household := k * 7 % len(big.households) // all buildings, interleaved
			decision := decisions[k%len(decisions)]
			big.sign(t, srv.svc, household, decision)
			next := truth[k]
			next.participated++
			switch decision {
			case service.DecisionAgree:
				next.agree++
			case service.DecisionDisagree:
				next.disagree++
			default:
				next.abstain++
			}
			truth = append(truth, next)
			if k < len(small.households) {
				small.sign(t, srv.svc, k, service.DecisionAgree)
			}
			clock.advance(4 * time.Minute)
			awaitPolls(3)
		}
		// Quiet time after the last signature: the watcher keeps polling past
		// the board's one-second cache, so the last batch gets published.
		clock.advance(service.NoticeBatchInterval)
		awaitPolls(15)
		if _, err := srv.svc.CloseRound(t.Context(), service.SystemActor(), big.roundID); err != nil {
			t.Fatal(err)
		}
		awaitPolls(3)
		close(stop)
		<-stopped

		// The final result is public at once (within the cache's second): the full split.
		final := truth[len(truth)-1]
		deadline := time.Now().Add(noticeFreshFor + 2*time.Second)
		for {
			var board struct {
				Rounds []watchedRound `json:"rounds"`
			}
			srv.must(http.StatusOK, "GET", "/api/v1/public/estates/"+big.code, "", nil).decode(t, &board)
			r := board.Rounds[0]
			if r.Status == service.RoundClosed {
				if r.Decisions == nil || r.Decisions.Agree.Households != final.agree || r.Decisions.Disagree.Households != final.disagree ||
					r.Decisions.Abstain.Households != final.abstain || len(r.ByBuilding) == 0 || r.ByBuilding[0].Agree == nil {
					t.Fatalf("the closed round's result %+v, want the split %+v", r, final)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the closed round's result is not public")
			}
			time.Sleep(50 * time.Millisecond)
		}

		w.mu.Lock()
		defer w.mu.Unlock()
		for _, p := range w.problems {
			t.Error(p)
		}
		for surface, seen := range map[string][]publishedFigures{"JSON": w.json, "HTML": w.html} {
			if len(seen) == 0 {
				t.Errorf("%s: never read", surface)
				continue
			}
			changes := 0
			previous := seen[0]
			for i, s := range seen {
				want := truth[s.participated]
				if s.agree != want.agree || s.disagree != want.disagree || s.abstain != want.abstain || !s.splitShown {
					t.Errorf("%s poll %d: published %+v, but after %d signatures the split was %+v", surface, i, s, s.participated, want)
				}
				if s.participated == previous.participated {
					if surface == "JSON" && !s.asOf.Equal(previous.asOf) {
						t.Errorf("%s poll %d: as_of moved without new figures", surface, i)
					}
					continue
				}
				changes++
				if covered := s.participated - previous.participated; covered < service.NoticeBatchHouseholds {
					t.Errorf("%s poll %d: a published change covers %d households (%d → %d)", surface, i, covered, previous.participated, s.participated)
				}
				if surface == "JSON" && s.asOf.Sub(previous.asOf) < service.NoticeBatchInterval {
					t.Errorf("%s poll %d: snapshots %v apart", surface, i, s.asOf.Sub(previous.asOf))
				}
				previous = s
			}
			if changes < 2 {
				t.Errorf("%s: %d published changes over 17 signatures and 68 minutes; the watcher saw too little to judge", surface, changes)
			}
			t.Logf("%s: %d polls while open, %d published changes", surface, len(seen), changes)
		}
	})
}
