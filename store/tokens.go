package store

import (
	"time"

	"minyi/model"
)

// Refresh tokens and the end of access tokens (auth).

// RefreshTokenByHash reads the refresh token stored under this hash;
// model.ErrNotFound when none.
func (t *Tx) RefreshTokenByHash(tokenHash string) (model.RefreshToken, error) {
	var row model.RefreshToken
	err := first(t.g.Where("token_hash = ?", tokenHash), &row)
	return row, err
}

// ClaimRefreshToken marks an unused refresh token used; false when it was
// used already (a rotated token presented again).
func (t *Tx) ClaimRefreshToken(id string, at time.Time) (bool, error) {
	res := t.g.Model(&model.RefreshToken{}).Where("id = ? AND used_at IS NULL", id).Update("used_at", at)
	return res.RowsAffected > 0, result(res)
}

// RevokeRefreshTokenFamily revokes the tokens of a family not yet revoked.
func (t *Tx) RevokeRefreshTokenFamily(familyID string, at time.Time) error {
	return result(t.g.Model(&model.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", familyID).
		Update("revoked_at", at))
}

// RevokeRefreshTokensOfSubject revokes every refresh token of a subject
// (a kind of account and its id) not yet revoked.
func (t *Tx) RevokeRefreshTokensOfSubject(subjectKind, subjectID string, at time.Time) error {
	return result(t.g.Model(&model.RefreshToken{}).
		Where("subject_kind = ? AND subject_id = ? AND revoked_at IS NULL", subjectKind, subjectID).
		Update("revoked_at", at))
}

// EndUserAccessTokens ends the access tokens a staff user was issued before at.
func (t *Tx) EndUserAccessTokens(userID string, at time.Time) error {
	return result(t.g.Model(&model.User{}).Where("id = ?", userID).UpdateColumn("tokens_valid_after", at))
}

// EndResidentAccessTokens ends the access tokens a resident was issued before at.
func (t *Tx) EndResidentAccessTokens(residentID string, at time.Time) error {
	return result(t.g.Model(&model.Resident{}).Where("id = ?", residentID).UpdateColumn("tokens_valid_after", at))
}

// ResidentTokenStatus reads whether a resident is disabled and since when
// their tokens are valid (id, disabled, tokens_valid_after only); false when
// there is no such resident.
func (t *Tx) ResidentTokenStatus(residentID string) (model.Resident, bool, error) {
	var rows []model.Resident
	err := t.g.Select("id", "disabled", "tokens_valid_after").Where("id = ?", residentID).Limit(1).Find(&rows).Error
	if err != nil || len(rows) != 1 {
		return model.Resident{}, false, model.Translate(err)
	}
	return rows[0], true, nil
}
