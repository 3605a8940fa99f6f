package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// client calls the Minyi API over one shared connection pool.
type client struct {
	base string
	http *http.Client
}

// newClient builds a client whose pool keeps up to conns connections to
// the server open (the default of 2 idle connections per host would make
// every run measure TCP handshakes).
func newClient(base string, conns int) *client {
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns + 16,
		MaxIdleConnsPerHost: conns + 16,
		MaxConnsPerHost:     0, // no limit: each concurrent client may hold its own connection
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{base: base, http: &http.Client{Transport: transport, Timeout: 60 * time.Second}}
}

// statusError is an answer with an unexpected status.
type statusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// call sends a request (body as JSON when not nil) and decodes a JSON answer
// into out (when not nil). Any status outside 200-299 is an error. headers
// are name, value pairs.
func (c *client) call(ctx context.Context, method, path, token string, body, out any, headers ...string) error {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if method == http.MethodPut && req.Header.Get("Idempotency-Key") == "" {
		// A PUT is idempotent (the same decision again changes nothing), but
		// Go's transport resends only requests it knows to be: this header
		// lets it resend a PUT whose kept-alive connection the server had
		// just closed, as it does for a GET. The server ignores the header.
		req.Header.Set("X-Idempotency-Key", "bench-put")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return &statusError{Method: method, Path: path, Status: resp.StatusCode, Body: string(snippet)}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body) // read to the end, so the connection is reused
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// login returns a staff member's access token.
func (c *client) login(ctx context.Context, username, password string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.call(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &out)
	if err != nil {
		return "", fmt.Errorf("log in as %s: %w", username, err)
	}
	return out.AccessToken, nil
}

// residentLogin logs a resident in with the development login (the server
// must run with MINYI_DEV_LOGIN=1) and returns the access token.
func (c *client) residentLogin(ctx context.Context, openID string) (string, error) {
	var out struct {
		AccessToken string `json:"access_token"`
	}
	err := c.call(ctx, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": "dev:" + openID}, &out)
	if err != nil {
		return "", fmt.Errorf("resident login (is MINYI_DEV_LOGIN=1 set on the server?): %w", err)
	}
	return out.AccessToken, nil
}
