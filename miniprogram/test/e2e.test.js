/**
 * @jest-environment node
 */
// End to end: the mini-program's request layer (lib/api.js), run in Node over
// a small wx adapter, drives a real `minyi serve` (built here from the
// repository, on SQLite in a temp dir and, with MINYI_TEST_MYSQL_URL, on a
// fresh MySQL database) that logs residents in through the fake
// WeChat server. A resident logs in, binds a household, signs (with the first
// answer lost on the way, so the layer retries under the same
// Idempotency-Key), files an objection with a photo, sees the answer an admin
// gives through the API, answers 不满意 to it, and checks the receipt once the round is closed.
// A second resident of the household, bound as family, is refused as not the
// household's signer; the resident keeps subscribe messages, withdraws and
// signs again, objects to the result in the notice period, and survives a
// session revoked elsewhere. A 随手拍 problem report goes through a worker's
// fix and the reporter's confirmation. The server's state is checked through staff API
// calls.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createClient } = require('../lib/api.js')
const format = require('../lib/format.js')
const { createNodeWx } = require('./e2e/node-wx.js')
const { start, databases } = require('./e2e/servers.js')
const { png } = require('./e2e/png.js')

jest.setTimeout(Number(process.env.MINYI_E2E_TIMEOUT_MS || 300000))

let servers
let staffToken
// cleanups remove the temporary files of the tests (photos, downloads).
const cleanups = []

