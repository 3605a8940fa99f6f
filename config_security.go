package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/model/fieldcrypt"
)

// loadSecurityConfig reads MINYI_DATA_KEY, MINYI_DATA_KEY_PREVIOUS and
// MINYI_TRUSTED_PROXIES.
//
// The data key encrypts phone numbers at rest. It is required with MySQL (so
// every instance reads alike); with the embedded SQLite database a key is
// created once and kept in the data directory, like the JWT secret.
//
// First it refuses the deploy examples' placeholders (checkPlaceholders).
func loadSecurityConfig(cfg *config) error {
	if err := checkPlaceholders(cfg); err != nil {
		return err
	}
	if text := os.Getenv("MINYI_DATA_KEY"); text != "" {
		key, err := fieldcrypt.ParseKey(text)
		if err != nil {
			return &configError{"MINYI_DATA_KEY", err.Error()}
		}
		cfg.DataKey = key
	} else if strings.HasPrefix(cfg.DatabaseURL, "mysql://") {
		return &configError{"MINYI_DATA_KEY", "is required with MySQL: 32 bytes in base64 or hex (openssl rand -base64 32)"}
	} else {
		kept, err := localSecret(filepath.Join(cfg.DataDir, "data-key"))
		if err != nil {
			return &configError{"MINYI_DATA_KEY", "not set, and no key could be kept in the data directory: " + err.Error()}
		}
		key, err := fieldcrypt.ParseKey(string(kept))
		if err != nil {
			return &configError{"MINYI_DATA_KEY", "not set, and " + filepath.Join(cfg.DataDir, "data-key") + " " + err.Error()}
		}
		cfg.DataKey = key
	}
	for _, text := range strings.Split(os.Getenv("MINYI_DATA_KEY_PREVIOUS"), ",") {
		if text = strings.TrimSpace(text); text == "" {
			continue
		}
		key, err := fieldcrypt.ParseKey(text)
		if err != nil {
			return &configError{"MINYI_DATA_KEY_PREVIOUS", err.Error()}
		}
		cfg.PreviousDataKeys = append(cfg.PreviousDataKeys, key)
	}
	for _, p := range strings.Split(os.Getenv("MINYI_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return &configError{"MINYI_TRUSTED_PROXIES", p + " is not an IP address or CIDR range"}
			}
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p)
	}
	return nil
}

// rotateDataKey re-encrypts every stored phone number with MINYI_DATA_KEY,
// opening the old values with MINYI_DATA_KEY_PREVIOUS (comma-separated
// keys); without a previous key it seals numbers an older release stored in
// clear. Run it with the service stopped, then drop the previous key.
func rotateDataKey() error {
	_, db, svc, err := openAll()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	report, err := svc.ResealPhones(ctx)
	if err != nil {
		return fmt.Errorf("rotate-data-key: %w (the rows before the failure are already re-encrypted; run it again with the same keys)", err)
	}
	fmt.Printf("re-encrypted the phone numbers of %d households and %d residents with MINYI_DATA_KEY\n", report.Households, report.Residents)
	return nil
}

// secretVariables are the variables that hold secrets; none may keep a
// placeholder of the deploy examples.
var secretVariables = []string{
	"MINYI_JWT_SECRET", "MINYI_DATA_KEY", "MINYI_DATA_KEY_PREVIOUS", "MINYI_RECEIPT_KEY",
	"MINYI_WECHAT_SECRET", "MINYI_ADMIN_PASSWORD", "MINYI_METRICS_TOKEN",
}

// placeholderMarks are the words the examples (deploy/.env.example,
// deploy/k8s/secret.example.yaml) and habit put where a secret belongs.
var placeholderMarks = []string{
	"change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
	"placeholder", "your-secret", "your_secret", "secret-here",
}

// commonPasswords are passwords tried first by anyone guessing; the first
// admin's password may not be one of them, nor a variation by case.
var commonPasswords = map[string]bool{
	"password": true, "password1": true, "password123": true, "passw0rd": true, "12345678": true,
	"123456789": true, "1234567890": true, "123456789012": true, "qwertyuiop": true, "admin123": true,
	"admin1234": true, "administrator": true, "adminadmin": true, "iloveyou": true, "11111111": true,
	"88888888": true, "66666666": true, "abcd1234": true, "1qaz2wsx": true, "qwer1234": true,
	"minyi123": true, "minyi-admin": true, "letmein123": true, "welcome123": true, "a123456789": true,
}

// MinAdminPasswordChars is the shortest first-admin password accepted at start.
const MinAdminPasswordChars = 12

// checkPlaceholders stops the start, naming the variable, when a secret
// still holds a placeholder such as "change-me", when the database URL's
// password does, or when the first admin's password is weak: shorter than
// MinAdminPasswordChars, longer than bcrypt's 72 bytes, a common password
// or of fewer than 5 different characters.
func checkPlaceholders(cfg *config) error {
	for _, name := range secretVariables {
		if value := os.Getenv(name); value != "" && isPlaceholder(value) {
			return &configError{name, "still holds a placeholder of the examples; set a real secret (e.g. openssl rand -base64 32)"}
		}
	}
	if u, err := url.Parse(cfg.DatabaseURL); err == nil && u.User != nil {
		if password, ok := u.User.Password(); ok && isPlaceholder(password) {
			return &configError{"MINYI_DATABASE_URL", "the database password still holds a placeholder of the examples"}
		}
	}
	if p := cfg.AdminPassword; p != "" {
		lower := strings.ToLower(p)
		distinct := map[rune]bool{}
		for _, r := range p {
			distinct[r] = true
		}
		switch {
		case utf8.RuneCountInString(p) < MinAdminPasswordChars:
			return &configError{"MINYI_ADMIN_PASSWORD", fmt.Sprintf("is too weak: use at least %d characters", MinAdminPasswordChars)}
		case len(p) > 72:
			return &configError{"MINYI_ADMIN_PASSWORD", "is longer than 72 bytes (bcrypt's limit; a Chinese character takes 3)"}
		case commonPasswords[lower] || len(distinct) < 5:
			return &configError{"MINYI_ADMIN_PASSWORD", "is too weak: a common password or too few different characters"}
		}
	}
	return nil
}

// isPlaceholder tells whether a secret is one of the examples' placeholders.
func isPlaceholder(value string) bool {
	lower := strings.ToLower(strings.TrimSpace(value))
	for _, mark := range placeholderMarks {
		if strings.Contains(lower, mark) {
			return true
		}
	}
	return lower == "secret" || lower == "password"
}
