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
