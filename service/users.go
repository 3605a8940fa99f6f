package service

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"minyi/model"
	"minyi/store"
)

// usernamePattern is what a canonical username (CanonicalUsername) may be.
var usernamePattern = regexp.MustCompile(`^[a-z0-9_.-]{3,64}$`)

// Password lengths: at least MinPasswordChars characters and at most
// MaxPasswordBytes bytes of UTF-8, bcrypt's limit (a Chinese character takes
// three bytes, so 24 of them fit).
const (
	MinPasswordChars = 8
	MaxPasswordBytes = 72
)

// NewUser is the input for creating a staff account.
type NewUser struct {
	Username, Password, DisplayName, Role string
}

// UserChanges is the input for editing a staff account; nil fields stay.
type UserChanges struct {
	DisplayName *string
	Password    *string
	Disabled    *bool
}

func validatePassword(field, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordChars || len(password) > MaxPasswordBytes {
		return InvalidField(field, "must be at least 8 characters and at most 72 bytes")
	}
	return nil
}

// CreateUser adds a staff account. Errors: validation_failed, duplicate_username.
func (s *Service) CreateUser(ctx context.Context, actor Actor, in NewUser) (*model.User, error) {
	if !RoleAllowed(ActManageUsers, actor.Role) {
		return nil, Forbidden("forbidden")
	}
	fields := map[string]string{}
	in.Username = CanonicalUsername(in.Username)
	if !usernamePattern.MatchString(in.Username) {
		fields["username"] = "3 to 64 letters, digits, '_', '.' or '-'"
	}
	if err := validatePassword("password", in.Password); err != nil {
		fields["password"] = err.(*Error).Fields["password"]
	}
	switch in.Role {
	case RoleAdmin, RoleWorker, RoleDesigner, RoleSupervisor:
	default:
		fields["role"] = "must be admin, worker, designer or supervisor"
	}
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(in.DisplayName) > 100 {
		fields["display_name"] = "at most 100 characters"
	}
	if len(fields) > 0 {
		return nil, Invalid("validation_failed", fields)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	user := model.User{ID: newID(), Username: in.Username, PasswordHash: string(hash), DisplayName: in.DisplayName,
		Role: in.Role, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
		s.audit(tx, actor, "", "user.create", "user", user.ID, nil, map[string]any{"username": user.Username, "role": user.Role, "display_name": user.DisplayName})
		if err := tx.Insert(&user); err != nil {
			if errors.Is(err, model.ErrConflict) {
				return Conflict("duplicate_username", in.Username)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &user, nil
}

// ListUsers lists staff accounts, a page at a time.
func (s *Service) ListUsers(ctx context.Context, actor Actor, page Page) ([]model.User, string, error) {
	if !RoleAllowed(ActManageUsers, actor.Role) {
		return nil, "", Forbidden("forbidden")
	}
	tx := s.read(ctx)
	return listPage(page, func(u model.User) string { return u.ID }, func(p store.Page) ([]model.User, error) {
		return tx.ListUsers(p)
	})
}

// UpdateUser edits a staff account. Disabling an account or changing its
// password revokes its refresh tokens and ends its access tokens. Errors: user_not_found, validation_failed.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, userID string, ch UserChanges) (*model.User, error) {
	if !RoleAllowed(ActManageUsers, actor.Role) {
		return nil, Forbidden("forbidden")
	}
	// changes is what the audit event records; update what the store writes.
	changes := map[string]any{}
	var update store.UserUpdate
	if ch.DisplayName != nil {
		name := strings.TrimSpace(*ch.DisplayName)
		if name == "" || utf8.RuneCountInString(name) > 100 {
			return nil, InvalidField("display_name", "1 to 100 characters")
		}
		changes["display_name"] = name
		update.DisplayName = &name
	}
	if ch.Password != nil {
		if err := validatePassword("password", *ch.Password); err != nil {
			return nil, err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(*ch.Password), bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		passwordHash := string(hash)
		changes["password_hash"] = passwordHash
		update.PasswordHash = &passwordHash
	}
	if ch.Disabled != nil {
		if *ch.Disabled && userID == actor.ID {
			return nil, InvalidField("disabled", "an admin cannot disable their own account")
		}
		changes["disabled"] = *ch.Disabled
		update.Disabled = ch.Disabled
	}
	var user model.User
	err := s.inTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		if user, err = store.ByID[model.User](tx, userID); err != nil {
			return notFoundAs(err, "user_not_found")
		}
		if len(changes) == 0 {
			return nil
		}
		s.audit(tx, actor, "", "user.update", "user", user.ID, map[string]any{"display_name": user.DisplayName, "disabled": user.Disabled}, changes)
		update.UpdatedAt = s.Now()
		changes["updated_at"] = update.UpdatedAt // the event's summary is written at commit, with this
		if err := tx.UpdateUser(&user, update); err != nil {
			return err
		}
		if ch.Disabled != nil && *ch.Disabled || ch.Password != nil {
			if err := s.endAccessTokens(tx, ActorUser, userID); err != nil {
				return err
			}
			return tx.RevokeRefreshTokensOfSubject(ActorUser, userID, s.Now())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &user, nil
}

// GetUser returns one staff account. Errors: user_not_found.
func (s *Service) GetUser(ctx context.Context, userID string) (*model.User, error) {
	user, err := store.ByID[model.User](s.read(ctx), userID)
	if err != nil {
		return nil, AsError(notFoundAs(err, "user_not_found"))
	}
	return &user, nil
}

// EnsureAdmin creates an admin account when none exists. With an empty
// password it generates one and returns it (to be shown once); otherwise it
// returns "". It returns created=false when an admin already exists.
func (s *Service) EnsureAdmin(ctx context.Context, username, password string) (generated string, created bool, err error) {
	n, err := s.read(ctx).CountUsersWithRole(RoleAdmin)
	if err != nil {
		return "", false, AsError(err)
	}
	if n > 0 {
		return "", false, nil
	}
	if username == "" {
		username = "admin"
	}
	if password == "" {
		generated, err = s.randomToken(12)
		if err != nil {
			return "", false, err
		}
		password = generated
	}
	_, err = s.CreateUser(ctx, SystemActor(), NewUser{Username: username, Password: password, DisplayName: "管理员", Role: RoleAdmin})
	if err != nil {
		return "", false, err
	}
	return generated, true, nil
}
