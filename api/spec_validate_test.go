package api

import (
	"net/http"
	"strings"
	"testing"
)

// validTallyBody is a tally exactly as the spec describes it.
const validTallyBody = `{
  "round_id": "r1", "status": "open",
  "rule": {"preset": "two-80", "checks": [{"name": "participation_households", "measure": "households", "base": "electorate", "ratio": "80%", "strict": false, "of": "participated"}]},
  "electorate": {"households": 10, "area_m2": 812.5},
  "participated": {"households": 8, "area_m2": 650},
  "decisions": {"agree": {"households": 7, "area_m2": 570}, "disagree": {"households": 1, "area_m2": 80}, "abstain": {"households": 0, "area_m2": 0}},
  "checks": [{"name": "participation_households", "required": "80%", "actual": "80.00%", "actual_fraction": "8/10", "passed": true}],
  "passed": true,
  "shortfall": {"agree_households_needed": null, "possible": false},
  "by_building": [{"building": "1", "electorate": 10, "participated": 8, "agree": 7, "disagree": 1, "abstain": 0}],
  "computed_at": "2026-11-22T08:00:00+08:00"
}`

func jsonResponse(status int, body string) *testResponse {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return &testResponse{Status: status, Header: h, Body: []byte(body)}
}

// TestOpenAPIValidatorRejectsWrongResponses proves that the response
// validation every handler test goes through can fail: each wrong response
// is refused with a reason naming what is wrong, and the right ones pass.
func TestOpenAPIValidatorRejectsWrongResponses(t *testing.T) {
	htmlResponse := &testResponse{Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte("<p>ok</p>")}
	tests := []struct {
		name         string
		method, path string
		resp         *testResponse
		wantErr      string // "" when the response is right
	}{
		{"a correct tally passes", "GET", "/api/v1/rounds/r1/tally", jsonResponse(200, validTallyBody), ""},
		{"a tally without passed", "GET", "/api/v1/rounds/r1/tally",
			jsonResponse(200, strings.Replace(validTallyBody, `"passed": true,`, "", 1)), `"passed"`},
		{"a shortfall given as text", "GET", "/api/v1/rounds/r1/tally",
			jsonResponse(200, strings.Replace(validTallyBody, `"agree_households_needed": null`, `"agree_households_needed": "2"`, 1)), "agree_households_needed"},
		{"an area given as text", "GET", "/api/v1/rounds/r1/tally",
			jsonResponse(200, strings.Replace(validTallyBody, `"area_m2": 812.5`, `"area_m2": "812.5"`, 1)), "area_m2"},
		{"a time that is not RFC 3339", "GET", "/api/v1/rounds/r1/tally",
			jsonResponse(200, strings.Replace(validTallyBody, `"2026-11-22T08:00:00+08:00"`, `"2026-11-22 08:00"`, 1)), "computed_at"},
		{"an undocumented status", "GET", "/api/v1/rounds/r1/tally", jsonResponse(http.StatusTeapot, `{}`), "status is not supported"},
		{"a household whose phone is null", "GET", "/api/v1/households/h1", jsonResponse(200,
			`{"id":"h1","estate_id":"e1","building":"1","unit":"1","room":"101","area_m2":80.5,"owner_name":"张三","phone":null,"occupancy":"owner","eligible":true}`), "phone"},
		{"an occupancy outside the enum", "GET", "/api/v1/households/h1", jsonResponse(200,
			`{"id":"h1","estate_id":"e1","building":"1","unit":"1","room":"101","area_m2":80.5,"owner_name":"张三","phone":"","occupancy":"squatted","eligible":true}`), "occupancy"},
		{"an error envelope without message", "GET", "/api/v1/me", jsonResponse(401, `{"error":{"code":"missing_token"}}`), "message"},
		{"an error that is not an envelope", "GET", "/api/v1/me", jsonResponse(401, `{"code":"missing_token","message":"x"}`), "error"},
		{"a route the spec lacks", "GET", "/api/v1/nowhere", jsonResponse(200, `{}`), "not in openapi.yaml"},
		{"a method the spec lacks", "DELETE", "/api/v1/me", jsonResponse(200, `{}`), "not in openapi.yaml"},
		{"the server's own 404 for an unknown route", "GET", "/api/v1/nowhere",
			jsonResponse(404, `{"error":{"code":"route_not_found","message":"接口不存在"}}`), ""},
		{"the server's 405 in a broken envelope", "DELETE", "/api/v1/me",
			jsonResponse(405, `{"error":{"code":"method_not_allowed"}}`), "message"},
		{"an HTML body where JSON is documented", "GET", "/healthz", htmlResponse, "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkResponseAgainstSpec(tt.method, tt.path, tt.resp)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("a right response was refused: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("a wrong response passed the validation (want an error about %s)", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not mention %s", err, tt.wantErr)
			}
		})
	}
}
