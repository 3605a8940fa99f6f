package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minyi/model/fieldcrypt"
)

// loadSecurityConfig reads MINYI_DATA_KEY, MINYI_DATA_KEY_PREVIOUS and
// MINYI_TRUSTED_PROXIES.
//
// The data key encrypts phone numbers at rest. It is required with MySQL (so
// every instance reads alike); with the embedded SQLite database a key is
// created once and kept in the data directory, like the JWT secret.
func loadSecurityConfig(cfg *config) error {
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
