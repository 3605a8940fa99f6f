package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's CPU
// times (100 on Linux on every common architecture).
const clockTicks = 100

// cpuWatch reads the CPU time used by the server and the database
// processes, so that a run's cost per operation can be reported (a figure
// that holds on a busy machine, where throughput does not).
type cpuWatch struct {
	serverPID, databasePID int
}

// newCPUWatch finds the processes: the server by -pid or by the port of
// -url, the database by -db-pid or the port of -mysql (3306 when not given). A process
// that is not on this machine is left out.
func newCPUWatch(o *options) *cpuWatch {
	w := &cpuWatch{serverPID: o.PID}
	if w.serverPID == 0 {
		w.serverPID, _ = pidListeningOn(o.URL)
	}
	database := "tcp://127.0.0.1:3306"
	if o.MySQLURL != "" {
		if u, err := url.Parse(o.MySQLURL); err == nil && u.Port() != "" {
			database = "tcp://127.0.0.1:" + u.Port()
		}
	}
	if w.databasePID = o.DatabasePID; w.databasePID == 0 {
		w.databasePID, _ = pidListeningOn(database)
	}
	return w
}

// cpuSample is the CPU time of both processes at one moment.
type cpuSample struct{ server, database time.Duration }

func (w *cpuWatch) sample() cpuSample {
	if w == nil {
		return cpuSample{}
	}
	return cpuSample{server: processCPU(w.serverPID), database: processCPU(w.databasePID)}
}

// processCPU is a process's user plus system CPU time (0 when unknown).
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it are plain.
	text := string(data)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(fields[11], 10, 64)   // utime, field 14
	system, _ := strconv.ParseInt(fields[12], 10, 64) // stime, field 15
	return time.Duration(user+system) * time.Second / clockTicks
}

// cpuPerOp is the CPU time per operation between two samples.
func cpuPerOp(before, after cpuSample, ops int) (server, database time.Duration) {
	if ops == 0 {
		return 0, 0
	}
	return (after.server - before.server) / time.Duration(ops), (after.database - before.database) / time.Duration(ops)
}
