// The request layer: login, refresh on 401, retries with one Idempotency-Key,
// Chinese messages for 503 and lost connections, uploads.
const { createClient, newIdempotencyKey } = require('../lib/api.js')
const { createWx, ok, fail, loggedIn } = require('./wx-mock.js')

const newClient = wx => createClient({ wx, baseURL: 'https://minyi.test/', retryDelayMs: 0 })
const tokens = (a, r) => ok({ access_token: a, refresh_token: r, token_type: 'Bearer', expires_in: 900, resident: { id: 'r1', households: [] } })

test('logs in with wx.login when there is no token and sends the access token', async () => {
  const wx = createWx()
  wx.route('POST /api/v1/auth/wechat', call => (call.data.code === 'wxcode-1' ? tokens('a1', 'r1') : fail(401, 'wechat_code_invalid')))
  wx.route('GET /api/v1/me', call => ok({ auth: call.header.Authorization }))
  const me = await newClient(wx).get('/api/v1/me')
  expect(me.auth).toBe('Bearer a1')
  expect(wx.getStorageSync('minyi.tokens')).toEqual({ access_token: 'a1', refresh_token: 'r1' })
  expect(wx.calls[0].path).toBe('/api/v1/auth/wechat')
  expect(wx.calls[0].header.Authorization).toBeUndefined()
})

test('on 401 it refreshes once and repeats the write with the same Idempotency-Key', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/refresh', call => (call.data.refresh_token === 'refresh-1' ? tokens('a2', 'r2') : fail(401, 'invalid_refresh_token')))
  wx.route('PUT /api/v1/rounds/R/my-signoff', call => (call.header.Authorization === 'Bearer a2' ? ok({ receipt: 'AAAA-BBBB-CCCC-DDDD' }) : fail(401, 'invalid_token')))
  const res = await newClient(wx).put('/api/v1/rounds/R/my-signoff', { decision: 'agree' }, { idempotencyKey: 'k-1' })
  expect(res.receipt).toBe('AAAA-BBBB-CCCC-DDDD')
  const puts = wx.callsTo('PUT /api/v1/rounds/R/my-signoff')
  expect(puts.map(c => c.header['Idempotency-Key'])).toEqual(['k-1', 'k-1'])
  expect(wx.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1)
  expect(wx.getStorageSync('minyi.tokens').refresh_token).toBe('r2')
})

test('a refresh token that no longer works leads to a new wx.login', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/refresh', () => fail(401, 'invalid_refresh_token'))
  wx.route('POST /api/v1/auth/wechat', () => tokens('a3', 'r3'))
  wx.route('GET /api/v1/me/rounds', call => (call.header.Authorization === 'Bearer a3' ? ok({ items: [] }) : fail(401, 'invalid_token')))
  await expect(newClient(wx).get('/api/v1/me/rounds')).resolves.toEqual({ items: [] })
  expect(wx.callsTo('POST /api/v1/auth/wechat')).toHaveLength(1)
})

test('concurrent 401s share one refresh (a refresh token works once)', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/refresh', call => (call.data.refresh_token === 'refresh-1' ? tokens('a2', 'r2') : fail(401, 'invalid_refresh_token')))
  wx.route('GET /api/v1/me', call => (call.header.Authorization === 'Bearer a2' ? ok({}) : fail(401, 'invalid_token')))
  const client = newClient(wx)
  await Promise.all([client.get('/api/v1/me'), client.get('/api/v1/me'), client.get('/api/v1/me')])
  expect(wx.callsTo('POST /api/v1/auth/refresh')).toHaveLength(1)
})

test('a lost connection is retried with the same key and the write is sent until answered', async () => {
  const wx = createWx()
  loggedIn(wx)
  let n = 0
  wx.route('POST /api/v1/me/bindings', () => (++n < 3 ? 'network' : { status: 201, data: { id: 'h1' } }))
  const res = await newClient(wx).post('/api/v1/me/bindings', { code: 'C' })
  expect(res.id).toBe('h1')
  const keys = wx.callsTo('POST /api/v1/me/bindings').map(c => c.header['Idempotency-Key'])
  expect(keys).toHaveLength(3)
  expect(new Set(keys).size).toBe(1)
  expect(keys[0]).toMatch(/^mp-/)
})

test('when the network stays down the error tells the resident what to do', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => 'network')
  const err = await newClient(wx).get('/api/v1/me').catch(e => e)
  expect(err.network).toBe(true)
  expect(err.message).toContain('请检查手机网络')
  expect(wx.callsTo('GET /api/v1/me')).toHaveLength(3)
})

test('503 is retried, then answered with a clear Chinese message', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('GET /api/v1/me/rounds', () => fail(503, 'database_unavailable', 'service unavailable'))
  const err = await newClient(wx).get('/api/v1/me/rounds').catch(e => e)
  expect(err.status).toBe(503)
  expect(err.message).toBe('服务暂时不可用（可能正在维护）。请过几分钟再点“重试”；已填写的内容不会丢失。')
  expect(wx.callsTo('GET /api/v1/me/rounds')).toHaveLength(3)
})

