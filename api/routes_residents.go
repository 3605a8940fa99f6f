package api

import "github.com/gin-gonic/gin"

// residentRoutes lists the routes of this part of the API; it is empty until that part is built.
func (a *API) residentRoutes() []Route {
	return nil
}

// residentResponse is a resident with the households they are bound to.
type residentResponse struct {
	ID         string `json:"id"`
	Households []any  `json:"households"`
}

// residentSummary describes a resident for login and /me responses.
func (a *API) residentSummary(c *gin.Context, residentID string) *residentResponse {
	return &residentResponse{ID: residentID, Households: []any{}}
}
