package api

import (
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
)

// TestProxySignOffOverHTTP: PUT signoffs with channel proxy needs
// principal_name and evidence_upload_id (422 naming both), then records
// them and answers them back.
func TestProxySignOffOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newWorkersRoundEnv(t, db)
		path := w.path("/signoffs/" + w.ids["1-2-101"])
		resp := w.srv.call("PUT", path, w.worker, map[string]any{"decision": "agree", "channel": "proxy", "signer_name": "王五之子"})
		expectError(t, resp, http.StatusUnprocessableEntity, "validation_failed")
		var env errorBody
		resp.decode(t, &env)
		if env.Error.Fields["principal_name"] == "" || env.Error.Fields["evidence_upload_id"] == "" {
			t.Fatalf("422 without both fields: %s", resp.Body)
		}
		letter := w.srv.mustUpload(w.worker, "letter.png", testPNG(t))
		var so signOffResponse
		w.srv.must(http.StatusOK, "PUT", path, w.worker, map[string]any{"decision": "agree", "channel": "proxy", "signer_name": "王五之子",
			"principal_name": "王五", "evidence_upload_id": letter.ID}).decode(t, &so)
		if so.PrincipalName != "王五" || so.EvidenceUploadID != letter.ID || so.Channel != "proxy" {
			t.Fatalf("proxy sign-off = %+v", so)
		}
	})
}
