package model

import "time"

// ResultObjection is a written objection to a closed round's result, filed during its
// notice period by a household of the electorate (or a worker on its behalf) and
// answered by an admin: upheld (the round is voided) or rejected.
type ResultObjection struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	RoundID     string `gorm:"type:varchar(36);not null;index:ix_result_objections_round,priority:1"`
	EstateID    string `gorm:"type:varchar(36);not null"`
	HouseholdID string `gorm:"type:varchar(36);not null"`
	Text        string `gorm:"type:text;not null"`
	// FiledByKind is "resident" or "staff"; FiledByID the resident's or user's id.
	FiledByKind string    `gorm:"type:varchar(16);not null"`
	FiledByID   string    `gorm:"type:varchar(36);not null"`
	CreatedAt   time.Time `gorm:"index:ix_result_objections_round,priority:2"`
	// Outcome is "" until answered, then "upheld" or "rejected".
	Outcome     string `gorm:"type:varchar(16);not null;default:''"`
	Explanation string `gorm:"type:text"`
	ResolvedBy  string `gorm:"type:varchar(36);not null;default:''"`
	ResolvedAt  *time.Time
}
