package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Problem report statuses: reported → assigned → fixed → confirmed (or back to assigned).
const (
	ReportReported  = "reported"
	ReportAssigned  = "assigned"
	ReportFixed     = "fixed"
	ReportConfirmed = "confirmed"
)

// ReportStatuses lists the statuses in their order, for counts.
var ReportStatuses = []string{ReportReported, ReportAssigned, ReportFixed, ReportConfirmed}

// Upload owner kinds of problem report photos.
const (
	uploadOwnerReport    = "report"
	uploadOwnerReportFix = "report_fix"
)

// Limits of a problem report.
const (
	maxReportTextRunes     = 1000
	maxReportLocationRunes = 200
	maxReportPhotos        = 9
)

// ReportInput is a new problem report.
type ReportInput struct {
	Text, Location string
	Photos         []string
}

// ReportUpdate is a worker's change of a report.
type ReportUpdate struct {
	Status     string
	AssigneeID *string
	Note       *string
	Photos     []string
}

// ReportView is a report with its photos.
type ReportView struct {
	model.ProblemReport
	Photos    []string
	FixPhotos []string
}

func validPhotoList(fields map[string]string, ids []string) {
	if len(ids) > maxReportPhotos {
		fields["photo_upload_ids"] = "at most 9 photos"
	} else if hasDuplicate(ids) {
		fields["photo_upload_ids"] = "a photo is listed twice"
	}
}

