/**
 * @jest-environment node
 */
// End to end: the mini-program's request layer (lib/api.js), run in Node over
// a small wx adapter, drives a real `minyi serve` (built here from the
// repository, SQLite in a temp dir) that logs residents in through the fake
// WeChat server. A resident logs in, binds a household, signs (with the first
// answer lost on the way, so the layer retries under the same
// Idempotency-Key), files an objection with a photo, sees the answer an admin
// gives through the API, and checks the receipt once the round is closed.
// The server's state is checked through staff API calls.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createClient } = require('../lib/api.js')
const format = require('../lib/format.js')
const { createNodeWx } = require('./e2e/node-wx.js')
const { start } = require('./e2e/servers.js')
const { png } = require('./e2e/png.js')

jest.setTimeout(Number(process.env.MINYI_E2E_TIMEOUT_MS || 300000))

let servers
let staffToken

async function staff (method, pathname, body, expected) {
  const res = await fetch(servers.base + pathname, {
    method,
    headers: Object.assign({ 'Content-Type': 'application/json' }, staffToken ? { Authorization: 'Bearer ' + staffToken } : {}),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30000)
  })
  const text = await res.text()
  const data = text ? JSON.parse(text) : null
  if (expected !== undefined && res.status !== expected) {
    throw new Error(method + ' ' + pathname + ' → ' + res.status + ' ' + text)
  }
  return { status: res.status, data }
}

beforeAll(async () => {
  servers = await start()
  const login = await staff('POST', '/api/v1/auth/login', servers.admin, 200)
  staffToken = login.data.access_token
})

afterAll(async () => {
  if (!servers) return
  const stopped = await servers.stop()
  // The service's log, when asked for or when it did not stop by itself.
  if (process.env.MINYI_E2E_LOGS || !stopped) process.stderr.write(servers.logs.join(''))
})

function residentClient (openid) {
  const wx = createNodeWx({ loginCodeURL: servers.loginCodeURL(openid) })
  return { wx, client: createClient({ wx, baseURL: servers.base, retryDelayMs: 10 }) }
}

