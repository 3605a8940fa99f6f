package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"minyi/model"
	"minyi/store"
)

// MaxUploadBytes is the largest file accepted by POST /uploads (10 MiB).
const MaxUploadBytes = 10 << 20

// Owners an upload can be attached to.
const (
	uploadOwnerObjection = "objection"
	uploadOwnerRevision  = "revision"
)

// SaveUpload stores a photo (JPEG, PNG, WebP) or drawing (PDF), recognised
// from its bytes, under uploadDir with a random name. Photos are decoded and
// encoded afresh (upright, no metadata); PDFs lose their document
// information and XMP. Residents upload only once bound to a household, and
// every account at most its daily quota. The upload belongs to its uploader
// until it is attached to an objection or revision; with estateID it is
// also readable by that estate's workers. Errors: forbidden
// (household_binding_required), estate_not_found, file_too_large,
// unsupported_file_type, picture_too_large, pdf_metadata_unremovable,
// upload_quota_exceeded (429), validation_failed (file).
func (s *Service) SaveUpload(ctx context.Context, actor Actor, uploadDir, estateID string, content io.Reader) (*model.Upload, error) {
	if err := s.authorizeGlobal(actor, ActUpload); err != nil {
		return nil, err
	}
	g := s.read(ctx)
	if err := s.requireBoundResident(g, actor); err != nil {
		return nil, AsError(err)
	}
	if estateID != "" {
		if err := s.authorize(g, actor, estateID, ActUpload); err != nil {
			return nil, AsError(estateNotFound(err))
		}
	}
	if err := s.checkUploadQuota(g, actor, 0); err != nil {
		return nil, AsError(err)
	}
	data, err := io.ReadAll(io.LimitReader(content, MaxUploadBytes+1))
	if err != nil {
		return nil, InvalidField("file", "could not be read")
	}
	if len(data) > MaxUploadBytes {
		return nil, Invalid("file_too_large", map[string]string{"file": "at most 10 MiB"})
	}
	if len(data) == 0 {
		return nil, InvalidField("file", "is empty")
	}
	contentType := sniffUploadType(data)
	if contentType == "" {
		return nil, Invalid("unsupported_file_type", map[string]string{"file": "must be a JPEG, PNG or WebP photo or a PDF drawing"})
	}
	if contentType, data, err = cleanUpload(contentType, data); err != nil {
		return nil, AsError(err)
	}
	name, err := s.randomFileName(uploadExtensions[contentType])
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomically(uploadDir, name, data); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	sum := sha256.Sum256(data)
	upload := model.Upload{ID: newID(), StoredName: name, ContentType: contentType, SizeBytes: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploaderKind: actor.Kind, UploaderID: actor.ID, CreatedAt: s.Now()}
	if estateID != "" {
		upload.EstateID = &estateID
	}
	if err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		if err := s.lockUploader(tx, actor); err != nil {
			return err
		}
		if err := s.checkUploadQuota(tx, actor, upload.SizeBytes); err != nil {
			return err
		}
		s.audit(tx, actor, estateID, "upload.create", "upload", upload.ID, nil, map[string]any{"content_type": upload.ContentType, "size_bytes": upload.SizeBytes, "sha256": upload.SHA256})
		return tx.Insert(&upload)
	}); err != nil {
		os.Remove(filepath.Join(uploadDir, name))
		return nil, err
	}
	return &upload, nil
}

