package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// auditCommand runs "minyi audit verify [--estate CODE]": it recomputes the
// audit ledger's hash chains and fails naming the first broken event of
// each broken chain.
func auditCommand(args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: minyi audit verify [--estate CODE]")
	}
	flags := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	estate := flags.String("estate", "", "verify only this estate's chains (its code)")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	_, db, svc, err := openAll()
	if err != nil {
		return err
	}
	defer db.Close()
	report, err := svc.VerifyAudit(context.Background(), *estate)
	if err != nil {
		return err
	}
	for _, b := range report.Broken {
		if b.EventID != "" {
			fmt.Printf("BROKEN chain %s at event %s (seq %d): %s\n", b.ChainID, b.EventID, b.Seq, b.Reason)
		} else {
			fmt.Printf("BROKEN chain %s (head seq %d): %s\n", b.ChainID, b.Seq, b.Reason)
		}
	}
	if len(report.Broken) > 0 {
		return fmt.Errorf("audit ledger: %d of %d chains broken (%d events read)", len(report.Broken), report.Chains, report.Events)
	}
	fmt.Printf("audit ledger verified: %d chains, %d events, no break\n", report.Chains, report.Events)
	return nil
}
