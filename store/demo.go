package store

import "minyi/model"

// The demo's estate (serve --demo).

// CountDemoEstates counts the estates with the demo's code (0 or 1).
func (t *Tx) CountDemoEstates(code string) (int64, error) {
	var n int64
	err := t.g.Model(&model.Estate{}).Where("code = ?", code).Count(&n).Error
	return n, model.Translate(err)
}

// DemoEstate reads the estate with the demo's code; model.ErrNotFound when
// the demo was not loaded.
func (t *Tx) DemoEstate(code string) (model.Estate, error) {
	var estate model.Estate
	err := first(t.g.Where("code = ?", code), &estate)
	return estate, err
}
