package service

import (
	"context"
	"fmt"

	"minyi/model"
	"minyi/store"
)

// rotateBatchSize bounds the rows one statement of a re-encryption reads.
const rotateBatchSize = 500

// ResealReport counts the rows a re-encryption rewrote, per table.
type ResealReport struct {
	Households int
	Residents  int
}

// ResealPhones rewrites every stored phone number with the current data key
// and recomputes its look-up hash: run on a database opened with the new key
// and the old ones (model.WithKeys) to rotate the key, or once after
// upgrading to seal numbers stored in clear by an older release. Rows are
// read in id order, in batches; the command is safe to run again (already
// current rows are rewritten to the same numbers).
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

func resealTable[T store.PhoneTable](ctx context.Context, s *Service, table string) (int, error) {
	tx := s.read(ctx)
	after, count := "", 0
	for {
		rows, err := store.StoredPhonesAfter[T](tx, after, rotateBatchSize)
		if err != nil {
			return count, fmt.Errorf("read %s: %w", table, err)
		}
		if len(rows) == 0 {
			return count, nil
		}
		for _, r := range rows {
			sealed, hash, err := model.SealedPhone(s.keys, r.Phone)
			if err != nil {
				return count, err
			}
			if err := store.WriteSealedPhone[T](tx, r.ID, sealed, hash); err != nil {
				return count, fmt.Errorf("reseal %s %s: %w", table, r.ID, err)
			}
			count++
		}
		after = rows[len(rows)-1].ID
	}
}
