package service

import (
	"minyi/store"
	"strings"
	"unicode/utf8"
)

// validateProxy adds the reasons a proxy sign-off (代签) is incomplete: it
// needs the principal's name and the upload of the authorisation letter.
// Other channels carry neither.
func (in *SignOffInput) validateProxy(fields map[string]string) {
	in.PrincipalName = strings.TrimSpace(in.PrincipalName)
	in.EvidenceUploadID = strings.TrimSpace(in.EvidenceUploadID)
	if in.Channel != ChannelProxy {
		in.PrincipalName, in.EvidenceUploadID = "", ""
		return
	}
	switch {
	case in.PrincipalName == "":
		fields["principal_name"] = "is required for a proxy sign-off"
	case utf8.RuneCountInString(in.PrincipalName) > 100:
		fields["principal_name"] = "at most 100 characters"
	}
	if in.EvidenceUploadID == "" || len(in.EvidenceUploadID) > 36 {
		fields["evidence_upload_id"] = "is required for a proxy sign-off (the upload of the authorisation letter)"
	} else if in.EvidenceURL == "" {
		in.EvidenceURL = "/api/v1/uploads/" + in.EvidenceUploadID // the register links the letter
	}
}

// checkProxyEvidence proves, inside the sign-off's transaction, that a proxy
// decision's authorisation letter is an upload by staff of the round's
// estate (an admin or a user assigned to it), not attached to anything else.
// Errors: validation_failed (evidence_upload_id).
func (s *Service) checkProxyEvidence(tx *store.Tx, t *signOffTarget, in SignOffInput) error {
	if in.Channel != ChannelProxy || !counted(in.Decision) {
		return nil
	}
	if in.PrincipalName == "" || in.EvidenceUploadID == "" {
		fields := map[string]string{}
		in.validateProxy(fields)
		return Invalid("validation_failed", fields)
	}
	found, err := tx.ProxyEvidenceExists(store.ProxyEvidence{UploadID: in.EvidenceUploadID, UploaderKind: ActorUser,
		EstateID: t.EstateID, AdminRole: RoleAdmin})
	if err != nil {
		return err
	}
	if !found {
		return InvalidField("evidence_upload_id", "no such upload of the authorisation letter by staff of this estate")
	}
	return nil
}
