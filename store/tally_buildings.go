package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"

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

// TallyCountersByBuilding reads a round's tally counters, one entry per
// building with the households and area of each label (a decision, or the
// electorate's label) side by side, in building order (byte order; the
// caller orders for people). Labels that a building has no counter row for
// sum to zero; rows of other labels are left out. Rows that count nothing
// are not read, except the first label's (the electorate's, which name the
// buildings): they add nothing, and while a round is young most decision
// rows are such. The rows come in the primary key's order, which the
// database reads without sorting or computing; they are scanned without
// GORM's reflection and without a string per row (a round in a thousand
// buildings has four thousand counter rows).
func (t *Tx) TallyCountersByBuilding(roundID string, labels []string) ([]BuildingCounters, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	rows, err := t.g.Raw(`SELECT building, decision, households, area_hundredths FROM tally_counters
		WHERE round_id = ? AND (decision = ? OR households <> 0 OR area_hundredths <> 0)
		ORDER BY building, decision`, roundID, labels[0]).Rows()
	if err != nil {
		return nil, model.Translate(err)
	}
	defer rows.Close()
	var (
		building, decision sql.RawBytes
		households, area   counterValue
		buildings          []BuildingCounters
		// sumsBlock is where the next buildings' sums are carved from,
		// 64 buildings to an allocation.
		sumsBlock []CounterSum
	)
	for rows.Next() {
		if err := rows.Scan(&building, &decision, &households, &area); err != nil {
			return nil, model.Translate(err)
		}
		label := slices.IndexFunc(labels, func(l string) bool { return l == string(decision) })
		if label < 0 {
			continue
		}
		if n := len(buildings); n == 0 || buildings[n-1].Building != string(building) {
			if len(sumsBlock) < len(labels) {
				sumsBlock = make([]CounterSum, 64*len(labels))
			}
			buildings = append(buildings, BuildingCounters{Building: string(building), Sums: sumsBlock[:len(labels):len(labels)]})
			sumsBlock = sumsBlock[len(labels):]
		}
		sums := buildings[len(buildings)-1].Sums
		sums[label].Households += int64(households)
		sums[label].AreaHundredths += int64(area)
	}
	return buildings, model.Translate(rows.Err())
}

// counterValue scans a counter: an integer (SQLite), or its decimal text
// (MySQL), read in place without a string per value.
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
// optional sign, as MySQL's text protocol sends integers.
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
