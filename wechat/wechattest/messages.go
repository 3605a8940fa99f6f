package wechattest

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"net/http"
	"regexp"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"minyi/wechat"
)

// messageState is what the fake knows about subscribe messages and
// mini-program codes (guarded by Server.mu).
type messageState struct {
	templates map[string][]string // template id → its field keys
	accepted  map[string]int      // openid + "/" + template id → acceptances left
	known     map[string]bool     // openids of the mini-program's users
	sent      []SentMessage
	pages     map[string]bool // pages of the released mini-program
	codes     []CodeRequest
}

func newMessageState() messageState {
	return messageState{templates: map[string][]string{}, accepted: map[string]int{}, known: map[string]bool{},
		pages: map[string]bool{"pages/bind/bind": true, "pages/index/index": true}}
}

// SentMessage is one subscribe message the fake delivered.
type SentMessage struct {
	ToUser     string
	TemplateID string
	Page       string
	State      string
	Data       map[string]string
}

// CodeRequest is one mini-program code the fake drew.
type CodeRequest struct {
	Scene      string
	Page       string
	EnvVersion string
	CheckPath  bool
}

// AddTemplate registers a subscribe-message template with its field keys
// (e.g. "thing1", "time2"); a message must fill each, within WeChat's limits.
func (s *Server) AddTemplate(templateID string, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages.templates[templateID] = keys
}

// Accept records that the user accepted the template n more times in
// wx.requestSubscribeMessage (each acceptance allows one message).
func (s *Server) Accept(openid, templateID string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages.known[openid] = true
	s.messages.accepted[openid+"/"+templateID] += n
}

// Accepted tells how many messages of the template the user may still receive.
func (s *Server) Accepted(openid, templateID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages.accepted[openid+"/"+templateID]
}

// Sent lists the delivered messages, oldest first.
func (s *Server) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.messages.sent...)
}

// CodesDrawn lists the mini-program codes asked for, oldest first.
func (s *Server) CodesDrawn() []CodeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CodeRequest(nil), s.messages.codes...)
}

// fieldLimit is the longest value (in characters) a template field of a
// kind takes, by the key's prefix, as WeChat documents them.
var fieldLimits = []struct {
	prefix string
	max    int
}{{"thing", 20}, {"character_string", 32}, {"phrase", 5}, {"number", 32}, {"letter", 32}, {"name", 10}, {"time", 40}, {"date", 40}, {"amount", 32}}

var fieldKey = regexp.MustCompile(`^([a-z_]+)[0-9]+$`)

func fieldTooLong(key, value string) bool {
	m := fieldKey.FindStringSubmatch(key)
	if m == nil {
		return true
	}
	for _, l := range fieldLimits {
		if l.prefix == m[1] {
			return utf8.RuneCountInString(value) > l.max
		}
	}
	return false
}

func (s *Server) subscribeSend(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointSend); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	var req struct {
		ToUser     string                       `json:"touser"`
		TemplateID string                       `json:"template_id"`
		Page       string                       `json:"page"`
		Data       map[string]map[string]string `json:"data"`
		State      string                       `json:"miniprogram_state"`
		Lang       string                       `json:"lang"`
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
	keys, ok := s.messages.templates[req.TemplateID]
	switch {
	case !s.messages.known[req.ToUser] && s.sessionKeys[req.ToUser] == "":
		replyError(w, wechat.CodeInvalidOpenID, "invalid openid")
		return
	case !ok:
		replyError(w, wechat.CodeInvalidTemplate, "invalid template_id")
		return
	case req.State != "" && req.State != wechat.StateFormal && req.State != wechat.StateTrial && req.State != wechat.StateDeveloper:
		replyError(w, wechat.CodeInvalidArgs, "argument invalid! miniprogram_state")
		return
	}
	data := map[string]string{}
	for _, key := range keys {
		value := req.Data[key]["value"]
		if value == "" || fieldTooLong(key, value) {
			replyError(w, wechat.CodeInvalidArgs, "argument invalid! data."+key+".value invalid")
			return
		}
		data[key] = value
	}
	slot := req.ToUser + "/" + req.TemplateID
	if s.messages.accepted[slot] <= 0 {
		replyError(w, wechat.CodeUserRefused, "user refuse to accept the msg")
		return
	}
	s.messages.accepted[slot]--
	s.messages.sent = append(s.messages.sent, SentMessage{ToUser: req.ToUser, TemplateID: req.TemplateID, Page: req.Page, State: req.State, Data: data})
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": len(s.messages.sent)})
}

// sceneChars are the characters WeChat allows in a scene.
var sceneChars = regexp.MustCompile(`^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]{1,32}$`)

func (s *Server) unlimitedCode(w http.ResponseWriter, r *http.Request) {
	if fail, ok := s.begin(EndpointWXACode); ok {
		replyError(w, fail.code, fail.message)
		return
	}
	req := struct {
		Scene      string `json:"scene"`
		Page       string `json:"page"`
		CheckPath  *bool  `json:"check_path"`
		EnvVersion string `json:"env_version"`
		Width      int    `json:"width"`
	}{}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		replyError(w, 47001, "data format error")
		return
	}
	checkPath := req.CheckPath == nil || *req.CheckPath
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.tokenValid(r):
		replyError(w, wechat.CodeInvalidCredential, "invalid credential, access_token is invalid or not latest")
		return
	case !sceneChars.MatchString(req.Scene):
		replyError(w, wechat.CodeInvalidScene, "invalid scene")
		return
	case req.EnvVersion != "" && req.EnvVersion != "release" && req.EnvVersion != "trial" && req.EnvVersion != "develop":
		replyError(w, wechat.CodeInvalidArgs, "argument invalid! env_version")
		return
	case checkPath && !s.messages.pages[req.Page]:
		replyError(w, wechat.CodeInvalidPage, "invalid page")
		return
	}
	s.messages.codes = append(s.messages.codes, CodeRequest{Scene: req.Scene, Page: req.Page, EnvVersion: req.EnvVersion, CheckPath: checkPath})
	// A real mini-program code is a round "sun" code; the fake draws a QR
	// code of page?scene so that tests can read back what it carries.
	q, err := qrcode.New(req.Page+"?scene="+req.Scene, qrcode.Medium)
	if err != nil {
		replyError(w, -1, "system error")
		return
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, q.Image(256), &jpeg.Options{Quality: 95}); err != nil {
		replyError(w, -1, "system error")
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(out.Bytes())
}
