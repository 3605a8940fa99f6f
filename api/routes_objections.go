package api

import "minyi/service"

// objectionRoutes lists the routes of objections, plan revisions, uploads and
// the designers' feedback view.
func (a *API) objectionRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/uploads", service.ActUpload, a.createUpload},
		{"GET", "/api/v1/uploads/:upload_id", service.ActAuthenticated, a.getUpload},

		{"POST", "/api/v1/estates/:estate_id/objections", service.ActFileObjection, a.fileObjection},
		{"GET", "/api/v1/estates/:estate_id/objections", service.ActReadObjections, a.listObjections},
		{"GET", "/api/v1/objections/:objection_id", service.ActReadObjections, a.getObjection},
		{"POST", "/api/v1/objections/:objection_id/response", service.ActAnswerFeedback, a.answerObjection},
		{"POST", "/api/v1/objections/:objection_id/follow-up", service.ActFollowUp, a.followUpObjection},
		{"GET", "/api/v1/me/objections", service.ActResident, a.myObjections},
		{"PATCH", "/api/v1/objections/:objection_id", service.ActAssignObjection, a.assignObjection},
		{"PUT", "/api/v1/objections/:objection_id/my-confirmation", service.ActResident, a.confirmObjection},
		{"GET", "/api/v1/estates/:estate_id/objections/summary", service.ActReadObjectionSummary, a.objectionSummary},

		{"POST", "/api/v1/estates/:estate_id/revisions", service.ActPublishRevisions, a.publishRevision},
		{"GET", "/api/v1/estates/:estate_id/revisions", service.ActReadRevisions, a.listRevisions},
		{"GET", "/api/v1/revisions/:revision_id", service.ActReadRevisions, a.getRevision},

		{"GET", "/api/v1/estates/:estate_id/feedback", service.ActReadFeedback, a.feedback},
	}
}

// objectionMessages are the texts of this part's error codes (messages).
var objectionMessages = map[string][2]string{
	"objection_not_found":       {"意见不存在", "objection not found"},
	"objection_closed":          {"该意见已回访办结，不能再修改", "the objection is closed after its follow-up visit"},
	"objection_not_answered":    {"该意见尚未答复，请先答复再回访", "answer the objection before the follow-up visit"},
	"objection_awaiting_answer": {"该意见尚未答复，答复后才能确认是否满意", "the objection has not been answered yet; confirm once it is"},
	"objections_unanswered":     {"上一轮征询中仍有意见未答复，答复全部意见后才能就修改后的方案开始新一轮征询", "objections of the earlier round are unanswered; answer them all before consulting on the revised plan"},
	"force_admin_only":          {"只有管理员可以强制开始征询", "only admins can force a round open"},
	"upload_not_found":          {"文件不存在", "file not found"},
	"file_too_large":            {"文件过大，单个文件不能超过 10 MB", "the file is larger than 10 MiB"},
	"unsupported_file_type":     {"只支持 JPEG、PNG、WebP 图片和 PDF 图纸", "only JPEG, PNG and WebP photos and PDF drawings are accepted"},
}
