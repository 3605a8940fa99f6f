package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"minyi/model"
)

// RosterFile is an uploaded roster spreadsheet: its name (for the
// extension) and its content.
type RosterFile struct {
	Name string
	Data []byte
}

// ImportOptions change how an import treats its file.
type ImportOptions struct {
	// DryRun validates and counts without writing.
	DryRun bool
	// SkipInvalid imports the valid rows even when others are invalid.
	SkipInvalid bool
}

// ImportIssue is one problem of an imported row, located as Excel shows it.
type ImportIssue struct {
	// Sheet names the worksheet when the roster spans several; "" otherwise.
	Sheet  string
	Row    int    // the row number in the spreadsheet (the header row counts)
	Column string // the column letter, e.g. "D"; "" when the column is missing
	Field  string // the household field, e.g. "area_m2"
	Reason string // what is wrong, in English
	// Message says what is wrong in Chinese, for the community worker.
	Message string
}

// ImportReport is the outcome of a roster import.
type ImportReport struct {
	DryRun bool
	// Written tells whether the households were saved.
	Written bool
	// Rejected is set when rows are invalid and SkipInvalid is off: then
	// nothing is written.
	Rejected bool
	// Created, Updated and Unchanged count the valid rows: new households,
	// households whose fields changed, and households already as in the file.
	Created, Updated, Unchanged int
	// Skipped counts the invalid rows.
	Skipped int
	// Errors lists the problems, at most MaxImportIssues of them; ErrorCount is their total.
	Errors     []ImportIssue
	ErrorCount int
}

// Limits of a roster import.
const (
	MaxImportRows   = 50_000
	MaxImportIssues = 500
)

// importBatchSize is the number of households per insert statement: the
// SQLite driver binds arguments in time quadratic in their number, so its
// statements stay small; MySQL gets fewer, larger ones.
func (s *Service) importBatchSize() int {
	if s.db.Dialect == model.MySQL {
		return 1000
	}
	return 50
}

// rosterRow is one valid row of an imported roster.
type rosterRow struct {
	Number int
	Fields HouseholdFields
	Key    string
}

// ImportHouseholds loads an estate's roster from an .xlsx or .csv file:
// households whose (building, unit, room) exist are updated, the others
// created, all in one transaction. When any row is invalid nothing is
// written unless SkipInvalid is set; the report names each problem's row
// and column. Errors: estate_not_found, validation_failed (file).
func (s *Service) ImportHouseholds(ctx context.Context, actor Actor, estateID string, file RosterFile, opts ImportOptions) (*ImportReport, error) {
	read := s.db.Gorm.WithContext(ctx)
	if err := s.authorize(read, actor, estateID, ActEditRoster); err != nil {
		return nil, AsError(estateNotFound(err))
	}
	if err := s.mustFindEstate(read, estateID); err != nil {
		return nil, AsError(err)
	}
	tables, err := readTables(file.Name, file.Data)
	if err != nil {
		return nil, err
	}
	rows, issues, err := parseRoster(tables)
	if err != nil {
		return nil, err
	}
	report := &ImportReport{DryRun: opts.DryRun, Skipped: countRows(issues), ErrorCount: len(issues)}
	report.Errors = issues[:min(len(issues), MaxImportIssues)]
	report.Rejected = len(issues) > 0 && !opts.SkipInvalid
	if report.Rejected && !opts.DryRun {
		return report, nil
	}
	now := s.Now()
	if opts.DryRun {
		existing, err := loadRoster(read, estateID)
		if err != nil {
			return nil, AsError(err)
		}
		plan := planImport(estateID, existing, rows, now)
		report.Created, report.Updated, report.Unchanged = len(plan.creates), len(plan.updates), plan.unchanged
		return report, nil
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if err := s.authorize(tx, actor, estateID, ActEditRoster); err != nil {
			return estateNotFound(err)
		}
		existing, err := loadRoster(tx, estateID)
		if err != nil {
			return err
		}
		plan := planImport(estateID, existing, rows, now)
		report.Created, report.Updated, report.Unchanged = len(plan.creates), len(plan.updates), plan.unchanged
		s.audit(tx, actor, estateID, "roster.import", "estate", estateID, nil, map[string]any{"created": len(plan.creates), "updated": len(plan.updates), "unchanged": plan.unchanged})
		if err := s.upsertHouseholds(tx, append(plan.creates, plan.updates...)); err != nil {
			return err
		}
		return s.touchEstate(tx, estateID)
	})
	if err != nil {
		return nil, err
	}
	report.Written = true
	return report, nil
}

// rosterTable is a table of the file that has a roster header.
type rosterTable struct {
	sheetTable
	header  int
	columns map[string]int
}

