/**
 * @jest-environment node
 */
// "Every resident route of the API is used by a page" (issue 14): the routes
// a resident may call are read from the service's Go sources (api/*.go route
// tables, service/*.go action roles), and each must be called somewhere in
// pages/ or lib/ with its method and its path's fixed parts.
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..', '..')
const goFiles = dir => fs.readdirSync(path.join(root, dir)).filter(f => f.endsWith('.go') && !f.endsWith('_test.go'))
  .map(f => fs.readFileSync(path.join(root, dir, f), 'utf8'))

// Routes residents may call that no page needs, each with the reason. A new
// resident route of the service fails this test until a page uses it or it is
// listed here.
const NO_PAGE = {
  'GET /api/v1/estates/:estate_id/objections': '我的意见 reads GET /me/objections (the same objections, across estates)',
  'GET /api/v1/estates/:estate_id/revisions': 'the plan revisions come from the public board, which residents read without logging in',
  'GET /api/v1/revisions/:revision_id': 'the current revision comes with GET /me/rounds and the public board'
}
// Public routes that are not the mini-program's: the staff's password login
// and the service's own pages and probes.
const publicForResidents = route => /^(GET|POST) \/api\/v1\/(auth\/(wechat|refresh|logout)|public\/)/.test(route)

function actionRoles () {
  const roles = {}
  for (const src of goFiles('service')) {
    for (const m of src.matchAll(/(Act\w+)\s*=\s*defineAction\("[^"]*"((?:,\s*Role\w+)*)\)/g)) roles[m[1]] = m[2]
    const table = src.match(/var actionRoles = map\[Action\]\[\]string\{([\s\S]*?)\n\}/)
    if (table) for (const m of table[1].matchAll(/(Act\w+):\s*(nil|\{[^}]*\})/g)) roles[m[1]] = m[2]
  }
  return roles
}

function residentRoutes () {
  const roles = actionRoles()
  const routes = []
  for (const src of goFiles('api')) {
    for (const m of src.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*service\.(Act\w+)/g)) {
      const route = m[1] + ' ' + m[2]
      if (!(m[3] in roles)) throw new Error('no roles found for service.' + m[3] + ' (' + route + ')')
      if (/RoleResident/.test(roles[m[3]]) || (m[3] === 'ActPublic' && publicForResidents(route))) routes.push(route)
    }
  }
  return routes
}

const escape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// What comes right before the path's string literal in a call of each method:
// the client's helpers, the request layer's own send('POST', …), and the
// upload's url (wx.uploadFile always POSTs).
const callOf = {
  GET: "(?:\\.get\\(|download\\(|send\\('GET',)",
  POST: "(?:\\.post\\(|send\\('POST',|url:\\s*baseURL\\s*\\+)",
  PUT: "(?:\\.put\\(|send\\('PUT',)",
  DELETE: "(?:\\.del\\(|send\\('DELETE',)",
  PATCH: "(?:\\.patch\\(|send\\('PATCH',)"
}

// callRegExp matches a call of the route as the pages write it:
// api().put('/api/v1/rounds/' + encodeURIComponent(id) + '/my-signoff', …).
function callRegExp (route) {
  const [method, p] = route.split(' ')
  const parts = p.split(/:[a-z_]+/)
  let re = callOf[method] + "\\s*'" + escape(parts[0])
  for (const part of parts.slice(1)) {
    re += "'\\s*\\+[^'\";]*?" + (part ? "\\+\\s*'" + escape(part) : '')
  }
  if (parts[parts.length - 1] !== '') re += "['?]"
  return new RegExp(re)
}

const calledIn = (src, route) => callRegExp(route).test(src)

const sources = () => {
  const files = []
  const walk = dir => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      if (f.isDirectory()) walk(path.join(dir, f.name))
      else if (f.name.endsWith('.js')) files.push(path.join(dir, f.name))
    }
  }
  walk(path.join(__dirname, '..', 'pages'))
  walk(path.join(__dirname, '..', 'lib'))
  return files.map(f => ({ file: path.relative(path.join(__dirname, '..'), f), src: fs.readFileSync(f, 'utf8') }))
}

test('every resident route of the service is called by a page or the request layer', () => {
  const routes = residentRoutes()
  // the reading of the Go sources found the routes it must (a guard against a silent parse)
  for (const known of ['POST /api/v1/me/bindings', 'PUT /api/v1/rounds/:round_id/my-signoff', 'POST /api/v1/rounds/:round_id/result-objections', 'GET /api/v1/me']) {
    expect(routes).toContain(known)
  }
  expect(routes).not.toContain('POST /api/v1/auth/login')
  expect(routes).not.toContain('POST /api/v1/rounds/:round_id/close')
  const files = sources()
  const missing = routes.filter(r => !NO_PAGE[r] && !files.some(f => calledIn(f.src, r)))
  expect(missing).toEqual([])
  // a listed exception that a page now uses, or that is gone, is taken off the list
  expect(Object.keys(NO_PAGE).filter(r => !routes.includes(r) || files.some(f => calledIn(f.src, r)))).toEqual([])
})

test('the route matcher needs the method and every fixed part of the path', () => {
  const src = "api().put('/api/v1/rounds/' + encodeURIComponent(id) + '/my-signoff', body)"
  expect(calledIn(src, 'PUT /api/v1/rounds/:round_id/my-signoff')).toBe(true)
  expect(calledIn(src, 'DELETE /api/v1/rounds/:round_id/my-signoff')).toBe(false)
  expect(calledIn(src, 'PUT /api/v1/rounds/:round_id/result-objections')).toBe(false)
  expect(calledIn("client.get('/api/v1/me/rounds')", 'GET /api/v1/me')).toBe(false)
  expect(calledIn("client.get('/api/v1/me')", 'GET /api/v1/me')).toBe(true)
  expect(calledIn("api().get('/api/v1/me'); api().post('/api/v1/estates/' + id + '/objections', b)", 'GET /api/v1/estates/:estate_id/objections')).toBe(false)
  expect(calledIn("api().del('/api/v1/rounds/' + encodeURIComponent(r) + '/my-signoff?household_id=' + h)", 'DELETE /api/v1/rounds/:round_id/my-signoff')).toBe(true)
  expect(calledIn("client.get('/api/v1/public/estates/' + encodeURIComponent(code), { auth: false })", 'GET /api/v1/public/estates/:code')).toBe(true)
})
