package api

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// errorBody is the contract's error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Details map[string]any    `json:"details,omitempty"`
}

// statusOf is the one map from service error kinds to HTTP statuses.
var statusOf = map[service.Kind]int{
	service.KindInternal:        http.StatusInternalServerError,
	service.KindInvalid:         http.StatusUnprocessableEntity,
	service.KindUnauthenticated: http.StatusUnauthorized,
	service.KindForbidden:       http.StatusForbidden,
	service.KindNotFound:        http.StatusNotFound,
	service.KindConflict:        http.StatusConflict,
	service.KindRateLimited:     http.StatusTooManyRequests,
	service.KindUnavailable:     http.StatusServiceUnavailable,
}

// fail renders an error in the contract's envelope. Internal errors are
// logged in full with the request id and answered with a generic message.
func fail(c *gin.Context, err error) {
	if c.Request.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrTxDone)) {
		// The client went away: nobody reads the answer, and it is not a
		// server error (499, as nginx names it). database/sql rolls a
		// transaction back when its context ends, so the next statement of
		// the write says ErrTxDone.
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	se := service.AsError(err)
	status := statusOf[se.Kind]
	if se.Kind == service.KindInternal {
		slog.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "path", c.FullPath(), "error", err)
		se = &service.Error{Kind: service.KindInternal, Code: "internal_error"}
	}
	if se.Kind == service.KindUnavailable {
		slog.WarnContext(c.Request.Context(), "unavailable", "request_id", requestID(c), "code", se.Code, "error", err)
	}
	if se.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(se.RetryAfterSeconds))
	}
	msg := message(c, se.Code, status)
	if se.Kind == service.KindRateLimited && se.RetryAfterSeconds > 0 {
		msg += retryText(c, se.RetryAfterSeconds)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{
		Code: se.Code, Message: msg, Fields: localiseFields(c, se.Fields), Details: se.Extra,
	}})
}

// retryText tells a rate-limited caller when to try again, in their language.
func retryText(c *gin.Context, seconds int) string {
	minutes, rest := seconds/60, seconds%60
	if english(c) {
		if minutes > 0 {
			return fmt.Sprintf(" (try again in %d min %d s)", minutes, rest)
		}
		return fmt.Sprintf(" (try again in %d s)", rest)
	}
	if minutes > 0 {
		return fmt.Sprintf("（请在 %d 分 %d 秒后重试）", minutes, rest)
	}
	return fmt.Sprintf("（请在 %d 秒后重试）", rest)
}

// abortWith writes an error envelope with a message in the caller's language.
func abortWith(c *gin.Context, status int, code string, fields map[string]string, details map[string]any) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{
		Code: code, Message: message(c, code, status), Fields: localiseFields(c, fields), Details: details,
	}})
}

// english tells whether the caller asked for English messages.
func english(c *gin.Context) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.GetHeader("Accept-Language"))), "en")
}

func message(c *gin.Context, code string, status int) string {
	m, ok := messages[code]
	if !ok {
		m = messagesByStatus[status]
		if m == [2]string{} {
			m = messagesByStatus[http.StatusInternalServerError]
		}
	}
	if english(c) {
		return m[1]
	}
	return m[0]
}

// messages are the human texts of every error code: Chinese first, then English.
var messages = mergeMessages(coreMessages, residentMessages, objectionMessages, uploadMessages,
	resultObjectionMessages, workerMessages, stageMessages, acceptanceMessages, reportMessages,
	noticeMessages, surveyMessages, loginLimitMessages)

