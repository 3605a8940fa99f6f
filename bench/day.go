package main

import (
	"context"
	"fmt"
	"io"
	"math"
	mathrand "math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Kinds of request in the estate's day.
const (
	kindMyRounds = "resident me/rounds"
	kindNotice   = "resident notice page"
	kindMySignOf = "resident my-signoff"
	kindSync     = "worker sync batch"
	kindProgress = "worker progress"
	kindFeedback = "designer feedback"
	kindTally    = "designer tally"
	kindAll      = "all requests"
)

var dayKinds = []string{kindMyRounds, kindNotice, kindMySignOf, kindSync, kindProgress, kindFeedback, kindTally, kindAll}

// syncBatch is the number of households per worker sync (each gives a
// visit and a sign-off record).
const syncBatch = 10

// recorder keeps the latency and outcome of every request by kind.
type recorder struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	errors    map[string]int
	first     string
}

func newRecorder() *recorder {
	return &recorder{latencies: map[string][]time.Duration{}, errors: map[string]int{}}
}

// timed runs a request and records it under its kind and under "all".
func (r *recorder) timed(kind string, call func() error) {
	start := time.Now()
	err := call()
	r.record(kind, time.Since(start), err)
}

// record keeps one request's latency and outcome under its kind and under "all".
func (r *recorder) record(kind string, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range []string{kind, kindAll} {
		r.latencies[k] = append(r.latencies[k], took)
		if err != nil {
			r.errors[k]++
		}
	}
	if err != nil && r.first == "" {
		r.first = kind + ": " + err.Error()
	}
}

// summaries turns the records of one day into one summary per kind.
func (r *recorder) summaries(elapsed time.Duration) map[string]summary {
	out := map[string]summary{}
	for kind, l := range r.latencies {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		out[kind] = summarize(result{Ops: len(l), Errors: r.errors[kind], Elapsed: elapsed, Latencies: l})
	}
	return out
}

// runDay plays a whole estate's day o.Runs times, each on a fresh estate.
func runDay(ctx context.Context, o *options, out io.Writer) (*report, error) {
	return dayRuns(ctx, o, out, nil)
}

// dayRuns plays the day o.Runs times; during each burst watch (when not
// nil) runs alongside and its figures go to the report.
func dayRuns(ctx context.Context, o *options, out io.Writer, watch *memoryWatch) (*report, error) {
	rep := &report{}
	byKind := map[string]*measurement{}
	for _, kind := range dayKinds {
		byKind[kind] = &measurement{Name: "day: " + kind}
	}
	for run := 1; run <= o.Runs; run++ {
		if watch != nil {
			watch.start()
		}
		figures, err := playDay(ctx, o, out)
		if watch != nil {
			watch.stop(out, run, o.Runs)
		}
		if err != nil {
			return nil, err
		}
		for _, kind := range dayKinds {
			if s, ok := figures[kind]; ok {
				byKind[kind].Runs = append(byKind[kind].Runs, s)
				fmt.Fprintf(out, "  %-28s run %d/%d: %s\n", kind, run, o.Runs, formatSummary(s))
			}
		}
	}
	for _, kind := range dayKinds {
		m := byKind[kind]
		if len(m.Runs) == 0 {
			continue
		}
		m.Median = medianOf(m.Runs)
		fmt.Fprintf(out, "  %-28s MEDIAN   : %s\n", kind, formatSummary(m.Median))
		rep.Measurements = append(rep.Measurements, m)
	}
	if all := byKind[kindAll]; len(all.Runs) > 0 {
		verdict := "met"
		if all.Median.P99 >= 100*time.Millisecond || all.Median.Errors > 0 {
			verdict = "NOT met"
		}
		fmt.Fprintf(out, "  aim (no error, p99 < 100 ms): %s (errors %d, p99 %s)\n", verdict, all.Median.Errors, ms(all.Median.P99))
	}
	if o.MySQLURL != "" {
		sizes, err := tableSizes(ctx, o.MySQLURL)
		if err != nil {
			return nil, fmt.Errorf("table sizes: %w", err)
		}
		fmt.Fprintln(out, "  table sizes after the day(s) (whole database):")
		printTableSizes(out, sizes)
	}
	return rep, nil
}

