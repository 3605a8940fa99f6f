package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// operation is one request (or transaction) of a load run, made by a worker.
type operation func(ctx context.Context, worker int) error

// result is what one run measured.
type result struct {
	Ops        int
	Errors     int
	FirstError string
	Elapsed    time.Duration
	// Latencies are sorted, successful and failed operations alike.
	Latencies []time.Duration
}

// Throughput is successful operations per second.
func (r result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops-r.Errors) / r.Elapsed.Seconds()
}

// Percentile is the latency below which a share q of the operations fell.
func (r result) Percentile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(r.Latencies)))) - 1
	return r.Latencies[max(0, min(i, len(r.Latencies)-1))]
}

// summary is one measurement's figures: one run's, or the medians of several.
type summary struct {
	Throughput    float64
	P50, P90, P99 time.Duration
	Ops, Errors   int
	// ServerCPU and DatabaseCPU are the CPU time per operation of the
	// server and database processes (0 when they are not on this machine).
	ServerCPU, DatabaseCPU time.Duration
}

func summarize(r result) summary {
	return summary{Throughput: r.Throughput(), P50: r.Percentile(0.50), P90: r.Percentile(0.90),
		P99: r.Percentile(0.99), Ops: r.Ops, Errors: r.Errors}
}

// medianOf takes each figure's median over the runs; errors are summed.
func medianOf(runs []summary) summary {
	pick := func(get func(summary) float64) float64 {
		values := make([]float64, len(runs))
		for i, s := range runs {
			values[i] = get(s)
		}
		sort.Float64s(values)
		if len(values)%2 == 1 {
			return values[len(values)/2]
		}
		return (values[len(values)/2-1] + values[len(values)/2]) / 2
	}
	dur := func(get func(summary) time.Duration) time.Duration {
		return time.Duration(pick(func(s summary) float64 { return float64(get(s)) }))
	}
	m := summary{
		Throughput:  pick(func(s summary) float64 { return s.Throughput }),
		P50:         dur(func(s summary) time.Duration { return s.P50 }),
		P90:         dur(func(s summary) time.Duration { return s.P90 }),
		P99:         dur(func(s summary) time.Duration { return s.P99 }),
		Ops:         int(pick(func(s summary) float64 { return float64(s.Ops) })),
		ServerCPU:   dur(func(s summary) time.Duration { return s.ServerCPU }),
		DatabaseCPU: dur(func(s summary) time.Duration { return s.DatabaseCPU }),
	}
	for _, s := range runs {
		m.Errors += s.Errors
	}
	return m
}

// measurement is one line of the report: a named load at a concurrency,
// with every run and the medians.
type measurement struct {
	Name    string
	Clients int
	Runs    []summary
	Median  summary
	// Extra holds figures that are not latencies (memory, ratios).
	Extra map[string]float64
}

// report is everything a scenario measured.
type report struct {
	Measurements []*measurement
}

// Errors is the number of failed operations over every run.
func (r *report) Errors() int {
	n := 0
	for _, m := range r.Measurements {
		n += m.Median.Errors
	}
	return n
}

// find returns the measurement with a name and concurrency (nil if none).
func (r *report) find(name string, clients int) *measurement {
	for _, m := range r.Measurements {
		if m.Name == name && m.Clients == clients {
			return m
		}
	}
	return nil
}

// runLoad runs op with the given number of concurrent workers for d and
// measures every call.
func runLoad(ctx context.Context, clients int, d time.Duration, op operation) result {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg         sync.WaitGroup
		errors     atomic.Int64
		firstError atomic.Value
	)
	perWorker := make([][]time.Duration, clients)
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := true; first || ctx.Err() == nil; first = false {
				// Every client completes at least one operation, even when the
				// run is shorter than one (a brief test run on a busy machine).
				opCtx := ctx
				if first {
					opCtx = parent
				}
				t0 := time.Now()
				err := op(opCtx, w)
				if opCtx.Err() != nil && err != nil {
					return // cut off by the end of the run: neither counted nor failed
				}
				perWorker[w] = append(perWorker[w], time.Since(t0))
				if err != nil {
					errors.Add(1)
					firstError.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	r := result{Elapsed: time.Since(start), Errors: int(errors.Load())}
	if v := firstError.Load(); v != nil {
		r.FirstError = v.(string)
	}
	for _, l := range perWorker {
		r.Latencies = append(r.Latencies, l...)
	}
	sort.Slice(r.Latencies, func(i, j int) bool { return r.Latencies[i] < r.Latencies[j] })
	r.Ops = len(r.Latencies)
	return r
}

// load is a named operation to measure.
type load struct {
	name string
	op   operation
}

// measure runs a load o.Runs times, prints each run and the medians, and
// adds the measurement to the report.
func measure(ctx context.Context, o *options, out io.Writer, rep *report, name string, clients int, op operation) *measurement {
	return measureTogether(ctx, o, out, rep, clients, load{name, op})[0]
}

// measureTogether measures loads that are to be compared: their runs take
// turns (a, b, a, b, ...), so that a change in the machine's other load
// falls on all of them alike.
func measureTogether(ctx context.Context, o *options, out io.Writer, rep *report, clients int, loads ...load) []*measurement {
	measurements := make([]*measurement, len(loads))
	for i, l := range loads {
		measurements[i] = &measurement{Name: l.name, Clients: clients}
	}
	for run := 1; run <= o.Runs; run++ {
		for i, l := range loads {
			before := o.cpu.sample()
			r := runLoad(ctx, clients, o.Duration, l.op)
			s := summarize(r)
			s.ServerCPU, s.DatabaseCPU = cpuPerOp(before, o.cpu.sample(), r.Ops)
			measurements[i].Runs = append(measurements[i].Runs, s)
			fmt.Fprintf(out, "  %-22s c=%-5d run %d/%d: %s  (load %s)\n", l.name, clients, run, o.Runs, formatSummary(s), loadAverage())
			if r.FirstError != "" {
				fmt.Fprintf(out, "    first error: %s\n", r.FirstError)
			}
		}
	}
	for _, m := range measurements {
		m.Median = medianOf(m.Runs)
		fmt.Fprintf(out, "  %-22s c=%-5d MEDIAN   : %s\n", m.Name, clients, formatSummary(m.Median))
		rep.Measurements = append(rep.Measurements, m)
	}
	return measurements
}

func formatSummary(s summary) string {
	text := fmt.Sprintf("%9.1f op/s  p50 %7s  p90 %7s  p99 %7s  ops %7d  errors %d",
		s.Throughput, ms(s.P50), ms(s.P90), ms(s.P99), s.Ops, s.Errors)
	if s.ServerCPU > 0 || s.DatabaseCPU > 0 {
		text += fmt.Sprintf("  cpu/op server %s db %s", msPrecise(s.ServerCPU), msPrecise(s.DatabaseCPU))
	}
	return text
}

// msPrecise writes a short duration in milliseconds with two decimals.
func msPrecise(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// ms writes a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
