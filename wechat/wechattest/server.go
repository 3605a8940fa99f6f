// Package wechattest is a fake WeChat server for tests: it speaks the
// protocol of the endpoints package wechat calls (jscode2session,
// stable_token, msg_sec_check v2, getuserphonenumber, subscribeMessage.send,
// getwxacodeunlimit), including WeChat's
// error replies, and lets a test inject errors, delays and verdicts.
package wechattest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/wechat"
)

// The fake's credentials; a client must present them.
const (
	AppID  = "wx0123456789abcdef"
	Secret = "fake-secret-0123456789abcdef0123"
)

// Endpoint names, for FailNext and Calls.
const (
	EndpointSession  = "jscode2session"
	EndpointToken    = "stable_token"
	EndpointSecCheck = "msg_sec_check"
	EndpointPhone    = "getuserphonenumber"
	EndpointSend     = "subscribe_send"
	EndpointWXACode  = "getwxacodeunlimit"
)

// Server is a running fake WeChat server.
type Server struct {
	*httptest.Server

	mu          sync.Mutex
	delay       time.Duration
	failures    map[string][]injected
	calls       map[string]int
	loginCodes  map[string]identity // unused wx.login codes
	usedCodes   map[string]bool
	sessionKeys map[string]string // openid → the session_key handed out
	blocked     map[string]bool
	phoneCodes  map[string]string
	verdicts    []verdictRule
	token       string
	tokenTTL    time.Duration
	tokenIssued time.Time
	checked     []CheckedText
	messages    messageState
}

type identity struct{ openid, unionid string }

type injected struct {
	code    int
	message string
}

type verdictRule struct{ substring, suggest string }

// CheckedText is one text the fake was asked to check.
type CheckedText struct {
	OpenID  string
	Scene   int
	Version int
	Content string
}

// NewServer starts a fake WeChat server, closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{failures: map[string][]injected{}, calls: map[string]int{}, loginCodes: map[string]identity{},
		usedCodes: map[string]bool{}, sessionKeys: map[string]string{}, blocked: map[string]bool{},
		phoneCodes: map[string]string{}, tokenTTL: 2 * time.Hour, messages: newMessageState()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sns/jscode2session", s.session)
	mux.HandleFunc("POST /cgi-bin/stable_token", s.stableToken)
	mux.HandleFunc("POST /wxa/msg_sec_check", s.secCheck)
	mux.HandleFunc("POST /wxa/business/getuserphonenumber", s.phoneNumber)
	mux.HandleFunc("POST /cgi-bin/message/subscribe/send", s.subscribeSend)
	mux.HandleFunc("POST /wxa/getwxacodeunlimit", s.unlimitedCode)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Client returns a wechat client configured for this fake.
func (s *Server) Client(t testing.TB) *wechat.Client {
	c, err := wechat.New(wechat.Config{AppID: AppID, Secret: Secret, BaseURL: s.URL, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// LoginCode returns a fresh one-time code, as wx.login gives the mini-program,
// for the user with this openid (and unionid, which may be empty).
func (s *Server) LoginCode(openid, unionid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := "code-" + randomHex(8)
	s.loginCodes[code] = identity{openid, unionid}
	return code
}

// PhoneCode returns a fresh code of the getPhoneNumber button for a number.
func (s *Server) PhoneCode(purePhoneNumber string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := "phone-" + randomHex(8)
	s.phoneCodes[code] = purePhoneNumber
	return code
}

// BlockUser makes WeChat refuse this user's logins with errcode 40226.
func (s *Server) BlockUser(openid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[openid] = true
}

// SetVerdict makes msg_sec_check answer suggest (pass, review, risky) for
// texts containing substring; the first matching rule wins, others pass.
func (s *Server) SetVerdict(substring, suggest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verdicts = append(s.verdicts, verdictRule{substring, suggest})
}

// FailNext makes the next call of an endpoint answer errcode with errmsg
// (e.g. -1 "system error", 45011 "api minute-quota reach limit"). Calls queue.
func (s *Server) FailNext(endpoint string, errcode int, errmsg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[endpoint] = append(s.failures[endpoint], injected{errcode, errmsg})
}

// SetDelay makes every reply wait d first (to test timeouts).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetTokenTTL sets the lifetime of the access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// InvalidateAccessToken makes the current access token invalid (as when it
// was refreshed elsewhere): calls with it answer 40001 and stable_token hands
// out a new one.
func (s *Server) InvalidateAccessToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
}

// Calls tells how many requests an endpoint received.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// SessionKey returns the session_key handed out at this user's last login,
// so tests can check it never leaves the service.
func (s *Server) SessionKey(openid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionKeys[openid]
}

// AccessToken is the access token currently valid ("" before the first
// stable_token call), so tests can check it never leaks.
func (s *Server) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Checked lists the texts msg_sec_check was asked about, oldest first.
func (s *Server) Checked() []CheckedText {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CheckedText(nil), s.checked...)
}

// begin counts a call, waits the configured delay and returns an injected
// failure if one is queued.
func (s *Server) begin(endpoint string) (injected, bool) {
	s.mu.Lock()
	s.calls[endpoint]++
	delay := s.delay
	var fail injected
	queued := s.failures[endpoint]
	if len(queued) > 0 {
		fail, s.failures[endpoint] = queued[0], queued[1:]
	}
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	return fail, len(queued) > 0
}

func reply(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(body)
}

func replyError(w http.ResponseWriter, code int, message string) {
	reply(w, map[string]any{"errcode": code, "errmsg": message + ", rid: " + randomHex(6)})
}

func randomHex(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return hex.EncodeToString(buf)
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointSession); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case q.Get("appid") != AppID:
		replyError(w, wechat.CodeInvalidAppID, "invalid appid")
	case q.Get("secret") != Secret:
		replyError(w, wechat.CodeInvalidSecret, "invalid appsecret")
	case q.Get("grant_type") != "authorization_code":
		replyError(w, 40002, "invalid grant_type")
	case q.Get("js_code") == "":
		replyError(w, 41008, "missing code")
	case s.usedCodes[q.Get("js_code")]:
		replyError(w, wechat.CodeCodeUsed, "code been used")
	default:
		who, ok := s.loginCodes[q.Get("js_code")]
		if !ok {
			replyError(w, wechat.CodeInvalidCode, "invalid code")
			return
		}
		delete(s.loginCodes, q.Get("js_code"))
		s.usedCodes[q.Get("js_code")] = true
		if s.blocked[who.openid] {
			replyError(w, wechat.CodeUserBlocked, "user is blocked")
			return
		}
		key := randomHex(12)
		s.sessionKeys[who.openid] = key
		body := map[string]any{"openid": who.openid, "session_key": key}
		if who.unionid != "" {
			body["unionid"] = who.unionid
		}
		reply(w, body)
	}
}