// playDay seeds a fresh estate and plays one day: residents (o.OnlineShare
// of the households) arrive in a burst over o.Duration, open their rounds,
// half of them look at the notice board, and sign online; workers sync
// door-to-door visits and paper sign-offs of the others in batches and check
// progress; designers read the feedback and the tally. Every household has
// decided at the end, which the tally must show.
func playDay(ctx context.Context, o *options, out io.Writer) (map[string]summary, error) {
	c := newClient(o.URL, 256)
	w, err := seedWorld(ctx, o, c, o.Households, true, out)
	if err != nil {
		return nil, err
	}
	online := int(math.Round(o.OnlineShare * float64(len(w.households))))
	start := time.Now()
	residents, err := w.bindResidents(ctx, online)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  bound %d residents in %s; the day starts (burst of %s, load %s)\n",
		online, time.Since(start).Round(time.Millisecond), o.Duration, loadAverage())

	rec := newRecorder()
	cpuBefore := o.cpu.sample()
	dayStart := time.Now()
	var wg sync.WaitGroup
	for i, r := range residents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sleepUntil(ctx, dayStart.Add(burstArrival(o.Duration)))
			w.residentVisit(ctx, rec, r, i)
		}()
	}
	offline := w.households[online:]
	devices := max(1, (len(offline)+49)/50) // one device per 50 households
	for d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.workerDevice(ctx, rec, o.Duration, dayStart, offline[d*len(offline)/devices:(d+1)*len(offline)/devices])
		}()
	}
	readers, cancelReaders := context.WithCancel(ctx)
	var readersDone sync.WaitGroup
	for range 2 {
		readersDone.Add(1)
		go func() {
			defer readersDone.Done()
			w.designerReads(ctx, readers, rec)
		}()
	}
	wg.Wait()
	cancelReaders()
	readersDone.Wait()
	elapsed := time.Since(dayStart)
	if err := w.checkEveryoneDecided(ctx, rec); err != nil {
		return nil, err
	}
	figures := rec.summaries(elapsed)
	all := figures[kindAll]
	all.ServerCPU, all.DatabaseCPU = cpuPerOp(cpuBefore, o.cpu.sample(), all.Ops)
	figures[kindAll] = all
	if rec.first != "" {
		fmt.Fprintf(out, "    first error: %s\n", rec.first)
	}
	return figures, nil
}

// burstArrival draws a resident's arrival in the burst: a triangular
// distribution rising to a peak at 30% of the window, then tailing off.
func burstArrival(window time.Duration) time.Duration {
	const peak = 0.3
	u := mathrand.Float64()
	var x float64
	if u < peak {
		x = math.Sqrt(u * peak)
	} else {
		x = 1 - math.Sqrt((1-u)*(1-peak))
	}
	return time.Duration(x * float64(window))
}

func sleepUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}

// residentVisit is one resident opening the mini-program and signing.
func (w *world) residentVisit(ctx context.Context, rec *recorder, r resident, i int) {
	rec.timed(kindMyRounds, func() error { return w.client.call(ctx, "GET", "/api/v1/me/rounds", r.token, nil, nil) })
	if i%2 == 0 {
		rec.timed(kindNotice, func() error { return w.client.call(ctx, "GET", "/notice/"+w.estateCode, "", nil, nil) })
	}
	body := map[string]string{"decision": "agree"}
	switch {
	case i%10 == 3:
		body = map[string]string{"decision": "disagree", "comment": "电梯加装位置挡住了二楼的采光，希望调整"}
	case i%20 == 7:
		body = map[string]string{"decision": "abstain"}
	}
	rec.timed(kindMySignOf, func() error {
		return w.client.call(ctx, "PUT", "/api/v1/rounds/"+w.roundID+"/my-signoff", r.token, body, nil,
			"Idempotency-Key", fmt.Sprintf("bench-%s-signoff-%d", w.suffix, i))
	})
}