// randomFileName returns 32 random hex digits and the extension: stored
// files never carry the client's name.
func (s *Service) randomFileName(ext string) (string, error) {
	buf := make([]byte, 16)
	if _, err := io.ReadFull(s.random, buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(buf) + ext, nil
}

// writeFileAtomically writes a file under dir through a temporary file, so a
// reader never sees half a file.
func writeFileAtomically(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".partial-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// OpenUpload returns an upload and its opened file, for a caller allowed to
// see the object it is attached to (the uploader, or the estate's staff when
// uploaded for an estate, while it is unattached). The caller closes the file.
// Errors: upload_not_found.
func (s *Service) OpenUpload(ctx context.Context, actor Actor, uploadDir, uploadID string) (*model.Upload, *os.File, error) {
	tx := s.read(ctx)
	upload, err := store.ByID[model.Upload](tx, uploadID)
	if err != nil {
		return nil, nil, AsError(notFoundAs(err, "upload_not_found"))
	}
	visible, err := s.mayReadUpload(tx, actor, &upload)
	if err != nil {
		return nil, nil, AsError(err)
	}
	if !visible {
		return nil, nil, NotFound("upload_not_found")
	}
	return openStored(uploadDir, &upload)
}

// OpenPublicAttachment returns an attachment of one of the estate's plan
// revisions, which are public with the revision (for the notice board).
// Errors: upload_not_found.
func (s *Service) OpenPublicAttachment(ctx context.Context, uploadDir, estateID, uploadID string) (*model.Upload, *os.File, error) {
	upload, err := s.read(ctx).PublicAttachment(estateID, uploadID, uploadOwnerRevision)
	if err != nil {
		return nil, nil, AsError(notFoundAs(err, "upload_not_found"))
	}
	return openStored(uploadDir, &upload)
}

func openStored(uploadDir string, upload *model.Upload) (*model.Upload, *os.File, error) {
	f, err := os.Open(filepath.Join(uploadDir, upload.StoredName))
	if os.IsNotExist(err) {
		return nil, nil, NotFound("upload_not_found")
	}
	if err != nil {
		return nil, nil, AsError(err)
	}
	return upload, f, nil
}

// mayReadUpload tells whether the actor may see the upload: admins always;
// while unattached its uploader (and, if uploaded for an estate, that
// estate's workers, never designers or residents); once attached whoever may
// see the objection or revision.
func (s *Service) mayReadUpload(tx *store.Tx, actor Actor, u *model.Upload) (bool, error) {
	if actor.Kind == ActorSystem || actor.Role == RoleAdmin {
		return true, nil
	}
	switch u.OwnerKind {
	case "":
		if u.UploaderKind == actor.Kind && u.UploaderID == actor.ID {
			return true, nil
		}
		if u.EstateID == nil || actor.Role != RoleWorker {
			return false, nil
		}
		return s.canSeeEstate(tx, actor, *u.EstateID)
	case uploadOwnerObjection:
		var o model.Objection
		err := s.loadObjectionFor(tx, actor, u.OwnerID, ActReadObjections, &o)
		return visibleUnlessNotFound(err)
	case uploadOwnerRevision:
		if u.EstateID == nil {
			return false, nil
		}
		return visibleUnlessNotFound(s.authorize(tx, actor, *u.EstateID, ActReadRevisions))
	case uploadOwnerAcceptanceItem, uploadOwnerAcceptanceFix:
		if u.EstateID == nil {
			return false, nil
		}
		return visibleUnlessNotFound(s.authorize(tx, actor, *u.EstateID, ActReadAcceptance))
	case uploadOwnerReport, uploadOwnerReportFix:
		var r model.ProblemReport
		return visibleUnlessNotFound(s.loadReportFor(tx, actor, u.OwnerID, ActReadReports, &r))
	case uploadOwnerPrecondition:
		if u.EstateID == nil {
			return false, nil
		}
		return visibleUnlessNotFound(s.authorize(tx, actor, *u.EstateID, ActReadLifecycle))
	}
	return false, nil
}

// visibleUnlessNotFound turns an authorisation result into visibility: a
// not-found or forbidden answer means not visible, other errors are errors.
func visibleUnlessNotFound(err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if se := AsError(err); se.Kind == KindNotFound || se.Kind == KindForbidden {
		return false, nil
	}
	return false, err
}

// attachUploads attaches uploads to an objection or revision, in order. Each
// must exist, be unattached and have been uploaded by the actor (an upload
// for the estate is not enough: nobody attaches, and so publishes, someone
// else's file); an objection's photos must be images. Errors:
// validation_failed (field).
func (s *Service) attachUploads(tx *store.Tx, actor Actor, estateID, ownerKind, ownerID string, ids []string, field string) error {
	if len(ids) == 0 {
		return nil
	}
	uploads, err := tx.UploadsToAttach(ids)
	if err != nil {
		return err
	}
	byID := make(map[string]model.Upload, len(uploads))
	for _, u := range uploads {
		byID[u.ID] = u
	}
	for position, id := range ids {
		u, ok := byID[id]
		usable := ok && u.OwnerKind == "" && (actor.Kind == ActorSystem ||
			u.UploaderKind == actor.Kind && u.UploaderID == actor.ID && (u.EstateID == nil || *u.EstateID == estateID))
		if !usable {
			return InvalidField(field, "no such unattached upload of yours: "+id)
		}
		if ownerKind == uploadOwnerObjection && !strings.HasPrefix(u.ContentType, "image/") {
			return InvalidField(field, "photos must be JPEG, PNG or WebP images: "+id)
		}
		attached, err := tx.AttachUpload(id, ownerKind, ownerID, estateID, position)
		if err != nil {
			return err
		}
		if !attached {
			return InvalidField(field, "already attached elsewhere: "+id)
		}
	}
	return nil
}

// attachmentsOf returns the ids of the uploads attached to each owner, in position order.
func attachmentsOf(tx *store.Tx, ownerKind string, ownerIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ownerIDs) == 0 {
		return out, nil
	}
	rows, err := tx.AttachedUploads(ownerKind, ownerIDs)
	if err != nil {
		return nil, err
	}
	for _, u := range rows {
		out[u.OwnerID] = append(out[u.OwnerID], u.ID)
	}
	return out, nil
}
