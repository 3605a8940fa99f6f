package api

// objectionRoutes lists the routes of this part of the API; it is empty until that part is built.
func (a *API) objectionRoutes() []Route {
	return nil
}
