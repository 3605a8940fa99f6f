package api

import (
	"net/http"
	"testing"

	"minyi/model"
	"minyi/model/testdb"
	"minyi/wechat"
)

// TestResidentObjections: a resident files an objection with a photo for
// their own household only, sees it and its answer in /me/objections, and
// nobody else's; held text waits for a worker and stays off public answers.
func TestResidentObjections(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *model.DB) {
		w := newResidentWorld(t, db)
		s := w.srv
		token, _ := w.bind("openid-objector", "101")
		neighbour, _ := w.bind("openid-neighbour", "102")
		path := "/api/v1/estates/" + w.estateID + "/objections"

		photo := s.mustUpload(token, "IMG_2001.png", testPNG(t))
		var mine objectionResponse
		s.must(http.StatusCreated, "POST", path, token, map[string]any{
			"household_id": w.household["101"], "round_id": w.roundID, "category": "accessibility",
			"plan_item": "单元入口坡道", "content": "坡道太陡，轮椅上不去", "photos": []string{photo.ID}}).decode(t, &mine)
		if mine.Channel != "online" || mine.FiledBy.Kind != "resident" || mine.Moderation != "published" || len(mine.Photos) != 1 {
			t.Fatalf("resident's objection %+v", mine)
		}
		env := expectError(t, s.call("POST", path, token, map[string]any{
			"household_id": w.household["102"], "category": "other", "content": "替邻居提"}), http.StatusUnprocessableEntity, "validation_failed")
		if env.Error.Fields["household_id"] == "" {
			t.Fatalf("filing for another household: fields %v", env.Error.Fields)
		}
		expectError(t, s.call("POST", path, token, map[string]any{"category": "other", "content": "没有户"}), http.StatusUnprocessableEntity, "validation_failed")
		expectError(t, s.call("POST", "/api/v1/estates/"+w.estateID+"/revisions", token, map[string]any{"title": "x"}), http.StatusForbidden, "forbidden")
		expectError(t, s.call("GET", "/api/v1/estates/"+w.estateID+"/feedback", token, nil), http.StatusForbidden, "forbidden")

		// A worker files for the neighbour's household on their behalf: the
		// neighbour sees it as their own, the objector does not.
		var forNeighbour objectionResponse
		s.must(http.StatusCreated, "POST", path, w.worker, map[string]any{
			"household_id": w.household["102"], "category": "parking", "content": "电话里反映车位不足", "channel": "door"}).decode(t, &forNeighbour)
		if forNeighbour.Channel != "door" {
			t.Fatalf("channel %q, want door", forNeighbour.Channel)
		}
		expectError(t, s.call("GET", "/api/v1/objections/"+forNeighbour.ID, token, nil), http.StatusNotFound, "objection_not_found")
		expectError(t, s.call("GET", "/api/v1/uploads/"+photo.ID, neighbour, nil), http.StatusNotFound, "upload_not_found")
		s.must(http.StatusOK, "GET", "/api/v1/uploads/"+photo.ID, token, nil)
		var estateList listResponse[objectionResponse]
		s.must(http.StatusOK, "GET", path, neighbour, nil).decode(t, &estateList)
		if len(estateList.Items) != 1 || estateList.Items[0].ID != forNeighbour.ID {
			t.Fatalf("the neighbour lists %d objections, want only the one for their household", len(estateList.Items))
		}

		var answered objectionResponse
		s.must(http.StatusOK, "POST", "/api/v1/objections/"+mine.ID+"/response", w.designer, map[string]any{
			"outcome": "adopted", "explanation": "坡度改为1:12", "public_summary": "居民反映无障碍坡道过陡"}).decode(t, &answered)
		var myList listResponse[objectionResponse]
		s.must(http.StatusOK, "GET", "/api/v1/me/objections", token, nil).decode(t, &myList)
		if len(myList.Items) != 1 || myList.Items[0].Answer == nil || myList.Items[0].Answer.Explanation != "坡度改为1:12" {
			t.Fatalf("the resident's own objections %+v", myList.Items)
		}
		expectError(t, s.call("GET", "/api/v1/me/objections", w.worker, nil), http.StatusForbidden, "forbidden")

		// Held text is queued for review and never shown in public answers.
		w.fake.SetVerdict("需要复核", wechat.SuggestReview)
		var held objectionResponse
		s.must(http.StatusCreated, "POST", path, token, map[string]any{
			"household_id": w.household["101"], "category": "other", "content": "这段需要复核的话"}).decode(t, &held)
		if held.Moderation != "held" {
			t.Fatalf("moderation %q, want held", held.Moderation)
		}
		s.must(http.StatusOK, "POST", "/api/v1/objections/"+held.ID+"/response", w.designer, map[string]any{
			"outcome": "not_adopted", "explanation": "不属于改造范围", "public_summary": "其他意见"})
		answers, err := s.svc.PublicAnswers(t.Context(), w.estateID)
		if err != nil {
			t.Fatal(err)
		}
		if len(answers) != 1 || answers[0].PublicSummary != "居民反映无障碍坡道过陡" || answers[0].Category != "accessibility" {
			t.Fatalf("public answers %+v, want only the published one", answers)
		}
		var queue struct {
			Items []struct {
				ID        string `json:"id"`
				SubjectID string `json:"subject_id"`
			} `json:"items"`
		}
		s.must(http.StatusOK, "GET", "/api/v1/estates/"+w.estateID+"/moderation", w.worker, nil).decode(t, &queue)
		if len(queue.Items) != 1 || queue.Items[0].SubjectID != held.ID {
			t.Fatalf("moderation queue %+v, want the held objection", queue.Items)
		}
		s.must(http.StatusOK, "POST", "/api/v1/moderation/"+queue.Items[0].ID+"/review", w.worker, map[string]string{"outcome": "publish"})
		if answers, _ = s.svc.PublicAnswers(t.Context(), w.estateID); len(answers) != 2 {
			t.Fatalf("%d public answers after the review published the text, want 2", len(answers))
		}
		w.fake.SetVerdict("违规广告", wechat.SuggestRisky)
		expectError(t, s.call("POST", path, token, map[string]any{
			"household_id": w.household["101"], "category": "other", "content": "违规广告内容"}), http.StatusUnprocessableEntity, "content_rejected")
	})
}
