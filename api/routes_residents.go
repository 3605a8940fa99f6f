package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/service"
)

// residentRoutes lists the routes of residents (the WeChat mini-program)
// and of the staff tools around them (binding codes, bound residents, the
// moderation queue).
func (a *API) residentRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/auth/wechat", service.ActPublic, a.wechatLogin},
		{"POST", "/api/v1/me/bindings", service.ActResident, a.redeemBindingCode},
		{"POST", "/api/v1/me/phone", service.ActResident, a.setMyPhone},
		{"GET", "/api/v1/me/rounds", service.ActResident, a.myRounds},
		{"PUT", "/api/v1/rounds/:round_id/my-signoff", service.ActResident, a.recordMySignOff},
		{"DELETE", "/api/v1/rounds/:round_id/my-signoff", service.ActResident, a.withdrawMySignOff},
		{"PUT", "/api/v1/me/subscriptions", service.ActResident, a.acceptSubscriptions},
		{"GET", "/api/v1/me/subscriptions", service.ActResident, a.mySubscriptions},
		{"GET", "/api/v1/notifications", service.ActReadNotifications, a.listNotifications},

		{"POST", "/api/v1/estates/:estate_id/households/:household_id/binding-codes", service.ActIssueBindingCodes, a.issueBindingCode},
		{"GET", "/api/v1/households/:household_id/residents", service.ActManageSigners, a.listHouseholdResidents},
		{"PUT", "/api/v1/households/:household_id/signer", service.ActManageSigners, a.setHouseholdSigner},
		{"DELETE", "/api/v1/households/:household_id/residents/:resident_id", service.ActEditRoster, a.unbindResident},
		{"GET", "/api/v1/estates/:estate_id/moderation", service.ActModerate, a.listModeration},
		{"POST", "/api/v1/moderation/:item_id/review", service.ActModerate, a.reviewModeration},
	}
}

// residentMessages are the texts of this part's error codes (messages).
var residentMessages = map[string][2]string{
	"wechat_not_configured":       {"暂未开通微信登录，请联系社区工作人员", "WeChat login is not configured on this server"},
	"wechat_code_invalid":         {"微信登录凭证无效，请重新打开小程序", "the WeChat login code is invalid; open the mini-program again"},
	"wechat_code_used":            {"微信登录凭证已使用，请重新登录", "the WeChat login code was already used; log in again"},
	"wechat_user_blocked":         {"该微信账号暂时无法登录", "WeChat does not allow this user to log in"},
	"wechat_busy":                 {"微信服务繁忙，请稍后重试", "WeChat is busy; try again shortly"},
	"wechat_rate_limited":         {"微信服务请求过于频繁，请稍后重试", "WeChat's rate limit was reached; try again in a minute"},
	"wechat_timeout":              {"微信服务响应超时，请稍后重试", "WeChat did not answer in time; try again shortly"},
	"wechat_unavailable":          {"微信服务暂时不可用，请稍后重试", "WeChat is unavailable; try again shortly"},
	"phone_code_invalid":          {"获取手机号的凭证无效，请重新授权", "the phone number code is invalid; ask again"},
	"binding_code_invalid":        {"绑定码不正确，请核对后重新输入", "no such binding code"},
	"binding_code_expired":        {"绑定码已过期，请联系社区工作人员重新获取", "the binding code has expired; ask the community worker for a new one"},
	"binding_code_used":           {"绑定码已被使用，请联系社区工作人员重新获取", "the binding code was already used; ask for a new one"},
	"too_many_binding_attempts":   {"绑定码输入错误次数过多，请一小时后再试", "too many wrong binding codes; try again within the hour"},
	"household_required":          {"您绑定了本小区的多户房屋，请选择要签署的房屋", "you act for several households in this estate; choose one"},
	"content_rejected":            {"内容未通过安全检查，请修改后再提交", "the text did not pass the content check"},
	"moderation_item_not_found":   {"待审核内容不存在", "moderation item not found"},
	"moderation_already_reviewed": {"该内容已审核", "the text was already reviewed"},
	"binding_not_found":           {"该居民未绑定此房屋", "the resident is not bound to this household"},
	"not_household_signer":        {"您不是该户的签署人，请由该户的签署人表态，或请社区工作人员变更签署人", "you are not this household's designated signer; ask the signer, or a worker to change the signer"},
}

