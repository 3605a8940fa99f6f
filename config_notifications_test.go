package main

import (
	"errors"
	"testing"
)

// TestNotificationConfig reads the template ids and the reminder days, and
// refuses bad values naming the variable.
func TestNotificationConfig(t *testing.T) {
	clearEnv(t)
	t.Setenv("MINYI_DATA_DIR", t.TempDir())
	cfg, err := loadConfig()
	if err != nil || cfg.Notifications.ReminderDays != 3 || len(cfg.Notifications.Templates) != 0 {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	t.Setenv("MINYI_WECHAT_TEMPLATE_ROUND_OPENED", "tpl-open-123")
	t.Setenv("MINYI_WECHAT_TEMPLATE_DEADLINE_REMINDER", "tpl-remind-456")
	t.Setenv("MINYI_REMINDER_DAYS", "5")
	cfg, err = loadConfig()
	if err != nil || cfg.Notifications.ReminderDays != 5 || cfg.Notifications.Templates["round_opened"] != "tpl-open-123" ||
		cfg.Notifications.Templates["deadline_reminder"] != "tpl-remind-456" || len(cfg.Notifications.Templates) != 2 {
		t.Fatalf("configured: %+v %v", cfg.Notifications, err)
	}
	for name, value := range map[string]string{"MINYI_REMINDER_DAYS": "0", "MINYI_WECHAT_TEMPLATE_RESULT_PUBLISHED": "a b"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := loadConfig()
			var cfgErr *configError
			if !errors.As(err, &cfgErr) || cfgErr.name != name {
				t.Fatalf("%s=%q: %v", name, value, err)
			}
		})
	}
}
