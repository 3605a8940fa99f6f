package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"minyi/wechat"
	"minyi/wechat/wechattest"
)

func apiCode(err error) int {
	var apiErr *wechat.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return 0
}

// TestSendSubscribeMessage: one acceptance lets exactly one message
// through; then WeChat answers 43101. Bad templates and data get WeChat's
// codes; a rejected access token is replaced once.
func TestSendSubscribeMessage(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()
	fake.AddTemplate("tpl-open", "thing1", "time2")
	msg := wechat.SubscribeMessage{ToUser: "o-li", TemplateID: "tpl-open", Page: "pages/rounds/rounds?id=r1",
		Data: map[string]string{"thing1": "加装电梯意愿征询", "time2": "2026-12-01 09:00"}}

	if err := client.SendSubscribeMessage(ctx, msg); apiCode(err) != wechat.CodeInvalidOpenID {
		t.Fatalf("an unknown user: %v, want 40003", err)
	}
	fake.Accept("o-li", "tpl-open", 1)
	if err := client.SendSubscribeMessage(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if err := client.SendSubscribeMessage(ctx, msg); apiCode(err) != wechat.CodeUserRefused {
		t.Fatalf("a second message on one acceptance: %v, want 43101", err)
	}
	sent := fake.Sent()
	if len(sent) != 1 || sent[0].ToUser != "o-li" || sent[0].Data["thing1"] != "加装电梯意愿征询" || sent[0].Page != msg.Page || sent[0].State != wechat.StateFormal {
		t.Fatalf("sent = %+v", sent)
	}

	fake.Accept("o-li", "tpl-open", 3)
	unknown := msg
	unknown.TemplateID = "tpl-none"
	if err := client.SendSubscribeMessage(ctx, unknown); apiCode(err) != wechat.CodeInvalidTemplate {
		t.Fatalf("an unknown template: %v, want 40037", err)
	}
	long := msg
	long.Data = map[string]string{"thing1": "一二三四五六七八九十一二三四五六七八九十一", "time2": "2026-12-01 09:00"}
	if err := client.SendSubscribeMessage(ctx, long); apiCode(err) != wechat.CodeInvalidArgs {
		t.Fatalf("a thing of 21 characters: %v, want 47003", err)
	}
	fake.InvalidateAccessToken()
	if err := client.SendSubscribeMessage(ctx, msg); err != nil {
		t.Fatalf("after the token was invalidated: %v", err)
	}
	fake.FailNext(wechattest.EndpointSend, wechat.CodeBusy, "system error")
	if err := client.SendSubscribeMessage(ctx, msg); apiCode(err) != wechat.CodeBusy {
		t.Fatalf("busy: %v", err)
	}
	if got := fake.Accepted("o-li", "tpl-open"); got != 2 {
		t.Fatalf("acceptances left = %d, want 2 (only delivered messages use one)", got)
	}
}

// TestUnlimitedCode: the code comes back as a PNG that carries the page and
// the scene; a page missing from the released version and a bad scene get
// WeChat's codes.
func TestUnlimitedCode(t *testing.T) {
	fake := wechattest.NewServer(t)
	client := fake.Client(t)
	ctx := context.Background()
	data, err := client.UnlimitedCode(ctx, "ABCD2345", "pages/bind/bind", "")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bitmap, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	text, err := zxingqr.NewQRCodeReader().Decode(bitmap, nil)
	if err != nil || text.GetText() != "pages/bind/bind?scene=ABCD2345" {
		t.Fatalf("the code carries %v %v", text, err)
	}
	if _, err := client.UnlimitedCode(ctx, "ABCD2345", "pages/nowhere/nowhere", ""); apiCode(err) != wechat.CodeInvalidPage {
		t.Fatalf("an unreleased page: %v, want 41030", err)
	}
	if _, err := client.UnlimitedCode(ctx, "ABCD2345", "pages/nowhere/nowhere", "develop"); err != nil {
		t.Fatalf("the develop version is not checked: %v", err)
	}
	if _, err := client.UnlimitedCode(ctx, "中文", "pages/bind/bind", ""); apiCode(err) != wechat.CodeInvalidScene {
		t.Fatalf("a scene WeChat refuses: %v, want 40129", err)
	}
	fake.InvalidateAccessToken()
	fake.FailNext(wechattest.EndpointWXACode, wechat.CodeDailyQuota, "reach max api daily quota limit")
	if _, err := client.UnlimitedCode(ctx, "ABCD2345", "pages/bind/bind", ""); apiCode(err) != wechat.CodeDailyQuota {
		t.Fatalf("quota: %v, want 45009", err)
	}
	if _, err := client.UnlimitedCode(ctx, "ABCD2345", "pages/bind/bind", ""); err != nil {
		t.Fatalf("after a token refresh: %v", err)
	}
	if n := len(fake.CodesDrawn()); n != 3 {
		t.Fatalf("%d codes drawn, want 3", n)
	}
}
