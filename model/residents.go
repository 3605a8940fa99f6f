package model

import "time"

// Resident is a person who uses the WeChat mini-program, known by the
// mini-program's openid. WeChat's session_key is never stored.
type Resident struct {
	ID      string `gorm:"type:varchar(36);primaryKey"`
	OpenID  string `gorm:"type:varchar(64);not null;uniqueIndex:ux_residents_openid"`
	UnionID string `gorm:"type:varchar(64);not null;default:'';index:ix_residents_unionid"`
	// Phone is the number the resident shared through WeChat (optional).
	Phone       string `gorm:"type:varchar(128);not null;default:'';serializer:secret"` // sealed: model/fieldcrypt
	PhoneHash   string `gorm:"type:varchar(64);not null;default:'';index:ix_residents_phone_hash"`
	Disabled    bool   `gorm:"not null;default:false"`
	LastLoginAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// TokensValidAfter ends every access token issued before it (logout,
	// refresh-token reuse); nil: none ended.
	TokensValidAfter *time.Time
}

// ResidentBinding says that a resident acts for a household. A resident may
// be bound to several households and a household may have several residents.
type ResidentBinding struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	ResidentID  string `gorm:"type:varchar(36);not null;uniqueIndex:ux_resident_household,priority:1;index:ix_resident_bindings_estate,priority:1"`
	HouseholdID string `gorm:"type:varchar(36);not null;uniqueIndex:ux_resident_household,priority:2;index:ix_resident_bindings_household"`
	EstateID    string `gorm:"type:varchar(36);not null;index:ix_resident_bindings_estate,priority:2"`
	// BindingCodeID is the code the resident redeemed.
	BindingCodeID string `gorm:"type:varchar(36);not null;default:''"`
	// Relation is how the resident relates to the household: owner,
	// co_owner, tenant or family.
	Relation  string `gorm:"type:varchar(16);not null;default:'owner'"`
	CreatedAt time.Time
}

// HouseholdSigner names the one resident who signs for a household (the
// designated signer): the first owner or co-owner who bound, or whom a
// worker chose. One row per household at most.
type HouseholdSigner struct {
	HouseholdID string `gorm:"type:varchar(36);primaryKey"`
	ResidentID  string `gorm:"type:varchar(36);not null;index:ix_household_signers_resident"`
	SetBy       string `gorm:"type:varchar(36);not null;default:''"` // the staff user who chose, "" when automatic
	SetAt       time.Time
}

// BindingCode is a one-time code a worker hands to a household so that a
// resident can bind to it; only its SHA-256 is stored.
type BindingCode struct {
	ID          string `gorm:"type:varchar(36);primaryKey"`
	CodeHash    string `gorm:"type:varchar(64);not null;uniqueIndex:ux_binding_codes_hash"`
	EstateID    string `gorm:"type:varchar(36);not null"`
	HouseholdID string `gorm:"type:varchar(36);not null;index:ix_binding_codes_household"`
	ExpiresAt   time.Time
	UsedAt      *time.Time
	UsedBy      string `gorm:"type:varchar(36);not null;default:''"`
	CreatedBy   string `gorm:"type:varchar(36);not null"`
	CreatedAt   time.Time
}

// BindingFailure is one wrong binding code tried by a resident; recent
// failures limit further tries.
type BindingFailure struct {
	ID          string    `gorm:"type:varchar(36);primaryKey"`
	ResidentID  string    `gorm:"type:varchar(36);not null;index:ix_binding_failures_resident,priority:1"`
	AttemptedAt time.Time `gorm:"index:ix_binding_failures_resident,priority:2;index:ix_binding_failures_address,priority:2;index:ix_binding_failures_code,priority:2"`
	// AddressHash and CodeHash are keyed hashes of the client address and of
	// the code tried, for the limits per address and per code.
	AddressHash string `gorm:"type:varchar(64);not null;default:'';index:ix_binding_failures_address,priority:1"`
	CodeHash    string `gorm:"type:varchar(64);not null;default:'';index:ix_binding_failures_code,priority:1"`
}

// ModerationItem is a text written by a resident that the WeChat security
// check sent for review: it stays held (never shown publicly) until a worker
// publishes or rejects it. Subject says what the text belongs to, e.g. a
// sign-off comment (kind "signoff_comment", the sign-off's id and version).
type ModerationItem struct {
	ID             string `gorm:"type:varchar(36);primaryKey"`
	EstateID       string `gorm:"type:varchar(36);not null;index:ix_moderation_estate_status,priority:1"`
	Status         string `gorm:"type:varchar(16);not null;index:ix_moderation_estate_status,priority:2"` // held, published, rejected
	SubjectKind    string `gorm:"type:varchar(32);not null;uniqueIndex:ux_moderation_subject,priority:1"`
	SubjectID      string `gorm:"type:varchar(36);not null;uniqueIndex:ux_moderation_subject,priority:2"`
	SubjectVersion int    `gorm:"not null;default:0;uniqueIndex:ux_moderation_subject,priority:3"`
	Text           string `gorm:"type:text;not null"`
	// Reason is why the text was held: WeChat's label, or "check_unavailable".
	Reason     string `gorm:"type:varchar(64);not null;default:''"`
	TraceID    string `gorm:"type:varchar(64);not null;default:''"`
	AuthorKind string `gorm:"type:varchar(16);not null"`
	AuthorID   string `gorm:"type:varchar(36);not null"`
	ReviewedBy string `gorm:"type:varchar(36);not null;default:''"`
	ReviewedAt *time.Time
	CreatedAt  time.Time
}
