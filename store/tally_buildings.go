package store

import (
	"fmt"
	"strconv"
	"strings"

	"minyi/model"
)

// CounterSum is the number of households and their area held by the
// counter rows of one building and label.
type CounterSum struct {
	Households     int64
	AreaHundredths int64
}

// BuildingCounters is one building's tally counters of a round, summed per label.
type BuildingCounters struct {
	Building string
	// Sums holds one sum per label asked for, in the labels' order.
	Sums []CounterSum
}

// TallyCountersByBuilding reads a round's tally counters in one statement,
// one row per building with the households and area of each label (a
// decision, or the electorate's label) side by side, in building order
// (byte order; the caller orders for people). Labels that a building has no
// counter row for sum to zero; rows of other labels are left out. The values
// are scanned without GORM's reflection: a round in a thousand buildings
// reads a thousand rows on every tally.
func (t *Tx) TallyCountersByBuilding(roundID string, labels []string) ([]BuildingCounters, error) {
	var query strings.Builder
	query.WriteString("SELECT building")
	args := make([]any, 0, 2*len(labels)+1)
	for _, label := range labels {
		query.WriteString(", SUM(CASE WHEN decision = ? THEN households ELSE 0 END), SUM(CASE WHEN decision = ? THEN area_hundredths ELSE 0 END)")
		args = append(args, label, label)
	}
	query.WriteString(" FROM tally_counters WHERE round_id = ? GROUP BY building ORDER BY building")
	args = append(args, roundID)
	rows, err := t.g.Raw(query.String(), args...).Rows()
	if err != nil {
		return nil, model.Translate(err)
	}
	defer rows.Close()
	values := make([]counterValue, 2*len(labels))
	targets := make([]any, 1+len(values))
	var building string
	targets[0] = &building
	for i := range values {
		targets[1+i] = &values[i]
	}
	var buildings []BuildingCounters
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			return nil, model.Translate(err)
		}
		sums := make([]CounterSum, len(labels))
		for i := range sums {
			sums[i] = CounterSum{Households: int64(values[2*i]), AreaHundredths: int64(values[2*i+1])}
		}
		buildings = append(buildings, BuildingCounters{Building: building, Sums: sums})
	}
	return buildings, model.Translate(rows.Err())
}

// counterValue scans a summed counter: an integer from SQLite, the decimal
// text of SUM from MySQL (read in place, without a string per value).
type counterValue int64

// Scan implements sql.Scanner.
func (v *counterValue) Scan(src any) error {
	switch value := src.(type) {
	case int64:
		*v = counterValue(value)
		return nil
	case []byte:
		n, err := parseWholeDecimal(value)
		*v = counterValue(n)
		return err
	case string:
		n, err := strconv.ParseInt(value, 10, 64)
		*v = counterValue(n)
		return err
	}
	return fmt.Errorf("tally counter sum: unexpected %T", src)
}

// parseWholeDecimal parses a whole number written in decimal digits with an
// optional sign, as MySQL writes the SUM of integers.
func parseWholeDecimal(text []byte) (int64, error) {
	digits, negative := text, false
	if len(digits) > 0 && (digits[0] == '-' || digits[0] == '+') {
		negative, digits = digits[0] == '-', digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return strconv.ParseInt(string(text), 10, 64)
	}
	var n int64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return strconv.ParseInt(string(text), 10, 64)
		}
		n = n*10 + int64(d-'0')
	}
	if negative {
		n = -n
	}
	return n, nil
}
