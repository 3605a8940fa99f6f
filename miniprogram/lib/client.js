// The mini-program's single API client, made on first use from config.js.
const config = require('../config.js')
const { createClient } = require('./api.js')

let client = null
let overrides = {}

// api returns the shared client.
function api () {
  if (!client) client = createClient(Object.assign({ wx, baseURL: config.apiBaseURL, devLogin: config.devLogin }, overrides))
  return client
}

// reset forgets the client, so the next call makes one over the current wx
// with these createClient options (tests pass {retryDelayMs: 0}).
api.reset = options => {
  client = null
  overrides = options || {}
}

module.exports = api
