package wechat

import (
	"context"
	"fmt"
)

// Suggestions of the text security check.
const (
	SuggestPass   = "pass"
	SuggestReview = "review"
	SuggestRisky  = "risky"
)

// SceneComment is msg_sec_check's scene for comments (2: 评论).
const SceneComment = 2

// TextVerdict is what the text security check said about a text.
type TextVerdict struct {
	Suggest string // pass, review or risky
	Label   int    // WeChat's label of the main reason (100 is normal)
	TraceID string
}

type secCheckReply struct {
	replyStatus
	TraceID string `json:"trace_id"`
	Result  struct {
		Suggest string `json:"suggest"`
		Label   int    `json:"label"`
	} `json:"result"`
}

// CheckText asks POST /wxa/msg_sec_check (version 2) whether a user's text
// may be published. openid is the author, who must have used the
// mini-program within the last two hours; scene is one of WeChat's scenes
// (SceneComment for comments). A verdict with Suggest "risky" is not an error.
func (c *Client) CheckText(ctx context.Context, openid string, scene int, content string) (*TextVerdict, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	body := map[string]any{"content": content, "version": 2, "scene": scene, "openid": openid}
	var reply secCheckReply
	if err := c.withToken(ctx, "msg_sec_check", "/wxa/msg_sec_check", body, &reply); err != nil {
		return nil, err
	}
	switch reply.Result.Suggest {
	case SuggestPass, SuggestReview, SuggestRisky:
	default:
		return nil, fmt.Errorf("wechat msg_sec_check: unknown suggestion %q: %w", reply.Result.Suggest, ErrUnreachable)
	}
	return &TextVerdict{Suggest: reply.Result.Suggest, Label: reply.Result.Label, TraceID: reply.TraceID}, nil
}
