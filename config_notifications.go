package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"minyi/service"
	"minyi/wechat"
)

// notificationConfig is how subscribe messages and mini-program codes are made.
type notificationConfig struct {
	// Templates maps a kind to its WeChat template id (MINYI_WECHAT_TEMPLATE_<KIND>).
	Templates map[string]string
	// ReminderDays: the deadline reminder goes this many days before closes_at (MINYI_REMINDER_DAYS, default 3).
	ReminderDays int
}

// loadNotificationConfig reads MINYI_WECHAT_TEMPLATE_ROUND_OPENED,
// _OBJECTION_ANSWERED, _RESULT_PUBLISHED, _DEADLINE_REMINDER and MINYI_REMINDER_DAYS.
func loadNotificationConfig(cfg *config) error {
	cfg.Notifications = notificationConfig{Templates: map[string]string{}, ReminderDays: 3}
	for _, kind := range service.NotificationKinds {
		name := "MINYI_WECHAT_TEMPLATE_" + strings.ToUpper(kind)
		id := strings.TrimSpace(os.Getenv(name))
		if len(id) > 128 || strings.ContainsAny(id, " \t/?&") {
			return &configError{name, "is not a WeChat template id"}
		}
		if id != "" {
			cfg.Notifications.Templates[kind] = id
		}
	}
	if text := strings.TrimSpace(os.Getenv("MINYI_REMINDER_DAYS")); text != "" {
		days, err := strconv.Atoi(text)
		if err != nil || days < 1 || days > 30 {
			return &configError{"MINYI_REMINDER_DAYS", fmt.Sprintf("%q is not a number of days from 1 to 30", text)}
		}
		cfg.Notifications.ReminderDays = days
	}
	return nil
}

// startNotifications turns on subscribe messages and binding-slip codes
// when WeChat is configured, and runs the sender until ctx ends.
func startNotifications(ctx context.Context, svc *service.Service, client *wechat.Client, cfg notificationConfig, logger *slog.Logger) {
	if !client.Configured() {
		return
	}
	svc.SetMiniProgramCoder(client, "release")
	if len(cfg.Templates) == 0 {
		logger.Info("no subscribe-message template is set (MINYI_WECHAT_TEMPLATE_<KIND>): residents get no WeChat messages")
		return
	}
	svc.SetNotifier(service.NotifierConfig{Sender: client, Templates: cfg.Templates, ReminderDays: cfg.ReminderDays, Logger: logger})
	go svc.RunNotifications(ctx, 5*time.Second)
}
