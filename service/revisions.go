package service

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"minyi/model"
	"minyi/store"
)

// Limits of a revision's fields.
const (
	maxRevisionTitleRunes   = 200
	maxRevisionSummaryRunes = 2000
	maxRevisionChangesRunes = 20000
	maxRevisionAddresses    = 500
	maxRevisionAttachments  = 20
)

// RevisionInput is a plan revision to publish.
type RevisionInput struct {
	Title       string
	Summary     string
	Changes     string
	Addresses   []string // ids of the objections it addresses
	Attachments []string // upload ids (drawings, photos)
}

func (in *RevisionInput) validate() error {
	fields := map[string]string{}
	in.Title, in.Summary, in.Changes = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), strings.TrimSpace(in.Changes)
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > maxRevisionTitleRunes {
		fields["title"] = "1 to 200 characters"
	}
	if utf8.RuneCountInString(in.Summary) > maxRevisionSummaryRunes {
		fields["summary"] = "at most 2000 characters"
	}
	if utf8.RuneCountInString(in.Changes) > maxRevisionChangesRunes {
		fields["changes"] = "at most 20000 characters"
	}
	if len(in.Addresses) > maxRevisionAddresses {
		fields["addresses"] = "at most 500 objections"
	} else if hasDuplicate(in.Addresses) {
		fields["addresses"] = "an objection is listed twice"
	}
	if len(in.Attachments) > maxRevisionAttachments {
		fields["attachments"] = "at most 20 attachments"
	} else if hasDuplicate(in.Attachments) {
		fields["attachments"] = "an attachment is listed twice"
	}
	if len(fields) > 0 {
		return Invalid("validation_failed", fields)
	}
	return nil
}

// RevisionView is a revision with the objections it addresses and its attachments.
type RevisionView struct {
	model.Revision
	Addresses   []string
	Attachments []string
	// Publisher names who published it (no user id for residents, who also get an empty PublishedBy).
	Publisher PersonRef
}

// namePublishers fills in the revisions' publishers for the reader.
func namePublishers(tx *store.Tx, reader Actor, views []RevisionView) error {
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.PublishedBy
	}
	refs, err := personRefs(tx, reader, ids)
	if err != nil {
		return err
	}
	for i := range views {
		views[i].Publisher = actorRef(refs, ActorUser, views[i].PublishedBy, "")
		if reader.Role == RoleResident {
			views[i].PublishedBy = ""
		}
	}
	return nil
}

