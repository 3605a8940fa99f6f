package service

import "strings"

// Personal data shown to people who need less than all of it: who sees an
// owner's name and phone number in full, and how the others see them.

// SeesOwnersContacts tells whether a role sees households' owner names and
// phone numbers in full: admins and workers, who visit and call them.
// Designers and supervisors see them masked (MaskName, MaskPhone).
func SeesOwnersContacts(role string) bool { return role == RoleAdmin || role == RoleWorker }

// MaskName hides all but the first and last character of a name (张*三; 李* for two).
func MaskName(name string) string {
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskPhone keeps the first three and last four digits (138****1234).
func MaskPhone(phone string) string {
	r := []rune(phone)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}
