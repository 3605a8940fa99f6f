package api

// workerRoutes lists the routes of this part of the API; it is empty until that part is built.
func (a *API) workerRoutes() []Route {
	return nil
}
