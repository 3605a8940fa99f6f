package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/service"
	"minyi/service/rule"
)

type checkJSON struct {
	Name           string `json:"name"`
	Required       string `json:"required"`
	Actual         string `json:"actual"`
	ActualFraction string `json:"actual_fraction"`
	Passed         bool   `json:"passed"`
}

type shortfallJSON struct {
	AgreeHouseholdsNeeded *int64 `json:"agree_households_needed"`
	Possible              bool   `json:"possible"`
	// ChangesNeeded is present only when Possible is false (null when even changed minds cannot pass).
	ChangesNeeded *optionalCount `json:"changes_needed,omitempty"`
}

// optionalCount is a count that is written as null when it has no value.
type optionalCount struct{ value *int64 }

// MarshalJSON writes the count or null.
func (o optionalCount) MarshalJSON() ([]byte, error) {
	if o.value == nil {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(*o.value, 10)), nil
}

type buildingJSON struct {
	Building     string `json:"building"`
	Electorate   int64  `json:"electorate"`
	Participated int64  `json:"participated"`
	Agree        int64  `json:"agree"`
	Disagree     int64  `json:"disagree"`
	Abstain      int64  `json:"abstain"`
}

type tallyJSON struct {
	RoundID      string                `json:"round_id"`
	Status       string                `json:"status"`
	Rule         rule.Spec             `json:"rule"`
	Electorate   amountJSON            `json:"electorate"`
	Participated amountJSON            `json:"participated"`
	Decisions    map[string]amountJSON `json:"decisions"`
	Checks       []checkJSON           `json:"checks"`
	Passed       bool                  `json:"passed"`
	Shortfall    shortfallJSON         `json:"shortfall"`
	ByBuilding   []buildingJSON        `json:"by_building"`
	ComputedAt   Time                  `json:"computed_at"`
	Recount      *service.Recount      `json:"recount,omitempty"`
}

func toTally(t *service.Tally) tallyJSON {
	resp := tallyJSON{RoundID: t.RoundID, Status: t.Status, Rule: t.Rule,
		Electorate: toAmount(t.Electorate), Participated: toAmount(t.Participated),
		Decisions: map[string]amountJSON{}, Checks: make([]checkJSON, len(t.Checks)), Passed: t.Passed,
		ByBuilding: make([]buildingJSON, len(t.ByBuilding)), ComputedAt: Time(t.ComputedAt), Recount: t.Recount}
	for d, amount := range t.Decisions {
		resp.Decisions[d] = toAmount(amount)
	}
	for i, ch := range t.Checks {
		resp.Checks[i] = checkJSON{Name: ch.Name, Required: ch.Required, Actual: ch.Actual,
			ActualFraction: ch.ActualFraction, Passed: ch.Passed}
	}
	resp.Shortfall.Possible = t.Shortfall.Possible
	if t.Shortfall.Possible {
		n := t.Shortfall.AgreeHouseholdsNeeded
		resp.Shortfall.AgreeHouseholdsNeeded = &n
	} else {
		resp.Shortfall.ChangesNeeded = &optionalCount{value: t.ChangesNeeded}
	}
	for i, b := range t.ByBuilding {
		resp.ByBuilding[i] = buildingJSON(b)
	}
	return resp
}

func (a *API) tally(c *gin.Context) {
	recount, ok := queryBool(c, "recount")
	if !ok {
		return
	}
	t, err := a.svc.GetTally(c.Request.Context(), actorOf(c), c.Param("round_id"), recount)
	if err != nil {
		fail(c, err)
		return
	}
	body, err := encodeTally(toTally(t))
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}