// FileReport files a resident's problem report with photos (their own
// unattached images). Errors: estate_not_found, validation_failed.
func (s *Service) FileReport(ctx context.Context, actor Actor, estateID string, in ReportInput) (*ReportView, error) {
	in.Text, in.Location = strings.TrimSpace(in.Text), strings.TrimSpace(in.Location)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(in.Text); n == 0 || n > maxReportTextRunes {
		fields["text"] = "1 to 1000 characters"
	}
	if n := utf8.RuneCountInString(in.Location); n == 0 || n > maxReportLocationRunes {
		fields["location"] = "1 to 200 characters"
	}
	validPhotoList(fields, in.Photos)
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var view *ReportView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActFileReport); err != nil {
			return estateNotFound(err)
		}
		now := s.Now()
		r := model.ProblemReport{ID: newID(), EstateID: estateID, Status: ReportReported, ReporterID: actor.ID,
			Text: in.Text, Location: in.Location, CreatedAt: now, UpdatedAt: now}
		s.audit(tx, actor, estateID, "report.file", "report", r.ID, nil, map[string]any{"location": r.Location, "photos": len(in.Photos)})
		if err := tx.Insert(&r); err != nil {
			return err
		}
		if err := checkPhotos(tx, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		if err := s.attachUploads(tx, actor, estateID, uploadOwnerReport, r.ID, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		var err error
		view, err = reportView(tx, r)
		if err != nil {
			return err
		}
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// loadReportFor reads a report the actor may act on: staff of its estate,
// or (for residents) its reporter; anything else is not found.
func (s *Service) loadReportFor(tx *store.Tx, actor Actor, reportID string, action Action, r *model.ProblemReport) error {
	if actor.Kind != ActorSystem && !RoleAllowed(action, actor.Role) {
		return Forbidden("forbidden")
	}
	found, err := store.ByID[model.ProblemReport](tx, reportID)
	if err != nil {
		return notFoundAs(err, "report_not_found")
	}
	*r = found
	if actor.Role == RoleResident && r.ReporterID != actor.ID {
		return NotFound("report_not_found")
	}
	return hiddenAs(s.authorize(tx, actor, r.EstateID, action), "report_not_found")
}

// UpdateReport assigns a report (from reported or assigned, optionally to a
// worker of the estate) or records its fix (from assigned; at least one
// photo of the fix). Errors: report_not_found, validation_failed,
// report_transition_invalid (409).
func (s *Service) UpdateReport(ctx context.Context, actor Actor, reportID string, in ReportUpdate) (*ReportView, error) {
	fields := map[string]string{}
	if in.Status != ReportAssigned && in.Status != ReportFixed {
		fields["status"] = "must be assigned or fixed"
	}
	if in.Note != nil {
		*in.Note = strings.TrimSpace(*in.Note)
		if utf8.RuneCountInString(*in.Note) > maxLifecycleNoteRunes {
			fields["note"] = "at most 500 characters"
		}
	}
	validPhotoList(fields, in.Photos)
	if in.Status == ReportFixed && len(in.Photos) == 0 && fields["photo_upload_ids"] == "" {
		fields["photo_upload_ids"] = "a photo of the fix is required"
	}
	if in.Status == ReportAssigned && len(in.Photos) > 0 {
		fields["photo_upload_ids"] = "photos belong to the fix"
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	var view *ReportView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var r model.ProblemReport
		if err := s.loadReportFor(tx, actor, reportID, ActHandleReports, &r); err != nil {
			return err
		}
		before := map[string]any{"status": r.Status, "assignee_id": r.AssigneeID}
		switch {
		case in.Status == ReportAssigned && (r.Status == ReportReported || r.Status == ReportAssigned):
		case in.Status == ReportFixed && r.Status == ReportAssigned:
		default:
			return Conflict("report_transition_invalid", r.Status+" → "+in.Status)
		}
		now := s.Now()
		change := store.ReportChange{Status: in.Status, At: now}
		if in.AssigneeID != nil {
			if err := s.checkAssignee(tx, r.EstateID, *in.AssigneeID); err != nil {
				return err
			}
			change.AssigneeID = in.AssigneeID
			r.AssigneeID = in.AssigneeID
		} else if in.Status == ReportAssigned && r.AssigneeID == nil && actor.Kind == ActorUser {
			change.AssigneeID = &actor.ID
			r.AssigneeID = &actor.ID
		}
		if in.Note != nil {
			change.StaffNote = in.Note
			r.StaffNote = *in.Note
		}
		if in.Status == ReportFixed {
			change.FixedAt = &now
			r.FixedAt = &now
		}
		changed, err := tx.ChangeReport(r.ID, r.Status, change)
		if err != nil {
			return err
		}
		if !changed {
			return Conflict("report_transition_invalid", "the report changed meanwhile")
		}
		r.Status, r.UpdatedAt = in.Status, now
		if err := checkPhotos(tx, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		if err := s.attachUploads(tx, actor, r.EstateID, uploadOwnerReportFix, r.ID, in.Photos, "photo_upload_ids"); err != nil {
			return err
		}
		s.audit(tx, actor, r.EstateID, "report."+in.Status, "report", r.ID, before,
			map[string]any{"status": r.Status, "assignee_id": r.AssigneeID, "note": r.StaffNote, "photos": len(in.Photos)})
		if view, err = reportView(tx, r); err != nil {
			return err
		}
		return s.touchEstate(tx, r.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// checkAssignee verifies that a user is a worker assigned to the estate or an admin.
func (s *Service) checkAssignee(tx *store.Tx, estateID, userID string) error {
	n, err := tx.CountAssignableWorkers(estateID, userID, RoleWorker)
	if err != nil {
		return err
	}
	if n == 0 {
		if n, err = tx.CountAssignableAdmins(userID, RoleAdmin); err != nil {
			return err
		}
	}
	if n == 0 {
		return InvalidField("assignee_id", "no worker of this estate has this id")
	}
	return nil
}

// ConfirmReport records the reporter's verdict on a fixed report: satisfied
// confirms it, not satisfied sends it back to assigned. Errors:
// report_not_found, report_not_fixed (409), validation_failed.
func (s *Service) ConfirmReport(ctx context.Context, actor Actor, reportID string, satisfied bool, note string) (*ReportView, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxLifecycleNoteRunes {
		return nil, InvalidField("note", "at most 500 characters")
	}
	if !satisfied && note == "" {
		return nil, InvalidField("note", "say what is still wrong")
	}
	var view *ReportView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var r model.ProblemReport
		if err := s.loadReportFor(tx, actor, reportID, ActConfirmReport, &r); err != nil {
			return err
		}
		if r.Status != ReportFixed {
			return Conflict("report_not_fixed", "status "+r.Status)
		}
		now := s.Now()
		verdict := store.ReportVerdict{Satisfied: satisfied, Note: note, At: now}
		next := ReportAssigned
		if satisfied {
			next = ReportConfirmed
			verdict.ConfirmedAt = &now
			r.ConfirmedAt = &now
		} else {
			verdict.ClearFixedAt = true
			r.FixedAt = nil
		}
		verdict.Status = next
		recorded, err := tx.RecordReportVerdict(r.ID, ReportFixed, verdict)
		if err != nil {
			return err
		}
		if !recorded {
			return Conflict("report_not_fixed", "the report changed meanwhile")
		}
		r.Status, r.Satisfied, r.ConfirmNote, r.UpdatedAt = next, &satisfied, note, now
		s.audit(tx, actor, r.EstateID, "report.confirm", "report", r.ID, map[string]any{"status": ReportFixed},
			map[string]any{"status": next, "satisfied": satisfied})
		if view, err = reportView(tx, r); err != nil {
			return err
		}
		return s.touchEstate(tx, r.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ListReports lists the estate's reports, oldest first: all for its staff,
// their own for a resident. status filters when not empty.
// Errors: estate_not_found, validation_failed (status).
func (s *Service) ListReports(ctx context.Context, actor Actor, estateID, status string, page Page) ([]ReportView, string, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadReports); err != nil {
		return nil, "", err
	}
	var filter store.ReportFilter
	if actor.Role == RoleResident {
		filter.ReporterID = actor.ID
	}
	if status != "" {
		known := false
		for _, st := range ReportStatuses {
			known = known || st == status
		}
		if !known {
			return nil, "", InvalidField("status", "must be reported, assigned, fixed or confirmed")
		}
		filter.Status = status
	}
	rows, next, err := listPage(page, func(r model.ProblemReport) string { return r.ID },
		func(p store.Page) ([]model.ProblemReport, error) { return tx.ListProblemReports(estateID, filter, p) })
	if err != nil {
		return nil, "", err
	}
	views := make([]ReportView, 0, len(rows))
	for _, r := range rows {
		v, err := reportView(tx, r)
		if err != nil {
			return nil, "", AsError(err)
		}
		views = append(views, *v)
	}
	return views, next, nil
}

func reportView(tx *store.Tx, r model.ProblemReport) (*ReportView, error) {
	photos, err := attachmentsOf(tx, uploadOwnerReport, []string{r.ID})
	if err != nil {
		return nil, err
	}
	fixes, err := attachmentsOf(tx, uploadOwnerReportFix, []string{r.ID})
	if err != nil {
		return nil, err
	}
	return &ReportView{ProblemReport: r, Photos: orEmpty(photos[r.ID]), FixPhotos: orEmpty(fixes[r.ID])}, nil
}

// reportCounts counts the estate's reports by status, for the board.
func reportCounts(tx *store.Tx, estateID string) (map[string]int64, error) {
	counts, err := tx.CountReportsByStatus(estateID)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, st := range ReportStatuses {
		out[st] = 0
	}
	for status, n := range counts {
		out[status] = n
	}
	return out, nil
}
