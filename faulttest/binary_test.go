// Package faulttest proves what the service promises under load and faults:
// concurrent sign-offs through the real router, and the real binary
// surviving SIGTERM, SIGKILL and a database that stops answering.
package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the minyi executable built once for the tests that start it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "minyi-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "minyi")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Credentials and secrets of the servers the tests start.
const (
	adminUser     = "admin"
	adminPassword = "fault-admin-password"
	jwtSecret     = "fault-test-jwt-secret-0123456789abcdef"
	dataKey       = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

// lockedBuffer collects a process's output safely across goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running minyi server.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	output *lockedBuffer
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// serverEnv is the environment of a server on this database and data directory.
func serverEnv(databaseURL, dataDir, addr string) []string {
	return append(os.Environ(), "MINYI_ADDR="+addr, "MINYI_DATABASE_URL="+databaseURL, "MINYI_DATA_DIR="+dataDir,
		"MINYI_JWT_SECRET="+jwtSecret, "MINYI_DATA_KEY="+dataKey, "MINYI_ADMIN_USERNAME="+adminUser,
		"MINYI_ADMIN_PASSWORD="+adminPassword, "MINYI_LOG_FORMAT=text", "MINYI_PUBLIC_BASE_URL=http://"+addr)
}

// startServer runs "minyi serve" and waits until it answers /healthz.
func startServer(t *testing.T, databaseURL, dataDir string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{t: t, base: "http://" + addr, output: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(binary, "serve")
	p.cmd.Env = serverEnv(databaseURL, dataDir, addr)
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server output:\n%s", p.output.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("the server exited at start: %v\n%s", p.err, p.output.String())
		default:
		}
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server did not answer /healthz within a minute:\n%s", p.output.String())
	return nil
}

// signal sends a signal to the server.
func (p *process) signal(sig syscall.Signal) {
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits for the server to exit and returns its exit code.
func (p *process) wait(limit time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(limit):
		p.t.Fatalf("the server did not exit within %v", limit)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return 0
}

// runCommand runs a minyi sub-command against the database and returns its
// output and exit code.
func runCommand(t *testing.T, databaseURL, dataDir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = serverEnv(databaseURL, dataDir, "127.0.0.1:1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// apiClient calls the API of a server as one user.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// reply is one answer of the API.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
}

func (c *apiClient) call(ctx context.Context, method, path string, body any, headers ...string) (*reply, error) {
	var reader io.Reader
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: got, elapsed: time.Since(start)}, nil
}

// must calls the API and fails the test unless the status is the wanted one.
func (c *apiClient) must(t *testing.T, want int, method, path string, body any, out any) {
	t.Helper()
	r, err := c.call(context.Background(), method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, r.body)
		}
	}
}

// login returns a client with the admin's token.
func login(t *testing.T, base string) *apiClient {
	t.Helper()
	c := &apiClient{base: base, http: &http.Client{Timeout: 30 * time.Second}}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	c.must(t, http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"username": adminUser, "password": adminPassword}, &tokens)
	c.token = tokens.AccessToken
	return c
}

// consultation is an estate with households and an open round, made through the API.
type consultation struct {
	estateID, estateCode, roundID string
	households                    []string
}

func openConsultation(t *testing.T, c *apiClient, code string, households int) *consultation {
	t.Helper()
	k := &consultation{estateCode: code}
	var estate struct {
		ID string `json:"id"`
	}
	c.must(t, http.StatusCreated, "POST", "/api/v1/estates", map[string]string{"name": "故障测试小区", "code": code}, &estate)
	k.estateID = estate.ID
	for start := 0; start < households; start += 200 {
		var items []map[string]any
		for i := start; i < households && i < start+200; i++ {
			items = append(items, map[string]any{"building": fmt.Sprint(i%5 + 1), "unit": "1", "room": fmt.Sprint(1000 + i), "area_m2": 60 + i%30})
		}
		var created struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		c.must(t, http.StatusCreated, "POST", "/api/v1/estates/"+k.estateID+"/households", map[string]any{"items": items}, &created)
		for _, h := range created.Items {
			k.households = append(k.households, h.ID)
		}
	}
	var round struct {
		ID string `json:"id"`
	}
	c.must(t, http.StatusCreated, "POST", "/api/v1/estates/"+k.estateID+"/rounds", map[string]string{"title": "故障测试", "kind": "willingness"}, &round)
	k.roundID = round.ID
	c.must(t, http.StatusOK, "POST", "/api/v1/rounds/"+k.roundID+"/open", nil, nil)
	return k
}

func (k *consultation) signOffPath(i int) string {
	return "/api/v1/rounds/" + k.roundID + "/signoffs/" + k.households[i]
}

// tallyMatchesRecount asks for the tally with a recount and fails when the
// incremental counters disagree with the sign-off rows.
func tallyMatchesRecount(t *testing.T, c *apiClient, roundID string) int64 {
	t.Helper()
	var tally struct {
		Participated struct {
			Households int64 `json:"households"`
		} `json:"participated"`
		Recount *struct {
			Matches bool `json:"matches"`
		} `json:"recount"`
	}
	c.must(t, http.StatusOK, "GET", "/api/v1/rounds/"+roundID+"/tally?recount=true", nil, &tally)
	if tally.Recount == nil || !tally.Recount.Matches {
		t.Fatalf("the tally's counters disagree with the recount: %+v", tally.Recount)
	}
	return tally.Participated.Households
}

// isRefused tells whether a request failed because nothing accepted the connection.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused")
}
