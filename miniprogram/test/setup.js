// Every test starts with a fresh fake wx (test/wx-mock.js).
const { installWx } = require('./wx-mock.js')

installWx()
beforeEach(() => installWx())
