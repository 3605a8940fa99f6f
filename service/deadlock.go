package service

import (
	"errors"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// isDeadlock tells whether MySQL chose this transaction as a deadlock victim
// (1213) or timed out waiting for a lock (1205); both are safe to retry.
func isDeadlock(err error) bool {
	var myErr *mysqldriver.MySQLError
	return errors.As(err, &myErr) && (myErr.Number == 1213 || myErr.Number == 1205)
}
