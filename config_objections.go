package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"minyi/service"
)

// loadObjectionConfig reads MINYI_OBJECTION_DUE_DAYS: how many days after
// filing an objection is due in the dispute table (1..90, default 7).
func loadObjectionConfig(cfg *config) error {
	cfg.ObjectionDueDays = service.DefaultObjectionDueDays
	text := strings.TrimSpace(os.Getenv("MINYI_OBJECTION_DUE_DAYS"))
	if text == "" {
		return nil
	}
	days, err := strconv.Atoi(text)
	if err != nil || days < 1 || days > 90 {
		return &configError{"MINYI_OBJECTION_DUE_DAYS", fmt.Sprintf("%q is not a number of days from 1 to 90", text)}
	}
	cfg.ObjectionDueDays = days
	return nil
}
