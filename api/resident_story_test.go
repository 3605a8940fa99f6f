package api

import (
	"net/http"
	"strings"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestResidentStory follows a resident from the WeChat login to an online
// sign-off that the tally counts once, on both databases.
func TestResidentStory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv

		// A worker hands household 101 a binding code; only its hash is stored.
		code := w.bindingCode("101")
		var stored int64
		db.Gorm.Model(&model.BindingCode{}).Where("code_hash = ?", code).Count(&stored)
		if stored != 0 {
			t.Fatal("the binding code is stored in clear")
		}

		// The resident logs in with a wx.login code; the session_key stays on the server.
		loginCode := w.fake.LoginCode("o-li", "u-li")
		resp := s.must(http.StatusOK, "POST", "/api/v1/auth/wechat", "", map[string]string{"code": loginCode})
		var login loginResponse
		resp.decode(t, &login)
		if login.AccessToken == "" || login.RefreshToken == "" || login.Resident.ID == "" || len(login.Resident.Households) != 0 {
			t.Fatalf("login answered %s", resp.Body)
		}
		if key := w.fake.SessionKey("o-li"); key == "" || strings.Contains(string(resp.Body), key) {
			t.Fatal("the session_key reached the client")
		}
		var resident model.Resident
		db.Gorm.Where("id = ?", login.Resident.ID).Take(&resident)
		if resident.OpenID != "o-li" || resident.UnionID != "u-li" {
			t.Fatalf("stored resident %+v", resident)
		}
		token := login.AccessToken

		// Binding: typed in lower case with a dash, the code still works.
		typed := strings.ToLower(code[:4] + "-" + code[4:])
		var bound residentHouseholdJSON
		s.must(http.StatusCreated, "POST", "/api/v1/me/bindings", token, map[string]string{"code": typed}).decode(t, &bound)
		if bound.ID != w.household["101"] || bound.EstateName != "和平里小区" || bound.Room != "101" {
			t.Fatalf("bound to %+v", bound)
		}
		var me meResponse
		s.must(http.StatusOK, "GET", "/api/v1/me", token, nil).decode(t, &me)
		if me.Resident == nil || len(me.Resident.Households) != 1 || me.Resident.Households[0].ID != w.household["101"] {
			t.Fatalf("/me = %+v", me.Resident)
		}
		// The same resident again gets the same binding; anyone else finds the code used.
		s.must(http.StatusCreated, "POST", "/api/v1/me/bindings", token, map[string]string{"code": code})
		stranger := w.login("o-stranger").AccessToken
		expectCode(t, s.call("POST", "/api/v1/me/bindings", stranger, map[string]string{"code": code}), http.StatusUnprocessableEntity, "binding_code_invalid")

		// The round shows up with no decision yet.
		rounds := w.myRounds(token)
		if len(rounds) != 1 || rounds[0].Round.ID != w.roundID || !rounds[0].CanSign || rounds[0].MyDecision != nil || rounds[0].Household.ID != w.household["101"] {
			t.Fatalf("my rounds = %+v", rounds)
		}

		// A worker recorded a paper "disagree"; the resident changes it online to "agree".
		w.staffSignOff("101", "disagree", "李四")
		var mine mySignOffResponse
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree", "comment": "支持加装电梯"}).decode(t, &mine)
		if mine.Decision != "agree" || mine.Channel != "online" || mine.Version != 2 || mine.HouseholdID != w.household["101"] || mine.CommentStatus != "published" {
			t.Fatalf("my sign-off = %+v", mine)
		}
		participated, agree := w.tallyCounts()
		if participated != 1 || agree != 1 {
			t.Fatalf("tally: participated %d, agree %d; want the online sign-off counted exactly once", participated, agree)
		}

		// The resident changes their mind and sees the whole history.
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), token, map[string]string{"decision": "abstain"}).decode(t, &mine)
		if mine.Version != 3 {
			t.Fatalf("version after the change = %d, want 3", mine.Version)
		}
		rounds = w.myRounds(token)
		got := rounds[0]
		if got.MyDecision == nil || got.MyDecision.Decision != "abstain" || got.MyDecision.Channel != "online" || got.MyDecision.Version != 3 {
			t.Fatalf("my decision = %+v", got.MyDecision)
		}
		wantHistory := []struct{ old, new, channel, by string }{
			{"", "disagree", "paper", "staff"}, {"disagree", "agree", "online", "me"}, {"agree", "abstain", "online", "me"}}
		if len(got.History) != len(wantHistory) {
			t.Fatalf("history = %+v", got.History)
		}
		for i, want := range wantHistory {
			h := got.History[i]
			if h.OldDecision != want.old || h.NewDecision != want.new || h.Channel != want.channel || h.RecordedBy != want.by || h.Version != i+1 {
				t.Errorf("history[%d] = %+v, want %+v", i, h, want)
			}
		}
		participated, agree = w.tallyCounts()
		if participated != 1 || agree != 0 {
			t.Fatalf("tally after the change: participated %d, agree %d; want 1 and 0", participated, agree)
		}

		// Not bound to 102: 404, nothing recorded for 102.
		expectCode(t, s.call("PUT", w.mySignOffPath(), token, map[string]string{"household_id": w.household["102"], "decision": "agree"}),
			http.StatusNotFound, "household_not_found")
		// A round of an estate the resident has no household in does not exist for them.
		expectCode(t, s.call("PUT", "/api/v1/rounds/"+w.otherRound+"/my-signoff", token, map[string]string{"decision": "agree"}),
			http.StatusNotFound, "round_not_found")
		// A household of another estate is not found either.
		expectCode(t, s.call("PUT", w.mySignOffPath(), token, map[string]string{"household_id": w.otherHouse, "decision": "agree"}),
			http.StatusNotFound, "household_not_found")

		// Another household's decision is never visible to the resident.
		w.staffSignOff("102", "agree", "王五")
		body := string(s.must(http.StatusOK, "GET", "/api/v1/me/rounds", token, nil).Body)
		if strings.Contains(body, w.household["102"]) || strings.Contains(body, "王五") || strings.Contains(body, "李四") {
			t.Fatalf("my rounds show another household's decision or a signer's name: %s", body)
		}
		for _, path := range []string{
			"/api/v1/rounds/" + w.roundID + "/signoffs",
			"/api/v1/rounds/" + w.roundID + "/signoffs/" + w.household["102"] + "/history",
			"/api/v1/rounds/" + w.roundID + "/tally",
			"/api/v1/rounds/" + w.roundID,
			"/api/v1/households/" + w.household["102"],
			"/api/v1/households/" + w.household["101"] + "/residents",
			"/api/v1/estates",
			"/api/v1/estates/" + w.estateID + "/households",
			"/api/v1/estates/" + w.estateID + "/moderation",
		} {
			expectCode(t, s.call("GET", path, token, nil), http.StatusForbidden, "forbidden")
		}

		// Resident tokens cannot write through staff routes either.
		expectCode(t, s.call("PUT", "/api/v1/rounds/"+w.roundID+"/signoffs/"+w.household["101"], token,
			map[string]string{"decision": "agree", "channel": "paper", "signer_name": "我"}), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("POST", w.bindingCodesPath("101"), token, nil), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("POST", "/api/v1/rounds/"+w.roundID+"/close", token, nil), http.StatusForbidden, "forbidden")
		// And staff cannot use the resident routes.
		expectCode(t, s.call("GET", "/api/v1/me/rounds", w.worker, nil), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("PUT", w.mySignOffPath(), w.admin, map[string]string{"decision": "agree"}), http.StatusForbidden, "forbidden")

		// After the close nothing is recorded, and the round shows as closed.
		s.must(http.StatusOK, "POST", "/api/v1/rounds/"+w.roundID+"/close", w.admin, nil)
		expectCode(t, s.call("PUT", w.mySignOffPath(), token, map[string]string{"decision": "agree"}), http.StatusConflict, "round_not_open")
		rounds = w.myRounds(token)
		if len(rounds) != 1 || rounds[0].Round.Status != "closed" || rounds[0].CanSign || rounds[0].MyDecision.Decision != "abstain" {
			t.Fatalf("after close: %+v", rounds)
		}

		// Logging in again finds the same resident, with their household.
		again := w.login("o-li")
		if again.Resident.ID != login.Resident.ID || len(again.Resident.Households) != 1 {
			t.Fatalf("second login: %+v", again.Resident)
		}
	})
}

