// Command bench is Minyi's load generator: it seeds what a scenario needs
// through the HTTP API of a running server, then measures it with concurrent
// clients and prints throughput, latency percentiles and errors.
//
//	go run ./bench -url http://127.0.0.1:8080 -scenario signoffs -mysql mysql://root@127.0.0.1:3306/minyi_bench
//
// Scenarios: signoffs, bare, tally, notice, day, memory, sync, scale-seed,
// scale (see bench/README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// options are the command line's settings, shared by every scenario.
type options struct {
	URL           string
	Scenario      string
	Clients       []int
	Duration      time.Duration
	Runs          int
	Households    int
	TallySizes    []int
	AdminUser     string
	AdminPassword string
	MySQLURL      string
	PID           int
	DatabasePID   int
	OnlineShare   float64
	// SyncRecords is the size of one offline batch (sync).
	SyncRecords int
	// Seed is the scale seed's settings (scale-seed).
	Seed scaleSeedOptions
	// Tag names a scale seed's estates (scale-seed, scale).
	Tag string
	// ScaleStaff is how many workers and designers the scale scenario logs in.
	ScaleStaff int
	// Rates are the scale scenario's open-loop request rates (empty: -c clients).
	Rates []int
	// ScaleEach is how long the scale scenario then runs each endpoint alone (0: not).
	ScaleEach time.Duration
	// cpu reads the server's and the database's CPU time (nil: not measured).
	cpu *cpuWatch
}

// scenarios maps a name to its function; each prints as it goes and returns
// its measurements.
var scenarios = map[string]func(ctx context.Context, o *options, out io.Writer) (*report, error){
	"signoffs":   runSignOffs,
	"bare":       runBare,
	"tally":      runTally,
	"notice":     runNotice,
	"day":        runDay,
	"memory":     runMemory,
	"sync":       runSync,
	"scale-seed": runScaleSeed,
	"scale":      runScale,
}

// scenarioNames lists the scenarios for messages.
const scenarioNames = "signoffs, bare, tally, notice, day, memory, sync, scale-seed or scale"

func main() {
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("# minyi bench: scenario %s against %s, %d run(s) of %s, load average %s\n",
		o.Scenario, o.URL, o.Runs, o.Duration, loadAverage())
	if o.cpu.serverPID > 0 || o.cpu.databasePID > 0 {
		fmt.Printf("# CPU per operation from /proc: server pid %d, database pid %d (0: not on this machine)\n", o.cpu.serverPID, o.cpu.databasePID)
	}
	rep, err := scenarios[o.Scenario](ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("# done; load average %s\n", loadAverage())
	if rep.Errors() > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d request(s) failed\n", rep.Errors())
		os.Exit(1)
	}
}