// workerDevice is one worker's phone: it syncs its households' visits and
// paper sign-offs in batches spread over the day, and checks progress.
func (w *world) workerDevice(ctx context.Context, rec *recorder, window time.Duration, dayStart time.Time, households []string) {
	batches := (len(households) + syncBatch - 1) / syncBatch
	for b := range batches {
		sleepUntil(ctx, dayStart.Add(time.Duration(float64(window)*(float64(b)+0.5)/float64(batches))))
		chunk := households[b*syncBatch : min((b+1)*syncBatch, len(households))]
		records := make([]map[string]string, 0, 2*len(chunk))
		now := time.Now().Format(time.RFC3339Nano)
		for _, h := range chunk {
			records = append(records,
				map[string]string{"client_id": newUUID(), "type": "visit", "household_id": h, "outcome": "consulted", "recorded_at": now},
				map[string]string{"client_id": newUUID(), "type": "signoff", "household_id": h, "decision": "agree",
					"channel": "door", "signer_name": "入户签字", "recorded_at": now})
		}
		rec.timed(kindSync, func() error { return w.sync(ctx, records) })
		rec.timed(kindProgress, func() error {
			return w.client.call(ctx, "GET", "/api/v1/rounds/"+w.roundID+"/progress", w.worker, nil, nil)
		})
	}
}

// sync posts a batch and fails unless every record was applied.
func (w *world) sync(ctx context.Context, records []map[string]string) error {
	var out struct {
		Results []struct {
			ClientID string `json:"client_id"`
			Status   string `json:"status"`
			Error    *struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		} `json:"results"`
	}
	if err := w.client.call(ctx, "POST", "/api/v1/rounds/"+w.roundID+"/sync", w.worker, map[string]any{"records": records}, &out); err != nil {
		return err
	}
	for _, r := range out.Results {
		if r.Status != "applied" {
			return fmt.Errorf("sync record %s: %s %+v", r.ClientID, r.Status, r.Error)
		}
	}
	if len(out.Results) != len(records) {
		return fmt.Errorf("sync answered %d results for %d records", len(out.Results), len(records))
	}
	return nil
}

// designerReads reads the feedback and the tally, about twice a second,
// until stop ends (a read in flight then finishes).
func (w *world) designerReads(ctx, stop context.Context, rec *recorder) {
	for stop.Err() == nil {
		rec.timed(kindFeedback, func() error {
			return w.client.call(ctx, "GET", "/api/v1/estates/"+w.estateID+"/feedback?round_id="+w.roundID, w.designer, nil, nil)
		})
		rec.timed(kindTally, func() error {
			return w.client.call(ctx, "GET", "/api/v1/rounds/"+w.roundID+"/tally", w.designer, nil, nil)
		})
		sleepUntil(stop, time.Now().Add(500*time.Millisecond))
	}
}

// checkEveryoneDecided reads the tally: every household must have decided.
func (w *world) checkEveryoneDecided(ctx context.Context, rec *recorder) error {
	var tally struct {
		Participated struct {
			Households int `json:"households"`
		} `json:"participated"`
	}
	if err := w.client.call(ctx, "GET", "/api/v1/rounds/"+w.roundID+"/tally?recount=true", w.admin, nil, &tally); err != nil {
		return err
	}
	if tally.Participated.Households != len(w.households) {
		rec.mu.Lock()
		rec.errors[kindAll]++
		if rec.first == "" {
			rec.first = fmt.Sprintf("after the day %d of %d households have decided", tally.Participated.Households, len(w.households))
		}
		rec.mu.Unlock()
	}
	return nil
}
