package store

import (
	"time"

	"gorm.io/gorm/clause"

	"minyi/model"
)

// Residents (WeChat accounts) and the households they are bound to.

// ResidentByOpenID reads the resident with this WeChat openid; false when none.
func (t *Tx) ResidentByOpenID(openID string) (model.Resident, bool, error) {
	var found []model.Resident
	if err := t.g.Where("open_id = ?", openID).Limit(1).Find(&found).Error; err != nil || len(found) == 0 {
		return model.Resident{}, false, model.Translate(err)
	}
	return found[0], true, nil
}

// RecordResidentLogin stamps a resident's login time and, when unionID is
// not empty, stores it as their unionid.
func (t *Tx) RecordResidentLogin(residentID string, at time.Time, unionID string) error {
	changes := map[string]any{"last_login_at": at, "updated_at": at}
	if unionID != "" {
		changes["union_id"] = unionID
	}
	return result(t.g.Model(&model.Resident{}).Where("id = ?", residentID).Updates(changes))
}

// SetResidentPhone stores a resident's phone number, already sealed, with
// its look-up hash; false when there is no such resident.
func (t *Tx) SetResidentPhone(residentID, sealedPhone, phoneHash string, at time.Time) (bool, error) {
	// A map update: it bypasses the model's serializer, hence the sealed value.
	res := t.g.Model(&model.Resident{}).Where("id = ?", residentID).
		Updates(map[string]any{"phone": sealedPhone, "phone_hash": phoneHash, "updated_at": at})
	return res.RowsAffected > 0, result(res)
}

// ResidentStatus reads whether a resident is disabled (id and disabled
// only); false when there is no such resident.
func (t *Tx) ResidentStatus(residentID string) (model.Resident, bool, error) {
	var rows []model.Resident
	if err := t.g.Select("id", "disabled").Where("id = ?", residentID).Limit(1).Find(&rows).Error; err != nil || len(rows) != 1 {
		return model.Resident{}, false, model.Translate(err)
	}
	return rows[0], true, nil
}

// ResidentBoundInEstate tells whether a resident is bound to a household of the estate.
func (t *Tx) ResidentBoundInEstate(residentID, estateID string) (bool, error) {
	var n int64
	err := t.g.Model(&model.ResidentBinding{}).Where("resident_id = ? AND estate_id = ?", residentID, estateID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// ResidentIsBound tells whether a resident is bound to any household.
func (t *Tx) ResidentIsBound(residentID string) (bool, error) {
	var n int64
	err := t.g.Model(&model.ResidentBinding{}).Where("resident_id = ?", residentID).Count(&n).Error
	return n > 0, model.Translate(err)
}

// ResidentHousehold is a household a resident is bound to, with its estate's
// name and code, the binding's time and relation, and whether the resident
// is its designated signer.
type ResidentHousehold struct {
	model.Household
	EstateName string
	EstateCode string
	BoundAt    time.Time
	Relation   string
	IsSigner   bool
}

// HouseholdsOfResident reads the households a resident is bound to, in
// binding order; only the given household when householdID is not empty.
func (t *Tx) HouseholdsOfResident(residentID, householdID string) ([]ResidentHousehold, error) {
	var rows []ResidentHousehold
	q := t.g.Table("resident_bindings b").
		Select("h.*, e.name AS estate_name, e.code AS estate_code, b.created_at AS bound_at, b.relation, hs.resident_id IS NOT NULL AS is_signer").
		Joins("JOIN households h ON h.id = b.household_id").
		Joins("JOIN estates e ON e.id = h.estate_id").
		Joins("LEFT JOIN household_signers hs ON hs.household_id = b.household_id AND hs.resident_id = b.resident_id").
		Where("b.resident_id = ?", residentID)
	if householdID != "" {
		q = q.Where("b.household_id = ?", householdID)
	}
	err := q.Order("b.created_at, b.id").Scan(&rows).Error
	return rows, model.Translate(err)
}

// BoundResident is a resident bound to a household, with the binding's time
// and relation and whether they are its designated signer.
type BoundResident struct {
	model.Resident
	BoundAt  time.Time
	Relation string
	IsSigner bool
}

// ResidentsOfHousehold reads the residents bound to a household, in binding order.
func (t *Tx) ResidentsOfHousehold(householdID string) ([]BoundResident, error) {
	var rows []BoundResident
	err := t.g.Table("resident_bindings b").
		Select("r.*, b.created_at AS bound_at, b.relation, hs.resident_id IS NOT NULL AS is_signer").
		Joins("JOIN residents r ON r.id = b.resident_id").
		Joins("LEFT JOIN household_signers hs ON hs.household_id = b.household_id AND hs.resident_id = b.resident_id").
		Where("b.household_id = ?", householdID).Order("b.created_at, b.id").Scan(&rows).Error
	return rows, model.Translate(err)
}

// LockResidentForBinding reads the resident's id, locking the row on MySQL
// so that one resident's binding tries are counted one at a time (SQLite
// has one writer anyway); model.ErrNotFound when there is no such resident.
func (t *Tx) LockResidentForBinding(residentID string) error {
	q := t.g.Select("id").Where("id = ?", residentID)
	if t.MySQL() {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r model.Resident
	return model.Translate(q.Take(&r).Error)
}

// StoredPhone is a row's id and its phone number, opened by the serializer.
type StoredPhone struct {
	ID    string
	Phone string `gorm:"serializer:secret"`
}

// PhoneTable is a table with sealed phone numbers.
type PhoneTable interface {
	model.Household | model.Resident
}

// StoredPhonesAfter reads the phones of at most limit rows of T after the
// id after, in id order.
func StoredPhonesAfter[T PhoneTable](t *Tx, after string, limit int) ([]StoredPhone, error) {
	var rows []StoredPhone
	err := t.g.Model(new(T)).Select("id", "phone").Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error
	return rows, model.Translate(err)
}

// WriteSealedPhone stores a row's phone, already sealed, and its look-up
// hash: no hooks, no timestamps, nothing but the two columns.
func WriteSealedPhone[T PhoneTable](t *Tx, id, sealedPhone, phoneHash string) error {
	return result(t.g.Model(new(T)).Where("id = ?", id).UpdateColumns(map[string]any{"phone": sealedPhone, "phone_hash": phoneHash}))
}