function tempDir (prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

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

// Every test runs on SQLite and, when MINYI_TEST_MYSQL_URL is set, again on a
// fresh MySQL (MariaDB) database.
describe.each(databases().map(d => [d.name, d]))('against the real service on %s', (name, database) => {
  beforeAll(async () => {
    servers = await start({ mysqlURL: database.mysqlURL })
    const login = await staff('POST', '/api/v1/auth/login', servers.admin, 200)
    staffToken = login.data.access_token
  })

  afterAll(async () => {
    for (const remove of cleanups.splice(0)) remove()
    if (!servers) return
    const stopped = await servers.stop()
    // The service's log, when asked for or when it did not stop by itself.
    if (process.env.MINYI_E2E_LOGS || !stopped) process.stderr.write(servers.logs.join(''))
  })

  // boardUntil reads an estate's public board through the request layer until
  // ready(board) holds (the service serves a board it confirmed within the last
  // second from memory), at most 50 times.
  async function boardUntil (client, code, ready) {
    let board
    for (let i = 0; i < 50; i++) {
      board = await client.get('/api/v1/public/estates/' + code, { auth: false })
      if (ready(board)) return board
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    throw new Error('the board of ' + code + ' never showed the change: ' + JSON.stringify(board.rounds))
  }

  function residentClient (openid) {
    const wx = createNodeWx({ loginCodeURL: servers.loginCodeURL(openid) })
    cleanups.push(() => wx.cleanup())
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
      title: '3号楼加装电梯征询', kind: 'plan', revision_id: revision.id, closes_at: new Date(Date.now() + 7 * 86400000).toISOString()
    }, 201)).data
    await staff('POST', '/api/v1/rounds/' + round.id + '/open', undefined, 200)
    const mine = households[2]
    const binding = (await staff('POST', '/api/v1/estates/' + estate.id + '/households/' + mine.id + '/binding-codes', undefined, 201)).data

    const { wx, client } = residentClient('resident-e2e-1')

    // 登录 (wx.login → the fake WeChat → POST /auth/wechat)
    const session = await client.login()
    expect(session.resident.households).toEqual([])
    expect(wx.getStorageSync('minyi.tokens').access_token).toBeTruthy()

    // 绑定房屋 (as the bind page sends it: relation always named)
    const bound = await client.post('/api/v1/me/bindings', { code: binding.code, relation: 'owner' })
    expect(bound.id).toBe(mine.id)
    expect(format.address(bound)).toBe('3栋1单元201室')
    const me = await client.get('/api/v1/me')
    expect(me.resident.households.map(h => [h.id, h.relation, h.is_signer])).toEqual([[mine.id, 'owner', true]])
    expect(me.resident.households[0].estate_code).toBe('xingfuli-e2e')
    // A used code answers like an unknown one.
    const reused = await residentClient('resident-e2e-reuse').client.post('/api/v1/me/bindings', { code: binding.code, relation: 'owner' }).catch(e => e)
    expect([reused.status, reused.code]).toEqual([422, 'binding_code_invalid'])
    expect(reused.message).toMatch(/[\u4e00-\u9fa5]/)

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

    // A second resident of the household, bound as family, may follow the round
    // but not sign for it: 403 not_household_signer, with the page's Chinese message.
    const familyCode = (await staff('POST', '/api/v1/estates/' + estate.id + '/households/' + mine.id + '/binding-codes', undefined, 201)).data
    const family = residentClient('resident-e2e-family').client
    const familyBound = await family.post('/api/v1/me/bindings', { code: familyCode.code, relation: 'family' })
    expect([familyBound.id, familyBound.relation, familyBound.is_signer]).toEqual([mine.id, 'family', false])
    const familyRounds = await family.get('/api/v1/me/rounds')
    expect(familyRounds.items.map(i => [i.round.id, i.can_sign])).toEqual([[round.id, false]])
    const notSigner = await family.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'disagree', household_id: mine.id }).catch(e => e)
    expect([notSigner.status, notSigner.code]).toEqual([403, 'not_household_signer'])
    expect(notSigner.message).toContain('您不是本户的指定签字人')
    const afterRefusal = (await staff('GET', '/api/v1/rounds/' + round.id + '/signoffs', undefined, 200)).data.items
    expect(afterRefusal.map(s => [s.household_id, s.decision, s.version])).toEqual([[mine.id, 'agree', 1]])

    // 订阅提醒: what the resident accepted, then the remaining counts.
    const afterPut = await client.put('/api/v1/me/subscriptions', { accepted: ['round_opened', 'result_published', 'result_published'] })
    expect(afterPut.remaining).toEqual({ round_opened: 1, objection_answered: 0, result_published: 1, deadline_reminder: 0 })
    await client.put('/api/v1/me/subscriptions', { accepted: ['result_published'] })
    const subs = await client.get('/api/v1/me/subscriptions')
    expect(subs.remaining).toEqual({ round_opened: 1, objection_answered: 0, result_published: 2, deadline_reminder: 0 })

    // An expired access token is refreshed without the resident noticing.
    wx.setStorageSync('minyi.tokens', Object.assign({}, wx.getStorageSync('minyi.tokens'), { access_token: 'expired' }))
    const again = await client.get('/api/v1/me/rounds')
    expect(again.items[0].my_decision.decision).toBe('agree')
    expect(again.items[0].my_decision.receipt).toBe(signed.receipt)
    expect(wx.sent.some(s => s.path === '/api/v1/auth/refresh')).toBe(true)

    // 我的意见 / 随手拍: a photo, then the objection naming it.
    const photoPath = path.join(tempDir('minyi-mp-photo-'), 'corridor.png')
    fs.writeFileSync(photoPath, png(32, 24))
    const upload = await client.upload(photoPath, estate.id)
    expect(upload.id).toBeTruthy()
    const objection = await client.post('/api/v1/estates/' + estate.id + '/objections', {
      household_id: mine.id, round_id: round.id, category: 'elevator', plan_item: '电梯位置', content: '电梯井离我家窗户太近', photos: [upload.id]
    })
    expect(objection.status).toBe('open')
    const listed = (await staff('GET', '/api/v1/estates/' + estate.id + '/objections', undefined, 200)).data.items
    expect(listed.map(o => [o.id, o.category, o.photos])).toEqual([[objection.id, 'elevator', [upload.id]]])

    // 我的意见's confirmation waits for the answer (409 objection_awaiting_answer).
    const tooEarly = await client.put('/api/v1/objections/' + objection.id + '/my-confirmation', { satisfied: true }).catch(e => e)
    expect([tooEarly.status, tooEarly.code]).toEqual([409, 'objection_awaiting_answer'])
    // An admin answers it through the API, with the public summary the board shows.
    const answer = { outcome: 'partially_adopted', explanation: '电梯井北移两米，与窗户保持三米距离', public_summary: '电梯井离住户窗户太近' }
    await staff('POST', '/api/v1/objections/' + objection.id + '/response', answer, 200)

    // The resident sees the answer.
    const myObjections = await client.get('/api/v1/me/objections')
    expect(myObjections.items).toHaveLength(1)
    expect(myObjections.items[0].status).toBe('answered')
    expect(myObjections.items[0].answer.explanation).toBe(answer.explanation)
    expect(myObjections.items[0].answer.answered_by.role).toBe('admin')
    // 不满意 with a note, under the action's key (the first answer lost): recorded once, as the staff see it.
    wx.loseAnswers('PUT', '/api/v1/objections/' + objection.id + '/my-confirmation', 1)
    await client.put('/api/v1/objections/' + objection.id + '/my-confirmation', { satisfied: false, note: '希望再北移一米' })
    const confirmPuts = wx.sent.filter(s => s.method === 'PUT' && s.path.endsWith('/my-confirmation'))
    expect(confirmPuts).toHaveLength(3) // the refused one, then the lost answer and its repeat
    expect(confirmPuts[2].header['Idempotency-Key']).toBe(confirmPuts[1].header['Idempotency-Key'])
    expect(confirmPuts[1].header['Idempotency-Key']).not.toBe(confirmPuts[0].header['Idempotency-Key'])
    const staffView = (await staff('GET', '/api/v1/objections/' + objection.id, undefined, 200)).data
    expect([staffView.confirmation.satisfied, staffView.confirmation.note]).toEqual([false, '希望再北移一米'])
    expect((await client.get('/api/v1/me/objections')).items[0].confirmation.satisfied).toBe(false)
    // 查看处理经过: the objection in full, with its history.
    const full = await client.get('/api/v1/objections/' + objection.id)
    expect(full.history.map(e => [e.kind, e.actor.role])).toEqual([['filed', 'resident'], ['answered', 'admin'], ['confirmed', 'resident']])
    // 查看照片: the resident downloads the photo of their own objection; others cannot.
    expect(myObjections.items[0].photos).toEqual([upload.id])
    const downloaded = await client.download('/api/v1/uploads/' + upload.id)
    // (the service re-encodes photos to drop their metadata: compare the picture's size)
    const got = fs.readFileSync(downloaded)
    expect(got.subarray(1, 4).toString()).toBe('PNG')
    expect([got.readUInt32BE(16), got.readUInt32BE(20)]).toEqual([32, 24])
    const notTheirs = await residentClient('resident-e2e-nosy').client.download('/api/v1/uploads/' + upload.id).catch(e => e)
    expect(notTheirs.status).toBe(404)

    // The board shows the answer with its summary, never the resident's text.
    const answeredBoard = await client.get('/api/v1/public/estates/xingfuli-e2e', { auth: false })
    expect(answeredBoard.answers.map(a => [a.public_summary, a.outcome_label])).toEqual([['电梯井离住户窗户太近', '部分采纳']])
    expect(JSON.stringify(answeredBoard)).not.toContain('电梯井离我家窗户太近')

    // 撤回 (DELETE without a body) then sign again: the new decision is the one counted.
    await client.del('/api/v1/rounds/' + round.id + '/my-signoff?household_id=' + mine.id)
    const withdrawn = await client.get('/api/v1/me/rounds')
    expect(withdrawn.items[0].my_decision === null || withdrawn.items[0].my_decision.decision === 'withdrawn').toBe(true)
    const resigned = await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'agree', household_id: mine.id })
    expect(resigned.version).toBe(3)

    // Only an admin closes, and early only with a reason; signing is then refused with a clear message.
    const noReason = await staff('POST', '/api/v1/rounds/' + round.id + '/close', {})
    expect([noReason.status, noReason.data.error.code]).toEqual([422, 'reason_required'])
    await staff('POST', '/api/v1/rounds/' + round.id + '/close', { reason: '端到端测试提前结束' }, 200)
    const refused = await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'disagree', household_id: mine.id }).catch(e => e)
    expect(refused.status).toBe(409)
    expect(refused.code).toBe('round_not_open')
    expect(refused.message).toContain('不能表态')

    // 回执核验: the public board lists the counted receipts; mine is there.
    // (the service keeps a board it confirmed within the last second: ask until the close shows)
    const board = await boardUntil(client, 'xingfuli-e2e', b => b.rounds.some(r => r.id === round.id && r.status !== 'open'))
    const closed = board.rounds.find(r => r.id === round.id)
    expect(closed.counted_receipts).toContain(format.normalizeReceipt(resigned.receipt.toLowerCase().replace(/-/g, ' ')))
    expect(closed.counted_receipts).toHaveLength(1)

    // 公示期: the board carries its end, the result is not final yet, so 我的征询
    // offers 对结果有异议; the resident's objection is listed for them alone.
    expect(closed.status).toBe('closed')
    const period = format.noticePeriod(closed)
    expect(period.open).toBe(true)
    expect(period.closeReason).toBe('端到端测试提前结束')
    const resultObjection = await client.post('/api/v1/rounds/' + round.id + '/result-objections', { text: '我家的回执与表态不一致', household_id: mine.id })
    expect([resultObjection.status, resultObjection.household_id, resultObjection.filed_by]).toEqual(['open', mine.id, 'resident'])
    const mineListed = await client.get('/api/v1/rounds/' + round.id + '/result-objections')
    expect(mineListed.items.map(o => o.text)).toEqual(['我家的回执与表态不一致'])
    expect((await family.get('/api/v1/rounds/' + round.id + '/result-objections')).items).toEqual([])
    const allListed = (await staff('GET', '/api/v1/rounds/' + round.id + '/result-objections', undefined, 200)).data.items
    expect(allListed.map(o => o.id)).toEqual([resultObjection.id])

    // 退出登录 on another phone revokes the session: the stale access token gets
    // 401 token_revoked, the refresh token is refused, and the layer logs in again.
    const stale = wx.getStorageSync('minyi.tokens')
    await client.logout()
    wx.setStorageSync('minyi.tokens', stale)
    const afterLogout = await client.get('/api/v1/me')
    expect(afterLogout.resident.households.map(h => h.id)).toEqual([mine.id])
    const meCalls = wx.sent.filter(s => s.method === 'GET' && s.path === '/api/v1/me')
    expect(meCalls.slice(-2).map(s => [s.status, s.code])).toEqual([[401, 'token_revoked'], [200, '']])
  })

  test('after the notice period a result objection is refused with a clear message', async () => {
    const estate = (await staff('POST', '/api/v1/estates', { name: '安康里小区', code: 'ankangli-e2e' }, 201)).data
    const hs = (await staff('POST', '/api/v1/estates/' + estate.id + '/households', {
      items: [{ building: '2', unit: '1', room: '101', area_m2: 60 }]
    }, 201)).data.items
    // notice_days 0: the notice period ends when the round closes.
    const round = (await staff('POST', '/api/v1/estates/' + estate.id + '/rounds', { title: '意愿征询', kind: 'willingness', notice_days: 0 }, 201)).data
    await staff('POST', '/api/v1/rounds/' + round.id + '/open', undefined, 200)
    const code = (await staff('POST', '/api/v1/estates/' + estate.id + '/households/' + hs[0].id + '/binding-codes', undefined, 201)).data.code
    const { client } = residentClient('resident-e2e-late')
    await client.post('/api/v1/me/bindings', { code, relation: 'owner' })
    await client.put('/api/v1/rounds/' + round.id + '/my-signoff', { decision: 'agree', household_id: hs[0].id })
    await staff('POST', '/api/v1/rounds/' + round.id + '/close', { reason: '全部住户已表态' }, 200)
    const board = await client.get('/api/v1/public/estates/ankangli-e2e', { auth: false })
    expect(format.noticePeriod(board.rounds[0]).open).toBe(false)
    const late = await client.post('/api/v1/rounds/' + round.id + '/result-objections', { text: '结果有误', household_id: hs[0].id }).catch(e => e)
    expect([late.status, late.code]).toEqual([409, 'notice_period_over'])
    expect(late.message).toContain('公示期已结束')
    expect((await staff('GET', '/api/v1/rounds/' + round.id + '/result-objections', undefined, 200)).data.items).toEqual([])
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
    // Not bound to any household of the estate, the round itself is not theirs to see.
    expect([err.status, err.code]).toEqual([404, 'round_not_found'])
    expect(err.message).toMatch(/[\u4e00-\u9fa5]/) // Chinese
    const signoffs = (await staff('GET', '/api/v1/rounds/' + round.id + '/signoffs', undefined, 200)).data.items
    expect(signoffs).toEqual([])
  })

  // staffUpload uploads a photo as staff (multipart part "file", the estate).
  async function staffUpload (token, estateID, bytes) {
    const form = new FormData()
    form.append('estate_id', estateID)
    form.append('file', new Blob([bytes], { type: 'image/png' }), 'fix.png')
    const res = await fetch(servers.base + '/api/v1/uploads', {
      method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form, signal: AbortSignal.timeout(30000)
    })
    const text = await res.text()
    if (res.status !== 201) throw new Error('upload → ' + res.status + ' ' + text)
    return JSON.parse(text)
  }

  test('随手拍: a resident reports a problem, a worker fixes it with a photo, the resident sends it back once and then confirms', async () => {
    const estate = (await staff('POST', '/api/v1/estates', { name: '长乐里小区', code: 'changleli-e2e' }, 201)).data
    const hs = (await staff('POST', '/api/v1/estates/' + estate.id + '/households', {
      items: [{ building: '4', unit: '1', room: '101', area_m2: 60 }]
    }, 201)).data.items
    const worker = (await staff('POST', '/api/v1/users', { username: 'worker-e2e', password: 'worker-e2e-password-1', display_name: '李工', role: 'worker' }, 201)).data
    const workerID = worker.id
    const assigned = await staff('PUT', '/api/v1/estates/' + estate.id + '/staff/' + workerID, { role: 'worker' })
    expect(assigned.status).toBeLessThan(300)
    const workerToken = (await staff('POST', '/api/v1/auth/login', { username: 'worker-e2e', password: 'worker-e2e-password-1' }, 200)).data.access_token
    const asWorker = async (method, pathname, body, expected) => {
      const saved = staffToken
      staffToken = workerToken
      try {
        return await staff(method, pathname, body, expected)
      } finally {
        staffToken = saved
      }
    }
    const code = (await staff('POST', '/api/v1/estates/' + estate.id + '/households/' + hs[0].id + '/binding-codes', undefined, 201)).data.code
    const { wx, client } = residentClient('resident-e2e-reporter')
    await client.post('/api/v1/me/bindings', { code, relation: 'tenant' })

    // The page's filing: a photo, then the report naming it, the first answer lost.
    const photoPath = path.join(tempDir('minyi-mp-report-'), 'rubble.png')
    fs.writeFileSync(photoPath, png(16, 16))
    const photo = await client.upload(photoPath, estate.id)
    wx.loseAnswers('POST', '/api/v1/estates/' + estate.id + '/reports', 1)
    const filed = await client.post('/api/v1/estates/' + estate.id + '/reports', { text: '楼道堆满建筑垃圾', location: '4号楼1单元门口', photo_upload_ids: [photo.id] })
    expect([filed.status, filed.photo_upload_ids, filed.assignee_id]).toEqual(['reported', [photo.id], null])
    const posts = wx.sent.filter(s => s.method === 'POST' && s.path.endsWith('/reports'))
    expect(posts).toHaveLength(2)
    expect(posts[1].header['Idempotency-Key']).toBe(posts[0].header['Idempotency-Key'])
    expect((await staff('GET', '/api/v1/estates/' + estate.id + '/reports', undefined, 200)).data.items.map(r => r.id)).toEqual([filed.id])

    // Not fixed yet: the confirmation is refused.
    const early = await client.post('/api/v1/reports/' + filed.id + '/confirmation', { satisfied: true }).catch(e => e)
    expect([early.status, early.code]).toEqual([409, 'report_not_fixed'])
    expect(early.message).toContain('处理后才能确认')

    // The worker takes it and fixes it with a photo.
    await asWorker('PATCH', '/api/v1/reports/' + filed.id, { status: 'assigned' }, 200)
    const fix1 = await staffUpload(workerToken, estate.id, png(20, 10))
    await asWorker('PATCH', '/api/v1/reports/' + filed.id, { status: 'fixed', note: '已清运', photo_upload_ids: [fix1.id] }, 200)
    const mine = (await client.get('/api/v1/estates/' + estate.id + '/reports?limit=100')).items
    expect(mine.map(r => [r.id, r.status, r.note, r.fix_photo_upload_ids, r.assignee_id])).toEqual([[filed.id, 'fixed', '已清运', [fix1.id], null]])
    // 查看处理后的照片: the reporter downloads the fix photo.
    const got = fs.readFileSync(await client.download('/api/v1/uploads/' + fix1.id))
    expect([got.readUInt32BE(16), got.readUInt32BE(20)]).toEqual([20, 10])

    // Not satisfied needs a note; with one it goes back to the worker.
    const bare = await client.post('/api/v1/reports/' + filed.id + '/confirmation', { satisfied: false }).catch(e => e)
    expect([bare.status, bare.code, Object.keys(bare.fields || {})]).toEqual([422, 'validation_failed', ['note']])
    const back = await client.post('/api/v1/reports/' + filed.id + '/confirmation', { satisfied: false, note: '门口还有碎砖' })
    expect([back.status, back.satisfied, back.confirm_note, back.fixed_at]).toEqual(['assigned', false, '门口还有碎砖', null])
    const fix2 = await staffUpload(workerToken, estate.id, png(12, 12))
    await asWorker('PATCH', '/api/v1/reports/' + filed.id, { status: 'fixed', note: '碎砖已清', photo_upload_ids: [fix2.id] }, 200)

    // Satisfied: confirmed, as the staff see it.
    const done = await client.post('/api/v1/reports/' + filed.id + '/confirmation', { satisfied: true })
    expect(done.status).toBe('confirmed')
    const seen = (await staff('GET', '/api/v1/estates/' + estate.id + '/reports?status=confirmed', undefined, 200)).data.items
    expect(seen.map(r => [r.id, r.status, r.satisfied, r.assignee_id, !!r.confirmed_at])).toEqual([[filed.id, 'confirmed', true, workerID, true]])
    // Another resident sees none of it.
    const other = await residentClient('resident-e2e-other').client.get('/api/v1/estates/' + estate.id + '/reports').catch(e => e)
    expect(other.status).toBe(404)
  })
})
