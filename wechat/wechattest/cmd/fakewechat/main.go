// Command fakewechat serves the fake WeChat server of package wechattest on a
// port, for tests that run outside Go (the mini-program's end-to-end test).
//
// It prints one JSON line on stdout, {"api": URL, "control": URL}: point
// MINYI_WECHAT_API_BASE at api (with MINYI_WECHAT_APPID and
// MINYI_WECHAT_SECRET set to the fake's credentials, printed too), and mint
// the one-time codes wx.login would give with
//
//	POST {control}/login-code?openid=...&unionid=...  → {"code": "..."}
//	POST {control}/phone-code?phone=...               → {"code": "..."}
//
// It runs until it is killed or its standard input closes.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"testing"

	"minyi/wechat/wechattest"
)

// processTB lets wechattest.NewServer, written for tests, run in a process:
// cleanups run at exit and a fatal error ends the process.
type processTB struct {
	testing.TB
	cleanups []func()
}

func (p *processTB) Helper()                   {}
func (p *processTB) Cleanup(f func())          { p.cleanups = append(p.cleanups, f) }
func (p *processTB) Fatal(args ...any)         { log.Fatal(args...) }
func (p *processTB) Fatalf(f string, a ...any) { log.Fatalf(f, a...) }

func main() {
	tb := &processTB{}
	fake := wechattest.NewServer(tb)
	defer func() {
		for i := len(tb.cleanups) - 1; i >= 0; i-- {
			tb.cleanups[i]()
		}
	}()

	control := http.NewServeMux()
	control.HandleFunc("POST /login-code", func(w http.ResponseWriter, r *http.Request) {
		openid := r.URL.Query().Get("openid")
		if openid == "" {
			http.Error(w, "openid is required", http.StatusBadRequest)
			return
		}
		writeCode(w, fake.LoginCode(openid, r.URL.Query().Get("unionid")))
	})
	control.HandleFunc("POST /phone-code", func(w http.ResponseWriter, r *http.Request) {
		phone := r.URL.Query().Get("phone")
		if phone == "" {
			http.Error(w, "phone is required", http.StatusBadRequest)
			return
		}
		writeCode(w, fake.PhoneCode(phone))
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		if err := http.Serve(listener, control); err != nil {
			log.Print(err)
		}
	}()

	line, _ := json.Marshal(map[string]string{
		"api": fake.URL, "control": "http://" + listener.Addr().String(),
		"appid": wechattest.AppID, "secret": wechattest.Secret,
	})
	fmt.Println(string(line))
	// Stop when the parent closes our standard input (or dies).
	io.Copy(io.Discard, os.Stdin)
}

func writeCode(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"code": code})
}
