package model

import "time"

// Survey is a questionnaire of an estate: a needs survey before the plan (改前问需), a
// satisfaction survey after the works (改后问效), or another. Its questions are stored as
// JSON (service.SurveyQuestion); they are fixed once the survey opens.
type Survey struct {
	ID       string `gorm:"type:varchar(36);primaryKey;index:ix_surveys_estate,priority:2"`
	EstateID string `gorm:"type:varchar(36);not null;index:ix_surveys_estate,priority:1"`
	Title    string `gorm:"type:varchar(200);not null"`
	// Purpose is "needs", "satisfaction" or "other".
	Purpose string `gorm:"type:varchar(16);not null"`
	// Template names the built-in form the survey was made from ("" for none).
	Template  string `gorm:"type:varchar(32);not null;default:''"`
	Questions string `gorm:"type:text;not null"`
	// Status is "draft", "open" or "closed"; an open survey past ClosesAt counts as closed.
	Status    string `gorm:"type:varchar(16);not null"`
	ClosesAt  *time.Time
	OpenedAt  *time.Time
	ClosedAt  *time.Time
	CreatedBy string `gorm:"type:varchar(36);not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SurveyResponse is one household's answers to a survey: the unique index makes one
// response per household true under concurrency; a new answer replaces it while the
// survey is open.
type SurveyResponse struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	SurveyID    string `gorm:"type:varchar(36);not null;uniqueIndex:ux_survey_household,priority:1"`
	HouseholdID string `gorm:"type:varchar(36);not null;uniqueIndex:ux_survey_household,priority:2"`
	EstateID    string `gorm:"type:varchar(36);not null"`
	// Answers are stored as JSON (service.SurveyAnswer).
	Answers string `gorm:"type:text;not null"`
	// Channel is "online" (a resident) or "paper" (a worker entering a paper form).
	Channel        string `gorm:"type:varchar(16);not null"`
	RecordedByKind string `gorm:"type:varchar(16);not null"`
	RecordedByID   string `gorm:"type:varchar(36);not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}
