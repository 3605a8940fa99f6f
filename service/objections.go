package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Objection statuses: open → answered → closed.
const (
	ObjectionOpen     = "open"
	ObjectionAnswered = "answered"
	ObjectionClosed   = "closed"
)

// Answer outcomes of an objection.
const (
	OutcomeAdopted          = "adopted"
	OutcomePartiallyAdopted = "partially_adopted"
	OutcomeNotAdopted       = "not_adopted"
)

// Moderation states of an objection's text.
const (
	ModerationPublished = "published"
	ModerationHeld      = "held"
	ModerationRejected  = "rejected"
)

// ObjectionCategory is one entry of the fixed list of objection topics.
type ObjectionCategory struct {
	Code  string // e.g. "elevator"
	Label string // Chinese label shown to residents and on the notice board
}

// ObjectionCategories is the fixed, documented list of objection topics, in display order.
var ObjectionCategories = []ObjectionCategory{
	{"elevator", "加装电梯"},
	{"parking", "停车"},
	{"greening", "绿化"},
	{"drainage", "雨污排水"},
	{"pipes", "水电气管网"},
	{"facade", "外立面"},
	{"safety", "安全"},
	{"accessibility", "无障碍"},
	{"cost", "费用分摊"},
	{"construction", "施工"},
	{"management", "物业管理"},
	{"other", "其他"},
}

// CategoryLabel gives the Chinese label of a category code ("" when unknown).
func CategoryLabel(code string) string {
	for _, c := range ObjectionCategories {
		if c.Code == code {
			return c.Label
		}
	}
	return ""
}

// OutcomeLabel gives the Chinese label of an answer outcome ("" when unknown).
func OutcomeLabel(outcome string) string {
	switch outcome {
	case OutcomeAdopted:
		return "已采纳"
	case OutcomePartiallyAdopted:
		return "部分采纳"
	case OutcomeNotAdopted:
		return "未采纳"
	}
	return ""
}

// Limits of an objection's fields.
const (
	MaxObjectionRunes  = 2000
	MaxObjectionPhotos = 9
	maxPlanItemRunes   = 100
)

// validCategory tells whether a code is in the fixed category list.
func validCategory(code string) bool { return CategoryLabel(code) != "" }

// ObjectionInput is an objection to file.
type ObjectionInput struct {
	RoundID     *string
	HouseholdID *string
	Category    string
	PlanItem    string
	Content     string
	Photos      []string // upload ids
	// Channel is how staff received it: paper, door or proxy (the default).
	// A resident's own objection is always online.
	Channel string
}

