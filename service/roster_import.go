package service

import (
	"context"
	"strings"
	"time"

	"minyi/model"
	"minyi/store"
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
	// Columns says how each header cell was understood, and Warnings what
	// the file holds that is not imported or is empty, for a preview
	// before confirming.
	Columns  []ImportColumn
	Warnings []ImportWarning
}

// MaxImportIssues bounds the problems an import report lists.
const MaxImportIssues = 500

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
	read := s.read(ctx)
	if err := s.authorizeEstate(read, actor, estateID, ActEditRoster); err != nil {
		return nil, err
	}
	source, err := openSheets(file.Name, file.Data)
	if err != nil {
		return nil, err
	}
	parsed, err := parseRoster(source)
	source.close()
	if err != nil {
		return nil, err
	}
	rows, issues := parsed.rows, parsed.issues
	report := &ImportReport{DryRun: opts.DryRun, Skipped: countRows(issues), ErrorCount: len(issues),
		Columns: parsed.columns, Warnings: parsed.warnings}
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
	err = s.inTx(ctx, actor, func(tx *store.Tx) error {
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
		if err := tx.UpsertHouseholds(append(plan.creates, plan.updates...)); err != nil {
			return err
		}
		if err := s.auditImport(tx, actor, estateID, plan); err != nil {
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
func loadRoster(tx *store.Tx, estateID string) ([]model.Household, error) {
	return tx.HouseholdsOfEstate(estateID)
}

// importPlan is what an import will write; before[i] is updates[i] as it
// was.
type importPlan struct {
	creates, updates, before []model.Household
	unchanged                int
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
		plan.before = append(plan.before, *current)
	}
	return plan
}
