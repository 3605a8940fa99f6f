package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memoryAimBytes is the resident-set aim of the server under the day (150 MB).
const memoryAimBytes = 150 << 20

// runMemory plays the day (scenario 4) while sampling the server process's
// resident set every 100 ms, and reports its peak.
func runMemory(ctx context.Context, o *options, out io.Writer) (*report, error) {
	pid := o.PID
	if pid == 0 {
		var err error
		if pid, err = pidListeningOn(o.URL); err != nil {
			return nil, fmt.Errorf("%w (give the server's process id with -pid)", err)
		}
	}
	before, err := readMemory(pid)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "memory: server pid %d, resident set before the day %s (peak so far %s)\n", pid, mb(before.RSS), mb(before.HWM))
	watch := &memoryWatch{pid: pid}
	rep, err := dayRuns(ctx, o, out, watch)
	if err != nil {
		return nil, err
	}
	after, err := readMemory(pid)
	if err != nil {
		return nil, err
	}
	m := &measurement{Name: "memory", Extra: map[string]float64{
		"rss_before_bytes": float64(before.RSS), "rss_peak_sampled_bytes": float64(watch.peak),
		"vm_hwm_bytes": float64(after.HWM), "rss_after_bytes": float64(after.RSS)}}
	rep.Measurements = append(rep.Measurements, m)
	verdict := "met"
	if after.HWM >= memoryAimBytes {
		verdict = "NOT met"
	}
	fmt.Fprintf(out, "  MEMORY: resident set before %s, sampled peak during the days %s, VmHWM (process peak) %s, after %s; aim < 150 MB: %s\n",
		mb(before.RSS), mb(watch.peak), mb(after.HWM), mb(after.RSS), verdict)
	return rep, nil
}

// memoryWatch samples a process's resident set while a day runs.
type memoryWatch struct {
	pid     int
	peak    int64 // bytes, over every day
	halt    chan struct{}
	done    sync.WaitGroup
	current int64 // peak of the current run
}

func (m *memoryWatch) start() {
	m.halt = make(chan struct{})
	m.current = 0
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		for {
			if mem, err := readMemory(m.pid); err == nil && mem.RSS > m.current {
				m.current = mem.RSS
			}
			select {
			case <-m.halt:
				return
			case <-ticker.C:
			}
		}
	}()
}

func (m *memoryWatch) stop(out io.Writer, run, runs int) {
	close(m.halt)
	m.done.Wait()
	m.peak = max(m.peak, m.current)
	fmt.Fprintf(out, "  memory run %d/%d: sampled resident-set peak %s\n", run, runs, mb(m.current))
}

// processMemory is a process's current resident set and its peak (VmHWM).
type processMemory struct{ RSS, HWM int64 }

// readMemory reads VmRSS and VmHWM from /proc/<pid>/status.
func readMemory(pid int) (processMemory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return processMemory{}, fmt.Errorf("read the server's memory: %w", err)
	}
	defer f.Close()
	var mem processMemory
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, value, ok := strings.Cut(scanner.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value) // "123456 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			mem.RSS = kb << 10
		case "VmHWM":
			mem.HWM = kb << 10
		}
	}
	if mem.RSS == 0 {
		return mem, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return mem, scanner.Err()
}

// pidListeningOn finds the process listening on the URL's TCP port on this
// machine, through /proc/net/tcp{,6} and the processes' open sockets.
func pidListeningOn(base string) (int, error) {
	u, err := url.Parse(base)
	if err != nil {
		return 0, err
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		if port = 80; u.Scheme == "https" {
			port = 443
		}
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A = LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("nothing listens on port %d here", port)
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && inodes[link] {
			return strconv.Atoi(strings.Split(fd, "/")[2])
		}
	}
	return 0, errors.New("the process listening on port " + strconv.Itoa(port) + " was not found (another user's?)")
}

// mb writes bytes as mebibytes with one decimal.
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
