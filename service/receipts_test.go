package service

import (
	"regexp"
	"testing"

	"minyi/model"
)

func TestReceiptsCommitToTheDecisionAndSurviveAJWTRotation(t *testing.T) {
	t.Parallel()
	so := &model.SignOff{RoundID: "r-1", HouseholdID: "h-1", Decision: DecisionAgree, Version: 2}
	withKey := func(jwt, receipt string) *Service {
		return &Service{cfg: Config{JWTSecret: []byte(jwt), ReceiptKey: []byte(receipt)}}
	}
	a := withKey("jwt-secret-one-0123456789abcdefgh", "receipt-key-0123456789abcdefghijk")
	receipt := a.Receipt(so)
	if !regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`).MatchString(receipt) {
		t.Fatalf("receipt %q", receipt)
	}
	if got := withKey("jwt-secret-two-0123456789abcdefgh", "receipt-key-0123456789abcdefghijk").Receipt(so); got != receipt {
		t.Fatalf("a rotated JWT secret changed the receipt (%s → %s) although MINYI_RECEIPT_KEY stayed", receipt, got)
	}
	if got := withKey("jwt-secret-one-0123456789abcdefgh", "").Receipt(so); got == receipt {
		t.Fatal("without a receipt key the receipt must come from the JWT secret")
	}
	if got := withKey("jwt-secret-one-0123456789abcdefgh", "another-receipt-key-0123456789abc").Receipt(so); got == receipt {
		t.Fatal("another receipt key gave the same receipt: the nonce is not keyed")
	}
	changes := []model.SignOff{
		{RoundID: "r-1", HouseholdID: "h-1", Decision: DecisionDisagree, Version: 2},
		{RoundID: "r-1", HouseholdID: "h-1", Decision: DecisionAgree, Version: 3},
		{RoundID: "r-1", HouseholdID: "h-2", Decision: DecisionAgree, Version: 2},
		{RoundID: "r-2", HouseholdID: "h-1", Decision: DecisionAgree, Version: 2},
	}
	for _, c := range changes {
		if a.Receipt(&c) == receipt {
			t.Fatalf("%+v has the same receipt as %+v", c, *so)
		}
	}
	if a.Receipt(&model.SignOff{RoundID: "r-1", HouseholdID: "h-1", Decision: DecisionWithdrawn, Version: 3}) != "" {
		t.Fatal("a withdrawn decision has a receipt")
	}
}
