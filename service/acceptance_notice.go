package service

import (
	"time"

	"minyi/store"
)

// maxNoticeAcceptances is how many of the latest acceptances the board shows.
const maxNoticeAcceptances = 5

// NoticeAcceptance is a joint acceptance as the public sees it: counts, the
// items still awaiting rectification and who signed, by role, with masked names.
type NoticeAcceptance struct {
	At        time.Time
	Status    string
	Items     int
	Passed    int
	Rectified int
	// OpenItems are the items awaiting rectification: name and what is to be done.
	OpenItems []NoticeOpenItem
	Signers   []NoticeSigner
}

// NoticeOpenItem is one item awaiting rectification.
type NoticeOpenItem struct{ Name, Note string }

// NoticeSigner is one signature: the role and the masked name (张*三).
type NoticeSigner struct{ Role, RoleLabel, MaskedName string }

// noticeAcceptances reads the estate's latest acceptances, newest first.
func noticeAcceptances(tx *store.Tx, estateID string) ([]NoticeAcceptance, error) {
	rows, err := tx.LatestAcceptances(estateID, maxNoticeAcceptances)
	if err != nil {
		return nil, err
	}
	out := make([]NoticeAcceptance, 0, len(rows))
	for _, a := range rows {
		view, err := acceptanceView(tx, a)
		if err != nil {
			return nil, err
		}
		n := NoticeAcceptance{At: a.CreatedAt, Status: a.Status, Items: len(view.Items), OpenItems: []NoticeOpenItem{}}
		for _, it := range view.Items {
			switch {
			case it.Result == ItemPass:
				n.Passed++
			case it.RectifiedAt != nil:
				n.Rectified++
			default:
				n.OpenItems = append(n.OpenItems, NoticeOpenItem{Name: it.Name, Note: it.Note})
			}
		}
		for _, sg := range view.Signatures {
			n.Signers = append(n.Signers, NoticeSigner{Role: sg.Role, RoleLabel: signatureRoleLabels[sg.Role], MaskedName: MaskName(sg.Name)})
		}
		out = append(out, n)
	}
	return out, nil
}
