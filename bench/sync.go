package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// syncAim is the aim for one full offline batch (1,000 records).
const syncAim = time.Second

// runSync measures a worker device's largest offline batch: -sync-records
// records (a visit and a sign-off per household, as a device collects them
// door to door), one batch at a time, each on households not synced before,
// -runs batches.
func runSync(ctx context.Context, o *options, out io.Writer) (*report, error) {
	perBatch := (o.SyncRecords + 1) / 2 // households per batch
	c := newClient(o.URL, 4)
	w, err := seedWorld(ctx, o, c, max(o.Households, perBatch*o.Runs), true, out)
	if err != nil {
		return nil, err
	}
	m := &measurement{Name: fmt.Sprintf("sync %d records", 2*perBatch), Clients: 1}
	for run := 0; run < o.Runs; run++ {
		records := make([]map[string]string, 0, 2*perBatch)
		now := time.Now().Format(time.RFC3339Nano)
		for _, h := range w.households[run*perBatch : (run+1)*perBatch] {
			records = append(records,
				map[string]string{"client_id": newUUID(), "type": "visit", "household_id": h, "outcome": "consulted", "recorded_at": now},
				map[string]string{"client_id": newUUID(), "type": "signoff", "household_id": h, "decision": decisions[run%3],
					"channel": "door", "signer_name": "入户签字", "recorded_at": now})
		}
		before := o.cpu.sample()
		start := time.Now()
		err := w.sync(ctx, records)
		took := time.Since(start)
		s := summary{Throughput: float64(len(records)) / took.Seconds(), P50: took, P90: took, P99: took, Ops: 1}
		if err != nil {
			s.Errors = 1
			fmt.Fprintf(out, "    error: %v\n", err)
		}
		s.ServerCPU, s.DatabaseCPU = cpuPerOp(before, o.cpu.sample(), 1)
		m.Runs = append(m.Runs, s)
		fmt.Fprintf(out, "  sync batch %d/%d: %d records in %s (%.0f records/s), CPU server %s db %s (load %s)\n",
			run+1, o.Runs, len(records), ms(took), s.Throughput, msPrecise(s.ServerCPU), msPrecise(s.DatabaseCPU), loadAverage())
	}
	m.Median = medianOf(m.Runs)
	verdict := "met"
	if m.Median.P50 >= syncAim || m.Median.Errors > 0 {
		verdict = "NOT met"
	}
	fmt.Fprintf(out, "  MEDIAN sync of %d records: %s, CPU server %s db %s; aim < 1 s: %s\n",
		2*perBatch, ms(m.Median.P50), msPrecise(m.Median.ServerCPU), msPrecise(m.Median.DatabaseCPU), verdict)
	return &report{Measurements: []*measurement{m}}, nil
}
