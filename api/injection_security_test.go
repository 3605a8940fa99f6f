package api

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// hostileTexts are strings that break naive SQL, escaping or encodings.
var hostileTexts = []string{
	`'; DROP TABLE households; --`,
	`" OR 1=1 --`,
	`1' OR '1'='1`,
	"a\x00b",
	`\'; SELECT * FROM users; -- \`,
	`%_% LIKE '%'`,
	"小区🏠 Ünïcödé \u202eRTL\u202c",
	`<script>alert(1)</script>`,
}

// TestHostileTextIsStoredLiterally stores SQL-injection and odd strings as
// an estate's name, a household's owner and room, a round's title and a
// sign-off's comment, reads each back unchanged, and checks that the
// tables are all still there.
func TestHostileTextIsStoredLiterally(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		s := newTestServer(t, db)
		admin := s.adminToken()
		for i, text := range hostileTexts {
			t.Run(fmt.Sprintf("text_%d", i), func(t *testing.T) {
				var estate estateResponse
				s.must(http.StatusCreated, "POST", "/api/v1/estates", admin, map[string]any{"name": text, "code": fmt.Sprintf("hostile-%d", i)}).decode(t, &estate)
				var got estateResponse
				s.must(http.StatusOK, "GET", "/api/v1/estates/"+estate.ID, admin, nil).decode(t, &got)
				if got.Name != text {
					t.Errorf("estate name %q came back as %q", text, got.Name)
				}

				room := []rune(text)
				if len(room) > 32 {
					room = room[:32]
				}
				var created createHouseholdsResponse
				s.must(http.StatusCreated, "POST", "/api/v1/estates/"+estate.ID+"/households", admin, map[string]any{"items": []map[string]any{
					{"building": "1", "unit": "1", "room": string(room), "area_m2": 80, "owner_name": text},
					{"building": "1", "unit": "1", "room": "102", "area_m2": 80}}}).decode(t, &created)
				var household householdResponse
				s.must(http.StatusOK, "GET", "/api/v1/households/"+created.Items[0].ID, admin, nil).decode(t, &household)
				if household.OwnerName != text || household.Room != string(room) {
					t.Errorf("owner %q room %q came back as %q %q", text, string(room), household.OwnerName, household.Room)
				}
				var listed listResponse[householdResponse]
				s.must(http.StatusOK, "GET", "/api/v1/estates/"+estate.ID+"/households?building="+url.QueryEscape(text), admin, nil).decode(t, &listed)
				if len(listed.Items) != 0 {
					t.Errorf("a filter on building %q matched %d households", text, len(listed.Items))
				}

				var round roundResponse
				s.must(http.StatusCreated, "POST", "/api/v1/estates/"+estate.ID+"/rounds", admin, map[string]any{"title": text, "kind": "willingness"}).decode(t, &round)
				s.must(http.StatusOK, "POST", "/api/v1/rounds/"+round.ID+"/open", admin, nil)
				var gotRound roundResponse
				s.must(http.StatusOK, "GET", "/api/v1/rounds/"+round.ID, admin, nil).decode(t, &gotRound)
				if gotRound.Title != text {
					t.Errorf("round title %q came back as %q", text, gotRound.Title)
				}
				s.must(http.StatusOK, "PUT", "/api/v1/rounds/"+round.ID+"/signoffs/"+created.Items[0].ID, admin, map[string]any{
					"decision": "agree", "channel": "paper", "signer_name": text, "comment": text})
				var history struct {
					Items []struct {
						Comment    string `json:"comment"`
						SignerName string `json:"signer_name"`
					} `json:"items"`
				}
				s.must(http.StatusOK, "GET", "/api/v1/rounds/"+round.ID+"/signoffs/"+created.Items[0].ID+"/history", admin, nil).decode(t, &history)
				if len(history.Items) != 1 || history.Items[0].Comment != text || history.Items[0].SignerName != text {
					t.Errorf("sign-off comment and signer %q came back as %+v", text, history.Items)
				}
			})
		}
		for _, table := range []any{&model.Household{}, &model.User{}, &model.Estate{}, &model.Round{}, &model.SignOff{}} {
			if !db.Gorm.Migrator().HasTable(table) {
				t.Errorf("table of %T is gone", table)
			}
		}
		var households int64
		db.Gorm.Model(&model.Household{}).Count(&households)
		if households != int64(2*len(hostileTexts)) {
			t.Errorf("%d households, want %d", households, 2*len(hostileTexts))
		}
	})
}
