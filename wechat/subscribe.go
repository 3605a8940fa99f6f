package wechat

import (
	"context"
	"fmt"
)

// Error codes of subscribeMessage.send and getwxacodeunlimit.
const (
	CodeInvalidOpenID   = 40003 // touser is not a user of the mini-program
	CodeInvalidTemplate = 40037 // template_id unknown
	CodeInvalidScene    = 40129 // scene has characters or a length WeChat refuses
	CodeInvalidPage     = 41030 // page does not exist in the released mini-program
	CodeUserRefused     = 43101 // the user did not accept (or used up) this template's messages
	CodeDailyQuota      = 45009 // the API's daily quota is reached
	CodeInvalidArgs     = 47003 // a template data field is missing or too long
)

// Mini-program versions a message or a code opens.
const (
	StateFormal    = "formal"    // the released version
	StateTrial     = "trial"     // the trial version
	StateDeveloper = "developer" // the developer version
)

// SubscribeMessage is one subscribe message: the template's fields by key
// (e.g. "thing1", "time2") and the page it opens.
type SubscribeMessage struct {
	ToUser     string            // the recipient's openid
	TemplateID string            // the template the user accepted
	Page       string            // the mini-program page it opens, with query
	Data       map[string]string // template field key → value
	State      string            // StateFormal ("" means formal), StateTrial or StateDeveloper
}

type subscribeReply struct {
	replyStatus
	MsgID int64 `json:"msgid"`
}

// SendSubscribeMessage sends one message through POST
// /cgi-bin/message/subscribe/send. WeChat errors come back as *APIError:
// 43101 the user refused or has no acceptance left, -1 busy, 45009 daily
// quota, 40003 unknown openid, 40037 unknown template, 47003 bad data.
func (c *Client) SendSubscribeMessage(ctx context.Context, m SubscribeMessage) error {
	if !c.Configured() {
		return ErrNotConfigured
	}
	if m.ToUser == "" || m.TemplateID == "" {
		return fmt.Errorf("wechat subscribe_send: touser and template_id are required")
	}
	state := m.State
	if state == "" {
		state = StateFormal
	}
	data := make(map[string]map[string]string, len(m.Data))
	for key, value := range m.Data {
		data[key] = map[string]string{"value": value}
	}
	body := map[string]any{"touser": m.ToUser, "template_id": m.TemplateID, "page": m.Page, "data": data,
		"miniprogram_state": state, "lang": "zh_CN"}
	var reply subscribeReply
	return c.withToken(ctx, "subscribe_send", "/cgi-bin/message/subscribe/send", body, &reply)
}