// rosterTables keeps the tables with a roster header (a workbook may hold
// one sheet per building, and sheets of notes). Sheet names are kept only
// when the roster spans several sheets.
// Errors: validation_failed (file) when no table has a header or a header
// names a column twice.
func rosterTables(tables []sheetTable) ([]rosterTable, error) {
	var found []rosterTable
	for _, table := range tables {
		header, columns, err := findHeader(table.Rows)
		if errors.Is(err, errNoHeader) {
			continue
		}
		if err != nil {
			if table.Name != "" {
				err = InvalidField("file", table.Name+": "+AsError(err).Fields["file"])
			}
			return nil, err
		}
		found = append(found, rosterTable{sheetTable: table, header: header, columns: columns})
	}
	if len(found) == 0 {
		return nil, InvalidField("file", errNoHeader.Error())
	}
	if len(found) == 1 {
		found[0].Name = ""
	}
	return found, nil
}

// rowPlace is where a row of the file is: its sheet ("" for a single
// table) and its row number.
type rowPlace struct {
	Sheet string
	Row   int
}

func (p rowPlace) chinese() string {
	if p.Sheet == "" {
		return fmt.Sprintf("第%d行", p.Row)
	}
	return fmt.Sprintf("工作表「%s」第%d行", p.Sheet, p.Row)
}

func (p rowPlace) english() string {
	if p.Sheet == "" {
		return fmt.Sprintf("row %d", p.Row)
	}
	return fmt.Sprintf("row %d of sheet %s", p.Row, p.Sheet)
}

// parseRoster turns every row under each header into household fields,
// validated as the roster API validates them. Blank rows are skipped; a
// household that appears twice is an error on its second row.
// Errors: validation_failed (file) for a missing header or too many rows.
func parseRoster(tables []sheetTable) ([]rosterRow, []ImportIssue, error) {
	found, err := rosterTables(tables)
	if err != nil {
		return nil, nil, err
	}
	var rows []rosterRow
	var issues []ImportIssue
	firstPlaceOf := map[string]rowPlace{}
	for _, table := range found {
		for _, line := range table.Rows[table.header+1:] {
			if line.empty() {
				continue
			}
			if len(rows)+len(issues) >= MaxImportRows {
				return nil, nil, InvalidField("file", fmt.Sprintf("at most %d rows per file", MaxImportRows))
			}
			fields, rowIssues := parseRosterLine(line, table.columns)
			key := addressKey(derefString(fields.Building), derefString(fields.Unit), derefString(fields.Room))
			if len(rowIssues) == 0 {
				if first, repeated := firstPlaceOf[key]; repeated {
					rowIssues = append(rowIssues, issueAt(line.Number, table.columns, "room",
						"repeats "+first.english()+" (same building, unit and room)",
						"与"+first.chinese()+"的楼栋、单元、房号重复"))
				} else {
					firstPlaceOf[key] = rowPlace{Sheet: table.Name, Row: line.Number}
				}
			}
			for i := range rowIssues {
				rowIssues[i].Sheet = table.Name
			}
			if len(rowIssues) > 0 {
				issues = append(issues, rowIssues...)
				continue
			}
			rows = append(rows, rosterRow{Number: line.Number, Fields: fields, Key: key})
		}
	}
	if len(rows) == 0 && len(issues) == 0 {
		return nil, nil, InvalidField("file", "no household rows under the header row")
	}
	return rows, issues, nil
}

// parseRosterLine reads one row's cells into household fields; a column
// the file does not have stays nil (unchanged on update, default on creation).
func parseRosterLine(line sheetRow, columns map[string]int) (HouseholdFields, []ImportIssue) {
	var f HouseholdFields
	var issues []ImportIssue
	text := func(field string) *string {
		i, ok := columns[field]
		if !ok {
			return nil
		}
		v := line.cell(i)
		return &v
	}
	problem := func(field, reason string) {
		issues = append(issues, issueAt(line.Number, columns, field, reason, rosterColumnOf(field).Rule))
	}
	for field, dst := range map[string]**string{"building": &f.Building, "unit": &f.Unit, "room": &f.Room} {
		if v := text(field); v != nil {
			cleaned := cleanAddressPart(field, cleanText(*v))
			*dst = &cleaned
		}
	}
	if v := text("area_m2"); v != nil && *v != "" {
		if area, ok := parseAreaCell(*v); ok {
			f.AreaHundredths = &area
		} else {
			problem("area_m2", "must be a number of m² with at most 2 decimals")
		}
	}
	if v := text("owner_name"); v != nil {
		name := cleanText(*v)
		f.OwnerName = &name
	}
	if v := text("phone"); v != nil {
		phone := cleanPhoneCell(*v)
		f.Phone = &phone
	}
	if v := text("occupancy"); v != nil && *v != "" {
		if occupancy, ok := occupancyWords[strings.ToLower(*v)]; ok {
			f.Occupancy = &occupancy
		} else {
			problem("occupancy", "must be 自住, 出租 or 空置 (owner, rented, vacant)")
		}
	}
	if v := text("eligible"); v != nil && *v != "" {
		if eligible, ok := eligibleWords[strings.ToLower(*v)]; ok {
			f.Eligible = &eligible
		} else {
			problem("eligible", "must be 是 or 否")
		}
	}
	reasons := map[string]string{}
	f.validate("", true, reasons)
	for field, reason := range reasons {
		if !hasIssue(issues, field) {
			problem(field, reason)
		}
	}
	sort.Slice(issues, func(i, j int) bool {
		return columnOrder(columns, issues[i].Field) < columnOrder(columns, issues[j].Field)
	})
	return f, issues
}