// PublishRevision publishes the estate's next plan revision (version 1, 2,
// 3…; a concurrent publication retries with the next number), linking the
// objections it addresses and its attachments.
// Errors: estate_not_found, validation_failed (addresses, attachments).
func (s *Service) PublishRevision(ctx context.Context, actor Actor, estateID string, in RevisionInput) (*RevisionView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var view RevisionView
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.authorize(tx, actor, estateID, ActPublishRevisions); err != nil {
			return estateNotFound(err)
		}
		if err := s.mustFindEstate(tx, estateID); err != nil {
			return err
		}
		if err := s.checkObjectionsOfEstate(tx, estateID, in.Addresses); err != nil {
			return err
		}
		latest, err := tx.LatestRevisionVersion(estateID)
		if err != nil {
			return err
		}
		rev := model.Revision{ID: newID(), EstateID: estateID, Version: latest + 1, Title: in.Title,
			Summary: in.Summary, Changes: in.Changes, PublishedBy: actor.ID, PublishedAt: s.Now()}
		s.audit(tx, actor, estateID, "revision.publish", "revision", rev.ID, nil, map[string]any{"version": rev.Version, "title": rev.Title, "addresses": in.Addresses})
		if err := tx.Insert(&rev); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return errRetry
			}
			return err
		}
		if len(in.Addresses) > 0 {
			links := make([]model.RevisionObjection, len(in.Addresses))
			for i, id := range in.Addresses {
				links[i] = model.RevisionObjection{RevisionID: rev.ID, ObjectionID: id}
			}
			if err := tx.Insert(&links); err != nil {
				return err
			}
		}
		if err := s.attachUploads(tx, actor, estateID, uploadOwnerRevision, rev.ID, in.Attachments, "attachments"); err != nil {
			return err
		}
		addresses := append([]string{}, in.Addresses...)
		sort.Strings(addresses)
		view = RevisionView{Revision: rev, Addresses: addresses, Attachments: append([]string{}, in.Attachments...)}
		published := []RevisionView{view}
		if err := namePublishers(tx, actor, published); err != nil {
			return err
		}
		view = published[0]
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// checkObjectionsOfEstate verifies that every id is an objection of the estate.
func (s *Service) checkObjectionsOfEstate(tx *store.Tx, estateID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.ObjectionIDsOfEstate(estateID, ids)
	if err != nil {
		return err
	}
	if len(found) == len(ids) {
		return nil
	}
	known := map[string]bool{}
	for _, id := range found {
		known[id] = true
	}
	var unknown []string
	for _, id := range ids {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	return InvalidField("addresses", "no such objection in this estate: "+strings.Join(unknown, ", "))
}

// checkRevisionOfEstate verifies that a revision exists in the estate.
// Errors: revision_not_found (422, field revision_id).
func (s *Service) checkRevisionOfEstate(tx *store.Tx, revisionID, estateID string) error {
	found, err := tx.RevisionInEstate(revisionID, estateID)
	if err != nil {
		return err
	}
	if !found {
		return Invalid("revision_not_found", map[string]string{"revision_id": "no such revision in this estate"})
	}
	return nil
}

// ListRevisions lists an estate's revisions, oldest first. Errors: estate_not_found.
func (s *Service) ListRevisions(ctx context.Context, actor Actor, estateID string, page Page) ([]RevisionView, string, error) {
	tx := s.read(ctx)
	if err := s.authorizeEstate(tx, actor, estateID, ActReadRevisions); err != nil {
		return nil, "", err
	}
	// Ids are time-ordered, so id order is publication (and version) order.
	rows, next, err := listPage(page, func(r model.Revision) string { return r.ID }, func(p store.Page) ([]model.Revision, error) {
		return tx.ListRevisions(estateID, p)
	})
	if err != nil {
		return nil, "", err
	}
	views, err := revisionViews(tx, rows)
	if err == nil {
		err = namePublishers(tx, actor, views)
	}
	if err != nil {
		return nil, "", AsError(err)
	}
	return views, next, nil
}

// GetRevision returns one revision. Errors: revision_not_found.
func (s *Service) GetRevision(ctx context.Context, actor Actor, revisionID string) (*RevisionView, error) {
	tx := s.read(ctx)
	rev, err := store.ByID[model.Revision](tx, revisionID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "revision_not_found"))
	}
	if err := s.authorize(tx, actor, rev.EstateID, ActReadRevisions); err != nil {
		return nil, AsError(hiddenAs(err, "revision_not_found"))
	}
	views, err := revisionViews(tx, []model.Revision{rev})
	if err == nil {
		err = namePublishers(tx, actor, views)
	}
	if err != nil {
		return nil, AsError(err)
	}
	return &views[0], nil
}

func revisionViews(tx *store.Tx, rows []model.Revision) ([]RevisionView, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	attachments, err := attachmentsOf(tx, uploadOwnerRevision, ids)
	if err != nil {
		return nil, err
	}
	addresses := map[string][]string{}
	if len(ids) > 0 {
		links, err := tx.RevisionObjectionLinks(ids)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			addresses[l.RevisionID] = append(addresses[l.RevisionID], l.ObjectionID)
		}
	}
	views := make([]RevisionView, len(rows))
	for i, r := range rows {
		views[i] = RevisionView{Revision: r, Addresses: addresses[r.ID], Attachments: attachments[r.ID]}
		if views[i].Addresses == nil {
			views[i].Addresses = []string{}
		}
		if views[i].Attachments == nil {
			views[i].Attachments = []string{}
		}
	}
	return views, nil
}
