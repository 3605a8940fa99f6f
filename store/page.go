package store

import (
	"gorm.io/gorm"

	"minyi/model"
)

// Page is one page of a list ordered by id: the rows after After (all when
// empty), at most Limit of them. List methods read Limit+1 rows so that the
// service can tell whether another page follows.
type Page struct {
	After string
	Limit int
}

// findPage reads q's rows of the page, in idColumn order, into a new slice.
func findPage[T any](q *gorm.DB, page Page, idColumn string) ([]T, error) {
	if page.After != "" {
		q = q.Where(idColumn+" > ?", page.After)
	}
	var rows []T
	err := q.Order(idColumn).Limit(page.Limit + 1).Find(&rows).Error
	return rows, model.Translate(err)
}
