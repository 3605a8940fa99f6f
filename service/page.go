package service

import (
	"encoding/base64"

	"minyi/store"
)

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// Default and maximum page sizes of lists.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// EncodeCursor makes the opaque cursor that follows the item with this id.
func EncodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// query checks the page's limit and cursor and gives the store's page: the
// rows after the cursor, at most the limit (the store reads one more).
func (p Page) query() (store.Page, error) {
	limit := p.Limit
	if limit == 0 {
		limit = DefaultPageLimit
	}
	if limit < 1 || limit > MaxPageLimit {
		return store.Page{}, InvalidField("limit", "must be between 1 and 500")
	}
	var after string
	if p.Cursor != "" {
		decoded, err := base64.RawURLEncoding.DecodeString(p.Cursor)
		if err != nil || len(decoded) == 0 || len(decoded) > 64 {
			return store.Page{}, InvalidField("cursor", "is not a cursor this server issued")
		}
		after = string(decoded)
	}
	return store.Page{After: after, Limit: limit}, nil
}

// listPage runs a store list for the page and returns its rows and the
// cursor of the next page ("" on the last): the body of every paged list.
func listPage[T any](page Page, id func(T) string, list func(store.Page) ([]T, error)) ([]T, string, error) {
	q, err := page.query()
	if err != nil {
		return nil, "", err
	}
	rows, err := list(q)
	if err != nil {
		return nil, "", AsError(err)
	}
	rows, next := nextCursor(rows, q.Limit, id)
	return rows, next, nil
}

// nextCursor trims the extra row fetched by apply and returns the cursor of
// the next page, or "" on the last page.
func nextCursor[T any](items []T, limit int, id func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, EncodeCursor(id(items[limit-1]))
}
