package service

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"

	"minyi/wechat"
)

// weChatLogin is how the service learns who a resident is: WeChat's answer
// to a login code and, for development only, "dev:<openid>" codes.
type weChatLogin struct {
	client atomic.Pointer[wechat.Client]
	// devLogins warns of each development login; nil: they are refused.
	devLogins atomic.Pointer[slog.Logger]
}

// SetWeChat gives the service the WeChat client that checks residents'
// login and phone-number codes (nil: not configured, those calls answer 503).
func (s *Service) SetWeChat(client *wechat.Client) { s.weChat.client.Store(client) }

// AcceptDevLogins makes a "dev:<openid>" login code stand for that
// (prefixed) openid without asking WeChat, with a warning on logger at
// each use (MINYI_DEV_LOGIN=1; never in production).
func (s *Service) AcceptDevLogins(logger *slog.Logger) { s.weChat.devLogins.Store(logger) }

// devOpenID is what may follow "dev:" in a development login code.
var devOpenID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// LoginResidentWithCode logs a resident in with a mini-program login code
// (wx.login), creating the resident on first login. Errors: the WeChat
// errors of WeChatError (wechat_not_configured, wechat_code_invalid, ...),
// validation_failed (a malformed development code), account_disabled.
func (s *Service) LoginResidentWithCode(ctx context.Context, requestID, code string) (*Tokens, error) {
	who, err := s.residentIdentity(ctx, requestID, code)
	if err != nil {
		return nil, err
	}
	return s.LoginResident(ctx, *who)
}

func (s *Service) residentIdentity(ctx context.Context, requestID, code string) (*ResidentIdentity, error) {
	if openid, ok := strings.CutPrefix(code, "dev:"); ok && s.weChat.devLogins.Load() != nil {
		if !devOpenID.MatchString(openid) {
			return nil, InvalidField("code", "dev:<openid> with 1 to 40 letters, digits, _ or -")
		}
		s.weChat.devLogins.Load().WarnContext(ctx, "development login used (MINYI_DEV_LOGIN=1)", "request_id", requestID, "openid", "dev:"+openid)
		return &ResidentIdentity{OpenID: "dev:" + openid}, nil
	}
	session, err := s.weChat.client.Load().Code2Session(ctx, code)
	if err != nil {
		return nil, WeChatError(err)
	}
	return &ResidentIdentity{OpenID: session.OpenID, UnionID: session.UnionID}, nil
}

// SetResidentPhoneFromCode asks WeChat for the phone number a resident
// agreed to share (getPhoneNumber's code) and keeps it on their profile:
// the mainland number without its country code, others in full. Errors:
// phone_code_invalid and the WeChat errors of WeChatPhoneError, and those
// of SetResidentPhone.
func (s *Service) SetResidentPhoneFromCode(ctx context.Context, actor Actor, code string) (*ResidentProfile, error) {
	phone, err := s.weChat.client.Load().PhoneNumber(ctx, code)
	if err != nil {
		return nil, WeChatPhoneError(err)
	}
	number := phone.PurePhoneNumber
	if phone.CountryCode != "" && phone.CountryCode != "86" && phone.PhoneNumber != "" {
		number = phone.PhoneNumber
	}
	return s.SetResidentPhone(ctx, actor, number)
}
