package wechat

import (
	"context"
	"fmt"
)

// PhoneNumber is the phone number a user agreed to share.
type PhoneNumber struct {
	PhoneNumber     string // with the country code for numbers outside China, e.g. "+1 2025550123"
	PurePhoneNumber string // without the country code, e.g. "13800001234"
	CountryCode     string // e.g. "86"
}

type phoneReply struct {
	replyStatus
	PhoneInfo struct {
		PhoneNumber     string `json:"phoneNumber"`
		PurePhoneNumber string `json:"purePhoneNumber"`
		CountryCode     string `json:"countryCode"`
	} `json:"phone_info"`
}

// PhoneNumber exchanges the code of the mini-program's getPhoneNumber button
// for the number through POST /wxa/business/getuserphonenumber. An invalid or
// used code is an *APIError with code 40029.
func (c *Client) PhoneNumber(ctx context.Context, code string) (*PhoneNumber, error) {
	if !c.Configured() {
		return nil, ErrNotConfigured
	}
	var reply phoneReply
	if err := c.withToken(ctx, "getuserphonenumber", "/wxa/business/getuserphonenumber", map[string]any{"code": code}, &reply); err != nil {
		return nil, err
	}
	if reply.PhoneInfo.PurePhoneNumber == "" {
		return nil, fmt.Errorf("wechat getuserphonenumber: reply without a number: %w", ErrUnreachable)
	}
	return &PhoneNumber{PhoneNumber: reply.PhoneInfo.PhoneNumber, PurePhoneNumber: reply.PhoneInfo.PurePhoneNumber,
		CountryCode: reply.PhoneInfo.CountryCode}, nil
}
