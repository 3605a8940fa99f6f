package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"

	"minyi/model/fieldcrypt"
)

// loadSecurityConfig reads MINYI_DATA_KEY and MINYI_TRUSTED_PROXIES.
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
