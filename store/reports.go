package store

import (
	"time"

	"minyi/model"
)

// The statements of problem reports (随手拍).

// ReportChange is a staff member's change of a problem report: the new
// status and its time, and the fields that change with it (nil ones keep
// their value).
type ReportChange struct {
	Status     string
	At         time.Time
	AssigneeID *string
	StaffNote  *string
	FixedAt    *time.Time
}

// ChangeReport applies a staff change to a report still in fromStatus and
// reports whether it was applied (false: the report changed meanwhile).
func (t *Tx) ChangeReport(reportID, fromStatus string, c ReportChange) (bool, error) {
	updates := map[string]any{"status": c.Status, "updated_at": c.At}
	if c.AssigneeID != nil {
		updates["assignee_id"] = *c.AssigneeID
	}
	if c.StaffNote != nil {
		updates["staff_note"] = *c.StaffNote
	}
	if c.FixedAt != nil {
		updates["fixed_at"] = *c.FixedAt
	}
	return t.updateReportIn(reportID, fromStatus, updates)
}

// ReportVerdict is the reporter's verdict on a fix: the status it leads to,
// whether they were satisfied and why, and the times it sets or clears.
type ReportVerdict struct {
	Status    string
	Satisfied bool
	Note      string
	At        time.Time
	// ConfirmedAt is set when the reporter confirms the fix.
	ConfirmedAt *time.Time
	// ClearFixedAt forgets the fix's time when it is sent back.
	ClearFixedAt bool
}

// RecordReportVerdict records the reporter's verdict on a report still in
// fromStatus and reports whether it was recorded (false: it changed meanwhile).
func (t *Tx) RecordReportVerdict(reportID, fromStatus string, v ReportVerdict) (bool, error) {
	updates := map[string]any{"satisfied": v.Satisfied, "confirm_note": v.Note, "updated_at": v.At, "status": v.Status}
	if v.ConfirmedAt != nil {
		updates["confirmed_at"] = *v.ConfirmedAt
	}
	if v.ClearFixedAt {
		updates["fixed_at"] = nil
	}
	return t.updateReportIn(reportID, fromStatus, updates)
}

// updateReportIn updates a report if it is in the status and reports whether it was.
func (t *Tx) updateReportIn(reportID, status string, updates map[string]any) (bool, error) {
	res := t.g.Model(&model.ProblemReport{}).Where("id = ? AND status = ?", reportID, status).Updates(updates)
	return res.RowsAffected > 0, result(res)
}

// CountAssignableWorkers counts the estate's staff rows of this user in
// this role (the worker role): one when the user may be assigned reports.
func (t *Tx) CountAssignableWorkers(estateID, userID, workerRole string) (int64, error) {
	var n int64
	err := t.g.Model(&model.EstateStaff{}).Where("estate_id = ? AND user_id = ? AND role = ?", estateID, userID, workerRole).Count(&n).Error
	return n, model.Translate(err)
}

// CountAssignableAdmins counts the users with this id in this role (the
// admin role), who may be assigned any estate's reports.
func (t *Tx) CountAssignableAdmins(userID, adminRole string) (int64, error) {
	var n int64
	err := t.g.Model(&model.User{}).Where("id = ? AND role = ?", userID, adminRole).Count(&n).Error
	return n, model.Translate(err)
}

// ReportFilter narrows a list of an estate's reports; empty fields do not filter.
type ReportFilter struct {
	ReporterID string
	Status     string
}

// ListProblemReports reads one page of an estate's reports in id order.
func (t *Tx) ListProblemReports(estateID string, filter ReportFilter, page Page) ([]model.ProblemReport, error) {
	q := t.g.Model(&model.ProblemReport{}).Where("estate_id = ?", estateID)
	if filter.ReporterID != "" {
		q = q.Where("reporter_id = ?", filter.ReporterID)
	}
	if filter.Status != "" {
		q = q.Where("status = ?", filter.Status)
	}
	return findPage[model.ProblemReport](q, page, "id")
}

// CountReportsByStatus counts an estate's reports by status (statuses
// without reports are absent).
func (t *Tx) CountReportsByStatus(estateID string) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := t.g.Model(&model.ProblemReport{}).Select("status, COUNT(*) AS n").Where("estate_id = ?", estateID).
		Group("status").Scan(&rows).Error; err != nil {
		return nil, model.Translate(err)
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}
