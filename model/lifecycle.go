package model

import "time"

// EstateStage is one stage of an estate's renovation (survey, needs, design,
// round1 … maintenance) once it has left "pending": a stage without a row is
// pending. One row per (estate, stage).
type EstateStage struct {
	EstateID   string `gorm:"type:varchar(36);primaryKey"`
	Stage      string `gorm:"type:varchar(16);primaryKey"`
	Status     string `gorm:"type:varchar(16);not null"` // pending, in_progress, done
	StartedAt  *time.Time
	FinishedAt *time.Time
	Note       string `gorm:"type:varchar(500);not null;default:''"`
	// Forced is true when an admin started the stage although its preconditions were unmet.
	Forced    bool   `gorm:"not null;default:false"`
	UpdatedBy string `gorm:"type:varchar(36);not null;default:''"`
	UpdatedAt time.Time
}

// EstatePrecondition is one of the six preconditions of construction
// (Xianning's 党组织, 多方协商, 居民公约, 违建拆除, 居民出资, 物业费承诺) as
// recorded for an estate; a precondition without a row is not met. Its
// evidence uploads are attached with owner kind "precondition" and the row's id.
type EstatePrecondition struct {
	ID        string `gorm:"type:varchar(36);primaryKey"`
	EstateID  string `gorm:"type:varchar(36);not null;uniqueIndex:ux_estate_preconditions_key,priority:1"`
	Key       string `gorm:"column:precondition_key;type:varchar(32);not null;uniqueIndex:ux_estate_preconditions_key,priority:2"`
	Met       bool   `gorm:"not null"`
	Note      string `gorm:"type:varchar(500);not null;default:''"`
	UpdatedBy string `gorm:"type:varchar(36);not null;default:''"`
	UpdatedAt time.Time
}

// EstateSite is the site information of an estate's construction shown on
// the 明白墙 / 公示牌: who builds, supervises and designs, the schedule, the
// budget in fen and the site office's phone.
type EstateSite struct {
	EstateID        string `gorm:"type:varchar(36);primaryKey"`
	Builder         string `gorm:"type:varchar(100);not null;default:''"`
	SupervisingUnit string `gorm:"type:varchar(100);not null;default:''"`
	DesignerUnit    string `gorm:"type:varchar(100);not null;default:''"`
	StartsOn        string `gorm:"type:varchar(10);not null;default:''"` // YYYY-MM-DD or ""
	EndsOn          string `gorm:"type:varchar(10);not null;default:''"`
	BudgetFen       int64  `gorm:"not null;default:0"`
	ContactPhone    string `gorm:"type:varchar(32);not null;default:''"`
	UpdatedBy       string `gorm:"type:varchar(36);not null;default:''"`
	UpdatedAt       time.Time
}

// Acceptance is one joint acceptance (联合验收) of an estate's works: items
// checked pass or rectify, signed by owner representatives, supervisors, the
// builder, the designer and the street office. It is open while an item
// awaits rectification and closed once every item passed or was rectified.
type Acceptance struct {
	ID        string `gorm:"type:varchar(36);primaryKey"`
	EstateID  string `gorm:"type:varchar(36);not null;index:ix_acceptances_estate"`
	Status    string `gorm:"type:varchar(16);not null"` // open, closed
	CreatedBy string `gorm:"type:varchar(36);not null"`
	CreatedAt time.Time
	ClosedAt  *time.Time
}

// AcceptanceItem is one checked item of an acceptance, numbered from 0 in
// the order given. Its photos are uploads with owner kind "acceptance_item"
// and its rectification photos "acceptance_fix", both owned by the item's id.
type AcceptanceItem struct {
	ID           string `gorm:"type:varchar(36);primaryKey"`
	AcceptanceID string `gorm:"type:varchar(36);not null;uniqueIndex:ux_acceptance_items_position,priority:1"`
	Position     int    `gorm:"not null;uniqueIndex:ux_acceptance_items_position,priority:2"`
	Name         string `gorm:"type:varchar(100);not null"`
	Result       string `gorm:"type:varchar(16);not null"` // pass, rectify
	Note         string `gorm:"type:varchar(500);not null;default:''"`
	RectifiedAt  *time.Time
	RectifiedBy  string `gorm:"type:varchar(36);not null;default:''"`
	RectifyNote  string `gorm:"type:varchar(500);not null;default:''"`
}

// AcceptanceSignature is one signature of an acceptance: a name and the role signed in.
type AcceptanceSignature struct {
	AcceptanceID string `gorm:"type:varchar(36);primaryKey"`
	Position     int    `gorm:"primaryKey;autoIncrement:false"`
	Name         string `gorm:"type:varchar(100);not null"`
	Role         string `gorm:"type:varchar(32);not null"`
}

// ProblemReport is a resident's report of a problem during construction
// (随手拍): reported → assigned → fixed (with a photo) → confirmed by the
// reporter, or back to assigned when the reporter is not satisfied. The
// reporter's photos are uploads with owner kind "report", the fix's "report_fix".
type ProblemReport struct {
	ID          string  `gorm:"type:varchar(36);primaryKey"`
	EstateID    string  `gorm:"type:varchar(36);not null;index:ix_problem_reports_estate_status,priority:1"`
	Status      string  `gorm:"type:varchar(16);not null;index:ix_problem_reports_estate_status,priority:2"`
	ReporterID  string  `gorm:"type:varchar(36);not null;index:ix_problem_reports_reporter"`
	Text        string  `gorm:"type:varchar(1000);not null"`
	Location    string  `gorm:"type:varchar(200);not null"`
	AssigneeID  *string `gorm:"type:varchar(36)"`
	StaffNote   string  `gorm:"type:varchar(500);not null;default:''"`
	FixedAt     *time.Time
	Satisfied   *bool
	ConfirmNote string `gorm:"type:varchar(500);not null;default:''"`
	ConfirmedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