// coreMessages are the texts of the codes every part of the API uses.
var coreMessages = map[string][2]string{
	"invalid_credentials":       {"用户名或密码错误", "wrong username or password"},
	"invalid_token":             {"登录凭证无效，请重新登录", "invalid access token; log in again"},
	"token_expired":             {"登录已过期，请重新登录", "the access token has expired; log in again"},
	"account_disabled":          {"账号已停用", "the account is disabled"},
	"token_revoked":             {"登录已失效（已退出、改过密码或被停用），请重新登录", "the access token was ended (logout, password change or disabling); log in again"},
	"missing_token":             {"请先登录", "authentication required"},
	"session_expired":           {"登录已过期，请重新登录", "the console session has expired; log in again"},
	"invalid_refresh_token":     {"刷新凭证无效，请重新登录", "invalid refresh token; log in again"},
	"refresh_token_reused":      {"刷新凭证已被使用，已注销该登录的所有凭证，请重新登录", "the refresh token was already used; all tokens of this login are revoked"},
	"forbidden":                 {"没有权限执行此操作", "you are not allowed to do this"},
	"recount_admin_only":        {"只有管理员可以重新核算", "only admins can ask for a recount"},
	"not_found":                 {"未找到", "not found"},
	"route_not_found":           {"接口不存在", "no such endpoint"},
	"method_not_allowed":        {"不支持该请求方法", "method not allowed"},
	"estate_not_found":          {"小区不存在", "estate not found"},
	"household_not_found":       {"住户不存在", "household not found"},
	"user_not_found":            {"用户不存在", "user not found"},
	"round_not_found":           {"征询轮次不存在", "consultation round not found"},
	"household_not_in_round":    {"该住户不在本轮征询范围内", "the household is not in this round's electorate"},
	"signoff_not_found":         {"该住户本轮尚无意见记录", "the household has no decision in this round"},
	"revision_not_found":        {"方案版本不存在", "plan revision not found"},
	"validation_failed":         {"提交的内容有误，请检查标注的字段", "some fields are invalid"},
	"unknown_field":             {"请求中包含未知字段", "the request has unknown fields"},
	"malformed_json":            {"请求格式错误（不是有效的 JSON）", "the request body is not valid JSON"},
	"body_too_large":            {"请求内容过大", "the request body is too large"},
	"unsupported_media_type":    {"不支持该请求内容类型（此接口只接受 JSON，或只接受上传文件）", "unsupported Content-Type: this endpoint takes JSON, or a file upload"},
	"duplicate_code":            {"小区编码已被使用", "the estate code is taken"},
	"duplicate_username":        {"用户名已被使用", "the username is taken"},
	"duplicate_household":       {"楼栋、单元、房号重复", "a household with this building, unit and room exists"},
	"round_not_open":            {"该轮征询未开放，不能记录意见", "the round is not open"},
	"round_not_draft":           {"该轮征询已开始，不能修改", "the round is no longer a draft"},
	"empty_electorate":          {"征询范围内没有可参与表决的住户", "no eligible household in the round's scope"},
	"conflict":                  {"与当前状态冲突", "conflicts with the current state"},
	"idempotency_key_reused":    {"该请求标识已用于不同的请求", "the Idempotency-Key was used for a different request"},
	"idempotency_in_progress":   {"相同请求正在处理中，请稍后重试", "a request with this Idempotency-Key is in progress"},
	"idempotency_response_lost": {"该请求已生效，但服务器未能保存当时的结果，请刷新后查看", "the write with this Idempotency-Key was applied but its response was lost; read the resource again"},
	"database_unavailable":      {"服务暂时不可用，请稍后重试", "the database is unavailable; try again shortly"},
	"internal_error":            {"服务器内部错误", "internal server error"},
	"rate_limited":              {"请求过于频繁，请稍后再试", "too many requests; slow down"},
}

var messagesByStatus = map[int][2]string{
	http.StatusBadRequest:            {"请求格式错误", "malformed request"},
	http.StatusUnauthorized:          {"请先登录", "authentication required"},
	http.StatusForbidden:             {"没有权限执行此操作", "you are not allowed to do this"},
	http.StatusNotFound:              {"未找到", "not found"},
	http.StatusConflict:              {"与当前状态冲突", "conflicts with the current state"},
	http.StatusRequestEntityTooLarge: {"请求内容过大", "the request body is too large"},
	http.StatusUnprocessableEntity:   {"提交的内容有误", "invalid values"},
	http.StatusTooManyRequests:       {"请求过于频繁，请稍后再试", "too many requests"},
	http.StatusServiceUnavailable:    {"服务暂时不可用，请稍后重试", "service unavailable; try again shortly"},
	http.StatusInternalServerError:   {"服务器内部错误", "internal server error"},
}

// mergeMessages joins the message tables of the API's parts into one.
func mergeMessages(tables ...map[string][2]string) map[string][2]string {
	merged := map[string][2]string{}
	for _, table := range tables {
		for code, texts := range table {
			merged[code] = texts
		}
	}
	return merged
}

// statusClientClosedRequest is the status logged for a request whose client
// disconnected before the answer.
const statusClientClosedRequest = 499
