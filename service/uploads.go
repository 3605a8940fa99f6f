package service

import (
	"gorm.io/gorm"

	"minyi/model"
)

// Owners an upload can be attached to.
const (
	uploadOwnerObjection = "objection"
	uploadOwnerRevision  = "revision"
)

// attachmentsOf returns the ids of the uploads attached to each owner, in position order.
func attachmentsOf(tx *gorm.DB, ownerKind string, ownerIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ownerIDs) == 0 {
		return out, nil
	}
	var rows []model.Upload
	err := tx.Select("id", "owner_id", "position").
		Where("owner_kind = ? AND owner_id IN ?", ownerKind, ownerIDs).
		Order("owner_id, position, id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, u := range rows {
		out[u.OwnerID] = append(out[u.OwnerID], u.ID)
	}
	return out, nil
}
