package api

import "minyi/service"

// workerRoutes lists the community workers' tools: roster import and
// export, home visits, offline sync, progress and the sign-off register.
func (a *API) workerRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/estates/:estate_id/households/import", service.ActEditRoster, a.importHouseholds},
		{"GET", "/api/v1/estates/:estate_id/households/export", service.ActExportRoster, a.exportHouseholds},
		{"GET", "/api/v1/households/import-template.xlsx", service.ActEditRoster, a.importTemplate},
		{"POST", "/api/v1/rounds/:round_id/visits", service.ActRecordVisits, a.recordVisit},
		{"GET", "/api/v1/rounds/:round_id/visits", service.ActReadVisits, a.listVisits},
		{"POST", "/api/v1/rounds/:round_id/sync", service.ActRecordSignOffs, a.syncRecords},
		{"GET", "/api/v1/rounds/:round_id/progress", service.ActReadProgress, a.roundProgress},
		{"GET", "/api/v1/rounds/:round_id/export", service.ActExportRegister, a.exportRegister},
	}
}

// workerMessages are the texts of this part's error codes (messages).
var workerMessages = map[string][2]string{
	"malformed_multipart": {"文件上传格式错误", "the multipart upload is malformed"},
}