// TestResidentOfSeveralHouseholds: a resident with two flats must say which
// one they sign for; a family shares a household.
func TestResidentOfSeveralHouseholds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		owner, _ := w.bind("o-owner", "103", "104")
		resp := s.call("PUT", w.mySignOffPath(), owner, map[string]string{"decision": "agree"})
		expectCode(t, resp, http.StatusUnprocessableEntity, "household_required")
		var env errorBody
		resp.decode(t, &env)
		if env.Error.Fields["household_id"] == "" || len(env.Error.Details["household_ids"].([]any)) != 2 {
			t.Fatalf("household_required without the choices: %s", resp.Body)
		}
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), owner, map[string]string{"household_id": w.household["104"], "decision": "agree"})
		if rounds := w.myRounds(owner); len(rounds) != 2 {
			t.Fatalf("a resident of two households sees %d rounds, want 2", len(rounds))
		}

		// The owner's daughter is bound to 104 too (as family): she may not
		// sign until the household asks a worker to make her its signer;
		// then she changes the decision and both see it.
		daughter, daughterID := w.bindAs("o-daughter", "family", "104")
		expectCode(t, s.call("PUT", w.mySignOffPath(), daughter, map[string]string{"decision": "disagree"}), http.StatusForbidden, "not_household_signer")
		var daughterMe meResponse
		s.must(http.StatusOK, "GET", "/api/v1/me", daughter, nil).decode(t, &daughterMe)
		if h := daughterMe.Resident.Households; len(h) != 1 || h[0].Relation != "family" || h[0].IsSigner {
			t.Fatalf("the daughter's households before: %+v", h)
		}
		var bound listResponse[householdResidentJSON]
		s.must(http.StatusOK, "PUT", "/api/v1/households/"+w.household["104"]+"/signer", w.worker, map[string]string{"resident_id": daughterID}).decode(t, &bound)
		if len(bound.Items) != 2 || bound.Items[0].Relation != "owner" || bound.Items[0].IsSigner || bound.Items[1].ID != daughterID || !bound.Items[1].IsSigner {
			t.Fatalf("the household's residents after the change: %+v", bound.Items)
		}
		expectCode(t, s.call("PUT", "/api/v1/households/"+w.household["104"]+"/signer", w.worker, map[string]string{}), http.StatusUnprocessableEntity, "validation_failed")
		expectCode(t, s.call("PUT", "/api/v1/households/"+w.household["104"]+"/signer", w.designer, map[string]string{"resident_id": daughterID}), http.StatusForbidden, "forbidden")
		expectCode(t, s.call("PUT", w.mySignOffPath(), owner, map[string]string{"household_id": w.household["104"], "decision": "abstain"}),
			http.StatusForbidden, "not_household_signer")
		var mine mySignOffResponse
		s.must(http.StatusOK, "PUT", w.mySignOffPath(), daughter, map[string]string{"decision": "disagree"}).decode(t, &mine)
		if mine.HouseholdID != w.household["104"] || mine.Version != 2 {
			t.Fatalf("the daughter's sign-off = %+v", mine)
		}
		seen104 := false
		for _, item := range w.myRounds(owner) {
			if item.Household.ID != w.household["104"] {
				continue
			}
			seen104 = true
			if item.MyDecision == nil || item.MyDecision.Decision != "disagree" || len(item.History) != 2 || item.History[1].RecordedBy != "household_member" {
				t.Fatalf("the owner sees 104 as %+v", item)
			}
		}
		if !seen104 {
			t.Fatal("the owner's rounds do not include household 104")
		}
		participated, agree := w.tallyCounts()
		if participated != 1 || agree != 0 {
			t.Fatalf("tally: participated %d, agree %d; want 1 and 0", participated, agree)
		}

		// A worker unbinds the daughter: she can no longer sign for 104.
		s.must(http.StatusOK, "GET", "/api/v1/me", daughter, nil).decode(t, &daughterMe)
		s.must(http.StatusNoContent, "DELETE", "/api/v1/households/"+w.household["104"]+"/residents/"+daughterMe.Resident.ID, w.worker, nil)
		expectCode(t, s.call("DELETE", "/api/v1/households/"+w.household["104"]+"/residents/"+daughterMe.Resident.ID, w.worker, nil),
			http.StatusNotFound, "binding_not_found")
		expectCode(t, s.call("PUT", w.mySignOffPath(), daughter, map[string]string{"decision": "agree"}), http.StatusNotFound, "round_not_found")
	})
}