test('login → bind → sign → object → answer → receipt, against the real service', async () => {
  // The estate, its households, the plan and an open round, set up by staff.
  const estate = (await staff('POST', '/api/v1/estates', { name: '幸福里小区', code: 'xingfuli-e2e', district: '魏都区' }, 201)).data
  const rooms = ['101', '102', '201', '202', '301']
  const households = (await staff('POST', '/api/v1/estates/' + estate.id + '/households', {
    items: rooms.map(room => ({ building: '3', unit: '1', room, area_m2: 72.5 }))
  }, 201)).data.items
  const revision = (await staff('POST', '/api/v1/estates/' + estate.id + '/revisions', {
    title: '加装电梯方案', summary: '3号楼加装一部电梯', changes: '电梯井移到北侧，不挡南面采光', addresses: []
  }, 201)).data
  const round = (await staff('POST', '/api/v1/estates/' + estate.id + '/rounds', {
    title: '3号楼加装电梯征询', kind: 'plan', revision_id: revision.id
  }, 201)).data
  await staff('POST', '/api/v1/rounds/' + round.id + '/open', undefined, 200)
  const mine = households[2]
  const binding = (await staff('POST', '/api/v1/estates/' + estate.id + '/households/' + mine.id + '/binding-codes', undefined, 201)).data

  const { wx, client } = residentClient('resident-e2e-1')

  // 登录 (wx.login → the fake WeChat → POST /auth/wechat)
  const session = await client.login()
  expect(session.resident.households).toEqual([])
  expect(wx.getStorageSync('minyi.tokens').access_token).toBeTruthy()

  // 绑定房屋 (as the bind page sends it: relation left out for an owner)
  const bound = await client.post('/api/v1/me/bindings', { code: binding.code })
  expect(bound.id).toBe(mine.id)
  expect(format.address(bound)).toBe('3栋1单元201室')
  const me = await client.get('/api/v1/me')
  expect(me.resident.households.map(h => h.id)).toEqual([mine.id])
  expect(me.resident.households[0].estate_code).toBe('xingfuli-e2e')

  // 登记手机号: the code of the getPhoneNumber button, looked up through the fake WeChat.
  const phoneCode = (await (await fetch(servers.phoneCodeURL('13800001111'), { method: 'POST', signal: AbortSignal.timeout(30000) })).json()).code
  const withPhone = await client.post('/api/v1/me/phone', { code: phoneCode })
  expect(withPhone.phone).toBe('13800001111')
  const residents = (await staff('GET', '/api/v1/households/' + mine.id + '/residents', undefined, 200)).data.items
  expect(residents.map(r => r.phone)).toEqual(['13800001111'])

  // 我的征询
  const rounds = await client.get('/api/v1/me/rounds')
  expect(rounds.items).toHaveLength(1)
  const item = rounds.items[0]
  expect(item.round.id).toBe(round.id)
  expect(item.can_sign).toBe(true)
  expect(item.my_decision).toBeNull()
  expect(item.revision.version).toBe(revision.version)
  expect(item.round.rule_text).toBeTruthy()

  // 表态: the first answer is lost, the layer repeats the PUT with the same key.
  wx.loseAnswers('PUT', '/api/v1/rounds/' + round.id + '/my-signoff', 1)
  const signed = await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'agree', household_id: mine.id })
  const puts = wx.sent.filter(s => s.method === 'PUT' && s.path.endsWith('/my-signoff'))
  expect(puts).toHaveLength(2)
  expect(puts[1].header['Idempotency-Key']).toBe(puts[0].header['Idempotency-Key'])
  expect(signed.decision).toBe('agree')
  expect(signed.channel).toBe('online')
  expect(format.normalizeReceipt(signed.receipt)).toBe(signed.receipt)
  // The service recorded one decision, once.
  const history = (await staff('GET', '/api/v1/rounds/' + round.id + '/signoffs/' + mine.id + '/history', undefined, 200)).data.items
  expect(history).toHaveLength(1)
  const signoffs = (await staff('GET', '/api/v1/rounds/' + round.id + '/signoffs', undefined, 200)).data.items
  expect(signoffs.map(s => [s.household_id, s.decision, s.channel])).toEqual([[mine.id, 'agree', 'online']])

  // An expired access token is refreshed without the resident noticing.
  wx.setStorageSync('minyi.tokens', Object.assign({}, wx.getStorageSync('minyi.tokens'), { access_token: 'expired' }))
  const again = await client.get('/api/v1/me/rounds')
  expect(again.items[0].my_decision.decision).toBe('agree')
  expect(again.items[0].my_decision.receipt).toBe(signed.receipt)
  expect(wx.sent.some(s => s.path === '/api/v1/auth/refresh')).toBe(true)

  // 我的意见 / 随手拍: a photo, then the objection naming it.
  const photoPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'minyi-mp-photo-')), 'corridor.png')
  fs.writeFileSync(photoPath, png(32, 24))
  const upload = await client.upload(photoPath, estate.id)
  expect(upload.id).toBeTruthy()
  const objection = await client.post('/api/v1/estates/' + estate.id + '/objections', {
    household_id: mine.id, round_id: round.id, category: 'elevator', plan_item: '电梯位置', content: '电梯井离我家窗户太近', photos: [upload.id]
  })
  expect(objection.status).toBe('open')
  const listed = (await staff('GET', '/api/v1/estates/' + estate.id + '/objections', undefined, 200)).data.items
  expect(listed.map(o => [o.id, o.category, o.photos])).toEqual([[objection.id, 'elevator', [upload.id]]])

  // An admin answers it through the API (public_summary once the service requires it).
  const answer = { outcome: 'partially_adopted', explanation: '电梯井北移两米，与窗户保持三米距离' }
  let answered = await staff('POST', '/api/v1/objections/' + objection.id + '/response', answer)
  if (answered.status === 422 && answered.data.error.fields && answered.data.error.fields.public_summary) {
    answered = await staff('POST', '/api/v1/objections/' + objection.id + '/response', Object.assign({ public_summary: '电梯井北移两米' }, answer))
  }
  expect(answered.status).toBe(200)

  // The resident sees the answer.
  const myObjections = await client.get('/api/v1/me/objections')
  expect(myObjections.items).toHaveLength(1)
  expect(myObjections.items[0].status).toBe('answered')
  expect(myObjections.items[0].answer.explanation).toBe(answer.explanation)

  // The round closes; signing now is refused with a clear message.
  await staff('POST', '/api/v1/rounds/' + round.id + '/close', { reason: '端到端测试提前结束' }, 200)
  const refused = await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'disagree', household_id: mine.id }).catch(e => e)
  expect(refused.status).toBe(409)
  expect(refused.code).toBe('round_not_open')
  expect(refused.message).toContain('不能表态')

  // 回执核验: the public board lists the counted receipts; mine is there.
  const board = await client.get('/api/v1/public/estates/xingfuli-e2e', { auth: false })
  const closed = board.rounds.find(r => r.id === round.id)
  expect(closed.counted_receipts).toContain(format.normalizeReceipt(signed.receipt.toLowerCase().replace(/-/g, ' ')))
  expect(closed.counted_receipts).toHaveLength(1)
})

test('a resident who is not bound to a household cannot sign for it', async () => {
  const estate = (await staff('POST', '/api/v1/estates', { name: '和平里小区', code: 'hepingli-e2e' }, 201)).data
  const hs = (await staff('POST', '/api/v1/estates/' + estate.id + '/households', {
    items: [{ building: '1', unit: '1', room: '101', area_m2: 60 }]
  }, 201)).data.items
  const round = (await staff('POST', '/api/v1/estates/' + estate.id + '/rounds', { title: '意愿征询', kind: 'willingness' }, 201)).data
  await staff('POST', '/api/v1/rounds/' + round.id + '/open', undefined, 200)
  const { client } = residentClient('resident-e2e-stranger')
  const err = await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'agree', household_id: hs[0].id }).catch(e => e)
  expect(err.status).toBeGreaterThanOrEqual(400)
  expect(err.message).toMatch(/[\u4e00-\u9fa5]/) // Chinese
  const signoffs = (await staff('GET', '/api/v1/rounds/' + round.id + '/signoffs', undefined, 200)).data.items
  expect(signoffs).toEqual([])
})
