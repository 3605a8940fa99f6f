package api

// publicRoutes lists the routes of this part of the API; it is empty until that part is built.
func (a *API) publicRoutes() []Route {
	return nil
}