// residentHouseholdJSON is a household as its own resident sees it.
type residentHouseholdJSON struct {
	ID         string `json:"id"`
	EstateID   string `json:"estate_id"`
	EstateName string `json:"estate_name"`
	EstateCode string `json:"estate_code"`
	Building   string `json:"building"`
	Unit       string `json:"unit"`
	Room       string `json:"room"`
	AreaM2     Area   `json:"area_m2"`
	BoundAt    Time   `json:"bound_at"`
	Relation   string `json:"relation"`
	IsSigner   bool   `json:"is_signer"`
}

func toResidentHousehold(b *service.BoundHousehold) residentHouseholdJSON {
	h := b.Household
	return residentHouseholdJSON{ID: h.ID, EstateID: h.EstateID, EstateName: b.EstateName, EstateCode: b.EstateCode,
		Building: h.Building, Unit: h.Unit, Room: h.Room, AreaM2: Area(h.AreaHundredths), BoundAt: Time(b.BoundAt),
		Relation: b.Relation, IsSigner: b.IsSigner}
}

// residentResponse is a resident with the households they are bound to, as
// the resident sees themselves (their own phone number in full).
type residentResponse struct {
	ID         string                  `json:"id"`
	Phone      string                  `json:"phone,omitempty"`
	Households []residentHouseholdJSON `json:"households"`
}

func toResident(p *service.ResidentProfile) *residentResponse {
	resp := &residentResponse{ID: p.Resident.ID, Phone: p.Resident.Phone, Households: make([]residentHouseholdJSON, len(p.Households))}
	for i := range p.Households {
		resp.Households[i] = toResidentHousehold(&p.Households[i])
	}
	return resp
}

// residentSummary describes a resident for login and refresh responses. The
// tokens are already issued, so a failure to read the households is logged
// and answered without them (GET /api/v1/me reports such errors).
func (a *API) residentSummary(c *gin.Context, residentID string) *residentResponse {
	profile, err := a.svc.GetResidentProfile(c.Request.Context(), service.Actor{Kind: service.ActorResident, ID: residentID, Role: service.RoleResident})
	if err != nil {
		a.cfg.Logger.WarnContext(c.Request.Context(), "resident summary unavailable", "request_id", requestID(c), "error", err)
		return &residentResponse{ID: residentID, Households: []residentHouseholdJSON{}}
	}
	return toResident(profile)
}

// residentMe answers GET /api/v1/me for a resident.
func (a *API) residentMe(c *gin.Context, actor service.Actor) {
	profile, err := a.svc.GetResidentProfile(c.Request.Context(), actor)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, meResponse{Resident: toResident(profile)})
}

type wechatCodeRequest struct {
	Code string `json:"code"`
}

// code returns the trimmed code, or writes 422 and returns "".
func (r wechatCodeRequest) code(c *gin.Context) string {
	code := strings.TrimSpace(r.Code)
	if code == "" || len(code) > 256 {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"code": "is required (at most 256 characters)"}, nil)
		return ""
	}
	return code
}

func (a *API) wechatLogin(c *gin.Context) {
	var req wechatCodeRequest
	if !bindJSON(c, &req) {
		return
	}
	code := req.code(c)
	if code == "" {
		return
	}
	tokens, err := a.svc.LoginResidentWithCode(c.Request.Context(), requestID(c), code)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.tokens(c, tokens))
}

func (a *API) setMyPhone(c *gin.Context) {
	var req wechatCodeRequest
	if !bindJSON(c, &req) {
		return
	}
	code := req.code(c)
	if code == "" {
		return
	}
	profile, err := a.svc.SetResidentPhoneFromCode(c.Request.Context(), actorOf(c), code)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toResident(profile))
}
