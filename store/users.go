package store

import (
	"time"

	"minyi/model"
)

// Staff accounts.

// UserByUsername reads the staff account with this username (as the
// database's collation compares it); model.ErrNotFound when none.
func (t *Tx) UserByUsername(username string) (model.User, error) {
	var user model.User
	err := first(t.g.Where("username = ?", username), &user)
	return user, err
}

// ListUsers reads one page of staff accounts in id order.
func (t *Tx) ListUsers(page Page) ([]model.User, error) {
	return findPage[model.User](t.g.Model(&model.User{}), page, "id")
}

// UserUpdate is a change of a staff account; nil fields stay.
type UserUpdate struct {
	DisplayName  *string
	PasswordHash *string
	Disabled     *bool
	UpdatedAt    time.Time
}

// UpdateUser writes the change to the account and into user.
func (t *Tx) UpdateUser(user *model.User, ch UserUpdate) error {
	updates := map[string]any{"updated_at": ch.UpdatedAt}
	if ch.DisplayName != nil {
		updates["display_name"] = *ch.DisplayName
	}
	if ch.PasswordHash != nil {
		updates["password_hash"] = *ch.PasswordHash
	}
	if ch.Disabled != nil {
		updates["disabled"] = *ch.Disabled
	}
	return result(t.g.Model(user).Updates(updates))
}

// CountUsersWithRole counts the staff accounts of a role.
func (t *Tx) CountUsersWithRole(role string) (int64, error) {
	var n int64
	err := t.g.Model(&model.User{}).Where("role = ?", role).Count(&n).Error
	return n, model.Translate(err)
}

// AllUsernames reads every staff account's id and username.
func (t *Tx) AllUsernames() ([]model.User, error) {
	var users []model.User
	err := t.g.Select("id", "username").Find(&users).Error
	return users, model.Translate(err)
}

// RenameUser changes a staff account's username.
func (t *Tx) RenameUser(userID, username string) error {
	return result(t.g.Model(&model.User{}).Where("id = ?", userID).Update("username", username))
}

// StaffNames reads the id, role and display name of the staff accounts
// with these ids (those that exist).
func (t *Tx) StaffNames(userIDs []string) ([]model.User, error) {
	var users []model.User
	err := t.g.Select("id", "role", "display_name").Where("id IN ?", userIDs).Find(&users).Error
	return users, model.Translate(err)
}
