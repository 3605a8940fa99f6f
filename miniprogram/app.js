// 民意征询: the residents' mini-program of the Minyi service.
App({})
