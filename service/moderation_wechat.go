package service

import (
	"context"
	"errors"

	"minyi/wechat"
)

// WeChatModerator checks texts with WeChat's msg_sec_check (version 2,
// scene 2 "comment", the author's openid): pass publishes, review holds the
// text for a worker, risky rejects it.
type WeChatModerator struct {
	Client *wechat.Client
}

// Check asks WeChat about a text.
func (m WeChatModerator) Check(ctx context.Context, openid, text string) (Verdict, error) {
	v, err := m.Client.CheckText(ctx, openid, wechat.SceneComment, text)
	if err != nil {
		return Verdict{}, err
	}
	switch v.Suggest {
	case wechat.SuggestPass:
		return Verdict{Outcome: ModerationPublished, TraceID: v.TraceID}, nil
	case wechat.SuggestRisky:
		return Verdict{Outcome: ModerationRejected, Reason: labelReason(v.Label), TraceID: v.TraceID}, nil
	}
	return Verdict{Outcome: ModerationHeld, Reason: labelReason(v.Label), TraceID: v.TraceID}, nil
}

// WeChatError turns an error of the WeChat client into a service error:
// 40029 wechat_code_invalid, 40163 wechat_code_used, 40226
// wechat_user_blocked (401); -1 wechat_busy and 45011 wechat_rate_limited
// (503 with Retry-After); a timeout wechat_timeout (503); no credentials
// wechat_not_configured (503); anything else wechat_unavailable (503).
func WeChatError(err error) *Error {
	e := weChatError(err)
	e.Detail = err.Error() // for the logs; package wechat keeps URLs and secrets out of its errors
	return e
}

func weChatError(err error) *Error {
	var apiErr *wechat.APIError
	switch {
	case errors.Is(err, wechat.ErrNotConfigured):
		e := Unavailable("wechat_not_configured", err)
		e.RetryAfterSeconds = 0
		return e
	case errors.Is(err, wechat.ErrTimeout):
		return Unavailable("wechat_timeout", err)
	case errors.As(err, &apiErr):
		switch apiErr.Code {
		case wechat.CodeInvalidCode:
			return &Error{Kind: KindUnauthenticated, Code: "wechat_code_invalid", cause: err}
		case wechat.CodeCodeUsed:
			return &Error{Kind: KindUnauthenticated, Code: "wechat_code_used", cause: err}
		case wechat.CodeUserBlocked:
			return &Error{Kind: KindUnauthenticated, Code: "wechat_user_blocked", cause: err}
		case wechat.CodeBusy:
			e := Unavailable("wechat_busy", err)
			e.RetryAfterSeconds = 1
			return e
		case wechat.CodeRateLimit:
			e := Unavailable("wechat_rate_limited", err)
			e.RetryAfterSeconds = 60
			return e
		}
	}
	return Unavailable("wechat_unavailable", err)
}

// WeChatPhoneError is WeChatError for the phone number exchange, where an
// invalid code is the caller's bad input: 422 phone_code_invalid.
func WeChatPhoneError(err error) *Error {
	var apiErr *wechat.APIError
	if errors.As(err, &apiErr) && apiErr.Code == wechat.CodeInvalidCode {
		return &Error{Kind: KindInvalid, Code: "phone_code_invalid", Fields: map[string]string{"code": "invalid or used; ask WeChat for a new one"}, cause: err}
	}
	return WeChatError(err)
}
