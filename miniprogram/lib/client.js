// The mini-program's single API client, made on first use from config.js.
const config = require('../config.js')
const { createClient } = require('./api.js')

let client = null

// api returns the shared client.
function api () {
  if (!client) client = createClient({ wx, baseURL: config.apiBaseURL })
  return client
}

// resetApi forgets the client (tests use it after replacing wx).
api.reset = () => { client = null }

module.exports = api
