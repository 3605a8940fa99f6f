package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/model"
	"minyi/service"
)

func (a *API) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

func (a *API) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := a.svc.DB().Ping(ctx); err != nil {
		c.Header("Retry-After", "2")
		abortWith(c, http.StatusServiceUnavailable, "database_unavailable", nil, nil)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (a *API) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", a.cfg.OpenAPI)
}

type userResponse struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Disabled    bool   `json:"disabled"`
	CreatedAt   Time   `json:"created_at"`
}

func toUser(u *model.User) userResponse {
	return userResponse{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
		Disabled: u.Disabled, CreatedAt: Time(u.CreatedAt)}
}

type tokenResponse struct {
	AccessToken  string            `json:"access_token"`
	TokenType    string            `json:"token_type"`
	ExpiresIn    int               `json:"expires_in"`
	RefreshToken string            `json:"refresh_token"`
	User         *userResponse     `json:"user,omitempty"`
	Resident     *residentResponse `json:"resident,omitempty"`
}

func (a *API) tokens(c *gin.Context, t *service.Tokens) tokenResponse {
	resp := tokenResponse{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: t.ExpiresIn, RefreshToken: t.RefreshToken}
	if t.User != nil {
		u := toUser(t.User)
		resp.User = &u
	}
	if t.ResidentID != "" {
		resp.Resident = a.residentSummary(c, t.ResidentID)
	}
	return resp
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (a *API) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	tokens, err := a.svc.LoginFrom(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.tokens(c, tokens))
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (a *API) refresh(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	tokens, err := a.svc.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.tokens(c, tokens))
}

func (a *API) logout(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := a.svc.Logout(c.Request.Context(), req.RefreshToken); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type meResponse struct {
	User     *userResponse     `json:"user,omitempty"`
	Resident *residentResponse `json:"resident,omitempty"`
}

func (a *API) me(c *gin.Context) {
	actor := actorOf(c)
	if actor.Kind == service.ActorResident {
		a.residentMe(c, actor)
		return
	}
	u, err := a.svc.GetUser(c.Request.Context(), actor.ID)
	if err != nil {
		fail(c, err)
		return
	}
	resp := toUser(u)
	c.JSON(http.StatusOK, meResponse{User: &resp})
}

type createUserRequest struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
}

func (a *API) createUser(c *gin.Context) {
	var req createUserRequest
	if !bindJSON(c, &req) {
		return
	}
	u, err := a.svc.CreateUser(c.Request.Context(), actorOf(c), service.NewUser{
		Username: req.Username, Password: req.Password, DisplayName: req.DisplayName, Role: req.Role})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toUser(u))
}

func (a *API) listUsers(c *gin.Context) {
	page, ok := pageOf(c)
	if !ok {
		return
	}
	users, next, err := a.svc.ListUsers(c.Request.Context(), actorOf(c), page)
	if err != nil {
		fail(c, err)
		return
	}
	resp := listResponse[userResponse]{Items: make([]userResponse, len(users)), NextCursor: next}
	for i := range users {
		resp.Items[i] = toUser(&users[i])
	}
	c.JSON(http.StatusOK, resp)
}

type updateUserRequest struct {
	DisplayName *string `json:"display_name"`
	Password    *string `json:"password"`
	Disabled    *bool   `json:"disabled"`
}

func (a *API) updateUser(c *gin.Context) {
	var req updateUserRequest
	if !bindJSON(c, &req) {
		return
	}
	u, err := a.svc.UpdateUser(c.Request.Context(), actorOf(c), c.Param("user_id"), service.UserChanges{
		DisplayName: req.DisplayName, Password: req.Password, Disabled: req.Disabled})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUser(u))
}

// pageOf reads ?limit= and ?cursor=.
func pageOf(c *gin.Context) (service.Page, bool) {
	limit, ok := queryInt(c, "limit")
	if !ok {
		return service.Page{}, false
	}
	if c.Query("limit") != "" && (limit < 1 || limit > service.MaxPageLimit) {
		abortWith(c, http.StatusUnprocessableEntity, "validation_failed", map[string]string{"limit": "must be between 1 and 500"}, nil)
		return service.Page{}, false
	}
	return service.Page{Limit: limit, Cursor: c.Query("cursor")}, true
}
