package service

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"minyi/store"
)

// CanonicalUsername is the one spelling of a staff username that is stored
// and looked up: NFKC-normalised (full-width letters become ASCII), without
// surrounding white space, in lower case. MySQL's collation would otherwise
// match "VICTIM", "victim " and "ｖｉｃｔｉｍ" to one account while Go, the
// login limit and SQLite told them apart.
func CanonicalUsername(name string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(name)))
}

// CanonicaliseUsernames rewrites the usernames stored by earlier releases
// in their canonical spelling, once at start (a data step after the schema
// migrations; it changes nothing when every name is canonical already). A
// name whose canonical spelling another account holds is left as it is and
// reported, for an admin to rename: that account can then log in only with
// the exact spelling on SQLite.
func (s *Service) CanonicaliseUsernames(ctx context.Context) (renamed int, clashes []string, err error) {
	users, err := s.read(ctx).AllUsernames()
	if err != nil {
		return 0, nil, AsError(err)
	}
	taken := map[string]bool{}
	for _, u := range users {
		if u.Username == CanonicalUsername(u.Username) {
			taken[u.Username] = true
		}
	}
	for _, u := range users {
		canonical := CanonicalUsername(u.Username)
		if canonical == u.Username {
			continue
		}
		if taken[canonical] {
			clashes = append(clashes, u.Username)
			continue
		}
		err := s.inTx(ctx, SystemActor(), func(tx *store.Tx) error {
			s.audit(tx, SystemActor(), "", "user.update", "user", u.ID,
				map[string]any{"username": u.Username}, map[string]any{"username": canonical})
			return tx.RenameUser(u.ID, canonical)
		})
		if err != nil {
			return renamed, clashes, fmt.Errorf("canonicalise username of user %s: %w", u.ID, err)
		}
		taken[canonical] = true
		renamed++
	}
	return renamed, clashes, nil
}