func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointToken); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		replyError(w, 47001, "data format error")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case req.GrantType != "client_credential":
		replyError(w, 40002, "invalid grant_type")
		return
	case req.AppID != AppID:
		replyError(w, wechat.CodeInvalidAppID, "invalid appid")
		return
	case req.Secret != Secret:
		replyError(w, wechat.CodeInvalidSecret, "invalid appsecret")
		return
	}
	if s.token == "" || req.ForceRefresh || time.Since(s.tokenIssued) >= s.tokenTTL {
		s.token, s.tokenIssued = "token-"+randomHex(16), time.Now()
	}
	remaining := s.tokenTTL - time.Since(s.tokenIssued)
	reply(w, map[string]any{"access_token": s.token, "expires_in": int(remaining / time.Second)})
}

// tokenValid checks the access_token of a request (caller holds s.mu).
func (s *Server) tokenValid(r *http.Request) bool {
	token := r.URL.Query().Get("access_token")
	return token != "" && token == s.token && time.Since(s.tokenIssued) < s.tokenTTL
}

func (s *Server) secCheck(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointSecCheck); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	var req struct {
		Content string `json:"content"`
		Version int    `json:"version"`
		Scene   int    `json:"scene"`
		OpenID  string `json:"openid"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		replyError(w, 47001, "data format error")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.tokenValid(r):
		replyError(w, wechat.CodeInvalidCredential, "invalid credential, access_token is invalid or not latest")
		return
	case req.Version != 2 || req.Scene < 1 || req.Scene > 4 || req.Content == "":
		replyError(w, 40097, "invalid args")
		return
	case s.sessionKeys[req.OpenID] == "":
		replyError(w, 40003, "invalid openid")
		return
	}
	s.checked = append(s.checked, CheckedText{OpenID: req.OpenID, Scene: req.Scene, Version: req.Version, Content: req.Content})
	suggest, label := wechat.SuggestPass, 100
	for _, rule := range s.verdicts {
		if strings.Contains(req.Content, rule.substring) {
			suggest, label = rule.suggest, 20001
			break
		}
	}
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "trace_id": "trace-" + randomHex(8),
		"result": map[string]any{"suggest": suggest, "label": label},
		"detail": []map[string]any{{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}}})
}

func (s *Server) phoneNumber(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointPhone); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		replyError(w, 47001, "data format error")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tokenValid(r) {
		replyError(w, wechat.CodeInvalidCredential, "invalid credential, access_token is invalid or not latest")
		return
	}
	phone, ok := s.phoneCodes[req.Code]
	if !ok {
		replyError(w, wechat.CodeInvalidCode, "invalid code")
		return
	}
	delete(s.phoneCodes, req.Code)
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "phone_info": map[string]any{
		"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
		"watermark": map[string]any{"timestamp": time.Now().Unix(), "appid": AppID}}})
}
