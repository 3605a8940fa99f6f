package api

import "minyi/service"

// publicRoutes lists the public notice board's routes: no token, no personal data.
func (a *API) publicRoutes() []Route {
	notices := &noticeHandlers{svc: a.svc, publicBaseURL: a.cfg.PublicBaseURL, uploadDir: a.uploadDir(),
		cache: newNoticeCache(noticeFreshFor)}
	return []Route{
		{"GET", "/notice/:code", service.ActPublic, notices.page},
		{"GET", "/notice/:code/qrcode.png", service.ActPublic, notices.qrCode},
		{"GET", "/notice/:code/poster", service.ActPublic, notices.poster},
		{"GET", "/notice/:code/attachments/:upload_id", service.ActPublic, notices.attachment},
		{"GET", "/api/v1/public/estates/:code", service.ActPublic, notices.publicJSON},
	}
}
