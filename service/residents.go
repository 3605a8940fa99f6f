package service

import "gorm.io/gorm"

// residentCanSeeEstate tells whether a resident is bound to a household of
// the estate. Residents arrive with the WeChat login; until then none exist.
func (s *Service) residentCanSeeEstate(tx *gorm.DB, residentID, estateID string) (bool, error) {
	return false, nil
}

// residentActive tells whether a resident account exists and is not blocked.
func (s *Service) residentActive(tx *gorm.DB, residentID string) (bool, error) {
	return false, nil
}