func issueAt(row int, columns map[string]int, field, reason, message string) ImportIssue {
	issue := ImportIssue{Row: row, Field: field, Reason: reason, Message: rosterColumnOf(field).Header + "：" + message}
	if i, ok := columns[field]; ok {
		issue.Column = columnLetter(i)
	}
	return issue
}

func hasIssue(issues []ImportIssue, field string) bool {
	for _, issue := range issues {
		if issue.Field == field {
			return true
		}
	}
	return false
}

// columnOrder sorts a row's issues left to right; a missing column last.
func columnOrder(columns map[string]int, field string) int {
	if i, ok := columns[field]; ok {
		return i
	}
	return 1 << 20
}

// countRows counts the distinct rows among the issues.
func countRows(issues []ImportIssue) int {
	rows := map[rowPlace]bool{}
	for _, issue := range issues {
		rows[rowPlace{Sheet: issue.Sheet, Row: issue.Row}] = true
	}
	return len(rows)
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

// addressKey identifies a household within an estate. It ignores case, as
// MySQL's collation does, so that the plan agrees with the unique index.
func addressKey(building, unit, room string) string {
	return strings.ToLower(building) + "\x00" + strings.ToLower(unit) + "\x00" + strings.ToLower(room)
}

// loadRoster reads an estate's households, for matching imported rows.
func loadRoster(tx *gorm.DB, estateID string) ([]model.Household, error) {
	var households []model.Household
	err := tx.Where("estate_id = ?", estateID).Find(&households).Error
	return households, err
}

// importPlan is what an import will write.
type importPlan struct {
	creates, updates []model.Household
	unchanged        int
}

// planImport matches the rows with the existing households: a match whose
// fields differ is updated (keeping its stored address spelling), a row
// without a match is created with the defaults (owner-occupied, eligible).
func planImport(estateID string, existing []model.Household, rows []rosterRow, now time.Time) importPlan {
	byKey := make(map[string]*model.Household, len(existing))
	for i := range existing {
		h := &existing[i]
		byKey[addressKey(h.Building, h.Unit, h.Room)] = h
	}
	var plan importPlan
	for _, row := range rows {
		current, found := byKey[row.Key]
		if !found {
			h := model.Household{ID: newID(), EstateID: estateID, Occupancy: "owner", Eligible: true, CreatedAt: now, UpdatedAt: now}
			row.Fields.apply(&h)
			plan.creates = append(plan.creates, h)
			continue
		}
		changed := *current
		row.Fields.apply(&changed)
		changed.Building, changed.Unit, changed.Room = current.Building, current.Unit, current.Room
		if changed == *current {
			plan.unchanged++
			continue
		}
		changed.UpdatedAt = now
		plan.updates = append(plan.updates, changed)
	}
	return plan
}

// upsertHouseholds writes households in multi-row statements: a row whose
// address exists updates it (its id and creation time stay), the others
// are inserted. Plain SQL, because GORM would replace a false "eligible"
// by the column's default.
func (s *Service) upsertHouseholds(tx *gorm.DB, households []model.Household) error {
	const columns = "id, estate_id, building, unit, room, area_hundredths, owner_name, phone, phone_hash, occupancy, eligible, created_at, updated_at"
	updated := []string{"area_hundredths", "owner_name", "phone", "phone_hash", "occupancy", "eligible", "updated_at"}
	var onConflict strings.Builder
	if s.db.Dialect == model.MySQL {
		onConflict.WriteString(" ON DUPLICATE KEY UPDATE ")
		for i, c := range updated {
			if i > 0 {
				onConflict.WriteString(", ")
			}
			fmt.Fprintf(&onConflict, "%s = VALUES(%s)", c, c)
		}
	} else {
		onConflict.WriteString(" ON CONFLICT (estate_id, building, unit, room) DO UPDATE SET ")
		for i, c := range updated {
			if i > 0 {
				onConflict.WriteString(", ")
			}
			fmt.Fprintf(&onConflict, "%s = excluded.%s", c, c)
		}
	}
	size := s.importBatchSize()
	for start := 0; start < len(households); start += size {
		batch := households[start:min(start+size, len(households))]
		var sql strings.Builder
		sql.WriteString("INSERT INTO households (" + columns + ") VALUES ")
		args := make([]any, 0, 13*len(batch))
		for i, h := range batch {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			phone, phoneHash, err := model.SealedPhone(h.Phone) // plain SQL: seal as the model would
			if err != nil {
				return err
			}
			args = append(args, h.ID, h.EstateID, h.Building, h.Unit, h.Room, h.AreaHundredths, h.OwnerName,
				phone, phoneHash, h.Occupancy, h.Eligible, h.CreatedAt, h.UpdatedAt)
		}
		sql.WriteString(onConflict.String())
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}