func (in *ObjectionInput) validate(resident bool) error {
	fields := map[string]string{}
	if !validCategory(in.Category) {
		fields["category"] = "must be one of elevator, parking, greening, drainage, pipes, facade, safety, accessibility, cost, construction, management, other"
	}
	in.PlanItem = strings.TrimSpace(in.PlanItem)
	if utf8.RuneCountInString(in.PlanItem) > maxPlanItemRunes {
		fields["plan_item"] = "at most 100 characters"
	}
	in.Content = strings.TrimSpace(in.Content)
	if n := utf8.RuneCountInString(in.Content); n == 0 || n > MaxObjectionRunes {
		fields["content"] = "1 to 2000 characters"
	}
	if len(in.Photos) > MaxObjectionPhotos {
		fields["photos"] = "at most 9 photos"
	} else if hasDuplicate(in.Photos) {
		fields["photos"] = "a photo is listed twice"
	}
	if resident {
		in.Channel = ChannelOnline
		if in.HouseholdID == nil || *in.HouseholdID == "" {
			fields["household_id"] = "is required: the household you speak for"
		}
	} else if in.Channel == "" {
		in.Channel = ChannelProxy
	} else if !staffChannels[in.Channel] {
		fields["channel"] = "must be paper, door or proxy"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

func hasDuplicate(ids []string) bool {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

// HouseholdAddress is where an objection's household is. Room is empty for
// designers, who see building and unit only.
type HouseholdAddress struct {
	ID       string
	Building string
	Unit     string
	Room     string
}

// ObjectionView is an objection with its photos, its household's address
// and (when read one by one) its history.
type ObjectionView struct {
	model.Objection
	Photos    []string
	Household *HouseholdAddress
	History   []model.ObjectionEvent
	// AnsweredByRef and ClosedByRef name the answerer and the worker who
	// closed it (nil until then); HistoryActors names each History entry's actor.
	// For residents they carry no user id.
	AnsweredByRef, ClosedByRef *PersonRef
	HistoryActors              []PersonRef
	// HandlerRef names the staff user handling it (nil when none); Due is
	// when it is due, and Overdue tells whether it is past Due and not closed.
	HandlerRef *PersonRef
	Due        time.Time
	Overdue    bool
}

// FileObjection records an objection: a resident's for one of their bound
// households (channel online; the text is moderated, and held text waits for
// a worker's review), or staff's on a resident's behalf (channel paper, door
// or proxy). Errors: estate_not_found, validation_failed (round_id,
// household_id, photos), content_rejected.
func (s *Service) FileObjection(ctx context.Context, actor Actor, estateID string, in ObjectionInput) (*ObjectionView, error) {
	resident := actor.Role == RoleResident
	if err := in.validate(resident); err != nil {
		return nil, err
	}
	// A resident's text is checked before the transaction (the check may call WeChat).
	verdict, err := s.moderateText(ctx, actor, "content", in.Content)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var view ObjectionView
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActFileObjection); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		if err := s.checkObjectionRefs(tx, actor, estateID, &in); err != nil {
			return err
		}
		o := model.Objection{ID: newID(), EstateID: estateID, Status: ObjectionOpen, RoundID: in.RoundID,
			HouseholdID: in.HouseholdID, Category: in.Category, PlanItem: in.PlanItem, Content: in.Content,
			Moderation: verdict.Outcome, Channel: in.Channel, FiledByKind: actor.Kind, FiledByID: actor.ID,
			FiledByRole: actor.Role, CreatedAt: now, UpdatedAt: now}
		due := now.Add(s.objectionDuePeriod())
		o.DueAt = &due
		if err := tx.Insert(&o); err != nil {
			return err
		}
		if err := s.attachUploads(tx, actor, estateID, uploadOwnerObjection, o.ID, in.Photos, "photos"); err != nil {
			return err
		}
		if o.Moderation == ModerationHeld {
			subject := ModerationSubject{Kind: SubjectObjection, ID: o.ID, EstateID: estateID}
			if err := s.holdForReview(tx, actor, subject, o.Content, verdict); err != nil {
				return err
			}
		}
		s.audit(tx, actor, estateID, "objection.file", "objection", o.ID, nil, objectionSummary(&o))
		v, err := s.recordObjectionEvent(tx, actor, &o, "filed")
		view = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// checkObjectionRefs verifies that the round and household an objection
// names belong to the estate, and that a resident speaks for their own household.
func (s *Service) checkObjectionRefs(tx *store.Tx, actor Actor, estateID string, in *ObjectionInput) error {
	if in.RoundID != nil && *in.RoundID == "" {
		in.RoundID = nil
	}
	if in.HouseholdID != nil && *in.HouseholdID == "" {
		in.HouseholdID = nil
	}
	if in.RoundID != nil {
		found, err := tx.RoundInEstate(*in.RoundID, estateID)
		if err != nil {
			return err
		}
		if !found {
			return InvalidField("round_id", "no such round in this estate")
		}
	}
	if in.HouseholdID == nil {
		return nil
	}
	bound, err := tx.HouseholdInEstate(*in.HouseholdID, estateID)
	if err != nil {
		return err
	}
	if bound && actor.Role == RoleResident {
		if bound, err = s.residentMaySpeakFor(tx, actor.ID, *in.HouseholdID); err != nil {
			return err
		}
	}
	if !bound {
		return InvalidField("household_id", "not a household of this estate that you may speak for")
	}
	return nil
}

// objectionEvent builds the history entry of a transition of o by actor.
func (s *Service) objectionEvent(actor Actor, o *model.Objection, kind string) *model.ObjectionEvent {
	e := &model.ObjectionEvent{ID: newID(), ObjectionID: o.ID, Kind: kind, Status: o.Status,
		ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: actor.Role, Channel: actor.Channel,
		RequestID: actor.RequestID, RecordedAt: s.Now()}
	switch kind {
	case "filed":
		e.Channel = o.Channel
	case "answered", "amended":
		e.Outcome, e.Explanation, e.RevisionID, e.PublicSummary = o.Outcome, o.Explanation, o.RevisionID, o.PublicSummary
	case "closed":
		e.Satisfied, e.Note = o.FollowUpSatisfied, o.FollowUpNote
	case "confirmed":
		e.Satisfied, e.Note = o.ConfirmationSatisfied, o.ConfirmationNote
	}
	return e
}

// ObjectionFilter narrows a list of objections; empty fields do not filter.
type ObjectionFilter struct {
	Status   string
	RoundID  string
	Category string
	// Overdue, when set, keeps only the objections that are (true) or are
	// not (false) past their due date and not closed.
	Overdue *bool
}

func (f ObjectionFilter) validate() error {
	fields := map[string]string{}
	if f.Status != "" && f.Status != ObjectionOpen && f.Status != ObjectionAnswered && f.Status != ObjectionClosed {
		fields["status"] = "must be open, answered or closed"
	}
	if f.Category != "" && !validCategory(f.Category) {
		fields["category"] = "not a known category"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// ListObjections lists an estate's objections, oldest first: every one for
// its staff, their own for a resident. Errors: estate_not_found, validation_failed.
func (s *Service) ListObjections(ctx context.Context, actor Actor, estateID string, filter ObjectionFilter, page Page) ([]ObjectionView, string, error) {
	if err := filter.validate(); err != nil {
		return nil, "", err
	}
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadObjections); err != nil {
		return nil, "", err
	}
	where := store.ObjectionFilter{Status: filter.Status, RoundID: filter.RoundID, Category: filter.Category}
	if actor.Role == RoleResident {
		where.OwnerKind, where.OwnerID = ActorResident, actor.ID
	}
	if filter.Overdue != nil {
		cut := s.overdueCut(*filter.Overdue, s.Now())
		where.Overdue = &cut
	}
	return s.pageOfObjections(tx, actor, page, func(p store.Page) ([]model.Objection, error) {
		return tx.ListObjections(estateID, where, p)
	})
}

// ListMyObjections lists a resident's own objections, with their answers, oldest first.
func (s *Service) ListMyObjections(ctx context.Context, actor Actor, page Page) ([]ObjectionView, string, error) {
	if actor.Role != RoleResident {
		return nil, "", Forbidden("forbidden")
	}
	tx := s.read(ctx)
	return s.pageOfObjections(tx, actor, page, func(p store.Page) ([]model.Objection, error) {
		return tx.ListResidentObjections(ActorResident, actor.ID, p)
	})
}

// pageOfObjections reads one page of objections with list and makes their views.
func (s *Service) pageOfObjections(tx *store.Tx, actor Actor, page Page, list func(store.Page) ([]model.Objection, error)) ([]ObjectionView, string, error) {
	rows, next, err := listPage(page, func(o model.Objection) string { return o.ID }, list)
	if err != nil {
		return nil, "", err
	}
	views, err := s.objectionViews(tx, actor, rows)
	if err != nil {
		return nil, "", AsError(err)
	}
	return views, next, nil
}

// GetObjection returns one objection with its photos and full history
// (every answer, including amended ones). Errors: objection_not_found.
func (s *Service) GetObjection(ctx context.Context, actor Actor, objectionID string) (*ObjectionView, error) {
	tx := s.read(ctx)
	var o model.Objection
	if err := s.loadObjectionFor(tx, actor, objectionID, ActReadObjections, &o); err != nil {
		return nil, AsError(err)
	}
	views, err := s.objectionViews(tx, actor, []model.Objection{o})
	if err != nil {
		return nil, AsError(err)
	}
	view := views[0]
	if view.History, err = tx.ObjectionHistory(o.ID); err != nil {
		return nil, AsError(err)
	}
	if err := nameHistoryActors(tx, actor, &view); err != nil {
		return nil, AsError(err)
	}
	return &view, nil
}

// loadObjectionFor reads an objection and checks the actor may perform the
// action on it; one the actor may not see is not found.
func (s *Service) loadObjectionFor(tx *store.Tx, actor Actor, objectionID string, action Action, o *model.Objection) error {
	found, err := store.ByID[model.Objection](tx, objectionID)
	if err != nil {
		return notFoundAs(err, "objection_not_found")
	}
	*o = found
	if err := s.authorize(tx, actor, o.EstateID, action); err != nil {
		return hiddenAs(err, "objection_not_found")
	}
	if actor.Role == RoleResident {
		own, err := s.residentOwnsObjection(tx, actor.ID, o)
		if err != nil {
			return err
		}
		if !own {
			return NotFound("objection_not_found")
		}
	}
	return nil
}

// recordObjectionEvent ends every write to an objection the same way: its
// history entry, the view the caller gets back, and the estate touched so
// that the notice board's version moves.
func (s *Service) recordObjectionEvent(tx *store.Tx, actor Actor, o *model.Objection, kind string) (ObjectionView, error) {
	if err := tx.Insert(s.objectionEvent(actor, o, kind)); err != nil {
		return ObjectionView{}, err
	}
	views, err := s.objectionViews(tx, actor, []model.Objection{*o})
	if err != nil {
		return ObjectionView{}, err
	}
	return views[0], s.touchEstate(tx, o.EstateID)
}

// objectionViews adds photos and household addresses to objections; a
// designer or a supervisor gets building and unit without the room.
func (s *Service) objectionViews(tx *store.Tx, actor Actor, rows []model.Objection) ([]ObjectionView, error) {
	ids := make([]string, len(rows))
	var householdIDs []string
	for i, o := range rows {
		ids[i] = o.ID
		if o.HouseholdID != nil {
			householdIDs = append(householdIDs, *o.HouseholdID)
		}
	}
	photos, err := attachmentsOf(tx, uploadOwnerObjection, ids)
	if err != nil {
		return nil, err
	}
	addresses := map[string]*HouseholdAddress{}
	if len(householdIDs) > 0 {
		hs, err := tx.HouseholdAddressesOf(householdIDs)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			addr := &HouseholdAddress{ID: h.ID, Building: h.Building, Unit: h.Unit, Room: h.Room}
			if actor.Role == RoleDesigner || actor.Role == RoleSupervisor {
				addr.ID, addr.Room = "", "" // no room, and no id that leads to one
			}
			addresses[h.ID] = addr
		}
	}
	views := make([]ObjectionView, len(rows))
	now := s.Now()
	for i, o := range rows {
		views[i] = ObjectionView{Objection: o, Photos: photos[o.ID], Due: s.ObjectionDue(&o), Overdue: s.ObjectionOverdue(&o, now)}
		if views[i].Photos == nil {
			views[i].Photos = []string{}
		}
		if o.HouseholdID != nil {
			views[i].Household = addresses[*o.HouseholdID]
		}
	}
	if err := nameAnswerers(tx, actor, views); err != nil {
		return nil, err
	}
	return views, nil
}

// residentOwnsObjection tells whether the objection is the resident's own:
// filed by them, or for a household they are bound to.
func (s *Service) residentOwnsObjection(tx *store.Tx, residentID string, o *model.Objection) (bool, error) {
	if o.FiledByKind == ActorResident && o.FiledByID == residentID {
		return true, nil
	}
	if o.HouseholdID == nil {
		return false, nil
	}
	return s.residentMaySpeakFor(tx, residentID, *o.HouseholdID)
}

// residentMaySpeakFor tells whether a resident is bound to the household.
func (s *Service) residentMaySpeakFor(tx *store.Tx, residentID, householdID string) (bool, error) {
	return tx.ResidentMaySpeakFor(residentID, householdID)
}
