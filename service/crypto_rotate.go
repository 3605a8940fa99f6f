package service

import (
	"context"
	"fmt"

	"minyi/model"
)

// rotateBatchSize bounds the rows one statement of a re-encryption reads.
const rotateBatchSize = 500

// ResealReport counts the rows a re-encryption rewrote, per table.
type ResealReport struct {
	Households int
	Residents  int
}

// ResealPhones rewrites every stored phone number with the current data key
// and recomputes its look-up hash: run after fieldcrypt.SetKey(new, old) to
// rotate the key, or once after upgrading to seal numbers stored in clear
// by an older release. Rows are read in id order, in batches; the command is
// safe to run again (already current rows are rewritten to the same numbers).
func (s *Service) ResealPhones(ctx context.Context) (*ResealReport, error) {
	report := &ResealReport{}
	n, err := resealTable[model.Household](ctx, s, "households")
	if err != nil {
		return nil, err
	}
	report.Households = n
	n, err = resealTable[model.Resident](ctx, s, "residents")
	if err != nil {
		return nil, err
	}
	report.Residents = n
	return report, nil
}

// phoneRow is a row with an id and a phone, opened by the serializer.
type phoneRow interface {
	model.Household | model.Resident
}

func resealTable[T phoneRow](ctx context.Context, s *Service, table string) (int, error) {
	g := s.read(ctx).Gorm()
	after, count := "", 0
	for {
		var rows []struct {
			ID    string
			Phone string `gorm:"serializer:secret"`
		}
		if err := g.Model(new(T)).Select("id", "phone").Where("id > ?", after).Order("id").Limit(rotateBatchSize).Find(&rows).Error; err != nil {
			return count, fmt.Errorf("read %s: %w", table, model.Translate(err))
		}
		if len(rows) == 0 {
			return count, nil
		}
		for _, r := range rows {
			sealed, hash, err := model.SealedPhone(r.Phone)
			if err != nil {
				return count, err
			}
			// A map update: no hooks, no timestamps, nothing but the two columns.
			if err := g.Model(new(T)).Where("id = ?", r.ID).UpdateColumns(map[string]any{"phone": sealed, "phone_hash": hash}).Error; err != nil {
				return count, fmt.Errorf("reseal %s %s: %w", table, r.ID, model.Translate(err))
			}
			count++
		}
		after = rows[len(rows)-1].ID
	}
}
