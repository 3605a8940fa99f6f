package faulttest

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"minyi/model/testdb"
)

// Modes of the database proxy.
const (
	proxyUp        = "up"        // forward to the database
	proxyRefusing  = "refusing"  // accept and close at once (the database is down)
	proxyBlackhole = "blackhole" // accept and never answer (a host that is gone)
	proxyPartition = "partition" // open connections fall silent too (a network partition)
)

// dbProxy stands between the server and MySQL so that a test can cut the
// database off and bring it back without touching the shared server.
type dbProxy struct {
	listener net.Listener
	target   string
	mu       sync.Mutex
	mode     string
	conns    map[net.Conn]bool
}

// silent tells whether forwarding is suspended.
func (p *dbProxy) silent() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode == proxyPartition
}

func startProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{listener: l, target: target, mode: proxyUp, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.set(proxyRefusing)
	})
	return p
}

func (p *dbProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.conns[client] = true
		p.mu.Unlock()
		switch mode {
		case proxyRefusing:
			p.drop(client)
		case proxyBlackhole, proxyPartition:
			// Held open, never answered, until the mode changes.
		default:
			go p.forward(client)
		}
	}
}

func (p *dbProxy) forward(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		p.drop(client)
		return
	}
	p.mu.Lock()
	p.conns[server] = true
	p.mu.Unlock()
	go p.pipe(server, client)
	p.pipe(client, server)
}

// pipe copies src to dst; while partitioned, what arrives is held back.
func (p *dbProxy) pipe(dst, src net.Conn) {
	defer p.drop(dst)
	defer p.drop(src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for n > 0 && p.silent() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *dbProxy) drop(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// set changes the mode; every open connection is closed, as a stopped
// database does, except in a partition, where they just fall silent.
func (p *dbProxy) set(mode string) {
	p.mu.Lock()
	p.mode = mode
	conns := p.conns
	if mode != proxyPartition {
		p.conns = map[net.Conn]bool{}
	}
	p.mu.Unlock()
	if mode == proxyPartition {
		return
	}
	for c := range conns {
		c.Close()
	}
}

// TestDatabaseOutage cuts the database off behind a running server (a
// refused connection; a host that accepts and never answers; a partition in
// which the open connections fall silent too) and checks that
// /readyz and writes answer 503 with Retry-After within 2 s, and that the
// server recovers by itself when the database returns.
func TestDatabaseOutage(t *testing.T) {
	direct := testdb.MySQLURL(t) // skips without MySQL: the embedded SQLite cannot be unreachable
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target += ":3306"
	}
	proxy := startProxy(t, target)
	u.Host = proxy.listener.Addr().String()
	dataDir := t.TempDir()
	server := startServer(t, u.String(), dataDir)
	c := login(t, server.base)
	k := openConsultation(t, c, "outage", 20)
	c.must(t, http.StatusOK, "PUT", k.signOffPath(0), map[string]string{"decision": "agree", "channel": "paper", "signer_name": "甲"}, nil)

	for i, mode := range []string{proxyRefusing, proxyBlackhole, proxyPartition} {
		proxy.set(mode)
		ready, err := c.call(context.Background(), "GET", "/readyz", nil)
		if err != nil || ready.status != http.StatusServiceUnavailable || ready.elapsed > 2500*time.Millisecond {
			t.Fatalf("%s: /readyz answered %+v (%v), want 503 within 2 s", mode, ready, err)
		}
		decision := []string{"disagree", "abstain", "agree"}[i]
		write, err := c.call(context.Background(), "PUT", k.signOffPath(1), map[string]string{"decision": decision, "channel": "paper", "signer_name": "乙"})
		if err != nil || write.status != http.StatusServiceUnavailable || write.header.Get("Retry-After") == "" {
			t.Fatalf("%s: a write answered %+v (%v), want 503 with Retry-After", mode, write, err)
		}
		if write.elapsed > 2500*time.Millisecond {
			t.Fatalf("%s: the write took %v to answer 503, want at most 2 s", mode, write.elapsed)
		}
		t.Logf("%s: /readyz 503 in %v, write 503 (Retry-After %s) in %v", mode, ready.elapsed.Round(time.Millisecond),
			write.header.Get("Retry-After"), write.elapsed.Round(time.Millisecond))

		proxy.set(proxyUp)
		start := time.Now()
		for {
			r, err := c.call(context.Background(), "PUT", k.signOffPath(1), map[string]string{"decision": decision, "channel": "paper", "signer_name": "乙"})
			if err == nil && r.status == http.StatusOK {
				break
			}
			if time.Since(start) > 15*time.Second {
				t.Fatalf("%s: no recovery 15 s after the database returned: %+v %v", mode, r, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if ready, err := c.call(context.Background(), "GET", "/readyz", nil); err != nil || ready.status != http.StatusOK {
			t.Fatalf("%s: /readyz after recovery: %+v %v", mode, ready, err)
		}
		t.Logf("%s: recovered %v after the database returned", mode, time.Since(start).Round(time.Millisecond))
	}
	tallyMatchesRecount(t, c, k.roundID)
}