test('login answered 503 by WeChat keeps the service\'s WeChat message', async () => {
  const wx = createWx()
  wx.route('POST /api/v1/auth/wechat', () => fail(503, 'wechat_unavailable', '微信服务暂时不可用，请稍后重试'))
  const err = await newClient(wx).login().catch(e => e)
  expect(err.message).toBe('微信服务暂时不可用，请稍后重试')
})

test('4xx errors keep the service\'s code and fields and are not retried', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/estates/E/objections', () => ({ status: 422, data: { error: { code: 'validation_failed', message: '内容不符合要求', fields: { content: 'is required' } } } }))
  const err = await newClient(wx).post('/api/v1/estates/E/objections', {}).catch(e => e)
  expect(err.code).toBe('validation_failed')
  expect(err.fields).toEqual({ content: 'is required' })
  expect(wx.callsTo('POST /api/v1/estates/E/objections')).toHaveLength(1)
})

test('upload sends the photo as part "file" with the estate, the token and no Idempotency-Key', async () => {
  const wx = createWx()
  loggedIn(wx)
  let n = 0
  wx.route('UPLOAD /api/v1/uploads', () => (++n === 1 ? 'network' : { status: 201, data: { id: 'u1', url: '/api/v1/uploads/u1' } }))
  const up = await newClient(wx).upload('/tmp/a.jpg', 'E1')
  expect(up.id).toBe('u1')
  const calls = wx.callsTo('UPLOAD /api/v1/uploads')
  expect(calls).toHaveLength(2)
  expect(calls[1]).toMatchObject({ name: 'file', filePath: '/tmp/a.jpg', formData: { estate_id: 'E1' } })
  expect(calls[1].header.Authorization).toBe('Bearer access-1')
  expect(calls[1].header['Idempotency-Key']).toBeUndefined()
})

test('idempotency keys differ between actions', () => {
  const keys = new Set(Array.from({ length: 200 }, newIdempotencyKey))
  expect(keys.size).toBe(200)
})

test('with devLogin set it logs in as dev:<name> without asking WeChat', async () => {
  const wx = createWx()
  wx.login = () => { throw new Error('wx.login must not be called') }
  wx.route('POST /api/v1/auth/wechat', call => (call.data.code === 'dev:reviewer' ? tokens('a9', 'r9') : fail(401, 'wechat_code_invalid')))
  await createClient({ wx, baseURL: 'https://minyi.test', devLogin: 'reviewer', retryDelayMs: 0 }).login()
  expect(wx.getStorageSync('minyi.tokens').access_token).toBe('a9')
})

test('logout revokes the session on the service and forgets the tokens, even offline', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/logout', () => ({ status: 204, data: '' }))
  await newClient(wx).logout()
  expect(wx.callsTo('POST /api/v1/auth/logout').map(c => c.data)).toEqual([{ refresh_token: 'refresh-1' }])
  expect(wx.getStorageSync('minyi.tokens')).toBeUndefined()

  const offline = createWx()
  loggedIn(offline)
  offline.route('POST /api/v1/auth/logout', () => 'network')
  await newClient(offline).logout()
  expect(offline.getStorageSync('minyi.tokens')).toBeUndefined()
})

test('a token revoked elsewhere (401 token_revoked, refresh refused) leads to a new WeChat login', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/refresh', () => fail(401, 'invalid_refresh_token'))
  wx.route('POST /api/v1/auth/wechat', () => tokens('a9', 'r9'))
  wx.route('GET /api/v1/me', call => (call.header.Authorization === 'Bearer a9' ? ok({ resident: { id: 'r1' } }) : fail(401, 'token_revoked')))
  const me = await newClient(wx).get('/api/v1/me')
  expect(me.resident.id).toBe('r1')
  expect(wx.callsTo('POST /api/v1/auth/wechat')).toHaveLength(1)
  expect(wx.getStorageSync('minyi.tokens').access_token).toBe('a9')
})

test('download sends the token, refreshes it once on a 401 and resolves with the temporary file', async () => {
  const wx = createWx()
  loggedIn(wx)
  wx.route('POST /api/v1/auth/refresh', () => tokens('a2', 'r2'))
  wx.route('DOWNLOAD /api/v1/uploads/u1', call => (call.header.Authorization === 'Bearer a2' ? { status: 200 } : { status: 401 }))
  wx.route('DOWNLOAD /api/v1/uploads/gone', () => ({ status: 404 }))
  const client = newClient(wx)
  expect(await client.download('/api/v1/uploads/u1')).toBe('wxfile://tmp/u1')
  expect(wx.callsTo('DOWNLOAD /api/v1/uploads/u1').map(c => c.header.Authorization)).toEqual(['Bearer access-1', 'Bearer a2'])
  const err = await client.download('/api/v1/uploads/gone').catch(e => e)
  expect([err.status, err.message]).toEqual([404, '照片已不存在或不能查看。'])
  expect(wx.callsTo('DOWNLOAD /api/v1/uploads/gone')).toHaveLength(1)
})