// parseOptions reads the flags; defaults that depend on the scenario are
// filled in when the flag was not given.
func parseOptions(args []string) (*options, error) {
	o := &options{}
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "base URL of the running server")
	flags.StringVar(&o.Scenario, "scenario", "", scenarioNames)
	clients := flags.String("c", "", "concurrent clients, comma-separated (default: signoffs/bare 16,64,256; tally 64; notice 1000; day 64)")
	flags.DurationVar(&o.Duration, "d", 10*time.Second, "duration of one run (day: the length of the burst)")
	flags.IntVar(&o.Runs, "runs", 3, "runs of each measurement; the median is reported")
	flags.IntVar(&o.Households, "households", 2000, "households of the seeded estate (signoffs, notice, day, sync); scale-seed: in all")
	sizes := flags.String("sizes", "1000,10000,100000", "tally: households of each round, comma-separated")
	flags.StringVar(&o.AdminUser, "admin-user", envOr("MINYI_BENCH_ADMIN_USERNAME", envOr("MINYI_ADMIN_USERNAME", "admin")), "admin username (env MINYI_BENCH_ADMIN_USERNAME)")
	flags.StringVar(&o.AdminPassword, "admin-password", envOr("MINYI_BENCH_ADMIN_PASSWORD", os.Getenv("MINYI_ADMIN_PASSWORD")), "admin password (env MINYI_BENCH_ADMIN_PASSWORD)")
	flags.StringVar(&o.MySQLURL, "mysql", "", "bare/signoffs: mysql://user:pass@host:port/db for the bare upsert (a scratch table is created there)")
	flags.IntVar(&o.PID, "pid", 0, "the server's process id, for memory and CPU per operation (default: the process listening on -url's port)")
	flags.IntVar(&o.DatabasePID, "db-pid", 0, "the database server's process id, for CPU per operation (default: the process listening on -mysql's port, else 3306)")
	flags.Float64Var(&o.OnlineShare, "online", 0.8, "day: share of households that sign online")
	flags.IntVar(&o.SyncRecords, "sync-records", 1000, "sync: records of one offline batch (a visit and a sign-off per household)")
	flags.IntVar(&o.Seed.Estates, "estates", 40, "scale-seed: estates to create")
	flags.Float64Var(&o.Seed.OpenShare, "open-share", 0.5, "scale-seed: share of the rounds left open (the others are closed)")
	flags.IntVar(&o.Seed.Seeders, "seeders", 4, "scale-seed: estates seeded at once")
	flags.StringVar(&o.Seed.DataKey, "data-key", os.Getenv("MINYI_DATA_KEY"), "scale-seed: the server's data key, to seal phone numbers (env MINYI_DATA_KEY)")
	flags.StringVar(&o.Tag, "tag", "", "scale-seed: the seed's name (default scale-<random>); scale: the seed to load (default the latest)")
	flags.IntVar(&o.ScaleStaff, "scale-staff", 40, "scale: workers and designers that log in (each reads the estates assigned to them)")
	rates := flags.String("rate", "", "scale: requests per second arriving at random (open loop), comma-separated; instead of -c")
	flags.DurationVar(&o.ScaleEach, "each", 0, "scale: then run each endpoint alone for this long, for its CPU per request")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	if _, ok := scenarios[o.Scenario]; !ok {
		return nil, fmt.Errorf("-scenario must be one of %s (got %q)", scenarioNames, o.Scenario)
	}
	if (o.Scenario == "scale-seed" || o.Scenario == "scale") && o.MySQLURL == "" {
		return nil, fmt.Errorf("-scenario %s needs -mysql mysql://user:pass@host:port/db (the server's database)", o.Scenario)
	}
	if o.SyncRecords < 2 || o.SyncRecords > 1000 || o.ScaleStaff < 1 {
		return nil, errors.New("-sync-records must be between 2 and 1000, -scale-staff at least 1")
	}
	o.Seed.Households, o.Seed.Tag = o.Households, o.Tag
	if o.Scenario != "bare" && o.AdminPassword == "" {
		return nil, errors.New("the admin password is missing: -admin-password or MINYI_BENCH_ADMIN_PASSWORD")
	}
	if o.Scenario == "bare" && o.MySQLURL == "" {
		return nil, errors.New("-scenario bare needs -mysql mysql://user:pass@host:port/db")
	}
	if o.Runs < 1 || o.Duration <= 0 || o.Households < 10 || o.OnlineShare < 0 || o.OnlineShare > 1 {
		return nil, errors.New("-runs must be at least 1, -d positive, -households at least 10, -online between 0 and 1")
	}
	o.URL = strings.TrimRight(o.URL, "/")
	o.cpu = newCPUWatch(o)
	var err error
	if *clients == "" {
		*clients = map[string]string{"signoffs": "16,64,256", "bare": "16,64,256", "tally": "64", "notice": "1000", "scale": "32"}[o.Scenario]
		if *clients == "" {
			*clients = "64"
		}
	}
	if o.Clients, err = parseInts(*clients); err != nil {
		return nil, fmt.Errorf("-c: %w", err)
	}
	if *rates != "" {
		if o.Rates, err = parseInts(*rates); err != nil {
			return nil, fmt.Errorf("-rate: %w", err)
		}
	}
	if o.TallySizes, err = parseInts(*sizes); err != nil {
		return nil, fmt.Errorf("-sizes: %w", err)
	}
	return o, nil
}

func parseInts(text string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(text, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// loadAverage is the machine's 1, 5 and 15 minute load average ("?" when unknown).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "?"
	}
	return strings.Join(fields[:3], " ")
}
