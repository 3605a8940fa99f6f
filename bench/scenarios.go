package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
)

// decisions are cycled so that every sign-off request changes the
// household's decision (a repeat of the same decision writes nothing).
var decisions = []string{"agree", "disagree", "abstain"}

// runSignOffs measures staff sign-off writes (PUT .../signoffs/{household})
// at each concurrency and, with -mysql, the bare single-row upsert
// transaction next to it, and prints the ratio.
func runSignOffs(ctx context.Context, o *options, out io.Writer) (*report, error) {
	c := newClient(o.URL, slices.Max(o.Clients))
	w, err := seedWorld(ctx, o, c, o.Households, true, out)
	if err != nil {
		return nil, err
	}
	var bare *bareUpsert
	if o.MySQLURL != "" {
		if bare, err = openBare(ctx, o.MySQLURL, o.Households); err != nil {
			return nil, err
		}
		defer bare.close()
	}
	rep := &report{}
	var counter atomic.Int64
	signOff := func(ctx context.Context, _ int) error {
		n := int(counter.Add(1) - 1)
		household := w.households[n%len(w.households)]
		decision := decisions[(n/len(w.households))%len(decisions)]
		return c.call(ctx, "PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+household, w.worker,
			map[string]string{"decision": decision, "channel": "paper", "signer_name": "签字人"}, nil)
	}
	fmt.Fprintf(out, "signoffs: %d households, %s per run\n", o.Households, o.Duration)
	for _, clients := range o.Clients {
		if bare == nil {
			measure(ctx, o, out, rep, "signoff PUT", clients, signOff)
			continue
		}
		both := measureTogether(ctx, o, out, rep, clients, load{"signoff PUT", signOff}, load{"bare upsert tx", bare.op})
		api, raw := both[0], both[1]
		ratio := api.Median.Throughput / raw.Median.Throughput
		api.Extra = map[string]float64{"ratio_to_bare": ratio}
		fmt.Fprintf(out, "  RATIO signoff/bare at c=%d: %.2f\n", clients, ratio)
	}
	return rep, nil
}

// runBare measures only the bare single-row upsert transaction on MySQL.
func runBare(ctx context.Context, o *options, out io.Writer) (*report, error) {
	bare, err := openBare(ctx, o.MySQLURL, o.Households)
	if err != nil {
		return nil, err
	}
	defer bare.close()
	rep := &report{}
	fmt.Fprintf(out, "bare: INSERT ... ON DUPLICATE KEY UPDATE of one row per transaction, %d keys\n", o.Households)
	for _, clients := range o.Clients {
		measure(ctx, o, out, rep, "bare upsert tx", clients, bare.op)
	}
	return rep, nil
}

// runTally measures the tally read of rounds of each size in -sizes; a few
// households of each have signed, so the counters are not all zero.
func runTally(ctx context.Context, o *options, out io.Writer) (*report, error) {
	c := newClient(o.URL, slices.Max(o.Clients))
	rep := &report{}
	for _, size := range o.TallySizes {
		w, err := seedWorld(ctx, o, c, size, true, out)
		if err != nil {
			return nil, err
		}
		signed := max(1, min(size/10, 200))
		for i := range signed {
			if err := c.call(ctx, "PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.households[i*size/signed], w.worker,
				map[string]string{"decision": decisions[i%3], "channel": "door", "signer_name": "签字人"}, nil); err != nil {
				return nil, err
			}
		}
		tally := func(ctx context.Context, _ int) error {
			return c.call(ctx, "GET", "/api/v1/rounds/"+w.roundID+"/tally", w.worker, nil, nil)
		}
		for _, clients := range o.Clients {
			measure(ctx, o, out, rep, fmt.Sprintf("tally %d households", size), clients, tally)
		}
	}
	return rep, nil
}

// answerBytes GETs path as a phone does (Accept-Encoding: gzip) and returns
// the body's length as sent and once inflated.
func answerBytes(ctx context.Context, c *client, path string) (sent, inflated int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.http.Do(req) // c does not inflate: the body is read as sent
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, &statusError{Method: http.MethodGet, Path: path, Status: resp.StatusCode}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		return int64(len(body)), int64(len(body)), err
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	inflated, err = io.Copy(io.Discard, zr)
	return int64(len(body)), inflated, err
}

// runNotice measures the public notice board page and its JSON against
// /healthz, at each concurrency, and prints the ratio page/healthz.
func runNotice(ctx context.Context, o *options, out io.Writer) (*report, error) {
	c := newClient(o.URL, slices.Max(o.Clients))
	w, err := seedWorld(ctx, o, c, o.Households, true, out)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(w.households)/20; i++ {
		if err := c.call(ctx, "PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.households[i*20], w.worker,
			map[string]string{"decision": "agree", "channel": "paper", "signer_name": "签字人"}, nil); err != nil {
			return nil, err
		}
	}
	noteFileLimit(out, slices.Max(o.Clients))
	// The readers are phones: a browser or WeChat's web view asks for gzip
	// and inflates what it gets, and so does this client (Go's transport
	// does both when compression is not disabled), reading every byte of the
	// page as a phone would. /healthz goes through the same client.
	reader := newClient(o.URL, slices.Max(o.Clients))
	reader.http.Transport.(*http.Transport).DisableCompression = false
	get := func(path string) operation {
		return func(ctx context.Context, _ int) error { return reader.call(ctx, "GET", path, "", nil, nil) }
	}
	// Warm up: the first page view builds the estate's cached read model
	// (hundreds of milliseconds), which the runs are not about.
	for _, path := range []string{"/notice/" + w.estateCode, "/api/v1/public/estates/" + w.estateCode} {
		sent, inflated, err := answerBytes(ctx, c, path)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "  %s: %d bytes sent, %d once inflated\n", path, sent, inflated)
	}
	if err := reader.call(ctx, "GET", "/healthz", "", nil, nil); err != nil {
		return nil, err
	}
	rep := &report{}
	for _, clients := range o.Clients {
		all := measureTogether(ctx, o, out, rep, clients, load{"notice page", get("/notice/" + w.estateCode)},
			load{"notice JSON", get("/api/v1/public/estates/" + w.estateCode)}, load{"healthz", get("/healthz")})
		page, publicJSON, health := all[0], all[1], all[2]
		page.Extra = map[string]float64{"ratio_to_healthz": page.Median.Throughput / health.Median.Throughput}
		publicJSON.Extra = map[string]float64{"ratio_to_healthz": publicJSON.Median.Throughput / health.Median.Throughput}
		fmt.Fprintf(out, "  RATIO notice page/healthz at c=%d: %.2f; notice JSON/healthz: %.2f\n",
			clients, page.Extra["ratio_to_healthz"], publicJSON.Extra["ratio_to_healthz"])
	}
	return rep, nil
}
