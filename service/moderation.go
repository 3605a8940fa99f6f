package service

import (
	"context"
	"log/slog"
	"strconv"

	"minyi/model"
	"minyi/store"
)

// Moderator checks a text a resident wrote before it is published. With
// WeChat configured it is WeChatModerator; without, PassModerator publishes
// everything (there is nobody to ask, and workers can still read every text).
type Moderator interface {
	// Check returns the verdict on a text by the resident with this openid.
	// An error means the check could not be made; the service then holds
	// the text for a worker's review.
	Check(ctx context.Context, openid, text string) (Verdict, error)
}

// Verdict is a moderator's answer: Outcome is ModerationPublished,
// ModerationHeld (a worker must review it) or ModerationRejected.
type Verdict struct {
	Outcome string
	Reason  string // why it was held or rejected, e.g. WeChat's label
	TraceID string
}

// PassModerator publishes every text; it is used when WeChat is not configured.
type PassModerator struct{}

// Check publishes the text.
func (PassModerator) Check(context.Context, string, string) (Verdict, error) {
	return Verdict{Outcome: ModerationPublished}, nil
}

// SetModerator sets the moderator of residents' texts (nil: PassModerator).
// Call it once at start, before serving.
func (s *Service) SetModerator(m Moderator) { s.moderator = m }

func (s *Service) textModerator() Moderator {
	if s.moderator == nil {
		return PassModerator{}
	}
	return s.moderator
}

// Subject kinds of moderation items.
const (
	SubjectSignOffComment = "signoff_comment" // id: the sign-off; version: its version
	SubjectObjection      = "objection"       // id: the objection; version 0
)

// moderateText checks a text before a transaction writes it: staff text and
// empty text are published as they are; a resident's text goes to the
// moderator. A check that fails holds the text. A rejected text is the error
// content_rejected naming field. Call it outside any transaction (it may
// call WeChat).
func (s *Service) moderateText(ctx context.Context, actor Actor, field, text string) (Verdict, error) {
	if text == "" || actor.Kind != ActorResident {
		return Verdict{Outcome: ModerationPublished}, nil
	}
	openID, err := s.read(ctx).ResidentOpenID(actor.ID)
	if err != nil {
		return Verdict{}, AsError(err)
	}
	verdict, err := s.textModerator().Check(ctx, openID, text)
	if err != nil {
		slog.WarnContext(ctx, "text check failed; the text is held for review", "request_id", actor.RequestID, "error", err)
		return Verdict{Outcome: ModerationHeld, Reason: "check_unavailable"}, nil
	}
	switch verdict.Outcome {
	case ModerationPublished, ModerationHeld:
		return verdict, nil
	case ModerationRejected:
		e := Invalid("content_rejected", map[string]string{field: "the text was rejected by the content check"})
		return Verdict{}, e
	}
	return Verdict{Outcome: ModerationHeld, Reason: "unknown_verdict"}, nil
}

// ModerationSubject names what a held text belongs to.
type ModerationSubject struct {
	Kind     string
	ID       string
	Version  int
	EstateID string
}

// holdForReview queues a held text for a worker's review in the caller's
// transaction. Holding the same subject version twice keeps the first entry.
func (s *Service) holdForReview(tx *store.Tx, actor Actor, subject ModerationSubject, text string, verdict Verdict) error {
	item := model.ModerationItem{ID: newID(), EstateID: subject.EstateID, Status: ModerationHeld,
		SubjectKind: subject.Kind, SubjectID: subject.ID, SubjectVersion: subject.Version, Text: text,
		Reason: verdict.Reason, TraceID: verdict.TraceID, AuthorKind: actor.Kind, AuthorID: actor.ID, CreatedAt: s.Now()}
	return tx.HoldModerationItem(&item)
}

// moderationKey identifies one version of a subject.
type moderationKey struct {
	ID      string
	Version int
}

// moderationStatuses returns the moderation status of each reviewed or held
// version of the given subjects; a version without an entry is published.
func (s *Service) moderationStatuses(tx *store.Tx, kind string, ids []string) (map[moderationKey]string, error) {
	out := map[moderationKey]string{}
	if len(ids) == 0 {
		return out, nil
	}
	items, err := tx.ModerationStatusesOf(kind, ids)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		out[moderationKey{it.SubjectID, it.SubjectVersion}] = it.Status
	}
	return out, nil
}

// moderationAppliers carry a review's outcome over to the subject's own
// table, for subjects that keep their moderation status on their row.
var moderationAppliers = map[string]func(tx *store.Tx, item *model.ModerationItem) error{
	SubjectSignOffComment: func(*store.Tx, *model.ModerationItem) error { return nil }, // the item is the status
	SubjectObjection: func(tx *store.Tx, item *model.ModerationItem) error {
		return tx.SetObjectionModeration(item.SubjectID, item.Status)
	},
}

// ModerationFilter narrows the moderation queue.
type ModerationFilter struct {
	Status string // held (default), published or rejected
}

// ListModeration lists an estate's moderation items, oldest first.
// Errors: estate_not_found, validation_failed.
func (s *Service) ListModeration(ctx context.Context, actor Actor, estateID string, filter ModerationFilter, page Page) ([]model.ModerationItem, string, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActModerate); err != nil {
		return nil, "", err
	}
	if filter.Status == "" {
		filter.Status = ModerationHeld
	}
	if filter.Status != ModerationHeld && filter.Status != ModerationPublished && filter.Status != ModerationRejected {
		return nil, "", InvalidField("status", "must be held, published or rejected")
	}
	return listPage(page, func(it model.ModerationItem) string { return it.ID }, func(p store.Page) ([]model.ModerationItem, error) {
		return tx.ListModerationItems(estateID, filter.Status, p)
	})
}

// ReviewModeration publishes or rejects a held text (outcome "publish" or
// "reject"). Errors: validation_failed, moderation_item_not_found,
// moderation_already_reviewed.
func (s *Service) ReviewModeration(ctx context.Context, actor Actor, itemID, outcome string) (*model.ModerationItem, error) {
	status := map[string]string{"publish": ModerationPublished, "reject": ModerationRejected}[outcome]
	if status == "" {
		return nil, InvalidField("outcome", "must be publish or reject")
	}
	var item model.ModerationItem
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		found, err := store.ByID[model.ModerationItem](tx, itemID)
		if err != nil {
			return notFoundAs(err, "moderation_item_not_found")
		}
		item = found
		if err := s.authorize(tx, actor, item.EstateID, ActModerate); err != nil {
			if AsError(err).Kind == KindNotFound {
				return NotFound("moderation_item_not_found")
			}
			return err
		}
		s.audit(tx, actor, item.EstateID, "moderation.review", item.SubjectKind, item.SubjectID, map[string]any{"status": item.Status}, map[string]any{"status": status})
		now := s.Now()
		claimed, err := tx.ReviewModerationItem(item.ID, ModerationHeld, status, actor.ID, now)
		if err != nil {
			return err
		}
		if !claimed {
			return Conflict("moderation_already_reviewed", "the text is "+item.Status)
		}
		item.Status, item.ReviewedBy, item.ReviewedAt = status, actor.ID, &now
		if apply := moderationAppliers[item.SubjectKind]; apply != nil {
			if err := apply(tx, &item); err != nil {
				return err
			}
		}
		return s.touchEstate(tx, item.EstateID)
	})
	if err != nil {
		return nil, err
	}
	return &item, nil
}

// labelReason describes a WeChat label as a held or rejected text's reason.
func labelReason(label int) string { return "wechat_label_" + strconv.Itoa(label) }
