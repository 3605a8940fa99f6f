package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"minyi/model"
)

// The scale scenario: a mixed load of staff reads (every staff GET
// endpoint) and some sign-off writes, spread over the many estates a scale
// seed made, while the server's memory is sampled.

// scaleAimP99 is the aim for every staff endpoint's p99 at scale.
const scaleAimP99 = 50 * time.Millisecond

// scaleAimMemory is the aim for the server's resident set at scale.
const scaleAimMemory = 200 << 20

// scaleEstate is one seeded estate as the scale scenario sees it.
type scaleEstate struct {
	ID, Code, RoundID string
	RoundOpen         bool
	Households        []string
}

// scaleActor is a logged-in staff member and the estates they may read.
type scaleActor struct {
	token   string
	estates []*scaleEstate
}

// scaleEndpoint is one staff request of the mix.
type scaleEndpoint struct {
	name   string
	role   string // admin, worker or designer: who sends it
	weight int
	write  bool // a sign-off PUT (only on open rounds)
	path   func(e *scaleEstate, household string) string
}

// scaleEndpoints are the staff requests of the mix: every staff GET that
// reads an estate's data, and the worker's sign-off PUT (about 10%).
var scaleEndpoints = []scaleEndpoint{
	{"GET /estates (first page)", "worker", 2, false, func(*scaleEstate, string) string { return "/api/v1/estates?limit=50" }},
	{"GET /estates (admin, 1st page)", "admin", 1, false, func(*scaleEstate, string) string { return "/api/v1/estates?limit=50" }},
	{"GET /estates/{id}", "worker", 2, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID }},
	{"GET households page", "worker", 3, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/households?limit=50" }},
	{"GET /households/{id}", "worker", 2, false, func(_ *scaleEstate, h string) string { return "/api/v1/households/" + h }},
	{"GET rounds of estate", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/rounds" }},
	{"GET /rounds/{id}", "worker", 2, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID }},
	{"GET sign-offs page", "worker", 2, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/signoffs?limit=50" }},
	{"GET sign-off history", "worker", 1, false, func(e *scaleEstate, h string) string {
		return "/api/v1/rounds/" + e.RoundID + "/signoffs/" + h + "/history"
	}},
	{"GET tally", "designer", 3, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/tally" }},
	{"GET progress", "worker", 3, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/progress" }},
	{"GET visits", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/visits?limit=50" }},
	{"GET register (xlsx)", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/export" }},
	{"GET objections", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/objections?limit=50" }},
	{"GET objections summary", "designer", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/objections/summary" }},
	{"GET result objections", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/rounds/" + e.RoundID + "/result-objections" }},
	{"GET feedback", "designer", 1, false, func(e *scaleEstate, _ string) string {
		return "/api/v1/estates/" + e.ID + "/feedback?round_id=" + e.RoundID
	}},
	{"GET revisions", "designer", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/revisions" }},
	{"GET stages", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/stages" }},
	{"GET surveys", "worker", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/surveys" }},
	{"GET audit page", "admin", 1, false, func(e *scaleEstate, _ string) string { return "/api/v1/estates/" + e.ID + "/audit?limit=50" }},
	{"GET users page", "admin", 1, false, func(*scaleEstate, string) string { return "/api/v1/users?limit=50" }},
	{"PUT sign-off", "worker", 4, true, func(e *scaleEstate, h string) string { return "/api/v1/rounds/" + e.RoundID + "/signoffs/" + h }},
}

// runScale measures the mixed staff load over the estates of a scale seed
// (-tag, default the latest seed in the -mysql database).
func runScale(ctx context.Context, o *options, out io.Writer) (*report, error) {
	db, err := model.Open(o.MySQLURL)
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	defer db.Close()
	return scaleLoad(ctx, o, db, out)
}

// scaleLoad finds the seeded estates in db and runs the mix against o.URL.
func scaleLoad(ctx context.Context, o *options, db *model.DB, out io.Writer) (*report, error) {
	start := time.Now()
	tag, estates, staff, err := findScaleSeed(ctx, db, o.Tag)
	if err != nil {
		return nil, err
	}
	households := 0
	for _, e := range estates {
		households += len(e.Households)
	}
	c := newClient(o.URL, max(slicesMax(o.Clients), 256))
	actors := map[string][]*scaleActor{}
	admin, err := c.login(ctx, o.AdminUser, o.AdminPassword)
	if err != nil {
		return nil, err
	}
	actors["admin"] = []*scaleActor{{token: admin, estates: estates}}
	for _, role := range []string{"worker", "designer"} {
		names := staff[role]
		sort.Strings(names)
		for _, username := range names[:min(len(names), o.ScaleStaff)] {
			token, err := c.login(ctx, username, scaleStaffPassword(tag))
			if err != nil {
				return nil, err
			}
			actors[role] = append(actors[role], &scaleActor{token: token, estates: staffEstates(db, ctx, username, estates)})
		}
		if len(actors[role]) == 0 {
			return nil, fmt.Errorf("scale: no %s of seed %s", role, tag)
		}
	}
	fmt.Fprintf(out, "scale: seed %s, %d estates, %d households; %d workers and %d designers logged in (their %d and %d estates), the admin over all; found in %s\n",
		tag, len(estates), households, len(actors["worker"]), len(actors["designer"]), countEstates(actors["worker"]), countEstates(actors["designer"]),
		time.Since(start).Round(time.Millisecond))

	mix := &scaleMix{c: c, actors: actors}
	for _, ep := range scaleEndpoints {
		mix.total += ep.weight
	}
	rep := &report{}
	loads := []scaleLoadShape{}
	for _, rate := range o.Rates {
		loads = append(loads, scaleLoadShape{rate: rate, label: fmt.Sprintf("%d req/s", rate)})
	}
	if len(o.Rates) == 0 {
		for _, clients := range o.Clients {
			loads = append(loads, scaleLoadShape{clients: clients, label: fmt.Sprintf("c=%d", clients)})
		}
	}
	for _, shape := range loads {
		scaleMeasure(ctx, o, out, rep, mix, shape)
	}
	if o.ScaleEach > 0 {
		fmt.Fprintf(out, "  each endpoint alone, %d clients, %s: CPU per request\n", 4, o.ScaleEach)
		for i := range scaleEndpoints {
			ep := &scaleEndpoints[i]
			rec := newRecorder()
			before := o.cpu.sample()
			r := runLoad(ctx, 4, o.ScaleEach, func(ctx context.Context, worker int) error {
				return mix.do(ctx, rec, newRNG(worker), ep)
			})
			s := summarize(r)
			s.ServerCPU, s.DatabaseCPU = cpuPerOp(before, o.cpu.sample(), r.Ops)
			fmt.Fprintf(out, "  %-32s alone: %s\n", ep.name, formatSummary(s))
			rep.Measurements = append(rep.Measurements, &measurement{Name: "scale alone: " + ep.name, Clients: 4, Runs: []summary{s}, Median: s})
		}
	}
	return rep, nil
}

// scaleLoadShape is how the mix is offered: a number of clients each
// sending one request after another (closed loop), or a fixed rate of
// requests arriving at random (open loop, Poisson), whatever the answers take.
type scaleLoadShape struct {
	clients, rate int
	label         string
}

// scaleMix sends the requests of the mix.
type scaleMix struct {
	c      *client
	actors map[string][]*scaleActor
	total  int // sum of the endpoints' weights
}

func newRNG(worker int) *mathrand.Rand {
	return mathrand.New(mathrand.NewPCG(uint64(time.Now().UnixNano()), uint64(worker)))
}

// pick draws an endpoint by weight.
func (m *scaleMix) pick(rng *mathrand.Rand) *scaleEndpoint {
	n := rng.IntN(m.total)
	for i := range scaleEndpoints {
		if n < scaleEndpoints[i].weight {
			return &scaleEndpoints[i]
		}
		n -= scaleEndpoints[i].weight
	}
	return &scaleEndpoints[0]
}

var scaleDecisions = []string{"agree", "disagree", "abstain"}

// do sends one request of an endpoint, as a random actor of its role on one
// of their estates, and records it (unless the end of the run cut it off).
func (m *scaleMix) do(ctx context.Context, rec *recorder, rng *mathrand.Rand, ep *scaleEndpoint) error {
	pool := m.actors[ep.role]
	actor := pool[rng.IntN(len(pool))]
	e := actor.estates[rng.IntN(len(actor.estates))]
	if ep.write {
		for tries := 0; !e.RoundOpen && tries < 50; tries++ {
			e = actor.estates[rng.IntN(len(actor.estates))]
		}
		if !e.RoundOpen {
			return nil
		}
	}
	household := e.Households[rng.IntN(len(e.Households))]
	var err error
	t0 := time.Now()
	if ep.write {
		err = m.c.call(ctx, "PUT", ep.path(e, household), actor.token, map[string]string{
			"decision": scaleDecisions[rng.IntN(3)], "channel": "paper", "signer_name": "签字人"}, nil)
	} else {
		err = m.c.call(ctx, "GET", ep.path(e, household), actor.token, nil, nil)
	}
	if err != nil && ctx.Err() != nil {
		return err // cut off by the end of the run: not counted (runLoad neither)
	}
	rec.record(ep.name, time.Since(t0), err)
	return err
}

// scaleMeasure runs the mix o.Runs times in one shape and reports each
// endpoint's medians, the aim's verdict and the server's memory.
func scaleMeasure(ctx context.Context, o *options, out io.Writer, rep *report, mix *scaleMix, shape scaleLoadShape) {
	byName := map[string]*measurement{}
	var peak int64
	pid := o.cpu.serverPID
	for run := 1; run <= o.Runs; run++ {
		rec := newRecorder()
		op := func(ctx context.Context, worker int) error {
			rng := newRNG(worker)
			return mix.do(ctx, rec, rng, mix.pick(rng))
		}
		mem := startPeakWatch(pid)
		before := o.cpu.sample()
		var r result
		if shape.rate > 0 {
			r = runAtRate(ctx, shape.rate, o.Duration, op)
		} else {
			r = runLoad(ctx, shape.clients, o.Duration, op)
		}
		runPeak := mem.stop()
		peak = max(peak, runPeak)
		figures := rec.summaries(r.Elapsed)
		all := figures[kindAll]
		all.ServerCPU, all.DatabaseCPU = cpuPerOp(before, o.cpu.sample(), all.Ops)
		figures[kindAll] = all
		fmt.Fprintf(out, "  run %d/%d %s: %s; server resident set peak %s (load %s)\n", run, o.Runs, shape.label, formatSummary(all), mb(runPeak), loadAverage())
		if rec.first != "" {
			fmt.Fprintf(out, "    first error: %s\n", rec.first)
		}
		for name, s := range figures {
			if byName[name] == nil {
				byName[name] = &measurement{Name: "scale: " + name, Clients: shape.clients + shape.rate}
			}
			byName[name].Runs = append(byName[name].Runs, s)
		}
	}
	names := make([]string, 0, len(byName))
	for name := range byName {
		names = append(names, name)
	}
	sort.Strings(names)
	var slow []string
	for _, name := range names {
		m := byName[name]
		m.Median = medianOf(m.Runs)
		fmt.Fprintf(out, "  %-32s %s MEDIAN: %s\n", name, shape.label, formatSummary(m.Median))
		if name != kindAll && m.Median.P99 >= scaleAimP99 {
			slow = append(slow, fmt.Sprintf("%s (p99 %s)", name, ms(m.Median.P99)))
		}
		rep.Measurements = append(rep.Measurements, m)
	}
	hwm := int64(0)
	if mem, err := readMemory(pid); err == nil {
		hwm = mem.HWM
	}
	rep.Measurements = append(rep.Measurements, &measurement{Name: "scale: memory", Clients: shape.clients + shape.rate,
		Extra: map[string]float64{"rss_peak_sampled_bytes": float64(peak), "vm_hwm_bytes": float64(hwm)}})
	verdict := "met"
	if len(slow) > 0 {
		verdict = "NOT met: " + strings.Join(slow, ", ")
	}
	fmt.Fprintf(out, "  aim every staff endpoint p99 < 50 ms at %s: %s\n", shape.label, verdict)
	memVerdict := "met"
	if peak >= scaleAimMemory || hwm >= scaleAimMemory {
		memVerdict = "NOT met"
	}
	fmt.Fprintf(out, "  MEMORY: sampled resident-set peak %s, VmHWM %s; aim < 200 MB: %s\n", mb(peak), mb(hwm), memVerdict)
}

// runAtRate starts op at random moments (Poisson arrivals) at rate per
// second for d, each in its own goroutine, and waits for them all.
func runAtRate(ctx context.Context, rate int, d time.Duration, op operation) result {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	rng := mathrand.New(mathrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		latencies  []time.Duration
		errorCount int
		firstError string
	)
	start := time.Now()
	next := start
	for n := 0; ctx.Err() == nil; n++ {
		next = next.Add(time.Duration(rng.ExpFloat64() / float64(rate) * float64(time.Second)))
		sleepUntil(ctx, next)
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			err := op(parent, n) // a request started in the run finishes after it
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, took)
			if err != nil {
				errorCount++
				if firstError == "" {
					firstError = err.Error()
				}
			}
		}()
	}
	wg.Wait()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return result{Ops: len(latencies), Errors: errorCount, FirstError: firstError, Elapsed: time.Since(start), Latencies: latencies}
}

// findScaleSeed reads the estates of a scale seed (the latest one when tag
// is empty) with their round and households, and the staff usernames by role.
func findScaleSeed(ctx context.Context, db *model.DB, tag string) (string, []*scaleEstate, map[string][]string, error) {
	g := db.Gorm.WithContext(ctx)
	if tag == "" {
		var latest []model.Estate
		if err := g.Where("code LIKE ?", "scale-%").Order("created_at DESC").Limit(1).Find(&latest).Error; err != nil {
			return "", nil, nil, err
		}
		if len(latest) == 0 {
			return "", nil, nil, errors.New("scale: no estate of a scale seed in the database (run -scenario scale-seed first)")
		}
		tag = latest[0].Code[:strings.LastIndexByte(latest[0].Code, '-')]
	}
	var rows []struct {
		ID, Code, RoundID, Status string
	}
	err := g.Raw(`SELECT e.id, e.code, r.id AS round_id, r.status FROM estates e JOIN rounds r ON r.estate_id = e.id
		WHERE e.code LIKE ? ORDER BY e.code`, tag+"-%").Scan(&rows).Error
	if err != nil {
		return "", nil, nil, err
	}
	if len(rows) == 0 {
		return "", nil, nil, fmt.Errorf("scale: no estate with a round whose code starts with %s-", tag)
	}
	byID := map[string]*scaleEstate{}
	estates := make([]*scaleEstate, 0, len(rows))
	for _, r := range rows {
		e := &scaleEstate{ID: r.ID, Code: r.Code, RoundID: r.RoundID, RoundOpen: r.Status == "open"}
		byID[r.ID] = e
		estates = append(estates, e)
	}
	var households []struct{ ID, EstateID string }
	err = g.Raw(`SELECT h.id, h.estate_id FROM households h JOIN estates e ON e.id = h.estate_id WHERE e.code LIKE ?`, tag+"-%").
		Scan(&households).Error
	if err != nil {
		return "", nil, nil, err
	}
	for _, h := range households {
		if e := byID[h.EstateID]; e != nil {
			e.Households = append(e.Households, h.ID)
		}
	}
	for _, e := range estates {
		if len(e.Households) == 0 {
			return "", nil, nil, fmt.Errorf("scale: estate %s has no households", e.Code)
		}
	}
	var users []model.User
	if err := g.Where("username LIKE ?", tag+"-%").Find(&users).Error; err != nil {
		return "", nil, nil, err
	}
	staff := map[string][]string{}
	for _, u := range users {
		staff[u.Role] = append(staff[u.Role], u.Username)
	}
	return tag, estates, staff, nil
}

// staffEstates are the seeded estates a staff member is assigned to.
func staffEstates(db *model.DB, ctx context.Context, username string, estates []*scaleEstate) []*scaleEstate {
	var ids []string
	db.Gorm.WithContext(ctx).Raw(`SELECT s.estate_id FROM estate_staff s JOIN users u ON u.id = s.user_id WHERE u.username = ?`, username).
		Scan(&ids)
	assigned := map[string]bool{}
	for _, id := range ids {
		assigned[id] = true
	}
	var out []*scaleEstate
	for _, e := range estates {
		if assigned[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

func countEstates(actors []*scaleActor) int {
	n := 0
	for _, a := range actors {
		n += len(a.estates)
	}
	return n
}

func slicesMax(values []int) int {
	m := 0
	for _, v := range values {
		m = max(m, v)
	}
	return m
}

// peakWatch samples a process's resident set every 100 ms until stopped.
type peakWatch struct {
	halt chan struct{}
	done sync.WaitGroup
	peak int64
}

func startPeakWatch(pid int) *peakWatch {
	w := &peakWatch{halt: make(chan struct{})}
	if pid <= 0 {
		return w
	}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		for {
			if mem, err := readMemory(pid); err == nil && mem.RSS > w.peak {
				w.peak = mem.RSS
			}
			select {
			case <-w.halt:
				return
			case <-ticker.C:
			}
		}
	}()
	return w
}

// stop ends the sampling and returns the peak.
func (w *peakWatch) stop() int64 {
	close(w.halt)
	w.done.Wait()
	return w.peak
}
