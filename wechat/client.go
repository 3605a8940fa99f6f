// Package wechat is a small client of the WeChat mini-program server API:
// the login code exchange (jscode2session), the stable access token (cached,
// refreshed once when WeChat reports it invalid), the text security check
// (msg_sec_check version 2) and the phone number exchange
// (getuserphonenumber). Its base URL is configurable so that tests run
// against a fake server (package wechattest).
//
// Secrets stay inside: the app secret and access tokens travel in URLs, so
// errors never include a URL, and the session_key WeChat returns at login is
// not even decoded.
package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// DefaultTimeout bounds each call to WeChat.
const DefaultTimeout = 5 * time.Second

// Config is what a Client needs: the mini-program's credentials and where
// WeChat answers.
type Config struct {
	AppID   string
	Secret  string
	BaseURL string // DefaultBaseURL when empty
	// Timeout bounds each HTTP exchange (DefaultTimeout when zero).
	Timeout time.Duration
	// HTTPClient is used when set (its Timeout is left alone).
	HTTPClient *http.Client
	// Now tells the time, for the access token's expiry (time.Now when nil).
	Now func() time.Time
}

// Client calls the WeChat server API. It is safe for concurrent use.
type Client struct {
	appID   string
	secret  string
	baseURL string
	http    *http.Client
	now     func() time.Time

	tokenMu     sync.Mutex
	token       string
	tokenExpiry time.Time
}

// ErrNotConfigured is returned by every call of a nil Client or one without credentials.
var ErrNotConfigured = errors.New("wechat: not configured (MINYI_WECHAT_APPID, MINYI_WECHAT_SECRET)")

// ErrTimeout wraps a call that WeChat did not answer in time.
var ErrTimeout = errors.New("wechat: timeout")

// ErrUnreachable wraps a call that failed below the WeChat protocol: no
// connection, an HTTP status other than 200, or a reply that is not JSON.
var ErrUnreachable = errors.New("wechat: unreachable")

// WeChat's error codes that the service tells apart.
const (
	CodeBusy               = -1    // system busy, try again
	CodeInvalidCredential  = 40001 // access token invalid (or wrong secret when getting one)
	CodeInvalidAppID       = 40013
	CodeInvalidAccessToken = 40014
	CodeInvalidCode        = 40029 // login or phone code invalid
	CodeInvalidSecret      = 40125
	CodeCodeUsed           = 40163 // login code already used
	CodeUserBlocked        = 40226 // high-risk user blocked by WeChat
	CodeAccessTokenExpired = 42001
	CodeRateLimit          = 45011 // API minute quota reached
	CodeRiskyContent       = 87014 // content is risky (msg_sec_check version 1)
)

// APIError is an errcode WeChat answered with.
type APIError struct {
	Endpoint string // e.g. "jscode2session"
	Code     int
	Message  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.Endpoint, e.Code, e.Message)
}

// New builds a client. It fails when the base URL is not an http(s) URL;
// credentials may be empty (then every call answers ErrNotConfigured).
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wechat: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		timeout := cfg.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		httpClient = &http.Client{Timeout: timeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{appID: cfg.AppID, secret: cfg.Secret, baseURL: base, http: httpClient, now: now}, nil
}

// Configured tells whether the client has credentials to call WeChat.
func (c *Client) Configured() bool { return c != nil && c.appID != "" && c.secret != "" }

// AppID is the mini-program's app id.
func (c *Client) AppID() string {
	if c == nil {
		return ""
	}
	return c.appID
}

// replyStatus is the errcode part that every WeChat reply may carry.
type replyStatus struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r replyStatus) err(endpoint string) error {
	if r.ErrCode == 0 {
		return nil
	}
	return &APIError{Endpoint: endpoint, Code: r.ErrCode, Message: r.ErrMsg}
}

// do sends one request and decodes the JSON reply into out. Transport
// errors are reported without their URL, which carries secrets.
func (c *Client) do(ctx context.Context, endpoint, method, path string, query url.Values, body any, out any) error {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("wechat %s: encode request: %w", endpoint, err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return fmt.Errorf("wechat %s: build request: %w", endpoint, ErrUnreachable)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return transportError(endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat %s: HTTP status %d: %w", endpoint, resp.StatusCode, ErrUnreachable)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wechat %s: reply is not JSON: %w", endpoint, ErrUnreachable)
	}
	return nil
}

// transportError classifies a failed exchange as a timeout or an
// unreachable server, dropping the URL (and the secrets in it).
func transportError(endpoint string, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return fmt.Errorf("wechat %s: %w", endpoint, ErrTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("wechat %s: %w", endpoint, context.Canceled)
	}
	return fmt.Errorf("wechat %s: %v: %w", endpoint, err, ErrUnreachable)
}

// Session is who a wx.login code belongs to. WeChat's session_key is
// deliberately not kept.
type Session struct {
	OpenID  string
	UnionID string // empty unless the app is bound to an open platform account
}

// Code2Session exchanges a wx.login code for the user's openid (and unionid)
// through GET /sns/jscode2session. WeChat errors come back as *APIError
// (40029 invalid code, 40163 code used, 40226 blocked user, -1 busy, 45011
// rate limit); ErrTimeout and ErrUnreachable wrap transport failures.
func (c *Client) Code2Session(ctx context.Context, code string) (*Session, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	query := url.Values{"appid": {c.appID}, "secret": {c.secret}, "js_code": {code}, "grant_type": {"authorization_code"}}
	var reply struct {
		replyStatus
		OpenID  string `json:"openid"`
		UnionID string `json:"unionid"`
	}
	if err := c.do(ctx, "jscode2session", http.MethodGet, "/sns/jscode2session", query, nil, &reply); err != nil {
		return nil, err
	}
	if err := reply.err("jscode2session"); err != nil {
		return nil, err
	}
	if reply.OpenID == "" {
		return nil, fmt.Errorf("wechat jscode2session: reply without openid: %w", ErrUnreachable)
	}
	return &Session{OpenID: reply.OpenID, UnionID: reply.UnionID}, nil
}
